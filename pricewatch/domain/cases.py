"""The case of a flagged listing (METHOD.md, "After the check"): states, transitions, deadlines.

Pure Python: the services in `pricewatch.services.cases` and `pricewatch.services.pricing` load and
store cases; every decision about what may happen to a case, and when, is made here.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Mapping
from zoneinfo import ZoneInfo

from pricewatch.domain.method import evaluate_price
from pricewatch.domain.params import MethodParams
from pricewatch.domain.rounding import deviation_e4, e4_to_decimal, to_cents

#: Days before a deadline when the supplier is reminded (once per deadline).
REMINDER_DAYS = 3


class CaseState(str, Enum):
    """Where a case stands."""

    #: The listing is in the evidence band; the supplier owes evidence by `deadline_on` (inclusive).
    EVIDENCE_REQUESTED = "evidence_requested"
    #: The supplier submitted evidence in time; a monitor has to review it (no deadline runs).
    EVIDENCE_SUBMITTED = "evidence_submitted"
    #: A monitor accepted the evidence: the price stands until the next check. Closed.
    ACCEPTED = "accepted"
    #: A monitor rejected the evidence: the price must be lowered into the normal band by
    #: `deadline_on` (decision date + rejection_days), or the listing is delisted.
    REJECTED = "rejected"
    #: The supplier lowered the price into the normal band while the listing was on sale. Closed.
    PRICE_LOWERED = "price_lowered"
    #: The listing is off sale (delist band, a lapsed deadline, or a raise into the delist band).
    DELISTED = "delisted"
    #: The delisted listing's price is back in the normal band and the supplier asked to relist it.
    RELIST_REQUESTED = "relist_requested"
    #: A monitor approved the relisting: the listing is on sale again. Closed.
    RELISTED = "relisted"

    def __str__(self) -> str:
        """The plain value, as stored."""
        return self.value


class CaseAction(str, Enum):
    """What can happen to a case."""

    #: The supplier uploads evidence (a statement, a claimed price, files).
    SUBMIT_EVIDENCE = "submit_evidence"
    #: A monitor accepts the evidence.
    ACCEPT = "accept"
    #: A monitor rejects the evidence (with a reason).
    REJECT = "reject"
    #: The listing's price is lowered into the normal band (against the case's monitored price).
    LOWER_PRICE = "lower_price"
    #: The current deadline passed without the required answer (the daily sweep).
    LAPSE = "lapse"
    #: The price was raised between checks into the delist band (or, while relisting is requested,
    #: out of the normal band): the listing is taken off sale.
    DELIST = "delist"
    #: The supplier of a delisted listing, its price lowered into the normal band, asks to relist.
    REQUEST_RELISTING = "request_relisting"
    #: A monitor approves the relisting.
    APPROVE_RELISTING = "approve_relisting"
    #: A monitor denies the relisting (with a reason).
    DENY_RELISTING = "deny_relisting"

    def __str__(self) -> str:
        """The plain value, as stored in the event log."""
        return self.value


S, A = CaseState, CaseAction

#: (state, action) -> new state. A pair not listed is an IllegalTransition. The two self-loops
#: record a lowering into the normal band that does not by itself relist a delisted listing.
TRANSITIONS: Mapping[tuple[CaseState, CaseAction], CaseState] = MappingProxyType({
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
})
del S, A

#: States in which the case is still open (at most one open case per listing).
OPEN_STATES: frozenset[CaseState] = frozenset({
    CaseState.EVIDENCE_REQUESTED, CaseState.EVIDENCE_SUBMITTED, CaseState.REJECTED,
    CaseState.DELISTED, CaseState.RELIST_REQUESTED,
})
#: States that end a case.
CLOSED_STATES: frozenset[CaseState] = frozenset(CaseState) - OPEN_STATES
#: Open states in which the listing is on sale and a lowering into the normal band closes the case.
ON_SALE_STATES: frozenset[CaseState] = frozenset({
    CaseState.EVIDENCE_REQUESTED, CaseState.EVIDENCE_SUBMITTED, CaseState.REJECTED,
})
#: States with a running deadline (deadline_on), which lapse the day after it.
DEADLINE_STATES: frozenset[CaseState] = frozenset({CaseState.EVIDENCE_REQUESTED, CaseState.REJECTED})
#: Actions that need a non-empty reason.
REASON_REQUIRED: frozenset[CaseAction] = frozenset({CaseAction.REJECT, CaseAction.DENY_RELISTING})


class CaseError(ValueError):
    """A request about a case that the rules refuse."""


class IllegalTransition(CaseError):
    """The action is not allowed in the case's current state."""

    def __init__(self, state: CaseState | str, action: CaseAction | str, case_id: int | None = None):
        """Remember what was refused and say it plainly."""
        self.state = CaseState(state)
        self.action = CaseAction(action)
        self.case_id = case_id
        who = f"case {case_id}" if case_id is not None else "the case"
        super().__init__(f"{who} is {self.state.value}; cannot {self.action.value.replace('_', ' ')}")


class DeadlinePassed(CaseError):
    """The answer came after the deadline (the deadline day itself still counts)."""


class ReasonRequired(CaseError):
    """A rejection or a denial needs a reason."""


class PriceNotNormal(CaseError):
    """The listing's price is not in the normal band (relisting needs it to be)."""


