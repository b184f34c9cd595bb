"""What the procurement centre has published: report snapshots and the month's delistings and cuts.

The public page shows only what leaves this module, and this module reads only:

- **the figures of a stored report version** (`ReportSnapshot`), picked by `public_summary`: listings
  checked, bands, the high-price share, evidence requested, prices lowered, delistings, money saved,
  orders checked and compliant, and bands per category. The rest of a report (non-compliant order
  lines, per-supplier figures, who made the version) stays in the dashboard.
- **the listings delisted and the prices lowered in the month** (`month_changes`): the same case
  events the report counts as its `delisted` and `price_lowered` figures (see
  `pricewatch.services.reports`), dated in the month and before the version was made, with the
  listing's code, the product's and the supplier's names and the prices before and after. Never an
  event's reason, actor or evidence.

Nothing here imports Flask; the views pass a session and plain values.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pricewatch.caching import VersionedCache
from pricewatch.db.models import Case, CheckRun, Event, Listing, Product, ReportSnapshot, Supplier
from pricewatch.domain.params import BANDS
from pricewatch.domain.periods import parse_period

#: The two kinds of change the page lists, as the case state they lead to.
DELISTED, PRICE_LOWERED = "delisted", "price_lowered"
#: Why a listing was taken off sale, from the event's action (a public category, not its reason text).
CAUSE_CHECK, CAUSE_DEADLINE, CAUSE_PRICE_RAISED = "check", "deadline", "price_raised"


@dataclass(frozen=True)
class Version:
    """One stored version of a period's report (no content, no author)."""

    id: int
    period: str
    version: int
    created_at: dt.datetime
    created_by: str = ""

    @property
    def key(self) -> tuple:
        """What identifies the version's content for a cache (rows are written once, never updated)."""
        return (self.id, self.period, self.version, self.created_at.isoformat())


@dataclass
class PublishedPeriod:
    """A period with a published report and its versions, oldest first."""

    period: str
    versions: list[Version] = field(default_factory=list)

    @property
    def latest(self) -> Version:
        """The version in force (the newest)."""
        return self.versions[-1]

    def version(self, number: int) -> Version | None:
        """The version numbered `number`, if stored."""
        return next((v for v in self.versions if v.version == number), None)


def published_periods(session: Session, *, with_authors: bool = False) -> list[PublishedPeriod]:
    """Every period with a stored report, newest period first (reads no report content)."""
    columns = [ReportSnapshot.id, ReportSnapshot.period, ReportSnapshot.version, ReportSnapshot.created_at]
    if with_authors:
        columns.append(ReportSnapshot.created_by)
    rows = session.execute(select(*columns).order_by(ReportSnapshot.period.desc(), ReportSnapshot.version))
    out: dict[str, PublishedPeriod] = {}
    for row in rows:
        out.setdefault(row.period, PublishedPeriod(row.period)).versions.append(
            Version(row.id, row.period, row.version, row.created_at, row.created_by if with_authors else ""))
    return list(out.values())


def checked_periods(session: Session) -> dict[str, dt.datetime | None]:
    """Period -> when its check finished, for every check run."""
    return dict(session.execute(select(CheckRun.period, CheckRun.finished_at)).all())


def snapshot_report(session: Session, version: Version) -> dict:
    """The stored report of a version, as a dict."""
    content = session.scalar(select(ReportSnapshot.content_json).where(ReportSnapshot.id == version.id))
    return json.loads(content)


# ----------------------------------------------------------------------------- the public figures

def public_summary(report: dict) -> dict:
    """The figures of a report the public page shows, and nothing else of it."""
    bands = {b: int(report["bands"].get(b, 0)) for b in BANDS}
    cases = report.get("cases") or {}
    orders = report.get("order_summary") or {}
    return {
        "period": report["period"],
        "listings_checked": int(report["listings_checked"]),
        "with_monitored_price": sum(n for b, n in bands.items() if b != "insufficient"),
        "bands": bands,
        "high_price_share": float(report["high_price_share"]),
        "evidence_requests": bands["evidence"],
        "prices_lowered": int(cases.get("price_lowered", 0)),
        "delistings": int(cases.get("delisted", 0)),
        "savings": Decimal((report.get("savings") or {}).get("total", "0")),
        "orders": int(orders.get("orders", 0)),
        "orders_compliant": int(orders.get("compliant", 0)),
        "orders_non_compliant": int(orders.get("non_compliant", 0)),
        "orders_unchecked": int(orders.get("unchecked", 0)),
        "categories": [(c["category"], {b: int(c["bands"].get(b, 0)) for b in BANDS})
                       for c in report.get("categories", []) if c.get("listings_checked")],
    }


