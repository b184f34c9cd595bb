"""Parsing one cell: exact decimals, dates, whole numbers, codes and free text.

Each parser takes the cell's text and returns the typed value or raises `FieldError` with the
"what is wrong" part of a `line N, column NAME: what is wrong` message.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

#: A plain decimal: digits, optionally a point and more digits. No sign, exponent, NaN or Infinity.
_DECIMAL = re.compile(r"(\d+)(?:\.(\d*))?|\.(\d+)", re.ASCII)
_WHOLE = re.compile(r"\+?\d+", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
#: Integer digits allowed before the point (keeps scaled values far inside 64 bits).
MAX_INTEGER_DIGITS = 12


class FieldError(ValueError):
    """One cell's value is wrong; the message says how."""


def shown(text: str, limit: int = 40) -> str:
    """A cell's text quoted for a message, shortened when long."""
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


def text(value: str, *, max_length: int, required: bool = False) -> str:
    """Trimmed text of at most `max_length` characters; empty only if not required."""
    value = value.strip()
    if not value and required:
        raise FieldError("a value is required")
    if len(value) > max_length:
        raise FieldError(f"longer than {max_length} characters")
    return value


def scaled_decimal(value: str, places: int) -> int:
    """A decimal > 0 with at most `places` places, as an integer in units of 10**-places.

    Trailing zeros beyond `places` are accepted ("12.500" is 12.50); anything else beyond is an
    error, never rounded away. Exponents (1e3), NaN, Infinity, thousands separators and negative
    numbers are refused; a leading "+" is allowed.
    """
    value = value.strip()
    if not value:
        raise FieldError("a value is required")
    if value[0] == "-" and _DECIMAL.fullmatch(value[1:]):
        raise FieldError("must be greater than 0")
    match = _DECIMAL.fullmatch(value[1:] if value[0] == "+" else value)
    if match is None:
        raise FieldError(f"not a decimal number: {shown(value)}")
    whole, frac = (match[1], match[2] or "") if match[1] is not None else ("0", match[3])
    whole = whole.lstrip("0") or "0"
    frac = frac.rstrip("0")
    if len(frac) > places:
        raise FieldError(f"at most {places} decimal places")
    if len(whole) > MAX_INTEGER_DIGITS:
        raise FieldError(f"too large (more than {MAX_INTEGER_DIGITS} digits before the point)")
    scaled = int(whole) * 10 ** places + int(frac.ljust(places, "0") or "0")
    if scaled <= 0:
        raise FieldError("must be greater than 0")
    return scaled


def positive_decimal(value: str, places: int) -> Decimal:
    """A decimal > 0 with at most `places` places, exactly."""
    return Decimal(scaled_decimal(value, places)).scaleb(-places)


def rate(value: str, places: int = 4) -> Decimal:
    """A rate in [0, 1) with at most `places` places; empty means 0."""
    value = value.strip()
    if not value:
        return Decimal(0)
    if _DECIMAL.fullmatch(value) and Decimal(value) == 0:
        return Decimal(0)
    try:
        result = positive_decimal(value, places)
    except FieldError as exc:
        if str(exc) == "must be greater than 0":
            raise FieldError("must be at least 0 and less than 1") from None
        raise
    if result >= 1:
        raise FieldError("must be at least 0 and less than 1")
    return result


def date(value: str) -> dt.date:
    """A calendar date written YYYY-MM-DD."""
    value = value.strip()
    if not value:
        raise FieldError("a value is required")
    if not _DATE.fullmatch(value):
        raise FieldError(f"not a date in the form YYYY-MM-DD: {shown(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FieldError(f"not a valid date: {shown(value)}") from None


def positive_int(value: str) -> int:
    """A whole number > 0."""
    value = value.strip()
    if not value:
        raise FieldError("a value is required")
    if not _WHOLE.fullmatch(value):
        if value[0] == "-" and _WHOLE.fullmatch(value[1:]):
            raise FieldError("must be greater than 0")
        raise FieldError(f"not a whole number: {shown(value)}")
    if len(value.lstrip("+").lstrip("0")) > 9:
        raise FieldError("too large")
    number = int(value)
    if number <= 0:
        raise FieldError("must be greater than 0")
    return number
