"""Operations: imports by upload (all or nothing, errors by line and column) and the confirmed manual check."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from pricewatch.db.models import Case, CheckRun, ImportBatch, Listing, Observation
from pricewatch.domain.periods import period_of
from tests.conftest import BACKENDS
from tests.web.conftest import post
from tests.web.portal_fixtures import count, error_lines, events, form_post, page_text

LISTINGS_CSV = ("listing_id,product_id,supplier_id,supplier_name,category,name,mall_price,price_effective_on\n"
                "L-OK,P-1,S-9,南方文具,shredder,碎纸机甲,119.00,2026-08-01\n"
                "L-HIGH,P-1,S-9,南方文具,shredder,碎纸机乙,130.00,2026-08-01\n")
QUOTES_CSV = ("product_id,source,price,observed_on,origin\n"
              "P-1,index,100.00,2026-08-05,idx\n"
              "P-1,gov,100.00,2026-08-10,gov-a\n"
              "P-1,ecommerce,100.00,2026-08-12,jd\n")
BAD_LISTINGS_CSV = ("listing_id,product_id,supplier_id,category,mall_price\n"
                    "L1,P1,S1,shredder,abc\n"
                    "L2,P1,S1,,100.00\n"
                    "L3,P1,S1,shredder,12.345\n")


@pytest.fixture
def monitor(login_as, client, users):
    """The client signed in as a monitor, with the English UI, on an empty month."""
    login_as("monitor")
    client.get("/operations/imports?lang=en")
    return client


def upload(client, kind: str, name: str, content: bytes, **kwargs):
    """Upload a file to the import page."""
    return form_post(client, "/operations/imports", {"kind": kind}, [(name, content)], field="file", **kwargs)


def xlsx(rows: list[list]) -> bytes:
    """An XLSX workbook with `rows` on its first sheet."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------- imports

def test_a_bad_file_shows_every_problem_by_line_and_column_and_stores_nothing(monitor, db):
    response = upload(monitor, "listings", "listings.csv", BAD_LISTINGS_CSV.encode())
    assert response.status_code == 400
    text = page_text(response)
    assert error_lines(text) == ["line 2, column mall_price: not a decimal number: &#39;abc&#39;",
                                 "line 3, column category: a value is required",
                                 error_lines(text)[2]]
    assert error_lines(text)[2].startswith("line 4, column mall_price:")
    assert "nothing was stored" in text
    assert count(db, Listing) == 0 and count(db, ImportBatch) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_bad_observations_file_stores_none_of_its_good_rows(monitor, db):
    assert upload(monitor, "listings", "listings.csv", LISTINGS_CSV.encode()).status_code == 200
    bad = QUOTES_CSV + "P-1,auction,100.00,2026-08-12,x\nP-404,gov,90.00,2026-08-12,x\n"
    response = upload(monitor, "observations", "quotes.csv", bad.encode())
    assert response.status_code == 400
    lines = error_lines(page_text(response))
    assert [line.split(":")[0] for line in lines] == ["line 5, column source", "line 6, column product_id"]
    assert count(db, Observation) == 0 and count(db, ImportBatch, ImportBatch.kind == "observations") == 0


def test_a_good_file_is_imported_and_summarised(monitor, db):
    response = upload(monitor, "listings", "listings.csv", LISTINGS_CSV.encode())
    assert response.status_code == 200
    summary = page_text(response).split('id="import-summary"')[1]
    assert "listings.csv imported" in summary and "Rows read" in summary and ">2</td>" in summary
    assert count(db, Listing) == 2
    assert events(db, entity="import")[0].actor == "monitor"


def test_an_xlsx_file_goes_through_the_same_importer(monitor, db):
    rows = [["listing_id", "product_id", "supplier_id", "category", "mall_price"],
            ["L-X1", "P-X", "S-X", "printer", "1999.00"], ["L-X2", "P-X", "S-X", "printer", "bad"]]
    rejected = upload(monitor, "listings", "listings.xlsx", xlsx(rows))
    assert rejected.status_code == 400 and "line 3, column mall_price" in page_text(rejected)
    assert count(db, Listing) == 0
    assert upload(monitor, "listings", "listings.xlsx", xlsx(rows[:2])).status_code == 200
    assert count(db, Listing) == 1


