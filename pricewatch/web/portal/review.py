"""Review by monitors: the evidence queue (accept / reject with a reason) and the relisting queue.

Monitors and administrators decide; viewers see the same pages without the forms, and any POST of
theirs is refused with 403 (by the application-wide viewer guard and by the views themselves).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pricewatch.db.base import utcnow
from pricewatch.db.models import Case, Listing
from pricewatch.domain.cases import CaseError, CaseState, is_normal_price
from pricewatch.services import cases as case_service
from pricewatch.services import queries as monitor_queries
from pricewatch.web import NavItem, db_session, local_today, runtime
from pricewatch.web.portal import queries
from pricewatch.web.portal.common import actor, deliver_mail_after_response, page_arg, page_size
from pricewatch.web.portal.forms import AcceptForm, ApproveForm, ReasonForm
from pricewatch.web.portal.supplier import _case_error_message, max_normal_price
from pricewatch.web.security import restrict_blueprint, roles_required

bp = Blueprint("review", __name__, url_prefix="/review")
REVIEW_ROLES = ("monitor", "admin", "viewer")
DECIDING_ROLES = ("monitor", "admin")
restrict_blueprint(bp, *REVIEW_ROLES)

NAV = [NavItem("review.evidence", _l("Review"), REVIEW_ROLES, 32)]


@bp.get("/evidence")
def evidence():
    """Cases whose evidence waits for a decision, the oldest first."""
    page = queries.evidence_queue(db_session(), page=page_arg(), page_size=page_size())
    return render_template("portal/review/evidence_queue.html", page=page, counts=queries.queue_counts(db_session()))


@bp.get("/relisting")
def relisting():
    """Relisting requests waiting for a decision, the oldest first."""
    page = queries.relisting_queue(db_session(), page=page_arg(), page_size=page_size())
    return render_template("portal/review/relisting_queue.html", page=page, counts=queries.queue_counts(db_session()))


def _case(case_id: int) -> tuple[Case, Listing]:
    """The case and its listing, or 404."""
    session = db_session()
    case = session.get(Case, case_id)
    if case is None:
        abort(404)
    return case, session.get(Listing, case.listing_id)


def _history_chart(listing_id: int):
    """The listing's mall price against its monitored price over past checks (an SVG line chart)."""
    from pricewatch.web.monitor import line_chart
    detail = monitor_queries.listing_detail(db_session(), listing_id, None)
    return line_chart([h.period for h in detail.history],
                      [("mall", _l("Mall price"), [h.mall_price for h in detail.history]),
                       ("monitored", _l("Monitored price"), [h.monitored_price for h in detail.history])],
                      money=True)


def _render(case: Case, listing: Listing, *, accept_form=None, reject_form=None, approve_form=None,
            deny_form=None, status: int = 200):
    """The review page of one case, with the forms its state allows (none for viewers)."""
    session = db_session()
    can_decide = current_user.role in DECIDING_ROLES
    state = CaseState(case.state)
    params = runtime().params(listing.category)
    return render_template(
        "portal/review/case.html", case=case, listing=listing, ind=queries.case_indicators(session, case),
        submissions=queries.submissions_with_files(session, case.id), events=queries.case_events(session, case.id),
        days_left=queries.days_until(case.deadline_on, local_today()),
        max_normal=max_normal_price(case.monitored_price, listing.category),
        price_is_normal=is_normal_price(listing.mall_price, case.monitored_price, params),
        chart=_history_chart(listing.id),
        can_review_evidence=can_decide and state is CaseState.EVIDENCE_SUBMITTED,
        can_decide_relisting=can_decide and state is CaseState.RELIST_REQUESTED,
        accept_form=accept_form or AcceptForm(), reject_form=reject_form or ReasonForm(),
        approve_form=approve_form or ApproveForm(), deny_form=deny_form or ReasonForm()), status


@bp.get("/cases/<int:case_id>")
def case(case_id: int):
    """One case as a reviewer sees it: indicators, statement, claimed price, files, history."""
    return _render(*_case(case_id))


def _decide(case_id: int, form, form_name: str, decide, done_message: str):
    """Validate `form`, apply `decide(session, case, form)`, flash and go back to the queue."""
    case, listing = _case(case_id)
    if not form.validate_on_submit():
        return _render(case, listing, **{form_name: form}, status=400)
    session = db_session()
    try:
        decide(session, case, form)
    except CaseError as exc:
        session.rollback()
        flash(_case_error_message(exc), "error")
        return _render(*_case(case_id), **{form_name: form}, status=409)
    deliver_mail_after_response()
    flash(done_message, "success")
    return redirect(url_for("review.case", case_id=case_id))


def _settings():
    """The application settings."""
    return runtime().settings


@bp.post("/cases/<int:case_id>/accept")
@roles_required(*DECIDING_ROLES)
def accept(case_id: int):
    """Accept the evidence: the price stands until the next check; the supplier is told."""
    return _decide(case_id, AcceptForm(), "accept_form", lambda s, c, f: case_service.accept_evidence(
        s, c, actor=actor(), now=utcnow(), settings=_settings(), note=f.note.data or ""),
        _("Evidence accepted. The supplier has been informed."))


@bp.post("/cases/<int:case_id>/reject")
@roles_required(*DECIDING_ROLES)
def reject(case_id: int):
    """Reject the evidence with a reason: the supplier must lower the price by the new deadline."""
    return _decide(case_id, ReasonForm(), "reject_form", lambda s, c, f: case_service.reject_evidence(
        s, c, f.reason.data, actor=actor(), now=utcnow(), settings=_settings()),
        _("Evidence rejected. The supplier has been informed and must lower the price."))


@bp.post("/cases/<int:case_id>/approve-relisting")
@roles_required(*DECIDING_ROLES)
def approve_relisting(case_id: int):
    """Approve the relisting: the listing is on sale again and the case closes."""
    return _decide(case_id, ApproveForm(), "approve_form", lambda s, c, f: case_service.approve_relisting(
        s, c, actor=actor(), now=utcnow(), settings=_settings(), note=f.note.data or ""),
        _("Relisting approved. The listing is on sale again."))


@bp.post("/cases/<int:case_id>/deny-relisting")
@roles_required(*DECIDING_ROLES)
def deny_relisting(case_id: int):
    """Deny the relisting with a reason: the listing stays off sale."""
    return _decide(case_id, ReasonForm(), "deny_form", lambda s, c, f: case_service.deny_relisting(
        s, c, f.reason.data, actor=actor(), now=utcnow(), settings=_settings()),
        _("Relisting denied. The supplier has been informed."))
