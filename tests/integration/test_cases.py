"""The case workflow against the database: opening from a run, answers, decisions, the sweep, relisting."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pricewatch.db.models import Case, Event, EvidenceSubmission, Listing, Notification
from pricewatch.domain.cases import DeadlinePassed, IllegalTransition, PriceNotNormal, ReasonRequired
from pricewatch.services import cases as svc
from pricewatch.services.pricing import change_price
from tests.integration.factories import (
    RUN_AT, UTC, make_listing, make_result, make_run, make_supplier, make_user,
)

DAY = dt.timedelta(days=1)


def at_local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware UTC instant at `hour:minute` of `day` in Asia/Shanghai (UTC+8)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - dt.timedelta(hours=8)


@pytest.fixture
def people(session):
    """A supplier with two active users and one inactive, another supplier's user, monitors, a viewer."""
    supplier = make_supplier(session, code="SUP1", name="华东办公设备")
    other = make_supplier(session, code="SUP2")
    users = {
        "alice": make_user(session, "alice", supplier=supplier),
        "bob": make_user(session, "bob", supplier=supplier),
        "gone": make_user(session, "gone", supplier=supplier, is_active=False),
        "olga": make_user(session, "olga", supplier=other),
        "mona": make_user(session, "mona", role="monitor"),
        "adam": make_user(session, "adam", role="admin"),
        "vic": make_user(session, "vic", role="viewer"),
    }
    return supplier, other, users


def opened_case(session, settings, supplier, price="125.00", monitored="100.00", **kw) -> Case:
    """A listing of `supplier` checked in 2026-10 with its case opened by the run."""
    listing = make_listing(session, price, supplier=supplier, **kw)
    run = make_run(session)
    make_result(session, run, listing, monitored)
    svc.open_cases_for_run(session, run, None, RUN_AT, settings)
    return session.scalar(select(Case).where(Case.listing_id == listing.id))


def events_of(session, case_id: int) -> list[Event]:
    """The case's own events, in order."""
    return list(session.scalars(select(Event).where(Event.entity == "case", Event.case_id == case_id)
                                .order_by(Event.id)))


def inbox(session, user) -> list[Notification]:
    """A user's notifications, in order."""
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)))


# ----------------------------------------------------------------------------- opening from a run

def test_a_run_opens_an_evidence_case_due_fifteen_days_after_the_run(session, settings, people):
    supplier, _, users = people
    listing = make_listing(session, "125.00", supplier=supplier)
    run = make_run(session)
    make_result(session, run, listing, "100.00")

    counts = svc.open_cases_for_run(session, run, None, RUN_AT, settings)

    assert counts == (1, 0) and (run.cases_opened, run.delisted) == (1, 0)
    case = session.scalar(select(Case).where(Case.listing_id == listing.id))
    assert (case.state, case.is_open, case.opened_by, case.run_id, case.period) == (
        "evidence_requested", True, "check", run.id, "2026-10")
    assert case.deadline_on == dt.date(2026, 11, 16)
    assert (case.mall_price, case.monitored_price, case.deviation, case.band) == (
        Decimal("125.00"), Decimal("100.00"), Decimal("0.2500"), "evidence")
    assert case.opened_at == RUN_AT
    [event] = events_of(session, case.id)
    assert (event.action, event.actor, event.at, event.from_state, event.to_state) == (
        "open", "test", RUN_AT, None, "evidence_requested")
    assert json.loads(event.after_json)["deadline_on"] == "2026-11-16"
    assert session.get(Listing, listing.id).status == "active"


def test_the_supplier_s_active_users_are_told_of_a_new_case_in_chinese(session, settings, people):
    supplier, _, users = people
    case = opened_case(session, settings, supplier)
    for name in ("alice", "bob"):
        [note] = inbox(session, users[name])
        assert (note.kind, note.case_id, note.emailed_at, note.read_at) == ("case_opened", case.id, None, None)
        assert "价格证明" in note.subject
        assert "2026-11-16" in note.body and "120.00" in note.body and "25.00%" in note.body
    for name in ("gone", "olga", "mona", "adam", "vic"):
        assert inbox(session, users[name]) == []


