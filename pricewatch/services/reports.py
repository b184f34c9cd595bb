"""The monthly report: gather a period's (or a range of periods') figures with set-based SQL.

`build_report(session, "2026-10")` or `build_report(session, "2022-01", "2023-10")` returns a plain,
JSON-ready dict (see `pricewatch.reports` for the files). Where every figure comes from:

- **listings checked, bands, coverage**: the `listing_results` of the runs of the periods in range
  (a range sums its runs: a listing checked in three months counts three times). Periods without a
  run count nothing. The high-price share is (evidence + delist) / listings with a monitored price.
- **cases opened**: the cases opened by the check of a period in range (`Case.run_id`), plus the
  cases opened by a price change (`opened_by = 'price_change'`) whose `opened_at` falls in the range.
- **case steps** (evidence submitted, accepted, rejected, price lowered, delisted, relisted): the
  event log's case events (`entity = 'case'`) whose `at` falls in the range, one per event whose
  `to_state` is that state and differs from its `from_state` (self-loops, such as a lowering that
  leaves a case delisted, are not steps). `delisted` counts every delisting that took effect in
  range: cases opened in the delist band (their opening event), lapsed deadlines and raises into the
  delist band; a refused or undone relisting request (`relist_requested` back to `delisted`) is not a
  new delisting. So the delistings made by the check of October, which runs on 1 November, are
  counted in November (the October report shows them as its `delist` band).
  "In the range" means from 00:00 of the first day to 24:00 of the last day in `settings['timezone']`.
- **orders**: the order lines with `ordered_on` in range, each checked against the committed discount
  of its listing (`pricewatch.domain.report`). The reference is the average from
  `settings['orders']['reference_source']` (default `ecommerce`) in the `product_results` of the run of
  the line's own period for the listing's product, falling back to that row's monitored price.
- **money saved by lowered prices**: a *lowering* is a row of the listing's price history
  (`listing_prices`) with `previous_price > price`, recorded (`changed_at`) at or after the opening
  of a case about that listing (while it was flagged or after). Each lowering saves
  ``(previous_price - price) x quantity`` on every order line of that listing with `ordered_on` on or
  after the lowering's `effective_on` (successive lowerings add up: 130 -> 120 -> 110 saves 20 a unit
  after the second). Lines are counted in the period they were ordered in. Later raises are not
  netted off (a raise after a check opens a case of its own); the unit price actually paid is not
  looked at.
- **trend**: every run up to the last period of the range, with its stored band counts (recounted
  from its results if they do not add up) and the savings of the lines ordered in its period.

Money is written as strings with 2 decimals ("1144.00"): exact, never binary floats. Shares and
rates are floats. Breakdowns are per category (the listing's category) and per supplier (the mall's
supplier id and name).
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import BigInteger, and_, distinct, func, or_, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pricewatch.db.base import utcnow
from pricewatch.db.bulk import date_param, dbapi_connection, placeholder
from pricewatch.db.models import (
    Case, CheckRun, Event, Listing, ListingPrice, ListingResult, OrderLine, ReportSnapshot, Supplier,
)
from pricewatch.domain import report as fig
from pricewatch.domain.params import BANDS, SOURCES
from pricewatch.domain.periods import parse_period, period_of, periods_between
from pricewatch.domain.progress import NullProgress, Progress

#: Version of the report's JSON layout (bumped when a key changes meaning).
REPORT_SCHEMA = 1
_CHUNK = 50_000


class ReportError(ValueError):
    """The report cannot be built (bad period, bad settings)."""


def _raw(column):
    """A scaled-integer column (Money, Rate4) read as its stored integer."""
    return type_coerce(column, BigInteger)


def _reference_source(settings: dict) -> str:
    """The source of the committed-discount reference from the settings."""
    source = ((settings or {}).get("orders") or {}).get("reference_source", "ecommerce")
    if source not in SOURCES:
        raise ReportError(f"orders.reference_source: {source!r} is not one of {', '.join(SOURCES)}")
    return source


class _Window:
    """The periods of a report, their runs, and their bounds as dates and as UTC datetimes."""

    def __init__(self, session: Session, period_from: str, period_to: str | None, tz_name: str):
        """Resolve the periods and their runs."""
        self.periods = periods_between(period_from, period_to or period_from)
        self.first_day, _ = parse_period(self.periods[0])
        _, self.last_day = parse_period(self.periods[-1])
        tz = ZoneInfo(tz_name)
        self.start_at = dt.datetime.combine(self.first_day, dt.time(0), tz).astimezone(dt.timezone.utc)
        self.end_at = dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(0),
                                          tz).astimezone(dt.timezone.utc)
        rows = session.execute(select(CheckRun.period, CheckRun.id)
                               .where(CheckRun.period.in_(self.periods))).all()
        self.runs = {p: rid for p, rid in rows}

    @property
    def label(self) -> str:
        """'2026-10', or '2022-01..2023-10' for a range."""
        return self.periods[0] if len(self.periods) == 1 else f"{self.periods[0]}..{self.periods[-1]}"


class _Tallies:
    """The report's figures: the total, and per category and per supplier id."""

    def __init__(self):
        """Empty tallies."""
        self.total = fig.Tally()
        self.category: dict[str, fig.Tally] = defaultdict(fig.Tally)
        self.supplier: dict[int, fig.Tally] = defaultdict(fig.Tally)

    def each(self, category: str, supplier_id: int):
        """The three tallies a (category, supplier) figure adds to."""
        return self.total, self.category[category], self.supplier[supplier_id]

    def add_grouped(self, categories: list[str], suppliers, values: np.ndarray, apply) -> None:
        """Sum the rows of `values` (one per category/supplier pair) per category, per supplier and
        in total, and hand each sum to ``apply(tally, sums)``. Loops only over distinct keys."""
        if not len(categories):
            return
        names: dict[str, int] = {}
        codes = np.fromiter((names.setdefault(c, len(names)) for c in categories), dtype=np.int64,
                            count=len(categories))
        apply(self.total, values.sum(axis=0).tolist())
        for keys, tallies, label in ((codes, self.category, list(names)),
                                     (np.asarray(suppliers, dtype=np.int64), self.supplier, None)):
            uniq, inv = np.unique(keys, return_inverse=True)
            sums = np.zeros((len(uniq), values.shape[1]), dtype=values.dtype)
            np.add.at(sums, inv.ravel(), values)
            for key, row in zip(uniq.tolist(), sums.tolist()):
                apply(tallies[label[key] if label else key], row)


