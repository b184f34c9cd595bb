"""Security plumbing: CSRF, response headers, role checks, the secret key, per-address throttling."""
from __future__ import annotations

import os
import secrets
import threading
import time
from collections import deque
from functools import wraps
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

#: Requests a viewer may still make with a method other than GET/HEAD/OPTIONS.
VIEWER_WRITABLE_ENDPOINTS = frozenset({"auth.logout", "auth.password", "auth.login"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """CSRF protection, the viewer write guard, security headers, the address throttle."""
    csrf.init_app(app)
    app.before_request(_refuse_viewer_writes)
    app.after_request(_security_headers)
    app.extensions["pricewatch_login_throttle"] = LoginThrottle()


def _security_headers(response):
    """Headers every response carries."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static" and getattr(current_user, "is_authenticated", False):
        headers.setdefault("Cache-Control", "no-store")
    return response


def _refuse_viewer_writes():
    """Viewers only read: any other method is refused, except signing out and their password."""
    if request.method in _SAFE_METHODS or request.endpoint in VIEWER_WRITABLE_ENDPOINTS:
        return None
    if current_user.is_authenticated and current_user.role == "viewer":
        abort(403)
    return None


def _check_roles(roles: tuple[str, ...]):
    """None when the signed-in user has one of `roles`; a redirect to sign in when anonymous; else 403."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.role not in roles:
        abort(403)
    return None


def roles_required(*roles: str):
    """View decorator: only users with one of `roles` (anonymous visitors go to sign in)."""
    def decorator(view):
        """Wrap the view with the role check."""
        @wraps(view)
        def wrapped(*args, **kwargs):
            """Check, then run the view."""
            refused = _check_roles(roles)
            return refused if refused is not None else view(*args, **kwargs)
        return wrapped
    return decorator


def restrict_blueprint(bp: Blueprint, *roles: str) -> None:
    """Apply `roles_required(*roles)` to every view of a blueprint."""
    bp.before_request(lambda: _check_roles(roles))


def current_supplier_id() -> int | None:
    """The supplier a signed-in supplier user acts for; None for other users; 403 if unbound."""
    if not current_user.is_authenticated or current_user.role != "supplier":
        return None
    if current_user.supplier_id is None:
        abort(403)
    return current_user.supplier_id


def is_safe_next(target: str | None) -> bool:
    """Whether `target` is a path on this site (so redirecting to it is no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def load_or_create_secret_key(path: Path) -> str:
    """The key kept in `path`, made (random, mode 0600) the first time."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


class LoginThrottle:
    """Failed sign-ins per client address in a sliding window, in this process's memory.

    Behind a reverse proxy every client shares the proxy's address: wrap the app in werkzeug's
    ProxyFix, or set LOGIN_IP_MAX_FAILURES = 0 to rely on the per-account lock alone.
    """

    def __init__(self):
        """An empty record."""
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, window: float, now: float) -> deque[float]:
        """The address's failures within the window (older ones are forgotten)."""
        failures = self._failures.setdefault(address, deque())
        while failures and failures[0] <= now - window:
            failures.popleft()
        return failures

    def is_blocked(self, address: str, limit: int, window: float, now: float | None = None) -> bool:
        """Whether the address has reached `limit` failures within `window` seconds."""
        if limit <= 0:
            return False
        now = time.monotonic() if now is None else now
        with self._lock:
            return len(self._recent(address, window, now)) >= limit

    def record_failure(self, address: str, window: float, now: float | None = None) -> None:
        """Note one failed sign-in from the address."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(address, window, now).append(now)
            if len(self._failures) > 100_000:  # bound the memory an address sweep can take
                self._failures = {a: f for a, f in self._failures.items() if f}
