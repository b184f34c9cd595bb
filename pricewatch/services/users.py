"""User accounts: creation, passwords, activation and signing in (with throttling).

Every change writes an Event with entity='user'. Password hashes never go into the log.
Errors are `UserError` with a stable `code` (entry points translate the code for people).
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from functools import cache
from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from pricewatch.db.models import ROLES, Event, Supplier, User
from pricewatch.services.events import record_event

MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[A-Za-z0-9_.@\-]{2,100}$")

#: Why `authenticate` refused (all shown to people as one generic message).
UNKNOWN, INACTIVE, LOCKED, BAD_PASSWORD = "unknown", "inactive", "locked", "bad_password"


class UserError(ValueError):
    """A user cannot be created or changed; `code` names the reason."""

    def __init__(self, code: str, message: str):
        """Keep the machine-readable code next to the message."""
        super().__init__(message)
        self.code = code


@cache
def _dummy_hash() -> str:
    """A hash checked for unknown user names, so that they take as long as known ones."""
    return generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    """A scrypt hash of the password, after checking its length."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError("password_too_short", f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password, method="scrypt")


def new_session_token() -> str:
    """A fresh random token; changing it ends every session made with the old one."""
    return secrets.token_hex(16)


def find_user(session: Session, username: str) -> User | None:
    """The user with this name, or None."""
    return session.scalars(select(User).where(User.username == (username or "").strip())).first()


def create_user(session: Session, username: str, password: str, role: str, *,
                supplier_code: str | None = None, email: str = "", locale: str = "",
                actor: str) -> User:
    """Add a user; a supplier user must name an existing supplier by its code."""
    username = (username or "").strip()
    if not _USERNAME.match(username):
        raise UserError("bad_username", "user names are 2-100 letters, digits or . _ - @")
    if role not in ROLES:
        raise UserError("bad_role", f"role must be one of {', '.join(ROLES)}")
    supplier = None
    if role == "supplier":
        if not supplier_code:
            raise UserError("supplier_required", "a supplier user needs --supplier")
        supplier = session.scalars(select(Supplier).where(Supplier.code == supplier_code.strip())).first()
        if supplier is None:
            raise UserError("unknown_supplier", f"no supplier with id {supplier_code!r}")
    elif supplier_code:
        raise UserError("supplier_not_allowed", "only supplier users are bound to a supplier")
    if find_user(session, username) is not None:
        raise UserError("username_taken", f"user {username!r} already exists")
    user = User(username=username, password_hash=hash_password(password), role=role,
                supplier_id=supplier.id if supplier else None, email=(email or "").strip(),
                locale=locale or "", is_active=True, session_token=new_session_token(),
                failed_logins=0)
    session.add(user)
    session.flush()
    record_event(session, actor=actor, entity="user", entity_id=user.id, action="created",
                 after={"username": username, "role": role, "supplier": supplier.code if supplier else None,
                        "email": user.email},
                 supplier_id=user.supplier_id)
    return user


def set_password(session: Session, user: User, password: str, *, actor: str) -> None:
    """Change a password; rotates the session token (other sessions end) and clears any lock."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    user.failed_logins = 0
    user.locked_until = None
    action = "password_changed" if actor == user.username else "password_reset"
    record_event(session, actor=actor, entity="user", entity_id=user.id, action=action,
                 supplier_id=user.supplier_id)
    session.flush()


def set_active(session: Session, user: User, active: bool, *, actor: str) -> None:
    """Activate or deactivate a user; deactivating ends the user's sessions."""
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        user.session_token = new_session_token()
    record_event(session, actor=actor, entity="user", entity_id=user.id,
                 action="activated" if active else "deactivated",
                 from_state="inactive" if active else "active", to_state="active" if active else "inactive",
                 supplier_id=user.supplier_id)
    session.flush()


def _recent_failures(session: Session, user: User, since: dt.datetime) -> int:
    """Failed sign-ins of this user logged after `since`."""
    return session.scalar(
        select(func.count()).select_from(Event).where(
            Event.entity == "user", Event.entity_id == user.id,
            Event.action == "login_failed", Event.at > since)
    ) or 0


def authenticate(session: Session, username: str, password: str, now: dt.datetime,
                 settings: Mapping, *, client: str = "") -> User | str:
    """The user when the password is right; else why not (UNKNOWN, INACTIVE, LOCKED, BAD_PASSWORD).

    `security.max_failed_logins` failures within `security.window_seconds` (and since the last
    successful sign-in) lock the account for `window_seconds`; a locked account refuses even the
    right password until the lock ends.
    """
    security = settings["security"]
    window = dt.timedelta(seconds=int(security["window_seconds"]))
    user = find_user(session, username)
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return UNKNOWN
    if user.locked_until is not None and user.locked_until > now:
        return LOCKED
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        record_event(session, actor=user.username, entity="user", entity_id=user.id,
                     action="login_failed", after={"client": client}, at=now, supplier_id=user.supplier_id)
        session.flush()
        failures = min(user.failed_logins, _recent_failures(session, user, now - window))
        if failures >= int(security["max_failed_logins"]):
            user.locked_until = now + window
            user.failed_logins = 0
            record_event(session, actor="system", entity="user", entity_id=user.id, action="locked",
                         after={"locked_until": user.locked_until}, at=now, supplier_id=user.supplier_id)
        session.flush()
        return BAD_PASSWORD
    if not user.is_active:
        return INACTIVE
    user.failed_logins = 0
    user.locked_until = None
    record_event(session, actor=user.username, entity="user", entity_id=user.id, action="login",
                 after={"client": client}, at=now, supplier_id=user.supplier_id)
    session.flush()
    return user
