"""The monthly check: compute every listing's indicators for a period, store them, open cases.

The period is claimed by inserting its CheckRun row first, inside the transaction that then
writes every result; the unique `check_runs.period` makes a second run (concurrent or later) fail
on that insert, so a period is checked exactly once and a repeat changes nothing.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pricewatch.config import method_params
from pricewatch.db.base import utcnow
from pricewatch.db.bulk import bulk_insert, date_param, dbapi_connection, fetch_int_matrix, placeholder
from pricewatch.db.models import CheckRun
from pricewatch.domain import method
from pricewatch.domain.params import BANDS, SOURCES
from pricewatch.domain.periods import parse_period
from pricewatch.domain.progress import NullProgress, Progress
from pricewatch.services.cases import today_of
from pricewatch.services.events import record_event

class CheckError(RuntimeError):
    """The check cannot run (nothing to check, or the database refused)."""


@dataclass
class CheckOutcome:
    """What a check did: the run, whether it was new, and its counts."""

    period: str
    run_id: int
    is_new: bool
    listings_checked: int = 0
    bands: dict[str, int] = field(default_factory=dict)
    quotes_used: int = 0
    quotes_dropped: int = 0
    cases_opened: int = 0
    delisted: int = 0


@dataclass
class _Listings:
    """The listings checked: ids, products, suppliers, categories, prices in force (cents)."""

    id: np.ndarray
    product: np.ndarray
    supplier: np.ndarray
    category: list[str]
    mall_cents: np.ndarray


def _load_listings(session: Session, as_of: dt.date) -> _Listings:
    """Active listings with a price in force on `as_of` (the day the check runs), with that price.

    The check judges the price the mall charges when it runs; a change after that is handled by
    the rule for price changes between checks (pricewatch.services.pricing).
    """
    p = placeholder(session)
    end_param = date_param(session, as_of)
    cur = dbapi_connection(session).cursor()
    cur.execute(_LISTINGS_SQL)
    ids, products, suppliers, cats = [], [], [], []
    for lid, pid, sid, cat in cur.fetchall():
        ids.append(lid)
        products.append(pid)
        suppliers.append(sid)
        cats.append(cat)
    cur.close()
    ids_a = np.asarray(ids, dtype=np.int64)
    prices = fetch_int_matrix(session, _PRICES_SQL.replace("?", p), (end_param,), 2)
    # the price in force on `end`: the last history row per listing (rows come sorted)
    mall = np.full(len(ids_a), -1, dtype=np.int64)
    if len(prices):
        last = np.r_[prices[1:, 0] != prices[:-1, 0], True]
        lp = prices[last]
        pos = np.searchsorted(ids_a, lp[:, 0])
        ok = (pos < len(ids_a)) & (ids_a[np.minimum(pos, len(ids_a) - 1)] == lp[:, 0])
        mall[pos[ok]] = lp[ok, 1]
    keep = mall > 0
    return _Listings(ids_a[keep], np.asarray(products, dtype=np.int64)[keep],
                     np.asarray(suppliers, dtype=np.int64)[keep],
                     [c for c, k in zip(cats, keep) if k], mall[keep])


_LISTINGS_SQL = "SELECT id, product_id, supplier_id, category FROM listings WHERE status = 'active' ORDER BY id"
_PRICES_SQL = ("SELECT listing_id, price FROM listing_prices WHERE effective_on <= ? "
               "ORDER BY listing_id, effective_on, id")
_QUOTES_SQL = ("SELECT id, product_id, CASE source WHEN 'index' THEN 0 WHEN 'gov' THEN 1 "
               "WHEN 'ecommerce' THEN 2 WHEN 'retail' THEN 3 END, price FROM observations "
               "WHERE observed_on >= ? AND observed_on <= ?")


def _product_categories(session: Session, product_ids: np.ndarray) -> list[str]:
    """Each product's category, in the order of `product_ids` (sorted unique)."""
    cur = dbapi_connection(session).cursor()
    cur.execute("SELECT id, category FROM products ORDER BY id")
    lookup = dict(cur.fetchall())
    cur.close()
    return [lookup[int(p)] for p in product_ids]


def _param_sets(settings: dict, categories: list[str]):
    """Distinct MethodParams per category, and each category's index into them."""
    names = sorted(set(categories))
    params = [method_params(settings, c) for c in names]
    index = {c: i for i, c in enumerate(names)}
    return params, index


