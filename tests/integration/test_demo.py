"""`pricewatch demo`: a small demo (300 listings) loaded once per backend, then inspected."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pricewatch.config import load_settings, method_params
from pricewatch.db.models import (
    Case, CheckRun, EvidenceFile, Event, Listing, ListingPrice, Observation, OrderLine, Product, ReportSnapshot,
    Supplier, User,
)
from pricewatch.demo import story
from pricewatch.demo.plan import PERIODS, TODAY, make_plan
from pricewatch.domain.cases import CaseState
from pricewatch.runtime import Runtime
from pricewatch.services.demo import PASSWORD, DemoError, database_is_empty, run_demo
from tests.conftest import BACKENDS, _fresh_engine

pytestmark = pytest.mark.slow

SIZE = 300
UTC = dt.timezone.utc


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request, tmp_path_factory):
    """A fresh database on each backend (no schema: the demo migrates it), loaded with the demo once."""
    tmp = tmp_path_factory.mktemp(f"demo-{request.param}")
    engine, drop = _fresh_engine(request.param, tmp)
    settings = load_settings(override={"uploads": {"directory": str(tmp / "evidence")}},
                             environ={"PRICEWATCH_ENV": "testing"})
    runtime = Runtime(settings)
    runtime.__dict__["engine"] = engine  # the cached properties, pointed at the test database
    assert database_is_empty(runtime)
    result = run_demo(runtime, listings=SIZE)
    yield runtime, result
    drop()


def test_every_step_of_the_demo_goes_as_planned(demo):
    _, result = demo
    assert result.mismatches == []
    assert result.bands == result.plan.expected_bands
    assert result.states == result.plan.expected_states


def test_the_demo_shows_every_band_and_every_case_state(demo):
    runtime, _ = demo
    with runtime.session_factory() as s:
        totals = s.execute(select(func.sum(CheckRun.n_insufficient), func.sum(CheckRun.n_normal),
                                  func.sum(CheckRun.n_evidence), func.sum(CheckRun.n_delist))).one()
        states = set(s.scalars(select(Case.state).distinct()))
        assert s.scalar(select(func.count()).select_from(Listing)) == SIZE
        assert sorted(s.scalars(select(CheckRun.period))) == list(PERIODS)
        assert s.scalar(select(func.count(func.distinct(ReportSnapshot.period)))) == len(PERIODS)
    assert all(t > 0 for t in totals)
    assert states == {state.value for state in CaseState}


def test_delistings_come_from_the_check_and_from_lapsed_deadlines(demo):
    runtime, _ = demo
    with runtime.session_factory() as s:
        by_check = s.scalar(select(func.count()).select_from(Case).where(
            Case.band == "delist", Case.opened_by == "check", Case.state == "delisted"))
        lapsed = s.scalar(select(func.count()).select_from(Event).where(Event.entity == "case",
                                                                         Event.action == "lapse"))
        stays_lapsed = s.scalar(select(func.count()).select_from(Case).where(
            Case.band == "evidence", Case.state == "delisted"))
    assert by_check > 0 and lapsed > 0 and stays_lapsed > 0


def test_open_cases_still_have_their_deadlines_ahead_of_today(demo):
    runtime, _ = demo
    with runtime.session_factory() as s:
        waiting = s.execute(select(Case.state, Case.deadline_on).where(
            Case.state.in_(("evidence_requested", "rejected")))).all()
        latest = s.scalar(select(CheckRun.id).where(CheckRun.period == PERIODS[-1]))
        submitted = s.scalar(select(func.count()).select_from(Case).where(
            Case.state == "evidence_submitted", Case.run_id == latest))
    assert {state for state, _ in waiting} == {"evidence_requested", "rejected"}
    assert all(deadline >= TODAY for _, deadline in waiting)
    assert submitted > 0


def test_the_shredder_is_flagged_at_1380_against_1144_in_the_evidence_band_and_cut(demo):
    runtime, _ = demo
    with runtime.session_factory() as s:
        case = s.execute(
            select(Case).join(Listing, Listing.id == Case.listing_id).join(Supplier, Supplier.id == Listing.supplier_id)
            .join(Product, Product.id == Listing.product_id)
            .where(Supplier.code == story.SUPPLIER_CODE, Product.code == story.PRODUCT_CODE)).scalar_one()
        user = s.scalar(select(User).where(User.username == story.USER))
    assert (case.mall_price, case.monitored_price, case.deviation) == (
        Decimal("1380.00"), Decimal("1144.00"), Decimal("0.2063"))
    assert case.band == "evidence" and case.period == "2026-09"
    assert case.state == "price_lowered" and case.lowered_price == Decimal("1144.00")
    assert user.role == "supplier" and user.supplier_id == case.supplier_id


def test_the_shredder_user_has_an_open_evidence_request_with_its_deadline_ahead(demo):
    runtime, _ = demo
    with runtime.session_factory() as s:
        supplier_id = s.scalar(select(User.supplier_id).where(User.username == story.USER))
        open_cases = s.execute(select(Case.state, Case.opened_by, Case.deadline_on).where(
            Case.supplier_id == supplier_id, Case.is_open.is_(True))).all()
    assert ("evidence_requested", "price_change") in {(state, by) for state, by, _ in open_cases}
    assert all(deadline is None or deadline > TODAY for _, _, deadline in open_cases)


def test_buyers_save_close_to_100000_on_the_shredder_after_the_cuts(demo):
    runtime, _ = demo
    with runtime.session_factory() as s:
        cuts = s.execute(
            select(ListingPrice.listing_id, ListingPrice.effective_on, ListingPrice.previous_price, ListingPrice.price)
            .join(Listing, Listing.id == ListingPrice.listing_id).join(Product, Product.id == Listing.product_id)
            .where(Product.code == story.PRODUCT_CODE, ListingPrice.previous_price > ListingPrice.price)).all()
        saved = Decimal(0)
        for listing_id, on, before, after in cuts:
            units = s.scalar(select(func.sum(OrderLine.quantity)).where(OrderLine.listing_id == listing_id,
                                                                         OrderLine.ordered_on >= on))
            saved += (before - after) * units
    assert len(cuts) == 4
    assert saved == Decimal("99683.00")


def test_the_high_price_share_falls_from_the_first_month_to_the_last(demo):
    _, result = demo

    def share(bands):
        return (bands["evidence"] + bands["delist"]) / (bands["normal"] + bands["evidence"] + bands["delist"])

    assert share(result.bands[PERIODS[0]]) > 0.05
    assert share(result.bands[PERIODS[-1]]) < share(result.bands[PERIODS[0]]) / 2


def test_the_demo_holds_quotes_of_all_four_sources_orders_and_evidence_files(demo):
    runtime, _ = demo
    with runtime.session_factory() as s:
        sources = set(s.scalars(select(Observation.source).distinct()))
        lines = s.scalar(select(func.count()).select_from(OrderLine))
        files = s.scalar(select(func.count()).select_from(EvidenceFile))
    assert sources == {"index", "gov", "ecommerce", "retail"}
    assert lines > SIZE and files > 0


@pytest.mark.parametrize("name,role", [("admin", "admin"), ("monitor", "monitor"), ("viewer", "viewer"),
                                       ("shredder", "supplier"), ("supplier1", "supplier")])
def test_demo_users_sign_in_with_the_demo_password(demo, name, role):
    from pricewatch.services.users import authenticate

    runtime, _ = demo
    with runtime.session_factory() as s:
        user = authenticate(s, name, PASSWORD, dt.datetime.now(UTC), runtime.settings)
        assert isinstance(user, User) and user.role == role
        assert authenticate(s, name, "not-the-password", dt.datetime.now(UTC), runtime.settings) != user
        s.rollback()


def test_a_second_demo_is_refused_and_changes_nothing(demo):
    runtime, _ = demo

    def counts():
        with runtime.session_factory() as s:
            return [s.scalar(select(func.count()).select_from(model))
                    for model in (Listing, ListingPrice, Observation, OrderLine, Case, Event, User, CheckRun)]

    before = counts()
    assert not database_is_empty(runtime)
    with pytest.raises(DemoError, match="not empty"):
        run_demo(runtime, listings=SIZE)
    assert counts() == before


def test_the_plan_is_the_same_for_the_same_seed_and_differs_for_another():
    settings = load_settings(environ={})

    def params(category):
        return method_params(settings, category)

    one, two, other = (make_plan(150, seed, params) for seed in (7, 7, 8))
    assert [(s.at, s.kind, s.listing) for s in one.steps] == [(s.at, s.kind, s.listing) for s in two.steps]
    assert one.expected_bands == two.expected_bands
    assert [lst.code for lst in one.catalog.listings] != [lst.code for lst in other.catalog.listings] or \
        one.expected_bands != other.expected_bands
