"""Read-side queries for the monitor's pages: plain functions on a session; they never write.

Built to stay fast on a month of 520,000 listings: lists read one page through an index, and
counts over many rows are capped (`COUNT_CAP`). The flagged-listings list is in
`pricewatch.services.flagged` (it filters the run's in-memory `ResultIndex` instead).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from pricewatch.db.models import (
    Case, CheckRun, Event, Listing, ListingPrice, ListingResult, Observation, ProductResult,
    QuoteFlag, Supplier, User,
)
from pricewatch.domain.params import BANDS, SOURCES
from pricewatch.domain.periods import parse_period
from pricewatch.services.search import supplier_match

#: Counts above this are shown as "more than COUNT_CAP" (never a COUNT(*) over a whole month).
COUNT_CAP = 10_000
#: Deepest row reachable by paging; narrow the filters to see further.
MAX_OFFSET = 10_000
#: The spread of source averages above which the sources are said to disagree.
SPREAD_WARNING = Decimal("0.30")
#: Case-state filters besides the states themselves.
CASE_STATE_GROUPS = ("open", "closed", "all")


@dataclass
class Page:
    """One page of a list, with a count that may be capped."""

    rows: list
    page: int
    page_size: int
    total: int
    #: True when `total` is only a lower bound (the real count is larger)
    total_capped: bool = False
    #: the deepest row paging may reach (None: no limit)
    max_offset: int | None = MAX_OFFSET

    @property
    def has_prev(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a further page exists and can be reached."""
        return self.page * self.page_size < self._reachable

    @property
    def pages(self) -> int:
        """The number of pages (of the capped count)."""
        return max(1, -(-self._reachable // self.page_size))

    @property
    def _reachable(self) -> int:
        """How many rows paging can reach."""
        return self.total if self.max_offset is None else min(self.total, self.max_offset + self.page_size)


# ----------------------------------------------------------------------------- runs

def latest_run(session: Session) -> CheckRun | None:
    """The latest finished check run (or the latest run of all when none has finished)."""
    run = session.scalars(select(CheckRun).where(CheckRun.finished_at.is_not(None))
                          .order_by(CheckRun.period.desc()).limit(1)).first()
    return run or session.scalars(select(CheckRun).order_by(CheckRun.period.desc()).limit(1)).first()


def run_for_period(session: Session, period: str) -> CheckRun | None:
    """The check run of a period, or None."""
    return session.scalars(select(CheckRun).where(CheckRun.period == period)).first()


def list_runs(session: Session, limit: int = 240) -> list[CheckRun]:
    """Past check runs, latest first."""
    return list(session.scalars(select(CheckRun).order_by(CheckRun.period.desc()).limit(limit)))


def high_price_share(run: CheckRun) -> Decimal | None:
    """(evidence + delist) / listings with a monitored price, to 4 places; None without any."""
    priced = run.n_normal + run.n_evidence + run.n_delist
    if priced <= 0:
        return None
    return (Decimal(run.n_evidence + run.n_delist) / priced).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def coverage(run: CheckRun) -> Decimal | None:
    """Share of the checked listings that got a monitored price, to 4 places."""
    if run.listings_checked <= 0:
        return None
    priced = run.listings_checked - run.n_insufficient
    return (Decimal(priced) / run.listings_checked).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def band_counts(run: CheckRun) -> dict[str, int]:
    """The run's stored count per band, in BANDS order."""
    return {band: getattr(run, f"n_{band}") for band in BANDS}


# ----------------------------------------------------------------------------- overview

@dataclass(frozen=True)
class DueCase:
    """An open case whose deadline is near, with its listing and supplier (plain values)."""

    case_id: int
    listing_id: int
    deadline_on: dt.date | None
    state: str
    deviation: Decimal | None
    listing_code: str
    listing_name: str
    supplier_code: str
    supplier_name: str


@dataclass
class Overview:
    """The dashboard's figures for one run."""

    run: CheckRun
    bands: dict[str, int]
    coverage: Decimal | None
    high_price_share: Decimal | None
    cases_by_state: dict[str, int]
    open_cases: int
    due_this_week: list[DueCase]
    due_this_week_count: int
    overdue_count: int
    #: (period, high-price share) of past runs up to this one, oldest first
    trend: list[tuple[str, Decimal | None]]


def change_marker(session: Session) -> int:
    """The id of the newest event: every change of a case, listing, user, import or check writes
    one, so figures computed at one marker hold until it moves (see pricewatch.caching)."""
    return session.scalar(select(func.max(Event.id))) or 0


def overview(session: Session, run: CheckRun, today: dt.date, trend_runs: int = 12) -> Overview:
    """Listings checked, coverage, bands, cases by state, deadlines due within 7 days, the trend."""
    by_state = dict(session.execute(
        select(Case.state, func.count()).where(Case.period == run.period).group_by(Case.state)).all())
    open_cases = session.scalar(select(func.count()).select_from(Case).where(Case.is_open)) or 0
    week_end = today + dt.timedelta(days=6)
    due_filter = and_(Case.is_open, Case.deadline_on >= today, Case.deadline_on <= week_end)
    due_count = session.scalar(select(func.count()).select_from(Case).where(due_filter)) or 0
    due = [DueCase(*row) for row in session.execute(
        select(Case.id, Case.listing_id, Case.deadline_on, Case.state, Case.deviation, Listing.code, Listing.name,
               Supplier.code, Supplier.name)
        .join(Listing, Listing.id == Case.listing_id).join(Supplier, Supplier.id == Case.supplier_id)
        .where(due_filter).order_by(Case.deadline_on, Case.id).limit(10))]
    overdue = session.scalar(select(func.count()).select_from(Case).where(
        Case.is_open, Case.deadline_on < today)) or 0
    past = list(session.scalars(select(CheckRun).where(CheckRun.period <= run.period)
                                .order_by(CheckRun.period.desc()).limit(trend_runs)))
    trend = [(r.period, high_price_share(r)) for r in reversed(past)]
    return Overview(run=run, bands=band_counts(run), coverage=coverage(run),
                    high_price_share=high_price_share(run), cases_by_state=by_state,
                    open_cases=open_cases, due_this_week=due, due_this_week_count=due_count,
                    overdue_count=overdue, trend=trend)


# ----------------------------------------------------------------------------- text filters

def escape_like(term: str) -> str:
    """A LIKE pattern matching `term` literally."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ----------------------------------------------------------------------------- cases

@dataclass
class CaseRow:
    """One case with its listing and supplier."""

    case: Case
    listing_code: str
    listing_name: str
    category: str
    supplier_code: str
    supplier_name: str


def cases_page(session: Session, *, state: str = "open", category: str | None = None,
               supplier: str | None = None, period: str | None = None, page: int = 1,
               page_size: int = 50) -> Page:
    """Cases filtered by state (a state, or open/closed/all), category, supplier and period.

    Open cases come by deadline, soonest first, those without one last; others newest first.
    The page's case ids are read by walking an index in that order (ix_cases_*), then its rows.
    """
    page = max(1, int(page))
    conds = []
    if state == "open":
        conds.append(Case.is_open.is_(True))
    elif state == "closed":
        conds.append(Case.is_open.is_(False))
    elif state and state != "all":
        conds.append(Case.state == state)
    if category:
        conds.append(Case.category == category)
    if supplier:
        conds.append(Case.supplier_id.in_(supplier_match(session, supplier)))
    if period:
        conds.append(Case.period == period)
    if state == "open":
        branches = [(conds + [Case.deadline_on.is_not(None)], (Case.deadline_on.asc(), Case.id.asc())),
                    (conds + [Case.deadline_on.is_(None)], (Case.id.asc(),))]
    else:
        branches = [(conds, (Case.opened_at.desc(), Case.id.desc()))]
    offset = min((page - 1) * page_size, MAX_OFFSET)
    ids, total = [], 0
    for where, order in branches:
        counted = select(literal_column("1")).select_from(Case).where(*where).limit(COUNT_CAP + 1 - total)
        n = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        if len(ids) < page_size and offset < total + n:
            ids += session.scalars(select(Case.id).where(*where).order_by(*order)
                                   .offset(max(0, offset - total)).limit(page_size - len(ids))).all()
        total += n
        if total > COUNT_CAP:
            break
    rows = {}
    if ids:
        rows = {t[0].id: CaseRow(*t) for t in session.execute(
            select(Case, Listing.code, Listing.name, Case.category, Supplier.code, Supplier.name)
            .join(Listing, Listing.id == Case.listing_id).join(Supplier, Supplier.id == Case.supplier_id)
            .where(Case.id.in_(ids)))}
    return Page(rows=[rows[i] for i in ids if i in rows], page=page, page_size=page_size,
                total=min(total, COUNT_CAP), total_capped=total > COUNT_CAP)


# ----------------------------------------------------------------------------- one listing

@dataclass
class SourceIndicator:
    """One source's robust average for a product in a run."""

    source: str
    n: int
    kept: int
    average: Decimal | None
    median: Decimal | None
    scale: Decimal | None


@dataclass
class QuoteRow:
    """One quote of the period, with why it was dropped when it was."""

    observation_id: int
    source: str
    observed_on: dt.date
    price: Decimal
    origin: str | None
    url: str | None
    dropped_reason: str | None

    @property
    def link(self) -> str | None:
        """The quote's web address when it is one a browser may follow (http or https only)."""
        url = (self.url or "").strip()
        return url if url.lower().startswith(("http://", "https://")) else None

    @property
    def is_dropped(self) -> bool:
        """Whether the check dropped this quote as an outlier."""
        return self.dropped_reason is not None


@dataclass
class HistoryPoint:
    """A listing's mall price against its monitored price in one period."""

    period: str
    mall_price: Decimal
    monitored_price: Decimal | None
    deviation: Decimal | None
    band: str


@dataclass
class ListingDetail:
    """Everything the listing page shows for one run."""

    listing: Listing
    run: CheckRun | None
    result: ListingResult | None
    product_result: ProductResult | None
    indicators: list[SourceIndicator]
    #: (max average - min average) / min average over the sources that count, 4 places
    spread: Decimal | None
    quotes: dict[str, list[QuoteRow]] = field(default_factory=dict)
    history: list[HistoryPoint] = field(default_factory=list)
    price_changes: list[ListingPrice] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def sources_disagree(self) -> bool:
        """Whether the spread of the source averages exceeds SPREAD_WARNING."""
        return self.spread is not None and self.spread > SPREAD_WARNING

    @property
    def index_price(self) -> Decimal | None:
        """The first indicator: the index source's robust average."""
        return self.product_result.index_avg if self.product_result else None


def source_spread(averages: Sequence[Decimal | None]) -> Decimal | None:
    """(max - min) / min of the averages present, half-up to 4 places; None with fewer than two."""
    present = [a for a in averages if a is not None]
    if len(present) < 2 or min(present) <= 0:
        return None
    low, high = min(present), max(present)
    return ((high - low) / low).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def listing_detail(session: Session, listing_id: int, run: CheckRun | None) -> ListingDetail | None:
    """The listing page's data for `run` (None: no run yet); None when the listing does not exist."""
    listing = session.get(Listing, listing_id)
    if listing is None:
        return None
    result = product_result = None
    indicators: list[SourceIndicator] = []
    quotes: dict[str, list[QuoteRow]] = {s: [] for s in SOURCES}
    if run is not None:
        result = session.scalars(select(ListingResult).where(
            ListingResult.run_id == run.id, ListingResult.listing_id == listing.id)).first()
        product_result = session.scalars(select(ProductResult).where(
            ProductResult.run_id == run.id, ProductResult.product_id == listing.product_id)).first()
        first, last = parse_period(run.period)
        flag = aliased(QuoteFlag)
        for row in session.execute(
                select(Observation.id, Observation.source, Observation.observed_on, Observation.price,
                       Observation.origin, Observation.url, flag.reason)
                .outerjoin(flag, and_(flag.observation_id == Observation.id, flag.run_id == run.id))
                .where(Observation.product_id == listing.product_id,
                       Observation.observed_on >= first, Observation.observed_on <= last)
                .order_by(Observation.source, Observation.observed_on, Observation.price, Observation.id)):
            quotes.setdefault(row.source, []).append(QuoteRow(*row))
    if product_result is not None:
        indicators = [SourceIndicator(s, getattr(product_result, f"{s}_n") or 0,
                                      getattr(product_result, f"{s}_kept") or 0,
                                      getattr(product_result, f"{s}_avg"), getattr(product_result, f"{s}_median"),
                                      getattr(product_result, f"{s}_scale")) for s in SOURCES]
    spread = source_spread([i.average for i in indicators])
    history = [HistoryPoint(*row) for row in session.execute(
                   select(CheckRun.period, ListingResult.mall_price, ListingResult.monitored_price,
                          ListingResult.deviation, ListingResult.band)
                   .join(CheckRun, CheckRun.id == ListingResult.run_id)
                   .where(ListingResult.listing_id == listing.id).order_by(CheckRun.period))]
    changes = list(session.scalars(select(ListingPrice).where(ListingPrice.listing_id == listing.id)
                                   .order_by(ListingPrice.effective_on, ListingPrice.id)))
    cases = list(session.scalars(select(Case).where(Case.listing_id == listing.id).order_by(Case.opened_at, Case.id)))
    events = list(session.scalars(select(Event).where(Event.listing_id == listing.id).order_by(Event.at, Event.id)))
    return ListingDetail(listing=listing, run=run, result=result, product_result=product_result,
                         indicators=indicators, spread=spread, quotes=quotes, history=history,
                         price_changes=changes, cases=cases, events=events)


# ----------------------------------------------------------------------------- the event log

#: What the event log records (Event.entity).
EVENT_ENTITIES = ("case", "listing", "user", "evidence", "import", "check", "report")


@dataclass
class EventPage:
    """A page of the event log, newest first, with the cursor of the next (older) page."""

    rows: list[Event]
    next_cursor: str | None


def events_page(session: Session, *, entity: str | None = None, actor: str | None = None,
                action: str | None = None, since: dt.datetime | None = None, until: dt.datetime | None = None,
                cursor: str | None = None, limit: int = 50) -> EventPage:
    """Events matching the filters, newest first; `cursor` ("<epoch microseconds>-<id>") pages back."""
    conds = []
    if entity:
        conds.append(Event.entity == entity)
    if actor:
        conds.append(Event.actor == actor.strip())
    if action:
        conds.append(Event.action == action.strip())
    if since:
        conds.append(Event.at >= since)
    if until:
        conds.append(Event.at < until)
    position = _parse_cursor(cursor)
    if position:
        at, event_id = position
        conds.append(or_(Event.at < at, and_(Event.at == at, Event.id < event_id)))
    rows = list(session.scalars(select(Event).where(*conds).order_by(Event.at.desc(), Event.id.desc())
                                .limit(limit + 1)))
    next_cursor = _make_cursor(rows[limit - 1]) if len(rows) > limit else None
    return EventPage(rows=rows[:limit], next_cursor=next_cursor)


def _make_cursor(event: Event) -> str:
    """The position of an event as text for a URL."""
    micros = int((event.at - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) / dt.timedelta(microseconds=1))
    return f"{micros}-{event.id}"


def _parse_cursor(cursor: str | None) -> tuple[dt.datetime, int] | None:
    """The (at, id) a cursor stands for; None when absent or malformed."""
    try:
        micros, event_id = (cursor or "").split("-")
        at = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=int(micros))
        return at, int(event_id)
    except ValueError:
        return None


# ----------------------------------------------------------------------------- users

def users_page(session: Session, *, search: str | None = None, role: str | None = None, page: int = 1,
               page_size: int = 50) -> Page:
    """User accounts (with their supplier's code and name), by user name."""
    page = max(1, int(page))
    conds = []
    if role:
        conds.append(User.role == role)
    if search:
        like = f"%{escape_like(search.strip())}%"
        conds.append(or_(User.username.like(like, escape="\\"), User.email.like(like, escape="\\")))
    stmt = (select(User, Supplier.code, Supplier.name).outerjoin(Supplier, Supplier.id == User.supplier_id)
            .where(*conds).order_by(User.username))
    rows = session.execute(stmt.offset((page - 1) * page_size).limit(page_size)).all()
    total = session.scalar(select(func.count()).select_from(User).where(*conds)) or 0
    return Page(rows=rows, page=page, page_size=page_size, total=total)
