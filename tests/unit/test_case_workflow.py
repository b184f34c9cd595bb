"""The case workflow as pure rules: the transition table, deadlines, the highest normal price."""
from __future__ import annotations

import datetime as dt
import inspect
import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

import pricewatch.domain.cases as case_rules
from pricewatch.domain.cases import (
    CLOSED_STATES, OPEN_STATES, TRANSITIONS, CaseAction, CaseState, IllegalTransition, ReasonRequired,
    allowed_actions, days_left, evaluate_price_decimal, evidence_deadline, lapses, local_date,
    lowering_closes, max_normal_cents, needs_reminder, next_state, opening_deadline, opening_state,
    rejection_deadline, require_reason, within_deadline,
)
from pricewatch.domain.method import evaluate_price
from pricewatch.domain.params import MethodParams

S, A = CaseState, CaseAction
PARAMS = MethodParams()

#: The workflow of METHOD.md written out by hand; every pair not here must be refused.
EXPECTED = {
    (S.EVIDENCE_REQUESTED, A.SUBMIT_EVIDENCE): S.EVIDENCE_SUBMITTED,
    (S.EVIDENCE_REQUESTED, A.LOWER_PRICE): S.PRICE_LOWERED,
    (S.EVIDENCE_REQUESTED, A.LAPSE): S.DELISTED,
    (S.EVIDENCE_REQUESTED, A.DELIST): S.DELISTED,
    (S.EVIDENCE_SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.EVIDENCE_SUBMITTED, A.REJECT): S.REJECTED,
    (S.EVIDENCE_SUBMITTED, A.LOWER_PRICE): S.PRICE_LOWERED,
    (S.EVIDENCE_SUBMITTED, A.DELIST): S.DELISTED,
    (S.REJECTED, A.LOWER_PRICE): S.PRICE_LOWERED,
    (S.REJECTED, A.LAPSE): S.DELISTED,
    (S.REJECTED, A.DELIST): S.DELISTED,
    (S.DELISTED, A.LOWER_PRICE): S.DELISTED,
    (S.DELISTED, A.REQUEST_RELISTING): S.RELIST_REQUESTED,
    (S.RELIST_REQUESTED, A.LOWER_PRICE): S.RELIST_REQUESTED,
    (S.RELIST_REQUESTED, A.DELIST): S.DELISTED,
    (S.RELIST_REQUESTED, A.APPROVE_RELISTING): S.RELISTED,
    (S.RELIST_REQUESTED, A.DENY_RELISTING): S.DELISTED,
}
ALL_PAIRS = list(itertools.product(CaseState, CaseAction))


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS, ids=[f"{s.value}-{a.value}" for s, a in ALL_PAIRS])
def test_every_state_and_action_leads_where_the_method_says_or_is_refused(state, action):
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(IllegalTransition):
            next_state(state, action)
    else:
        assert next_state(state, action) is expected


def test_the_transition_table_is_exactly_the_method():
    assert dict(TRANSITIONS) == EXPECTED


def test_states_are_accepted_as_their_stored_text():
    assert next_state("evidence_submitted", "reject") is S.REJECTED


def test_a_refused_action_names_the_case_its_state_and_the_action():
    with pytest.raises(IllegalTransition, match=r"^case 12 is accepted; cannot reject$") as info:
        next_state("accepted", "reject", case_id=12)
    assert info.value.state is S.ACCEPTED and info.value.action is A.REJECT
    with pytest.raises(IllegalTransition, match="case 3 is delisted; cannot submit evidence"):
        next_state(S.DELISTED, A.SUBMIT_EVIDENCE, case_id=3)


def test_an_unknown_state_or_action_is_a_value_error():
    with pytest.raises(ValueError):
        next_state("archived", "accept")
    with pytest.raises(ValueError):
        next_state("accepted", "archive")


def test_open_and_closed_states_split_the_states_as_the_team_agreed():
    assert {s.value for s in OPEN_STATES} == {
        "evidence_requested", "evidence_submitted", "rejected", "delisted", "relist_requested"}
    assert {s.value for s in CLOSED_STATES} == {"accepted", "price_lowered", "relisted"}


