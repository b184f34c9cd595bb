"""Declarative base, naming convention and the exact money types."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, MetaData, types
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class _ScaledDecimal(types.TypeDecorator):
    """An exact decimal stored as a scaled 64-bit integer (never a binary float)."""

    impl = BigInteger
    cache_ok = True
    scale = 2

    def process_bind_param(self, value, dialect):
        """Decimal -> scaled int; refuses values with more places than the scale."""
        if value is None:
            return None
        if isinstance(value, int):
            raise TypeError("pass a Decimal, not an int, to a money column")
        scaled = Decimal(value).scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(scaled)

    def process_result_value(self, value, dialect):
        """Scaled int -> Decimal with exactly `scale` places."""
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.scale)


class Money(_ScaledDecimal):
    """Money in yuan with 2 places, stored as integer cents."""

    cache_ok = True
    scale = 2


class Price4(_ScaledDecimal):
    """A quoted price with up to 4 places, stored in units of 0.0001."""

    cache_ok = True
    scale = 4


class Rate4(_ScaledDecimal):
    """A rate (deviation, discount) with 4 places, stored in units of 0.0001."""

    cache_ok = True
    scale = 4


class UTCDateTime(types.TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite keeps naive text)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store as naive UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        """Read back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    """Base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime(), Decimal: Money()}
