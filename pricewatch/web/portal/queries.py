"""Read-side queries of the portal pages: plain functions on a session (the inbox marks are the one write).

Every query that a supplier reaches takes the supplier's id and filters on it, so that another
supplier's listing, case or file is simply not found.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from pricewatch.db.models import (
    Case, CheckRun, EvidenceFile, EvidenceSubmission, Event, Listing, ListingResult, Notification,
    ProductResult, Supplier,
)
from pricewatch.domain.cases import CaseState, days_left
from pricewatch.services.queries import COUNT_CAP, MAX_OFFSET, Page, escape_like


# ----------------------------------------------------------------------------- indicators

@dataclass
class Indicators:
    """The five indicators of a case's listing in the run that flagged it, and the monitored price."""

    index_price: Decimal | None
    gov_avg: Decimal | None
    ecommerce_avg: Decimal | None
    retail_avg: Decimal | None
    monitored_price: Decimal | None
    deviation: Decimal | None
    mall_price: Decimal | None
    period: str | None


def _indicators(case: Case, product: ProductResult | None) -> Indicators:
    """A case's indicators from its run's product result (None: the source averages are unknown)."""
    avg = (lambda s: getattr(product, f"{s}_avg") if product is not None else None)
    return Indicators(avg("index"), avg("gov"), avg("ecommerce"), avg("retail"), case.monitored_price,
                      case.deviation, case.mall_price, case.period)


def case_indicators(session: Session, case: Case) -> Indicators:
    """The indicators a case was opened on (its run's product result; the case's own figures)."""
    listing = session.get(Listing, case.listing_id)
    return indicators_of(session, [(case, listing)])[case.id]


def indicators_of(session: Session, pairs: list[tuple[Case, Listing]]) -> dict[int, Indicators]:
    """case id -> Indicators for many (case, listing) pairs, with one query for the product results."""
    wanted = {(c.run_id, l.product_id) for c, l in pairs if c.run_id is not None and l is not None}
    products: dict[tuple[int, int], ProductResult] = {}
    if wanted:
        runs, product_ids = {r for r, _p in wanted}, {p for _r, p in wanted}
        for row in session.scalars(select(ProductResult).where(ProductResult.run_id.in_(runs),
                                                               ProductResult.product_id.in_(product_ids))):
            products[(row.run_id, row.product_id)] = row
    return {c.id: _indicators(c, products.get((c.run_id, l.product_id if l is not None else None)))
            for c, l in pairs}


def days_until(deadline: dt.date | None, today: dt.date) -> int | None:
    """Calendar days left to a deadline (0 on the day, negative when passed); None without one."""
    return None if deadline is None else days_left(deadline, today)


# ----------------------------------------------------------------------------- a supplier's objects

def supplier_listing(session: Session, supplier_id: int, listing_id: int) -> Listing | None:
    """The listing if it belongs to the supplier, else None."""
    listing = session.get(Listing, listing_id)
    return listing if listing is not None and listing.supplier_id == supplier_id else None


def supplier_case(session: Session, supplier_id: int, case_id: int) -> Case | None:
    """The case if it belongs to the supplier, else None."""
    case = session.get(Case, case_id)
    return case if case is not None and case.supplier_id == supplier_id else None


@dataclass
class LatestResult:
    """A listing's result in the latest check that checked it."""

    period: str
    mall_price: Decimal
    monitored_price: Decimal | None
    deviation: Decimal | None
    band: str


@dataclass
class ListingRow:
    """One row of a supplier's listing list."""

    listing: Listing
    latest: LatestResult | None
    open_case: Case | None


def latest_results(session: Session, listing_ids: list[int]) -> dict[int, LatestResult]:
    """The latest result (by period) of each listing given; listings never checked are absent."""
    out: dict[int, LatestResult] = {}
    if not listing_ids:
        return out
    rows = session.execute(
        select(ListingResult, CheckRun.period).join(CheckRun, CheckRun.id == ListingResult.run_id)
        .where(ListingResult.listing_id.in_(listing_ids)))
    for result, period in rows:
        best = out.get(result.listing_id)
        if best is None or period > best.period:
            out[result.listing_id] = LatestResult(period, result.mall_price, result.monitored_price,
                                                  result.deviation, result.band)
    return out


