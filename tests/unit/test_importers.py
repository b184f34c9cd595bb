"""Reading and validating input files (INTERFACE.md), without a database."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from pricewatch.importers import (
    ErrorLog, ImportRejected, open_table, read_listings, read_observations, read_orders,
)
from pricewatch.importers.errors import MAX_KEPT_ERRORS
from pricewatch.importers.fields import FieldError, scaled_decimal
from pricewatch.importers.prefetch import prefetch

TODAY = dt.date(2026, 11, 3)
LISTINGS_HEADER = "listing_id,product_id,supplier_id,category,mall_price"
OBS_HEADER = "product_id,source,price,observed_on,origin,url"
ORDERS_HEADER = "order_id,line_no,listing_id,ordered_on,quantity,unit_price"
PRODUCTS = {"P1": 11, "P2": 12}


def write(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    """A CSV file holding `text` (lines joined as written)."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def listings(path: Path) -> list:
    """Every valid listing row of the file, or ImportRejected."""
    errors = ErrorLog(path)
    with open_table(path, errors) as table:
        rows = [row for chunk in read_listings(table, errors, today=TODAY) for row in chunk]
    errors.raise_if_any()
    return rows


def observations(path: Path, products=PRODUCTS, chunk_size: int = 1000) -> list:
    """Every valid quote of the file, or ImportRejected."""
    errors = ErrorLog(path)
    with open_table(path, errors) as table:
        rows = [q for chunk in read_observations(table, errors, products, chunk_size=chunk_size) for q in chunk]
    errors.raise_if_any()
    return rows


def orders(path: Path) -> list:
    """Every valid order row of the file, or ImportRejected."""
    errors = ErrorLog(path)
    with open_table(path, errors) as table:
        rows = [row for chunk in read_orders(table, errors) for row in chunk]
    errors.raise_if_any()
    return rows


def problems(read, path: Path) -> list[str]:
    """The messages of the rejection `read(path)` raises."""
    with pytest.raises(ImportRejected) as info:
        read(path)
    return info.value.errors


# ----------------------------------------------------------------------------- header and file

def test_a_missing_required_column_is_reported_on_line_1(tmp_path):
    path = write(tmp_path, "listing_id,product_id,category\nL1,P1,shredder\n")

    assert problems(listings, path) == [
        "line 1, column supplier_id: required column is missing",
        "line 1, column mall_price: required column is missing",
    ]


def test_headers_match_whatever_their_case_order_and_surrounding_spaces(tmp_path):
    path = write(tmp_path, " Mall_Price ,CATEGORY,Supplier_ID,listing_id, Product_Id\n99.5,shredder,S1,L1,P1\n")

    [row] = listings(path)

    assert (row.listing_id, row.product_id, row.supplier_id, row.category, row.mall_price) == (
        "L1", "P1", "S1", "shredder", Decimal("99.50"))


def test_unknown_columns_are_ignored(tmp_path):
    path = write(tmp_path, f"remark,{LISTINGS_HEADER},colour\nnot read,L1,P1,S1,shredder,10,red\n")

    [row] = listings(path)

    assert row.mall_price == Decimal("10.00")


def test_a_column_named_twice_is_rejected(tmp_path):
    path = write(tmp_path, f"{LISTINGS_HEADER},MALL_PRICE\nL1,P1,S1,shredder,10,11\n")

    assert problems(listings, path) == ["line 1, column mall_price: the column appears more than once"]


def test_an_empty_file_is_rejected(tmp_path):
    path = write(tmp_path, "")

    assert problems(listings, path) == ["line 1: the file is empty: the first line must name the columns"]


def test_a_header_without_rows_is_rejected(tmp_path):
    path = write(tmp_path, LISTINGS_HEADER + "\n")

    assert problems(listings, path) == ["line 2: the file has no data rows, only the header"]


def test_an_observations_header_without_rows_is_rejected(tmp_path):
    path = write(tmp_path, OBS_HEADER + "\n\n")

    assert problems(observations, path) == ["line 2: the file has no data rows, only the header"]


def test_a_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path):
    path = write(tmp_path, "\ufeff" + LISTINGS_HEADER + "\nL1,P1,S1,shredder,10\n")

    [row] = listings(path)

    assert row.listing_id == "L1"


