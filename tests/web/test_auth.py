"""Signing in and out, throttling, password changes, CSRF, cookies, headers and the app factory."""
from __future__ import annotations

import os
import stat

from sqlalchemy import select

from pricewatch.db.models import Event, User
from pricewatch.web import create_app
from pricewatch.web.security import is_safe_next, load_or_create_secret_key
from tests.web.conftest import PASSWORD, csrf_token, login, post

GENERIC_ERROR = "登录失败：用户名或密码错误，或尝试次数过多，请稍后再试。"


def test_sign_in_page_is_in_chinese_by_default(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "用户名" in page and "登录" in page


def test_monitor_signs_in_and_lands_on_the_dashboard(client, users):
    response = login(client, "monitor")
    assert response.status_code == 302 and response.headers["Location"] == "/monitor/"
    assert client.get("/monitor/runs").status_code == 200


def test_supplier_lands_outside_the_monitor_dashboard(client, users):
    response = login(client, "supplier")
    assert response.status_code == 302 and not response.headers["Location"].startswith("/monitor")
    assert client.get(response.headers["Location"], follow_redirects=True).status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_generic_message(client, users):
    wrong = login(client, "monitor", "not-the-password")
    unknown = login(client, "nobody-here", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert GENERIC_ERROR in response.get_data(as_text=True)
    assert client.get("/monitor/").status_code == 302


def test_three_failures_lock_the_account_even_for_the_right_password(client, users, db):
    for _ in range(3):  # config/testing.toml: max_failed_logins = 3
        login(client, "monitor", "not-the-password")
    response = login(client, "monitor", PASSWORD)
    assert response.status_code == 200 and GENERIC_ERROR in response.get_data(as_text=True)
    user = db.scalars(select(User).where(User.username == "monitor")).one()
    assert user.locked_until is not None
    actions = db.scalars(select(Event.action).where(Event.entity == "user", Event.entity_id == user.id)).all()
    assert actions.count("login_failed") == 3 and "locked" in actions and "login" not in actions


def test_one_address_is_blocked_after_too_many_failures_across_accounts(app, client, users):
    app.config["LOGIN_IP_MAX_FAILURES"] = 2
    login(client, "nobody-1", "x" * 8)
    login(client, "nobody-2", "x" * 8)
    response = login(client, "viewer", PASSWORD)
    assert response.status_code == 200 and GENERIC_ERROR in response.get_data(as_text=True)


def test_sign_in_without_csrf_token_is_refused_with_400(client, users):
    response = client.post("/auth/login", data={"username": "monitor", "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_sign_out_is_a_post_and_ends_the_session(client, users):
    login(client, "monitor")
    assert client.get("/auth/logout").status_code == 405
    response = post(client, "/auth/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert client.get("/monitor/").headers["Location"].startswith("/auth/login")


def test_anonymous_visitor_is_sent_to_sign_in_and_back(client, users):
    response = client.get("/monitor/runs")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login?next=%2Fmonitor%2Fruns"
    token = csrf_token(client)
    back = client.post("/auth/login", data={"username": "monitor", "password": PASSWORD, "next": "/monitor/runs",
                                            "csrf_token": token})
    assert back.headers["Location"] == "/monitor/runs"


def test_next_never_leads_off_site(client, users):
    response = post(client, "/auth/login", {"username": "monitor", "password": PASSWORD,
                                            "next": "https://evil.example/x"})
    assert response.headers["Location"] == "/monitor/"
    assert not is_safe_next("//evil.example") and not is_safe_next("/\\evil.example")
    assert is_safe_next("/monitor/cases?state=open")


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, users):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "monitor")
    login(elsewhere, "monitor")
    response = post(here, "/auth/password", {"current": PASSWORD, "new": "brand-new-pass-9",
                                             "confirm": "brand-new-pass-9"})
    assert response.status_code == 302
    assert here.get("/monitor/runs").status_code == 200
    assert elsewhere.get("/monitor/runs").headers["Location"].startswith("/auth/login")
    fresh = app.test_client()
    assert login(fresh, "monitor", PASSWORD).status_code == 200
    assert login(fresh, "monitor", "brand-new-pass-9").status_code == 302


def test_password_change_needs_the_current_password(client, users):
    login(client, "viewer")
    response = post(client, "/auth/password", {"current": "wrong-one-1", "new": "brand-new-pass-9",
                                               "confirm": "brand-new-pass-9"})
    assert response.status_code == 200 and "当前密码不正确" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite_lax(client, users):
    response = login(client, "monitor")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("pricewatch_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_https_setting_makes_cookies_secure(settings, engine):
    from pricewatch.runtime import Runtime
    runtime = Runtime({**settings, "security": {**settings["security"], "https": True}})
    runtime.engine = engine
    app = create_app({"TESTING": True}, runtime=runtime)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_every_response_carries_the_security_headers(client):
    for response in (client.get("/auth/login"), client.get("/no/such/page")):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "same-origin"


def test_error_pages_are_rendered_in_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "页面不存在" in page and 'class="topbar"' in page


def test_too_large_a_request_gets_the_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/auth/login", data={"username": "x" * 5000})
    assert response.status_code == 413 and "上传文件过大" in response.get_data(as_text=True)


def test_create_app_splits_flask_and_pricewatch_settings_and_connects_to_nothing(tmp_path):
    app = create_app({"TESTING": True, "secret_key": "s3cret", "web": {"page_size": 7},
                      "database_url": f"sqlite:///{tmp_path / 'never.db'}"})
    runtime = app.extensions["pricewatch"]
    assert app.testing and app.config["PAGE_SIZE"] == 7 and app.config["SECRET_KEY"] == "s3cret"
    assert runtime.settings["database_url"].endswith("never.db")
    assert "engine" not in vars(runtime)  # no engine (and no connection) until a request needs one
    assert not (tmp_path / "never.db").exists()


def test_secret_key_is_made_once_and_kept_private(tmp_path):
    path = tmp_path / "instance" / "secret_key"
    first = load_or_create_secret_key(path)
    assert len(first) == 64 and load_or_create_secret_key(path) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_roles_required_and_current_supplier_id_guard_a_view(app, client, users):
    from flask import jsonify

    from pricewatch.web.security import current_supplier_id, roles_required

    @roles_required("supplier", "monitor")
    def whoami():
        """A view for suppliers and monitors."""
        return jsonify(supplier_id=current_supplier_id())

    app.add_url_rule("/test/whoami", "whoami", whoami)
    assert client.get("/test/whoami").headers["Location"] == "/auth/login?next=%2Ftest%2Fwhoami"
    login(client, "supplier")
    assert client.get("/test/whoami").json == {"supplier_id": users["supplier"].supplier_id}
    post(client, "/auth/logout")
    login(client, "monitor")
    assert client.get("/test/whoami").json == {"supplier_id": None}
    post(client, "/auth/logout")
    login(client, "viewer")
    assert client.get("/test/whoami").status_code == 403
