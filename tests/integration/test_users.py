"""User accounts: creation rules, passwords, activation, and sign-in throttling (both backends)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from pricewatch.db.models import Event, Supplier, User
from pricewatch.services import users as users_service
from pricewatch.services.users import (
    BAD_PASSWORD, INACTIVE, LOCKED, UNKNOWN, UserError, authenticate, create_user, set_active, set_password,
)

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)
GOOD = "correct-horse-1"


@pytest.fixture(autouse=True)
def cheap_hashes(request, monkeypatch):
    """Hash with one PBKDF2 round (these tests are about the rules, not the hash), except the scrypt test."""
    if "scrypt" not in request.node.name:
        monkeypatch.setattr(users_service, "generate_password_hash",
                            lambda password, method: generate_password_hash(password, "pbkdf2:sha256:1"))


@pytest.fixture
def supplier(session):
    """Supplier S001."""
    row = Supplier(code="S001", name="华东办公设备有限公司")
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def monitor(session):
    """A monitor user with the GOOD password."""
    return create_user(session, "monitor", GOOD, "monitor", actor="admin")


def _events(session, user, action):
    """The user's events of one action."""
    return list(session.scalars(select(Event).where(Event.entity == "user", Event.entity_id == user.id,
                                                    Event.action == action)))


def test_create_user_stores_a_scrypt_hash_and_logs_who_created_it(session, monitor):
    assert monitor.password_hash.startswith("scrypt:")
    assert GOOD not in monitor.password_hash
    [event] = _events(session, monitor, "created")
    assert event.actor == "admin"
    assert '"role": "monitor"' in event.after_json
    assert "scrypt" not in event.after_json


def test_supplier_user_is_bound_to_the_supplier_named_by_code(session, supplier):
    user = create_user(session, "s1", GOOD, "supplier", supplier_code="S001", actor="cli")
    assert user.supplier_id == supplier.id


@pytest.mark.parametrize("kwargs, code", [
    ({"role": "supplier"}, "supplier_required"),
    ({"role": "supplier", "supplier_code": "NOPE"}, "unknown_supplier"),
    ({"role": "monitor", "supplier_code": "S001"}, "supplier_not_allowed"),
    ({"role": "boss"}, "bad_role"),
    ({"role": "monitor", "password": "short"}, "password_too_short"),
    ({"role": "monitor", "username": "has space"}, "bad_username"),
])
def test_create_user_refuses_invalid_accounts(session, supplier, kwargs, code):
    args = {"username": "newuser", "password": GOOD, **kwargs}
    with pytest.raises(UserError) as caught:
        create_user(session, args.pop("username"), args.pop("password"), args.pop("role"), actor="cli", **args)
    assert caught.value.code == code
    assert session.scalars(select(User)).first() is None


def test_user_names_are_unique(session, monitor):
    with pytest.raises(UserError) as caught:
        create_user(session, "monitor", GOOD, "viewer", actor="cli")
    assert caught.value.code == "username_taken"


def test_authenticate_returns_the_user_for_the_right_password_and_logs_the_sign_in(session, settings, monitor):
    assert authenticate(session, "monitor", GOOD, T0, settings) is monitor
    assert len(_events(session, monitor, "login")) == 1


def test_unknown_user_and_wrong_password_are_refused(session, settings, monitor):
    assert authenticate(session, "nobody", GOOD, T0, settings) == UNKNOWN
    assert authenticate(session, "monitor", "wrong-password", T0, settings) == BAD_PASSWORD
    assert monitor.failed_logins == 1


def test_account_locks_after_max_failures_and_refuses_even_the_right_password(session, settings, monitor):
    limit = settings["security"]["max_failed_logins"]
    for i in range(limit):
        assert authenticate(session, "monitor", "wrong", T0 + dt.timedelta(seconds=i), settings) == BAD_PASSWORD
    window = dt.timedelta(seconds=settings["security"]["window_seconds"])
    assert monitor.locked_until == T0 + dt.timedelta(seconds=limit - 1) + window
    assert authenticate(session, "monitor", GOOD, T0 + dt.timedelta(seconds=limit), settings) == LOCKED
    assert len(_events(session, monitor, "locked")) == 1


def test_lock_ends_after_the_window(session, settings, monitor):
    for i in range(settings["security"]["max_failed_logins"]):
        authenticate(session, "monitor", "wrong", T0, settings)
    later = monitor.locked_until + dt.timedelta(seconds=1)
    assert authenticate(session, "monitor", GOOD, later, settings) is monitor
    assert monitor.locked_until is None


def test_failures_spread_over_more_than_the_window_do_not_lock(session, settings, monitor):
    window = settings["security"]["window_seconds"]
    limit = settings["security"]["max_failed_logins"]
    step = dt.timedelta(seconds=window // (limit - 1) + 1)
    for i in range(limit):
        authenticate(session, "monitor", "wrong", T0 + i * step, settings)
    assert monitor.locked_until is None


def test_a_successful_sign_in_forgets_earlier_failures(session, settings, monitor):
    limit = settings["security"]["max_failed_logins"]
    for i in range(limit - 1):
        authenticate(session, "monitor", "wrong", T0, settings)
    assert authenticate(session, "monitor", GOOD, T0, settings) is monitor
    authenticate(session, "monitor", "wrong", T0, settings)
    assert monitor.locked_until is None


def test_inactive_user_cannot_sign_in(session, settings, monitor):
    set_active(session, monitor, False, actor="admin")
    assert authenticate(session, "monitor", GOOD, T0, settings) == INACTIVE


def test_set_password_rotates_the_session_token_and_lifts_a_lock(session, settings, monitor):
    for _ in range(settings["security"]["max_failed_logins"]):
        authenticate(session, "monitor", "wrong", T0, settings)
    token = monitor.session_token
    set_password(session, monitor, "another-pass-2", actor="admin")
    assert monitor.session_token != token
    assert monitor.locked_until is None
    assert authenticate(session, "monitor", "another-pass-2", T0, settings) is monitor
    assert [e.actor for e in _events(session, monitor, "password_reset")] == ["admin"]


def test_own_password_change_is_logged_as_a_change(session, monitor):
    set_password(session, monitor, "another-pass-2", actor="monitor")
    assert len(_events(session, monitor, "password_changed")) == 1


def test_set_password_refuses_a_short_password(session, monitor):
    with pytest.raises(UserError):
        set_password(session, monitor, "short", actor="admin")


def test_deactivating_rotates_the_token_and_logs_once(session, monitor):
    token = monitor.session_token
    set_active(session, monitor, False, actor="admin")
    set_active(session, monitor, False, actor="admin")
    assert monitor.session_token != token and not monitor.is_active
    assert len(_events(session, monitor, "deactivated")) == 1
