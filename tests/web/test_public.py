"""The public disclosure page: published figures only, no sign-in, no session, nothing private."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from pricewatch.db.models import Case, EvidenceFile, EvidenceSubmission, Listing, ListingResult, ReportSnapshot
from pricewatch.services import cases as case_service
from pricewatch.services.reports import snapshot_report
from tests.conftest import BACKENDS
from tests.web.conftest import PERIOD, PREVIOUS_PERIOD

UTC = dt.timezone.utc
#: What a supplier and a monitor wrote about the `submitted` case (L1006): never public.
STATEMENT = "附上京东自营同型号报价截图 PRIVATE-STATEMENT-4471"
CLAIMED_PRICE = Decimal("1187.65")
FILE_NAME = "jd-quote-PRIVATE-8823.pdf"
REJECTION = "截图日期不在监测期间内 PRIVATE-REJECTION-5590"
#: Who published the reports (a user name: never public).
PUBLISHER = "publisher-jane"


def publish(db, settings, period: str, on: dt.datetime, actor: str = PUBLISHER) -> ReportSnapshot:
    """Store a new version of the period's report as published at `on` (committed)."""
    snapshot = snapshot_report(db, period, actor=actor, settings=settings)
    snapshot.created_at = on
    db.commit()
    return snapshot


def seed_private_answers(db, seeded, settings) -> None:
    """Evidence (statement, claimed price, a file) for L1006, rejected on 20 October, then the listing
    delisted on 25 October because its price was raised to 2,100.00 (through the case services)."""
    case = db.get(Case, seeded.case["submitted"].id)
    listing = db.get(Listing, case.listing_id)
    submission = EvidenceSubmission(case_id=case.id, statement=STATEMENT, claimed_price=CLAIMED_PRICE,
                                    submitted_at=dt.datetime(2026, 10, 18, 2, tzinfo=UTC), submitted_by="supplier")
    db.add(submission)
    db.flush()
    db.add(EvidenceFile(submission_id=submission.id, case_id=case.id, original_name=FILE_NAME,
                        stored_name="f" * 32 + ".pdf", content_type="application/pdf", size=2048, sha256="0" * 64,
                        uploaded_at=dt.datetime(2026, 10, 18, 2, tzinfo=UTC)))
    case_service.reject_evidence(db, case, REJECTION, actor="monitor",
                                 now=dt.datetime(2026, 10, 20, 3, tzinfo=UTC), settings=settings)
    case_service.delist_case(db, case, listing, cause="price_raised", actor="supplier",
                             now=dt.datetime(2026, 10, 25, 3, tzinfo=UTC), settings=settings,
                             extra={"old_price": Decimal("1250.00"), "new_price": Decimal("2100.00")})
    db.commit()


@pytest.fixture
def published(db, seeded, settings):
    """The seeded months with private answers, both reports published (October on 2 November)."""
    seed_private_answers(db, seeded, settings)
    publish(db, settings, PREVIOUS_PERIOD, dt.datetime(2026, 10, 2, 1, tzinfo=UTC))
    publish(db, settings, PERIOD, dt.datetime(2026, 11, 2, 1, tzinfo=UTC))
    return seeded


