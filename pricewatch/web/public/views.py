"""The public disclosure page: the monthly summaries as published, open to anyone.

Every figure comes from a stored report version (`published.public_summary`); the lists of the
month's delistings and lowered prices from `published.month_changes`. The pages need no session and
carry no form, so a proxy may keep them: ``Cache-Control: public, max-age=300`` and an ETag (a
request with a matching ``If-None-Match`` gets 304).
"""
from __future__ import annotations

from babel.dates import format_skeleton
from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from pricewatch.domain.params import BANDS
from pricewatch.domain.periods import PeriodError, parse_period
from pricewatch.reports.labels import labels_for
from pricewatch.web import db_session, runtime
from pricewatch.web.i18n import current_language
from pricewatch.web.public import category_label, charts
from pricewatch.web.public.published import (
    DELISTED, PRICE_LOWERED, PublishedPeriod, SummaryCache, Version, month_changes, published_periods,
)

bp = Blueprint("public", __name__, url_prefix="/public")
#: How long a proxy or browser may keep a page.
CACHE_SECONDS = 300
#: Rows of each list shown on a period's page; the rest are on the list's own page.
MAX_ROWS = 50
#: URL word -> the change it lists.
KINDS = {"delisted": DELISTED, "lowered": PRICE_LOWERED}


def init_app(app) -> None:
    """A cache of the report summaries for this app."""
    app.extensions["pricewatch_public_summaries"] = SummaryCache()


def period_name(period: str) -> str:
    """'2026年10月' / 'October 2026'."""
    first, _last = parse_period(period)
    return format_skeleton("yMMMM", first, locale=get_locale())


@bp.context_processor
def _helpers() -> dict:
    """The report's labels in the UI language, and name helpers."""
    return {"lb": labels_for(current_language()), "period_name": period_name, "category_name": category_label,
            "bands": BANDS}


def _summaries():
    """The cache of report summaries."""
    return current_app.extensions["pricewatch_public_summaries"]


def _cacheable(response):
    """Let browsers and proxies keep the page for a while, and answer 304 when it has not changed."""
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.add_etag()
    return response.make_conditional(request)


def _find(periods: list[PublishedPeriod], period: str) -> PublishedPeriod:
    """The published period named in the URL (404 if none)."""
    try:
        parse_period(period)
    except PeriodError:
        abort(404)
    found = next((p for p in periods if p.period == period), None)
    if found is None:
        abort(404)
    return found


def _trends(periods: list[PublishedPeriod]) -> dict:
    """The charts over every published period (each as its version in force)."""
    session, cache = db_session(), _summaries()
    rows = [cache.get(session, p.latest) for p in reversed(periods)]
    empty = _("No published report yet.")
    return {
        "share": charts.share_trend([(r["period"], r["high_price_share"]) for r in rows], empty),
        "savings": charts.savings_trend([(r["period"], r["savings"]) for r in rows], empty),
        "archive": list(zip(periods, reversed(rows))),
    }


def _period_page(periods: list[PublishedPeriod], shown: PublishedPeriod, version: Version):
    """The page of one period as published in `version`."""
    session = db_session()
    summary = _summaries().get(session, version)
    tz = runtime().settings["timezone"]
    changes = {kind: month_changes(session, shown.period, kind, until=version.created_at, tz_name=tz)
               for kind in (DELISTED, PRICE_LOWERED)}
    lb = labels_for(current_language())
    band_chart = charts.bands_by_category(summary["categories"], {b: lb[f"band_{b}"] for b in BANDS},
                                          category_label, _("No listing was checked."))
    response = make_response(render_template(
        "public/period.html", periods=periods, shown=shown, version=version, summary=summary,
        delisted=changes[DELISTED], lowered=changes[PRICE_LOWERED], max_rows=MAX_ROWS,
        band_chart=band_chart, trends=_trends(periods), is_latest=shown is periods[0]))
    return _cacheable(response)


@bp.get("/")
def index():
    """The latest published month, with the past ones."""
    periods = published_periods(db_session())
    if not periods:
        return _cacheable(make_response(render_template("public/empty.html")))
    return _period_page(periods, periods[0], periods[0].latest)


@bp.get("/<period>/")
def period(period: str):
    """A month as its report is published now (its newest version)."""
    periods = published_periods(db_session())
    shown = _find(periods, period)
    return _period_page(periods, shown, shown.latest)


@bp.get("/<period>/v<int:number>")
def version(period: str, number: int):
    """A month as an earlier (or the current) version of its report published it."""
    periods = published_periods(db_session())
    shown = _find(periods, period)
    found = shown.version(number)
    if found is None:
        abort(404)
    return _period_page(periods, shown, found)


@bp.get("/<period>/<any(delisted, lowered):kind>")
def changes(period: str, kind: str):
    """Every listing delisted, or every price lowered, in a month (as its newest version counted)."""
    periods = published_periods(db_session())
    shown = _find(periods, period)
    rows = month_changes(db_session(), period, KINDS[kind], until=shown.latest.created_at,
                         tz_name=runtime().settings["timezone"])
    return _cacheable(make_response(render_template(
        "public/changes.html", periods=periods, shown=shown, version=shown.latest, kind=kind, rows=rows)))