@pytest.mark.parametrize("encoding", ["latin-1", "gbk"])
def test_text_that_is_not_utf8_is_rejected_naming_each_line(tmp_path, encoding):
    text = LISTINGS_HEADER + "\nL1,P1,S1,shredder,10\nL2,P1,S1,碎纸机é,10\nL3,P1,S1,shredder,10\n"
    if encoding == "latin-1":
        text = text.replace("碎纸机", "")
    path = write(tmp_path, text, encoding=encoding)

    assert problems(listings, path) == [
        'line 3: not valid UTF-8 text; save the file as UTF-8 (in Excel: "CSV UTF-8")']


def test_blank_lines_are_skipped_but_still_counted(tmp_path):
    path = write(tmp_path, LISTINGS_HEADER + "\n\nL1,P1,S1,shredder,10\n,,,,\nL2,P1,S1,shredder,ten\n")

    assert problems(listings, path) == ["line 5, column mall_price: not a decimal number: 'ten'"]


def test_a_file_of_another_type_is_rejected(tmp_path):
    path = write(tmp_path, "whatever", name="listings.xls")

    assert problems(listings, path) == ["unsupported file type '.xls': use .csv or .xlsx"]


def test_quoted_fields_may_hold_commas(tmp_path):
    path = write(tmp_path, LISTINGS_HEADER + ',name\nL1,P1,S1,shredder,10,"碎纸机, 大号"\n')

    [row] = listings(path)

    assert row.name == "碎纸机, 大号"


# ----------------------------------------------------------------------------- listings

@pytest.mark.parametrize(("cell", "message"), [
    ("abc", "not a decimal number: 'abc'"),
    ("1e3", "not a decimal number: '1e3'"),
    ("NaN", "not a decimal number: 'NaN'"),
    ("Infinity", "not a decimal number: 'Infinity'"),
    ("-5", "must be greater than 0"),
    ("0", "must be greater than 0"),
    ("0.00", "must be greater than 0"),
    ("12.345", "at most 2 decimal places"),
    ("¥12", "not a decimal number: '¥12'"),
    ("١٢", "not a decimal number: '١٢'"),
    ("1234567890123", "too large (more than 12 digits before the point)"),
])
def test_a_bad_mall_price_is_reported_with_its_line_and_column(tmp_path, cell, message):
    path = write(tmp_path, f"{LISTINGS_HEADER}\nL1,P1,S1,shredder,10\nL2,P1,S1,shredder,{cell}\n")

    assert problems(listings, path) == [f"line 3, column mall_price: {message}"]


def test_a_price_with_a_thousands_separator_is_refused(tmp_path):
    path = write(tmp_path, f'{LISTINGS_HEADER}\nL1,P1,S1,shredder,"1,000.00"\n')

    assert problems(listings, path) == ["line 2, column mall_price: not a decimal number: '1,000.00'"]


@pytest.mark.parametrize(("cell", "price"), [
    ("12", "12.00"), ("12.5", "12.50"), ("12.500", "12.50"), ("0.01", "0.01"), (" 7.10 ", "7.10"), ("+3", "3.00"),
])
def test_a_mall_price_is_read_exactly(tmp_path, cell, price):
    path = write(tmp_path, f"{LISTINGS_HEADER}\nL1,P1,S1,shredder,{cell}\n")

    [row] = listings(path)

    assert row.mall_price == Decimal(price) and row.mall_price.as_tuple().exponent == -2


def test_optional_listing_columns_take_their_defaults(tmp_path):
    path = write(tmp_path, f"{LISTINGS_HEADER},committed_discount,price_effective_on\nL1,P1,S1,shredder,10,,\n")

    [row] = listings(path)

    # No discount given: None, which the writer stores as 0 for a new listing (see test_imports).
    assert (row.committed_discount, row.price_effective_on, row.supplier_name, row.brand) == (
        None, TODAY, "", "")


@pytest.mark.parametrize(("cell", "message"), [
    ("1", "must be at least 0 and less than 1"),
    ("-0.1", "must be at least 0 and less than 1"),
    ("0.12345", "at most 4 decimal places"),
    ("3%", "not a decimal number: '3%'"),
])
def test_a_committed_discount_outside_zero_to_one_is_refused(tmp_path, cell, message):
    path = write(tmp_path, f"{LISTINGS_HEADER},committed_discount\nL1,P1,S1,shredder,10,{cell}\n")

    assert problems(listings, path) == [f"line 2, column committed_discount: {message}"]


def test_a_committed_discount_keeps_four_places(tmp_path):
    path = write(tmp_path, f"{LISTINGS_HEADER},committed_discount\nL1,P1,S1,shredder,10,0.0325\n")

    [row] = listings(path)

    assert row.committed_discount == Decimal("0.0325")


