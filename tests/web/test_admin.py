"""User management: only administrators, every change through a CSRF form and into the event log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from pricewatch.db.models import Event, User
from tests.web.conftest import PASSWORD, USERNAMES, login, post

NEW_USER = {"username": "auditor", "role": "viewer", "supplier": "", "email": "auditor@example.org",
            "locale": "en", "password": "auditor-pass-1", "confirm": "auditor-pass-1"}


def _user(db, name: str) -> User | None:
    """The user row as the database has it now (a new transaction sees the requests' commits)."""
    db.rollback()
    return db.scalars(select(User).where(User.username == name)).first()


def _actions(db, user: User) -> list[tuple[str, str]]:
    """(action, actor) of the user's events, oldest first."""
    return [(e.action, e.actor) for e in db.scalars(
        select(Event).where(Event.entity == "user", Event.entity_id == user.id).order_by(Event.id))]


def test_admin_adds_a_user_who_can_then_sign_in(app, client, users, db):
    login(client, "admin")
    response = post(client, "/admin/users/new", NEW_USER)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    created = _user(db, "auditor")
    assert created.role == "viewer" and created.locale == "en" and created.password_hash.startswith("scrypt:")
    assert _actions(db, created) == [("created", "admin")]
    assert "auditor" in client.get("/admin/users").get_data(as_text=True)
    assert login(app.test_client(), "auditor", "auditor-pass-1").status_code == 302


def test_a_supplier_user_needs_a_known_supplier(client, users, db):
    login(client, "admin")
    response = post(client, "/admin/users/new", {**NEW_USER, "role": "supplier", "supplier": "S999"})
    assert response.status_code == 200 and "不存在该编号的供应商" in response.get_data(as_text=True)
    assert _user(db, "auditor") is None
    post(client, "/admin/users/new", {**NEW_USER, "role": "supplier", "supplier": "S002"})
    assert _user(db, "auditor").supplier_id == users["other_supplier"].supplier_id


@pytest.mark.parametrize("change, message", [
    ({"confirm": "something-else"}, "两次输入的密码不一致"),
    ({"password": "short", "confirm": "short"}, "至少 8 个字符"),
    ({"username": "monitor"}, "该用户名已被使用"),
    ({"username": "bad name!"}, "用户名须为 2 至 100 个"),
])
def test_adding_an_invalid_user_shows_why_and_changes_nothing(client, users, db, change, message):
    login(client, "admin")
    before = db.scalars(select(User.id)).all()
    response = post(client, "/admin/users/new", {**NEW_USER, **change})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.rollback()
    assert db.scalars(select(User.id)).all() == before


def test_admin_forms_without_csrf_token_are_refused(client, users, db):
    login(client, "admin")
    assert client.post("/admin/users/new", data=NEW_USER).status_code == 400
    assert client.post(f"/admin/users/{users['monitor'].id}/deactivate").status_code == 400
    assert _user(db, "auditor") is None and _user(db, "monitor").is_active


def test_deactivating_a_user_ends_their_session_and_sign_in(app, client, users, db):
    theirs = app.test_client()
    login(theirs, "monitor")
    login(client, "admin")
    response = post(client, f"/admin/users/{users['monitor'].id}/deactivate")
    assert response.status_code == 302
    assert theirs.get("/monitor/").headers["Location"].startswith("/auth/login")
    assert login(app.test_client(), "monitor").status_code == 200
    post(client, f"/admin/users/{users['monitor'].id}/activate")
    assert login(app.test_client(), "monitor").status_code == 302
    assert _actions(db, _user(db, "monitor")) == [("login", "monitor"), ("deactivated", "admin"),
                                                   ("activated", "admin"), ("login", "monitor")]


def test_admin_cannot_deactivate_their_own_account(client, users, db):
    login(client, "admin")
    post(client, f"/admin/users/{users['admin'].id}/deactivate")
    assert _user(db, "admin").is_active
    assert client.get("/admin/users").status_code == 200


def test_resetting_a_password_ends_the_users_sessions_and_sets_the_new_one(app, client, users, db):
    theirs = app.test_client()
    login(theirs, "viewer")
    login(client, "admin")
    response = post(client, f"/admin/users/{users['viewer'].id}/password",
                    {"password": "reset-pass-77", "confirm": "reset-pass-77"})
    assert response.status_code == 302
    assert theirs.get("/monitor/").headers["Location"].startswith("/auth/login")
    assert login(app.test_client(), "viewer", PASSWORD).status_code == 200
    assert login(app.test_client(), "viewer", "reset-pass-77").status_code == 302
    assert ("password_reset", "admin") in _actions(db, _user(db, "viewer"))


def test_resetting_ones_own_password_keeps_one_signed_in(client, users):
    login(client, "admin")
    post(client, f"/admin/users/{users['admin'].id}/password", {"password": "reset-pass-77", "confirm": "reset-pass-77"})
    assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize("role, expected", [("monitor", 403), ("viewer", 403), ("supplier", 403), (None, 302)])
def test_only_administrators_may_change_users(client, users, db, role, expected):
    if role:
        login(client, USERNAMES[role])
    target = users["other_supplier"].id
    for url, data in ((f"/admin/users/{target}/deactivate", {}), (f"/admin/users/{target}/activate", {}),
                      (f"/admin/users/{target}/password", {"password": "x" * 10, "confirm": "x" * 10}),
                      ("/admin/users/new", NEW_USER)):
        assert post(client, url, data).status_code == expected, url
    assert _user(db, "auditor") is None and _user(db, "supplier2").is_active


def test_unknown_user_is_a_404(client, users):
    login(client, "admin")
    assert client.get("/admin/users/99999/password").status_code == 404
    assert post(client, "/admin/users/99999/deactivate").status_code == 404


def test_users_list_filters_by_role_and_name(client, users):
    login(client, "admin")
    page = client.get("/admin/users?role=supplier").get_data(as_text=True)
    assert "supplier2" in page and ">monitor<" not in page
    page = client.get("/admin/users?q=view").get_data(as_text=True)
    assert ">viewer<" in page and ">monitor<" not in page
