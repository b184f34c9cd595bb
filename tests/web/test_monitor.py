"""The monitor dashboard: who may see what, the figures shown, filters, sorting, paging, language."""
from __future__ import annotations

import html
import re

from decimal import Decimal

import pytest
from flask import url_for

from pricewatch.db.base import utcnow
from pricewatch.db.models import Case, Listing, Observation
from pricewatch.services import pricing

from tests.conftest import BACKENDS
from tests.web.conftest import DROPPED_REASON, PERIOD, PREVIOUS_PERIOD, USERNAMES, login, post

both_backends = pytest.mark.parametrize("backend", BACKENDS)
_CODES = re.compile(r'<a class="code" href="/monitor/listings/\d+[^"]*">(L\d+)</a>')

#: GET routes of this foundation -> expected status per role (302: sent to sign in).
DASHBOARD = {"anonymous": 302, "admin": 200, "monitor": 200, "viewer": 200, "supplier": 403}
ADMIN_ONLY = {"anonymous": 302, "admin": 200, "monitor": 403, "viewer": 403, "supplier": 403}
SIGNED_IN = {"anonymous": 302, "admin": 200, "monitor": 200, "viewer": 200, "supplier": 200}
ROUTES = {
    "/monitor/": DASHBOARD,
    f"/monitor/?period={PREVIOUS_PERIOD}": DASHBOARD,
    "/monitor/flagged": DASHBOARD,
    "/monitor/cases": DASHBOARD,
    "/monitor/runs": DASHBOARD,
    "/monitor/listings/{listing}": DASHBOARD,
    "/audit/": DASHBOARD,
    "/admin/users": ADMIN_ONLY,
    "/admin/users/new": ADMIN_ONLY,
    "/admin/users/{user}/password": ADMIN_ONLY,
    "/auth/password": SIGNED_IN,
}


def actions(response) -> list[str]:
    """Event actions in the order the audit log shows them."""
    return re.findall(r'<span class="code muted small">([a-z_]+)</span>', response.get_data(as_text=True))


def codes(response) -> list[str]:
    """Listing codes in the order the page's table shows them."""
    return _CODES.findall(response.get_data(as_text=True))


@pytest.mark.parametrize("role", list(DASHBOARD))
def test_every_route_answers_each_role_as_its_rights_say(client, seeded, users, role):
    if role != "anonymous":
        assert login(client, USERNAMES[role]).status_code == 302
    got, expected = {}, {}
    for template, rights in ROUTES.items():
        url = template.format(listing=seeded.listing["L1001"].id, user=users["viewer"].id)
        response = client.get(url)
        got[url], expected[url] = response.status_code, rights[role]
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/auth/login?next=")
    assert got == expected


def test_viewer_cannot_post_anything_even_with_a_valid_token(client, seeded, users):
    login(client, "viewer")
    for url in ("/monitor/", "/monitor/flagged", "/audit/", f"/admin/users/{users['monitor'].id}/deactivate",
                "/admin/users/new", "/no/such/route"):
        assert post(client, url, {"username": "x"}).status_code == 403, url
    assert post(client, "/auth/logout").status_code == 302


def test_overview_shows_the_months_figures(client, seeded):
    login(client, "monitor")
    page = client.get("/monitor/").get_data(as_text=True)
    assert "总览 · 2026-10" in page
    assert "83.33%" in page  # coverage: 5 of 6 listings have a monitored price
    assert "60.00%" in page  # high-price share: 3 of 5 priced listings above normal
    assert "L1001" in page  # its deadline falls within 7 days
    assert "L1006" not in page  # its deadline is 12 days away
    assert page.count('<circle class="dot dot-share"') == 2  # the trend over two checks, as inline SVG


def test_overview_shows_a_change_made_since_the_last_view_at_once(client, seeded, db, settings):
    login(client, "monitor")
    assert "L1001" in client.get("/monitor/").get_data(as_text=True)
    case = db.get(Case, seeded.case["open_evidence"].id)
    pricing.change_price(db, db.get(Listing, case.listing_id), Decimal("1100.00"), actor="supplier",
                         origin="supplier", now=utcnow(), settings=settings)
    db.commit()
    assert db.get(Case, case.id).state == "price_lowered"
    page = client.get("/monitor/").get_data(as_text=True)
    assert "L1001" not in page  # its case closed: no longer among the deadlines of the week


