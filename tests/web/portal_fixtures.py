"""Helpers of the portal tests: evidence files, submissions made through the services, uploads.

Built on the foundation's fixtures (tests/web/conftest.py): `seeded` gives two checked months with
an open evidence case of S001 (`open_evidence`, L1001), an evidence-submitted case of S001
(`submitted`, L1006) and a delisted case of S002 (`delisted`, L1003). The user `supplier` acts for
S001 and `other_supplier` (supplier2) for S002.
"""
from __future__ import annotations

import io
import re
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pricewatch.db.base import utcnow
from pricewatch.db.models import Case, EvidenceFile, EvidenceSubmission, Event, Listing, Notification, User
from pricewatch.services import cases as case_service
from pricewatch.services import pricing
from pricewatch.services.evidence import Upload, store_files
from tests.web.conftest import csrf_token

#: The smallest content each type is recognised by.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64
HTML_AS_PDF = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
EXE_AS_PDF = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def page_text(response) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def form_post(client, url: str, data: dict | None = None, files: list[tuple[str, bytes]] | None = None,
              *, token: bool = True, field: str = "files", **kwargs):
    """A multipart POST with files [(name, bytes)] under `field`, and the CSRF token unless token=False."""
    payload: dict = dict(data or {})
    if token:
        payload.setdefault("csrf_token", csrf_token(client))
    if files is not None:
        payload[field] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(url, data=payload, content_type="multipart/form-data", **kwargs)


def submit_with_files(db, case: Case, settings, files=(("quotes.pdf", PDF),), *, statement="三家电商平台同型号报价",
                      claimed="1150.00", actor="supplier", now=None) -> tuple[EvidenceSubmission, list[EvidenceFile]]:
    """Evidence for `case` made through the services (as the upload view does), committed.

    The seeded `submitted` case is in evidence_submitted already without its submission row; for
    it the row is added directly.
    """
    case = db.get(Case, case.id)
    now = now or utcnow()
    if case.state == "evidence_submitted":
        submission = EvidenceSubmission(case_id=case.id, statement=statement, claimed_price=Decimal(claimed),
                                        submitted_at=now, submitted_by=actor)
        db.add(submission)
        db.flush()
    else:
        submission = case_service.submit_evidence(db, case, statement, Decimal(claimed), actor=actor, now=now,
                                                  settings=settings)
    records = store_files(db, case, submission, [Upload(n, d) for n, d in files], actor=actor, settings=settings,
                          now=now)
    db.commit()
    return submission, records


def request_relisting(db, case: Case, settings, new_price="2640.00", actor="supplier2") -> None:
    """Lower a delisted case's listing into the normal band and ask to relist it (through the services)."""
    case = db.get(Case, case.id)
    now = utcnow()
    pricing.change_price(db, db.get(Listing, case.listing_id), Decimal(new_price), actor=actor, origin="supplier",
                         now=now, settings=settings)
    case_service.request_relisting(db, case, actor=actor, now=now, settings=settings)
    db.commit()


def _fresh(db) -> Session:
    """A new session on the test database: it sees exactly what the requests committed."""
    return Session(db.get_bind(), expire_on_commit=False)


def refreshed(db, model, ident):
    """A row as the database has it now (loaded by a fresh session, detached)."""
    with _fresh(db) as session:
        return session.get(model, ident)


def count(db, model, *conds) -> int:
    """How many rows of `model` match."""
    with _fresh(db) as session:
        return session.scalar(select(func.count()).select_from(model).where(*conds))


def notifications_of(db, username: str, kind: str | None = None) -> list[Notification]:
    """The notifications of a user (optionally of one kind)."""
    with _fresh(db) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        query = select(Notification).where(Notification.user_id == user.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return list(session.scalars(query.order_by(Notification.id)))


def events(db, **filters) -> list[Event]:
    """Events matching the column filters."""
    with _fresh(db) as session:
        query = select(Event)
        for name, value in filters.items():
            query = query.where(getattr(Event, name) == value)
        return list(session.scalars(query.order_by(Event.id)))


def error_lines(text: str) -> list[str]:
    """The `line N, column X: ...` messages shown on an import page."""
    return re.findall(r"line \d+, column [a-z_]+: [^<]+", text)
