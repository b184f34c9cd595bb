"""The monthly report on a small month built by hand in the database, and its files."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select

from pricewatch.db.models import (
    Case, CheckRun, Event, Listing, ListingPrice, ListingResult, OrderLine, Product, ProductResult, Supplier,
)
from pricewatch.reports import render
from pricewatch.services.reports import (
    ReportError, build_report, latest_snapshot, snapshot_content, snapshot_report, snapshot_versions,
)

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
EVIL_NAME = '=HYPERLINK("http://evil.example","click")'


def local(*args) -> dt.datetime:
    """A Shanghai wall-clock time as an aware datetime."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


class Month:
    """Builds the hand-computed month of 2026-10 (plus a September and a November run)."""

    def __init__(self, session):
        """Suppliers, products, listings with their price history."""
        self.s = session
        self.sup = {"S1": Supplier(code="S001", name="Alpha Office"), "S2": Supplier(code="S002", name=EVIL_NAME)}
        self.prod = {code: Product(code=code, category=cat, name=code)
                     for code, cat in (("P1", "shredder"), ("P2", "shredder"), ("P3", "printer"), ("P4", "printer"))}
        session.add_all([*self.sup.values(), *self.prod.values()])
        session.flush()
        self.lst = {}
        for code, product, supplier, price, disc in (
                ("L1", "P1", "S1", "100.00", "0.03"), ("L2", "P2", "S1", "250.00", "0.03"),
                ("L3", "P3", "S2", "160.00", "0.03"), ("L4", "P4", "S2", "50.00", "0.03"),
                ("L5", "P1", "S2", "100.00", "0")):
            listing = Listing(code=code, product_id=self.prod[product].id, supplier_id=self.sup[supplier].id,
                              category=self.prod[product].category, mall_price=D(price),
                              committed_discount=D(disc), price_effective_on=dt.date(2026, 1, 1))
            session.add(listing)
            session.flush()
            self.lst[code] = listing
            self.price(code, price, None, dt.date(2026, 1, 1), local(2026, 1, 1, 9))
        self.runs = {}
        self.cases = {}

    def price(self, listing, price, previous, effective_on, changed_at):
        """One row of a listing's price history."""
        self.s.add(ListingPrice(listing_id=self.lst[listing].id, price=D(price),
                                previous_price=D(previous) if previous else None,
                                effective_on=effective_on, changed_at=changed_at))

    def run(self, period, results, products, stored=True):
        """A check run: listing results {listing: (band, monitored)}, product results {product: {...}}."""
        bands = [band for band, _ in results.values()]
        run = CheckRun(period=period, listings_checked=len(bands) if stored else 0,
                       n_insufficient=bands.count("insufficient") if stored else 0,
                       n_normal=bands.count("normal") if stored else 0,
                       n_evidence=bands.count("evidence") if stored else 0,
                       n_delist=bands.count("delist") if stored else 0)
        self.s.add(run)
        self.s.flush()
        for code, (band, monitored) in results.items():
            listing = self.lst[code]
            self.s.add(ListingResult(run_id=run.id, listing_id=listing.id, product_id=listing.product_id,
                                     supplier_id=listing.supplier_id, category=listing.category,
                                     mall_price=listing.mall_price,
                                     monitored_price=D(monitored) if monitored else None,
                                     deviation=D("0.1") if monitored else None, band=band))
        for code, values in products.items():
            self.s.add(ProductResult(run_id=run.id, product_id=self.prod[code].id,
                                     **{k: D(v) if v else None for k, v in values.items()}))
        self.runs[period] = run
        return run

    def case(self, name, listing, run, opened_by, band, opened_at, state, is_open=True):
        """A case about a listing (its events are added with `event`)."""
        lst = self.lst[listing]
        case = Case(listing_id=lst.id, supplier_id=lst.supplier_id, run_id=self.runs[run].id, period=run,
                    category=lst.category, opened_by=opened_by, state=state, is_open=is_open, opened_at=opened_at,
                    mall_price=lst.mall_price, monitored_price=D("80.00"), deviation=D("0.25"), band=band)
        self.s.add(case)
        self.s.flush()
        self.cases[name] = case
        return case

    def event(self, case, from_state, to_state, at):
        """One case event in the log."""
        c = self.cases[case]
        self.s.add(Event(at=at, actor="tester", entity="case", entity_id=c.id, action="step",
                         from_state=from_state, to_state=to_state, case_id=c.id, listing_id=c.listing_id,
                         supplier_id=c.supplier_id))

    def order(self, order, line, listing, day, qty, unit):
        """One order line."""
        self.s.add(OrderLine(order_code=order, line_no=line, listing_id=self.lst[listing].id, ordered_on=day,
                             quantity=qty, unit_price=D(unit)))


