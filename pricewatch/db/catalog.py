"""Suppliers, products, listings and their price history."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pricewatch.db.base import Base, Money, Rate4, utcnow


class Supplier(Base):
    """A supplier on the mall; `code` is the mall's supplier_id."""

    __tablename__ = "suppliers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")


class Product(Base):
    """A catalogue product (brand + model); `code` is the catalogue's product_id."""

    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    brand: Mapped[str] = mapped_column(String(100), default="")
    model: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(300), default="")


#: Listing states.
LISTING_ACTIVE = "active"
LISTING_DELISTED = "delisted"


class Listing(Base):
    """One product sold by one supplier at the mall price."""

    __tablename__ = "listings"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    mall_price: Mapped[Decimal] = mapped_column(Money())
    committed_discount: Mapped[Decimal] = mapped_column(Rate4(), default=Decimal("0"))
    price_effective_on: Mapped[dt.date]
    #: active, or delisted (taken off sale by the check or a lapsed deadline)
    status: Mapped[str] = mapped_column(String(16), default=LISTING_ACTIVE, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship(lazy="joined")
    supplier: Mapped[Supplier] = relationship(lazy="joined")


class ListingPrice(Base):
    """One price a listing had, from `effective_on`; the history is never rewritten."""

    __tablename__ = "listing_prices"
    __table_args__ = (Index("ix_listing_prices_listing_effective", "listing_id", "effective_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    price: Mapped[Decimal] = mapped_column(Money())
    previous_price: Mapped[Optional[Decimal]] = mapped_column(Money(), nullable=True)
    effective_on: Mapped[dt.date]
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: import, supplier, monitor, demo
    origin: Mapped[str] = mapped_column(String(16), default="import")
    changed_by: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
