"""The supplier portal: own cases and listings, evidence upload, lowering a price, relisting, self-check.

Every view reads the supplier from the signed-in user and looks objects up through it, so another
supplier's listing or case is a 404 whatever the URL says.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pricewatch.db.base import utcnow
from pricewatch.domain.cases import (
    CaseError, CaseState, DeadlinePassed, IllegalTransition, PriceNotNormal, is_normal_price, max_normal_cents,
    within_deadline,
)
from pricewatch.domain.rounding import cents_to_decimal, to_cents
from pricewatch.services import cases as case_service
from pricewatch.services import pricing
from pricewatch.services.evidence import EvidenceError, Upload, check_upload, safe_display_name, store_files
from pricewatch.web import NavItem, db_session, local_today, runtime
from pricewatch.web.i18n import STATE_LABELS, money, signed_pct
from pricewatch.web.portal import queries
from pricewatch.web.portal.common import actor, deliver_mail_after_response, page_arg, page_size
from pricewatch.web.portal.forms import EvidenceForm, PriceForm, RelistForm, SelfCheckForm
from pricewatch.web.security import current_supplier_id, restrict_blueprint

bp = Blueprint("supplier", __name__, url_prefix="/supplier")
restrict_blueprint(bp, "supplier")

NAV = [
    NavItem("supplier.index", _l("My cases"), ("supplier",), 10),
    NavItem("supplier.listings", _l("My listings"), ("supplier",), 20),
]


def _own_case(case_id: int):
    """The signed-in supplier's case and its listing, or 404."""
    case = queries.supplier_case(db_session(), current_supplier_id(), case_id)
    if case is None:
        abort(404)
    listing = queries.supplier_listing(db_session(), current_supplier_id(), case.listing_id)
    if listing is None:
        abort(404)
    return case, listing


def _own_listing(listing_id: int):
    """The signed-in supplier's listing, or 404."""
    listing = queries.supplier_listing(db_session(), current_supplier_id(), listing_id)
    if listing is None:
        abort(404)
    return listing


def max_normal_price(monitored, category: str):
    """The highest price still in the normal band against `monitored` (None without one)."""
    if monitored is None:
        return None
    return cents_to_decimal(max_normal_cents(to_cents(monitored), runtime().params(category)))


@bp.get("/")
def index():
    """The supplier's open cases with their indicators and deadlines, and the latest closed ones."""
    session = db_session()
    supplier_id = current_supplier_id()
    today = local_today()
    page = queries.supplier_open_cases(session, supplier_id, page=page_arg(), page_size=page_size())
    indicators = queries.indicators_of(session, page.rows)
    rows = [{"case": case, "listing": listing, "ind": indicators[case.id],
             "days_left": queries.days_until(case.deadline_on, today),
             "max_normal": max_normal_price(case.monitored_price, listing.category)}
            for case, listing in page.rows]
    closed = queries.supplier_closed_cases(session, supplier_id, limit=20) if page.page == 1 else []
    return render_template("portal/supplier/index.html", rows=rows, page=page, closed=closed, today=today)


@bp.get("/listings")
def listings():
    """The supplier's listings (search by ID or name, filter by status) with their latest result."""
    search = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") if request.args.get("status") in ("active", "delisted") else ""
    page = queries.supplier_listings_page(db_session(), current_supplier_id(), search=search, status=status,
                                          page=page_arg(), page_size=page_size())
    return render_template("portal/supplier/listings.html", page=page, search=search, status=status)


@bp.get("/listings/<int:listing_id>")
def listing(listing_id: int):
    """One listing: price, status, latest result, its cases, and the self-check of a price."""
    session = db_session()
    item = _own_listing(listing_id)
    latest = queries.latest_results(session, [item.id]).get(item.id)
    cases = queries.listing_cases(session, item.id)
    form = SelfCheckForm(request.args)
    check = None
    if "price" in request.args and form.validate():
        check = pricing.self_check(session, item, form.price.decimal, runtime().settings)
    reference = pricing.latest_reference(session, item.id)
    return render_template("portal/supplier/listing.html", listing=item, latest=latest, cases=cases,
                           form=form, check=check, reference=reference,
                           max_normal=max_normal_price(reference.monitored_price if reference else None,
                                                       item.category))