#: (order, line, listing, day, quantity, unit price) of October.
OCTOBER_LINES = [
    ("O1", 1, "L1", dt.date(2026, 10, 5), 2, "97.00"),    # limit 100.00 x 0.97 = 97.00: complies
    ("O1", 2, "L1", dt.date(2026, 10, 5), 1, "97.01"),    # one cent over: does not
    ("O2", 1, "L2", dt.date(2026, 10, 10), 1, "194.00"),  # no e-commerce average: monitored 200.00 -> 194.00
    ("O3", 1, "L3", dt.date(2026, 10, 12), 3, "97.49"),   # 100.50 x 0.97 = 97.485 -> 97.49 half-up: complies
    ("O3", 2, "L3", dt.date(2026, 10, 12), 1, "97.50"),   # does not
    ("O4", 1, "L4", dt.date(2026, 10, 1), 5, "50.00"),    # no reference at all: unchecked
    ("O5", 1, "L5", dt.date(2026, 10, 20), 10, "90.00"),  # c = 0: limit 100.00
    ("O6", 1, "L1", dt.date(2026, 10, 22), 3, "96.00"),   # after the lowering of 20 Oct: saves 4.00 x 3
    ("O7", 1, "L1", dt.date(2026, 10, 25), 2, "95.00"),   # on the day of the second lowering: (4 + 1) x 2
]
#: index price per listing in October (P1: 90.00, P2: 160.00, P3 and P4 none).
OCTOBER_INDEX = {"L1": 90, "L2": 160, "L5": 90}


