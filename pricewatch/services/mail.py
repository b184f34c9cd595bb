"""The mail outbox: inbox notifications not yet e-mailed are sent through the configured SMTP server.

Sending is separate from creating notifications, so a slow or absent mail server never holds up
a check, an upload or a decision; the scheduler's sweep and the web actions call `deliver_pending`.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pricewatch.db.base import utcnow
from pricewatch.db.models import Notification, User

log = logging.getLogger(__name__)


def _connect(mail: dict) -> smtplib.SMTP:
    """An SMTP connection as configured (STARTTLS and login when set)."""
    smtp = smtplib.SMTP(mail["host"], int(mail.get("port") or 25), timeout=30)
    if mail.get("use_tls"):
        smtp.starttls()
    if mail.get("username"):
        smtp.login(mail["username"], mail.get("password", ""))
    return smtp


def deliver_pending(session: Session, settings: dict, *, now=None, limit: int = 500) -> int:
    """E-mail up to `limit` pending notifications to users with an address; returns how many were sent."""
    mail = settings.get("mail") or {}
    if not mail.get("host"):
        return 0
    rows = session.execute(
        select(Notification, User.email)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.email != "", User.is_active.is_(True))
        .order_by(Notification.id).limit(limit)
    ).all()
    if not rows:
        return 0
    sent = 0
    stamp = now or utcnow()
    with _connect(mail) as smtp:
        for notification, address in rows:
            # claim the row first, so two processes delivering at once never send it twice
            claimed = session.execute(
                update(Notification).where(Notification.id == notification.id, Notification.emailed_at.is_(None))
                .values(emailed_at=stamp).execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                continue
            message = EmailMessage()
            message["From"] = mail.get("sender") or "pricewatch@localhost"
            message["To"] = address
            message["Subject"] = notification.subject
            message.set_content(notification.body)
            try:
                smtp.send_message(message)
            except smtplib.SMTPException as exc:  # keep it pending; try again next time
                log.warning("mail to %s failed: %s", address, exc)
                session.execute(update(Notification).where(Notification.id == notification.id)
                                .values(emailed_at=None).execution_options(synchronize_session=False))
                continue
            sent += 1
    session.flush()
    return sent
