"""Signing in and out, changing one's own password, and the landing page."""
from __future__ import annotations

import hmac

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from pricewatch.db.base import utcnow
from pricewatch.db.models import User
from pricewatch.services.users import MIN_PASSWORD_LENGTH, authenticate, set_password
from pricewatch.web import db_session, runtime
from pricewatch.web.security import is_safe_next

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


class WebUser(UserMixin):
    """The signed-in user as the web layer sees it (a snapshot of the row, no ORM state)."""

    def __init__(self, row: User):
        """Copy what the pages need from the row."""
        self.id = row.id
        self.username = row.username
        self.role = row.role
        self.supplier_id = row.supplier_id
        self.locale = row.locale
        self.email = row.email
        self._active = row.is_active
        self._token = row.session_token

    @property
    def is_active(self) -> bool:
        """Whether the account may be used."""
        return self._active

    def get_id(self) -> str:
        """The id stored in the session: changes when the password does, ending other sessions."""
        return f"{self.id}:{self._token}"


#: What WebUser copies from the users row (read as plain columns: this runs on every request).
_WEB_USER_COLUMNS = (User.id, User.username, User.role, User.supplier_id, User.locale, User.email, User.is_active,
                     User.session_token)


def load_user(user_id: str) -> WebUser | None:
    """The user of a session cookie, if the account is active and the token still current."""
    raw_id, _sep, token = (user_id or "").partition(":")
    if not raw_id.isdigit() or not token:
        return None
    row = db_session().execute(select(*_WEB_USER_COLUMNS).where(User.id == int(raw_id))).first()
    if row is None or not row.is_active or not hmac.compare_digest(row.session_token, token):
        return None
    return WebUser(row)


def init_app(app) -> None:
    """Flask-Login on this app."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    """The current password and a new one, twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200,
                               message=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])


def home_url() -> str:
    """Where a user lands after signing in: the dashboard, or the supplier portal."""
    if current_user.is_authenticated and current_user.role == "supplier":
        if "supplier.index" in current_app.view_functions:
            return url_for("supplier.index")
        return url_for("auth.index")
    return url_for("monitor.overview")


@bp.get("/")
def index():
    """The landing page: sign in, or go to the user's home."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role == "supplier" and "supplier.index" not in current_app.view_functions:
        return render_template("home.html")
    return redirect(home_url())


@bp.route("/auth/login", methods=["GET", "POST"])
def login():
    """Sign in; every refusal shows the same message (no hint whether the name exists)."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_url())
    if form.validate_on_submit():
        settings = runtime().settings
        throttle = current_app.extensions["pricewatch_login_throttle"]
        address = request.remote_addr or "unknown"
        window = float(settings["security"]["window_seconds"])
        limit = int(current_app.config["LOGIN_IP_MAX_FAILURES"])
        outcome = None
        if not throttle.is_blocked(address, limit, window):
            outcome = authenticate(db_session(), form.username.data, form.password.data, utcnow(),
                                   settings, client=address)
        if isinstance(outcome, User):
            session.clear()
            login_user(WebUser(outcome))
            target = form.next.data
            return redirect(target if is_safe_next(target) else home_url())
        throttle.record_failure(address, window)
        form.password.errors = [_("Sign-in failed: wrong user name or password, or too many attempts. "
                                  "Try again later.")]
    return render_template("auth/login.html", form=form)


@bp.post("/auth/logout")
def logout():
    """Sign out and forget the session."""
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/auth/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; every other session of the user ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        row = db_session().get(User, current_user.id)
        if not check_password_hash(row.password_hash, form.current.data):
            form.current.errors = [_("The current password is wrong.")]
        else:
            set_password(db_session(), row, form.new.data, actor=row.username)
            login_user(WebUser(row))  # this session carries on with the new token
            flash(_("Your password has been changed. Other sessions have been signed out."), "success")
            return redirect(home_url())
    return render_template("auth/password.html", form=form)
