"""The case workflow (METHOD.md, "After the check"): open, answer, decide, lapse, relist.

Every service flushes and never commits. Each change of state writes an Event (who, when, from,
to, before, after, reason) and, where someone has to act or learn of it, Notification rows.
The bulk services (`open_cases_for_run`, `sweep_deadlines`) touch tens of thousands of cases at
once, so they write with set-based statements and bulk inserts, not one ORM flush per case.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Iterator, Mapping, NamedTuple, Sequence

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pricewatch.config import method_params
from pricewatch.db.bulk import bulk_insert, datetime_param
from pricewatch.db.models import (
    LISTING_ACTIVE, LISTING_DELISTED, Case, CheckRun, EvidenceSubmission, Listing, ListingResult,
)
from pricewatch.domain.cases import (
    DEADLINE_STATES, OPEN_STATES, CaseAction, CaseError, CaseState, DeadlinePassed, PriceNotNormal,
    allowed_actions, is_normal_price, local_date, max_normal_cents, next_state, opening_deadline,
    opening_state, rejection_deadline, reminder_window, require_reason, within_deadline,
)
from pricewatch.domain.rounding import cents_to_decimal, deviation_e4, e4_to_decimal, to_cents
from pricewatch.services.events import record_event, to_json
from pricewatch.services.notify import (
    DELIST_REASONS, notify_monitors, notify_supplier, notify_suppliers_bulk, render,
)

#: Ids per IN (...) list, well under SQLite's limit on bound parameters.
CHUNK = 5_000
#: Why a listing goes off sale, as the event log says it.
_CAUSES = {"delist_band": "delist band at the check", "price_raised": "price raised into the delist band",
           "lapse": "deadline passed",
           "relist_withdrawn": "price raised out of the normal band while relisting was requested"}
_EVENT_COLUMNS = ["at", "actor", "entity", "entity_id", "action", "from_state", "to_state",
                  "before_json", "after_json", "reason", "case_id", "listing_id", "supplier_id"]


class OpenedCases(NamedTuple):
    """What `open_cases_for_run` did: cases opened, listings delisted."""

    opened: int
    delisted: int


@dataclass
class SweepResult:
    """What one deadline sweep did."""

    lapsed: int = 0
    delisted: int = 0
    reminded: int = 0
    lapsed_case_ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        """A one-line summary for the job log."""
        return f"{self.lapsed} cases lapsed, {self.delisted} listings delisted, {self.reminded} reminders"


# ----------------------------------------------------------------------------- small helpers

def today_of(now: dt.datetime, settings: Mapping) -> dt.date:
    """The procurement centre's calendar date at `now`."""
    return local_date(now, settings["timezone"])


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    """`items` in slices of at most `size`."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def format_rate(rate: Decimal | None) -> str:
    """A deviation rate as a percentage with 2 places: Decimal('0.2501') -> '25.01%'."""
    return "" if rate is None else f"{(rate * 100).quantize(Decimal('0.01'))}%"


def _snapshot(case: Case) -> dict[str, Any]:
    """The case fields an event records before and after a change."""
    return {"state": case.state, "is_open": case.is_open, "deadline_on": case.deadline_on,
            "lowered_price": case.lowered_price}


def _values(case: Case, listing: Listing, settings: Mapping, **extra) -> dict[str, Any]:
    """The placeholders of a notification about `case`."""
    params = method_params(settings, listing.category)
    values = {
        "case_id": case.id, "listing_code": listing.code, "listing_name": listing.name or listing.code,
        "mall_price": listing.mall_price, "monitored_price": case.monitored_price,
        "deviation_pct": format_rate(case.deviation), "deadline_on": case.deadline_on,
        "max_normal_price": cents_to_decimal(max_normal_cents(to_cents(case.monitored_price), params)),
        "supplier_name": listing.supplier.name if listing.supplier else "",
    }
    values.update(extra)
    return values


def tell_supplier(session, case, listing, kind, settings, now, **extra) -> None:
    """Notify the case's supplier with the template `kind`."""
    subject, body = render(kind, _values(case, listing, settings, **extra))
    notify_supplier(session, case.supplier_id, kind, subject, body, case.id, now=now)