def _add_bands(tally: fig.Tally, row: list) -> None:
    """Add band counts (in BANDS order) to a tally."""
    for band, n in zip(BANDS, row):
        tally.bands[band] += int(n)


def _count_bands(session: Session, window: _Window, t: _Tallies) -> None:
    """Listing results of the runs in range per category, supplier and band."""
    if not window.runs:
        return
    runs = ", ".join(str(int(r)) for r in window.runs.values())
    cur = dbapi_connection(session).cursor()
    cur.execute("SELECT category, supplier_id, band, COUNT(*) FROM listing_results "
                f"WHERE run_id IN ({runs}) GROUP BY category, supplier_id, band")
    rows = cur.fetchall()
    cur.close()
    if not rows:
        return
    categories, suppliers, bands, counts = zip(*rows)
    band_index = {b: i for i, b in enumerate(BANDS)}
    values = np.zeros((len(rows), len(BANDS)), dtype=np.int64)
    values[np.arange(len(rows)), [band_index[b] for b in bands]] = counts
    t.add_grouped(list(categories), suppliers, values, _add_bands)


def _count_cases(session: Session, window: _Window, t: _Tallies) -> None:
    """Cases opened in range, and case transitions logged in range."""
    in_range = and_(Case.opened_at >= window.start_at, Case.opened_at < window.end_at)
    opened = (select(Listing.category, Case.supplier_id, Case.opened_by, func.count())
              .join(Listing, Listing.id == Case.listing_id)
              .where(or_(and_(Case.opened_by != "price_change", Case.run_id.in_(list(window.runs.values()))),
                         and_(Case.opened_by == "price_change", in_range)))
              .group_by(Listing.category, Case.supplier_id, Case.opened_by))
    for category, supplier_id, opened_by, n in session.execute(opened):
        kind = "opened_by_price_change" if opened_by == "price_change" else "opened_by_check"
        for tally in t.each(category, supplier_id):
            tally.cases["opened"] += n
            tally.cases[kind] += n
    moves = (select(Event.to_state, Listing.category, Case.supplier_id, func.count())
             .select_from(Event)
             .join(Case, Case.id == Event.entity_id)
             .join(Listing, Listing.id == Case.listing_id)
             .where(Event.entity == "case", Event.at >= window.start_at, Event.at < window.end_at,
                    Event.to_state.in_(fig.TRANSITION_STATES),
                    or_(Event.from_state.is_(None), Event.from_state != Event.to_state),
                    or_(Event.from_state.is_(None), Event.to_state != "delisted",
                        Event.from_state != "relist_requested"))
             .group_by(Event.to_state, Listing.category, Case.supplier_id))
    for state, category, supplier_id, n in session.execute(moves):
        for tally in t.each(category, supplier_id):
            tally.cases[state] += n