class SummaryCache:
    """Public summaries of report versions, kept in memory (a version's content never changes).

    A report can be a few hundred kilobytes of JSON; the page needs a few numbers of every period.
    """

    def __init__(self, size: int = 512):
        """An empty cache of at most `size` summaries."""
        self._cache = VersionedCache(max_entries=size)

    def get(self, session: Session, version: Version) -> dict:
        """The summary of `version`, read and parsed once."""
        return self._cache.get(version.key, None, lambda: public_summary(snapshot_report(session, version)))


# ----------------------------------------------------------------------------- the month's changes

@dataclass(frozen=True)
class Change:
    """A listing delisted or a price lowered, as published."""

    at: dt.datetime
    listing_code: str
    listing_name: str
    product_name: str
    supplier_name: str
    category: str
    old_price: Decimal | None
    new_price: Decimal | None
    cause: str = ""

    @property
    def cut(self) -> Decimal | None:
        """How much the price went down, as a fraction of the old price."""
        if not self.old_price or self.new_price is None:
            return None
        return (self.old_price - self.new_price) / self.old_price


def period_bounds(period: str, tz_name: str) -> tuple[dt.datetime, dt.datetime]:
    """The period's start and end (00:00 of its first day to 24:00 of its last, local) in UTC."""
    first, last = parse_period(period)
    tz = ZoneInfo(tz_name)
    start = dt.datetime.combine(first, dt.time(0), tz).astimezone(dt.timezone.utc)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tz).astimezone(dt.timezone.utc)
    return start, end


def _price(*values) -> Decimal | None:
    """The first value that is a price."""
    for value in values:
        if value not in (None, ""):
            return Decimal(str(value))
    return None


def _json(text: str | None) -> dict:
    """An event's before/after JSON (empty when unreadable)."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def month_changes(session: Session, period: str, kind: str, *, until: dt.datetime | None = None,
                  tz_name: str = "Asia/Shanghai") -> list[Change]:
    """The listings delisted (`kind='delisted'`) or prices lowered (`'price_lowered'`) in `period`.

    The case events the report counts: `to_state` is `kind` and differs from `from_state`; a refused
    or undone relisting request is not a new delisting. Only events before `until` (when the report
    version was made) count, so a version lists what it counted.
    """
    if kind not in (DELISTED, PRICE_LOWERED):
        raise ValueError(f"unknown change {kind!r}")
    start, end = period_bounds(period, tz_name)
    if until is not None:
        end = min(end, until)
    conditions = [Event.entity == "case", Event.to_state == kind, Event.at >= start, Event.at < end,
                  or_(Event.from_state.is_(None), Event.from_state != Event.to_state)]
    if kind == DELISTED:
        conditions.append(or_(Event.from_state.is_(None), Event.from_state != "relist_requested"))
    stmt = (select(Event.at, Event.action, Event.before_json, Event.after_json, Case.mall_price,
                   Case.lowered_price, Listing.code, Listing.name, Listing.category, Product.name,
                   Product.brand, Product.model, Supplier.name, Supplier.code)
            .select_from(Event)
            .join(Case, Case.id == Event.entity_id)
            .join(Listing, Listing.id == Case.listing_id)
            .join(Product, Product.id == Listing.product_id)
            .join(Supplier, Supplier.id == Listing.supplier_id)
            .where(*conditions)
            .order_by(Event.at, Listing.code, Event.id))
    out = []
    for (at, action, before_json, after_json, opening_price, lowered_price, code, listing_name, category,
         product_name, brand, model, supplier_name, supplier_code) in session.execute(stmt):
        before, after = _json(before_json), _json(after_json)
        if kind == PRICE_LOWERED:
            old = _price(after.get("old_price"), before.get("mall_price"), opening_price)
            new = _price(after.get("new_price"), after.get("lowered_price"), after.get("mall_price"), lowered_price)
            cause = ""
        else:
            old = _price(after.get("new_price"), after.get("mall_price"), opening_price)
            new = None
            cause = (CAUSE_DEADLINE if action == "lapse" else CAUSE_CHECK if action == "open"
                     else CAUSE_PRICE_RAISED if after.get("new_price") else CAUSE_CHECK)
        out.append(Change(at=at, listing_code=code, listing_name=listing_name or "",
                          product_name=product_name or " ".join(p for p in (brand, model) if p) or listing_name,
                          supplier_name=supplier_name or supplier_code, category=category,
                          old_price=old, new_price=new, cause=cause))
    return out
