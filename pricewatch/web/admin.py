"""User management for administrators: list, add, deactivate/activate, reset a password."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from pricewatch.db.base import utcnow
from pricewatch.db.models import ROLES, User
from pricewatch.services import queries
from pricewatch.services.users import MIN_PASSWORD_LENGTH, UserError, create_user, set_active, set_password
from pricewatch.web import NavItem, db_session
from pricewatch.web.auth import WebUser
from pricewatch.web.i18n import LANGUAGES, ROLE_LABELS
from pricewatch.web.security import restrict_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
restrict_blueprint(bp, "admin")

NAV = [NavItem("admin.users", _l("Users"), ("admin",), 90)]

#: What each UserError code means, for people.
USER_ERRORS = {
    "bad_username": _l("User names are 2 to 100 letters, digits or . _ - @."),
    "bad_role": _l("Choose a role."),
    "supplier_required": _l("A supplier user needs a supplier ID."),
    "unknown_supplier": _l("No supplier has this ID."),
    "supplier_not_allowed": _l("Only supplier users are bound to a supplier."),
    "username_taken": _l("This user name is taken."),
    "password_too_short": _l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
}
_ERROR_FIELDS = {"bad_username": "username", "username_taken": "username", "bad_role": "role",
                 "supplier_required": "supplier", "unknown_supplier": "supplier",
                 "supplier_not_allowed": "supplier", "password_too_short": "password"}


def _password_fields():
    """A new password, twice."""
    return (
        PasswordField(_l("Password"), validators=[DataRequired(), Length(
            min=MIN_PASSWORD_LENGTH, max=200, message=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH))]),
        PasswordField(_l("Repeat the password"), validators=[
            DataRequired(), EqualTo("password", message=_l("The two passwords differ."))]),
    )


class UserForm(FlaskForm):
    """A new user."""

    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    supplier = StringField(_l("Supplier ID"), validators=[Optional(), Length(max=64)],
                           description=_l("Only for supplier users: the mall's supplier ID."))
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=[SelectChoice("", _l("Default"))]
                         + [SelectChoice(code, name) for code, name in LANGUAGES.items()])
    password, confirm = _password_fields()


class PasswordResetForm(FlaskForm):
    """A new password set by an administrator."""

    password, confirm = _password_fields()


class ActionForm(FlaskForm):
    """A button that only carries the CSRF token."""


def _user_or_404(user_id: int) -> User:
    """The user, or a 404 page."""
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
def users():
    """Every user account."""
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    search = (request.args.get("q") or "").strip()
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    page = queries.users_page(db_session(), search=search or None, role=role, page=number,
                              page_size=current_app.config["PAGE_SIZE"])
    return render_template("admin/users.html", page=page, roles=ROLES, role=role, search=search,
                           now=utcnow())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Add a user."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = create_user(db_session(), form.username.data, form.password.data, form.role.data,
                               supplier_code=form.supplier.data or None, email=form.email.data or "",
                               locale=form.locale.data or "", actor=current_user.username)
        except UserError as exc:
            getattr(form, _ERROR_FIELDS.get(exc.code, "username")).errors = [str(USER_ERRORS.get(exc.code, exc))]
        else:
            flash(_("User %(name)s has been added.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form)


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    """Deactivate a user: the account can no longer sign in and its sessions end."""
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        if user.id == current_user.id:
            flash(_("You cannot deactivate your own account."), "error")
        else:
            set_active(db_session(), user, False, actor=current_user.username)
            flash(_("User %(name)s has been deactivated.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/activate")
def activate(user_id: int):
    """Activate a user again."""
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        set_active(db_session(), user, True, actor=current_user.username)
        flash(_("User %(name)s has been activated.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def reset_password(user_id: int):
    """Set a new password for a user (their sessions end, a lock is lifted)."""
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        set_password(db_session(), user, form.password.data, actor=current_user.username)
        if user.id == current_user.id:  # the token changed: keep this session signed in
            login_user(WebUser(user))
        flash(_("The password of %(name)s has been reset.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_password.html", form=form, user=user)