_LINES_SQL = """
SELECT ol.order_code, ol.line_no, ol.ordered_on, l.code, l.category, l.supplier_id, ol.quantity,
       ol.unit_price, l.committed_discount, l.product_id, {run_of_day}
FROM order_lines ol
JOIN listings l ON l.id = ol.listing_id
WHERE ol.ordered_on >= {p} AND ol.ordered_on <= {p}
"""


def _lines_sql(session: Session, window: _Window) -> tuple[str, list]:
    """The order-lines query on the driver (the hot path: no ORM rows), with its parameters.

    Money columns come back as their stored integers (cents; the discount in units of 0.0001); the
    last column is the run of the line's period (-1: none).
    """
    p = placeholder(session)
    whens, params = [], []
    for period, run_id in sorted(window.runs.items()):
        start, end = parse_period(period)
        whens.append(f"WHEN ol.ordered_on >= {p} AND ol.ordered_on <= {p} THEN {int(run_id)}")
        params += [date_param(session, start), date_param(session, end)]
    run_of_day = f"CASE {' '.join(whens)} ELSE -1 END" if whens else "-1"
    sql = _LINES_SQL.format(run_of_day=run_of_day, p=p)
    return sql, params + [date_param(session, window.first_day), date_param(session, window.last_day)]


class _ProductAverages:
    """Per run, the products' reference-source average, monitored price and index price (cents)."""

    def __init__(self, session: Session, run_ids, source: str):
        """Read the product results of the runs (one sequential read per run)."""
        self.by_run = {}
        for run_id in run_ids:
            cur = dbapi_connection(session).cursor()
            p = placeholder(session)
            cur.execute(f"SELECT product_id, COALESCE({source}_avg, 0), COALESCE(monitored_price, 0), "
                        f"COALESCE(index_avg, 0) FROM product_results WHERE run_id = {p} ORDER BY product_id",
                        (int(run_id),))
            rows = cur.fetchall()
            cur.close()
            self.by_run[int(run_id)] = np.array(rows, dtype=np.int64).reshape(-1, 4).T

    def lookup(self, product, run):
        """Source average, monitored price and index price (0: none) of each (product, run) pair."""
        out = np.zeros((3, len(product)), dtype=np.int64)
        for run_id, (ids, *values) in self.by_run.items():
            rows = np.flatnonzero(run == run_id)
            if not len(rows) or not len(ids):
                continue
            pos = np.minimum(np.searchsorted(ids, product[rows]), len(ids) - 1)
            hit = ids[pos] == product[rows]
            for k, column in enumerate(values):
                out[k, rows[hit]] = column[pos[hit]]
        return out


class _LineTotals:
    """Per-line arrays kept for the totals: order, category, supplier, status, values."""

    def __init__(self):
        """Nothing yet."""
        self.orders: dict[str, int] = {}
        self.categories: dict[str, int] = {}
        self.parts: list[np.ndarray] = []
        self.weighted: list[np.ndarray] = []

    def add(self, order_key, cat_key, supplier, status, line_value, markup_value, markup_weighted) -> None:
        """Keep one chunk."""
        self.parts.append(np.array([order_key, cat_key, supplier, status, line_value, markup_value],
                                   dtype=np.int64))
        self.weighted.append(np.asarray(markup_weighted, dtype=np.float64))

    def arrays(self):
        """The kept chunks as whole arrays."""
        if not self.parts:
            return (*np.zeros((6, 0), dtype=np.int64), np.zeros(0))
        return (*np.concatenate(self.parts, axis=1), np.concatenate(self.weighted))


