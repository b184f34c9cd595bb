"""The report as an XLSX workbook (XlsxWriter): one sheet per table, real numbers, frozen headers.

Numbers stay numbers (money with 2 places, shares and rates as percent formats); text cells that
would start a formula get a leading ' and are always written as strings, never as formulas.
"""
from __future__ import annotations

import io
import re
import unicodedata
import xlsxwriter

from pricewatch.reports.cells import escape_text
from pricewatch.reports.tables import Table, report_tables

_MAX_WIDTH = 60
#: Column widths are fitted to the header and the first rows only (cheap on long sheets).
_WIDTH_SAMPLE = 2000
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet (East Asian wide characters count twice)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters) from a table title."""
    base = _BAD_SHEET_CHARS.sub(" ", title)[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name.lower())
    return name


def _shown(value, kind: str) -> str:
    """Roughly what a cell shows, to size its column."""
    if value is None:
        return ""
    if kind in ("share", "rate"):
        return f"{float(value) * 100:.2f}%"
    return str(value)


def _writers(sheet, formats: dict) -> dict:
    """A cell writer per kind: (row, col, value) -> None."""
    def number(fmt, convert):
        return lambda r, c, v: sheet.write_number(r, c, convert(v), fmt)

    return {
        "int": number(formats["int"], int),
        # "1144.00" -> 1144.0: the nearest double, exactly what Excel keeps for a 2-place amount
        "money": number(formats["money"], float),
        "share": number(formats["share"], float),
        "rate": number(formats["rate"], float),
        "text": lambda r, c, v: sheet.write_string(r, c, escape_text(v)),
    }


def _write_table(sheet, table: Table, formats: dict) -> None:
    """One table on one sheet: header row frozen, typed cells, fitted column widths."""
    widths = [_display_width(label) for label in table.labels]
    for c, label in enumerate(table.labels):
        sheet.write_string(0, c, escape_text(label), formats["header"])
    write = _writers(sheet, formats)
    fixed = [write[k] for k in table.kinds] if table.row_kinds is None else None
    for r, row in enumerate(table.rows):
        cells = fixed or [write[k] for k in table.row_kinds[r]]
        for c, value in enumerate(row):
            if value is None or value == "":
                sheet.write_blank(r + 1, c, None)
            else:
                cells[c](r + 1, c, value)
        if r < _WIDTH_SAMPLE:
            for c, value in enumerate(row):
                widths[c] = max(widths[c], _display_width(_shown(value, table.cell_kind(r, c))))
    for c, width in enumerate(widths):
        sheet.set_column(c, c, min(_MAX_WIDTH, width + 2))
    sheet.freeze_panes(1, 0)


def render_xlsx(report: dict, locale: str = "zh_CN") -> bytes:
    """The report's tables as an XLSX workbook."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1}),
        "int": book.add_format({"num_format": "0"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "share": book.add_format({"num_format": "0.00%"}),
        "rate": book.add_format({"num_format": "0.00%"}),
    }
    used: set[str] = set()
    for table in report_tables(report, locale):
        sheet = book.add_worksheet(_sheet_name(table.title, used))
        _write_table(sheet, table, formats)
    book.close()
    return out.getvalue()
