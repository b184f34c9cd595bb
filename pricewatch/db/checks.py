"""Check runs and their stored results."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pricewatch.db.base import Base, Money, Price4, Rate4, utcnow
from pricewatch.domain.params import SOURCES


class CheckRun(Base):
    """The monthly check of one period. The unique period makes a second run impossible."""

    __tablename__ = "check_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), unique=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[Optional[dt.datetime]] = mapped_column(nullable=True)
    triggered_by: Mapped[str] = mapped_column(String(100), default="cli")
    listings_checked: Mapped[int] = mapped_column(default=0)
    quotes_used: Mapped[int] = mapped_column(default=0)
    quotes_dropped: Mapped[int] = mapped_column(default=0)
    n_insufficient: Mapped[int] = mapped_column(default=0)
    n_normal: Mapped[int] = mapped_column(default=0)
    n_evidence: Mapped[int] = mapped_column(default=0)
    n_delist: Mapped[int] = mapped_column(default=0)
    cases_opened: Mapped[int] = mapped_column(default=0)
    delisted: Mapped[int] = mapped_column(default=0)
    #: the method settings in force, as JSON, so a result can always be explained
    settings_json: Mapped[str] = mapped_column(Text, default="{}")


class ProductResult(Base):
    """One product's indicators in one run: per source quotes, kept, average, median, scale."""

    __tablename__ = "product_results"
    __table_args__ = (UniqueConstraint("run_id", "product_id", name="uq_product_results_run_product"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    n_sources: Mapped[int] = mapped_column(default=0)
    monitored_price: Mapped[Optional[Decimal]] = mapped_column(Money(), nullable=True)
    for _s in SOURCES:
        locals()[f"{_s}_n"] = mapped_column(Integer, default=0)
        locals()[f"{_s}_kept"] = mapped_column(Integer, default=0)
        #: the robust average rounded half-up to cents; NULL when the source does not count
        locals()[f"{_s}_avg"] = mapped_column(Money(), nullable=True)
        locals()[f"{_s}_median"] = mapped_column(Price4(), nullable=True)
        locals()[f"{_s}_scale"] = mapped_column(Price4(), nullable=True)
    del _s


class QuoteFlag(Base):
    """A quote dropped as an outlier in a run, with the reason (kept on record, shown)."""

    __tablename__ = "quote_flags"
    __table_args__ = (Index("ix_quote_flags_observation_run", "observation_id", "run_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id"), index=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"))
    reason: Mapped[str] = mapped_column(String(300))


class ListingResult(Base):
    """One listing's result in one run."""

    __tablename__ = "listing_results"
    __table_args__ = (
        UniqueConstraint("run_id", "listing_id", name="uq_listing_results_run_listing"),
        Index("ix_listing_results_run_band_dev", "run_id", "band", "deviation"),
        Index("ix_listing_results_run_band_mall", "run_id", "band", "mall_price"),
        Index("ix_listing_results_run_supplier", "run_id", "supplier_id"),
        Index("ix_listing_results_run_category", "run_id", "category"),
        Index("ix_listing_results_listing", "listing_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    product_id: Mapped[int] = mapped_column(Integer)
    supplier_id: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(64))
    mall_price: Mapped[Decimal] = mapped_column(Money())
    monitored_price: Mapped[Optional[Decimal]] = mapped_column(Money(), nullable=True)
    deviation: Mapped[Optional[Decimal]] = mapped_column(Rate4(), nullable=True)
    #: insufficient, normal, evidence, delist
    band: Mapped[str] = mapped_column(String(12))
