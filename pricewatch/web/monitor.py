"""The monitor's dashboard (read side): overview, flagged listings, cases, one listing, check runs.

Monitors and administrators see it; viewers see the same pages read-only.
"""
from __future__ import annotations

import math
from decimal import Decimal

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from pricewatch.domain.params import BANDS, SOURCES
from pricewatch.domain.periods import PeriodError, parse_period
from pricewatch.services import flagged as flagged_list
from pricewatch.services import queries
from pricewatch.web import NavItem, db_session, local_today, result_index, runtime
from pricewatch.caching import VersionedCache
from pricewatch.web.i18n import STATE_LABELS
from pricewatch.web.security import restrict_blueprint

bp = Blueprint("monitor", __name__, url_prefix="/monitor")
DASHBOARD_ROLES = ("monitor", "admin", "viewer")
restrict_blueprint(bp, *DASHBOARD_ROLES)

#: The dashboard's figures are recomputed when an event is written, and at the latest after this long.
OVERVIEW_TTL_SECONDS = 5.0

NAV = [
    NavItem("monitor.overview", _l("Overview"), DASHBOARD_ROLES, 10),
    NavItem("monitor.flagged", _l("Flagged listings"), DASHBOARD_ROLES, 20),
    NavItem("monitor.cases", _l("Cases"), DASHBOARD_ROLES, 30),
    NavItem("monitor.runs", _l("Check runs"), DASHBOARD_ROLES, 40),
]


def _arg(name: str, allowed=None, default=None):
    """A query-string value, or `default` when absent or not one of `allowed`."""
    value = (request.args.get(name) or "").strip()
    if not value:
        return default
    if allowed is not None and value not in allowed:
        return default
    return value


def _page_arg() -> int:
    """The ?page= number (1 when absent or bad)."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _selected_run():
    """The run named by ?period= (404 if none), else the latest; None when there is no run yet."""
    period = _arg("period")
    if period:
        try:
            parse_period(period)
        except PeriodError:
            abort(404)
        run = queries.run_for_period(db_session(), period)
        if run is None:
            abort(404)
        return run
    return queries.latest_run(db_session())


@bp.get("/")
def overview():
    """The month at a glance."""
    run = _selected_run()
    if run is None:
        return render_template("monitor/no_run.html")
    session, today = db_session(), local_today()
    data = current_app.extensions["pricewatch_overviews"].get(
        (run.id, run.finished_at, today), queries.change_marker(session), lambda: queries.overview(session, run, today))
    trend = line_chart([p for p, _ in data.trend],
                       [("share", _l("High-price share"), [v for _, v in data.trend])], zero_based=True)
    return render_template("monitor/overview.html", run=run, data=data, trend=trend,
                           runs=queries.list_runs(db_session(), limit=36), bands=BANDS,
                           params=runtime().params())


@bp.get("/flagged")
def flagged():
    """Listing results of a run, filtered, sorted and paged."""
    run = _selected_run()
    if run is None:
        return render_template("monitor/no_run.html")
    filters = {
        "band": _arg("band", flagged_list.BAND_FILTERS, "flagged"),
        "category": _arg("category"),
        "supplier": _arg("supplier"),
        "search": _arg("q"),
        "sort": _arg("sort", flagged_list.FLAGGED_SORTS, "deviation"),
    }
    index = result_index(run)
    page = flagged_list.flagged_listings(db_session(), index, run, page=_page_arg(),
                                         page_size=current_app.config["PAGE_SIZE"], **filters)
    return render_template("monitor/flagged.html", run=run, page=page, filters=filters,
                           categories=index.categories, listing_href=listing_href(run.period),
                           band_filters=flagged_list.BAND_FILTERS, sorts=flagged_list.FLAGGED_SORTS,
                           runs=queries.list_runs(db_session(), limit=36))


def listing_href(period: str):
    """A function giving a listing page's URL for the period, built once per page (not url_for per row)."""
    base = url_for("monitor.listing", listing_id=0, period=period)
    head, _sep, tail = base.partition("/0?")
    return lambda listing_id: f"{head}/{int(listing_id)}?{tail}"


