"""Evidence files: kept outside the web root under server-made names, write-once, verified.

- The type is decided by the content (magic bytes), never by the name or the browser's claim.
- Each file is written with exclusive creation under a random name and made read-only; a supplier
  can add files to a case but never replace or delete one.
- The SHA-256 is stored; every read recomputes it and refuses a file whose bytes changed
  (the refusal is written to the event log and the monitors are told).
"""
from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype
from sqlalchemy.orm import Session

from pricewatch.config import INSTANCE_DIR
from pricewatch.db.base import utcnow
from pricewatch.db.models import Case, EvidenceFile, EvidenceSubmission
from pricewatch.services.events import record_event

_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


class EvidenceError(ValueError):
    """An uploaded file is refused (too large, wrong type, empty)."""

    def __init__(self, message: str, status: int = 400):
        """Keep the HTTP status the web layer should answer with."""
        super().__init__(message)
        self.status = status


class EvidenceTampered(RuntimeError):
    """A stored file's bytes no longer match its SHA-256."""


@dataclass(frozen=True)
class Upload:
    """One file as received: the name the client gave and its bytes."""

    filename: str
    data: bytes


def storage_dir(settings: dict) -> Path:
    """Where evidence files live (outside the web root)."""
    configured = settings.get("uploads", {}).get("directory") or ""
    path = Path(configured) if configured else INSTANCE_DIR / "evidence"
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_display_name(name: str) -> str:
    """The client's file name reduced to a harmless display name (no path, no control characters)."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable() and ch not in '/\\"<>')
    base = base.strip(". ") or "file"
    return base[:200]


def detect_type(data: bytes, settings: dict) -> str:
    """The content type of `data` by its magic bytes, if it is an allowed one."""
    allowed = settings.get("uploads", {}).get("allowed_types") or list(_EXTENSIONS)
    mime = filetype.guess_mime(data[:8192]) if data else None
    if mime == "application/pdf" and not data.startswith(b"%PDF-"):
        mime = None
    if mime not in allowed or mime not in _EXTENSIONS:
        raise EvidenceError("only PDF, JPEG, PNG and XLSX files are accepted (checked by content)", 415)
    return mime


def check_upload(upload: Upload, settings: dict) -> str:
    """Validate one upload (size, non-empty, type); returns its content type."""
    limit = int(settings.get("uploads", {}).get("max_file_mb", 20)) * 1024 * 1024
    if not upload.data:
        raise EvidenceError(f"{safe_display_name(upload.filename)}: the file is empty")
    if len(upload.data) > limit:
        raise EvidenceError(f"{safe_display_name(upload.filename)}: larger than {limit // (1024 * 1024)} MB", 413)
    return detect_type(upload.data, settings)


def store_files(session: Session, case: Case, submission: EvidenceSubmission, uploads: list[Upload], *,
                actor: str, settings: dict, now=None) -> list[EvidenceFile]:
    """Check every upload first, then write each write-once and record it; all or nothing."""
    types = [check_upload(u, settings) for u in uploads]
    directory = storage_dir(settings)
    now = now or utcnow()
    written: list[Path] = []
    records = []
    try:
        for upload, mime in zip(uploads, types):
            stored = secrets.token_hex(16) + _EXTENSIONS[mime]
            path = directory / stored
            with open(path, "xb") as fh:  # exclusive: never overwrites
                fh.write(upload.data)
                fh.flush()
                os.fsync(fh.fileno())
            written.append(path)
            os.chmod(path, 0o440)
            record = EvidenceFile(submission_id=submission.id, case_id=case.id,
                                  original_name=safe_display_name(upload.filename), stored_name=stored,
                                  content_type=mime, size=len(upload.data),
                                  sha256=hashlib.sha256(upload.data).hexdigest(), uploaded_at=now)
            session.add(record)
            records.append(record)
        session.flush()
    except BaseException:
        for path in written:  # the database row never existed; the transaction is rolled back
            path.unlink(missing_ok=True)
        raise
    for record in records:
        record_event(session, actor=actor, entity="evidence", entity_id=record.id, action="file_uploaded",
                     after={"name": record.original_name, "type": record.content_type, "size": record.size,
                            "sha256": record.sha256},
                     case_id=case.id, listing_id=case.listing_id, supplier_id=case.supplier_id, at=now)
    return records


def read_file(session: Session, record: EvidenceFile, *, actor: str, settings: dict) -> bytes:
    """The stored bytes of `record`, verified against its SHA-256 (refused and reported if altered)."""
    path = storage_dir(settings) / record.stored_name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != record.sha256:
        case = session.get(Case, record.case_id)
        record_event(session, actor=actor, entity="evidence", entity_id=record.id, action="integrity_failed",
                     before={"sha256": record.sha256},
                     after={"sha256": hashlib.sha256(data).hexdigest() if data is not None else "missing"},
                     reason="stored file does not match its SHA-256",
                     case_id=record.case_id, listing_id=case.listing_id if case else None,
                     supplier_id=case.supplier_id if case else None)
        try:
            from pricewatch.services.notify import notify_monitors

            notify_monitors(session, "evidence_integrity", "证据文件校验失败",
                            f"案件 {record.case_id} 的证据文件 {record.original_name} 与存档的 SHA-256 不符，已拒绝下载。",
                            case_id=record.case_id)
        except (ImportError, TypeError):
            pass
        raise EvidenceTampered(f"evidence file {record.id} ({record.original_name}) failed its integrity check")
    return data
