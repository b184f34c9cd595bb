"""Price quotes, order lines and import batches."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pricewatch.db.base import Base, Money, Price4, utcnow


class ImportBatch(Base):
    """One imported file: what, by whom, how many rows and how many were new."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(300))
    rows: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    imported_by: Mapped[str] = mapped_column(String(100), default="cli")
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Observation(Base):
    """One price quote for a product from one source on one date."""

    __tablename__ = "observations"
    __table_args__ = (
        # A quote is the same when all of these are equal (INTERFACE.md): re-imports add none.
        # observed_on leads so that the check's period scan is a range scan of this (covering) index.
        UniqueConstraint("observed_on", "product_id", "source", "price", "origin",
                         name="uq_observations_quote"),
        Index("ix_observations_product_observed", "product_id", "observed_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    #: index, gov, ecommerce, retail
    source: Mapped[str] = mapped_column(String(10))
    price: Mapped[Decimal] = mapped_column(Price4())
    observed_on: Mapped[dt.date]
    origin: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    batch_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)


class OrderLine(Base):
    """One line of a mall order."""

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_code", "line_no", name="uq_order_lines_order_line"),
        Index("ix_order_lines_ordered_on", "ordered_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_code: Mapped[str] = mapped_column(String(64))
    line_no: Mapped[int] = mapped_column(default=1)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    buyer_code: Mapped[str] = mapped_column(String(64), default="")
    ordered_on: Mapped[dt.date]
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Money())
    batch_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