def test_only_csv_and_xlsx_files_are_accepted_and_a_token_is_needed(monitor, db):
    wrong = upload(monitor, "listings", "listings.txt", LISTINGS_CSV.encode())
    assert wrong.status_code == 400 and "Expected a .csv or .xlsx file." in page_text(wrong)
    assert upload(monitor, "listings", "listings.csv", LISTINGS_CSV.encode(), token=False).status_code == 400
    assert count(db, Listing) == 0


@pytest.mark.parametrize("role", ["supplier", "viewer"])
def test_operations_are_for_monitors_and_admins_only(client, login_as, users, role):
    login_as(role)
    assert client.get("/operations/imports").status_code == 403
    assert client.get("/operations/checks").status_code == 403


# ----------------------------------------------------------------------------- the manual check

def _month_to_check(monitor) -> None:
    """Two listings of August 2026 and three quotes: one listing normal (119.00), one evidence (130.00)."""
    assert upload(monitor, "listings", "listings.csv", LISTINGS_CSV.encode()).status_code == 200
    assert upload(monitor, "observations", "quotes.csv", QUOTES_CSV.encode()).status_code == 200


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_manual_check_runs_only_after_confirmation(app, monitor, db):
    _month_to_check(monitor)
    ask = post(monitor, "/operations/checks", {"period": "2026-08"})
    assert ask.status_code == 200
    text = page_text(ask)
    assert "Yes, run the check of 2026-08" in text and "2 listings on sale" in text and "3 price quotes" in text
    assert count(db, CheckRun) == 0
    unconfirmed = post(monitor, "/operations/checks/run", {"period": "2026-08"})
    assert unconfirmed.status_code == 400 and "confirm it on the confirmation page" in page_text(unconfirmed)
    forged = post(monitor, "/operations/checks/run", {"period": "2026-08", "confirm": "no"})
    assert forged.status_code == 400
    assert count(db, CheckRun) == 0

    done = post(monitor, "/operations/checks/run", {"period": "2026-08", "confirm": "yes"})
    app.extensions["portal_check_runner"].wait(60)
    assert done.status_code == 302
    assert count(db, CheckRun, CheckRun.period == "2026-08", CheckRun.triggered_by == "monitor") == 1
    assert count(db, Case, Case.period == "2026-08", Case.state == "evidence_requested") == 1
    page = page_text(monitor.get(done.headers["Location"]))
    assert "2026-08 checked: 2 listings, 1 cases opened, 0 delisted." in page
    assert 'id="past-runs"' in page and "2026-08" in page.split('id="past-runs"')[1]


def test_a_repeated_check_changes_nothing_and_says_so(app, monitor, db):
    _month_to_check(monitor)
    post(monitor, "/operations/checks/run", {"period": "2026-08", "confirm": "yes"})
    app.extensions["portal_check_runner"].wait(60)
    again = post(monitor, "/operations/checks", {"period": "2026-08"})
    assert "was already checked" in page_text(again) and 'id="confirm-form"' not in page_text(again)
    repeat = post(monitor, "/operations/checks/run", {"period": "2026-08", "confirm": "yes"}, follow_redirects=True)
    app.extensions["portal_check_runner"].wait(60)
    assert "had already been checked; nothing was changed" in page_text(repeat)
    assert count(db, CheckRun) == 1 and count(db, Case) == 1


@pytest.mark.parametrize("period, message", [
    ("2026-13", "Write the period as YYYY-MM"),
    ("this month", "Write the period as YYYY-MM"),
])
def test_a_malformed_period_is_a_form_error(monitor, db, period, message):
    response = post(monitor, "/operations/checks", {"period": period})
    assert response.status_code == 400 and message in page_text(response)


def test_a_period_that_has_not_ended_cannot_be_checked(monitor, db):
    import datetime as dt
    current = period_of(dt.date.today())
    ask = post(monitor, "/operations/checks", {"period": current})
    run = post(monitor, "/operations/checks/run", {"period": current, "confirm": "yes"})
    assert ask.status_code == 400 and run.status_code == 400
    assert "has not ended yet" in page_text(ask)
    assert count(db, CheckRun) == 0