def build_month(session) -> Month:
    """The hand-computed month, flushed."""
    m = Month(session)
    m.run("2026-09", {"L1": ("normal", "95.00"), "L2": ("normal", "240.00"), "L3": ("evidence", "120.00"),
                      "L5": ("normal", "95.00")}, {})
    m.run("2026-10", {"L1": ("normal", "95.00"), "L2": ("evidence", "200.00"), "L3": ("delist", "100.00"),
                      "L4": ("insufficient", None), "L5": ("normal", "95.00")},
          {"P1": {"ecommerce_avg": "100.00", "index_avg": "90.00", "monitored_price": "95.00"},
           "P2": {"ecommerce_avg": None, "index_avg": "160.00", "monitored_price": "200.00"},
           "P3": {"ecommerce_avg": "100.50", "index_avg": None, "monitored_price": "100.00"},
           "P4": {"monitored_price": None}})
    # November: stored counts left at zero, so the trend recounts its results.
    m.run("2026-11", {"L1": ("normal", "95.00"), "L2": ("evidence", "200.00")},
          {"P1": {"ecommerce_avg": "100.00", "monitored_price": "95.00"}}, stored=False)
    # The October check (run on 1 Nov, 02:00 local): evidence case A, delist case B.
    m.case("A", "L2", "2026-10", "check", "evidence", local(2026, 11, 1, 2), "evidence_requested")
    m.event("A", None, "evidence_requested", local(2026, 11, 1, 2))
    m.case("B", "L3", "2026-10", "check", "delist", local(2026, 11, 1, 2), "delisted")
    m.event("B", None, "delisted", local(2026, 11, 1, 2))
    # A raise on 15 Oct (case C, against September's check), lowered on 20 Oct.
    m.case("C", "L1", "2026-09", "price_change", "evidence", local(2026, 10, 15, 12), "price_lowered", False)
    m.event("C", None, "evidence_requested", local(2026, 10, 15, 12))
    m.event("C", "evidence_requested", "price_lowered", local(2026, 10, 20, 9))
    # Cases of the September check (run on 1 Oct, 02:00 local).
    m.case("D", "L4", "2026-09", "check", "evidence", local(2026, 10, 1, 2), "accepted", False)
    m.event("D", None, "evidence_requested", local(2026, 10, 1, 2))
    m.event("D", "evidence_requested", "evidence_submitted", local(2026, 10, 5, 10))
    m.event("D", "evidence_submitted", "accepted", local(2026, 10, 8, 10))
    m.event("D", "evidence_submitted", "rejected", local(2026, 11, 1, 0, 30))    # November, local time
    m.case("E", "L3", "2026-09", "check", "evidence", local(2026, 10, 1, 2), "relisted", False)
    m.event("E", "evidence_submitted", "rejected", local(2026, 10, 1, 0, 30))    # 30 Sep 16:30 UTC: October
    m.event("E", "rejected", "delisted", local(2026, 10, 6, 0, 0))
    m.event("E", "delisted", "delisted", local(2026, 10, 7, 9))                  # a lowering: no step
    m.event("E", "delisted", "relist_requested", local(2026, 10, 7, 10))
    m.event("E", "relist_requested", "delisted", local(2026, 10, 8, 10))         # refused: not a new delisting
    m.event("E", "delisted", "relist_requested", local(2026, 10, 9, 10))
    m.event("E", "relist_requested", "relisted", local(2026, 10, 25, 10))
    m.case("F", "L4", "2026-09", "check", "delist", local(2026, 10, 1, 2), "delisted")
    m.event("F", None, "delisted", local(2026, 10, 1, 2))
    # Price history: L1 lowered twice under case C; L5 lowered with no case; L2 before its case.
    m.price("L1", "96.00", "100.00", dt.date(2026, 10, 20), local(2026, 10, 20, 9))
    m.price("L1", "95.00", "96.00", dt.date(2026, 10, 25), local(2026, 10, 24, 18))
    m.price("L5", "90.00", "100.00", dt.date(2026, 10, 2), local(2026, 10, 2, 9))
    m.price("L2", "240.00", "250.00", dt.date(2026, 10, 3), local(2026, 10, 3, 9))
    for line in OCTOBER_LINES:
        m.order(*line)
    m.order("O8", 1, "L1", dt.date(2026, 11, 2), 1, "95.00")    # November: saves 5.00
    m.order("O9", 1, "L1", dt.date(2026, 9, 30), 1, "99.00")    # September: no product results
    session.flush()
    return m


@pytest.fixture
def month(session):
    """The hand-computed month in the test database."""
    return build_month(session)


def test_october_counts_listings_bands_and_the_high_price_share(session, month, settings):
    report = build_report(session, "2026-10", settings=settings)
    assert report["period"] == "2026-10"
    assert report["listings_checked"] == 5
    assert report["bands"] == {"insufficient": 1, "normal": 2, "evidence": 1, "delist": 1}
    assert report["high_price_share"] == 0.5
    assert report["coverage"] == {"with_monitored_price": 4, "insufficient": 1, "insufficient_share": 0.2}


def test_october_json_holds_the_interface_keys_with_their_values(session, month, settings):
    report = json.loads(render(build_report(session, "2026-10", settings=settings), "json"))
    assert {k: report[k] for k in ("period", "listings_checked", "bands", "high_price_share", "orders")} == {
        "period": "2026-10", "listings_checked": 5,
        "bands": {"insufficient": 1, "normal": 2, "evidence": 1, "delist": 1},
        "high_price_share": 0.5,
        "orders": {"lines": 9, "compliant": 6, "non_compliant": 2, "unchecked": 1}}


def test_order_lines_are_checked_against_the_committed_discount_at_the_cent(session, month, settings):
    report = build_report(session, "2026-10", settings=settings)
    assert report["orders"] == {"lines": 9, "compliant": 6, "non_compliant": 2, "unchecked": 1}
    assert report["order_summary"] == {"orders": 7, "compliant": 4, "non_compliant": 2, "unchecked": 1,
                                       "order_value": "2502.98", "reference_source": "ecommerce"}
    bad = [(r["order_id"], r["line_no"], r["listing_id"], r["supplier_id"], r["unit_price"], r["limit"],
            r["reference"], r["reference_source"]) for r in report["non_compliant_lines"]]
    assert bad == [("O1", 2, "L1", "S001", "97.01", "97.00", "100.00", "ecommerce"),
                   ("O3", 2, "L3", "S002", "97.50", "97.49", "100.50", "ecommerce")]


