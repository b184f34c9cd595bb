"""Price changes between checks (METHOD.md): history, the comparison with the latest check, self-check.

A new price is compared at once with the monitored price of the latest check that has one for the
listing, with the same rounding and bands: normal does nothing (except that it closes an open case
on sale, or is recorded on a delisted one); evidence opens a case unless one is open; delist takes
the listing off sale. Two callers: `change_price` (suppliers, monitors) writes the history row and
then calls `on_price_changed`; the listings importer writes its own history rows and calls it too.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from pricewatch.config import method_params
from pricewatch.db.models import Case, CheckRun, Listing, ListingPrice, ListingResult
from pricewatch.domain.cases import (
    CaseAction, CaseState, allowed_actions, evaluate_price_decimal, is_normal_price, lowering_closes,
    max_normal_cents,
)
from pricewatch.domain.rounding import cents_to_decimal, to_cents
from pricewatch.services import cases as case_service
from pricewatch.services.events import record_event

#: What `on_price_changed` did.
NOTHING, NO_REFERENCE, UNCHANGED = "nothing", "no_reference", "unchanged"
CASE_OPENED, CASE_CLOSED, DELISTED, RECORDED = "case_opened", "case_closed", "delisted", "recorded"
_UNSET = object()


@dataclass(frozen=True)
class Reference:
    """The monitored price a new price is compared with: the listing's latest check that has one."""

    run_id: int
    period: str
    monitored_price: Decimal


@dataclass(frozen=True)
class SelfCheck:
    """What a price would mean, before a supplier sets it."""

    band: str  #: insufficient when no check has a monitored price for the listing
    deviation: Decimal | None
    monitored_price: Decimal | None
    max_normal_price: Decimal | None  #: the highest price still in the normal band
    period: str | None = None  #: the check compared with


@dataclass
class PriceChangeOutcome:
    """What a price change did to the listing and its case."""

    listing_id: int
    old_price: Decimal | None
    new_price: Decimal
    action: str  #: nothing, no_reference, unchanged, case_opened, case_closed, delisted, recorded
    band: str = "insufficient"
    deviation: Decimal | None = None
    reference: Reference | None = None
    case: Case | None = None
    history: ListingPrice | None = None


def as_price(value) -> Decimal:
    """A price as a 2-place Decimal > 0 (ValueError otherwise; floats are refused)."""
    cents = to_cents(value)
    if cents <= 0:
        raise ValueError(f"a price must be > 0, not {value}")
    return cents_to_decimal(cents)


# ----------------------------------------------------------------------------- references

def _reference_query():
    """Results with a monitored price, joined to their run's period."""
    return (select(ListingResult.listing_id, ListingResult.run_id, CheckRun.period, ListingResult.monitored_price)
            .join(CheckRun, CheckRun.id == ListingResult.run_id)
            .where(ListingResult.monitored_price.is_not(None)))


def latest_reference(session: Session, listing_id: int) -> Reference | None:
    """The monitored price of the most recent check (by period) that has one for the listing."""
    row = session.execute(_reference_query().where(ListingResult.listing_id == listing_id)
                          .order_by(CheckRun.period.desc()).limit(1)).first()
    return None if row is None else Reference(row.run_id, row.period, row.monitored_price)


def latest_references(session: Session, listing_ids: Iterable[int]) -> dict[int, Reference]:
    """`latest_reference` for many listings at once (for importers); listings without one are absent."""
    out: dict[int, Reference] = {}
    ids = sorted(set(listing_ids))
    for i in range(0, len(ids), case_service.CHUNK):
        query = _reference_query().where(ListingResult.listing_id.in_(ids[i:i + case_service.CHUNK]))
        for row in session.execute(query):
            best = out.get(row.listing_id)
            if best is None or row.period > best.period:
                out[row.listing_id] = Reference(row.run_id, row.period, row.monitored_price)
    return out


# ----------------------------------------------------------------------------- self-check

def self_check(session: Session, listing: Listing, price, settings: Mapping, *,
               reference: Reference | None | object = _UNSET) -> SelfCheck:
    """The band a price would fall in against the latest check, and the highest normal price."""
    price = as_price(price)
    ref = latest_reference(session, listing.id) if reference is _UNSET else reference
    if ref is None:
        return SelfCheck("insufficient", None, None, None)
    params = method_params(settings, listing.category)
    deviation, band = evaluate_price_decimal(price, ref.monitored_price, params)
    top = cents_to_decimal(max_normal_cents(to_cents(ref.monitored_price), params))
    return SelfCheck(band, deviation, ref.monitored_price, top, ref.period)


# ----------------------------------------------------------------------------- changes