def test_overview_of_an_earlier_period_and_an_unknown_one(client, seeded):
    login(client, "monitor")
    page = client.get(f"/monitor/?period={PREVIOUS_PERIOD}").get_data(as_text=True)
    assert "总览 · 2026-09" in page
    assert page.count('<circle class="dot dot-share"') == 1  # only runs up to the period shown
    assert client.get("/monitor/?period=2019-01").status_code == 404
    assert client.get("/monitor/?period=garbage").status_code == 404


def test_dashboard_without_any_check_says_so(client, users):
    login(client, "monitor")
    for url in ("/monitor/", "/monitor/flagged"):
        assert "尚未进行过价格检查" in client.get(url).get_data(as_text=True)


def test_flagged_rows_link_to_the_listing_page_of_the_period_shown(app, client, seeded):
    login(client, "monitor")
    page = client.get(f"/monitor/flagged?period={PREVIOUS_PERIOD}&band=all").get_data(as_text=True)
    with app.test_request_context():
        href = url_for("monitor.listing", listing_id=seeded.listing["L1001"].id, period=PREVIOUS_PERIOD)
    assert f'href="{href}"' in page and href.endswith(f"/{seeded.listing['L1001'].id}?period={PREVIOUS_PERIOD}")


def test_money_and_percentages_are_formatted_per_locale(client, seeded):
    login(client, "monitor")
    page = client.get("/monitor/flagged").get_data(as_text=True)
    assert "¥1,300.00" in page and "¥1,003.13" in page and "+29.59%" in page


@both_backends
def test_flagged_list_is_sorted_by_deviation_and_filters_by_band(client, seeded):
    login(client, "monitor")
    assert codes(client.get("/monitor/flagged")) == ["L1003", "L1001", "L1006"]
    assert codes(client.get("/monitor/flagged?band=evidence")) == ["L1001", "L1006"]
    assert codes(client.get("/monitor/flagged?band=insufficient")) == ["L1005"]
    assert codes(client.get("/monitor/flagged?band=all")) == ["L1003", "L1001", "L1006", "L1004", "L1002", "L1005"]
    assert codes(client.get("/monitor/flagged?band=bogus")) == ["L1003", "L1001", "L1006"]


@both_backends
def test_flagged_list_filters_by_category_supplier_and_search(client, seeded):
    login(client, "monitor")
    assert codes(client.get("/monitor/flagged?category=printer")) == ["L1003", "L1006"]
    assert codes(client.get("/monitor/flagged?supplier=S001")) == ["L1001", "L1006"]
    assert codes(client.get("/monitor/flagged?supplier=北方数码")) == ["L1003"]
    assert codes(client.get("/monitor/flagged?band=all&q=L1004")) == ["L1004"]
    assert codes(client.get("/monitor/flagged?band=all&q=碎纸机")) == ["L1001", "L1002", "L1005"]
    assert codes(client.get("/monitor/flagged?q=100%25_")) == []
    page = client.get("/monitor/flagged?category=printer").get_data(as_text=True)
    assert '<option value="printer" selected>' in page and '<option value="shredder">' in page


@both_backends
def test_flagged_list_sorts_by_mall_price_and_code(client, seeded):
    login(client, "monitor")
    assert codes(client.get("/monitor/flagged?sort=mall_price")) == ["L1003", "L1001", "L1006"]
    assert codes(client.get("/monitor/flagged?band=all&sort=mall_price")) == [
        "L1003", "L1001", "L1006", "L1004", "L1002", "L1005"]
    assert codes(client.get("/monitor/flagged?band=all&sort=code")) == [
        "L1001", "L1002", "L1003", "L1004", "L1005", "L1006"]


