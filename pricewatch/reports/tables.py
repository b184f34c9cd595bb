"""The report dict laid out as tables (one per sheet / CSV section / PDF table), with typed cells.

Cell kinds: `text`, `int`, `money` (a "1144.00" string, exact), `share` (a float fraction shown as
percent), `rate` (a float fraction shown as percent, may be None). Renderers format by kind.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pricewatch.domain.params import BANDS
from pricewatch.domain.report import CASE_FIGURES
from pricewatch.reports.labels import labels_for


@dataclass
class Table:
    """One table: a stable key, a localized title, column keys, labels and kinds, and rows."""

    key: str
    title: str
    columns: list[str]
    labels: list[str]
    kinds: list[str]
    rows: list[list] = field(default_factory=list)
    #: per row, the kind of every cell (when kinds differ row by row, as in the summary)
    row_kinds: list[list[str]] | None = None

    def cell_kind(self, r: int, c: int) -> str:
        """The kind of cell (r, c)."""
        return self.row_kinds[r][c] if self.row_kinds is not None else self.kinds[c]


def _table(key: str, lb: dict, cols: list[tuple[str, str]], rows: list[list]) -> Table:
    """A table from (column key, kind) pairs."""
    return Table(key=key, title=lb[key], columns=[c for c, _ in cols], labels=[lb[c] for c, _ in cols],
                 kinds=[k for _, k in cols], rows=rows)


def source_label(lb: dict, source: str) -> str:
    """A source's name."""
    return lb.get(f"source_{source}", source)


def summary_table(report: dict, lb: dict) -> Table:
    """The headline figures as item / value rows."""
    orders, summary, savings = report["orders"], report["order_summary"], report["savings"]
    items = [
        ("period", report["period"], "text"),
        ("listings_checked", report["listings_checked"], "int"),
        ("with_monitored_price", report["coverage"]["with_monitored_price"], "int"),
        ("band_insufficient", report["coverage"]["insufficient"], "int"),
        ("insufficient_share", report["coverage"]["insufficient_share"], "share"),
        ("high_price_share", report["high_price_share"], "share"),
        ("case_opened", report["cases"]["opened"], "int"),
        ("case_delisted", report["cases"]["delisted"], "int"),
        ("orders_total", summary["orders"], "int"),
        ("orders_compliant", summary["compliant"], "int"),
        ("orders_non_compliant", summary["non_compliant"], "int"),
        ("orders_unchecked", summary["unchecked"], "int"),
        ("lines", orders["lines"], "int"),
        ("lines_compliant", orders["compliant"], "int"),
        ("lines_non_compliant", orders["non_compliant"], "int"),
        ("lines_unchecked", orders["unchecked"], "int"),
        ("order_value", summary["order_value"], "money"),
        ("reference_source", source_label(lb, summary["reference_source"]), "text"),
        ("index_markup", report["index_markup"]["weighted_average"], "rate"),
        ("savings", savings["total"], "money"),
        ("savings_lines", savings["order_lines"], "int"),
        ("savings_listings", savings["listings"], "int"),
        ("generated_at", report.get("generated_at", ""), "text"),
    ]
    table = _table("summary", lb, [("item", "text"), ("value", "text")],
                   [[lb[key], value] for key, value, _ in items])
    table.row_kinds = [["text", kind] for _, _, kind in items]
    return table


def bands_table(report: dict, lb: dict) -> Table:
    """Listings per band, with the share of those checked."""
    checked = report["listings_checked"]
    rows = [[lb[f"band_{b}"], report["bands"][b], (report["bands"][b] / checked) if checked else 0.0]
            for b in BANDS]
    return _table("bands", lb, [("band", "text"), ("count", "int"), ("share", "share")], rows)


def cases_table(report: dict, lb: dict) -> Table:
    """The case figures."""
    rows = [[lb[f"case_{k}"], report["cases"][k]] for k in CASE_FIGURES]
    return _table("cases", lb, [("item", "text"), ("count", "int")], rows)


def non_compliant_table(report: dict, lb: dict, limit: int | None = None) -> Table:
    """The order lines above their committed-discount limit (the first `limit` of them)."""
    cols = [("order_id", "text"), ("line_no", "int"), ("ordered_on", "text"), ("listing_id", "text"),
            ("category", "text"), ("supplier_id", "text"), ("supplier_name", "text"), ("quantity", "int"),
            ("unit_price", "money"), ("reference", "money"), ("reference_source", "text"),
            ("committed_discount", "share"), ("limit", "money"), ("excess", "money")]
    lines = report["non_compliant_lines"] if limit is None else report["non_compliant_lines"][:limit]
    rows = []
    for line in lines:
        row = []
        for key, _ in cols:
            value = line[key]
            if key == "reference_source":
                value = source_label(lb, value)
            elif key == "committed_discount":
                value = float(Decimal(value))
            row.append(value)
        rows.append(row)
    return _table("non_compliant_lines", lb, cols, rows)


_GROUP_COLS = [("listings_checked", "int"), ("insufficient", "int"), ("normal", "int"), ("evidence", "int"),
               ("delist", "int"), ("high_price_share", "share"), ("cases_opened", "int"),
               ("cases_delisted", "int"), ("cases_price_lowered", "int"), ("lines", "int"),
               ("compliant", "int"), ("non_compliant", "int"), ("unchecked", "int"), ("order_value", "money"),
               ("markup", "rate"), ("savings", "money")]


def _group_row(group: dict) -> list:
    """The figures of one category or supplier, in _GROUP_COLS order."""
    lines = group["order_lines"]
    return [group["listings_checked"], *(group["bands"][b] for b in BANDS), group["high_price_share"],
            group["cases"]["opened"], group["cases"]["delisted"], group["cases"]["price_lowered"],
            lines["lines"], lines["compliant"], lines["non_compliant"], lines["unchecked"],
            group["order_value"], group["index_markup"], group["savings"]]


def categories_table(report: dict, lb: dict) -> Table:
    """One row per category."""
    rows = [[g["category"], *_group_row(g)] for g in report["categories"]]
    return _table("categories", lb, [("category", "text"), *_GROUP_COLS], rows)


def suppliers_table(report: dict, lb: dict, limit: int | None = None) -> Table:
    """One row per supplier; with `limit`, the suppliers with the most flagged listings first."""
    groups = report["suppliers"]
    if limit is not None:
        groups = sorted(groups, key=lambda g: (-(g["bands"]["evidence"] + g["bands"]["delist"]),
                                               -g["order_lines"]["non_compliant"], g["supplier_id"]))[:limit]
    rows = [[g["supplier_id"], g["supplier_name"], *_group_row(g)] for g in groups]
    return _table("suppliers", lb, [("supplier_id", "text"), ("supplier_name", "text"), *_GROUP_COLS], rows)


def trend_table(report: dict, lb: dict) -> Table:
    """The high-price share and savings of every checked period up to this one."""
    cols = [("period", "text"), ("listings_checked", "int"), ("with_monitored_price", "int"),
            ("evidence", "int"), ("delist", "int"), ("high_price_share", "share"), ("savings", "money")]
    rows = [[t[c] for c, _ in cols] for t in report["trend"]]
    return _table("trend", lb, cols, rows)


def report_tables(report: dict, locale: str) -> list[Table]:
    """Every table of the report, in order: summary, bands, cases, non-compliant lines, categories,
    suppliers, trend."""
    lb = labels_for(locale)
    return [summary_table(report, lb), bands_table(report, lb), cases_table(report, lb),
            non_compliant_table(report, lb), categories_table(report, lb), suppliers_table(report, lb),
            trend_table(report, lb)]
