"""Report downloads and regenerating a report in the dashboard: who may, what comes back, versions."""
from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from sqlalchemy import select

from pricewatch.db.models import Event, ListingResult, ReportSnapshot
from tests.conftest import BACKENDS
from tests.web.conftest import PERIOD, PREVIOUS_PERIOD, USERNAMES, post
from tests.web.test_public import UTC, publish

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@pytest.fixture
def published(db, seeded, settings):
    """The seeded months with October's report published once (version 1, on 2 November)."""
    publish(db, settings, PERIOD, dt.datetime(2026, 11, 2, 1, tzinfo=UTC), actor="scheduler")
    return seeded


def filename(response) -> str:
    """The file name of an attachment."""
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    return disposition.split('filename="', 1)[1].rstrip('"')


def versions(db, period: str = PERIOD) -> list[int]:
    """The stored versions of a period's report."""
    db.rollback()
    return list(db.scalars(select(ReportSnapshot.version).where(ReportSnapshot.period == period)
                           .order_by(ReportSnapshot.version)))


def correct_after_publication(db, seeded) -> None:
    """Move L1004 from the normal band to the delist band in October's results (live share 4 / 5)."""
    result = db.get(ListingResult, seeded.result["L1004"].id)
    result.band = "delist"
    db.commit()


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "pdf"])
def test_a_viewer_downloads_the_published_report_in_every_format(client, login_as, published, fmt):
    login_as("viewer")
    response = client.get(f"/reports/{PERIOD}/download?format={fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == MEDIA_TYPES[fmt]
    assert filename(response) == f"pricewatch-report-{PERIOD}.{fmt}"
    body = response.data
    assert body
    if fmt == "json":
        report = json.loads(body)
        assert report["period"] == PERIOD and report["listings_checked"] == 6
        assert set(report["bands"]) == {"insufficient", "normal", "evidence", "delist"}
        assert report["high_price_share"] == pytest.approx(0.6)
        assert {"lines", "compliant", "non_compliant", "unchecked"} <= set(report["orders"])
    elif fmt == "csv":
        assert PERIOD in body.decode("utf-8-sig") and "监测商品数" in body.decode("utf-8-sig")
    elif fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        assert len(workbook.sheetnames) >= 3
    else:
        assert body.startswith(b"%PDF")


def test_the_labels_follow_the_language_of_the_ui(client, login_as, published):
    login_as("monitor")
    english = client.get(f"/reports/{PERIOD}/download?format=csv&lang=en").data.decode("utf-8-sig")
    assert "Listings checked" in english and "监测商品数" not in english


def test_the_published_version_is_the_default_and_current_data_is_built_fresh(client, db, login_as, published):
    correct_after_publication(db, published)
    login_as("monitor")
    stored = client.get(f"/reports/{PERIOD}/download?format=json")
    assert json.loads(stored.data)["high_price_share"] == pytest.approx(0.6)
    fresh = client.get(f"/reports/{PERIOD}/download?format=json&source=current")
    assert json.loads(fresh.data)["high_price_share"] == pytest.approx(0.8)
    assert filename(fresh) == f"pricewatch-report-{PERIOD}-current.json"
    assert versions(db) == [1]  # building fresh publishes nothing


@pytest.mark.parametrize("backend", BACKENDS)
def test_regenerating_makes_version_2_and_keeps_version_1(client, db, login_as, published):
    correct_after_publication(db, published)
    login_as("monitor")
    confirm = client.get(f"/reports/{PERIOD}/regenerate")
    assert confirm.status_code == 200 and "第 2 版" in confirm.get_data(as_text=True)
    response = post(client, f"/reports/{PERIOD}/regenerate")
    assert response.status_code == 302
    assert versions(db) == [1, 2]
    latest = client.get(f"/reports/{PERIOD}/download?format=json")
    assert json.loads(latest.data)["high_price_share"] == pytest.approx(0.8)
    first = client.get(f"/reports/{PERIOD}/download?format=json&version=1")
    assert json.loads(first.data)["high_price_share"] == pytest.approx(0.6)
    assert filename(first) == f"pricewatch-report-{PERIOD}-v1.json"
    page = client.get("/reports/").get_data(as_text=True)
    assert "v2" in page and "v1" in page and "version=1" in page
    events = db.scalars(select(Event).where(Event.entity == "report")).all()
    assert [(e.action, e.actor) for e in events] == [("regenerate_report", USERNAMES["monitor"])]


def test_regenerating_without_the_csrf_token_is_refused(client, db, login_as, published):
    login_as("admin")
    assert client.post(f"/reports/{PERIOD}/regenerate").status_code == 400
    assert versions(db) == [1]


def test_a_viewer_may_download_but_not_regenerate(client, db, login_as, published):
    login_as("viewer")
    assert client.get(f"/reports/{PERIOD}/regenerate").status_code == 403
    assert post(client, f"/reports/{PERIOD}/regenerate").status_code == 403
    assert versions(db) == [1]
    page = client.get("/reports/").get_data(as_text=True)
    assert "/regenerate" not in page and f"/reports/{PERIOD}/download?format=xlsx" in page


def test_anonymous_visitors_are_sent_to_sign_in(client, published):
    for url in ("/reports/", f"/reports/{PERIOD}/download?format=csv",
                f"/reports/range?from={PREVIOUS_PERIOD}&to={PERIOD}&format=csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url


def test_suppliers_may_not_download_reports(client, login_as, published):
    login_as("supplier")
    assert client.get(f"/reports/{PERIOD}/download?format=json").status_code == 403


def test_a_range_of_months_is_built_fresh_as_one_report(client, login_as, published):
    login_as("viewer")
    response = client.get(f"/reports/range?from={PREVIOUS_PERIOD}&to={PERIOD}&format=json")
    assert response.status_code == 200
    assert filename(response) == f"pricewatch-report-{PREVIOUS_PERIOD}_{PERIOD}.json"
    report = json.loads(response.data)
    assert report["period"] == f"{PREVIOUS_PERIOD}..{PERIOD}"
    assert report["checked_periods"] == [PREVIOUS_PERIOD, PERIOD]
    assert report["listings_checked"] == 12  # six listings checked in each month
    xlsx = client.get(f"/reports/range?from={PREVIOUS_PERIOD}&to={PERIOD}&format=xlsx")
    assert xlsx.status_code == 200 and openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True).sheetnames


def test_a_backwards_range_is_refused_with_a_message(client, login_as, published):
    login_as("monitor")
    response = client.get(f"/reports/range?from={PERIOD}&to={PREVIOUS_PERIOD}&format=csv", follow_redirects=True)
    assert response.status_code == 200
    assert "flash-error" in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers


def test_what_does_not_exist_is_not_found(client, login_as, published):
    login_as("monitor")
    for url in (f"/reports/{PERIOD}/download?format=docx", f"/reports/{PERIOD}/download",
                f"/reports/{PERIOD}/download?format=json&version=7",
                f"/reports/{PREVIOUS_PERIOD}/download?format=json",  # checked, never published
                "/reports/2026-13/download?format=json", "/reports/2025-01/regenerate"):
        assert client.get(url).status_code == 404, url


def test_the_reports_page_lists_periods_versions_and_charts(client, login_as, published):
    login_as("monitor")
    page = client.get("/reports/").get_data(as_text=True)
    assert f'id="period-{PERIOD}"' in page and f'id="period-{PREVIOUS_PERIOD}"' in page
    assert f"/reports/{PREVIOUS_PERIOD}/download?format=pdf&amp;source=current" in page
    assert f"/reports/{PERIOD}/regenerate" in page
    charts = page[page.index('id="charts"'):]
    assert charts.count("<svg") == 2 and "style=" not in charts