# ----------------------------------------------------------------------------- one case

def _render_case(case, listing, *, evidence_form=None, price_form=None, relist_form=None, status=200):
    """The case page, with whichever forms the case's state allows."""
    session = db_session()
    today = local_today()
    state = CaseState(case.state)
    params = runtime().params(listing.category)
    can_submit = state is CaseState.EVIDENCE_REQUESTED and within_deadline(case.deadline_on, today)
    can_relist = (state is CaseState.DELISTED
                  and is_normal_price(listing.mall_price, case.monitored_price, params))
    return render_template(
        "portal/supplier/case.html", case=case, listing=listing,
        ind=queries.case_indicators(session, case), days_left=queries.days_until(case.deadline_on, today),
        max_normal=max_normal_price(case.monitored_price, listing.category),
        submissions=queries.submissions_with_files(session, case.id),
        can_submit=can_submit, can_lower=case.is_open, can_relist=can_relist,
        max_file_mb=runtime().settings["uploads"]["max_file_mb"],
        evidence_form=evidence_form or EvidenceForm(), price_form=price_form or PriceForm(),
        relist_form=relist_form or RelistForm()), status


@bp.get("/cases/<int:case_id>")
def case(case_id: int):
    """One of the supplier's cases."""
    return _render_case(*_own_case(case_id))


def _case_error_message(exc: CaseError) -> str:
    """A refusal of the case rules, in the user's language."""
    if isinstance(exc, DeadlinePassed):
        return _("The deadline has passed: evidence can no longer be submitted for this case.")
    if isinstance(exc, PriceNotNormal):
        return _("The price is still above the normal band; lower it first.")
    if isinstance(exc, IllegalTransition):
        return _("This is not possible while the case is in the state “%(state)s”.",
                 state=_state_label(exc.state.value))
    return _("The request was refused: %(reason)s", reason=str(exc))


def _state_label(code: str) -> str:
    """The label of a case state."""
    return str(STATE_LABELS.get(code, code))


def _upload_error_message(name: str, exc: EvidenceError) -> str:
    """Why one file was refused, in the user's language."""
    if exc.status == 413:
        return _("%(name)s is larger than %(mb)s MB.", name=name,
                 mb=runtime().settings["uploads"]["max_file_mb"])
    if exc.status == 415:
        return _("%(name)s is not a PDF, JPEG, PNG or XLSX file (the type is checked by the content, "
                 "not the name).", name=name)
    return _("%(name)s is empty.", name=name)


def read_uploads(storages) -> list[Upload]:
    """The uploaded files as Uploads (each read up to one byte past the size limit)."""
    limit = int(runtime().settings["uploads"]["max_file_mb"]) * 1024 * 1024
    return [Upload(f.filename, f.read(limit + 1)) for f in storages if getattr(f, "filename", "")]


@bp.post("/cases/<int:case_id>/evidence")
def submit_evidence(case_id: int):
    """Upload evidence files with a statement and a claimed price: the case goes to review."""
    case, item = _own_case(case_id)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _render_case(case, item, evidence_form=form, status=400)
    session, settings = db_session(), runtime().settings
    uploads = read_uploads(form.files.data)
    for upload in uploads:  # every file is checked before anything is recorded
        try:
            check_upload(upload, settings)
        except EvidenceError as exc:
            form.files.errors = list(form.files.errors) + [_upload_error_message(safe_display_name(upload.filename), exc)]
            return _render_case(case, item, evidence_form=form, status=exc.status)
    now = utcnow()
    try:
        submission = case_service.submit_evidence(session, case, form.statement.data,
                                                  form.claimed_price.decimal, actor=actor(), now=now,
                                                  settings=settings)
        store_files(session, case, submission, uploads, actor=actor(), settings=settings, now=now)
    except EvidenceError as exc:
        session.rollback()
        form.files.errors = list(form.files.errors) + [_upload_error_message("", exc)]
        return _render_case(*_own_case(case_id), evidence_form=form, status=exc.status)
    except CaseError as exc:
        session.rollback()
        flash(_case_error_message(exc), "error")
        return _render_case(*_own_case(case_id), evidence_form=form, status=409)
    deliver_mail_after_response()
    flash(_("Your evidence (%(n)s files) has been submitted and will be reviewed by a monitor.", n=len(uploads)),
          "success")
    return redirect(url_for("supplier.case", case_id=case.id))