def compute_period(session: Session, settings: dict, period: str, progress: Progress,
                   as_of: dt.date | None = None) -> dict:
    """Read the period's data and compute every indicator and band (no writes).

    `as_of` is the centre's date when the check runs (default: the period's last day).
    """
    start, end = parse_period(period)
    as_of = as_of or end
    if as_of < end:
        raise CheckError(f"period {period}: the month is not over yet (today is {as_of})")
    progress.stage("listings")
    listings = _load_listings(session, as_of)
    if len(listings.id) == 0:
        raise CheckError(f"period {period}: no active listing has a price on {as_of}; import listings first")
    products = np.unique(listings.product)
    p = placeholder(session)
    progress.stage("quotes")
    raw = fetch_int_matrix(session, _QUOTES_SQL.replace("?", p),
                            (date_param(session, start), date_param(session, end)), 4, progress)
    pos = np.searchsorted(products, raw[:, 1]) if len(raw) else np.empty(0, dtype=np.int64)
    pos_c = np.minimum(pos, len(products) - 1)
    known = (products[pos_c] == raw[:, 1]) if len(raw) else np.empty(0, dtype=bool)
    obs_id = raw[known, 0]
    quotes = method.Quotes(product=pos_c[known].astype(np.int64), source=raw[known, 2].astype(np.int8),
                           price_e4=raw[known, 3])
    del raw, pos, pos_c, known
    if len(obs_id) == 0:  # a check runs once per period: never lock a month in before its quotes arrive
        raise CheckError(f"period {period}: no price quote of a listed product is dated in the period; "
                         "import the period's quotes first")
    progress.stage("method", len(obs_id))
    prod_cats = _product_categories(session, products)
    params, cat_index = _param_sets(settings, prod_cats + listings.category)
    product_params = np.fromiter((cat_index[c] for c in prod_cats), dtype=np.int64, count=len(products))
    ind = method.compute_indicators(quotes, len(products), params, product_params)
    progress.advance(len(obs_id))
    lp = np.searchsorted(products, listings.product)
    lparams = np.fromiter((cat_index[c] for c in listings.category), dtype=np.int64, count=len(listings.id))
    normal_e4 = np.array([ps.normal_max_e4 for ps in params], dtype=np.int64)[lparams]
    delist_e4 = np.array([ps.delist_min_e4 for ps in params], dtype=np.int64)[lparams]
    monitored = ind.monitored_cents[lp]
    deviation, band = method.classify(listings.mall_cents, monitored, normal_e4, delist_e4)
    return {"listings": listings, "products": products, "obs_id": obs_id, "quotes": quotes,
            "ind": ind, "listing_product": lp, "monitored": monitored, "deviation": deviation,
            "band": band, "params": params, "product_params": product_params,
            "settings_json": json.dumps({"method": settings["method"],
                                         "categories": settings.get("categories") or {}},
                                        default=str, sort_keys=True)}


def _product_rows(run_id: int, data: dict):
    """Rows of product_results, one per product."""
    ind = data["ind"]
    cols = []
    for s in range(len(SOURCES)):
        counts = ind.counts[:, s]
        has = ind.n_quotes[:, s] > 0
        cols.append(ind.n_quotes[:, s].tolist())
        cols.append(ind.n_kept[:, s].tolist())
        cols.append([a if c else None for a, c in zip(ind.avg_cents[:, s].tolist(), counts.tolist())])
        med = np.where(has, np.nan_to_num(ind.median_e4[:, s]), 0)
        sca = np.where(has, np.nan_to_num(ind.scale_e4[:, s]), 0)
        cols.append([int(round(v)) if h else None for v, h in zip(med.tolist(), has.tolist())])
        cols.append([int(round(v)) if h else None for v, h in zip(sca.tolist(), has.tolist())])
    mon = [m if m > 0 else None for m in ind.monitored_cents.tolist()]
    return zip(itertools.repeat(run_id), data["products"].tolist(), ind.n_sources.tolist(), mon, *cols)


PRODUCT_COLUMNS = ["run_id", "product_id", "n_sources", "monitored_price"] + [
    f"{s}_{f}" for s in SOURCES for f in ("n", "kept", "avg", "median", "scale")]
LISTING_COLUMNS = ["run_id", "listing_id", "product_id", "supplier_id", "category", "mall_price",
                   "monitored_price", "deviation", "band"]


def _listing_rows(run_id: int, data: dict):
    """Rows of listing_results, one per listing checked."""
    lst = data["listings"]
    has = (data["band"] != 0).tolist()
    mon = [m if h else None for m, h in zip(data["monitored"].tolist(), has)]
    dev = [d if h else None for d, h in zip(data["deviation"].tolist(), has)]
    bands = [BANDS[b] for b in data["band"].tolist()]
    return zip(itertools.repeat(run_id), lst.id.tolist(), lst.product.tolist(), lst.supplier.tolist(),
               lst.category, lst.mall_cents.tolist(), mon, dev, bands)


def _flag_rows(run_id: int, data: dict):
    """Rows of quote_flags: each dropped quote with the reason."""
    ind = data["ind"]
    dropped = np.flatnonzero(~ind.kept)
    for q in dropped.tolist():
        yield (run_id, int(data["obs_id"][q]), method.outlier_reason(ind, q))


