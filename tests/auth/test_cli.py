"""`flask users create` and `flask users token`."""

from app.auth.models import ApiToken, User
from app.extensions import db


def test_create_user_and_token(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "Cli@Example.test", "--name",
                                 "Cli User", "--role", "leader", "--password",
                                 "cli passphrase 1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "token", "cli@example.test", "--label", "CRM sync"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("lst_") and len(token) > 40
    with app.app_context():
        row = db.session.query(ApiToken).one()
        assert row.label == "CRM sync" and token not in (row.token_hash, row.prefix + "x")
        assert row.token_hash != token
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["role"] == "leader"


def test_create_user_prompts_when_options_missing(app):
    runner = app.test_cli_runner()
    answers = "p@example.test\nPrompted\nrep\nprompted pass 1\nprompted pass 1\n"
    result = runner.invoke(args=["users", "create"], input=answers)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.query(User).filter_by(email="p@example.test").one().role == "rep"


def test_cli_errors_are_clean(app):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["users", "create", "--email", "x", "--name", "X", "--role", "rep",
                              "--password", "long enough pw"])
    assert bad.exit_code != 0 and "valid email" in bad.output
    short = runner.invoke(args=["users", "create", "--email", "s@example.test", "--name", "S",
                                "--role", "rep", "--password", "short"])
    assert short.exit_code != 0 and "at least 10" in short.output
    missing = runner.invoke(args=["users", "token", "nobody@example.test"])
    assert missing.exit_code != 0 and "No active user" in missing.output