def test_a_delist_result_takes_the_listing_off_sale_at_once(session, settings, people):
    supplier, _, users = people
    listing = make_listing(session, "150.00", supplier=supplier)
    run = make_run(session)
    make_result(session, run, listing, "100.00")

    assert svc.open_cases_for_run(session, run, None, RUN_AT, settings) == (1, 1)

    case = session.scalar(select(Case).where(Case.listing_id == listing.id))
    assert (case.state, case.is_open, case.deadline_on) == ("delisted", True, None)
    assert session.get(Listing, listing.id).status == "delisted"
    [listing_event] = session.scalars(select(Event).where(Event.entity == "listing", Event.entity_id == listing.id))
    assert (listing_event.action, listing_event.from_state, listing_event.to_state, listing_event.case_id) == (
        "delist", "active", "delisted", case.id)
    assert [n.kind for n in inbox(session, users["alice"])] == ["case_delisted_on_open"]


def test_normal_and_insufficient_results_open_no_case(session, settings, people):
    supplier, _, _ = people
    run = make_run(session)
    make_result(session, run, make_listing(session, "120.00", supplier=supplier), "100.00")
    make_result(session, run, make_listing(session, "500.00", supplier=supplier), None)
    assert svc.open_cases_for_run(session, run, None, RUN_AT, settings) == (0, 0)
    assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_listing_with_an_open_case_gets_no_second_case(session, settings, people):
    supplier, _, _ = people
    listing = make_listing(session, "125.00", supplier=supplier)
    october = make_run(session, "2026-10")
    make_result(session, october, listing, "100.00")
    svc.open_cases_for_run(session, october, None, RUN_AT, settings)
    november = make_run(session, "2026-11", started_at=RUN_AT + 30 * DAY)
    make_result(session, november, listing, "100.00")

    assert svc.open_cases_for_run(session, november, None, RUN_AT + 30 * DAY, settings) == (0, 0)
    assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_repeating_the_opening_for_the_same_run_opens_nothing_more(session, settings, people):
    supplier, _, _ = people
    run = make_run(session)
    make_result(session, run, make_listing(session, "125.00", supplier=supplier), "100.00")
    svc.open_cases_for_run(session, run, None, RUN_AT, settings)
    assert svc.open_cases_for_run(session, run, None, RUN_AT, settings) == (0, 0)
    assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_results_may_be_the_check_s_dicts_of_cents(session, settings, people):
    supplier, _, _ = people
    evidence = make_listing(session, "130.00", supplier=supplier)
    delist = make_listing(session, "200.00", supplier=supplier)
    run = make_run(session)
    rows = [
        {"listing_id": evidence.id, "supplier_id": supplier.id, "category": "shredder", "band": "evidence",
         "mall_cents": 13000, "monitored_cents": 10000, "deviation_e4": 3000},
        {"listing_id": delist.id, "supplier_id": supplier.id, "category": "shredder", "band": "delist",
         "mall_cents": 20000, "monitored_cents": 10000, "deviation_e4": 10000},
    ]
    opened, delisted = svc.open_cases_for_run(session, run, rows, RUN_AT, settings)
    assert (opened, delisted) == (2, 1)
    cases = {c.listing_id: c for c in session.scalars(select(Case))}
    assert (cases[evidence.id].state, cases[evidence.id].deviation) == ("evidence_requested", Decimal("0.3000"))
    assert (cases[delist.id].state, cases[delist.id].mall_price) == ("delisted", Decimal("200.00"))


def test_the_delist_band_moves_an_open_evidence_case_to_delisted(session, settings, people):
    supplier, _, _ = people
    case = opened_case(session, settings, supplier, "125.00", "100.00")
    november = make_run(session, "2026-11", started_at=RUN_AT + 30 * DAY)
    make_result(session, november, session.get(Listing, case.listing_id), "80.00")  # 125 / 80 - 1 = 0.5625

    assert svc.open_cases_for_run(session, november, None, RUN_AT + 30 * DAY, settings) == (0, 1)
    session.refresh(case)
    assert (case.state, case.is_open, case.deadline_on) == ("delisted", True, None)
    assert session.get(Listing, case.listing_id).status == "delisted"
    assert [e.action for e in events_of(session, case.id)] == ["open", "delist"]