def claim_period(session: Session, period: str, actor: str, settings_json: str) -> CheckRun:
    """Insert the run row that claims the period (fails if the period is taken)."""
    run = CheckRun(period=period, triggered_by=actor, settings_json=settings_json, started_at=utcnow())
    session.add(run)
    session.flush()
    return run


def existing_run(session: Session, period: str) -> CheckRun | None:
    """The period's run, if it has been checked."""
    return session.scalar(select(CheckRun).where(CheckRun.period == period))


def run_check(factory: sessionmaker[Session], settings: dict, period: str, *, actor: str = "cli",
              now: dt.datetime | None = None, progress: Progress | None = None) -> CheckOutcome:
    """Check `period` once: compute, claim, write results, open cases, commit."""
    progress = progress or NullProgress()
    parse_period(period)
    with factory() as session:
        done = existing_run(session, period)
        if done is not None:
            return _outcome(done, is_new=False)
    now = now or utcnow()
    with factory() as session:
        try:
            run = claim_period(session, period, actor, "{}")
        except IntegrityError:
            session.rollback()
            return _already(factory, period)
        except OperationalError as exc:
            session.rollback()
            raise CheckError(f"period {period}: the database is busy ({exc.orig}); try again") from exc
        try:
            data = compute_period(session, settings, period, progress, as_of=today_of(now, settings))
            _store(session, run, data, progress)
            counts = _open_cases(session, run, data, now, settings)
            run.cases_opened, run.delisted = counts
            run.finished_at = utcnow()
            record_event(session, actor=actor, entity="check", entity_id=run.id, action="check_run",
                         after={"period": period, "listings": run.listings_checked,
                                "evidence": run.n_evidence, "delist": run.n_delist,
                                "cases_opened": run.cases_opened})
            session.commit()
        except BaseException:
            session.rollback()
            raise
        progress.close()
    refresh_statistics(factory)
    return _outcome(run, is_new=True)


def refresh_statistics(factory: sessionmaker[Session]) -> None:
    """On SQLite, refresh the planner's statistics of the tables the pages filter (about 1 s at
    520,000 listings): without them SQLite walks the wrong index for supplier and search filters."""
    with factory() as session:
        if session.get_bind().dialect.name != "sqlite":
            return
        for table in ("listing_results", "quote_flags", "cases", "listings"):
            session.execute(text(f"ANALYZE {table}"))
        session.commit()


def _already(factory, period: str) -> CheckOutcome:
    """The outcome for a period another run has claimed."""
    with factory() as session:
        done = existing_run(session, period)
        if done is None:
            raise CheckError(f"period {period}: another check of this period is running")
        return _outcome(done, is_new=False)


def _store(session: Session, run: CheckRun, data: dict, progress: Progress) -> None:
    """Write the run's product results, dropped quotes and listing results."""
    band = data["band"]
    counts = np.bincount(band.astype(np.int64), minlength=4)
    ind = data["ind"]
    run.listings_checked = int(len(band))
    run.quotes_used = int(len(ind.kept))
    run.quotes_dropped = int((~ind.kept).sum())
    run.n_insufficient, run.n_normal, run.n_evidence, run.n_delist = (int(c) for c in counts)
    run.settings_json = data["settings_json"]
    session.flush()
    progress.stage("writing results", len(data["products"]) + len(band))
    bulk_insert(session, "product_results", PRODUCT_COLUMNS, _product_rows(run.id, data))
    progress.advance(len(data["products"]))
    bulk_insert(session, "quote_flags", ["run_id", "observation_id", "reason"], _flag_rows(run.id, data))
    bulk_insert(session, "listing_results", LISTING_COLUMNS, _listing_rows(run.id, data))
    progress.advance(len(band))


def _open_cases(session: Session, run: CheckRun, data: dict, now: dt.datetime, settings: dict):
    """Open an evidence case per `evidence` listing and delist each `delist` listing."""
    from pricewatch.services.cases import open_cases_for_run

    flagged = np.flatnonzero(data["band"] >= 2)
    lst = data["listings"]
    results = [
        {"listing_id": int(lst.id[i]), "supplier_id": int(lst.supplier[i]), "category": lst.category[i],
         "band": BANDS[int(data["band"][i])], "mall_cents": int(lst.mall_cents[i]),
         "monitored_cents": int(data["monitored"][i]), "deviation_e4": int(data["deviation"][i])}
        for i in flagged.tolist()
    ]
    return open_cases_for_run(session, run, results, now, settings)


def _outcome(run: CheckRun, is_new: bool) -> CheckOutcome:
    """A CheckOutcome from a stored run."""
    return CheckOutcome(period=run.period, run_id=run.id, is_new=is_new,
                        listings_checked=run.listings_checked,
                        bands={"insufficient": run.n_insufficient, "normal": run.n_normal,
                               "evidence": run.n_evidence, "delist": run.n_delist},
                        quotes_used=run.quotes_used, quotes_dropped=run.quotes_dropped,
                        cases_opened=run.cases_opened, delisted=run.delisted)