def test_the_reference_falls_back_to_the_monitored_price_and_follows_the_configured_source(session, month,
                                                                                          settings):
    settings["orders"]["reference_source"] = "index"
    report = build_report(session, "2026-10", settings=settings)
    # index 90.00 x 0.97 = 87.30 for L1 (4 lines over), 160.00 x 0.97 = 155.20 for L2, 90.00 for L5 (c = 0);
    # P3 has no index price: L3 falls back to its monitored price, 100.00 x 0.97 = 97.00 (both lines over)
    assert report["orders"] == {"lines": 9, "compliant": 1, "non_compliant": 7, "unchecked": 1}
    by_line = {(r["order_id"], r["line_no"]): r for r in report["non_compliant_lines"]}
    assert by_line[("O3", 1)]["reference_source"] == "monitored"
    assert by_line[("O3", 1)]["limit"] == "97.00"
    settings["orders"]["reference_source"] = "nowhere"
    with pytest.raises(ReportError):
        build_report(session, "2026-10", settings=settings)


def test_the_index_markup_is_weighted_by_order_value(session, month, settings):
    report = build_report(session, "2026-10", settings=settings)
    num = den = Fraction(0)
    for _order, _line, listing, _day, qty, unit in OCTOBER_LINES:
        if listing in OCTOBER_INDEX:
            u = Fraction(D(unit))
            num += u * qty * (u / OCTOBER_INDEX[listing] - 1)
            den += u * qty
    assert report["index_markup"]["lines"] == 6
    assert report["index_markup"]["order_value"] == format(D(den.numerator) / D(den.denominator), ".2f")
    assert report["index_markup"]["weighted_average"] == pytest.approx(float(num / den), abs=1e-6)


def test_case_steps_are_counted_by_the_local_date_of_their_event(session, month, settings):
    report = build_report(session, "2026-10", settings=settings)
    assert report["cases"] == {"opened": 3, "opened_by_check": 2, "opened_by_price_change": 1,
                               "evidence_submitted": 1, "accepted": 1, "rejected": 1, "price_lowered": 1,
                               "delisted": 2, "relisted": 1}


def test_savings_count_lines_on_or_after_a_lowering_made_under_a_case(session, month, settings):
    report = build_report(session, "2026-10", settings=settings)
    # O6: 4.00 x 3; O7 (ordered the day the second lowering took effect): (4.00 + 1.00) x 2.
    # L5's lowering had no case and L2's came before its case: they save nothing.
    assert report["savings"] == {"total": "22.00", "order_lines": 2, "listings": 1}
    november = build_report(session, "2026-11", settings=settings)
    assert november["savings"]["total"] == "5.00"


def test_breakdowns_per_category_and_supplier(session, month, settings):
    report = build_report(session, "2026-10", settings=settings)
    cats = {c["category"]: c for c in report["categories"]}
    assert cats["shredder"]["bands"] == {"insufficient": 0, "normal": 2, "evidence": 1, "delist": 0}
    assert cats["shredder"]["high_price_share"] == pytest.approx(1 / 3)
    assert cats["shredder"]["savings"] == "22.00"
    assert cats["shredder"]["cases"]["opened"] == 2
    assert cats["printer"]["high_price_share"] == 1.0
    assert cats["printer"]["cases"]["delisted"] == 2
    assert cats["printer"]["order_lines"] == {"lines": 3, "compliant": 1, "non_compliant": 1, "unchecked": 1}
    sups = {s["supplier_id"]: s for s in report["suppliers"]}
    assert sups["S002"]["supplier_name"] == EVIL_NAME
    assert sups["S002"]["bands"] == {"insufficient": 1, "normal": 1, "evidence": 0, "delist": 1}
    assert sups["S001"]["order_lines"]["non_compliant"] == 1
    assert sum(s["listings_checked"] for s in report["suppliers"]) == report["listings_checked"]