def test_opening_works_across_many_chunks(session, settings, people, monkeypatch):
    monkeypatch.setattr(svc, "CHUNK", 7)
    supplier, _, users = people
    run = make_run(session)
    listings = [make_listing(session, "125.00" if i % 3 else "160.00", supplier=supplier) for i in range(40)]
    for listing in listings:
        make_result(session, run, listing, "100.00")

    assert svc.open_cases_for_run(session, run, None, RUN_AT, settings) == (40, 14)
    assert session.scalar(select(func.count()).select_from(Case).where(Case.is_open.is_(True))) == 40
    assert session.scalar(select(func.count()).select_from(Listing).where(Listing.status == "delisted")) == 14
    assert session.scalar(select(func.count()).select_from(Event).where(Event.entity == "case")) == 40
    assert len(inbox(session, users["alice"])) == 40


# ----------------------------------------------------------------------------- evidence

def test_evidence_in_time_goes_to_review_and_the_monitors_are_told(session, settings, people):
    supplier, _, users = people
    case = opened_case(session, settings, supplier)
    when = at_local(dt.date(2026, 11, 10))

    sub = svc.submit_evidence(session, case, " 见附件发票 ", Decimal("124.00"), actor="alice", now=when,
                              settings=settings)

    assert (sub.case_id, sub.statement, sub.claimed_price, sub.submitted_by, sub.submitted_at) == (
        case.id, "见附件发票", Decimal("124.00"), "alice", when)
    assert (case.state, case.deadline_on) == ("evidence_submitted", None)
    event = events_of(session, case.id)[-1]
    assert (event.action, event.actor, event.at, event.from_state, event.to_state) == (
        "submit_evidence", "alice", when, "evidence_requested", "evidence_submitted")
    assert json.loads(event.before_json)["deadline_on"] == "2026-11-16"
    assert json.loads(event.after_json)["submission_id"] == sub.id
    for name in ("mona", "adam"):
        assert [n.kind for n in inbox(session, users[name])] == ["evidence_submitted"]
    assert inbox(session, users["vic"]) == []
    assert svc.evidence_for_case(session, case.id) == [sub]


def test_evidence_is_accepted_on_the_deadline_day_until_midnight_local_time(session, settings, people):
    supplier, _, _ = people
    case = opened_case(session, settings, supplier)
    last_minute = at_local(dt.date(2026, 11, 16), 23, 59)
    svc.submit_evidence(session, case, "报价单", None, actor="alice", now=last_minute, settings=settings)
    assert case.state == "evidence_submitted"


def test_evidence_the_day_after_the_deadline_is_refused(session, settings, people):
    supplier, _, _ = people
    case = opened_case(session, settings, supplier)
    with pytest.raises(DeadlinePassed, match="2026-11-16"):
        svc.submit_evidence(session, case, "报价单", None, actor="alice", now=at_local(dt.date(2026, 11, 17), 0, 1),
                            settings=settings)
    assert case.state == "evidence_requested"
    assert session.scalar(select(func.count()).select_from(EvidenceSubmission)) == 0


def test_evidence_needs_a_statement_and_a_sane_claimed_price(session, settings, people):
    supplier, _, _ = people
    case = opened_case(session, settings, supplier)
    now = at_local(dt.date(2026, 11, 5))
    with pytest.raises(ValueError):
        svc.submit_evidence(session, case, "   ", None, actor="alice", now=now, settings=settings)
    with pytest.raises(ValueError):
        svc.submit_evidence(session, case, "x", Decimal("0"), actor="alice", now=now, settings=settings)
    with pytest.raises(ValueError):
        svc.submit_evidence(session, case, "x", Decimal("1.005"), actor="alice", now=now, settings=settings)
    assert case.state == "evidence_requested"


def test_accepted_evidence_closes_the_case_and_tells_the_supplier(session, settings, people):
    supplier, _, users = people
    case = opened_case(session, settings, supplier)
    svc.submit_evidence(session, case, "报价单", None, actor="alice", now=at_local(dt.date(2026, 11, 5)),
                        settings=settings)
    decided = at_local(dt.date(2026, 11, 8))

    svc.accept_evidence(session, case, actor="mona", now=decided, settings=settings, note="价格合理")

    assert (case.state, case.is_open, case.closed_at) == ("accepted", False, decided)
    event = events_of(session, case.id)[-1]
    assert (event.action, event.actor, event.reason, event.from_state, event.to_state) == (
        "accept", "mona", "价格合理", "evidence_submitted", "accepted")
    assert [n.kind for n in inbox(session, users["alice"])][-1] == "evidence_accepted"
    with pytest.raises(IllegalTransition, match=f"case {case.id} is accepted; cannot reject"):
        svc.reject_evidence(session, case, "再看", actor="mona", now=decided, settings=settings)