def tell_monitors(session, case, listing, kind, settings, now, **extra) -> None:
    """Notify the monitors with the template `kind`."""
    subject, body = render(kind, _values(case, listing, settings, **extra))
    notify_monitors(session, kind, subject, body, case.id, now=now)


def _lock(session: Session, case: Case) -> None:
    """Reload the case under a row lock (PostgreSQL), so two decisions cannot cross."""
    if case.id is not None:
        session.refresh(case, with_for_update=True)


def _listing(session: Session, case: Case) -> Listing:
    """The case's listing."""
    return session.get(Listing, case.listing_id)


def transition(session: Session, case: Case, action: CaseAction, *, actor: str, now: dt.datetime,
               reason: str = "", changes: Mapping[str, Any] | None = None,
               extra: Mapping[str, Any] | None = None) -> CaseState:
    """Apply `action` to the case (IllegalTransition if not allowed), set `changes`, log the event."""
    new = next_state(case.state, action, case.id)
    before = _snapshot(case)
    old_state = case.state
    case.state = new.value
    for name, value in (changes or {}).items():
        setattr(case, name, value)
    if new.value not in {s.value for s in DEADLINE_STATES}:
        case.deadline_on = None
    if new not in OPEN_STATES:
        case.is_open = False
        case.closed_at = now
    after = _snapshot(case)
    after.update(extra or {})
    record_event(session, actor=actor, entity="case", entity_id=case.id, action=action.value,
                 from_state=old_state, to_state=new.value, before=before, after=after, reason=reason,
                 case_id=case.id, listing_id=case.listing_id, supplier_id=case.supplier_id, at=now)
    session.flush()
    return new


def set_listing_status(session: Session, listing: Listing, status: str, *, actor: str, now: dt.datetime,
                       reason: str = "", case_id: int | None = None) -> bool:
    """Put the listing on or off sale, logging the change; False when it already was."""
    if listing.status == status:
        return False
    old = listing.status
    listing.status = status
    listing.updated_at = now
    record_event(session, actor=actor, entity="listing", entity_id=listing.id,
                 action="delist" if status == LISTING_DELISTED else "relist", from_state=old,
                 to_state=status, before={"status": old}, after={"status": status}, reason=reason,
                 case_id=case_id, listing_id=listing.id, supplier_id=listing.supplier_id, at=now)
    return True


# ----------------------------------------------------------------------------- queries

def open_case_for_listing(session: Session, listing_id: int) -> Case | None:
    """The listing's open case, if any (there is at most one)."""
    return session.scalar(select(Case).where(Case.listing_id == listing_id, Case.is_open.is_(True)))


def cases_for_supplier(session: Session, supplier_id: int, *, open_only: bool = False,
                       states: Iterable[str] | None = None) -> list[Case]:
    """A supplier's cases, newest first."""
    query = select(Case).where(Case.supplier_id == supplier_id)
    if open_only:
        query = query.where(Case.is_open.is_(True))
    if states is not None:
        query = query.where(Case.state.in_([str(s) for s in states]))
    return list(session.scalars(query.order_by(Case.opened_at.desc(), Case.id.desc())))


def get_case_for_actor(session: Session, case_id: int, user) -> Case | None:
    """The case if `user` may see it: monitors, admins and viewers all; suppliers only their own."""
    case = session.get(Case, case_id)
    if case is None:
        return None
    if getattr(user, "role", None) == "supplier" and case.supplier_id != getattr(user, "supplier_id", None):
        return None
    return case


def evidence_for_case(session: Session, case_id: int) -> list[EvidenceSubmission]:
    """The case's evidence submissions, oldest first."""
    return list(session.scalars(select(EvidenceSubmission).where(EvidenceSubmission.case_id == case_id)
                                .order_by(EvidenceSubmission.submitted_at, EvidenceSubmission.id)))


# ----------------------------------------------------------------------------- single cases

