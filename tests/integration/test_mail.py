"""The mail outbox against a real SMTP server on loopback (aiosmtpd)."""
from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import select

from pricewatch.db.models import Notification, User
from pricewatch.services.mail import deliver_pending


class _Inbox(Message):
    """Collects every message the server receives."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _user(session, name, email):
    user = User(username=name, password_hash="x", role="monitor", email=email, session_token="t")
    session.add(user)
    session.flush()
    return user


def test_pending_notifications_are_mailed_once(session, settings, smtp_server):
    inbox, port = smtp_server
    settings["mail"].update(host="127.0.0.1", port=port, sender="pricewatch@centre.example")
    with_mail = _user(session, "li", "li@example.org")
    no_mail = _user(session, "wang", "")
    session.add_all([
        Notification(user_id=with_mail.id, kind="case_opened", subject="价格核查：请提交价格证明", body="案件 7"),
        Notification(user_id=no_mail.id, kind="case_opened", subject="s", body="b"),
    ])
    session.flush()
    assert deliver_pending(session, settings) == 1
    assert deliver_pending(session, settings) == 0
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == "li@example.org" and msg["From"] == "pricewatch@centre.example"
    assert "价格核查" in str(msg["Subject"]) or "=?utf-8?" in str(msg["Subject"]).lower()
    emailed = session.scalars(select(Notification).where(Notification.emailed_at.is_not(None))).all()
    assert [n.user_id for n in emailed] == [with_mail.id]


def test_without_a_mail_host_nothing_is_sent_and_the_inbox_keeps_them(session, settings):
    user = _user(session, "li", "li@example.org")
    session.add(Notification(user_id=user.id, kind="k", subject="s", body="b"))
    session.flush()
    assert deliver_pending(session, settings) == 0
    assert session.scalars(select(Notification)).one().emailed_at is None


class _Refusing:
    """An SMTP handler that refuses every recipient."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 no such user"


def test_a_refused_message_stays_pending_for_the_next_delivery(session, settings):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings["mail"].update(host="127.0.0.1", port=port)
        user = _user(session, "li", "li@example.org")
        session.add(Notification(user_id=user.id, kind="k", subject="s", body="b"))
        session.flush()
        assert deliver_pending(session, settings) == 0
        session.expire_all()
        assert session.scalars(select(Notification)).one().emailed_at is None
    finally:
        controller.stop()
