"""The flagged list's text filters: exact supplier codes, name fragments without a cap, and the page rows."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from pricewatch.db.models import Case, ListingResult
from pricewatch.services.flagged import flagged_listings
from pricewatch.services.queries import cases_page
from pricewatch.services.result_index import ResultIndex
from tests.integration.factories import RUN_AT, make_listing, make_result, make_run, make_supplier


def _month(session, n_suppliers: int):
    """A run with one evidence-band listing per supplier: S1, S2, ... (so S1 is a prefix of S10..S19)."""
    run = make_run(session)
    suppliers = [make_supplier(session, code=f"S{i}", name=f"杭州供应商{i}号") for i in range(1, n_suppliers + 1)]
    for s in suppliers:
        make_result(session, run, make_listing(session, "130.00", supplier=s), "100.00")
    session.commit()
    return run, suppliers


def test_an_exact_supplier_code_shows_that_supplier_only(session):
    run, suppliers = _month(session, 12)
    page = flagged_listings(session, ResultIndex.load(session, run.id), run, supplier="S1")
    assert page.total == 1 and page.rows[0].supplier_code == "S1"
    page = flagged_listings(session, ResultIndex.load(session, run.id), run, supplier="S1 ")
    assert page.total == 1


def test_a_name_fragment_matches_every_supplier_that_has_it(session):
    run, suppliers = _month(session, 230)
    index = ResultIndex.load(session, run.id)
    page = flagged_listings(session, index, run, supplier="供应商", page_size=50)
    assert page.total == 230 and not page.total_capped and len(page.rows) == 50
    assert flagged_listings(session, index, run, supplier="供应商23").total == 2  # 23 and 230
    assert flagged_listings(session, index, run, supplier="nobody").total == 0


def test_the_rows_carry_the_listing_and_supplier_shown(session):
    run, (supplier,) = _month(session, 1)
    row = flagged_listings(session, ResultIndex.load(session, run.id), run).rows[0]
    assert (row.supplier_code, row.supplier_name, row.band, row.deviation, row.mall_price) == (
        "S1", "杭州供应商1号", "evidence", Decimal("0.3000"), Decimal("130.00"))


def test_the_cases_list_filters_by_the_same_supplier_rules(session):
    run, _suppliers = _month(session, 12)
    for r in session.scalars(select(ListingResult).where(ListingResult.run_id == run.id)):
        session.add(Case(listing_id=r.listing_id, supplier_id=r.supplier_id, run_id=run.id, period=run.period,
                         category=r.category,
                         state="evidence_requested", is_open=True, opened_at=RUN_AT, mall_price=r.mall_price,
                         monitored_price=r.monitored_price, deviation=r.deviation, band=r.band))
    session.commit()
    assert cases_page(session, supplier="S1").total == 1
    assert cases_page(session, supplier="供应商1").total == 4   # 1, 10, 11, 12
