"""The report as one CSV file: its tables one after another, separated by a blank line.

Every row, headers included, starts with the table's key (`summary`, `bands`, `cases`,
`non_compliant_lines`, `categories`, `suppliers`, `trend`) so a script can pick a section with one
test on the first column. UTF-8 with a BOM, so Excel reads the Chinese labels; text cells that would
start a formula are escaped with a leading '.
"""
from __future__ import annotations

import csv
import io

from pricewatch.reports.cells import escape_text, plain
from pricewatch.reports.tables import report_tables


def render_csv(report: dict, locale: str = "zh_CN") -> bytes:
    """The report's tables as CSV bytes (UTF-8 with BOM, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, table in enumerate(report_tables(report, locale)):
        if i:
            writer.writerow([])
        writer.writerow([table.key, *(escape_text(label) for label in table.labels)])
        for r, row in enumerate(table.rows):
            writer.writerow([table.key, *(plain(v, table.cell_kind(r, c)) for c, v in enumerate(row))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
