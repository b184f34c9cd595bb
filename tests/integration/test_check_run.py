"""The monthly check end to end on the database: results, outliers, idempotence, concurrency."""
from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pricewatch.db.models import (
    Case, CheckRun, Listing, ListingPrice, ListingResult, Observation, Product, ProductResult, QuoteFlag, Supplier,
)
from pricewatch.services.checks import CheckError, run_check
from pricewatch.services.exports import RESULT_COLUMNS, write_results_csv

NOW = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.timezone.utc)
D = Decimal


def seed_month(session, listings, quotes, period_day=dt.date(2026, 10, 15)):
    """Suppliers, products, listings (code, product, price[, effective_on]) and quotes (product, source, price)."""
    suppliers = {code: Supplier(code=code, name=f"Supplier {code}") for code in ("S1", "S2")}
    products = {}
    for _code, product, *_ in listings:
        products.setdefault(product, Product(code=product, category="shredder", name=product))
    for product, *_ in quotes:
        products.setdefault(product, Product(code=product, category="shredder", name=product))
    session.add_all([*suppliers.values(), *products.values()])
    session.flush()
    for code, product, price, *rest in listings:
        effective = rest[0] if rest else dt.date(2026, 9, 1)
        listing = Listing(code=code, product_id=products[product].id, supplier_id=suppliers["S1"].id,
                          category="shredder", mall_price=D(price), price_effective_on=effective)
        session.add(listing)
        session.flush()
        session.add(ListingPrice(listing_id=listing.id, price=D(price), effective_on=effective))
    for product, source, price, *rest in quotes:
        session.add(Observation(product_id=products[product].id, source=source, price=D(price),
                                observed_on=rest[0] if rest else period_day, origin=f"o{len(session.new)}"))
    session.commit()


BASIC_LISTINGS = [("L-normal", "P1", "120.00"), ("L-evidence", "P1", "120.01"), ("L-delist", "P1", "150.00"),
                  ("L-insufficient", "P2", "99.00")]
BASIC_QUOTES = [("P1", "index", "100.00"), ("P1", "gov", "100.00"), ("P1", "ecommerce", "99.00"),
                ("P1", "ecommerce", "101.00"), ("P2", "retail", "90.00"),
                # outside the period: ignored
                ("P1", "retail", "500.00", dt.date(2026, 9, 30)), ("P1", "retail", "500.00", dt.date(2026, 11, 1))]


def test_check_stores_every_listing_with_the_exact_band_edges(session_factory, settings):
    with session_factory() as s:
        seed_month(s, BASIC_LISTINGS, BASIC_QUOTES)
    outcome = run_check(session_factory, settings, "2026-10", actor="tester", now=NOW)
    assert outcome.is_new
    assert outcome.bands == {"insufficient": 1, "normal": 1, "evidence": 1, "delist": 1}
    with session_factory() as s:
        out = io.StringIO()
        write_results_csv(s, "2026-10", out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == RESULT_COLUMNS
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["L-normal"] == ["L-normal", "P1", "S1", "shredder", "120.00", "100.00", "100.00", "100.00", "",
                                 "100.00", "0.2000", "normal"]
    assert by_id["L-evidence"][10:] == ["0.2001", "evidence"]
    assert by_id["L-delist"][10:] == ["0.5000", "delist"]
    assert by_id["L-insufficient"] == ["L-insufficient", "P2", "S1", "shredder", "99.00", "", "", "", "90.00",
                                       "", "", "insufficient"]


def test_check_opens_an_evidence_case_and_delists_at_once(session_factory, settings):
    with session_factory() as s:
        seed_month(s, BASIC_LISTINGS, BASIC_QUOTES)
    outcome = run_check(session_factory, settings, "2026-10", now=NOW)
    assert (outcome.cases_opened, outcome.delisted) == (2, 1)
    with session_factory() as s:
        cases = {s.get(Listing, c.listing_id).code: c for c in s.scalars(select(Case))}
        assert set(cases) == {"L-evidence", "L-delist"}
        assert cases["L-evidence"].state == "evidence_requested"
        assert cases["L-evidence"].deadline_on == dt.date(2026, 11, 16)
        assert cases["L-delist"].state == "delisted"
        statuses = {l.code: l.status for l in s.scalars(select(Listing))}
        assert statuses["L-delist"] == "delisted" and statuses["L-evidence"] == "active"


def test_an_outlier_is_dropped_and_kept_on_record_with_its_reason(session_factory, settings):
    quotes = [("P1", "ecommerce", p) for p in ("100.00", "101.00", "99.00", "100.00", "1000.00")]
    quotes += [("P1", "gov", "100.00")]
    with session_factory() as s:
        seed_month(s, [("L1", "P1", "100.00")], quotes)
    outcome = run_check(session_factory, settings, "2026-10", now=NOW)
    assert outcome.quotes_dropped == 1
    with session_factory() as s:
        flag = s.scalars(select(QuoteFlag)).one()
        assert s.get(Observation, flag.observation_id).price == D("1000.0000")
        assert flag.reason == "|q − m| = 900.0000 > k·s = 3 × 5.0000 = 15.0000 (m = 100.0000)"
        pr = s.scalars(select(ProductResult)).one()
        assert (pr.ecommerce_n, pr.ecommerce_kept, pr.ecommerce_avg) == (5, 4, D("100.00"))


def test_repeating_the_check_changes_nothing(session_factory, settings):
    with session_factory() as s:
        seed_month(s, BASIC_LISTINGS, BASIC_QUOTES)
    first = run_check(session_factory, settings, "2026-10", now=NOW)
    second = run_check(session_factory, settings, "2026-10", now=NOW + dt.timedelta(days=3))
    assert not second.is_new and second.run_id == first.run_id and second.bands == first.bands
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(CheckRun)) == 1
        assert s.scalar(select(func.count()).select_from(ListingResult)) == 4
        assert s.scalar(select(func.count()).select_from(Case)) == 2