def open_case(session: Session, listing: Listing, *, band: str, mall_price: Decimal, monitored_price: Decimal,
              deviation: Decimal, run_id: int | None, period: str, opened_by: str, actor: str,
              now: dt.datetime, settings: Mapping) -> Case:
    """Open one case for `listing` (evidence: deadline runs; delist: the listing goes off sale)."""
    params = method_params(settings, listing.category)
    state = opening_state(band)
    case = Case(listing_id=listing.id, supplier_id=listing.supplier_id, run_id=run_id, period=period,
                category=listing.category, opened_by=opened_by, state=state.value, is_open=True, opened_at=now,
                deadline_on=opening_deadline(band, today_of(now, settings), params), mall_price=mall_price,
                monitored_price=monitored_price, deviation=deviation, band=band)
    session.add(case)
    session.flush()
    record_event(session, actor=actor, entity="case", entity_id=case.id, action="open", from_state=None,
                 to_state=state.value, after={**_snapshot(case), "band": band, "mall_price": mall_price,
                                              "monitored_price": monitored_price, "deviation": deviation,
                                              "opened_by": opened_by},
                 case_id=case.id, listing_id=listing.id, supplier_id=listing.supplier_id, at=now)
    if state is CaseState.DELISTED:
        cause = "price_raised" if opened_by == "price_change" else "delist_band"
        set_listing_status(session, listing, LISTING_DELISTED, actor=actor, now=now, reason=_CAUSES[cause],
                           case_id=case.id)
        tell_supplier(session, case, listing, "delisted", settings, now, reason=DELIST_REASONS[cause])
    else:
        kind = "case_opened_by_price_change" if opened_by == "price_change" else "case_opened"
        tell_supplier(session, case, listing, kind, settings, now)
    session.flush()
    return case


def submit_evidence(session: Session, case: Case, statement: str, claimed_price: Decimal | None = None, *,
                    actor: str, now: dt.datetime, settings: Mapping) -> EvidenceSubmission:
    """Record the supplier's evidence (files are stored separately) and send it for review."""
    text = (statement or "").strip()
    if not text:
        raise CaseError("evidence needs a statement")
    if claimed_price is not None:
        cents = to_cents(claimed_price)  # exact, at most 2 places, never a float
        if cents <= 0:
            raise CaseError("the claimed price must be > 0")
        claimed_price = cents_to_decimal(cents)
    _lock(session, case)
    next_state(case.state, CaseAction.SUBMIT_EVIDENCE, case.id)
    today = today_of(now, settings)
    if not within_deadline(case.deadline_on, today):
        raise DeadlinePassed(f"case {case.id}: the deadline was {case.deadline_on}; evidence is closed")
    submission = EvidenceSubmission(case_id=case.id, statement=text, claimed_price=claimed_price,
                                    submitted_at=now, submitted_by=actor)
    session.add(submission)
    session.flush()
    transition(session, case, CaseAction.SUBMIT_EVIDENCE, actor=actor, now=now,
               extra={"submission_id": submission.id, "claimed_price": claimed_price})
    tell_monitors(session, case, _listing(session, case), "evidence_submitted", settings, now)
    session.flush()
    return submission


def accept_evidence(session: Session, case: Case, *, actor: str, now: dt.datetime, settings: Mapping,
                    note: str = "") -> Case:
    """A monitor accepts the evidence: the price stands until the next check (closed)."""
    _lock(session, case)
    transition(session, case, CaseAction.ACCEPT, actor=actor, now=now, reason=(note or "").strip())
    tell_supplier(session, case, _listing(session, case), "evidence_accepted", settings, now)
    session.flush()
    return case


def reject_evidence(session: Session, case: Case, reason: str, *, actor: str, now: dt.datetime,
                    settings: Mapping) -> Case:
    """A monitor rejects the evidence: the price must be normal within rejection_days."""
    reason = require_reason(CaseAction.REJECT, reason)
    _lock(session, case)
    listing = _listing(session, case)
    params = method_params(settings, listing.category)
    deadline = rejection_deadline(today_of(now, settings), params)
    transition(session, case, CaseAction.REJECT, actor=actor, now=now, reason=reason,
               changes={"deadline_on": deadline, "reminded_at": None})
    tell_supplier(session, case, listing, "evidence_rejected", settings, now, reason=reason.rstrip("。."))
    session.flush()
    return case


def _require_normal(case: Case, listing: Listing, settings: Mapping) -> None:
    """PriceNotNormal unless the listing's price is normal against the case's monitored price."""
    params = method_params(settings, listing.category)
    if not is_normal_price(listing.mall_price, case.monitored_price, params):
        top = cents_to_decimal(max_normal_cents(to_cents(case.monitored_price), params))
        raise PriceNotNormal(f"case {case.id}: the price {listing.mall_price} is above the normal band "
                             f"(at most {top} against the monitored price {case.monitored_price})")