def next_state(state: CaseState | str, action: CaseAction | str, case_id: int | None = None) -> CaseState:
    """The state after `action`, or IllegalTransition."""
    state, action = CaseState(state), CaseAction(action)
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(state, action, case_id) from None


def allowed_actions(state: CaseState | str) -> frozenset[CaseAction]:
    """The actions that may happen in `state`."""
    state = CaseState(state)
    return frozenset(a for (s, a) in TRANSITIONS if s is state)


def is_open(state: CaseState | str) -> bool:
    """Whether a case in `state` is still open."""
    return CaseState(state) in OPEN_STATES


def require_reason(action: CaseAction | str, reason: str | None) -> str:
    """The stripped reason, or ReasonRequired when the action needs one and it is empty."""
    text = (reason or "").strip()
    if CaseAction(action) in REASON_REQUIRED and not text:
        raise ReasonRequired(f"{CaseAction(action).value.replace('_', ' ')} needs a reason")
    return text


# ----------------------------------------------------------------------------- opening

def opening_state(band: str) -> CaseState:
    """The state a case opens in for a listing's band (evidence or delist)."""
    if band == "evidence":
        return CaseState.EVIDENCE_REQUESTED
    if band == "delist":
        return CaseState.DELISTED
    raise ValueError(f"no case opens for band {band!r}")


def opening_deadline(band: str, opened_on: dt.date, params: MethodParams) -> dt.date | None:
    """The deadline of a case opened on `opened_on` for `band` (None: delisted, no deadline)."""
    return evidence_deadline(opened_on, params) if opening_state(band) is CaseState.EVIDENCE_REQUESTED else None


# ----------------------------------------------------------------------------- deadlines

def local_date(now: dt.datetime, timezone: str) -> dt.date:
    """The calendar date of an aware instant in the procurement centre's time zone."""
    if now.tzinfo is None:
        raise ValueError("need an aware datetime")
    return now.astimezone(ZoneInfo(timezone)).date()


def evidence_deadline(opened_on: dt.date, params: MethodParams) -> dt.date:
    """The last day to submit evidence: opened_on + evidence_days calendar days."""
    return opened_on + dt.timedelta(days=params.evidence_days)


def rejection_deadline(decided_on: dt.date, params: MethodParams) -> dt.date:
    """The last day to lower the price after a rejection: decided_on + rejection_days."""
    return decided_on + dt.timedelta(days=params.rejection_days)


def within_deadline(deadline_on: dt.date | None, today: dt.date) -> bool:
    """Whether `today` is on or before the deadline (no deadline: always)."""
    return deadline_on is None or today <= deadline_on


def lapses(state: CaseState | str, deadline_on: dt.date | None, today: dt.date) -> bool:
    """Whether the case lapses (is delisted) on `today`: a running deadline passed yesterday or earlier."""
    return CaseState(state) in DEADLINE_STATES and deadline_on is not None and today > deadline_on


def days_left(deadline_on: dt.date, today: dt.date) -> int:
    """Calendar days from today to the deadline (0 on the deadline day)."""
    return (deadline_on - today).days


def needs_reminder(state: CaseState | str, deadline_on: dt.date | None, already_reminded: bool,
                   today: dt.date, days: int = REMINDER_DAYS) -> bool:
    """Whether to remind the supplier today: a running deadline within `days`, not yet reminded."""
    return (CaseState(state) in DEADLINE_STATES and deadline_on is not None and not already_reminded
            and 0 <= days_left(deadline_on, today) <= days)


def reminder_window(today: dt.date, days: int = REMINDER_DAYS) -> tuple[dt.date, dt.date]:
    """The deadlines (first, last) that are due a reminder on `today`."""
    return today, today + dt.timedelta(days=days)


# ----------------------------------------------------------------------------- prices

def evaluate_price_decimal(mall: Decimal, monitored: Decimal | None,
                           params: MethodParams) -> tuple[Decimal | None, str]:
    """(deviation rate with 4 places or None, band) of a mall price against a monitored price."""
    dev, band = evaluate_price(to_cents(mall), None if monitored is None else to_cents(monitored), params)
    return (None if dev is None else e4_to_decimal(dev)), band


def is_normal_price(price: Decimal, monitored: Decimal, params: MethodParams) -> bool:
    """Whether `price` is in the normal band against `monitored`."""
    return evaluate_price_decimal(price, monitored, params)[1] == "normal"


def lowering_closes(state: CaseState | str, new_price: Decimal, monitored: Decimal,
                    params: MethodParams) -> bool:
    """Whether a new price closes the case as price_lowered (on sale, and now normal)."""
    return CaseState(state) in ON_SALE_STATES and is_normal_price(new_price, monitored, params)


def max_normal_cents(monitored_cents: int, params: MethodParams) -> int:
    """The highest price in cents whose deviation from `monitored_cents` is still normal.

    half_up(x) <= N  <=>  x < N + 1/2 with x = (p - m) * 10000 / m, so the largest whole p is
    m + ceil((2N + 1) m / 20000) - 1; checked against deviation_e4 so it agrees with the bands.
    """
    m = int(monitored_cents)
    if m <= 0:
        raise ValueError("need a positive monitored price")
    n = params.normal_max_e4
    num = (2 * n + 1) * m
    p = m + (-(-num // 20000)) - 1
    while deviation_e4(p + 1, m) <= n:
        p += 1
    while p > 0 and deviation_e4(p, m) > n:
        p -= 1
    return p
