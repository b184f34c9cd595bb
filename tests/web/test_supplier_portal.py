"""The supplier portal: own cases and listings only, evidence upload, lowering a price, relisting, self-check."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from pricewatch.db.models import Case, EvidenceFile, EvidenceSubmission, Listing, ListingPrice
from pricewatch.services.evidence import storage_dir
from tests.conftest import BACKENDS
from tests.web.conftest import post
from tests.web.portal_fixtures import (
    EXE_AS_PDF, HTML_AS_PDF, PDF, PNG, count, events, form_post, notifications_of, page_text, refreshed,
    submit_with_files,
)


both_backends = pytest.mark.parametrize("backend", BACKENDS)


@pytest.fixture
def settings(settings):
    """Evidence files of at most 1 MB, so that the size limit is cheap to test."""
    settings["uploads"]["max_file_mb"] = 1
    return settings


@pytest.fixture
def supplier(login_as, client):
    """The client signed in as the supplier of S001, with the English UI."""
    login_as("supplier")
    client.get("/supplier/?lang=en")
    return client


def _urls(seeded, file_id: int) -> tuple[list[str], list[str]]:
    """(GET, POST) URLs of S001's objects: listing, case, and an evidence file."""
    case, listing = seeded.case["open_evidence"], seeded.listing["L1001"]
    gets = [f"/supplier/listings/{listing.id}", f"/supplier/listings/{listing.id}?price=1100",
            f"/supplier/cases/{case.id}", f"/evidence/files/{file_id}"]
    posts = [f"/supplier/cases/{case.id}/evidence", f"/supplier/cases/{case.id}/price",
             f"/supplier/cases/{case.id}/relist"]
    return gets, posts


# ----------------------------------------------------------------------------- isolation

def test_every_route_and_file_of_another_supplier_answers_404(client, seeded, login_as, settings, db):
    _sub, files = submit_with_files(db, seeded.case["submitted"], settings)
    gets, posts = _urls(seeded, files[0].id)
    login_as("other_supplier")
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        response = form_post(client, url, {"statement": "x", "new_price": "1.00"}, [("a.pdf", PDF)])
        assert response.status_code == 404, url
    case = refreshed(db, Case, seeded.case["open_evidence"].id)
    assert case.state == "evidence_requested" and refreshed(db, Listing, case.listing_id).mall_price == Decimal("1300.00")


def test_the_lists_show_only_the_suppliers_own_cases_and_listings(supplier, seeded):
    cases = page_text(supplier.get("/supplier/"))
    listings = page_text(supplier.get("/supplier/listings"))
    assert "L1001" in cases and "L1006" in cases
    assert "L1003" not in cases and "L1002" not in cases
    assert "L1001" in listings and "L1006" in listings
    for other in ("L1002", "L1003", "L1004", "L1005"):
        assert other not in listings