def request_relisting(session: Session, case: Case, *, actor: str, now: dt.datetime, settings: Mapping,
                      note: str = "") -> Case:
    """The supplier of a delisted listing whose price is now normal asks to relist it."""
    _lock(session, case)
    next_state(case.state, CaseAction.REQUEST_RELISTING, case.id)
    listing = _listing(session, case)
    _require_normal(case, listing, settings)
    transition(session, case, CaseAction.REQUEST_RELISTING, actor=actor, now=now, reason=(note or "").strip(),
               extra={"mall_price": listing.mall_price})
    tell_monitors(session, case, listing, "relist_requested", settings, now)
    session.flush()
    return case


def approve_relisting(session: Session, case: Case, *, actor: str, now: dt.datetime, settings: Mapping,
                      note: str = "") -> Case:
    """A monitor approves: the listing is on sale again and the case closes."""
    _lock(session, case)
    next_state(case.state, CaseAction.APPROVE_RELISTING, case.id)
    listing = _listing(session, case)
    _require_normal(case, listing, settings)
    transition(session, case, CaseAction.APPROVE_RELISTING, actor=actor, now=now, reason=(note or "").strip(),
               extra={"mall_price": listing.mall_price})
    set_listing_status(session, listing, LISTING_ACTIVE, actor=actor, now=now, reason="relisting approved",
                       case_id=case.id)
    tell_supplier(session, case, listing, "relist_approved", settings, now)
    session.flush()
    return case


def deny_relisting(session: Session, case: Case, reason: str, *, actor: str, now: dt.datetime,
                   settings: Mapping) -> Case:
    """A monitor denies the relisting (with a reason): the case is delisted again."""
    reason = require_reason(CaseAction.DENY_RELISTING, reason)
    _lock(session, case)
    transition(session, case, CaseAction.DENY_RELISTING, actor=actor, now=now, reason=reason)
    tell_supplier(session, case, _listing(session, case), "relist_denied", settings, now,
                  reason=reason.rstrip("。."))
    session.flush()
    return case


def delist_case(session: Session, case: Case, listing: Listing, *, cause: str, actor: str, now: dt.datetime,
                settings: Mapping, extra: Mapping[str, Any] | None = None) -> Case:
    """Take an open case's listing off sale; `cause`: price_raised or delist_band (DELIST_REASONS)."""
    reason = _CAUSES[cause]
    transition(session, case, CaseAction.DELIST, actor=actor, now=now, reason=reason, extra=extra)
    set_listing_status(session, listing, LISTING_DELISTED, actor=actor, now=now, reason=reason, case_id=case.id)
    tell_supplier(session, case, listing, "delisted", settings, now, reason=DELIST_REASONS[cause])
    session.flush()
    return case


# ----------------------------------------------------------------------------- bulk: opening

@dataclass
class _Flag:
    """One flagged listing of a run, in exact units."""

    listing_id: int
    supplier_id: int
    band: str
    mall_cents: int
    monitored_cents: int
    deviation_e4: int


def _field(row: Any, name: str):
    """row[name] for mappings, row.name otherwise (None when absent)."""
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


def _as_flag(row: Any) -> _Flag | None:
    """A result row (dict of cents/e4 ints, or ListingResult-like with Decimals) as a _Flag."""
    band = _field(row, "band")
    if band not in ("evidence", "delist"):
        return None
    mall = _field(row, "mall_cents")
    mall = to_cents(_field(row, "mall_price")) if mall is None else int(mall)
    mon = _field(row, "monitored_cents")
    if mon is None:
        price = _field(row, "monitored_price")
        mon = None if price is None else to_cents(price)
    if mon is None or int(mon) <= 0:
        return None
    dev = _field(row, "deviation_e4")
    if dev is None:
        rate = _field(row, "deviation")
        dev = None if rate is None else int(Decimal(rate).scaleb(4))
    if dev is None:
        dev = deviation_e4(mall, int(mon))
    return _Flag(int(_field(row, "listing_id")), int(_field(row, "supplier_id")), band, mall, int(mon), int(dev))


def _results_of(session: Session, run: CheckRun) -> list[ListingResult]:
    """The run's stored results in the evidence and delist bands."""
    return list(session.scalars(select(ListingResult).where(
        ListingResult.run_id == run.id, ListingResult.band.in_(("evidence", "delist")))))