def _price_outcome_message(outcome, case, listing) -> tuple[str, str]:
    """(message, flash category) describing what lowering the price did to the case."""
    price, dev = money(outcome.new_price), _pct(outcome.deviation)
    if outcome.action == pricing.CASE_CLOSED:
        return _("The price is now %(price)s, in the normal band (deviation %(dev)s): the case is closed.",
                 price=price, dev=dev), "success"
    if outcome.action == pricing.DELISTED:
        return _("The price is now %(price)s, in the delist band (deviation %(dev)s): the listing has been "
                 "taken off sale.", price=price, dev=dev), "error"
    if outcome.action == pricing.NO_REFERENCE:
        return _("The price is now %(price)s.", price=price), "success"
    params = runtime().params(listing.category)
    if case.state in (CaseState.DELISTED.value, CaseState.RELIST_REQUESTED.value) and is_normal_price(
            outcome.new_price, case.monitored_price, params):
        if case.state == CaseState.DELISTED.value:
            return _("The price is now %(price)s, in the normal band. The listing stays off sale until a "
                     "monitor approves its relisting: request it below.", price=price), "success"
        return _("The price is now %(price)s, in the normal band. Your relisting request waits for a monitor.",
                 price=price), "success"
    return _("The price is now %(price)s, but still above the normal band (at most %(max)s); the case "
             "stays open.", price=price, max=money(max_normal_price(case.monitored_price, listing.category))), \
        "warning"


def _pct(value) -> str:
    """A deviation as a signed percentage."""
    return signed_pct(value)


@bp.post("/cases/<int:case_id>/price")
def lower_price(case_id: int):
    """Lower the listing's price on the spot; it is compared with the case's check at once."""
    case, item = _own_case(case_id)
    form = PriceForm()
    if not form.validate_on_submit():
        return _render_case(case, item, price_form=form, status=400)
    if not case.is_open:
        flash(_("This case is closed."), "error")
        return _render_case(case, item, price_form=form, status=409)
    new_price = form.new_price.decimal
    if new_price >= item.mall_price:
        form.new_price.errors = [_("The new price must be lower than the current price %(price)s.",
                                   price=money(item.mall_price))]
        return _render_case(case, item, price_form=form, status=400)
    outcome = pricing.change_price(db_session(), item, new_price, actor=actor(), origin="supplier", now=utcnow(),
                                   settings=runtime().settings)
    message, category = _price_outcome_message(outcome, case, item)
    flash(message, category)
    deliver_mail_after_response()
    return redirect(url_for("supplier.case", case_id=case.id))


@bp.post("/cases/<int:case_id>/relist")
def request_relisting(case_id: int):
    """Ask for a delisted listing, its price now normal, to be put back on sale."""
    case, item = _own_case(case_id)
    form = RelistForm()
    if not form.validate_on_submit():
        return _render_case(case, item, relist_form=form, status=400)
    try:
        case_service.request_relisting(db_session(), case, actor=actor(), now=utcnow(), settings=runtime().settings,
                                       note=form.note.data or "")
    except CaseError as exc:
        db_session().rollback()
        flash(_case_error_message(exc), "error")
        return _render_case(*_own_case(case_id), relist_form=form, status=409)
    deliver_mail_after_response()
    flash(_("Relisting requested: a monitor will review it."), "success")
    return redirect(url_for("supplier.case", case_id=case.id))
