"""Price changes between checks, and the suppliers' self-check (METHOD.md)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pricewatch.config import load_settings
from pricewatch.db.models import Case, Event, Listing, ListingPrice, Notification
from pricewatch.services import cases as case_service
from pricewatch.services import pricing
from pricewatch.services.pricing import change_price, latest_reference, latest_references, on_price_changed, self_check
from tests.integration.factories import RUN_AT, make_listing, make_result, make_run, make_supplier, make_user

LATER = RUN_AT + dt.timedelta(days=3)  # 2026-11-04 10:00 in Shanghai


@pytest.fixture
def checked(session):
    """A listing at 110.00 whose October check found a monitored price of 100.00 (normal)."""
    supplier = make_supplier(session)
    make_user(session, "alice", supplier=supplier)
    make_user(session, "mona", role="monitor")
    listing = make_listing(session, "110.00", supplier=supplier)
    run = make_run(session, "2026-10")
    make_result(session, run, listing, "100.00")
    return listing


def change(session, settings, listing, price: str, when=LATER, **kw):
    """A supplier's price change."""
    return change_price(session, listing, Decimal(price), actor="alice", origin="supplier", now=when,
                        settings=settings, **kw)


def case_of(session, listing) -> Case | None:
    """The listing's only case."""
    return session.scalars(select(Case).where(Case.listing_id == listing.id)).one_or_none()


def kinds(session) -> list[str]:
    """Every notification kind sent, in order."""
    return list(session.scalars(select(Notification.kind).order_by(Notification.id)))


# ----------------------------------------------------------------------------- self-check

@pytest.mark.parametrize(("price", "band", "deviation"), [
    ("120.00", "normal", "0.2000"),
    ("120.01", "evidence", "0.2001"),
    ("149.99", "evidence", "0.4999"),
    ("150.00", "delist", "0.5000"),
    ("50.00", "normal", "-0.5000"),
])
def test_the_self_check_puts_a_price_in_the_band_the_check_would(session, settings, checked, price, band, deviation):
    result = self_check(session, checked, Decimal(price), settings)
    assert (result.band, result.deviation, result.monitored_price, result.max_normal_price, result.period) == (
        band, Decimal(deviation), Decimal("100.00"), Decimal("120.00"), "2026-10")


def test_the_self_check_s_highest_normal_price_counts_the_rounding(session, settings, checked):
    run = make_run(session, "2026-11")
    make_result(session, run, checked, "300.00")
    result = self_check(session, checked, Decimal("360.01"), settings)
    assert (result.band, result.deviation, result.max_normal_price) == ("normal", Decimal("0.2000"), Decimal("360.01"))
    assert self_check(session, checked, Decimal("360.02"), settings).band == "evidence"


def test_the_self_check_without_a_checked_price_says_insufficient(session, settings):
    listing = make_listing(session, "110.00")
    assert self_check(session, listing, Decimal("999.00"), settings) == pricing.SelfCheck(
        "insufficient", None, None, None)


def test_the_self_check_uses_the_category_s_bands(session, checked):
    strict = load_settings(override={"categories": {"shredder": {"normal_max": 0.10}}},
                           environ={"PRICEWATCH_ENV": "testing"})
    result = self_check(session, checked, Decimal("110.01"), strict)
    assert (result.band, result.max_normal_price) == ("evidence", Decimal("110.00"))


@pytest.mark.parametrize("bad", [1.5, "abc", Decimal("0"), Decimal("-1.00"), Decimal("1.001")])
def test_prices_must_be_positive_exact_cents(session, settings, checked, bad):
    with pytest.raises((TypeError, ValueError, ArithmeticError)):
        self_check(session, checked, bad, settings)
    with pytest.raises((TypeError, ValueError, ArithmeticError)):
        change_price(session, checked, bad, actor="alice", origin="supplier", now=LATER, settings=settings)
    assert checked.mall_price == Decimal("110.00")


# ----------------------------------------------------------------------------- the latest check

def test_the_latest_check_by_period_with_a_monitored_price_is_the_reference(session, checked):
    november = make_run(session, "2026-11")
    make_result(session, november, checked, "90.00")
    december = make_run(session, "2026-12")
    make_result(session, december, checked, None)  # insufficient: skipped
    ref = latest_reference(session, checked.id)
    assert (ref.run_id, ref.period, ref.monitored_price) == (november.id, "2026-11", Decimal("90.00"))
    other = make_listing(session, "10.00")
    assert latest_references(session, [checked.id, other.id]) == {checked.id: ref}