def _insert_cases(session: Session, run: CheckRun, rows: list[dict]) -> dict[int, int]:
    """Insert case rows, skipping any listing that meanwhile got an open case; listing id -> case id."""
    if not rows:
        return {}
    table = Case.__table__
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    ins = ins.on_conflict_do_nothing(index_elements=["listing_id"], index_where=table.c.is_open)
    for chunk in _chunks(rows):
        session.execute(ins, list(chunk))
    # The run's open check cases of listings that had none before: exactly the rows just inserted.
    wanted = {r["listing_id"] for r in rows}
    query = select(Case.id, Case.listing_id).where(Case.run_id == run.id, Case.is_open.is_(True),
                                                   Case.opened_by == "check")
    return {lid: cid for cid, lid in session.execute(query) if lid in wanted}


def _bulk_events(session: Session, events: Iterable[Mapping[str, Any]], now: dt.datetime, actor: str) -> int:
    """Bulk-insert event rows (dicts with the Event fields; `at` and `actor` default to now, actor)."""
    at = datetime_param(session, now)
    rows = ((at, e.get("actor", actor), e["entity"], e["entity_id"], e["action"], e.get("from_state"),
             e.get("to_state"), to_json(e.get("before")), to_json(e.get("after")), e.get("reason", ""),
             e.get("case_id"), e.get("listing_id"), e.get("supplier_id")) for e in events)
    return bulk_insert(session, "events", _EVENT_COLUMNS, rows)


def _delist_listings(session: Session, listing_ids: Sequence[int], now: dt.datetime) -> list[int]:
    """Set active listings among `listing_ids` to delisted; the ids that changed."""
    changed: list[int] = []
    for chunk in _chunks(sorted(set(listing_ids))):
        stmt = (update(Listing).where(Listing.id.in_(chunk), Listing.status == LISTING_ACTIVE)
                .values(status=LISTING_DELISTED, updated_at=now).returning(Listing.id))
        changed.extend(session.execute(stmt, execution_options={"synchronize_session": "fetch"}).scalars())
    return changed