def test_closed_states_allow_nothing():
    for state in CLOSED_STATES:
        assert allowed_actions(state) == frozenset()


def test_every_member_of_the_enums_is_documented():
    lines = inspect.getsource(case_rules).splitlines()
    for member in list(CaseState) + list(CaseAction):
        line = next(i for i, text in enumerate(lines) if text.strip().startswith(f"{member.name} ="))
        assert lines[line - 1].strip().startswith("#:"), member


# ----------------------------------------------------------------------------- opening

def test_the_evidence_band_opens_a_case_due_fifteen_calendar_days_after_the_run():
    assert opening_state("evidence") is S.EVIDENCE_REQUESTED
    assert opening_deadline("evidence", dt.date(2026, 11, 1), PARAMS) == dt.date(2026, 11, 16)


def test_the_delist_band_opens_a_delisted_case_without_a_deadline():
    assert opening_state("delist") is S.DELISTED
    assert opening_deadline("delist", dt.date(2026, 11, 1), PARAMS) is None


@pytest.mark.parametrize("band", ["normal", "insufficient", "other"])
def test_no_case_opens_outside_the_evidence_and_delist_bands(band):
    with pytest.raises(ValueError):
        opening_state(band)


# ----------------------------------------------------------------------------- deadlines

def test_evidence_deadlines_count_calendar_days_across_month_and_year_ends():
    assert evidence_deadline(dt.date(2026, 12, 20), PARAMS) == dt.date(2027, 1, 4)
    assert evidence_deadline(dt.date(2028, 2, 20), PARAMS) == dt.date(2028, 3, 6)  # leap year
    assert evidence_deadline(dt.date(2026, 11, 1), MethodParams(evidence_days=7)) == dt.date(2026, 11, 8)


def test_a_rejection_gives_five_calendar_days_from_the_decision():
    assert rejection_deadline(dt.date(2026, 11, 10), PARAMS) == dt.date(2026, 11, 15)
    assert rejection_deadline(dt.date(2026, 11, 10), MethodParams(rejection_days=2)) == dt.date(2026, 11, 12)


def test_the_deadline_day_itself_is_still_in_time():
    deadline = dt.date(2026, 11, 16)
    assert within_deadline(deadline, dt.date(2026, 11, 15))
    assert within_deadline(deadline, deadline)
    assert not within_deadline(deadline, dt.date(2026, 11, 17))
    assert within_deadline(None, dt.date(2030, 1, 1))


@pytest.mark.parametrize("state", ["evidence_requested", "rejected"])
def test_a_running_deadline_lapses_the_day_after_it_not_on_it(state):
    deadline = dt.date(2026, 11, 16)
    assert not lapses(state, deadline, deadline)
    assert lapses(state, deadline, dt.date(2026, 11, 17))
    assert lapses(state, deadline, dt.date(2026, 12, 31))


@pytest.mark.parametrize("state", ["evidence_submitted", "accepted", "delisted", "relist_requested",
                                   "price_lowered", "relisted"])
def test_states_without_a_running_deadline_never_lapse(state):
    assert not lapses(state, dt.date(2026, 11, 16), dt.date(2026, 12, 1))


def test_the_local_date_follows_the_centre_s_time_zone():
    late_utc = dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.timezone.utc)
    assert local_date(late_utc, "Asia/Shanghai") == dt.date(2026, 11, 1)
    assert local_date(late_utc, "UTC") == dt.date(2026, 10, 31)
    with pytest.raises(ValueError):
        local_date(dt.datetime(2026, 10, 31, 16, 30), "UTC")


def test_a_reminder_is_due_from_three_days_before_the_deadline_until_it_once():
    deadline = dt.date(2026, 11, 16)
    assert days_left(deadline, dt.date(2026, 11, 13)) == 3
    assert not needs_reminder("evidence_requested", deadline, False, dt.date(2026, 11, 12))
    assert needs_reminder("evidence_requested", deadline, False, dt.date(2026, 11, 13))
    assert needs_reminder("rejected", deadline, False, deadline)
    assert not needs_reminder("evidence_requested", deadline, True, dt.date(2026, 11, 14))
    assert not needs_reminder("evidence_requested", deadline, False, dt.date(2026, 11, 17))
    assert not needs_reminder("evidence_submitted", deadline, False, dt.date(2026, 11, 14))


