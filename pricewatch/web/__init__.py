"""The web application: `create_app(test_config=None)` and the conventions every blueprint follows.

Configuration split
    ``test_config`` keys in UPPER CASE are Flask settings (``TESTING``, ``WTF_CSRF_ENABLED``,
    ``SERVER_NAME``, ``MAX_CONTENT_LENGTH``, ...) applied last. Keys in lower case are pricewatch
    settings, merged over config/defaults.toml and the environment exactly like
    ``Runtime.from_environment(override=...)`` (``database_url``, ``secret_key``,
    ``{"security": {"https": True}}``, ``{"web": {"page_size": 20}}``). ``create_app(runtime=rt)``
    takes an already-built :class:`pricewatch.runtime.Runtime` instead (tests hand in their engine).

The database session (one per request, committed at the edge)
    ``db_session()`` opens a session lazily on first use in a request. After the view, the
    response decides: status < 400 commits, anything else (and an exception) rolls back; the
    session is closed in teardown. Views call services (which flush, never commit) and never
    commit themselves. ``runtime()`` is the Runtime (``runtime().settings``, ``runtime().params(cat)``).

Roles (pricewatch/web/security.py)
    ``@roles_required("monitor", "admin")`` on a view, or ``restrict_blueprint(bp, "supplier")``
    for a whole blueprint: anonymous visitors are sent to the sign-in page, other roles get 403.
    Viewers are read-only everywhere: any non-GET request of a viewer is refused with 403 except
    signing out and changing their own password. ``current_supplier_id()`` is the supplier the
    signed-in supplier user acts for (None for other roles; 403 for a supplier user without one).
    ``current_user`` (Flask-Login) has ``id, username, role, supplier_id, locale, email``.

Forms and CSRF
    Every POST needs the CSRF token (Flask-WTF ``CSRFProtect``; a missing or wrong token is a 400
    page). Use a ``FlaskForm`` subclass (it renders ``form.csrf_token``); for a bare button form
    write ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">``. Every page also
    carries the token in ``<meta name="csrf-token">``. Field labels use ``lazy_gettext``.
    Templates render fields with the macros in templates/_forms.html (``field(form.x)``,
    ``submit(label)``, ``post_button(url, label)``), and pages extend templates/base.html (blocks
    ``title``, ``breadcrumb``, ``heading``, ``subheading``, ``actions``, ``content``; a page sets
    ``{% set active_nav = "monitor.flagged" %}`` to light a navigation link other than its own).
    templates/_macros.html has ``band(code)``, ``state(code)``, ``pager(page, endpoint)`` (for a
    ``services.queries.Page``), ``url_with(endpoint, key=value)``, ``sort_link`` and ``line_chart``.

Navigation
    A blueprint module may define ``NAV = [NavItem("supplier.index", _l("My listings"), ("supplier",))]``;
    create_app collects the items of every module in BLUEPRINT_MODULES and the layout shows each
    one to the roles it names. To add a blueprint: add its module to BLUEPRINT_MODULES (the module
    exposes ``bp``, optionally ``NAV`` and ``init_app(app)``).

Text, numbers and dates
    All UI text goes through Flask-Babel (``_()``/``lazy_gettext`` in Python, ``{{ _("...") }}`` in
    templates); catalogs live in pricewatch/translations (zh_CN is the default language, en the
    other). Update them with::

        .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o pricewatch/translations/messages.pot .
        .venv/bin/pybabel update -i pricewatch/translations/messages.pot -d pricewatch/translations
        .venv/bin/pybabel compile -d pricewatch/translations

    Compiling is optional: without a current .mo the .po catalog is read directly.
    Filters: ``money`` (¥1,144.00), ``price`` (up to 4 places), ``pct`` (28.34%), ``signed_pct``
    (+28.34%), ``num``, ``date``, ``datetime`` (in the configured time zone), ``band_label``,
    ``state_label``, ``source_label``, ``role_label``, ``action_label`` (tables in web/i18n.py).
    The language is ?lang=zh_CN|en (kept in a cookie), else the user's locale, else the default.

Tests
    tests/web/conftest.py provides ``app``, ``client``, ``db`` (a session on the app's database;
    call ``db.rollback()`` before reading what a request committed), ``users`` (one per role plus
    ``other_supplier``, password ``PASSWORD``), ``login(client, name)``, ``login_as(role)``,
    ``csrf_token(client)``, ``post(client, url, data)`` (adds the token) and ``seeded`` (two
    checked months with quotes, a dropped quote, cases and events). Web tests run on SQLite; put
    ``@pytest.mark.parametrize("backend", BACKENDS)`` on a test to run it on PostgreSQL too.
"""
from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from dataclasses import dataclass
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, g, render_template
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from pricewatch.config import INSTANCE_DIR
from pricewatch.runtime import Runtime
from pricewatch.services.result_index import ResultIndex, ResultIndexCache

#: Blueprint modules, registered in this order. Each exposes `bp`, and may expose NAV and init_app.
BLUEPRINT_MODULES: tuple[str, ...] = (
    "pricewatch.web.auth",
    "pricewatch.web.monitor",
    "pricewatch.web.audit",
    "pricewatch.web.admin",
)


@dataclass(frozen=True)
class NavItem:
    """A link in the layout's navigation, shown to the roles named."""

    endpoint: str
    label: object
    roles: Sequence[str]
    order: int = 100


