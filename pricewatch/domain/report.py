"""Figures of the monthly report: pure computation on plain values and numpy arrays, no database.

Definitions (METHOD.md "The monthly report"; the service `pricewatch.services.reports` gathers the
data and documents where each number comes from):

- **high-price share** = (evidence + delist) / (normal + evidence + delist), i.e. over the listings
  with a monitored price; 0.0 when there are none. A float, not rounded (renderers show percent).
- **committed discount**: an order line complies when ``unit price <= limit`` with
  ``limit = reference x (1 - c)`` rounded half-up to cents, computed on integers by
  `pricewatch.domain.rounding.discount_limit_cents`. The reference is the source average when there is
  one, else the monitored price; a line with neither is `unchecked`.
- **orders**: an order is `non_compliant` when any of its lines is; `unchecked` when none of its
  lines could be checked; `compliant` otherwise.
- **index markup** = the order-value-weighted mean of ``unit price / index price - 1`` over the lines
  whose period has an index price: ``sum(v * (u / x - 1)) / sum(v)`` with ``v = u * quantity``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pricewatch.domain.params import BANDS
from pricewatch.domain.rounding import cents_to_decimal, discount_limit_cents

#: A line's status in the committed-discount check.
LINE_COMPLIANT, LINE_NON_COMPLIANT, LINE_UNCHECKED = 0, 1, 2
LINE_STATUSES: tuple[str, ...] = ("compliant", "non_compliant", "unchecked")

#: Case states whose transitions the report counts (by the date of the event).
TRANSITION_STATES: tuple[str, ...] = (
    "evidence_submitted", "accepted", "rejected", "price_lowered", "delisted", "relisted",
)
#: Every case figure of the report, in the order it is shown.
CASE_FIGURES: tuple[str, ...] = ("opened", "opened_by_check", "opened_by_price_change") + TRANSITION_STATES

#: Where the reference of a line came from.
REFERENCE_SOURCE, REFERENCE_MONITORED = "source", "monitored"


def money(cents: int) -> str:
    """Cents as the report writes money: 114400 -> '1144.00' (exact, never a float)."""
    return format(cents_to_decimal(int(cents)), "f")


def share(part: int, whole: int) -> float:
    """part / whole as a float; 0.0 when whole is 0."""
    return float(part) / float(whole) if whole else 0.0


def with_monitored_price(bands: dict[str, int]) -> int:
    """Listings that have a monitored price: every band but `insufficient`."""
    return sum(int(bands.get(b, 0)) for b in BANDS if b != "insufficient")


def high_price_share(bands: dict[str, int]) -> float:
    """(evidence + delist) / listings with a monitored price; 0.0 when there are none."""
    return share(int(bands.get("evidence", 0)) + int(bands.get("delist", 0)), with_monitored_price(bands))


def line_references(source_cents, monitored_cents):
    """Each line's reference in cents (0: none) and whether it fell back to the monitored price."""
    src = np.asarray(source_cents, dtype=np.int64)
    mon = np.asarray(monitored_cents, dtype=np.int64)
    use_src = src > 0
    ref = np.where(use_src, src, np.where(mon > 0, mon, 0))
    return ref, (~use_src) & (mon > 0)


def classify_lines(unit_cents, reference_cents, discount_e4):
    """Each line's status (LINE_*) and limit in cents (0 where unchecked).

    Arrays of equal length: unit price and reference in cents (reference <= 0: none), committed
    discount in units of 0.0001.
    """
    unit = np.asarray(unit_cents, dtype=np.int64)
    ref = np.asarray(reference_cents, dtype=np.int64)
    disc = np.asarray(discount_e4, dtype=np.int64)
    checked = ref > 0
    limit = np.where(checked, discount_limit_cents(np.where(checked, ref, 0), disc), 0)
    status = np.where(~checked, LINE_UNCHECKED, np.where(unit <= limit, LINE_COMPLIANT, LINE_NON_COMPLIANT))
    return status.astype(np.int8), limit.astype(np.int64)


def classify_orders(order_key, status) -> dict[str, int]:
    """Count orders (lines grouped by an int `order_key`) as compliant, non-compliant or unchecked."""
    key = np.asarray(order_key, dtype=np.int64)
    st = np.asarray(status, dtype=np.int8)
    if len(key) == 0:
        return {"orders": 0, "compliant": 0, "non_compliant": 0, "unchecked": 0}
    _, inv = np.unique(key, return_inverse=True)
    n = int(inv.max()) + 1
    any_bad = np.bincount(inv, weights=(st == LINE_NON_COMPLIANT), minlength=n) > 0
    any_checked = np.bincount(inv, weights=(st != LINE_UNCHECKED), minlength=n) > 0
    bad = int(any_bad.sum())
    unchecked = int((~any_checked).sum())
    return {"orders": n, "compliant": n - bad - unchecked, "non_compliant": bad, "unchecked": unchecked}


def markup_terms(unit_cents, quantity, index_cents):
    """Per line: the order value in cents where there is an index price (else 0) and v * (u/x - 1).

    Sum both over any group and divide (see `markup_ratio`) for the weighted average.
    """
    unit = np.asarray(unit_cents, dtype=np.int64)
    qty = np.asarray(quantity, dtype=np.int64)
    idx = np.asarray(index_cents, dtype=np.int64)
    has = idx > 0
    value = np.where(has, unit * qty, 0)
    weighted = np.where(has, value.astype(np.float64) * (unit - idx) / np.where(has, idx, 1), 0.0)
    return value, weighted


def markup_ratio(weighted_sum: float, value_cents: int) -> float | None:
    """The weighted average markup rounded to 6 places; None when no line had an index price."""
    if not value_cents:
        return None
    return round(float(weighted_sum) / float(value_cents), 6)


def empty_bands() -> dict[str, int]:
    """A zero count per band."""
    return {b: 0 for b in BANDS}


@dataclass
class Tally:
    """The figures of one group (the whole report, a category, a supplier)."""

    bands: dict[str, int] = field(default_factory=empty_bands)
    cases: dict[str, int] = field(default_factory=lambda: {k: 0 for k in CASE_FIGURES})
    lines: dict[str, int] = field(default_factory=lambda: {k: 0 for k in LINE_STATUSES})
    order_value_cents: int = 0
    markup_value_cents: int = 0
    markup_weighted: float = 0.0
    savings_cents: int = 0
    savings_lines: int = 0

    @property
    def listings_checked(self) -> int:
        """Listing results counted (every band)."""
        return sum(self.bands.values())

    def is_empty(self) -> bool:
        """Whether nothing at all was counted."""
        return not (self.listings_checked or any(self.cases.values()) or any(self.lines.values())
                    or self.savings_cents or self.savings_lines)

    def figures(self) -> dict:
        """The group's figures as the report's JSON writes them."""
        lines = dict(self.lines)
        return {
            "listings_checked": self.listings_checked,
            "bands": dict(self.bands),
            "high_price_share": high_price_share(self.bands),
            "cases": dict(self.cases),
            "order_lines": {"lines": sum(lines.values()), **lines},
            "order_value": money(self.order_value_cents),
            "index_markup": markup_ratio(self.markup_weighted, self.markup_value_cents),
            "savings": money(self.savings_cents),
        }