def test_two_checks_started_at_once_write_once(session_factory, settings):
    with session_factory() as s:
        seed_month(s, BASIC_LISTINGS, BASIC_QUOTES)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def go():
        barrier.wait()
        try:
            outcomes.append(run_check(session_factory, settings, "2026-10", now=NOW))
        except CheckError as exc:  # "another check of this period is running" is a fair answer
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(o.is_new for o in outcomes) == 1
    assert len(outcomes) + len(errors) == 2
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ListingResult)) == 4
        assert s.scalar(select(func.count()).select_from(Case)) == 2


def test_the_price_in_force_when_the_check_runs_is_checked(session_factory, settings):
    with session_factory() as s:
        seed_month(s, [("L1", "P1", "100.00", dt.date(2026, 9, 1))], BASIC_QUOTES)
        listing = s.scalars(select(Listing)).one()
        # raised from 2026-11-05: after the check ran on 2026-11-01, so the check judged 100.00
        s.add(ListingPrice(listing_id=listing.id, price=D("180.00"), previous_price=D("100.00"),
                           effective_on=dt.date(2026, 11, 5)))
        listing.mall_price = D("180.00")
        s.commit()
    outcome = run_check(session_factory, settings, "2026-10", now=NOW)
    assert outcome.bands["normal"] == 1


def test_a_listing_created_after_the_period_is_not_checked(session_factory, settings):
    with session_factory() as s:
        seed_month(s, [("L1", "P1", "100.00"), ("L2", "P1", "100.00", dt.date(2026, 11, 2))], BASIC_QUOTES)
    outcome = run_check(session_factory, settings, "2026-10", now=NOW)
    assert outcome.listings_checked == 1


def test_a_check_with_no_listings_fails_clearly_and_claims_nothing(session_factory, settings):
    with pytest.raises(CheckError, match="no active listing"):
        run_check(session_factory, settings, "2026-10", now=NOW)
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(CheckRun)) == 0


def test_per_category_bands_apply(session_factory, settings):
    settings["categories"] = {"shredder": {"normal_max": 0.10}}
    with session_factory() as s:
        seed_month(s, [("L1", "P1", "111.00")], BASIC_QUOTES)
    outcome = run_check(session_factory, settings, "2026-10", now=NOW)
    assert outcome.bands["evidence"] == 1


def test_a_price_set_after_the_period_but_before_the_check_is_the_one_judged(session_factory, settings):
    with session_factory() as s:
        seed_month(s, [("L1", "P1", "100.00", dt.date(2026, 9, 1))], BASIC_QUOTES)
        listing = s.scalars(select(Listing)).one()
        s.add(ListingPrice(listing_id=listing.id, price=D("160.00"), previous_price=D("100.00"),
                           effective_on=dt.date(2026, 11, 1)))
        s.commit()
    outcome = run_check(session_factory, settings, "2026-10", now=NOW + dt.timedelta(hours=1))
    assert outcome.bands["delist"] == 1


def test_a_month_that_is_not_over_cannot_be_checked(session_factory, settings):
    with session_factory() as s:
        seed_month(s, BASIC_LISTINGS, BASIC_QUOTES)
    with pytest.raises(CheckError, match="not over"):
        run_check(session_factory, settings, "2026-11", now=NOW)
