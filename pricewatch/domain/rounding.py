"""Exact money arithmetic on integers: cents (0.01) and units of 0.0001 ("e4").

Every function here works on plain Python ints and, vectorised, on numpy int64 arrays. Nothing here
ever goes through a binary float: rounding is half away from zero (Decimal's ROUND_HALF_UP), done
with integer division and remainders.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np

#: What `deviation_e4` returns, in an array, where there is no monitored price (monitored <= 0).
#: Callers should mask on ``monitored_cents > 0`` rather than test for it.
NO_DEVIATION: int = int(np.iinfo(np.int64).min)

_CENT = Decimal("0.01")
_E4 = Decimal("0.0001")


def div_half_up(num, den):
    """num / den rounded half away from zero, exactly; den must be > 0 (ints or int64 arrays)."""
    if isinstance(num, (int, np.integer)) and isinstance(den, (int, np.integer)):
        num, den = int(num), int(den)
        if den <= 0:
            raise ValueError("div_half_up needs den > 0")
        q, r = divmod(abs(num), den)
        if 2 * r >= den:
            q += 1
        return -q if num < 0 else q
    num = np.asarray(num, dtype=np.int64)
    den = np.asarray(den, dtype=np.int64)
    mag = np.abs(num)
    q, r = np.divmod(mag, den)
    q += (2 * r >= den)
    return np.where(num < 0, -q, q)


def deviation_e4(mall_cents, monitored_cents):
    """(mall - monitored) / monitored rounded half-up to 4 places, in units of 0.0001.

    Scalars: None where monitored_cents <= 0. Arrays: NO_DEVIATION there.
    """
    if isinstance(mall_cents, (int, np.integer)) and isinstance(monitored_cents, (int, np.integer)):
        if monitored_cents <= 0:
            return None
        return div_half_up((int(mall_cents) - int(monitored_cents)) * 10000, int(monitored_cents))
    mall = np.asarray(mall_cents, dtype=np.int64)
    mon = np.asarray(monitored_cents, dtype=np.int64)
    has = mon > 0
    dev = div_half_up((mall - mon) * 10000, np.where(has, mon, 1))
    return np.where(has, dev, NO_DEVIATION)


def discount_limit_cents(reference_cents, discount_e4):
    """reference x (1 - c) rounded half-up to cents, c in units of 0.0001 (0.03 -> 300)."""
    if isinstance(reference_cents, (int, np.integer)) and isinstance(discount_e4, (int, np.integer)):
        return div_half_up(int(reference_cents) * (10000 - int(discount_e4)), 10000)
    ref = np.asarray(reference_cents, dtype=np.int64)
    disc = np.asarray(discount_e4, dtype=np.int64)
    return div_half_up(ref * (10000 - disc), 10000)


def _scaled_int(value, places: int) -> int:
    """value x 10**places as an int; ValueError if value has more decimal places than that."""
    if isinstance(value, float) or isinstance(value, bool):
        raise TypeError("money must be a Decimal, an int or a str, never a float")
    d = Decimal(value)
    if not d.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    scaled = d.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {places} decimal places")
    return int(scaled)


def to_cents(value: Decimal) -> int:
    """A money amount (at most 2 places) as an int of cents: Decimal('1144.00') -> 114400."""
    return _scaled_int(value, 2)


def to_e4(value: Decimal) -> int:
    """An amount or rate (at most 4 places) in units of 0.0001: Decimal('0.2001') -> 2001."""
    return _scaled_int(value, 4)


def cents_to_decimal(cents: int) -> Decimal:
    """An int of cents as a 2-place Decimal: 114400 -> Decimal('1144.00')."""
    return Decimal(int(cents)).scaleb(-2)


def e4_to_decimal(e4: int, places: int = 4) -> Decimal:
    """An int in units of 0.0001 as a Decimal with `places` places (rounded half-up if fewer than 4)."""
    return Decimal(int(e4)).scaleb(-4).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_deviation(e4: int | None) -> str:
    """A deviation rate as shown and exported: 2001 -> '0.2001'; '' when there is none."""
    if e4 is None or int(e4) == NO_DEVIATION:
        return ""
    return format(e4_to_decimal(e4), "f")
