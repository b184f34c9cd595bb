"""Users, notifications, scheduled-job executions and report snapshots."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pricewatch.db.base import Base, utcnow

ROLES = ("admin", "monitor", "supplier", "viewer")


class User(Base):
    """A person who signs in. Suppliers are bound to one supplier."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16))
    supplier_id: Mapped[Optional[int]] = mapped_column(ForeignKey("suppliers.id"), nullable=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(10), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    #: rotated when the password changes, which ends the user's other sessions
    session_token: Mapped[str] = mapped_column(String(64))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[dt.datetime]] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """A message in a user's in-app inbox (and, when mail is set up, an e-mail)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    case_id: Mapped[Optional[int]] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[Optional[dt.datetime]] = mapped_column(nullable=True)
    emailed_at: Mapped[Optional[dt.datetime]] = mapped_column(nullable=True)


class JobExecution(Base):
    """One execution of a scheduled job for one key (a period, a day); unique, so exactly once."""

    __tablename__ = "job_executions"
    __table_args__ = (UniqueConstraint("job_id", "key", name="uq_job_executions_job_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(50))
    key: Mapped[str] = mapped_column(String(50))
    #: running, done, failed
    status: Mapped[str] = mapped_column(String(10), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[Optional[dt.datetime]] = mapped_column(nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")


class ReportSnapshot(Base):
    """A monthly report as it was published; regenerating makes a new version."""

    __tablename__ = "report_snapshots"
    __table_args__ = (UniqueConstraint("period", "version", name="uq_report_snapshots_period_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="system")
    content_json: Mapped[str] = mapped_column(Text)