@pytest.mark.parametrize("role", ["monitor", "admin", "viewer"])
def test_other_roles_cannot_open_the_supplier_portal(client, seeded, login_as, role):
    login_as(role)
    assert client.get("/supplier/").status_code == 403
    assert client.get(f"/supplier/cases/{seeded.case['open_evidence'].id}").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, seeded):
    response = client.get("/supplier/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# ----------------------------------------------------------------------------- what a case shows

def test_an_open_case_shows_the_five_indicators_and_the_days_left(supplier, seeded):
    text = page_text(supplier.get(f"/supplier/cases/{seeded.case['open_evidence'].id}"))
    for shown in ("¥1,005.00", "¥997.50", "¥990.00", "¥1,020.00", "¥1,003.13", "+29.59%"):
        assert shown in text, shown
    assert "3 days left" in text
    assert "¥1,203.80" in text  # the highest normal price against 1003.13


def test_the_case_list_shows_each_open_case_with_its_indicators_and_deadline(supplier, seeded):
    text = page_text(supplier.get("/supplier/"))
    assert "¥1,005.00" in text and "¥1,003.13" in text and "+29.59%" in text
    assert "3 days left" in text


def test_the_portal_speaks_chinese_by_default(client, seeded, login_as):
    login_as("supplier")
    text = page_text(client.get(f"/supplier/cases/{seeded.case['open_evidence'].id}"))
    assert "提交价格证明" in text and "还剩 3 天" in text


# ----------------------------------------------------------------------------- evidence

@both_backends
def test_evidence_with_several_files_sends_the_case_to_review(supplier, seeded, db, settings):
    case = seeded.case["open_evidence"]
    response = form_post(supplier, f"/supplier/cases/{case.id}/evidence",
                         {"statement": "京东、天猫同型号报价见附件", "claimed_price": "1280.00"},
                         [("报价单.pdf", PDF), ("screenshot.png", PNG)])
    assert response.status_code == 302
    assert refreshed(db, Case, case.id).state == "evidence_submitted"
    submission = db.scalars(select(EvidenceSubmission).where(EvidenceSubmission.case_id == case.id)).one()
    assert submission.claimed_price == Decimal("1280.00") and submission.submitted_by == "supplier"
    files = db.scalars(select(EvidenceFile).where(EvidenceFile.case_id == case.id).order_by(EvidenceFile.id)).all()
    assert [(f.original_name, f.content_type) for f in files] == [("报价单.pdf", "application/pdf"),
                                                                 ("screenshot.png", "image/png")]
    assert [n.kind for n in notifications_of(db, "monitor")] == ["evidence_submitted"]
    assert "Your evidence (2 files) has been submitted" in page_text(supplier.get(response.headers["Location"]))


def test_evidence_without_a_statement_or_a_file_is_an_error(supplier, seeded, db):
    case = seeded.case["open_evidence"]
    no_statement = form_post(supplier, f"/supplier/cases/{case.id}/evidence", {"statement": "  "}, [("a.pdf", PDF)])
    no_file = form_post(supplier, f"/supplier/cases/{case.id}/evidence", {"statement": "见附件"}, [])
    assert no_statement.status_code == 400 and "Write a statement" in page_text(no_statement)
    assert no_file.status_code == 400 and "Choose at least one file" in page_text(no_file)
    assert refreshed(db, Case, case.id).state == "evidence_requested"
    assert count(db, EvidenceSubmission) == 0


def test_a_post_without_the_csrf_token_is_refused_with_400(supplier, seeded, db):
    case = seeded.case["open_evidence"]
    evidence = form_post(supplier, f"/supplier/cases/{case.id}/evidence", {"statement": "x"}, [("a.pdf", PDF)],
                         token=False)
    price = supplier.post(f"/supplier/cases/{case.id}/price", data={"new_price": "1100.00"})
    assert evidence.status_code == 400 and price.status_code == 400
    assert refreshed(db, Case, case.id).state == "evidence_requested"
    assert refreshed(db, Listing, case.listing_id).mall_price == Decimal("1300.00")


def test_a_file_over_the_size_limit_is_refused_with_413_and_nothing_is_stored(supplier, seeded, db, settings):
    case = seeded.case["open_evidence"]
    big = PDF + b"0" * (1024 * 1024)  # just over 1 MB
    response = form_post(supplier, f"/supplier/cases/{case.id}/evidence", {"statement": "见附件"},
                         [("small.pdf", PDF), ("big.pdf", big)])
    assert response.status_code == 413
    assert "big.pdf is larger than 1 MB" in page_text(response)
    assert refreshed(db, Case, case.id).state == "evidence_requested"
    assert count(db, EvidenceFile) == 0 and list(storage_dir(settings).iterdir()) == []


def test_a_request_over_the_whole_upload_limit_is_refused_with_413(supplier, seeded, db, app):
    case = seeded.case["open_evidence"]
    huge = b"%PDF-" + b"0" * app.config["MAX_CONTENT_LENGTH"]
    response = form_post(supplier, f"/supplier/cases/{case.id}/evidence", {"statement": "见附件"}, [("huge.pdf", huge)])
    assert response.status_code == 413
    assert refreshed(db, Case, case.id).state == "evidence_requested"


@pytest.mark.parametrize("content", [HTML_AS_PDF, EXE_AS_PDF], ids=["html", "executable"])
def test_a_pdf_that_is_really_something_else_is_refused(supplier, seeded, db, settings, content):
    case = seeded.case["open_evidence"]
    response = form_post(supplier, f"/supplier/cases/{case.id}/evidence", {"statement": "见附件"},
                         [("invoice.pdf", content)])
    assert response.status_code == 415
    assert "invoice.pdf is not a PDF, JPEG, PNG or XLSX file" in page_text(response)
    assert refreshed(db, Case, case.id).state == "evidence_requested"
    assert count(db, EvidenceFile) == 0 and list(storage_dir(settings).iterdir()) == []


def test_a_file_name_with_dot_dots_is_stored_safely_under_a_server_made_name(supplier, seeded, db, settings, tmp_path):
    case = seeded.case["open_evidence"]
    response = form_post(supplier, f"/supplier/cases/{case.id}/evidence", {"statement": "见附件"},
                         [("../../../outside.pdf", PDF)])
    assert response.status_code == 302
    record = db.scalars(select(EvidenceFile)).one()
    assert record.original_name == "outside.pdf"
    assert "/" not in record.stored_name and ".." not in record.stored_name
    assert (storage_dir(settings) / record.stored_name).read_bytes() == PDF
    assert not list(tmp_path.parent.glob("outside.pdf")) and not list(tmp_path.glob("outside.pdf"))


def test_the_supplier_downloads_its_own_file_as_an_attachment_with_its_chinese_name(supplier, seeded, db, settings):
    _sub, files = submit_with_files(db, seeded.case["submitted"], settings, files=[("价格证明.pdf", PDF)])
    response = supplier.get(f"/evidence/files/{files[0].id}")
    assert response.status_code == 200 and response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E4%BB%B7%E6%A0%BC%E8%AF%81%E6%98%8E.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"


# ----------------------------------------------------------------------------- prices

@both_backends
def test_lowering_the_price_into_the_normal_band_closes_the_case(supplier, seeded, db):
    case = seeded.case["open_evidence"]
    response = post(supplier, f"/supplier/cases/{case.id}/price", {"new_price": "1203.80"})
    assert response.status_code == 302
    closed = refreshed(db, Case, case.id)
    assert (closed.state, closed.is_open, closed.lowered_price) == ("price_lowered", False, Decimal("1203.80"))
    assert refreshed(db, Listing, case.listing_id).mall_price == Decimal("1203.80")
    history = db.scalars(select(ListingPrice).where(ListingPrice.listing_id == case.listing_id)
                         .order_by(ListingPrice.id.desc())).first()
    assert (history.price, history.previous_price, history.origin) == (Decimal("1203.80"), Decimal("1300.00"),
                                                                       "supplier")
    page = page_text(supplier.get(response.headers["Location"]))
    assert "the case is closed" in page and "Price lowered" in page
    assert [n.kind for n in notifications_of(db, "supplier", "price_lowered")] == ["price_lowered"]


def test_a_lowered_price_still_above_the_normal_band_keeps_the_case_open(supplier, seeded, db):
    case = seeded.case["open_evidence"]
    response = post(supplier, f"/supplier/cases/{case.id}/price", {"new_price": "1203.81"})
    assert response.status_code == 302
    still = refreshed(db, Case, case.id)
    assert still.state == "evidence_requested" and still.is_open
    assert "still above the normal band (at most ¥1,203.80)" in page_text(supplier.get(response.headers["Location"]))


@pytest.mark.parametrize("price, message", [
    ("1300.00", "must be lower than the current price"),
    ("1400", "must be lower than the current price"),
    ("12.345", "at most 2 decimal places"),
    ("-5", "greater than 0"),
    ("abc", "greater than 0"),
])
def test_a_price_that_is_not_a_lower_price_is_refused(supplier, seeded, db, price, message):
    case = seeded.case["open_evidence"]
    response = post(supplier, f"/supplier/cases/{case.id}/price", {"new_price": price})
    assert response.status_code == 400 and message in page_text(response)
    assert refreshed(db, Listing, case.listing_id).mall_price == Decimal("1300.00")


@both_backends
def test_a_delisted_listing_is_relisted_after_its_price_is_lowered_and_a_monitor_approves(client, seeded, db,
                                                                                         login_as):
    case = seeded.case["delisted"]  # L1003 of S002: 3600.00 against a monitored 2200.00
    login_as("other_supplier")
    early = post(client, f"/supplier/cases/{case.id}/relist", {})
    assert early.status_code == 409 and refreshed(db, Case, case.id).state == "delisted"
    lowered = post(client, f"/supplier/cases/{case.id}/price", {"new_price": "2640.00"})
    assert lowered.status_code == 302
    assert refreshed(db, Case, case.id).state == "delisted"
    assert refreshed(db, Listing, case.listing_id).status == "delisted"
    assert post(client, f"/supplier/cases/{case.id}/relist", {"note": "已降价"}).status_code == 302
    assert refreshed(db, Case, case.id).state == "relist_requested"
    assert [n.kind for n in notifications_of(db, "monitor", "relist_requested")] == ["relist_requested"]
    post(client, "/auth/logout")
    login_as("monitor")
    approved = post(client, f"/review/cases/{case.id}/approve-relisting", {"note": "价格已正常"})
    assert approved.status_code == 302
    done = refreshed(db, Case, case.id)
    assert (done.state, done.is_open) == ("relisted", False)
    assert refreshed(db, Listing, case.listing_id).status == "active"
    assert [n.kind for n in notifications_of(db, "supplier2", "relist_approved")] == ["relist_approved"]
    assert events(db, case_id=case.id, action="approve_relisting")[0].actor == "monitor"


# ----------------------------------------------------------------------------- listings and the self-check

@pytest.mark.parametrize("price, band, shown", [
    ("1203.80", "Normal", "+20.00%"),
    ("1203.81", "Evidence required", "+20.01%"),
    ("1504.70", "Delist", "+50.00%"),
])
def test_the_self_check_shows_the_band_a_price_would_fall_in_and_the_highest_normal_price(
        supplier, seeded, db, price, band, shown):
    listing = seeded.listing["L1001"]
    text = page_text(supplier.get(f"/supplier/listings/{listing.id}?price={price}"))
    result = text.split('id="self-check-result"')[1].split("</div>")[0]
    assert band in result and shown in result and "¥1,203.80" in result
    assert refreshed(db, Listing, listing.id).mall_price == Decimal("1300.00")


def test_a_bad_self_check_price_is_an_error_not_a_result(supplier, seeded):
    text = page_text(supplier.get(f"/supplier/listings/{seeded.listing['L1001'].id}?price=abc"))
    assert "self-check-result" not in text and "greater than 0" in text


def test_the_listing_list_is_searchable_and_paged(app, supplier, seeded):
    app.config["PAGE_SIZE"] = 1
    first = page_text(supplier.get("/supplier/listings"))
    second = page_text(supplier.get("/supplier/listings?page=2"))
    assert "L1001" in first and "L1006" not in first
    assert "L1006" in second and "L1001" not in second
    found = page_text(supplier.get("/supplier/listings?q=1006"))
    assert "L1006" in found and "L1001" not in found
    assert "Evidence required" in page_text(supplier.get("/supplier/listings?q=L1001"))  # its latest result


def test_the_open_cases_are_paged_nearest_deadline_first(app, supplier, seeded):
    app.config["PAGE_SIZE"] = 1
    first = page_text(supplier.get("/supplier/")).split('id="open-cases"')[1]
    second = page_text(supplier.get("/supplier/?page=2")).split('id="open-cases"')[1]
    assert "L1001" in first and "L1006" not in first  # due in 3 days
    assert "L1006" in second and "L1001" not in second  # due in 12 days


def test_evidence_after_the_deadline_is_refused_and_nothing_is_stored(supplier, seeded, db, settings):
    import datetime as dt
    case = db.get(Case, seeded.case["open_evidence"].id)
    case.deadline_on = dt.date.today() - dt.timedelta(days=1)
    db.commit()
    page = page_text(supplier.get(f"/supplier/cases/{case.id}"))
    assert 'id="evidence-form"' not in page and "passed" in page
    response = form_post(supplier, f"/supplier/cases/{case.id}/evidence", {"statement": "见附件"}, [("a.pdf", PDF)])
    assert response.status_code == 409 and "The deadline has passed" in page_text(response)
    assert refreshed(db, Case, case.id).state == "evidence_requested"
    assert count(db, EvidenceFile) == 0 and list(storage_dir(settings).iterdir()) == []
