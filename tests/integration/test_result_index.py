"""The in-memory index of a run's listing results gives what a plain sort and filter would, on both backends."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricewatch.domain.params import BANDS
from pricewatch.services import result_index as ri
from pricewatch.services.result_index import ResultIndex, ResultIndexCache
from tests.integration.factories import make_listing, make_product, make_result, make_run, make_supplier

CATEGORIES = ("printer", "shredder", "toner")
#: (mall price, monitored price) pairs with repeated mall prices and repeated deviations, and no monitored price.
PRICES = [("120.00", "100.00"), ("120.00", "100.00"), ("150.00", "100.00"), ("99.00", "100.00"),
          ("130.00", "100.00"), ("260.00", "200.00"), ("80.00", None), ("120.00", None), ("300.00", "100.00"),
          ("120.01", "100.00"), ("75.50", "50.00")]


@pytest.fixture
def month(session):
    """A run of 44 listings over 3 categories and 4 suppliers, and an earlier run that must not leak in."""
    suppliers = [make_supplier(session) for _ in range(4)]
    products = {c: make_product(session, category=c) for c in CATEGORIES}
    earlier = make_run(session, "2026-09")
    run = make_run(session, "2026-10")
    results, codes = [], {}
    for i in range(44):
        mall, monitored = PRICES[i % len(PRICES)]
        category = CATEGORIES[i % 3]
        # codes not in id order, so that the code sort differs from the id sorts
        listing = make_listing(session, mall, code=f"L{(i * 17) % 44:03d}-{i}", supplier=suppliers[i % 4],
                               product=products[category])
        results.append(make_result(session, run, listing, monitored))
        codes[listing.id] = listing.code
        make_result(session, earlier, listing, "1.00")
    session.commit()
    return run, results, suppliers, codes


def reference(month, *, bands=None, category=None, supplier_ids=None, listing_ids=None, sort="deviation"):
    """The listing ids a plain Python filter and sort give (the orders the module documents)."""
    _run, results, _suppliers, codes = month
    rows = [r for r in results
            if (bands is None or r.band in bands) and (category is None or r.category == category)
            and (supplier_ids is None or r.supplier_id in supplier_ids)
            and (listing_ids is None or r.listing_id in listing_ids)]
    if sort == "deviation":
        rows.sort(key=lambda r: (r.deviation is not None, r.deviation or 0, r.listing_id), reverse=True)
    elif sort == "mall_price":
        rows.sort(key=lambda r: (r.mall_price, r.listing_id), reverse=True)
    else:
        rows.sort(key=lambda r: codes[r.listing_id])
    return [r.listing_id for r in rows]


def test_loads_a_runs_results_only_with_its_categories_and_band_counts(session, month):
    run, results, _, _ = month
    index = ResultIndex.load(session, run.id)
    assert index.size == 44 and index.categories == list(CATEGORIES)
    expected = {b: sum(1 for r in results if r.band == b) for b in BANDS}
    assert index.band_counts() == expected and expected["insufficient"] and expected["delist"]
    assert index.select().page(0, 100) == reference(month)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_filter_and_sort_gives_the_reference_order_and_count(session, month, data):
    run, results, suppliers, _ = month
    index = _loaded(session, run)
    listing_pool = [r.listing_id for r in results] + [10**6]
    filters = {
        "bands": data.draw(st.none() | st.lists(st.sampled_from(BANDS), max_size=4)),
        "category": data.draw(st.none() | st.sampled_from(CATEGORIES + ("unknown",))),
        "supplier_ids": data.draw(st.none() | st.sets(st.sampled_from([s.id for s in suppliers] + [-5]))),
        "listing_ids": data.draw(st.none() | st.sets(st.sampled_from(listing_pool))),
        "sort": data.draw(st.sampled_from(ri.SORTS)),
    }
    selection = index.select(**filters)
    expected = reference(month, **filters)
    assert selection.total == len(expected)
    offset, limit = data.draw(st.integers(0, 50)), data.draw(st.integers(1, 10))
    assert selection.page(offset, limit) == expected[offset:offset + limit]


_INDEXES: dict = {}


def _loaded(session, run) -> ResultIndex:
    """One index per test database (hypothesis runs many examples on the same fixture data)."""
    key = (id(session), run.id)
    if key not in _INDEXES:
        _INDEXES.clear()
        _INDEXES[key] = ResultIndex.load(session, run.id)
    return _INDEXES[key]


def test_an_unknown_sort_is_refused(session, month):
    with pytest.raises(ValueError, match="unknown sort"):
        ResultIndex.load(session, month[0].id).select(sort="name")


def test_the_cache_keeps_finished_runs_reloads_unfinished_ones_and_drops_the_least_recent(session, month, monkeypatch):
    run = month[0]
    loads = []
    real_load = ResultIndex.load.__func__
    monkeypatch.setattr(ResultIndex, "load", classmethod(lambda cls, s, run_id: loads.append(run_id) or real_load(cls, s, run_id)))
    others = [make_run(session, period) for period in ("2026-06", "2026-07")]
    session.commit()
    cache = ResultIndexCache(max_runs=2)
    first = cache.get(session, run)
    assert cache.get(session, run) is first and loads == [run.id]
    cache.get(session, others[0])
    cache.get(session, run)            # run is now the most recent
    cache.get(session, others[1])      # drops others[0]
    assert loads == [run.id, others[0].id, others[1].id]
    cache.get(session, run)
    cache.get(session, others[0])
    assert loads[-1] == others[0].id and loads.count(run.id) == 1
    run.finished_at = None             # a run still being written is never kept
    cache = ResultIndexCache()
    cache.get(session, run)
    cache.get(session, run)
    assert loads[-2:] == [run.id, run.id]


def test_concurrent_requests_for_a_run_load_it_once(session_factory, month, monkeypatch):
    run = month[0]
    loads = []
    gate = threading.Event()
    real_load = ResultIndex.load.__func__

    def slow_load(cls, s, run_id):
        loads.append(run_id)
        gate.wait(5)
        return real_load(cls, s, run_id)

    monkeypatch.setattr(ResultIndex, "load", classmethod(slow_load))
    cache = ResultIndexCache()
    got = []

    def request():
        with session_factory() as s:
            got.append(cache.get(s, run))

    threads = [threading.Thread(target=request) for _ in range(6)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(10)
    assert loads == [run.id] and len(got) == 6 and all(g is got[0] for g in got)


def test_selecting_nothing_and_an_empty_run(session):
    run = make_run(session, "2026-08")
    session.commit()
    index = ResultIndex.load(session, run.id)
    assert index.size == 0 and index.categories == [] and index.select(bands=["evidence"]).total == 0
    assert index.select(listing_ids=[1, 2]).page(0, 10) == []
    assert index.band_counts() == {b: 0 for b in BANDS}


def test_the_fixture_holds_the_band_edges_and_ties_the_orders_must_break(month):
    deviations = [r.deviation for r in month[1]]
    assert {Decimal("0.2000"), Decimal("0.2001"), Decimal("0.5100"), None} <= set(deviations)
    assert len(set(deviations)) < len(deviations)
