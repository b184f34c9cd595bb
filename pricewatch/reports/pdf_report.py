"""The report as an A4 PDF (WeasyPrint): headline figures, SVG charts and the tables.

Chinese text uses the Noto CJK fonts (Debian's fonts-noto-cjk). Long lists are cut for print: the
first `MAX_LINES` non-compliant lines and the `MAX_SUPPLIERS` suppliers with the most flagged
listings, with a note pointing to the XLSX/CSV report for the rest; the band chart shows the
`MAX_CHART_CATEGORIES` largest categories.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from pricewatch.domain.params import BANDS
from pricewatch.reports import charts
from pricewatch.reports.labels import labels_for
from pricewatch.reports.tables import (
    Table, bands_table, cases_table, categories_table, non_compliant_table, summary_table, suppliers_table,
    trend_table,
)

TEMPLATES = Path(__file__).parent / "templates"
MAX_LINES = 100
MAX_SUPPLIERS = 30
#: The band chart shows the categories with the most listings checked (the table shows them all).
MAX_CHART_CATEGORIES = 30
#: Relative column widths in the printed tables (others: text 1.3, numbers 1).
_COLUMN_WEIGHTS = {"supplier_name": 3.0, "item": 3.0, "band": 2.0, "category": 1.6, "order_id": 1.6,
                   "listing_id": 1.6, "line_no": 0.6}


def shown(value, kind: str, none: str = "—") -> str:
    """A cell as printed: thousands separators, money with 2 places, shares and rates in percent."""
    if value is None or value == "":
        return none if kind != "text" else ""
    if kind == "int":
        return f"{int(value):,}"
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind in ("share", "rate"):
        return f"{float(value) * 100:.2f}%"
    return str(value)


def table_html(table: Table) -> Markup:
    """A table as escaped HTML (numbers right-aligned)."""
    weights = [_COLUMN_WEIGHTS.get(key, 1.3 if kind == "text" else 1.0)
               for key, kind in zip(table.columns, table.kinds)]
    cols = "".join(f'<col style="width: {100 * w / sum(weights):.2f}%">' for w in weights)
    head = "".join(f"<th>{escape(label)}</th>" for label in table.labels)
    body = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, value in enumerate(row):
            kind = table.cell_kind(r, c)
            css = ' class="num"' if kind != "text" else ""
            cells.append(f"<td{css}>{escape(shown(value, kind))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(table.labels)}">—</td></tr>')
    return Markup(f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
                  f"<tbody>{''.join(body)}</tbody></table>")


def _charts(report: dict, lb: dict) -> dict[str, Markup]:
    """The three charts as inline SVG."""
    trend = report["trend"]
    biggest = sorted((c for c in report["categories"] if c["listings_checked"]),
                     key=lambda c: (-c["listings_checked"], c["category"]))[:MAX_CHART_CATEGORIES]
    biggest.sort(key=lambda c: c["category"])
    band_names = {b: lb[f"band_{b}"] for b in BANDS}
    return {
        "trend": Markup(charts.line_chart([(t["period"], t["high_price_share"]) for t in trend],
                                          empty=lb["none"])),
        "bands": Markup(charts.stacked_bars([(c["category"], c["bands"]) for c in biggest], BANDS, band_names,
                                            empty=lb["none"])),
        "savings": Markup(charts.bar_chart([(t["period"], float(Decimal(t["savings"]))) for t in trend],
                                           empty=lb["none"])),
    }


def render_html(report: dict, locale: str = "zh_CN") -> str:
    """The report as a self-contained HTML page (what the PDF prints)."""
    lb = labels_for(locale)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    n_lines, n_suppliers = len(report["non_compliant_lines"]), len(report["suppliers"])
    headline = [
        (lb["listings_checked"], shown(report["listings_checked"], "int")),
        (lb["high_price_share"], shown(report["high_price_share"], "share")),
        (lb["case_opened"], shown(report["cases"]["opened"], "int")),
        (lb["lines_non_compliant"], shown(report["orders"]["non_compliant"], "int")),
        (lb["savings"], shown(report["savings"]["total"], "money")),
    ]
    return env.get_template("report.html").render(
        lang="zh-CN" if lb["title"] != "Monthly price monitoring report" else "en",
        lb=lb, report=report, css=Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
        headline=headline, table_html=table_html, charts=_charts(report, lb),
        summary=summary_table(report, lb), bands=bands_table(report, lb), cases=cases_table(report, lb),
        non_compliant=non_compliant_table(report, lb, MAX_LINES),
        non_compliant_note=(lb["shown_first"].format(shown=MAX_LINES, total=n_lines)
                            if n_lines > MAX_LINES else ""),
        categories=categories_table(report, lb),
        suppliers=suppliers_table(report, lb, MAX_SUPPLIERS),
        suppliers_note=(lb["shown_first"].format(shown=MAX_SUPPLIERS, total=n_suppliers)
                        if n_suppliers > MAX_SUPPLIERS else ""),
        trend=trend_table(report, lb),
    )


def render_pdf(report: dict, locale: str = "zh_CN") -> bytes:
    """The report as PDF bytes."""
    from weasyprint import HTML

    return HTML(string=render_html(report, locale), base_url=str(TEMPLATES)).write_pdf()