def test_the_trend_covers_every_checked_period_up_to_the_report(session, month, settings):
    trend = build_report(session, "2026-10", settings=settings)["trend"]
    assert [(t["period"], t["high_price_share"], t["savings"]) for t in trend] == [
        ("2026-09", 0.25, "0.00"), ("2026-10", 0.5, "22.00")]
    trend = build_report(session, "2026-11", settings=settings)["trend"]
    assert trend[-1]["period"] == "2026-11"
    assert (trend[-1]["listings_checked"], trend[-1]["evidence"], trend[-1]["high_price_share"]) == (2, 1, 0.5)


def test_a_range_sums_its_periods(session, month, settings):
    report = build_report(session, "2026-09", "2026-10", settings=settings)
    assert report["period"] == "2026-09..2026-10"
    assert report["checked_periods"] == ["2026-09", "2026-10"]
    assert report["listings_checked"] == 9
    assert report["bands"] == {"insufficient": 1, "normal": 5, "evidence": 2, "delist": 1}
    assert report["high_price_share"] == 3 / 8
    # O9 (30 Sep) joins the lines; September has no product results, so it is unchecked.
    assert report["orders"] == {"lines": 10, "compliant": 6, "non_compliant": 2, "unchecked": 2}
    assert report["cases"]["opened"] == 6


def test_a_period_without_a_check_reports_zeros(session, settings):
    report = build_report(session, "2026-10", settings=settings)
    assert report["listings_checked"] == 0 and report["high_price_share"] == 0.0
    assert report["orders"] == {"lines": 0, "compliant": 0, "non_compliant": 0, "unchecked": 0}
    assert report["trend"] == [] and report["categories"] == []
    with pytest.raises(ReportError):
        build_report(session, "2026-13", settings=settings)


def test_snapshots_add_versions_and_keep_the_old_ones(session, month, settings):
    first = snapshot_report(session, "2026-10", "monitor1", settings)
    month.order("O10", 1, "L5", dt.date(2026, 10, 30), 1, "101.00")
    session.flush()
    second = snapshot_report(session, "2026-10", "monitor2", settings)
    assert (first.version, second.version) == (1, 2)
    assert latest_snapshot(session, "2026-10").id == second.id
    assert [s.version for s in snapshot_versions(session, "2026-10")] == [1, 2]
    assert snapshot_content(first)["orders"]["lines"] == 9
    assert snapshot_content(second)["orders"]["lines"] == 10
    assert latest_snapshot(session, "2026-09") is None


# ----------------------------------------------------------------------------- files

def test_csv_has_a_bom_and_escapes_formula_text(session, month, settings):
    data = render(build_report(session, "2026-10", settings=settings), "csv", locale="zh_CN")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [c for r in rows for c in r]
    assert "'" + EVIL_NAME in cells
    assert EVIL_NAME not in cells
    assert not any(c[:1] in ("=", "+", "@") for c in cells)
    summary = {r[1]: r[2] for r in rows if r and r[0] == "summary"}
    assert summary["价格偏高占比"] == "0.5000"


def test_xlsx_keeps_numbers_as_numbers_freezes_headers_and_escapes_text(session, month, settings, tmp_path):
    data = render(build_report(session, "2026-10", settings=settings), "xlsx", locale="en")
    path = tmp_path / "r.xlsx"
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    assert len(book.sheetnames) >= 7
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
    suppliers = book["Suppliers"]
    header = [c.value for c in suppliers[1]]
    rows = [dict(zip(header, [c.value for c in row])) for row in suppliers.iter_rows(min_row=2)]
    evil = next(r for r in rows if r["Supplier ID"] == "S002")
    assert evil["Supplier name"] == "'" + EVIL_NAME
    assert evil["Listings checked"] == 3 and isinstance(evil["Listings checked"], int)
    assert evil["High-price share"] == 0.5
    bad = book["Non-compliant lines"]
    header = [c.value for c in bad[1]]
    first = dict(zip(header, [c.value for c in bad[2]]))
    assert first["Unit price"] == 97.01 and first["Limit"] == 97.0