def _check_orders(session: Session, window: _Window, source: str, t: _Tallies,
                  progress: Progress) -> tuple[dict, list[dict], dict]:
    """Check the order lines of the range; returns order counts, non-compliant lines, markup."""
    averages = _ProductAverages(session, window.runs.values(), source)
    sql, params = _lines_sql(session, window)
    cur = dbapi_connection(session).cursor()
    cur.execute(sql, params)
    keep = _LineTotals()
    bad_lines: list[dict] = []
    while True:
        chunk = cur.fetchmany(_CHUNK)
        if not chunk:
            break
        cols = list(zip(*chunk))
        order_key = [keep.orders.setdefault(c, len(keep.orders)) for c in cols[0]]
        cat_key = [keep.categories.setdefault(c, len(keep.categories)) for c in cols[4]]
        supplier, qty, unit, disc, product, run = np.array(cols[5:], dtype=np.int64)
        src_c, mon_c, idx_c = averages.lookup(product, run)
        ref, fell_back = fig.line_references(src_c, mon_c)
        status, limit = fig.classify_lines(unit, ref, disc)
        value, weighted = fig.markup_terms(unit, qty, idx_c)
        keep.add(order_key, cat_key, supplier, status, unit * qty, value, weighted)
        for i in np.flatnonzero(status == fig.LINE_NON_COMPLIANT).tolist():
            row = chunk[i]
            bad_lines.append({
                "order_id": row[0], "line_no": int(row[1]), "ordered_on": str(row[2])[:10],
                "listing_id": row[3], "category": row[4], "supplier_id": int(row[5]), "supplier_name": "",
                "quantity": int(row[6]), "unit_price": fig.money(row[7]), "reference": fig.money(ref[i]),
                "reference_source": "monitored" if fell_back[i] else source,
                "committed_discount": format(Decimal(int(row[8])).scaleb(-4), "f"),
                "limit": fig.money(limit[i]), "excess": fig.money(int(row[7]) - int(limit[i])),
            })
        progress.advance(len(chunk))
    cur.close()
    order_key, cat_key, supplier, status, line_value, mvalue, mweighted = keep.arrays()
    _tally_lines(t, list(keep.categories), cat_key, supplier, status, line_value, mvalue, mweighted)
    bad_lines.sort(key=lambda r: (r["ordered_on"], r["order_id"], r["line_no"]))
    total_mvalue = int(mvalue.sum())
    markup = {"lines": int((mvalue > 0).sum()), "order_value": fig.money(total_mvalue),
              "weighted_average": fig.markup_ratio(float(mweighted.sum()), total_mvalue)}
    return fig.classify_orders(order_key, status), bad_lines, markup


def _add_lines(tally: fig.Tally, row: list) -> None:
    """Add line counts per status, the order value and the markup value to a tally."""
    for name, n in zip(fig.LINE_STATUSES, row):
        tally.lines[name] += int(n)
    tally.order_value_cents += int(row[3])
    tally.markup_value_cents += int(row[4])


def _add_markup(tally: fig.Tally, row: list) -> None:
    """Add the markup's weighted sum to a tally."""
    tally.markup_weighted += float(row[0])


