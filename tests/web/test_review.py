"""Review by monitors (evidence, relisting), evidence files for reviewers, viewers read-only, the inbox."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from pricewatch.db.models import Case, Listing, Notification
from pricewatch.services.evidence import storage_dir
from tests.conftest import BACKENDS
from tests.web.conftest import post
from tests.web.portal_fixtures import (
    PDF, PNG, count, events, form_post, notifications_of, page_text, refreshed, request_relisting,
    submit_with_files,
)


@pytest.fixture
def monitor(login_as, client):
    """The client signed in as a monitor, with the English UI."""
    login_as("monitor")
    client.get("/review/evidence?lang=en")
    return client


@pytest.fixture
def submitted(db, seeded, settings):
    """The seeded evidence-submitted case of S001 (L1006) with its statement and two files."""
    case = seeded.case["submitted"]
    submission, files = submit_with_files(db, case, settings, files=[("报价单.pdf", PDF), ("photo.png", PNG)],
                                          statement="三家电商平台同型号报价，见附件", claimed="1180.00")
    return case, submission, files


# ----------------------------------------------------------------------------- the evidence queue

def test_the_queue_lists_cases_with_evidence_the_oldest_submission_first(monitor, db, seeded, settings):
    older = dt.datetime(2026, 11, 2, 8, tzinfo=dt.timezone.utc)
    submit_with_files(db, seeded.case["open_evidence"], settings, now=dt.datetime.now(dt.timezone.utc))
    submit_with_files(db, seeded.case["submitted"], settings, now=older)
    text = page_text(monitor.get("/review/evidence"))
    assert text.index("L1006") < text.index("L1001")
    assert "L1003" not in text  # delisted: not waiting for evidence review


def test_the_review_page_shows_statement_claimed_price_indicators_files_and_a_chart(monitor, submitted):
    case, _submission, files = submitted
    text = page_text(monitor.get(f"/review/cases/{case.id}"))
    assert "三家电商平台同型号报价，见附件" in text and "¥1,180.00" in text
    for shown in ("¥800.00", "¥1,200.00", "¥1,000.00", "+25.00%"):  # index, gov, e-commerce/monitored, deviation
        assert shown in text, shown
    for record in files:
        assert f"/evidence/files/{record.id}" in text and record.sha256 in text
    assert '<img src="/evidence/files/' in text  # the PNG is previewed
    assert "<svg" in text
    assert 'id="reject-form"' in text and 'id="accept-form"' in text


def test_rejecting_without_a_reason_is_a_form_error_and_changes_nothing(monitor, db, submitted):
    case = submitted[0]
    response = post(monitor, f"/review/cases/{case.id}/reject", {"reason": "   "})
    assert response.status_code == 400 and "A reason is required." in page_text(response)
    assert refreshed(db, Case, case.id).state == "evidence_submitted"
    assert notifications_of(db, "supplier", "evidence_rejected") == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_rejecting_with_a_reason_sets_rejected_with_a_new_deadline_and_informs_the_supplier(monitor, db,
                                                                                           submitted):
    case = submitted[0]
    response = post(monitor, f"/review/cases/{case.id}/reject", {"reason": "截图未显示日期，无法核实"})
    assert response.status_code == 302
    rejected = refreshed(db, Case, case.id)
    assert rejected.state == "rejected" and rejected.is_open
    assert rejected.deadline_on > dt.date.today()
    [note] = notifications_of(db, "supplier", "evidence_rejected")
    assert "截图未显示日期，无法核实" in note.body
    [event] = events(db, case_id=case.id, action="reject")
    assert (event.actor, event.reason, event.to_state) == ("monitor", "截图未显示日期，无法核实", "rejected")


def test_accepting_closes_the_case_and_informs_the_supplier(monitor, db, submitted):
    case = submitted[0]
    assert post(monitor, f"/review/cases/{case.id}/accept", {"note": ""}).status_code == 302
    accepted = refreshed(db, Case, case.id)
    assert (accepted.state, accepted.is_open) == ("accepted", False)
    assert [n.kind for n in notifications_of(db, "supplier", "evidence_accepted")] == ["evidence_accepted"]


def test_a_decision_on_a_case_not_waiting_for_it_is_refused(monitor, db, seeded):
    case = seeded.case["open_evidence"]  # evidence requested, nothing submitted
    response = post(monitor, f"/review/cases/{case.id}/accept", {})
    assert response.status_code == 409
    assert refreshed(db, Case, case.id).state == "evidence_requested"


def test_a_review_post_without_the_csrf_token_is_refused_with_400(monitor, db, submitted):
    case = submitted[0]
    assert monitor.post(f"/review/cases/{case.id}/reject", data={"reason": "no"}).status_code == 400
    assert refreshed(db, Case, case.id).state == "evidence_submitted"


# ----------------------------------------------------------------------------- relisting

def test_the_relisting_queue_and_a_denial_that_needs_a_reason(monitor, db, seeded, settings):
    case = seeded.case["delisted"]
    request_relisting(db, case, settings)
    assert "L1003" in page_text(monitor.get("/review/relisting"))
    no_reason = post(monitor, f"/review/cases/{case.id}/deny-relisting", {"reason": ""})
    assert no_reason.status_code == 400 and "A reason is required." in page_text(no_reason)
    assert refreshed(db, Case, case.id).state == "relist_requested"
    assert post(monitor, f"/review/cases/{case.id}/deny-relisting", {"reason": "价格证明不足"}).status_code == 302
    assert refreshed(db, Case, case.id).state == "delisted"
    assert refreshed(db, Listing, case.listing_id).status == "delisted"
    assert "价格证明不足" in notifications_of(db, "supplier2", "relist_denied")[0].body


# ----------------------------------------------------------------------------- who may do what

def test_a_viewer_sees_the_review_pages_without_forms_and_every_post_is_refused(client, login_as, db, seeded,
                                                                                submitted, settings):
    case, _submission, files = submitted
    request_relisting(db, seeded.case["delisted"], settings)
    login_as("viewer")
    page = client.get(f"/review/cases/{case.id}")
    assert page.status_code == 200 and 'id="reject-form"' not in page_text(page)
    assert client.get("/review/evidence").status_code == 200
    assert client.get(f"/evidence/files/{files[0].id}").status_code == 200
    relist_case = seeded.case["delisted"].id
    for url, data in [(f"/review/cases/{case.id}/accept", {}), (f"/review/cases/{case.id}/reject", {"reason": "x"}),
                      (f"/review/cases/{relist_case}/approve-relisting", {}),
                      (f"/review/cases/{relist_case}/deny-relisting", {"reason": "x"}),
                      ("/operations/imports", {"kind": "listings"}), ("/operations/checks", {"period": "2026-08"}),
                      ("/operations/checks/run", {"period": "2026-08", "confirm": "yes"}),
                      ("/inbox/read-all", {}),
                      (f"/supplier/cases/{case.id}/price", {"new_price": "1.00"})]:
        assert post(client, url, data).status_code == 403, url
    assert refreshed(db, Case, case.id).state == "evidence_submitted"
    assert refreshed(db, Case, relist_case).state == "relist_requested"


@pytest.mark.parametrize("role", ["supplier", "other_supplier"])
def test_suppliers_cannot_open_the_review_pages(client, login_as, submitted, role):
    case = submitted[0]
    login_as(role)
    assert client.get("/review/evidence").status_code == 403
    assert client.get(f"/review/cases/{case.id}").status_code == 403
    assert post(client, f"/review/cases/{case.id}/accept", {}).status_code == 403


# ----------------------------------------------------------------------------- evidence files for reviewers

@pytest.mark.parametrize("role", ["monitor", "admin", "viewer"])
def test_reviewers_download_evidence_as_attachments(client, login_as, submitted, role):
    record = submitted[2][1]
    login_as(role)
    response = client.get(f"/evidence/files/{record.id}")
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Disposition"] == 'attachment; filename=photo.png'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_file_whose_stored_bytes_changed_is_refused_and_reported(monitor, db, submitted, settings):
    record = submitted[2][0]
    path = storage_dir(settings) / record.stored_name
    os.chmod(path, 0o640)
    path.write_bytes(PDF.replace(b"1.4", b"1.7"))
    response = monitor.get(f"/evidence/files/{record.id}")
    assert response.status_code == 409
    assert "no longer matches" in page_text(response) and "报价单.pdf" in page_text(response)
    [event] = events(db, entity="evidence", entity_id=record.id, action="integrity_failed")
    assert event.actor == "monitor" and event.case_id == record.case_id
    assert [n.kind for n in notifications_of(db, "admin", "evidence_integrity")] == ["evidence_integrity"]


def test_a_missing_file_answers_404(monitor):
    assert monitor.get("/evidence/files/999999").status_code == 404


# ----------------------------------------------------------------------------- the inbox

def test_the_inbox_lists_notifications_shows_the_unread_count_and_marks_them_read(client, login_as, db, submitted):
    case = submitted[0]
    login_as("monitor")
    post(client, f"/review/cases/{case.id}/reject", {"reason": "报价日期不在核查期内"})
    post(client, "/auth/logout")
    login_as("supplier")
    page = page_text(client.get("/inbox/?lang=en"))
    assert "报价日期不在核查期内" in page
    assert 'class="badge badge-count"' in page and ">1</span>" in page
    assert f"/supplier/cases/{case.id}" in page
    [note] = notifications_of(db, "supplier")
    assert post(client, f"/inbox/{note.id}/read", {}).status_code == 302
    assert refreshed(db, Notification, note.id).read_at is not None
    assert "badge-count" not in page_text(client.get("/inbox/"))


def test_a_user_cannot_mark_another_users_notification_read(client, login_as, db, submitted):
    login_as("monitor")
    post(client, f"/review/cases/{submitted[0].id}/accept", {})
    post(client, "/auth/logout")
    [note] = notifications_of(db, "supplier", "evidence_accepted")
    login_as("other_supplier")
    assert post(client, f"/inbox/{note.id}/read", {}).status_code == 302
    assert post(client, "/inbox/read-all", {}).status_code == 302
    assert refreshed(db, Notification, note.id).read_at is None
    assert note.subject not in page_text(client.get("/inbox/"))
    assert count(db, Notification, Notification.read_at.is_not(None)) == 0


# ----------------------------------------------------------------------------- e-mail after a decision

@pytest.fixture
def smtp_inbox():
    """An SMTP server on a free loopback port collecting what it receives: (messages, port)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Inbox(Message):
        """Keeps every message."""

        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler.messages, controller.port
    controller.stop()