def open_cases_of(session: Session, listing_ids: list[int]) -> dict[int, Case]:
    """The open case of each listing given that has one."""
    if not listing_ids:
        return {}
    return {c.listing_id: c for c in session.scalars(
        select(Case).where(Case.listing_id.in_(listing_ids), Case.is_open.is_(True)))}


def supplier_listings_page(session: Session, supplier_id: int, *, search: str = "", status: str = "",
                           page: int = 1, page_size: int = 50) -> Page:
    """One page of the supplier's listings (code or name search), with latest result and open case."""
    page = max(1, int(page))
    conds = [Listing.supplier_id == supplier_id]
    term = (search or "").strip()
    if term:
        like = f"%{escape_like(term)}%"
        conds.append(or_(Listing.code.like(like, escape="\\"), Listing.name.like(like, escape="\\")))
    if status in ("active", "delisted"):
        conds.append(Listing.status == status)
    offset = min((page - 1) * page_size, MAX_OFFSET)
    listings = list(session.scalars(select(Listing).where(*conds).order_by(Listing.code, Listing.id)
                                    .offset(offset).limit(page_size)))
    ids = [l.id for l in listings]
    latest, cases = latest_results(session, ids), open_cases_of(session, ids)
    rows = [ListingRow(l, latest.get(l.id), cases.get(l.id)) for l in listings]
    counted = select(Listing.id).where(*conds).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    return Page(rows=rows, page=page, page_size=page_size, total=min(total, COUNT_CAP),
                total_capped=total > COUNT_CAP)


def supplier_open_cases(session: Session, supplier_id: int, *, page: int = 1, page_size: int = 50) -> Page:
    """One page of the supplier's open cases as (case, listing), the nearest deadline first."""
    page = max(1, int(page))
    conds = [Case.supplier_id == supplier_id, Case.is_open.is_(True)]
    offset = min((page - 1) * page_size, MAX_OFFSET)
    rows = list(session.execute(
        select(Case, Listing).join(Listing, Listing.id == Case.listing_id).where(*conds)
        .order_by(Case.deadline_on.asc().nulls_last(), Case.id).offset(offset).limit(page_size)).tuples())
    total = session.scalar(select(func.count()).select_from(Case).where(*conds)) or 0
    return Page(rows=rows, page=page, page_size=page_size, total=total)


def listing_cases(session: Session, listing_id: int) -> list[Case]:
    """A listing's cases, newest first."""
    return list(session.scalars(select(Case).where(Case.listing_id == listing_id)
                                .order_by(Case.opened_at.desc(), Case.id.desc())))


def supplier_closed_cases(session: Session, supplier_id: int, limit: int = 50) -> list[tuple[Case, Listing]]:
    """The supplier's latest closed cases with their listings."""
    return list(session.execute(
        select(Case, Listing).join(Listing, Listing.id == Case.listing_id)
        .where(Case.supplier_id == supplier_id, Case.is_open.is_(False))
        .order_by(Case.closed_at.desc(), Case.id.desc()).limit(limit)).tuples())


# ----------------------------------------------------------------------------- evidence

@dataclass
class SubmissionView:
    """One evidence submission with its files."""

    submission: EvidenceSubmission
    files: list[EvidenceFile] = field(default_factory=list)


def submissions_with_files(session: Session, case_id: int) -> list[SubmissionView]:
    """The case's submissions, oldest first, each with its files."""
    subs = list(session.scalars(select(EvidenceSubmission).where(EvidenceSubmission.case_id == case_id)
                                .order_by(EvidenceSubmission.submitted_at, EvidenceSubmission.id)))
    views = {s.id: SubmissionView(s) for s in subs}
    for f in session.scalars(select(EvidenceFile).where(EvidenceFile.case_id == case_id)
                             .order_by(EvidenceFile.id)):
        if f.submission_id in views:
            views[f.submission_id].files.append(f)
    return list(views.values())