def change_price(session: Session, listing: Listing, new_price, *, actor: str, origin: str, now: dt.datetime,
                 settings: Mapping, effective_on: dt.date | None = None) -> PriceChangeOutcome:
    """Set a listing's price: a history row, the listing, the event, then `on_price_changed`."""
    new_price = as_price(new_price)
    # Lock the listing row (PostgreSQL) so that two changes of one listing run one after the other.
    old_price = session.scalar(select(Listing.mall_price).where(Listing.id == listing.id).with_for_update())
    if old_price == new_price:
        return PriceChangeOutcome(listing.id, old_price, new_price, UNCHANGED)
    effective_on = effective_on or case_service.today_of(now, settings)
    history = ListingPrice(listing_id=listing.id, price=new_price, previous_price=old_price,
                           effective_on=effective_on, changed_at=now, origin=origin, changed_by=actor)
    session.add(history)
    listing.mall_price = new_price
    listing.price_effective_on = effective_on
    listing.updated_at = now
    record_event(session, actor=actor, entity="listing", entity_id=listing.id, action="price_change",
                 before={"mall_price": old_price}, after={"mall_price": new_price, "effective_on": effective_on},
                 reason=origin, listing_id=listing.id, supplier_id=listing.supplier_id, at=now)
    session.flush()
    outcome = on_price_changed(session, listing, old_price, new_price, actor=actor, settings=settings, now=now)
    outcome.history = history
    return outcome


def on_price_changed(session: Session, listing: Listing, old_price: Decimal | None, new_price: Decimal, *,
                     actor: str, settings: Mapping, now: dt.datetime,
                     reference: Reference | None | object = _UNSET) -> PriceChangeOutcome:
    """Apply METHOD.md "Price changes between checks" to a price already written to the listing.

    `reference` may be passed (from `latest_references`) to spare a query per listing.
    """
    new_price = as_price(new_price)
    if old_price is not None and Decimal(old_price) == new_price:
        return PriceChangeOutcome(listing.id, old_price, new_price, UNCHANGED)
    ref = latest_reference(session, listing.id) if reference is _UNSET else reference
    if ref is None:
        return PriceChangeOutcome(listing.id, old_price, new_price, NO_REFERENCE)
    params = method_params(settings, listing.category)
    deviation, band = evaluate_price_decimal(new_price, ref.monitored_price, params)
    outcome = PriceChangeOutcome(listing.id, old_price, new_price, NOTHING, band, deviation, ref)
    facts = {"old_price": old_price, "new_price": new_price, "band": band, "deviation": deviation,
             "monitored_price": ref.monitored_price, "period": ref.period}
    case = case_service.open_case_for_listing(session, listing.id)
    if case is not None:
        outcome.case = case
        outcome.action = _on_open_case(session, case, listing, old_price, new_price, band, facts,
                                       actor=actor, now=now, settings=settings)
    elif band in ("evidence", "delist"):
        outcome.case = case_service.open_case(
            session, listing, band=band, mall_price=new_price, monitored_price=ref.monitored_price,
            deviation=deviation, run_id=ref.run_id, period=ref.period, opened_by="price_change",
            actor=actor, now=now, settings=settings)
        outcome.action = DELISTED if band == "delist" else CASE_OPENED
    return outcome


def _on_open_case(session: Session, case: Case, listing: Listing, old_price, new_price: Decimal, band: str,
                  facts: dict, *, actor: str, now: dt.datetime, settings: Mapping) -> str:
    """Apply a price change to the listing's open case; what was done."""
    params = method_params(settings, listing.category)
    state = CaseState(case.state)
    lowered = old_price is None or new_price < Decimal(old_price)
    normal_for_case = is_normal_price(new_price, case.monitored_price, params)
    if lowering_closes(state, new_price, case.monitored_price, params):
        case_service.transition(session, case, CaseAction.LOWER_PRICE, actor=actor, now=now,
                                changes={"lowered_price": new_price}, extra=facts)
        case_service.tell_supplier(session, case, listing, "price_lowered", settings, now, new_price=new_price)
        return CASE_CLOSED
    if state in (CaseState.DELISTED, CaseState.RELIST_REQUESTED) and normal_for_case and lowered:
        # Lowered into the normal band while off sale: recorded; relisting needs a request and approval.
        case_service.transition(session, case, CaseAction.LOWER_PRICE, actor=actor, now=now,
                                changes={"lowered_price": new_price}, extra=facts)
        return RECORDED
    if CaseAction.DELIST in allowed_actions(state) and (
            band == "delist" or (state is CaseState.RELIST_REQUESTED and not normal_for_case)):
        cause = "price_raised" if band == "delist" else "relist_withdrawn"
        case_service.delist_case(session, case, listing, cause=cause, actor=actor, now=now,
                                 settings=settings, extra=facts)
        return DELISTED
    before = {"mall_price": old_price, "lowered_price": case.lowered_price}
    if lowered:
        case.lowered_price = new_price
    record_event(session, actor=actor, entity="case", entity_id=case.id, action="price_change",
                 from_state=case.state, to_state=case.state, before=before,
                 after={**facts, "lowered_price": case.lowered_price}, case_id=case.id, listing_id=listing.id,
                 supplier_id=listing.supplier_id, at=now)
    session.flush()
    return RECORDED