def test_rejected_evidence_needs_a_reason_and_gives_five_days_to_lower(session, settings, people):
    supplier, _, users = people
    case = opened_case(session, settings, supplier)
    svc.submit_evidence(session, case, "报价单", None, actor="alice", now=at_local(dt.date(2026, 11, 5)),
                        settings=settings)
    decided = at_local(dt.date(2026, 11, 20))
    with pytest.raises(ReasonRequired):
        svc.reject_evidence(session, case, " ", actor="mona", now=decided, settings=settings)
    assert case.state == "evidence_submitted"

    svc.reject_evidence(session, case, "发票与型号不符", actor="mona", now=decided, settings=settings)

    assert (case.state, case.is_open, case.deadline_on) == ("rejected", True, dt.date(2026, 11, 25))
    event = events_of(session, case.id)[-1]
    assert (event.action, event.reason, event.to_state) == ("reject", "发票与型号不符", "rejected")
    note = inbox(session, users["alice"])[-1]
    assert note.kind == "evidence_rejected" and "发票与型号不符" in note.body and "2026-11-25" in note.body


def test_submitting_twice_is_refused(session, settings, people):
    supplier, _, _ = people
    case = opened_case(session, settings, supplier)
    now = at_local(dt.date(2026, 11, 5))
    svc.submit_evidence(session, case, "一", None, actor="alice", now=now, settings=settings)
    with pytest.raises(IllegalTransition, match="is evidence_submitted; cannot submit evidence"):
        svc.submit_evidence(session, case, "二", None, actor="alice", now=now, settings=settings)


# ----------------------------------------------------------------------------- the sweep

def test_the_sweep_lapses_a_case_the_day_after_its_deadline_not_on_it(session, settings, people):
    supplier, _, users = people
    case = opened_case(session, settings, supplier)
    listing = session.get(Listing, case.listing_id)

    on_deadline = svc.sweep_deadlines(session, dt.date(2026, 11, 16), actor="scheduler",
                                      now=at_local(dt.date(2026, 11, 16), 0, 30), settings=settings)
    assert on_deadline.lapsed == 0 and case.state == "evidence_requested"

    swept_at = at_local(dt.date(2026, 11, 17), 0, 30)
    result = svc.sweep_deadlines(session, dt.date(2026, 11, 17), actor="scheduler", now=swept_at, settings=settings)

    assert (result.lapsed, result.delisted, result.lapsed_case_ids) == (1, 1, [case.id])
    assert "1 cases lapsed" in str(result)
    session.refresh(case)
    session.refresh(listing)
    assert (case.state, case.is_open, case.deadline_on) == ("delisted", True, None)
    assert listing.status == "delisted"
    event = events_of(session, case.id)[-1]
    assert (event.action, event.actor, event.at, event.from_state, event.to_state) == (
        "lapse", "scheduler", swept_at, "evidence_requested", "delisted")
    assert json.loads(event.before_json)["deadline_on"] == "2026-11-16"
    listing_event = session.scalar(select(Event).where(Event.entity == "listing", Event.entity_id == listing.id))
    assert (listing_event.action, listing_event.to_state, listing_event.case_id) == ("delist", "delisted", case.id)
    assert inbox(session, users["bob"])[-1].kind == "delisted"


def test_the_sweep_is_safe_to_repeat(session, settings, people):
    supplier, _, _ = people
    case = opened_case(session, settings, supplier)
    day = dt.date(2026, 11, 20)
    svc.sweep_deadlines(session, day, actor="scheduler", now=at_local(day), settings=settings)
    again = svc.sweep_deadlines(session, day, actor="scheduler", now=at_local(day), settings=settings)
    assert (again.lapsed, again.delisted, again.reminded) == (0, 0, 0)
    assert [e.action for e in events_of(session, case.id)] == ["open", "lapse"]


