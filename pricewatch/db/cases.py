"""Cases of flagged listings, evidence, and the event log."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from pricewatch.db.base import Base, Money, Rate4, utcnow


class Case(Base):
    """The follow-up of one flagged listing (states: pricewatch.domain.cases.CaseState)."""

    __tablename__ = "cases"
    __table_args__ = (
        # At most one open case per listing, enforced by the database.
        Index("uq_cases_open_listing", "listing_id", unique=True,
              sqlite_where=text("is_open"), postgresql_where=text("is_open")),
        Index("ix_cases_state_deadline", "state", "deadline_on"),
        Index("ix_cases_supplier", "supplier_id", "is_open"),
        Index("ix_cases_listing", "listing_id"),
        # The cases list walks one of these in its order (pricewatch.services.queries.cases_page).
        Index("ix_cases_open_deadline", "is_open", "deadline_on", "id"),
        Index("ix_cases_state_opened", "state", "opened_at", "id"),
        Index("ix_cases_period_state", "period", "state", "opened_at", "id"),
        Index("ix_cases_opened", "opened_at", "id"),
        Index("ix_cases_category_open_deadline", "category", "is_open", "deadline_on", "id"),
        Index("ix_cases_category_opened", "category", "opened_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("check_runs.id"), nullable=True, index=True)
    period: Mapped[str] = mapped_column(String(7))
    #: the listing's category when the case opened (the cases list filters by it)
    category: Mapped[str] = mapped_column(String(64))
    #: check (opened by the monthly check) or price_change (a raise between checks)
    opened_by: Mapped[str] = mapped_column(String(16), default="check")
    state: Mapped[str] = mapped_column(String(24))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(nullable=True)
    deadline_on: Mapped[Optional[dt.date]] = mapped_column(nullable=True)
    mall_price: Mapped[Decimal] = mapped_column(Money())
    monitored_price: Mapped[Decimal] = mapped_column(Money())
    deviation: Mapped[Decimal] = mapped_column(Rate4())
    band: Mapped[str] = mapped_column(String(12))
    #: the price the supplier lowered to, when it did
    lowered_price: Mapped[Optional[Decimal]] = mapped_column(Money(), nullable=True)
    reminded_at: Mapped[Optional[dt.datetime]] = mapped_column(nullable=True)


class Event(Base):
    """The event log: every change of state, price, evidence and user, never deleted."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_entity", "entity", "entity_id"),
        Index("ix_events_at", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: who: a user name, or "system" / "scheduler" / "cli"
    actor: Mapped[str] = mapped_column(String(100))
    #: case, listing, user, evidence, import, check
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[Optional[str]] = mapped_column(String(24), nullable=True)
    to_state: Mapped[Optional[str]] = mapped_column(String(24), nullable=True)
    before_json: Mapped[str] = mapped_column(Text, default="{}")
    after_json: Mapped[str] = mapped_column(Text, default="{}")
    reason: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True, index=True)
    listing_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True, index=True)
    supplier_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True, index=True)


class EvidenceSubmission(Base):
    """A supplier's answer to a case: a statement, the price it claims is fair, files."""

    __tablename__ = "evidence_submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    claimed_price: Mapped[Optional[Decimal]] = mapped_column(Money(), nullable=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_by: Mapped[str] = mapped_column(String(100))


class EvidenceFile(Base):
    """One uploaded file, write-once, stored under a server-made name, with its SHA-256."""

    __tablename__ = "evidence_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("evidence_submissions.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(300))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