def create_app(test_config: Mapping | None = None, *, runtime: Runtime | None = None) -> Flask:
    """Build the application (no database connection and no scheduler are started here)."""
    test_config = dict(test_config or {})
    flask_config = {k: v for k, v in test_config.items() if k.isupper()}
    overrides = {k: v for k, v in test_config.items() if not k.isupper()}
    if runtime is None:
        runtime = Runtime.from_environment(override=overrides or None)
    settings = runtime.settings

    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.extensions["pricewatch"] = runtime
    app.extensions["pricewatch_results"] = ResultIndexCache(settings.get("web", {}).get("result_index_runs", 3))
    _configure(app, settings)
    app.config.update(flask_config)

    from pricewatch.web import auth, i18n, security
    # Registered first so that it runs after every other after_request hook (they run in reverse).
    app.after_request(_finish_session)
    app.teardown_request(_close_session)
    security.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)

    register_modules(app, BLUEPRINT_MODULES)
    from pricewatch.web import portal, public
    portal.register(app)
    public.register(app)
    app.context_processor(lambda: {"nav_items": nav_items})
    _register_error_pages(app)
    _register_cli(app)
    return app


def register_modules(app: Flask, modules: Sequence[str], assets: Blueprint | None = None) -> None:
    """Register each module's `bp` (and `init_app`), an optional static-assets blueprint, and merge
    the modules' NAV items into the app's navigation, ordered."""
    nav: list[NavItem] = list(app.extensions.get("pricewatch_nav", ()))
    if assets is not None:
        app.register_blueprint(assets)
    for name in modules:
        module = importlib.import_module(name)
        app.register_blueprint(module.bp)
        nav.extend(getattr(module, "NAV", ()))
        if hasattr(module, "init_app"):
            module.init_app(app)
    app.extensions["pricewatch_nav"] = sorted(nav, key=lambda item: item.order)


def _configure(app: Flask, settings: Mapping) -> None:
    """Flask settings derived from the pricewatch settings."""
    from pricewatch.web.security import load_or_create_secret_key
    https = bool(settings["security"].get("https"))
    max_file_mb = int(settings["uploads"]["max_file_mb"])
    app.config.update(
        SECRET_KEY=settings.get("secret_key") or load_or_create_secret_key(INSTANCE_DIR / "secret_key"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_NAME="pricewatch_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=https,
        PREFERRED_URL_SCHEME="https" if https else "http",
        # A request may carry several evidence files; one file's limit is checked by the upload view.
        MAX_CONTENT_LENGTH=(max_file_mb * 10 + 1) * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        BABEL_DEFAULT_LOCALE=settings.get("default_locale") or "zh_CN",
        BABEL_DEFAULT_TIMEZONE=settings.get("timezone") or "Asia/Shanghai",
        PAGE_SIZE=int(settings.get("web", {}).get("page_size", 50)),
        # Failed sign-ins per client address within security.window_seconds (0: no limit).
        LOGIN_IP_MAX_FAILURES=int(settings["security"]["max_failed_logins"]) * 10,
    )


# ----------------------------------------------------------------------------- request helpers

def runtime() -> Runtime:
    """The Runtime of the current application."""
    return current_app.extensions["pricewatch"]


def db_session() -> Session:
    """The request's database session, opened on first use."""
    if "db_session" not in g:
        g.db_session = runtime().session_factory()
    return g.db_session


def result_index(run) -> ResultIndex:
    """The in-memory index of a check run's listing results (loaded once per process)."""
    return current_app.extensions["pricewatch_results"].get(db_session(), run)


def local_today() -> dt.date:
    """Today's date in the procurement centre's time zone."""
    return dt.datetime.now(ZoneInfo(runtime().settings["timezone"])).date()


def nav_items() -> list[NavItem]:
    """The navigation links the signed-in user may follow."""
    from flask_login import current_user
    if not current_user.is_authenticated:
        return []
    return [item for item in current_app.extensions["pricewatch_nav"]
            if current_user.role in item.roles and item.endpoint in current_app.view_functions]


def _finish_session(response):
    """Commit the request's work when the response is a success, else roll it back."""
    session = g.pop("db_session", None)
    if session is not None:
        try:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()
    return response


def _close_session(_exc=None) -> None:
    """Roll back and close a session the response did not finish (an unhandled error)."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


# ----------------------------------------------------------------------------- errors and CLI

def _register_error_pages(app: Flask) -> None:
    """400, 403, 404, 405, 413, 429 and 500 as pages in the layout."""
    from flask_wtf.csrf import CSRFError

    def render_error(exc: HTTPException):
        """The error page for an HTTP error."""
        code = exc.code or 500
        return render_template("error.html", code=code, description=getattr(exc, "description", "")), code

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, lambda exc: (render_template(
        "error.html", code=400, csrf_failed=True, description=exc.description), 400))


def _register_cli(app: Flask) -> None:
    """`flask --app app pricewatch ...`: the same commands as the `pricewatch` program."""
    if importlib.util.find_spec("pricewatch.cli") is None:
        return
    cli = getattr(importlib.import_module("pricewatch.cli"), "cli", None)
    if cli is not None:
        app.cli.add_command(cli, "pricewatch")
