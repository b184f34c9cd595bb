"""The case workflow in a real browser: Debian's chromium driven by playwright (no browser download).

The app is served on a free loopback port from a background thread (werkzeug's make_server) on the
seeded SQLite database. Screenshots of the main pages go to tests/artifacts/ (git-ignored).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from pricewatch.db.models import Case, Listing
from tests.web.conftest import PASSWORD, USERNAMES
from tests.web.portal_fixtures import PDF, refreshed, submit_with_files

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium under playwright (skipped when it is not installed)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium package to run the browser tests)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(app, seeded):
    """The app on a free port of 127.0.0.1, in a background thread; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(10)


@pytest.fixture
def page(chromium):
    """A fresh browser page (own cookies), 1366 px wide."""
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def shot(page, name: str) -> None:
    """Save a full-page screenshot to tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, base: str, role: str) -> None:
    """Sign in through the form."""
    page.goto(f"{base}/")  # the start page sends a signed-out visitor to the sign-in form
    page.fill("#username", USERNAMES[role])
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#username").count() == 0, page.content()[:2000]


def test_a_monitor_opens_a_flagged_listing_sees_its_chart_and_rejects_evidence(page, server, db, seeded, settings):
    case = seeded.case["submitted"]
    submit_with_files(db, case, settings, files=[("报价单.pdf", PDF)], statement="京东、天猫同型号报价截图见附件",
                      claimed="1180.00")
    sign_in(page, server, "monitor")
    shot(page, "monitor_overview")
    page.goto(f"{server}/monitor/flagged")
    page.click("#results a.code:text('L1006')")
    page.wait_for_selector("figure.chart svg")
    assert page.locator("svg polyline").count() >= 1
    shot(page, "monitor_listing")

    page.click("nav.mainnav a[href='/review/evidence']")
    shot(page, "review_queue")
    page.click(f"#queue a[href='/review/cases/{case.id}']")
    page.wait_for_selector("#reject-form")
    assert "京东、天猫同型号报价截图见附件" in page.inner_text("#evidence")
    shot(page, "review_case")
    page.click("#reject-form button[type=submit]")  # no reason: the form says so
    page.wait_for_selector("#reject-form .error")
    assert page.locator("#reject-form .error").count() == 1
    assert refreshed(db, Case, case.id).state == "evidence_submitted"
    page.fill("#reject-form textarea", "截图未显示报价日期，无法核实")
    page.click("#reject-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert page.locator("#reject-form").count() == 0
    shot(page, "review_rejected")
    assert refreshed(db, Case, case.id).state == "rejected"


def test_a_supplier_uploads_evidence_then_lowers_the_price_and_sees_the_case_close(page, server, db, seeded,
                                                                                  tmp_path):
    case = seeded.case["open_evidence"]
    evidence = tmp_path / "价格证明.pdf"
    evidence.write_bytes(PDF)
    sign_in(page, server, "supplier")
    page.wait_for_selector("#open-cases")
    shot(page, "supplier_cases")
    page.click(f"#open-cases a[href='/supplier/cases/{case.id}']")
    page.wait_for_selector("#evidence-form")
    shot(page, "supplier_case")
    page.set_input_files("#evidence-form input[type=file]", str(evidence))
    page.fill("#evidence-form textarea", "京东、天猫同型号售价均在 1250 元以上")
    page.fill("#claimed_price", "1280.00")
    page.click("#evidence-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert page.locator("a.file-link", has_text="价格证明.pdf").count() == 1
    assert refreshed(db, Case, case.id).state == "evidence_submitted"

    page.fill("#new_price", "1200.00")
    page.click("#price-form button[type=submit]")
    page.wait_for_selector("#case-closed")
    shot(page, "supplier_case_closed")
    closed = refreshed(db, Case, case.id)
    assert (closed.state, closed.is_open) == ("price_lowered", False)
    assert str(refreshed(db, Listing, case.listing_id).mall_price) == "1200.00"

    page.goto(f"{server}/supplier/listings/{case.listing_id}?price=1250")
    page.wait_for_selector("#self-check-result")
    shot(page, "supplier_self_check")
    page.goto(f"{server}/inbox/")
    shot(page, "supplier_inbox")


def test_a_monitor_sees_an_import_rejected_by_line_and_is_asked_to_confirm_a_check(page, server, tmp_path):
    bad = tmp_path / "listings.csv"
    bad.write_text("listing_id,product_id,supplier_id,category,mall_price\nL1,P1,S1,shredder,abc\nL2,P1,S1,,9.00\n",
                   encoding="utf-8")
    sign_in(page, server, "monitor")
    page.click("nav.mainnav a[href='/operations/imports']")
    page.select_option("#kind", "listings")
    page.set_input_files("#file", str(bad))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-errors")
    errors = page.inner_text("#import-errors")
    assert "line 2, column mall_price" in errors and "line 3, column category" in errors
    shot(page, "operations_import_rejected")
    page.click(".tabs a[href='/operations/checks']")
    page.fill("#period", "2026-08")
    page.click("form button[type=submit]:below(#period)")
    page.wait_for_selector("#confirm-form")
    shot(page, "operations_confirm_check")