def test_a_listing_never_checked_changes_price_without_consequence(session, settings):
    listing = make_listing(session, "110.00")
    outcome = change(session, settings, listing, "500.00")
    assert outcome.action == pricing.NO_REFERENCE
    assert listing.mall_price == Decimal("500.00") and case_of(session, listing) is None


# ----------------------------------------------------------------------------- changes

def test_a_price_change_is_kept_in_the_history_and_the_event_log(session, settings, checked):
    outcome = change(session, settings, checked, "115.00")
    assert (outcome.action, outcome.band, outcome.deviation) == (pricing.NOTHING, "normal", Decimal("0.1500"))
    history = session.scalars(select(ListingPrice).where(ListingPrice.listing_id == checked.id)
                              .order_by(ListingPrice.id)).all()
    assert [(h.price, h.previous_price) for h in history] == [(Decimal("110.00"), None),
                                                             (Decimal("115.00"), Decimal("110.00"))]
    assert (history[-1].origin, history[-1].changed_by, history[-1].effective_on, history[-1].changed_at) == (
        "supplier", "alice", dt.date(2026, 11, 4), LATER)
    assert outcome.history is history[-1]
    assert (checked.mall_price, checked.price_effective_on) == (Decimal("115.00"), dt.date(2026, 11, 4))
    event = session.scalars(select(Event).where(Event.entity == "listing", Event.action == "price_change")).one()
    assert (event.actor, event.at, json.loads(event.before_json), json.loads(event.after_json)["mall_price"]) == (
        "alice", LATER, {"mall_price": "110.00"}, "115.00")
    assert case_of(session, checked) is None and kinds(session) == []


def test_setting_the_same_price_writes_nothing(session, settings, checked):
    assert change(session, settings, checked, "110.00").action == pricing.UNCHANGED
    assert session.scalar(select(func.count()).select_from(ListingPrice)) == 1


def test_a_raise_into_the_evidence_band_opens_a_case_due_in_fifteen_days(session, settings, checked):
    outcome = change(session, settings, checked, "125.00")

    case = case_of(session, checked)
    assert outcome.action == pricing.CASE_OPENED and outcome.case is case
    assert (case.state, case.opened_by, case.period, case.deadline_on) == (
        "evidence_requested", "price_change", "2026-10", dt.date(2026, 11, 19))
    assert (case.mall_price, case.monitored_price, case.deviation) == (
        Decimal("125.00"), Decimal("100.00"), Decimal("0.2500"))
    assert checked.status == "active"
    assert kinds(session) == ["case_opened_by_price_change"]


def test_a_raise_with_a_case_open_opens_no_second_case(session, settings, checked):
    change(session, settings, checked, "125.00")
    outcome = change(session, settings, checked, "130.00")
    assert outcome.action == pricing.RECORDED
    assert session.scalar(select(func.count()).select_from(Case)) == 1
    case = case_of(session, checked)
    event = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id.desc())).first()
    assert (event.action, event.from_state, event.to_state) == ("price_change", "evidence_requested",
                                                               "evidence_requested")


def test_a_raise_into_the_delist_band_delists_the_listing(session, settings, checked):
    outcome = change(session, settings, checked, "150.00")
    case = case_of(session, checked)
    assert outcome.action == pricing.DELISTED
    assert (case.state, case.is_open, case.opened_by, case.deadline_on) == ("delisted", True, "price_change", None)
    assert checked.status == "delisted"
    assert kinds(session) == ["delisted"]


def test_a_raise_into_the_delist_band_moves_an_open_evidence_case_to_delisted(session, settings, checked):
    change(session, settings, checked, "125.00")
    outcome = change(session, settings, checked, "160.00", when=LATER + dt.timedelta(days=1))
    case = case_of(session, checked)
    assert outcome.action == pricing.DELISTED and outcome.case is case
    assert (case.state, case.deadline_on, checked.status) == ("delisted", None, "delisted")
    event = session.scalars(select(Event).where(Event.entity == "case", Event.case_id == case.id)
                            .order_by(Event.id.desc())).first()
    assert (event.action, event.from_state, event.to_state) == ("delist", "evidence_requested", "delisted")
    assert json.loads(event.after_json)["new_price"] == "160.00"


