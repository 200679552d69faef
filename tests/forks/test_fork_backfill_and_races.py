"""Versions stored before forks existed get their fields from `flask forks scan`; two writers
racing on one fork: exactly one wins, the other gets 409, and nothing is half-written."""

from __future__ import annotations

import threading

from helpers import upload_asset

from app.extensions import db


def test_flask_forks_scan_finds_the_fields_of_older_versions(app, client, api_token):
    from app.forks.models import VersionFields

    _, marketer = api_token("marketer")
    ids = [upload_asset(client, marketer, f"# {{{{company}}}} {n}\n".encode(), f"a{n}.md")
           .get_json()["id"] for n in range(3)]
    with app.app_context():
        db.session.query(VersionFields).delete()  # as if stored before migration 0006
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["forks", "scan"])
    assert result.exit_code == 0 and result.output == "scanned 3 version(s)\n"
    with app.app_context():
        rows = db.session.query(VersionFields).all()
        assert sorted(r.names for r in rows) == [["company"]] * len(ids)
    again = app.test_cli_runner().invoke(args=["forks", "scan"])
    assert again.output == "scanned 0 version(s)\n"


def test_two_writers_on_one_revision_one_wins(app, api_token):
    _, marketer = api_token("marketer")
    _, rep = api_token("rep")
    client = app.test_client()
    asset = upload_asset(client, marketer, b"# Hi {{company}}\n", "t.md",
                         status="published").get_json()["id"]
    fork = client.post(f"/api/v1/assets/{asset}/forks", json={}, headers=rep).get_json()
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def write(name: str) -> None:
        own = app.test_client()
        barrier.wait()
        response = own.patch(f"/api/v1/forks/{fork['id']}", headers=rep, json={
            "account": name, "body": f"# Hi {name}\n", "revision": fork["revision"]})
        statuses[name] = response.status_code

    threads = [threading.Thread(target=write, args=(n,)) for n in ("Acme", "Beta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses.values()) == [200, 409], statuses
    winner = next(name for name, status in statuses.items() if status == 200)
    stored = client.get(f"/api/v1/forks/{fork['id']}", headers=rep).get_json()
    # The winner's account and body together: the loser's write left nothing behind.
    assert (stored["account"], stored["body"]) == (winner, f"# Hi {winner}\n")
    assert stored["revision"] == fork["revision"] + 1