def test_rejecting_and_denying_need_a_reason_other_actions_do_not():
    with pytest.raises(ReasonRequired):
        require_reason(A.REJECT, "  ")
    with pytest.raises(ReasonRequired):
        require_reason("deny_relisting", None)
    assert require_reason(A.REJECT, "  发票不清晰 ") == "发票不清晰"
    assert require_reason(A.ACCEPT, "") == ""


# ----------------------------------------------------------------------------- prices

def test_a_price_is_evaluated_with_exact_decimals_and_the_bands():
    assert evaluate_price_decimal(Decimal("120.00"), Decimal("100.00"), PARAMS) == (Decimal("0.2000"), "normal")
    assert evaluate_price_decimal(Decimal("120.01"), Decimal("100.00"), PARAMS) == (Decimal("0.2001"), "evidence")
    assert evaluate_price_decimal(Decimal("150.00"), Decimal("100.00"), PARAMS) == (Decimal("0.5000"), "delist")
    assert evaluate_price_decimal(Decimal("80.00"), Decimal("100.00"), PARAMS) == (Decimal("-0.2000"), "normal")
    assert evaluate_price_decimal(Decimal("80.00"), None, PARAMS) == (None, "insufficient")


def test_the_deviation_is_rounded_half_up_to_four_places_before_the_band_is_chosen():
    # 360.01 / 300.00 - 1 = 0.200033.. -> 0.2000: normal, though above 20 % before rounding.
    assert evaluate_price_decimal(Decimal("360.01"), Decimal("300.00"), PARAMS) == (Decimal("0.2000"), "normal")
    # 240.01 / 200.00 - 1 = 0.20005 exactly -> 0.2001 (half up, not half even): evidence.
    assert evaluate_price_decimal(Decimal("240.01"), Decimal("200.00"), PARAMS) == (Decimal("0.2001"), "evidence")


@pytest.mark.parametrize("state", ["evidence_requested", "evidence_submitted", "rejected"])
def test_a_normal_price_closes_a_case_while_the_listing_is_on_sale(state):
    assert lowering_closes(state, Decimal("120.00"), Decimal("100.00"), PARAMS)
    assert not lowering_closes(state, Decimal("120.01"), Decimal("100.00"), PARAMS)


@pytest.mark.parametrize("state", ["delisted", "relist_requested", "accepted", "price_lowered", "relisted"])
def test_a_normal_price_does_not_by_itself_close_a_case_off_sale_or_already_closed(state):
    assert not lowering_closes(state, Decimal("90.00"), Decimal("100.00"), PARAMS)


def test_the_highest_normal_price_of_100_is_120():
    assert max_normal_cents(10000, PARAMS) == 12000
    assert max_normal_cents(10000, MethodParams(normal_max=Decimal("0.10"))) == 11000


def test_the_highest_normal_price_counts_the_half_up_rounding():
    assert max_normal_cents(20000, PARAMS) == 24000  # 240.01 is 0.20005 -> 0.2001
    assert max_normal_cents(30000, PARAMS) == 36001  # 360.01 is 0.200033 -> 0.2000


@hyp_settings(max_examples=300, deadline=None)
@given(monitored=st.integers(min_value=1, max_value=10**10),
       normal_max_e4=st.integers(min_value=0, max_value=4999))
def test_the_highest_normal_price_is_normal_and_one_cent_more_is_not(monitored, normal_max_e4):
    params = MethodParams(normal_max=Decimal(normal_max_e4).scaleb(-4))
    top = max_normal_cents(monitored, params)
    assert evaluate_price(top, monitored, params)[1] == "normal"
    assert evaluate_price(top + 1, monitored, params)[1] != "normal"


def test_the_highest_normal_price_needs_a_monitored_price():
    with pytest.raises(ValueError):
        max_normal_cents(0, PARAMS)
