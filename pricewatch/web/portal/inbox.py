"""The in-app inbox of every signed-in user: list, unread count (shown in the navigation), mark read."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from pricewatch.db.base import utcnow
from pricewatch.db.models import Case
from pricewatch.web import NavItem, db_session
from pricewatch.web.portal import queries
from pricewatch.web.portal.common import page_arg, page_size
from pricewatch.web.portal.forms import PlainForm
from pricewatch.web.security import is_safe_next, restrict_blueprint

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
ALL_ROLES = ("admin", "monitor", "supplier", "viewer")
restrict_blueprint(bp, *ALL_ROLES)


def unread_count() -> int:
    """The signed-in user's unread notifications (once per request; 0 when signed out)."""
    if not getattr(current_user, "is_authenticated", False):
        return 0
    if "inbox_unread" not in g:
        g.inbox_unread = queries.unread_count(db_session(), current_user.id)
    return g.inbox_unread


class InboxLabel:
    """The navigation label of the inbox: "Notifications" and, when there are any, the unread count.

    The layout prints each navigation label; this one is computed when it is printed, so the
    count in the navigation is always the current one without a hook in the layout.
    """

    def __html__(self) -> str:
        """The label as HTML, with the unread count in a badge."""
        n = unread_count()
        text = escape(_("Notifications"))
        if n:
            title = escape(_("%(n)s unread", n=n))
            return Markup(f'{text} <span class="badge badge-count" title="{title}">{n}</span>')
        return str(text)

    def __str__(self) -> str:
        """The label as plain text."""
        n = unread_count()
        return f"{_('Notifications')} ({n})" if n else _("Notifications")


NAV = [NavItem("inbox.index", InboxLabel(), ALL_ROLES, 90)]


def init_app(app) -> None:
    """`inbox_unread_count()` for any template."""
    app.jinja_env.globals.update(inbox_unread_count=unread_count)


def _case_link(notification) -> str | None:
    """Where a notification's case is seen by this user (None without a case)."""
    if notification.case_id is None:
        return None
    if current_user.role == "supplier":
        case = db_session().get(Case, notification.case_id)
        if case is None or case.supplier_id != current_user.supplier_id:
            return None
        return url_for("supplier.case", case_id=notification.case_id)
    return url_for("review.case", case_id=notification.case_id)


@bp.get("/")
def index():
    """The user's notifications, newest first (?unread=1: only the unread ones)."""
    unread_only = request.args.get("unread") == "1"
    page = queries.inbox_page(db_session(), current_user.id, unread_only=unread_only, page=page_arg(),
                              page_size=page_size())
    return render_template("portal/inbox.html", page=page, unread_only=unread_only, form=PlainForm(),
                           links={n.id: _case_link(n) for n in page.rows}, unread=unread_count())


@bp.post("/<int:notification_id>/read")
def mark_read(notification_id: int):
    """Mark one of the user's notifications read (another user's is left alone)."""
    form = PlainForm()
    if form.validate_on_submit():
        queries.mark_read(db_session(), current_user.id, utcnow(), notification_id)
    return redirect(_back())


@bp.post("/read-all")
def mark_all_read():
    """Mark every notification of the user read."""
    form = PlainForm()
    if form.validate_on_submit():
        n = queries.mark_read(db_session(), current_user.id, utcnow())
        flash(_("%(n)s notifications marked read.", n=n), "success")
    return redirect(_back())


def _back() -> str:
    """The inbox page the user came from (kept to this site)."""
    target = request.form.get("next") or ""
    return target if is_safe_next(target) else url_for("inbox.index")