@pytest.mark.parametrize(("cell", "message"), [
    ("2026/10/01", "not a date in the form YYYY-MM-DD: '2026/10/01'"),
    ("2026-02-30", "not a valid date: '2026-02-30'"),
    ("20261001", "not a date in the form YYYY-MM-DD: '20261001'"),
])
def test_a_bad_effective_date_is_refused(tmp_path, cell, message):
    path = write(tmp_path, f"{LISTINGS_HEADER},price_effective_on\nL1,P1,S1,shredder,10,{cell}\n")

    assert problems(listings, path) == [f"line 2, column price_effective_on: {message}"]


def test_a_repeated_listing_id_names_both_lines(tmp_path):
    path = write(tmp_path, f"{LISTINGS_HEADER}\nL1,P1,S1,shredder,10\nL2,P1,S1,shredder,10\nL1,P2,S1,printer,20\n")

    assert problems(listings, path) == ["line 4, column listing_id: listing 'L1' already appears on line 2"]


def test_an_empty_required_cell_and_an_overlong_code_are_refused(tmp_path):
    path = write(tmp_path, f"{LISTINGS_HEADER}\nL1,,S1,shredder,10\n{'L' * 65},P1,S1,shredder,10\n")

    assert problems(listings, path) == [
        "line 2, column product_id: a value is required",
        "line 3, column listing_id: longer than 64 characters",
    ]


def test_every_problem_of_the_file_is_reported_in_line_order(tmp_path):
    path = write(tmp_path, f"{LISTINGS_HEADER},committed_discount\n"
                           "L1,P1,S1,shredder,x,2\nL2,P1,S1,,10,0\nL3,P1,S1,shredder,10,0\n")

    assert problems(listings, path) == [
        "line 2, column mall_price: not a decimal number: 'x'",
        "line 2, column committed_discount: must be at least 0 and less than 1",
        "line 3, column category: a value is required",
    ]


def test_the_kept_problems_are_capped_and_the_rest_counted(tmp_path):
    bad = "".join(f"L{i},P1,S1,shredder,x\n" for i in range(MAX_KEPT_ERRORS + 250))
    path = write(tmp_path, f"{LISTINGS_HEADER}\n{bad}")

    with pytest.raises(ImportRejected) as info:
        listings(path)

    assert len(info.value.errors) == MAX_KEPT_ERRORS
    assert info.value.total == MAX_KEPT_ERRORS + 250
    assert str(info.value).endswith("\n... and 250 more")
    assert str(info.value).startswith(f"in.csv: rejected, nothing was imported ({MAX_KEPT_ERRORS + 250} problems):")


# ----------------------------------------------------------------------------- observations

def test_quotes_are_read_as_database_tuples(tmp_path):
    path = write(tmp_path, f"{OBS_HEADER}\nP1,index,850,2026-10-05,ZOL,\nP2,gov,1234.5678,2026-10-31,,http://x\n")

    assert observations(path) == [
        (11, "index", "2026-10-05", 8_500_000, "ZOL", ""),
        (12, "gov", "2026-10-31", 12_345_678, "", "http://x"),
    ]


def test_quotes_without_origin_and_url_columns_store_empty_text(tmp_path):
    path = write(tmp_path, "observed_on,price,source,product_id\n2026-10-05,0.0001,retail,P2\n")

    assert observations(path) == [(12, "retail", "2026-10-05", 1, "", "")]


def test_loosely_written_quotes_are_read_like_tidy_ones(tmp_path):
    path = write(tmp_path, f"{OBS_HEADER}\n P1 , Index , 850.50 , 2026-10-05 , ZOL ,\nP1,ECOMMERCE,.5,2026-10-05\n")

    assert observations(path) == [
        (11, "index", "2026-10-05", 8_505_000, "ZOL", ""),
        (11, "ecommerce", "2026-10-05", 5_000, "", ""),
    ]


def test_identical_quotes_in_one_file_are_not_an_error(tmp_path):
    path = write(tmp_path, f"{OBS_HEADER}\nP1,index,850,2026-10-05,ZOL,\nP1,index,850.00,2026-10-05,ZOL,\n")

    assert len(observations(path)) == 2  # the writer stores one: see the integration tests