def test_a_rejected_case_lapses_after_its_rejection_deadline(session, settings, people):
    supplier, _, _ = people
    case = opened_case(session, settings, supplier)
    svc.submit_evidence(session, case, "报价单", None, actor="alice", now=at_local(dt.date(2026, 11, 5)),
                        settings=settings)
    svc.reject_evidence(session, case, "不符", actor="mona", now=at_local(dt.date(2026, 11, 6)), settings=settings)
    assert case.deadline_on == dt.date(2026, 11, 11)

    assert svc.sweep_deadlines(session, dt.date(2026, 11, 11), actor="scheduler",
                               now=at_local(dt.date(2026, 11, 11)), settings=settings).lapsed == 0
    assert svc.sweep_deadlines(session, dt.date(2026, 11, 12), actor="scheduler",
                               now=at_local(dt.date(2026, 11, 12)), settings=settings).lapsed == 1
    session.refresh(case)
    assert case.state == "delisted"
    assert events_of(session, case.id)[-1].from_state == "rejected"


def test_submitted_evidence_awaiting_review_does_not_lapse(session, settings, people):
    supplier, _, _ = people
    case = opened_case(session, settings, supplier)
    svc.submit_evidence(session, case, "报价单", None, actor="alice", now=at_local(dt.date(2026, 11, 5)),
                        settings=settings)
    result = svc.sweep_deadlines(session, dt.date(2026, 12, 31), actor="scheduler",
                                 now=at_local(dt.date(2026, 12, 31)), settings=settings)
    assert result.lapsed == 0 and case.state == "evidence_submitted"


def test_the_supplier_is_reminded_once_three_days_before_the_deadline(session, settings, people):
    supplier, _, users = people
    case = opened_case(session, settings, supplier)
    for day in (dt.date(2026, 11, 12), dt.date(2026, 11, 13), dt.date(2026, 11, 14)):
        svc.sweep_deadlines(session, day, actor="scheduler", now=at_local(day), settings=settings)
    reminders = [n for n in inbox(session, users["alice"]) if n.kind == "reminder"]
    assert len(reminders) == 1
    assert "3" in reminders[0].subject and reminders[0].case_id == case.id
    session.refresh(case)
    assert case.reminded_at == at_local(dt.date(2026, 11, 13))


def test_a_rejection_sets_a_new_deadline_that_is_reminded_again(session, settings, people):
    supplier, _, users = people
    case = opened_case(session, settings, supplier)
    svc.sweep_deadlines(session, dt.date(2026, 11, 13), actor="scheduler", now=at_local(dt.date(2026, 11, 13)),
                        settings=settings)
    svc.submit_evidence(session, case, "报价单", None, actor="alice", now=at_local(dt.date(2026, 11, 14)),
                        settings=settings)
    svc.reject_evidence(session, case, "不符", actor="mona", now=at_local(dt.date(2026, 11, 20)), settings=settings)
    assert case.reminded_at is None
    swept = svc.sweep_deadlines(session, dt.date(2026, 11, 22), actor="scheduler",
                                now=at_local(dt.date(2026, 11, 22)), settings=settings)
    assert swept.reminded == 1
    assert [n.kind for n in inbox(session, users["alice"])].count("reminder") == 2


def test_the_sweep_handles_more_cases_than_one_chunk(session, settings, people, monkeypatch):
    monkeypatch.setattr(svc, "CHUNK", 4)
    supplier, _, _ = people
    run = make_run(session)
    for _ in range(11):
        make_result(session, run, make_listing(session, "125.00", supplier=supplier), "100.00")
    svc.open_cases_for_run(session, run, None, RUN_AT, settings)
    reminded = svc.sweep_deadlines(session, dt.date(2026, 11, 14), actor="scheduler",
                                   now=at_local(dt.date(2026, 11, 14)), settings=settings)
    lapsed = svc.sweep_deadlines(session, dt.date(2026, 11, 17), actor="scheduler",
                                 now=at_local(dt.date(2026, 11, 17)), settings=settings)
    assert (reminded.reminded, lapsed.lapsed, lapsed.delisted) == (11, 11, 11)
    assert session.scalar(select(func.count()).select_from(Listing).where(Listing.status == "delisted")) == 11


# ----------------------------------------------------------------------------- relisting

def delisted_case(session, settings, supplier) -> Case:
    """A case delisted by the check (150.00 against 100.00)."""
    return opened_case(session, settings, supplier, "150.00", "100.00")


