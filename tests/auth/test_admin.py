"""Admins invite people, change roles and deactivate accounts; nobody else can."""

import re

import pytest
from helpers import csrf_token, login


def test_invite_then_accept_sets_password_and_signs_in(app, client, login_as):
    login_as("admin")
    response = client.post("/admin/users/invite", data={
        "email": "New.Person@Example.test", "name": "New Person", "role": "marketer",
        "csrf_token": csrf_token(client)})
    assert response.status_code == 201
    link = re.search(r"<code>(http[^<]+)</code>", response.get_data(as_text=True)).group(1)
    path = link.split("localhost", 1)[1]
    invitee = app.test_client()
    page = invitee.get(path)
    assert page.status_code == 200
    done = invitee.post(path, data={"password": "my own passphrase",
                                    "csrf_token": csrf_token(invitee)})
    assert done.status_code == 302
    assert invitee.get("/assets/new").status_code == 200  # a marketer now
    # The link works once.
    again = app.test_client()
    assert again.post(path, data={"password": "another passphrase",
                                  "csrf_token": csrf_token(again)}).status_code == 404


def test_invite_rejects_duplicates_and_bad_input(client, login_as, make_user):
    make_user("rep", email="taken@example.test")
    login_as("admin")
    token = csrf_token(client)
    dup = client.post("/admin/users/invite", data={"email": "TAKEN@example.test", "name": "X",
                                                   "role": "rep", "csrf_token": token})
    assert dup.status_code == 409
    bad_role = client.post("/admin/users/invite", data={"email": "a@b.test", "name": "X",
                                                        "role": "root", "csrf_token": token})
    assert bad_role.status_code == 400
    bad_email = client.post("/admin/users/invite", data={
        "email": "not-an-email", "name": "<script>x</script>", "role": "rep", "csrf_token": token})
    assert bad_email.status_code in (400, 422)
    assert "<script>x</script>" not in bad_email.get_data(as_text=True)


def test_deactivation_ends_sessions_and_reactivation_restores_login(app, client, login_as,
                                                                    make_user):
    target = make_user("rep")
    victim = app.test_client()
    login(victim, target.email)
    login_as("admin")
    url = f"/admin/users/{target.id}/active/0"
    assert client.post(url, data={"csrf_token": csrf_token(client)}).status_code == 302
    assert victim.get("/").status_code == 302
    assert login(app.test_client(), target.email).status_code == 422
    client.post(f"/admin/users/{target.id}/active/1", data={"csrf_token": csrf_token(client)})
    assert login(app.test_client(), target.email).status_code == 302


def test_role_change_takes_effect(app, client, login_as, make_user):
    target = make_user("rep")
    login_as("admin")
    client.post(f"/admin/users/{target.id}/role", data={"role": "marketer",
                                                        "csrf_token": csrf_token(client)})
    other = app.test_client()
    login(other, target.email)
    assert other.get("/assets/new").status_code == 200


def test_admin_cannot_lock_themselves_out(client, login_as):
    admin = login_as("admin")
    token = csrf_token(client)
    client.post(f"/admin/users/{admin.id}/active/0", data={"csrf_token": token})
    client.post(f"/admin/users/{admin.id}/role", data={"role": "rep", "csrf_token": token})
    page = client.get("/admin/users")
    assert page.status_code == 200  # still an active admin


@pytest.mark.parametrize("role", ["rep", "marketer", "leader"])
def test_only_admins_reach_user_admin(client, login_as, make_user, role):
    target = make_user("rep")
    login_as(role)
    token = csrf_token(client)
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/invite", data={"email": "z@z.test", "name": "Z",
                                                    "role": "admin",
                                                    "csrf_token": token}).status_code == 403
    assert client.post(f"/admin/users/{target.id}/role",
                       data={"role": "admin", "csrf_token": token}).status_code == 403
    assert client.post(f"/admin/users/{target.id}/active/0",
                       data={"csrf_token": token}).status_code == 403


def test_admin_actions_on_missing_user_do_not_500(client, login_as):
    login_as("admin")
    token = csrf_token(client)
    response = client.post("/admin/users/999999/role", data={"role": "rep", "csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "No such user." in response.get_data(as_text=True)


def test_bad_invite_tokens(client):
    assert client.get("/invite/nonsense").status_code == 404
    response = client.post("/invite/nonsense", data={"password": "long enough pass",
                                                     "csrf_token": csrf_token(client)})
    assert response.status_code == 404
