"""Small helpers shared by the portal's views."""
from __future__ import annotations

import logging

from flask import after_this_request, current_app, request
from flask_login import current_user

from pricewatch.services.mail import deliver_pending
from pricewatch.web import runtime

log = logging.getLogger(__name__)


def page_arg() -> int:
    """The ?page= number (1 when absent or bad)."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def page_size() -> int:
    """Rows per page (settings web.page_size)."""
    return int(current_app.config.get("PAGE_SIZE", 50))


def actor() -> str:
    """Who acts, as the event log records it: the signed-in user's name."""
    return current_user.username


def deliver_mail_after_response() -> None:
    """Send pending e-mail once the response is out (and committed); a mail failure never breaks a request."""
    rt = runtime()
    if not (rt.settings.get("mail") or {}).get("host"):
        return

    def deliver() -> None:
        """Open a session of its own, send, commit what was sent."""
        try:
            with rt.session_factory() as session:
                deliver_pending(session, rt.settings)
                session.commit()
        except Exception:  # noqa: BLE001 - mail is best effort; the outbox keeps what was not sent
            log.exception("sending pending notifications failed; they stay in the outbox")

    @after_this_request
    def _attach(response):
        """Run the delivery when the server closes the response (after the request's commit)."""
        response.call_on_close(deliver)
        return response