def case_events(session: Session, case_id: int) -> list[Event]:
    """The case's events, oldest first."""
    return list(session.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.at, Event.id)))


# ----------------------------------------------------------------------------- review queues

@dataclass
class QueueRow:
    """One case waiting for a monitor, with its listing, supplier and when it started waiting."""

    case: Case
    listing: Listing
    supplier: Supplier
    waiting_since: dt.datetime | None


def _queue(session: Session, state: CaseState, since, page: int, page_size: int) -> Page:
    """Cases in `state`, the longest waiting first; `since` is a per-case subquery (case_id, at)."""
    page = max(1, int(page))
    offset = min((page - 1) * page_size, MAX_OFFSET)
    stmt = (select(Case, Listing, Supplier, since.c.at)
            .join(Listing, Listing.id == Case.listing_id).join(Supplier, Supplier.id == Case.supplier_id)
            .outerjoin(since, since.c.case_id == Case.id)
            .where(Case.state == state.value)
            .order_by(func.coalesce(since.c.at, Case.opened_at), Case.id))
    rows = [QueueRow(c, l, s, at) for c, l, s, at in session.execute(stmt.offset(offset).limit(page_size))]
    total = session.scalar(select(func.count()).select_from(Case).where(Case.state == state.value)) or 0
    return Page(rows=rows, page=page, page_size=page_size, total=total)


def evidence_queue(session: Session, *, page: int = 1, page_size: int = 50) -> Page:
    """Cases whose evidence waits for review, the oldest submission first."""
    since = (select(EvidenceSubmission.case_id.label("case_id"), func.max(EvidenceSubmission.submitted_at).label("at"))
             .group_by(EvidenceSubmission.case_id).subquery())
    return _queue(session, CaseState.EVIDENCE_SUBMITTED, since, page, page_size)


def relisting_queue(session: Session, *, page: int = 1, page_size: int = 50) -> Page:
    """Cases whose relisting request waits for a decision, the oldest request first."""
    since = (select(Event.case_id.label("case_id"), func.max(Event.at).label("at"))
             .where(Event.entity == "case", Event.action == "request_relisting")
             .group_by(Event.case_id).subquery())
    return _queue(session, CaseState.RELIST_REQUESTED, since, page, page_size)


def queue_counts(session: Session) -> dict[str, int]:
    """How many cases wait in each review queue."""
    counts = dict(session.execute(
        select(Case.state, func.count()).where(Case.state.in_(
            (CaseState.EVIDENCE_SUBMITTED.value, CaseState.RELIST_REQUESTED.value))).group_by(Case.state)).all())
    return {"evidence": counts.get(CaseState.EVIDENCE_SUBMITTED.value, 0),
            "relisting": counts.get(CaseState.RELIST_REQUESTED.value, 0)}


# ----------------------------------------------------------------------------- the inbox

def inbox_page(session: Session, user_id: int, *, unread_only: bool = False, page: int = 1,
               page_size: int = 50) -> Page:
    """The user's notifications, newest first."""
    page = max(1, int(page))
    conds = [Notification.user_id == user_id]
    if unread_only:
        conds.append(Notification.read_at.is_(None))
    offset = min((page - 1) * page_size, MAX_OFFSET)
    rows = list(session.scalars(select(Notification).where(*conds)
                                .order_by(Notification.created_at.desc(), Notification.id.desc())
                                .offset(offset).limit(page_size)))
    counted = select(Notification.id).where(*conds).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    return Page(rows=rows, page=page, page_size=page_size, total=min(total, COUNT_CAP),
                total_capped=total > COUNT_CAP)


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread."""
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, user_id: int, now: dt.datetime, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; how many changed."""
    conds = [Notification.user_id == user_id, Notification.read_at.is_(None)]
    if notification_id is not None:
        conds.append(Notification.id == notification_id)
    result = session.execute(update(Notification).where(and_(*conds)).values(read_at=now)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0