@pytest.mark.parametrize(("row", "message"), [
    ("P9,index,850,2026-10-05", "line 3, column product_id: unknown product 'P9'"),
    ("P1,tmall,850,2026-10-05", "line 3, column source: unknown source 'tmall': use one of index, gov, ecommerce, retail"),
    ("P1,index,850.00001,2026-10-05", "line 3, column price: at most 4 decimal places"),
    ("P1,index,0,2026-10-05", "line 3, column price: must be greater than 0"),
    ("P1,index,-850,2026-10-05", "line 3, column price: must be greater than 0"),
    ("P1,index,8.5e2,2026-10-05", "line 3, column price: not a decimal number: '8.5e2'"),
    ("P1,index,inf,2026-10-05", "line 3, column price: not a decimal number: 'inf'"),
    ("P1,index,850,2026-13-05", "line 3, column observed_on: not a valid date: '2026-13-05'"),
    ("P1,index,850,05/10/2026", "line 3, column observed_on: not a date in the form YYYY-MM-DD: '05/10/2026'"),
    ("P1,index,850", "line 3, column observed_on: a value is required"),
    (",index,850,2026-10-05", "line 3, column product_id: a value is required"),
])
def test_a_bad_quote_is_reported_with_its_line_and_column(tmp_path, row, message):
    path = write(tmp_path, f"{OBS_HEADER}\nP1,gov,850,2026-10-05,,\n{row}\n")

    assert problems(observations, path) == [message]


def test_an_overlong_origin_is_refused(tmp_path):
    path = write(tmp_path, f"{OBS_HEADER}\nP1,gov,850,2026-10-05,{'x' * 201},\n")

    assert problems(observations, path) == ["line 2, column origin: longer than 200 characters"]


def test_every_bad_quote_is_reported_even_across_chunks(tmp_path):
    rows = "".join(f"P1,gov,{'x' if i % 3 == 0 else 850},2026-10-05,,\n" for i in range(10))
    path = write(tmp_path, f"{OBS_HEADER}\n{rows}")

    assert problems(lambda p: observations(p, chunk_size=2), path) == [
        f"line {i + 2}, column price: not a decimal number: 'x'" for i in (0, 3, 6, 9)]


def test_quotes_come_in_chunks_of_the_size_asked(tmp_path):
    rows = "".join(f"P1,gov,{850 + i},2026-10-05,,\n" for i in range(5))
    path = write(tmp_path, f"{OBS_HEADER}\n{rows}")
    errors = ErrorLog(path)

    with open_table(path, errors) as table:
        sizes = [len(chunk) for chunk in read_observations(table, errors, PRODUCTS, chunk_size=2)]

    assert sizes == [2, 2, 1]


price_texts = st.one_of(
    st.decimals(min_value=Decimal("0"), max_value=Decimal("1e12"), places=6, allow_nan=False).map(str),
    st.from_regex(r"\A ?[-+]?\d{0,14}(\.\d{0,6})? ?\Z"),
    st.sampled_from(["1e3", "NaN", "-0", ".", "", "0.0000", "1.23450", "00012.5"]),
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=price_texts)
def test_the_fast_path_reads_every_price_as_the_careful_parser_does(tmp_path_factory, text):
    path = write(tmp_path_factory.mktemp("fast"), f"product_id,source,observed_on,price\nP1,gov,2026-10-05,{text}\n")
    try:
        expected = scaled_decimal(text, 4)
    except FieldError as exc:
        assert problems(observations, path) == [f"line 2, column price: {exc}"]
    else:
        assert observations(path) == [(11, "gov", "2026-10-05", expected, "", "")]


# ----------------------------------------------------------------------------- orders

def test_order_lines_are_read_with_a_default_line_number(tmp_path):
    path = write(tmp_path, "order_id,listing_id,ordered_on,quantity,unit_price,buyer_id\n"
                           "O1,L1,2026-10-15,2,880.5,B7\n")

    [row] = orders(path)

    assert (row.order_id, row.line_no, row.listing_id, row.buyer_id, row.ordered_on, row.quantity,
            row.unit_price) == ("O1", 1, "L1", "B7", dt.date(2026, 10, 15), 2, Decimal("880.50"))


@pytest.mark.parametrize(("cells", "message"), [
    ("O1,1,L1,2026-10-15,1.5,10", "line 2, column quantity: not a whole number: '1.5'"),
    ("O1,1,L1,2026-10-15,0,10", "line 2, column quantity: must be greater than 0"),
    ("O1,1,L1,2026-10-15,-2,10", "line 2, column quantity: must be greater than 0"),
    ("O1,0,L1,2026-10-15,2,10", "line 2, column line_no: must be greater than 0"),
    ("O1,x,L1,2026-10-15,2,10", "line 2, column line_no: not a whole number: 'x'"),
    ("O1,1,L1,2026-10-15,2,10.001", "line 2, column unit_price: at most 2 decimal places"),
    ("O1,1,L1,15.10.2026,2,10", "line 2, column ordered_on: not a date in the form YYYY-MM-DD: '15.10.2026'"),
    ("O1,1,,2026-10-15,2,10", "line 2, column listing_id: a value is required"),
])
def test_a_bad_order_line_is_reported_with_its_line_and_column(tmp_path, cells, message):
    path = write(tmp_path, f"{ORDERS_HEADER}\n{cells}\n")

    assert problems(orders, path) == [message]


