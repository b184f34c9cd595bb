"""Evidence files: type by content, size limit, write-once, safe names, integrity on read."""
from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import select

from pricewatch.db.models import Case, EvidenceSubmission, Event
from pricewatch.services.checks import run_check
from pricewatch.services.evidence import (
    EvidenceError, EvidenceTampered, Upload, read_file, safe_display_name, storage_dir, store_files,
)
from tests.integration.test_check_run import BASIC_LISTINGS, BASIC_QUOTES, NOW, seed_month

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64


@pytest.fixture
def case_and_submission(session_factory, settings):
    with session_factory() as s:
        seed_month(s, BASIC_LISTINGS, BASIC_QUOTES)
    run_check(session_factory, settings, "2026-10", now=NOW)
    s = session_factory()
    case = s.scalars(select(Case).where(Case.state == "evidence_requested")).one()
    sub = EvidenceSubmission(case_id=case.id, statement="quotes attached", submitted_by="sup")
    s.add(sub)
    s.flush()
    yield s, case, sub
    s.rollback()
    s.close()


def test_files_are_stored_under_server_names_with_their_hash(case_and_submission, settings):
    s, case, sub = case_and_submission
    files = store_files(s, case, sub, [Upload("../../etc/passwd.pdf", PDF), Upload("photo.png", PNG)],
                        actor="sup", settings=settings)
    assert [f.content_type for f in files] == ["application/pdf", "image/png"]
    assert files[0].original_name == "passwd.pdf"
    for f in files:
        path = storage_dir(settings) / f.stored_name
        assert path.parent == storage_dir(settings) and path.exists()
        assert oct(path.stat().st_mode & 0o777) == "0o440"
    assert read_file(s, files[0], actor="monitor", settings=settings) == PDF
    assert s.scalar(select(Event).where(Event.action == "file_uploaded").limit(1)) is not None


@pytest.mark.parametrize("name, data", [
    ("invoice.pdf", b"<html><script>alert(1)</script></html>"),
    ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200),
    ("data.zip.xlsx", b"PK\x03\x04" + b"\x00" * 100),
])
def test_a_file_whose_content_is_not_an_allowed_type_is_refused(case_and_submission, settings, name, data):
    s, case, sub = case_and_submission
    with pytest.raises(EvidenceError) as info:
        store_files(s, case, sub, [Upload(name, data)], actor="sup", settings=settings)
    assert info.value.status == 415
    assert list(storage_dir(settings).iterdir()) == []


def test_an_oversized_file_is_refused_with_413_and_nothing_is_written(case_and_submission, settings):
    s, case, sub = case_and_submission
    settings["uploads"]["max_file_mb"] = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(EvidenceError) as info:
        store_files(s, case, sub, [Upload("ok.pdf", PDF), Upload("big.pdf", big)], actor="sup", settings=settings)
    assert info.value.status == 413
    assert list(storage_dir(settings).iterdir()) == []


def test_an_altered_file_is_refused_on_read_and_reported(case_and_submission, settings):
    s, case, sub = case_and_submission
    (record,) = store_files(s, case, sub, [Upload("a.pdf", PDF)], actor="sup", settings=settings)
    path = storage_dir(settings) / record.stored_name
    os.chmod(path, 0o640)
    path.write_bytes(PDF.replace(b"1.4", b"1.5"))
    with pytest.raises(EvidenceTampered):
        read_file(s, record, actor="monitor", settings=settings)
    event = s.scalars(select(Event).where(Event.action == "integrity_failed")).one()
    assert event.entity_id == record.id and event.case_id == case.id


@pytest.mark.parametrize("given, shown", [
    ("..\\..\\windows\\evil.pdf", "evil.pdf"), ("a\x00b.pdf", "ab.pdf"), ("...", "file"),
    ("报价单.pdf", "报价单.pdf"), ('x"<script>.pdf', "xscript.pdf"),
])
def test_display_names_lose_paths_and_control_characters(given, shown):
    assert safe_display_name(given) == shown
