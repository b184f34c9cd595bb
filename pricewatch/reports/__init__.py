"""The report's files: `render(report, fmt, locale)` -> bytes (JSON, CSV, XLSX or PDF).

`report` is the dict of `pricewatch.services.reports.build_report` (or a stored snapshot of it).
"""
from __future__ import annotations

#: The formats `render` writes, with their file suffix and media type.
FORMATS: dict[str, tuple[str, str]] = {
    "json": (".json", "application/json"),
    "csv": (".csv", "text/csv; charset=utf-8"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (".pdf", "application/pdf"),
}


def render(report: dict, fmt: str, locale: str = "zh_CN") -> bytes:
    """The report as a file of format `fmt` ('json', 'csv', 'xlsx', 'pdf'), labels in `locale`."""
    if fmt == "json":
        from pricewatch.reports.json_report import render_json
        return render_json(report)
    if fmt == "csv":
        from pricewatch.reports.csv_report import render_csv
        return render_csv(report, locale)
    if fmt == "xlsx":
        from pricewatch.reports.xlsx_report import render_xlsx
        return render_xlsx(report, locale)
    if fmt == "pdf":
        from pricewatch.reports.pdf_report import render_pdf
        return render_pdf(report, locale)
    raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}")