def test_a_repeated_order_line_names_both_lines(tmp_path):
    path = write(tmp_path, f"{ORDERS_HEADER}\nO1,1,L1,2026-10-15,2,10\nO1,2,L1,2026-10-15,2,10\n"
                           "O1,,L2,2026-10-16,1,12\n")

    assert problems(orders, path) == ["line 4, column order_id: order 'O1' line_no 1 already appears on line 2"]


# ----------------------------------------------------------------------------- XLSX

def write_xlsx(tmp_path: Path, rows: list[list], name: str = "in.xlsx") -> Path:
    """A workbook whose first sheet holds `rows` (a second sheet is never read)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.create_sheet("other").append(["ignored"])
    path = tmp_path / name
    book.save(path)
    return path


def test_a_workbook_is_read_like_a_csv(tmp_path):
    path = write_xlsx(tmp_path, [
        ["Listing_ID", "product_id", "supplier_id", "category", "mall_price", "committed_discount",
         "price_effective_on", "note"],
        ["L1", 1001, "S1", "shredder", 19.99, 0.03, dt.datetime(2026, 9, 1), "x"],
        ["L2", "P2", "S1", "printer", 1499, None, dt.date(2026, 9, 2), None],
    ])

    rows = listings(path)

    assert [(r.listing_id, r.product_id, r.mall_price, r.committed_discount, r.price_effective_on) for r in rows] == [
        ("L1", "1001", Decimal("19.99"), Decimal("0.03"), dt.date(2026, 9, 1)),
        ("L2", "P2", Decimal("1499.00"), None, dt.date(2026, 9, 2)),
    ]


def test_a_workbook_of_quotes_is_read_by_the_fast_reader(tmp_path):
    path = write_xlsx(tmp_path, [OBS_HEADER.split(","), ["P1", "gov", 0.1 + 0.2, "2026-10-05", "", None]])

    assert observations(path) == [(11, "gov", "2026-10-05", 3000, "", "")]


def test_a_formula_in_a_workbook_is_refused(tmp_path):
    path = write_xlsx(tmp_path, [
        LISTINGS_HEADER.split(",") + ["note"],
        ["L1", "P1", "S1", "shredder", 10, "=1+1"],  # a formula in an ignored column does not matter
        ["L2", "P1", "S1", "shredder", "=A1*2", None],
    ])

    assert problems(listings, path) == ["line 3, column mall_price: formulas are not accepted, paste values"]


def test_a_formula_in_the_header_is_refused_by_its_column_letter(tmp_path):
    path = write_xlsx(tmp_path, [["listing_id", "=\"product\"&\"_id\""], ["L1", "P1"]])

    assert problems(listings, path) == ["line 1, column B: formulas are not accepted, paste values"]


def test_an_empty_workbook_is_rejected(tmp_path):
    path = write_xlsx(tmp_path, [])

    assert problems(listings, path) == ["line 1: the file is empty: the first line must name the columns"]


def test_a_file_that_is_not_a_workbook_is_rejected(tmp_path):
    path = write(tmp_path, "listing_id\nL1\n", name="fake.xlsx")

    [message] = problems(listings, path)

    assert message.startswith("not a readable XLSX workbook")


# ----------------------------------------------------------------------------- reading ahead

def test_reading_ahead_yields_every_item_in_order():
    assert list(prefetch(iter(range(100)), depth=3)) == list(range(100))


def test_a_failure_while_reading_ahead_reaches_the_consumer():
    def items():
        yield 1
        raise ImportRejected("f.csv", ["line 3: bad"])

    consumed = []
    with pytest.raises(ImportRejected, match="line 3: bad"):
        for item in prefetch(items()):
            consumed.append(item)
    assert consumed == [1]


def test_stopping_early_stops_the_reader_thread():
    closed = threading.Event()

    def items():
        try:
            for i in range(10_000):
                yield i
        finally:
            closed.set()

    reader = prefetch(items(), depth=1)
    assert next(reader) == 0
    reader.close()

    assert closed.wait(5)
    assert not any(t.name == "pricewatch-import-reader" for t in threading.enumerate())
