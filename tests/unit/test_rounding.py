"""Exact integer money helpers: rounding half-up without floats, and Decimal conversions."""
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricewatch.domain.rounding import (
    NO_DEVIATION,
    cents_to_decimal,
    deviation_e4,
    discount_limit_cents,
    div_half_up,
    e4_to_decimal,
    format_deviation,
    to_cents,
    to_e4,
)

BIG = 10**12


def decimal_half_up(num: int, den: int) -> int:
    """The reference: Decimal division quantized to an integer with ROUND_HALF_UP."""
    return int((Decimal(num) / Decimal(den)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    "num, den, expected",
    [(5, 2, 3), (-5, 2, -3), (4, 3, 1), (-4, 3, -1), (3, 2, 2), (1, 2, 1), (-1, 2, -1), (1, 3, 0), (0, 7, 0), (7, 7, 1)],
)
def test_div_half_up_rounds_halves_away_from_zero(num, den, expected):
    assert div_half_up(num, den) == expected
    assert div_half_up(np.array([num]), np.array([den])).tolist() == [expected]


@settings(max_examples=200)
@given(st.integers(-BIG, BIG), st.integers(1, 10**7))
def test_div_half_up_on_ints_agrees_with_decimal_round_half_up(num, den):
    assert div_half_up(num, den) == decimal_half_up(num, den)


@settings(max_examples=100)
@given(st.lists(st.tuples(st.integers(-BIG, BIG), st.integers(1, 10**7)), min_size=1, max_size=30))
def test_div_half_up_on_arrays_agrees_with_decimal_round_half_up(pairs):
    nums = np.array([n for n, _ in pairs], dtype=np.int64)
    dens = np.array([d for _, d in pairs], dtype=np.int64)
    assert div_half_up(nums, dens).tolist() == [decimal_half_up(n, d) for n, d in pairs]


def test_div_half_up_rejects_a_non_positive_divisor():
    with pytest.raises(ValueError):
        div_half_up(1, 0)


@pytest.mark.parametrize(
    "mall, monitored, expected",
    [
        (12000, 10000, 2000),  # exactly 0.20
        (12001, 10000, 2001),
        (12004, 10003, 2000),  # 0.2000399... rounds down to 0.2000
        (24001, 20000, 2001),  # 0.20005 exactly rounds half-up to 0.2001
        (29999, 20000, 5000),  # 0.49995 exactly rounds half-up to 0.5000
        (9500, 10000, -500),
        (10000, 10000, 0),
    ],
)
def test_deviation_is_rounded_half_up_to_four_places(mall, monitored, expected):
    assert deviation_e4(mall, monitored) == expected
    assert deviation_e4(np.array([mall]), np.array([monitored])).tolist() == [expected]


@settings(max_examples=200)
@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_deviation_agrees_with_decimal_arithmetic(mall, monitored):
    expected = ((Decimal(mall) - Decimal(monitored)) / Decimal(monitored)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )
    assert deviation_e4(mall, monitored) == to_e4(expected)


def test_deviation_without_a_monitored_price_is_none_or_the_sentinel():
    assert deviation_e4(100, 0) is None
    assert deviation_e4(100, -1) is None
    out = deviation_e4(np.array([100, 100, 12000]), np.array([-1, 0, 10000]))
    assert out.tolist() == [NO_DEVIATION, NO_DEVIATION, 2000]


@settings(max_examples=200)
@given(st.integers(0, 10**10), st.integers(0, 10000))
def test_discount_limit_agrees_with_decimal_arithmetic(reference, discount):
    expected = (Decimal(reference) * (1 - Decimal(discount) / 10000)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert discount_limit_cents(reference, discount) == int(expected)
    assert discount_limit_cents(np.array([reference]), np.array([discount])).tolist() == [int(expected)]


def test_discount_limit_rounds_a_half_cent_up():
    # 100.50 x 0.97 = 97.485 -> 97.49
    assert discount_limit_cents(10050, 300) == 9749


def test_to_cents_and_to_e4_are_exact_and_refuse_extra_places():
    assert to_cents(Decimal("1144.00")) == 114400
    assert to_cents(Decimal("-0.01")) == -1
    assert to_cents("12.5") == 1250
    assert to_e4(Decimal("0.2001")) == 2001
    assert to_e4(Decimal("1144.0000")) == 11440000
    with pytest.raises(ValueError):
        to_cents(Decimal("0.001"))
    with pytest.raises(ValueError):
        to_e4(Decimal("0.00001"))
    with pytest.raises(ValueError):
        to_cents(Decimal("NaN"))
    with pytest.raises(TypeError):
        to_cents(0.1)


def test_decimal_conversions_keep_their_places():
    assert str(cents_to_decimal(114400)) == "1144.00"
    assert str(cents_to_decimal(-5)) == "-0.05"
    assert str(e4_to_decimal(2001)) == "0.2001"
    assert str(e4_to_decimal(11440050, places=2)) == "1144.01"
    assert str(e4_to_decimal(0)) == "0.0000"


def test_format_deviation_shows_four_places_or_nothing():
    assert format_deviation(2001) == "0.2001"
    assert format_deviation(-500) == "-0.0500"
    assert format_deviation(123456) == "12.3456"
    assert format_deviation(None) == ""
    assert format_deviation(NO_DEVIATION) == ""


@settings(max_examples=100)
@given(st.integers(-(10**12), 10**12))
def test_cents_round_trip_through_decimal(cents):
    assert to_cents(cents_to_decimal(cents)) == cents
    assert to_e4(e4_to_decimal(cents)) == cents
