"""Small SVG charts for the PDF (and any HTML page): a line chart, stacked bars and plain bars.

Each function returns an `<svg>` element as text, self-contained, with escaped labels. No plotting
library: a few rectangles, a polyline and text are all these charts need.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence
from xml.sax.saxutils import escape

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', sans-serif"
#: Band colours: insufficient, normal, evidence, delist.
BAND_COLOURS = {"insufficient": "#b0b7c3", "normal": "#4c9a6a", "evidence": "#e0a030", "delist": "#c0392b"}
_LINE = "#1f5fa8"


def text_width(text: str, size: float) -> float:
    """Roughly how wide a text is at font `size` (CJK characters are square, Latin about half)."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in str(text))


def _svg(width: int, height: int, body: list[str]) -> str:
    """Wrap elements in an svg root."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="10">' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 10, fill: str = "#333") -> str:
    """One escaped text element."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}">{escape(str(text))}</text>')


def nice_scale(value: float, ticks: int = 4) -> tuple[float, float]:
    """A round axis for values up to `value`: (step, top) with step 1, 2, 2.5 or 5 x 10^n."""
    if value <= 0 or not math.isfinite(value):
        return 0.25, 1.0
    raw = value / ticks
    exp = 10 ** math.floor(math.log10(raw))
    step = next(m * exp for m in (1, 2, 2.5, 5, 10) if raw <= m * exp + 1e-12)
    return step, step * math.ceil(value / step - 1e-9)


def _tick_format(step: float, percent: bool):
    """A label formatter with just enough decimals for `step`."""
    scale = 100 if percent else 1
    places = max(0, -math.floor(math.log10(step * scale) + 1e-9)) if step * scale < 1 else 0
    if round(step * scale * 10 ** places, 9) % 1:
        places += 1
    suffix = "%" if percent else ""
    return lambda v: f"{v * scale:,.{places}f}{suffix}"


def _axes(body: list[str], left: float, top: float, plot_w: float, plot_h: float, step: float,
          top_value: float, fmt) -> None:
    """Horizontal grid lines at every step, with their labels."""
    n = max(1, round(top_value / step))
    for i in range(n + 1):
        y = top + plot_h - plot_h * i / n
        body.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
                    f'stroke="#ddd" stroke-width="0.6"/>')
        body.append(_text(left - 4, y + 3, fmt(step * i), "end", 8))


def _x_labels(body: list[str], labels: Sequence[str], xs: Sequence[float], y: float) -> None:
    """Labels under the x positions, thinned out when there are many."""
    step = max(1, math.ceil(len(labels) / 12))
    for i, (label, x) in enumerate(zip(labels, xs)):
        if i % step == 0 or i == len(labels) - 1:
            body.append(_text(x, y, label, "middle", 8))


def line_chart(points: Sequence[tuple[str, float]], *, width: int = 640, height: int = 170,
               percent: bool = True, empty: str = "") -> str:
    """A line chart of (label, value) points; values are fractions shown as percent when `percent`."""
    left, right, top, bottom = 52, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    body: list[str] = []
    if not points:
        return _svg(width, height, [_text(width / 2, height / 2, empty, "middle", 11)])
    step, top_value = nice_scale(max(v for _, v in points))
    fmt = _tick_format(step, percent)
    _axes(body, left, top, plot_w, plot_h, step, top_value, fmt)
    n = len(points)
    xs = [left + (plot_w * (i + 0.5) / n) for i in range(n)]
    ys = [top + plot_h - plot_h * (v / top_value) for _, v in points]
    if n > 1:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
        body.append(f'<polyline points="{coords}" fill="none" stroke="{_LINE}" stroke-width="1.8"/>')
    for (label, value), x, y in zip(points, xs, ys):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{_LINE}"/>')
    if n <= 12:
        for (label, value), x, y in zip(points, xs, ys):
            shown = f"{value * 100:.1f}%" if percent else f"{value:,.0f}"
            body.append(_text(x, y - 5, shown, "middle", 7))
    _x_labels(body, [p[0] for p in points], xs, top + plot_h + 14)
    return _svg(width, height, body)


def bar_chart(points: Sequence[tuple[str, float]], *, width: int = 640, height: int = 150,
              colour: str = "#4c9a6a", empty: str = "") -> str:
    """Vertical bars of (label, value >= 0) points, e.g. money saved per period."""
    left, right, top, bottom = 64, 12, 14, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    if not points:
        return _svg(width, height, [_text(width / 2, height / 2, empty, "middle", 11)])
    step, top_value = nice_scale(max(max(v for _, v in points), 0.0))
    body: list[str] = []
    _axes(body, left, top, plot_w, plot_h, step, top_value, _tick_format(step, False))
    n = len(points)
    slot = plot_w / n
    xs = []
    for i, (label, value) in enumerate(points):
        h = plot_h * max(value, 0.0) / top_value
        x = left + slot * i + slot * 0.15
        xs.append(left + slot * (i + 0.5))
        body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"/>')
    _x_labels(body, [p[0] for p in points], xs, top + plot_h + 14)
    return _svg(width, height, body)


def stacked_bars(rows: Sequence[tuple[str, Mapping[str, int]]], series: Sequence[str],
                 series_labels: Mapping[str, str], *, width: int = 640, bar_height: int = 14,
                 colours: Mapping[str, str] = BAND_COLOURS, empty: str = "") -> str:
    """Horizontal stacked bars: one bar per row label, one segment per series (e.g. bands)."""
    label_w, right, top = 120, 50, 22
    if not rows:
        return _svg(width, 40, [_text(width / 2, 24, empty, "middle", 11)])
    height = top + len(rows) * (bar_height + 6) + 8
    plot_w = width - label_w - right
    longest = max(sum(int(v.get(s, 0)) for s in series) for _, v in rows) or 1
    body: list[str] = []
    x = label_w
    for s in series:  # the legend
        body.append(f'<rect x="{x}" y="4" width="9" height="9" fill="{colours.get(s, "#888")}"/>')
        body.append(_text(x + 12, 12, series_labels.get(s, s), size=8))
        x += 12 + text_width(series_labels.get(s, s), 8) + 12
    for i, (label, values) in enumerate(rows):
        y = top + i * (bar_height + 6)
        body.append(_text(label_w - 6, y + bar_height - 3, label, "end", 9))
        x = float(label_w)
        total = 0
        for s in series:
            v = int(values.get(s, 0))
            total += v
            w = plot_w * v / longest
            if w > 0:
                body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                            f'fill="{colours.get(s, "#888")}"/>')
            x += w
        body.append(_text(x + 4, y + bar_height - 3, f"{total:,}", size=8))
    return _svg(width, height, body)