def _listing_info(session: Session, listing_ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """listing id -> (code, name, category)."""
    out = {}
    for chunk in _chunks(sorted(set(listing_ids))):
        for lid, code, name, category in session.execute(
                select(Listing.id, Listing.code, Listing.name, Listing.category).where(Listing.id.in_(chunk))):
            out[lid] = (code, name or code, category)
    return out


def open_cases_for_run(session: Session, run: CheckRun, results: Iterable[Any] | None, now: dt.datetime,
                       settings: Mapping, *, actor: str | None = None) -> OpenedCases:
    """Open a case per evidence/delist listing of the run (unless one is open) and delist delist ones.

    `results`: dicts with listing_id, supplier_id, band, mall_cents, monitored_cents, deviation_e4,
    or ListingResult-like objects (mall_price, monitored_price, deviation); None reads the run's
    stored results. A delist result whose listing already has an open case on sale moves that case
    to delisted. Sets run.cases_opened and run.delisted, and returns them.
    """
    actor = actor or run.triggered_by or "system"
    session.flush()
    flags: dict[int, _Flag] = {}
    for row in (_results_of(session, run) if results is None else results):
        flag = _as_flag(row)
        if flag is not None:
            flags.setdefault(flag.listing_id, flag)
    open_ids = set(session.scalars(select(Case.listing_id).where(Case.is_open.is_(True))))
    new = [f for lid, f in flags.items() if lid not in open_ids]
    escalate = [lid for lid, f in flags.items() if lid in open_ids and f.band == "delist"]
    today = today_of(now, settings)
    info = _listing_info(session, [f.listing_id for f in new])
    params_of = {}
    rows = []
    for f in new:
        category = info[f.listing_id][2]
        if category not in params_of:
            params_of[category] = method_params(settings, category)
        rows.append({
            "listing_id": f.listing_id, "supplier_id": f.supplier_id, "run_id": run.id, "period": run.period,
            "category": category, "opened_by": "check", "state": opening_state(f.band).value, "is_open": True, "opened_at": now,
            "deadline_on": opening_deadline(f.band, today, params_of[category]),
            "mall_price": cents_to_decimal(f.mall_cents), "monitored_price": cents_to_decimal(f.monitored_cents),
            "deviation": e4_to_decimal(f.deviation_e4), "band": f.band,
        })
    opened = _insert_cases(session, run, rows)
    new = [f for f in new if f.listing_id in opened]
    deadline_of = {r["listing_id"]: r["deadline_on"] for r in rows}
    delisted = _delist_listings(session, [f.listing_id for f in new if f.band == "delist"], now)
    events = []
    for f in new:
        state = opening_state(f.band).value
        deadline = deadline_of[f.listing_id]
        events.append({"entity": "case", "entity_id": opened[f.listing_id], "action": "open", "to_state": state,
                       "after": {"state": state, "is_open": True, "deadline_on": deadline, "band": f.band,
                                 "mall_price": cents_to_decimal(f.mall_cents),
                                 "monitored_price": cents_to_decimal(f.monitored_cents),
                                 "deviation": e4_to_decimal(f.deviation_e4), "opened_by": "check",
                                 "run_id": run.id},
                       "case_id": opened[f.listing_id], "listing_id": f.listing_id, "supplier_id": f.supplier_id})
    for lid in delisted:
        f = flags[lid]
        events.append({"entity": "listing", "entity_id": lid, "action": "delist", "from_state": LISTING_ACTIVE,
                       "to_state": LISTING_DELISTED, "before": {"status": LISTING_ACTIVE},
                       "after": {"status": LISTING_DELISTED}, "reason": _CAUSES["delist_band"],
                       "case_id": opened[lid], "listing_id": lid, "supplier_id": f.supplier_id})
    _bulk_events(session, events, now, actor)
    notify_suppliers_bulk(session, _opening_messages(new, opened, deadline_of, info, params_of), now)
    n_delisted = len(delisted) + _escalate(session, escalate, flags, run, actor=actor, now=now, settings=settings)
    run.cases_opened, run.delisted = len(new), n_delisted
    session.flush()
    return OpenedCases(len(new), n_delisted)


def _opening_messages(new, opened, deadline_of, info, params_of):
    """(supplier_id, kind, subject, body, case_id) per opened case."""
    for f in new:
        code, name, category = info[f.listing_id]
        top = cents_to_decimal(max_normal_cents(f.monitored_cents, params_of[category]))
        values = {"case_id": opened[f.listing_id], "listing_code": code, "listing_name": name,
                  "mall_price": cents_to_decimal(f.mall_cents), "monitored_price": cents_to_decimal(f.monitored_cents),
                  "deviation_pct": format_rate(e4_to_decimal(f.deviation_e4)), "deadline_on": deadline_of[f.listing_id],
                  "max_normal_price": top}
        kind = "case_opened" if f.band == "evidence" else "case_delisted_on_open"
        subject, body = render(kind, values)
        yield f.supplier_id, kind, subject, body, opened[f.listing_id]


def _escalate(session, listing_ids, flags, run, *, actor, now, settings) -> int:
    """Delist listings in the delist band whose open case is still on sale; how many were delisted."""
    count = 0
    for lid in listing_ids:
        case = open_case_for_listing(session, lid)
        if case is None or CaseAction.DELIST not in allowed_actions(case.state):
            continue
        listing = session.get(Listing, lid)
        was_active = listing.status == LISTING_ACTIVE
        f = flags[lid]
        delist_case(session, case, listing, cause="delist_band", actor=actor, now=now, settings=settings,
                    extra={"run_id": run.id, "deviation": e4_to_decimal(f.deviation_e4),
                           "monitored_price": cents_to_decimal(f.monitored_cents)})
        count += was_active
    return count


# ----------------------------------------------------------------------------- bulk: the daily sweep

def sweep_deadlines(session: Session, today: dt.date, *, actor: str, now: dt.datetime,
                    settings: Mapping) -> SweepResult:
    """Lapse every case whose deadline passed before `today` (delisting its listing); remind the rest.

    Safe to repeat: a lapsed case is no longer in a deadline state, a reminded one has reminded_at.
    """
    session.flush()
    result = SweepResult()
    deadline_states = [s.value for s in DEADLINE_STATES]
    due = session.execute(
        select(Case.id, Case.state, Case.listing_id, Case.supplier_id, Case.deadline_on, Case.monitored_price)
        .where(Case.state.in_(deadline_states), Case.deadline_on < today)
        .order_by(Case.id)).all()
    by_id = {r.id: r for r in due}
    lapsed: list[int] = []
    for state in deadline_states:
        ids = [r.id for r in due if r.state == state]
        for chunk in _chunks(ids):
            stmt = (update(Case).where(Case.id.in_(chunk), Case.state == state, Case.deadline_on < today)
                    .values(state=CaseState.DELISTED.value, deadline_on=None).returning(Case.id))
            lapsed.extend(session.execute(stmt, execution_options={"synchronize_session": "fetch"}).scalars())
    lapsed.sort()
    delisted = set(_delist_listings(session, [by_id[c].listing_id for c in lapsed], now))
    events = []
    for cid in lapsed:
        r = by_id[cid]
        events.append({"entity": "case", "entity_id": cid, "action": CaseAction.LAPSE.value, "from_state": r.state,
                       "to_state": CaseState.DELISTED.value,
                       "before": {"state": r.state, "is_open": True, "deadline_on": r.deadline_on},
                       "after": {"state": CaseState.DELISTED.value, "is_open": True, "deadline_on": None},
                       "reason": f"deadline {r.deadline_on} passed", "case_id": cid, "listing_id": r.listing_id,
                       "supplier_id": r.supplier_id})
        if r.listing_id in delisted:
            events.append({"entity": "listing", "entity_id": r.listing_id, "action": "delist",
                           "from_state": LISTING_ACTIVE, "to_state": LISTING_DELISTED,
                           "before": {"status": LISTING_ACTIVE}, "after": {"status": LISTING_DELISTED},
                           "reason": f"case {cid}: deadline {r.deadline_on} passed", "case_id": cid,
                           "listing_id": r.listing_id, "supplier_id": r.supplier_id})
    _bulk_events(session, events, now, actor)
    info = _listing_info(session, [by_id[c].listing_id for c in lapsed])
    notify_suppliers_bulk(session, _lapse_messages(lapsed, by_id, info, settings), now)
    result.lapsed, result.delisted, result.lapsed_case_ids = len(lapsed), len(delisted), lapsed
    result.reminded = _remind(session, today, now, settings)
    session.flush()
    return result


def _lapse_messages(lapsed, by_id, info, settings):
    """(supplier_id, kind, subject, body, case_id) per lapsed case."""
    params_of: dict[str, Any] = {}
    for cid in lapsed:
        r = by_id[cid]
        code, name, category = info[r.listing_id]
        if category not in params_of:
            params_of[category] = method_params(settings, category)
        top = cents_to_decimal(max_normal_cents(to_cents(r.monitored_price), params_of[category]))
        subject, body = render("delisted", {"case_id": cid, "listing_code": code, "listing_name": name,
                                            "reason": DELIST_REASONS["lapse"], "max_normal_price": top})
        yield r.supplier_id, "delisted", subject, body, cid


def _remind(session: Session, today: dt.date, now: dt.datetime, settings: Mapping) -> int:
    """Remind, once per deadline, every case whose running deadline is within the reminder window."""
    first, last = reminder_window(today)
    due = session.execute(
        select(Case.id, Case.listing_id, Case.supplier_id, Case.deadline_on)
        .where(Case.state.in_([s.value for s in DEADLINE_STATES]), Case.reminded_at.is_(None),
               Case.deadline_on >= first, Case.deadline_on <= last).order_by(Case.id)).all()
    reminded: list[int] = []
    for chunk in _chunks([r.id for r in due]):
        stmt = (update(Case).where(Case.id.in_(chunk), Case.reminded_at.is_(None)).values(reminded_at=now)
                .returning(Case.id))
        reminded.extend(session.execute(stmt, execution_options={"synchronize_session": "fetch"}).scalars())
    done = set(reminded)
    info = _listing_info(session, [r.listing_id for r in due if r.id in done])

    def messages():
        for r in due:
            if r.id in done:
                code, name, _ = info[r.listing_id]
                subject, body = render("reminder", {"case_id": r.id, "listing_code": code, "listing_name": name,
                                                    "deadline_on": r.deadline_on,
                                                    "days_left": (r.deadline_on - today).days})
                yield r.supplier_id, "reminder", subject, body, r.id

    notify_suppliers_bulk(session, messages(), now)
    return len(reminded)
