"""Evidence files for download: only to the owning supplier and to monitors, admins and viewers.

Files are always sent as attachments (never rendered by the browser as a page), with `nosniff`,
a sandboxing Content-Security-Policy and the RFC 5987 `filename*` for non-ASCII names. Every read
verifies the stored SHA-256 (pricewatch.services.evidence.read_file); a file whose bytes changed is
refused with 409 and the refusal stays in the event log.
"""
from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user

from pricewatch.db.models import Case, EvidenceFile
from pricewatch.services.evidence import EvidenceTampered, read_file
from pricewatch.web import db_session, runtime
from pricewatch.web.portal.common import actor
from pricewatch.web.security import current_supplier_id, restrict_blueprint

bp = Blueprint("evidence", __name__, url_prefix="/evidence")
FILE_ROLES = ("supplier", "monitor", "admin", "viewer")
restrict_blueprint(bp, *FILE_ROLES)


def visible_file(file_id: int) -> EvidenceFile:
    """The file if the signed-in user may have it, else 404 (another supplier's file does not exist)."""
    session = db_session()
    record = session.get(EvidenceFile, file_id)
    if record is None:
        abort(404)
    if current_user.role == "supplier":
        case = session.get(Case, record.case_id)
        if case is None or case.supplier_id != current_supplier_id():
            abort(404)
    return record


@bp.get("/files/<int:file_id>")
def download(file_id: int):
    """One evidence file, verified against its SHA-256, as an attachment."""
    record = visible_file(file_id)
    session = db_session()
    try:
        data = read_file(session, record, actor=actor(), settings=runtime().settings)
    except EvidenceTampered:
        # The refusal (event and monitor notification) must survive the error status, which
        # otherwise rolls the request back: commit it here.
        session.commit()
        return render_template("portal/evidence_tampered.html", record=record), 409
    response = send_file(io.BytesIO(data), mimetype=record.content_type, as_attachment=True,
                         download_name=record.original_name, max_age=0, etag=False, last_modified=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