def test_xlsx_writes_negative_numbers_as_numbers(session, month, settings, tmp_path):
    report = build_report(session, "2026-10", settings=settings)
    report["index_markup"]["weighted_average"] = -0.125
    path = tmp_path / "r.xlsx"
    path.write_bytes(render(report, "xlsx", locale="en"))
    summary = openpyxl.load_workbook(path)["Summary"]
    values = {r[0].value: r[1].value for r in summary.iter_rows(min_row=2)}
    assert values["Order-value-weighted markup over the index price"] == -0.125


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("locale, words", [("zh_CN", ["月度价格监测报告", "价格偏高占比"]),
                                           ("en", ["Monthly price monitoring report", "High-price share"])])
def test_pdf_carries_the_headings_in_the_chosen_language(session, month, settings, tmp_path, locale, words):
    data = render(build_report(session, "2026-10", settings=settings), "pdf", locale=locale)
    assert data.startswith(b"%PDF")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    for word in words:
        assert word in text.replace(" ", "") or word in text
    assert "2026-10" in text


# ----------------------------------------------------------------------------- with the real services

def test_the_report_follows_the_real_check_cases_and_price_changes(session_factory, settings):
    from pricewatch.db.models import Observation
    from pricewatch.services import cases as case_service
    from pricewatch.services.checks import run_check
    from pricewatch.services.pricing import change_price

    with session_factory() as s:
        supplier = Supplier(code="S9", name="Beta")
        product = Product(code="P9", category="shredder", name="P9")
        s.add_all([supplier, product])
        s.flush()
        for code, price in (("N", "110.00"), ("E", "130.00"), ("X", "160.00")):
            lst = Listing(code=code, product_id=product.id, supplier_id=supplier.id, category="shredder",
                          mall_price=D(price), committed_discount=D("0.03"), price_effective_on=dt.date(2026, 9, 1))
            s.add(lst)
            s.flush()
            s.add(ListingPrice(listing_id=lst.id, price=D(price), effective_on=dt.date(2026, 9, 1)))
        for source, price in (("index", "100.00"), ("gov", "100.00"), ("ecommerce", "100.00")):
            s.add(Observation(product_id=product.id, source=source, price=D(price), observed_on=dt.date(2026, 10, 9)))
        s.commit()
    # The October check runs at 02:00 on 1 November, Shanghai time: E is flagged, X is delisted.
    run_check(session_factory, settings, "2026-10", actor="scheduler", now=local(2026, 11, 1, 2))
    with session_factory() as s:
        listing = {lst.code: lst for lst in s.scalars(select(Listing))}
        # 5 Nov: the supplier lowers E into the normal band (120.00 <= 100.00 x 1.2), closing its case.
        change_price(s, listing["E"], "120.00", actor="supplier", origin="supplier", now=local(2026, 11, 5, 10),
                     settings=settings)
        s.add_all([OrderLine(order_code="B1", line_no=1, listing_id=listing["E"].id, ordered_on=dt.date(2026, 11, 4),
                             quantity=1, unit_price=D("130.00")),
                   OrderLine(order_code="B2", line_no=1, listing_id=listing["E"].id, ordered_on=dt.date(2026, 11, 5),
                             quantity=4, unit_price=D("120.00"))])
        s.commit()
        october = build_report(s, "2026-10", settings=settings)
        november = build_report(s, "2026-11", settings=settings)
        assert case_service.open_case_for_listing(s, listing["E"].id) is None
    assert october["bands"] == {"insufficient": 0, "normal": 1, "evidence": 1, "delist": 1}
    assert (october["cases"]["opened_by_check"], october["cases"]["delisted"]) == (2, 0)
    # The check's delisting and the lowering happened in November (local time).
    assert november["cases"]["opened"] == 0
    assert (november["cases"]["delisted"], november["cases"]["price_lowered"]) == (1, 1)
    assert november["savings"] == {"total": "40.00", "order_lines": 1, "listings": 1}
    # November has no check yet: its lines cannot be checked.
    assert november["orders"] == {"lines": 2, "compliant": 0, "non_compliant": 0, "unchecked": 2}