def test_flagged_list_pages_through_the_results(app, client, seeded):
    app.config["PAGE_SIZE"] = 2
    login(client, "monitor")
    first = client.get("/monitor/flagged?band=all")
    assert codes(first) == ["L1003", "L1001"]
    assert "共 6 条" in first.get_data(as_text=True) and "第 1 / 3 页" in first.get_data(as_text=True)
    assert codes(client.get("/monitor/flagged?band=all&page=2")) == ["L1006", "L1004"]
    last = client.get("/monitor/flagged?band=all&page=3")
    assert codes(last) == ["L1002", "L1005"] and 'rel="next"' not in last.get_data(as_text=True)
    assert "共 2 条" in client.get("/monitor/flagged?category=printer").get_data(as_text=True)


@both_backends
def test_listing_page_shows_indicators_and_the_dropped_quote_with_its_reason(client, seeded):
    login(client, "monitor")
    page = client.get(f"/monitor/listings/{seeded.listing['L1001'].id}").get_data(as_text=True)
    for text in ("指数价格", "政府采购市场均价", "电商平台均价", "实体市场均价", "价格偏离率",
                 "¥1,005.00", "¥997.50", "¥990.00", "¥1,020.00", "¥1,003.13", "+29.59%"):
        assert text in page, text
    assert page.count("已剔除") == 1 and html.escape(DROPPED_REASON, quote=False) in page
    assert "¥1,600.00" in page  # the dropped quote is still shown
    assert "3.03%" in page and "各来源价格差异较大" not in page  # spread (1020 - 990) / 990
    assert page.count('<circle class="dot dot-mall"') == 2  # mall price in both months
    assert "待提交佐证" in page  # the open case, in the timeline section


def test_listing_page_links_only_web_addresses_of_quotes(client, seeded, db):
    obs = db.get(Observation, seeded.dropped_observation.id)
    obs.url = "javascript:alert(document.cookie)"
    db.commit()
    login(client, "monitor")
    page = client.get(f"/monitor/listings/{seeded.listing['L1001'].id}").get_data(as_text=True)
    assert 'href="https://example.org/index/P-SHRED-01"' in page
    assert 'href="javascript:' not in page and "gov-origin" in page


def test_listing_page_warns_when_the_sources_disagree(client, seeded):
    login(client, "monitor")
    page = client.get(f"/monitor/listings/{seeded.listing['L1004'].id}").get_data(as_text=True)
    assert "50.00%" in page and "各来源价格差异较大" in page


def test_listing_page_shows_the_case_timeline(client, seeded):
    login(client, "monitor")
    page = client.get(f"/monitor/listings/{seeded.listing['L1006'].id}").get_data(as_text=True)
    assert "附上三家电商平台的同型号报价截图" in page  # the supplier's statement, from the event log
    assert f"#{seeded.case['submitted'].id}" in page


def test_listing_page_of_an_earlier_period_and_unknown_listing(client, seeded):
    login(client, "monitor")
    page = client.get(f"/monitor/listings/{seeded.listing['L1002'].id}?period={PREVIOUS_PERIOD}")
    assert "¥1,250.00" in page.get_data(as_text=True)
    assert client.get("/monitor/listings/999999").status_code == 404


@both_backends
def test_cases_list_filters_by_state_category_supplier_and_period(client, seeded):
    login(client, "monitor")

    def listed(query: str) -> list[str]:
        """Listing codes of the cases shown."""
        return codes(client.get(f"/monitor/cases{query}"))

    assert sorted(listed("")) == ["L1001", "L1003", "L1006"]  # open cases by default
    assert listed("?state=closed") == ["L1002"]
    assert listed("?state=price_lowered") == ["L1002"]
    assert listed("?state=evidence_submitted") == ["L1006"]
    assert sorted(listed("?state=all&category=printer")) == ["L1003", "L1006"]
    assert listed("?state=all&supplier=S002") == ["L1003", "L1002"]
    assert listed(f"?state=all&period={PREVIOUS_PERIOD}") == ["L1002"]


