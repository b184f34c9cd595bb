"""The report's charts for the web pages: the SVG of `pricewatch.reports.charts`, ready for a template.

The SVG carries presentation attributes only (no `style`), so it passes the site's Content Security
Policy; pages scale it to their column with `.chart svg { width: 100%; height: auto }`.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from markupsafe import Markup

from pricewatch.domain.params import BANDS
from pricewatch.reports import charts

#: The band chart shows the categories with the most listings checked.
MAX_CATEGORIES = 20


#: The width the charts are drawn at: a page showing them about 650 pixels wide enlarges them by a
#: third, which makes their 8-point labels readable on screen.
WIDTH = 480


def share_trend(points: Sequence[tuple[str, float]], empty: str, width: int = WIDTH) -> Markup:
    """The high-price share per period, as a line chart."""
    return Markup(charts.line_chart(list(points), width=width, height=170, empty=empty))


def savings_trend(points: Sequence[tuple[str, Decimal | str]], empty: str, width: int = WIDTH) -> Markup:
    """Money saved by lowered prices per period, as bars."""
    return Markup(charts.bar_chart([(p, float(v)) for p, v in points], width=width, height=170, empty=empty))


def bands_by_category(rows: Iterable[tuple[str, Mapping[str, int]]], band_names: Mapping[str, str],
                      category_name, empty: str, width: int = WIDTH) -> Markup:
    """Listings per band of every category (the largest MAX_CATEGORIES), as stacked bars."""
    biggest = sorted(rows, key=lambda r: (-sum(r[1].values()), r[0]))[:MAX_CATEGORIES]
    biggest.sort(key=lambda r: r[0])
    return Markup(charts.stacked_bars([(str(category_name(c)), bands) for c, bands in biggest], BANDS,
                                      {b: str(band_names[b]) for b in BANDS}, width=width, bar_height=14,
                                      empty=empty))