def test_relisting_needs_a_normal_price_a_request_and_an_approval(session, settings, people):
    supplier, _, users = people
    case = delisted_case(session, settings, supplier)
    listing = session.get(Listing, case.listing_id)
    now = at_local(dt.date(2026, 11, 3))
    with pytest.raises(PriceNotNormal, match="120.00"):
        svc.request_relisting(session, case, actor="alice", now=now, settings=settings)

    change_price(session, listing, Decimal("119.00"), actor="alice", origin="supplier", now=now, settings=settings)
    assert (case.state, listing.status, case.lowered_price) == ("delisted", "delisted", Decimal("119.00"))

    svc.request_relisting(session, case, actor="alice", now=now + DAY, settings=settings)
    assert case.state == "relist_requested"
    assert [n.kind for n in inbox(session, users["mona"])] == ["relist_requested"]

    svc.approve_relisting(session, case, actor="mona", now=now + 2 * DAY, settings=settings)
    assert (case.state, case.is_open, case.closed_at) == ("relisted", False, now + 2 * DAY)
    assert listing.status == "active"
    assert [e.action for e in events_of(session, case.id)] == [
        "open", "lower_price", "request_relisting", "approve_relisting"]
    relist = session.scalars(select(Event).where(Event.entity == "listing", Event.action == "relist")).one()
    assert (relist.actor, relist.from_state, relist.to_state) == ("mona", "delisted", "active")
    assert inbox(session, users["alice"])[-1].kind == "relist_approved"


def test_a_denied_relisting_goes_back_to_delisted_with_the_reason(session, settings, people):
    supplier, _, users = people
    case = delisted_case(session, settings, supplier)
    listing = session.get(Listing, case.listing_id)
    now = at_local(dt.date(2026, 11, 3))
    change_price(session, listing, Decimal("110.00"), actor="alice", origin="supplier", now=now, settings=settings)
    svc.request_relisting(session, case, actor="alice", now=now, settings=settings)
    with pytest.raises(ReasonRequired):
        svc.deny_relisting(session, case, "", actor="mona", now=now, settings=settings)

    svc.deny_relisting(session, case, "资质过期", actor="mona", now=now, settings=settings)

    assert (case.state, case.is_open, listing.status) == ("delisted", True, "delisted")
    assert events_of(session, case.id)[-1].reason == "资质过期"
    assert "资质过期" in inbox(session, users["alice"])[-1].body


def test_relisting_only_from_a_delisted_case(session, settings, people):
    supplier, _, _ = people
    case = opened_case(session, settings, supplier)
    with pytest.raises(IllegalTransition, match="is evidence_requested; cannot approve relisting"):
        svc.approve_relisting(session, case, actor="mona", now=RUN_AT, settings=settings)
    with pytest.raises(IllegalTransition):
        svc.request_relisting(session, case, actor="alice", now=RUN_AT, settings=settings)


# ----------------------------------------------------------------------------- queries

def test_suppliers_see_only_their_own_cases(session, settings, people):
    supplier, other, users = people
    mine = opened_case(session, settings, supplier)
    theirs_listing = make_listing(session, "125.00", supplier=other)
    case2 = svc.open_case(session, theirs_listing, band="evidence", mall_price=Decimal("125.00"),
                          monitored_price=Decimal("100.00"), deviation=Decimal("0.2500"), run_id=None,
                          period="2026-10", opened_by="check", actor="test", now=RUN_AT, settings=settings)
    assert svc.get_case_for_actor(session, mine.id, users["alice"]) is mine
    assert svc.get_case_for_actor(session, case2.id, users["alice"]) is None
    assert svc.get_case_for_actor(session, case2.id, users["mona"]) is case2
    assert svc.get_case_for_actor(session, 999_999, users["mona"]) is None
    assert svc.cases_for_supplier(session, supplier.id) == [mine]
    svc.submit_evidence(session, mine, "x", None, actor="alice", now=RUN_AT, settings=settings)
    svc.accept_evidence(session, mine, actor="mona", now=RUN_AT, settings=settings)
    assert svc.cases_for_supplier(session, supplier.id, open_only=True) == []
    assert svc.cases_for_supplier(session, supplier.id, states=["accepted"]) == [mine]