def text(response) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def figure(page: str, label: str) -> str:
    """The value of the key-figure tile labelled `label`."""
    match = re.search(rf'figure-label">{re.escape(label)}</div>\s*<div class="figure-value">([^<]+)<', page)
    assert match, f"no figure {label!r}"
    return match.group(1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_public_page_shows_the_latest_published_month_without_signing_in(client, published):
    response = client.get("/public/")
    assert response.status_code == 200
    page = text(response)
    assert "2026年10月价格监测结果公告" in page
    assert figure(page, "监测商品数") == "6"
    assert figure(page, "价格偏高占比") == "60.00%"  # (2 evidence + 1 delist) / 5 with a monitored price
    assert figure(page, "已降价") == "1"
    assert figure(page, "下架") == "1"
    assert "发布日期：2026年11月2日" in page


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_month_lists_its_delistings_and_lowered_prices_with_product_supplier_and_prices(client, published):
    page = text(client.get(f"/public/{PERIOD}/"))
    delisted = page[page.index('id="delisted-table"'):page.index("</table>", page.index('id="delisted-table"'))]
    lowered = page[page.index('id="lowered-table"'):page.index("</table>", page.index('id="lowered-table"'))]
    assert "L1006" in delisted and "兄弟 HL-L2350DW 激光打印机" in delisted and "华东办公设备有限公司" in delisted
    assert "¥2,100.00" in delisted and "调价后严重偏高" in delisted
    assert "L1002" in lowered and "得力 9935 碎纸机" in lowered and "北方数码科技有限公司" in lowered
    assert "¥1,250.00" in lowered and "¥1,050.00" in lowered and "−16.0%" in lowered
    assert "L1003" not in page  # delisted by October's check on 1 November: a November delisting


def test_nothing_a_supplier_or_a_monitor_wrote_privately_is_shown(client, published):
    for url in ("/public/", f"/public/{PERIOD}/", f"/public/{PERIOD}/v1", f"/public/{PERIOD}/delisted",
                f"/public/{PERIOD}/lowered", f"/public/{PREVIOUS_PERIOD}/", "/public/?lang=en"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = text(response)
        for secret in (STATEMENT, "PRIVATE-STATEMENT", "1187.65", "1,187.65", FILE_NAME, "PRIVATE-8823",
                       REJECTION, "PRIVATE-REJECTION", PUBLISHER, "supplier2", "@example.org"):
            assert secret not in page, (url, secret)


def test_the_figures_are_those_published_not_the_live_data(client, db, published):
    result = db.get(ListingResult, published.result["L1004"].id)
    result.band = "delist"  # corrected after publication: the live share would be 4 / 5
    db.commit()
    assert figure(text(client.get("/public/")), "价格偏高占比") == "60.00%"


def test_a_checked_month_without_a_published_report_is_not_shown(client, db, seeded, settings):
    publish(db, settings, PREVIOUS_PERIOD, dt.datetime(2026, 10, 2, 1, tzinfo=UTC))
    page = text(client.get("/public/"))
    assert "2026年9月价格监测结果公告" in page
    assert "2026年10月价格监测结果公告" not in page and f'href="/public/{PERIOD}/"' not in page
    assert f">{PERIOD}<" not in page  # not even as a point of a chart
    assert client.get(f"/public/{PERIOD}/").status_code == 404


def test_a_regenerated_report_is_shown_and_its_earlier_version_stays_readable(client, db, published, settings):
    publish(db, settings, PERIOD, dt.datetime(2026, 11, 20, 1, tzinfo=UTC))
    page = text(client.get("/public/"))
    assert "第 2 版" in page and "发布日期：2026年11月20日" in page
    assert f'href="/public/{PERIOD}/v1"' in page
    old = client.get(f"/public/{PERIOD}/v1")
    assert old.status_code == 200
    assert 'id="old-version"' in text(old) and "发布日期：2026年11月2日" in text(old)
    assert 'id="old-version"' not in page
    assert client.get(f"/public/{PERIOD}/v3").status_code == 404


def test_past_months_are_listed_and_each_has_its_page(client, published):
    page = text(client.get("/public/"))
    archive = page[page.index('id="archive"'):]
    assert f'href="/public/{PERIOD}/"' in archive and f'href="/public/{PREVIOUS_PERIOD}/"' in archive
    september = text(client.get(f"/public/{PREVIOUS_PERIOD}/"))
    assert "2026年9月价格监测结果公告" in september and "往期报告" in september


def test_the_page_needs_no_session_and_may_be_cached(client, published):
    response = client.get("/public/")
    assert "Set-Cookie" not in response.headers
    assert response.cache_control.public and response.cache_control.max_age == 300
    assert "csrf" not in text(response).lower() and "<form" not in text(response)
    again = client.get("/public/", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_the_page_is_in_english_when_asked(client, published):
    page = text(client.get("/public/?lang=en"))
    assert "Price monitoring results for October 2026" in page
    assert "Listings checked" in page and "监测商品数" not in page


def test_the_page_carries_its_charts_as_inline_svg(client, published):
    page = text(client.get("/public/"))
    charts = page[page.index('id="charts"'):page.index('id="delisted"')]
    assert charts.count("<svg") == 3
    assert "2026-09" in charts and "2026-10" in charts  # the share over time, one point per published month
    assert "style=" not in charts  # the Content Security Policy allows no inline style


def test_before_any_report_is_published_the_page_says_so(client, seeded):
    response = client.get("/public/")
    assert response.status_code == 200
    assert 'id="no-report"' in text(response)


def test_a_malformed_or_unknown_period_is_not_found(client, published):
    for url in ("/public/2026-13/", "/public/2026-1/", "/public/2025-01/", f"/public/{PERIOD}/v0",
                f"/public/{PERIOD}/accepted"):
        assert client.get(url).status_code == 404, url