@both_backends
def test_open_cases_come_by_deadline_with_those_without_one_last_across_pages(app, client, seeded):
    app.config["PAGE_SIZE"] = 2
    login(client, "monitor")
    first = client.get("/monitor/cases")
    assert codes(first) == ["L1001", "L1006"]  # deadlines in 3 and in 12 days
    assert "共 3 条" in first.get_data(as_text=True)
    assert codes(client.get("/monitor/cases?page=2")) == ["L1003"]  # delisted: no deadline
    assert codes(client.get("/monitor/cases?state=all&page=1")) == ["L1006", "L1003"]  # newest opened first...
    assert codes(client.get("/monitor/cases?state=all&page=2")) == ["L1001", "L1002"]  # ...ids break the tie


def test_check_runs_list_both_months_with_their_counts(client, seeded):
    login(client, "viewer")
    page = client.get("/monitor/runs").get_data(as_text=True)
    assert PERIOD in page and PREVIOUS_PERIOD in page and "60.00%" in page and "40.00%" in page


@both_backends
def test_audit_log_filters_and_pages_back(app, client, seeded):
    login(client, "monitor")
    assert actions(client.get("/audit/?entity=case&actor=supplier2")) == ["lower_price"]
    assert actions(client.get("/audit/?action=submit_evidence")) == ["submit_evidence"]
    assert set(actions(client.get("/audit/?entity=case"))) == {"open", "submit_evidence", "lower_price"}
    assert actions(client.get("/audit/?entity=listing")) == ["delist"]
    assert actions(client.get("/audit/?from=2026-11-03&to=2026-11-03&entity=case")) == ["submit_evidence"]
    assert actions(client.get("/audit/?from=2026-10-01&to=2026-10-31&entity=case")) == ["lower_price", "open"]
    app.config["PAGE_SIZE"] = 2
    first = client.get("/audit/?entity=case&actor=scheduler").get_data(as_text=True)
    cursor = re.search(r"cursor=([0-9-]+)", first).group(1)
    second = client.get(f"/audit/?entity=case&actor=scheduler&cursor={cursor}").get_data(as_text=True)
    shown = [re.findall(r"案件 #(\d+)", page) for page in (first, second)]
    assert len(shown[0]) == len(shown[1]) == 2 and "cursor=" not in second.split("<tbody>")[1]
    assert sorted(map(int, shown[0] + shown[1])) == sorted(c.id for c in seeded.case.values())


def test_language_switch_shows_english_and_is_remembered(client, seeded):
    login(client, "monitor")
    english = client.get("/monitor/?lang=en")
    assert "Overview · 2026-10" in english.get_data(as_text=True)
    assert any(c.startswith("lang=en") for c in english.headers.getlist("Set-Cookie"))
    page = client.get("/monitor/runs").get_data(as_text=True)
    assert "Check runs" in page and '<html lang="en">' in page
    assert "检查批次" in client.get("/monitor/runs?lang=zh_CN").get_data(as_text=True)


def test_the_users_own_language_applies_without_a_cookie(client, seeded, users, db):
    users["monitor"].locale = "en"
    db.merge(users["monitor"])
    db.commit()
    login(client, "monitor")
    assert "Flagged listings" in client.get("/monitor/flagged").get_data(as_text=True)


def test_catalog_is_read_from_the_po_file_unless_a_current_mo_exists(tmp_path):
    import os
    import shutil

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from pricewatch.web.i18n import TRANSLATIONS_DIR, load_catalog
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "messages.po"
    shutil.copy(TRANSLATIONS_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po", po)
    assert load_catalog(tmp_path, "zh_CN").gettext("Overview") == "总览"  # no .mo: the .po is compiled in memory
    with open(po, "rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    catalog["Overview"].string = "总览（已编译）"
    with open(folder / "messages.mo", "wb") as fh:
        write_mo(fh, catalog)
    assert load_catalog(tmp_path, "zh_CN").gettext("Overview") == "总览（已编译）"  # a current .mo wins
    os.utime(po, (os.stat(po).st_mtime + 10,) * 2)
    assert load_catalog(tmp_path, "zh_CN").gettext("Overview") == "总览"  # a stale .mo is ignored
    assert load_catalog(tmp_path, "fr").gettext("Overview") == "Overview"