def _free_port() -> int:
    """A TCP port nobody listens on (at the time of asking)."""
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_supplier_is_emailed_once_the_decision_is_committed(app, monitor, db, submitted, smtp_inbox):
    messages, port = smtp_inbox
    app.extensions["pricewatch"].settings["mail"].update(host="127.0.0.1", port=port)
    response = post(monitor, f"/review/cases/{submitted[0].id}/reject", {"reason": "报价日期不在核查期内"})
    response.close()  # the server closes the response: the outbox is sent then
    assert response.status_code == 302
    assert [m["To"] for m in messages] == ["supplier@example.org"]
    [note] = notifications_of(db, "supplier", "evidence_rejected")
    assert note.emailed_at is not None


def test_a_mail_server_that_is_down_does_not_break_the_request(app, monitor, db, submitted):
    app.extensions["pricewatch"].settings["mail"].update(host="127.0.0.1", port=_free_port())
    response = post(monitor, f"/review/cases/{submitted[0].id}/reject", {"reason": "报价日期不在核查期内"})
    response.close()
    assert response.status_code == 302
    assert refreshed(db, Case, submitted[0].id).state == "rejected"
    [note] = notifications_of(db, "supplier", "evidence_rejected")
    assert note.emailed_at is None  # still in the outbox for the next attempt