def _tally_lines(t: _Tallies, cat_names, cat_key, supplier, status, line_value, markup_value,
                 markup_weighted) -> None:
    """Add the checked lines to the tallies, grouped by (category, supplier)."""
    if len(status) == 0:
        return
    width = int(supplier.max()) + 1
    groups, inv = np.unique(cat_key * width + supplier, return_inverse=True)
    inv = inv.ravel()
    n = len(groups)
    ints = np.zeros((n, 5), dtype=np.int64)
    for s in range(len(fig.LINE_STATUSES)):
        ints[:, s] = np.bincount(inv, weights=(status == s), minlength=n).astype(np.int64)
    ints[:, 3] = _int_sums(inv, line_value, n)
    ints[:, 4] = _int_sums(inv, markup_value, n)
    floats = np.bincount(inv, weights=markup_weighted, minlength=n).reshape(-1, 1)
    categories = [cat_names[k] for k in (groups // width).tolist()]
    suppliers = groups % width
    t.add_grouped(categories, suppliers, ints, _add_lines)
    t.add_grouped(categories, suppliers, floats, _add_markup)


def _int_sums(inv: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sums of `values` per group (bincount would go through float64)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, inv, np.asarray(values, dtype=np.int64))
    return out


def _lowerings():
    """The lowerings (see the module docstring) as a subquery: listing, effective date, cut in cents."""
    flagged = (select(Case.listing_id.label("listing_id"), func.min(Case.opened_at).label("first_opened"))
               .group_by(Case.listing_id).subquery("flagged"))
    return (select(ListingPrice.listing_id.label("listing_id"),
                   ListingPrice.effective_on.label("effective_on"),
                   (_raw(ListingPrice.previous_price) - _raw(ListingPrice.price)).label("cut"))
            .select_from(flagged)
            .join(ListingPrice, ListingPrice.listing_id == flagged.c.listing_id)
            .where(ListingPrice.previous_price.is_not(None),
                   _raw(ListingPrice.previous_price) > _raw(ListingPrice.price),
                   ListingPrice.changed_at >= flagged.c.first_opened)
            .subquery("lowerings"))


def _count_savings(session: Session, window: _Window, t: _Tallies) -> dict:
    """Money saved on the lines of the range, per category and supplier; returns the totals."""
    low = _lowerings()
    saved = func.sum(low.c.cut * OrderLine.quantity)
    stmt = (select(Listing.category, Listing.supplier_id, saved, func.count(distinct(OrderLine.id)))
            .select_from(low)
            .join(OrderLine, and_(OrderLine.listing_id == low.c.listing_id,
                                  OrderLine.ordered_on >= low.c.effective_on))
            .join(Listing, Listing.id == OrderLine.listing_id)
            .where(OrderLine.ordered_on >= window.first_day, OrderLine.ordered_on <= window.last_day)
            .group_by(Listing.category, Listing.supplier_id))
    for category, supplier_id, cents, lines in session.execute(stmt):
        for tally in t.each(category, supplier_id):
            tally.savings_cents += int(cents or 0)
            tally.savings_lines += int(lines)
    listings = session.scalar(
        select(func.count(distinct(OrderLine.listing_id))).select_from(low)
        .join(OrderLine, and_(OrderLine.listing_id == low.c.listing_id,
                              OrderLine.ordered_on >= low.c.effective_on))
        .where(OrderLine.ordered_on >= window.first_day, OrderLine.ordered_on <= window.last_day))
    return {"total": fig.money(t.total.savings_cents), "order_lines": t.total.savings_lines,
            "listings": int(listings or 0)}


def _savings_by_period(session: Session, last_day: dt.date) -> dict[str, int]:
    """Money saved (cents) per period of ordering, for every period up to `last_day`."""
    low = _lowerings()
    stmt = (select(OrderLine.ordered_on, func.sum(low.c.cut * OrderLine.quantity))
            .select_from(low)
            .join(OrderLine, and_(OrderLine.listing_id == low.c.listing_id,
                                  OrderLine.ordered_on >= low.c.effective_on))
            .where(OrderLine.ordered_on <= last_day)
            .group_by(OrderLine.ordered_on))
    out: dict[str, int] = defaultdict(int)
    for day, cents in session.execute(stmt):
        out[period_of(day)] += int(cents or 0)
    return out


def _trend(session: Session, window: _Window) -> list[dict]:
    """The high-price share (and savings) of every checked period up to the range's end."""
    last = window.periods[-1]
    runs = session.execute(
        select(CheckRun.id, CheckRun.period, CheckRun.listings_checked, CheckRun.n_insufficient,
               CheckRun.n_normal, CheckRun.n_evidence, CheckRun.n_delist)
        .where(CheckRun.period <= last).order_by(CheckRun.period)).all()
    savings = _savings_by_period(session, window.last_day)
    out = []
    for run_id, period, checked, *counts in runs:
        bands = dict(zip(BANDS, (int(c or 0) for c in counts)))
        if sum(bands.values()) != (checked or 0) or not checked:
            bands = fig.empty_bands()
            for band, n in session.execute(select(ListingResult.band, func.count())
                                           .where(ListingResult.run_id == run_id)
                                           .group_by(ListingResult.band)):
                bands[band] = int(n)
        out.append({"period": period, "listings_checked": sum(bands.values()),
                    "with_monitored_price": fig.with_monitored_price(bands), **bands,
                    "high_price_share": fig.high_price_share(bands),
                    "savings": fig.money(savings.get(period, 0))})
    return out


def _suppliers(session: Session, ids) -> dict[int, tuple[str, str]]:
    """Supplier id -> (mall supplier id, name)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(Supplier.id, Supplier.code, Supplier.name)).all()
    return {sid: (code, name) for sid, code, name in rows if sid in wanted}


def build_report(session: Session, period_from: str, period_to: str | None = None,
                 settings: dict | None = None, progress: Progress | None = None) -> dict:
    """The report of one period, or of the periods `period_from`..`period_to`, as a JSON-ready dict."""
    progress = progress or NullProgress()
    settings = settings or {}
    source = _reference_source(settings)
    try:
        window = _Window(session, period_from, period_to, settings.get("timezone") or "Asia/Shanghai")
    except ValueError as exc:
        raise ReportError(str(exc)) from exc
    t = _Tallies()
    progress.stage("report: listing results")
    _count_bands(session, window, t)
    progress.stage("report: cases")
    _count_cases(session, window, t)
    progress.stage("report: order lines")
    order_counts, non_compliant, markup = _check_orders(session, window, source, t, progress)
    progress.stage("report: savings")
    savings = _count_savings(session, window, t)
    progress.stage("report: trend")
    trend = _trend(session, window)
    suppliers = _suppliers(session, set(t.supplier) | {r["supplier_id"] for r in non_compliant})
    for line in non_compliant:
        line["supplier_id"], line["supplier_name"] = suppliers.get(line["supplier_id"], (str(line["supplier_id"]), ""))
    progress.close()
    total = t.total
    bands = {b: int(total.bands.get(b, 0)) for b in BANDS}
    checked = sum(bands.values())
    return {
        "period": window.label,
        "period_from": window.periods[0],
        "period_to": window.periods[-1],
        "checked_periods": sorted(window.runs),
        "schema": REPORT_SCHEMA,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "listings_checked": checked,
        "bands": bands,
        "high_price_share": fig.high_price_share(bands),
        "coverage": {"with_monitored_price": fig.with_monitored_price(bands),
                     "insufficient": bands["insufficient"],
                     "insufficient_share": fig.share(bands["insufficient"], checked)},
        "cases": dict(total.cases),
        "orders": {"lines": sum(total.lines.values()), **total.lines},
        "order_summary": {**order_counts, "order_value": fig.money(total.order_value_cents),
                          "reference_source": source},
        "non_compliant_lines": non_compliant,
        "index_markup": markup,
        "savings": savings,
        "categories": [{"category": name, **tally.figures()}
                       for name, tally in sorted(t.category.items()) if not tally.is_empty()],
        "suppliers": sorted(
            ({"supplier_id": suppliers.get(sid, (str(sid), ""))[0],
              "supplier_name": suppliers.get(sid, ("", ""))[1], **tally.figures()}
             for sid, tally in t.supplier.items() if not tally.is_empty()),
            key=lambda r: r["supplier_id"]),
        "trend": trend,
    }


def report_json(report: dict) -> str:
    """The report as JSON text (UTF-8 friendly, stable key order)."""
    return json.dumps(report, ensure_ascii=False)


def snapshot_report(session: Session, period: str, actor: str = "system",
                    settings: dict | None = None, report: dict | None = None) -> ReportSnapshot:
    """Store the period's report as a new version (max + 1); earlier versions are kept."""
    report = report if report is not None else build_report(session, period, settings=settings)
    content = report_json(report)
    for _attempt in range(5):
        version = (session.scalar(select(func.max(ReportSnapshot.version))
                                  .where(ReportSnapshot.period == period)) or 0) + 1
        snap = ReportSnapshot(period=period, version=version, created_by=actor, created_at=utcnow(),
                              content_json=content)
        try:
            with session.begin_nested():
                session.add(snap)
                session.flush()
            return snap
        except IntegrityError:  # another writer took this version number: take the next one
            continue
    raise ReportError(f"period {period}: could not store a new report version")


def latest_snapshot(session: Session, period: str) -> ReportSnapshot | None:
    """The newest stored version of the period's report, or None."""
    return session.scalar(select(ReportSnapshot).where(ReportSnapshot.period == period)
                          .order_by(ReportSnapshot.version.desc()).limit(1))


def snapshot_versions(session: Session, period: str) -> list[ReportSnapshot]:
    """Every stored version of the period's report, oldest first."""
    return list(session.scalars(select(ReportSnapshot).where(ReportSnapshot.period == period)
                                .order_by(ReportSnapshot.version)))


def snapshot_content(snapshot: ReportSnapshot) -> dict:
    """A stored report back as a dict."""
    return json.loads(snapshot.content_json)