@pytest.mark.parametrize("answer", ["none", "submitted", "rejected"])
def test_lowering_into_the_normal_band_closes_the_case(session, settings, checked, answer):
    change(session, settings, checked, "130.00")
    case = case_of(session, checked)
    if answer in ("submitted", "rejected"):
        case_service.submit_evidence(session, case, "报价单", None, actor="alice", now=LATER, settings=settings)
    if answer == "rejected":
        case_service.reject_evidence(session, case, "不符", actor="mona", now=LATER, settings=settings)
    before = case.state
    when = LATER + dt.timedelta(days=2)

    outcome = change(session, settings, checked, "120.00", when=when)

    assert outcome.action == pricing.CASE_CLOSED
    assert (case.state, case.is_open, case.closed_at, case.lowered_price) == (
        "price_lowered", False, when, Decimal("120.00"))
    event = session.scalars(select(Event).where(Event.entity == "case", Event.case_id == case.id)
                            .order_by(Event.id.desc())).first()
    assert (event.action, event.actor, event.from_state, event.to_state) == (
        "lower_price", "alice", before, "price_lowered")
    assert kinds(session)[-1] == "price_lowered"


def test_a_lowering_still_above_normal_is_recorded_and_the_case_stays_open(session, settings, checked):
    change(session, settings, checked, "130.00")
    outcome = change(session, settings, checked, "125.00")
    case = case_of(session, checked)
    assert outcome.action == pricing.RECORDED
    assert (case.state, case.is_open, case.lowered_price) == ("evidence_requested", True, Decimal("125.00"))


def test_lowering_a_delisted_listing_does_not_relist_it(session, settings, checked):
    change(session, settings, checked, "150.00")
    outcome = change(session, settings, checked, "100.00")
    case = case_of(session, checked)
    assert outcome.action == pricing.RECORDED
    assert (case.state, case.is_open, case.lowered_price, checked.status) == (
        "delisted", True, Decimal("100.00"), "delisted")


def test_a_raise_while_relisting_is_requested_withdraws_the_request(session, settings, checked):
    change(session, settings, checked, "150.00")
    change(session, settings, checked, "118.00")
    case = case_of(session, checked)
    case_service.request_relisting(session, case, actor="alice", now=LATER, settings=settings)

    outcome = change(session, settings, checked, "121.00")

    assert outcome.action == pricing.DELISTED
    assert (case.state, checked.status) == ("delisted", "delisted")
    with pytest.raises(case_service.PriceNotNormal):
        case_service.request_relisting(session, case, actor="alice", now=LATER, settings=settings)


def test_the_importer_path_writes_history_itself_then_applies_the_rules(session, settings, checked):
    # The listings importer writes the row and the price, then calls on_price_changed.
    old = checked.mall_price
    session.add(ListingPrice(listing_id=checked.id, price=Decimal("126.00"), previous_price=old,
                             effective_on=dt.date(2026, 11, 4), origin="import", changed_by="cli"))
    checked.mall_price = Decimal("126.00")
    session.flush()
    refs = latest_references(session, [checked.id])

    outcome = on_price_changed(session, checked, old, Decimal("126.00"), actor="cli", settings=settings, now=LATER,
                               reference=refs.get(checked.id))

    assert outcome.action == pricing.CASE_OPENED
    assert case_of(session, checked).state == "evidence_requested"
    assert session.scalar(select(func.count()).select_from(ListingPrice)) == 2


def test_the_comparison_follows_the_latest_check_not_an_older_one(session, settings, checked):
    november = make_run(session, "2026-11")
    make_result(session, november, checked, "80.00")  # 110 / 80 - 1 = 0.375 (but stored as the run found it)
    outcome = change(session, settings, checked, "100.00")  # 0.25 against 80.00; 0.00 against October's 100.00
    assert (outcome.action, outcome.band, outcome.reference.period) == (pricing.CASE_OPENED, "evidence", "2026-11")
    assert case_of(session, checked).run_id == november.id


def test_price_changes_on_another_listing_leave_this_case_alone(session, settings, checked):
    change(session, settings, checked, "130.00")
    other = make_listing(session, "10.00", supplier=session.get(Listing, checked.id).supplier)
    change(session, settings, other, "9.00")
    assert case_of(session, checked).state == "evidence_requested"