@bp.get("/cases")
def cases():
    """Cases, filtered by state, category, supplier and period."""
    states = queries.CASE_STATE_GROUPS + tuple(STATE_LABELS)
    filters = {
        "state": _arg("state", states, "open"),
        "category": _arg("category"),
        "supplier": _arg("supplier"),
        "period": _arg("period"),
    }
    page = queries.cases_page(db_session(), page=_page_arg(), page_size=current_app.config["PAGE_SIZE"],
                              **filters)
    return render_template("monitor/cases.html", page=page, filters=filters, states=states,
                           today=local_today())


@bp.get("/listings/<int:listing_id>")
def listing(listing_id: int):
    """One listing: indicators, quotes with the dropped ones, history, cases and their timeline."""
    run = _selected_run()
    detail = queries.listing_detail(db_session(), listing_id, run)
    if detail is None:
        abort(404)
    history = line_chart(
        [h.period for h in detail.history],
        [("mall", _l("Mall price"), [h.mall_price for h in detail.history]),
         ("monitored", _l("Monitored price"), [h.monitored_price for h in detail.history])],
        money=True)
    return render_template("monitor/listing.html", d=detail, run=run, history=history, sources=SOURCES,
                           spread_warning=queries.SPREAD_WARNING,
                           open_case=next((c for c in detail.cases if c.is_open), None))


@bp.get("/runs")
def runs():
    """Past check runs with their counts."""
    rows = [(r, queries.coverage(r), queries.high_price_share(r)) for r in queries.list_runs(db_session())]
    return render_template("monitor/runs.html", rows=rows)


# ----------------------------------------------------------------------------- SVG charts

def _nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` intervals."""
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def line_chart(labels: list[str], series: list[tuple[str, object, list[Decimal | None]]], *,
               zero_based: bool = False, money: bool = False, width: int = 1000, height: int = 260) -> dict:
    """The geometry of a line chart (points, axis ticks) for the `line_chart` template macro.

    Coordinates are floats for drawing only; the values shown come from the Decimals given.
    """
    left, right, top, bottom = 72, 16, 16, 32
    values = [float(v) for _key, _name, vals in series for v in vals if v is not None]
    if not labels or not values:
        return {"empty": True, "width": width, "height": height}
    low = 0.0 if zero_based else min(values)
    high = max(values)
    if high == low:
        high, low = high + (abs(high) * 0.1 or 1.0), (0.0 if zero_based else low - (abs(low) * 0.1 or 1.0))
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(i: int) -> float:
        """Horizontal position of the i-th label."""
        return left + (plot_w * (i + 0.5) / len(labels))

    def y_of(v: float) -> float:
        """Vertical position of a value."""
        return top + plot_h * (1 - (v - low) / (high - low))

    ticks = []
    n_ticks = int(round((high - low) / step))
    for i in range(n_ticks + 1):
        value = low + i * step
        shown = Decimal(str(round(value, 6)))
        ticks.append({"y": round(y_of(value), 1), "value": shown})
    drawn = []
    for key, name, vals in series:
        points = [(round(x_of(i), 1), round(y_of(float(v)), 1), v) for i, v in enumerate(vals) if v is not None]
        drawn.append({"key": key, "name": name, "points": points,
                      "path": " ".join(f"{x},{y}" for x, y, _v in points)})
    every = max(1, math.ceil(len(labels) / 12))
    xlabels = [{"x": round(x_of(i), 1), "text": t} for i, t in enumerate(labels) if i % every == 0]
    return {"empty": False, "width": width, "height": height, "left": left, "right": width - right,
            "top": top, "bottom": height - bottom, "ticks": ticks, "series": drawn, "xlabels": xlabels,
            "money": money}


def state_counts_in_order(by_state: dict[str, int]) -> list[tuple[str, int]]:
    """Case counts in workflow order (states the log does not know come last)."""
    order = list(STATE_LABELS)
    return sorted(by_state.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def init_app(app) -> None:
    """Template helpers of this blueprint, and the cache of the dashboard's figures (per process)."""
    app.extensions["pricewatch_overviews"] = VersionedCache(ttl=OVERVIEW_TTL_SECONDS)
    app.jinja_env.globals.update(state_counts_in_order=state_counts_in_order)
