"""The monthly reports in the dashboard: versions, downloads, charts, and regenerating a report.

Monitors, administrators and viewers download; monitors and administrators regenerate (a new
version; the earlier ones stay, and the public page shows the newest). Downloads:

- ``/reports/<period>/download?format=xlsx``: the published report (the newest version);
  ``&version=N`` an earlier one; ``&source=current`` the report built now from the current data.
- ``/reports/range?from=2026-01&to=2026-10&format=csv``: several periods, built now.

Files are attachments named ``pricewatch-report-<period>[-vN|-current].<ext>`` (a range:
``pricewatch-report-<from>_<to>.<ext>``), labelled in the UI language.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from pricewatch.db.models import ReportSnapshot
from pricewatch.domain.params import BANDS
from pricewatch.domain.periods import PeriodError, parse_period, periods_between
from pricewatch.reports import FORMATS, render
from pricewatch.services.events import record_event
from pricewatch.services.reports import ReportError, build_report, latest_snapshot, snapshot_content
from pricewatch.services.reports import snapshot_report as store_snapshot
from pricewatch.web import NavItem, db_session, runtime
from pricewatch.web.i18n import BAND_LABELS, current_language
from pricewatch.web.public import category_label, charts
from pricewatch.web.public.published import PublishedPeriod, checked_periods, published_periods
from pricewatch.web.security import restrict_blueprint, roles_required

bp = Blueprint("reports", __name__, url_prefix="/reports")
REPORT_ROLES = ("monitor", "admin", "viewer")
#: Who may publish a new version of a report.
PUBLISHER_ROLES = ("monitor", "admin")
restrict_blueprint(bp, *REPORT_ROLES)

NAV = [NavItem("reports.index", _l("Reports"), REPORT_ROLES, 45)]
#: The formats offered, in the order the page shows them.
OFFERED_FORMATS = ("xlsx", "pdf", "csv", "json")
#: The longest range one download may cover (ten years of months).
MAX_RANGE = 120


def _valid_period(text: str | None) -> str:
    """A YYYY-MM from the URL or the query (404 otherwise)."""
    try:
        parse_period(text or "")
    except PeriodError:
        abort(404)
    return text


def _format_arg() -> str:
    """The ?format= of a download (404 when unknown)."""
    fmt = (request.args.get("format") or "").lower()
    if fmt not in FORMATS:
        abort(404)
    return fmt


def _attachment(report: dict, fmt: str, stem: str) -> Response:
    """The report rendered as a file download."""
    suffix, media_type = FORMATS[fmt]
    body = render(report, fmt, current_language())
    response = Response(body, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="pricewatch-report-{stem}{suffix}"'
    return response


def _rows(published: list[PublishedPeriod], checked: dict) -> list[dict]:
    """One row per period that was checked or has a report, newest first."""
    by_period = {p.period: p for p in published}
    periods = sorted(set(by_period) | set(checked), reverse=True)
    return [{"period": p, "checked_at": checked.get(p), "is_checked": p in checked,
             "versions": list(reversed(by_period[p].versions)) if p in by_period else []} for p in periods]


def _charts(published: list[PublishedPeriod], period: str | None) -> dict | None:
    """Band counts by category and savings over time, from the published report of `period`."""
    shown = next((p for p in published if p.period == period), published[0] if published else None)
    if shown is None:
        return None
    session = db_session()
    report = snapshot_content(session.get(ReportSnapshot, shown.latest.id))
    none = _("No data.")
    bands = [(c["category"], c["bands"]) for c in report.get("categories", []) if c.get("listings_checked")]
    return {
        "period": shown.period,
        "bands": charts.bands_by_category(bands, BAND_LABELS, category_label, none),
        "savings": charts.savings_trend([(t["period"], t["savings"]) for t in report.get("trend", [])], none),
    }


@bp.get("/")
def index():
    """Every period with its report versions, the downloads, a range download and two charts."""
    session = db_session()
    published = published_periods(session, with_authors=True)
    rows = _rows(published, checked_periods(session))
    chart_period = request.args.get("period")
    return render_template(
        "public/dashboard/reports.html", rows=rows, formats=OFFERED_FORMATS, charts=_charts(published, chart_period),
        published=published, can_publish=current_user.role in PUBLISHER_ROLES, bands=BANDS,
        range_from=request.args.get("from") or (rows[-1]["period"] if rows else ""),
        range_to=request.args.get("to") or (rows[0]["period"] if rows else ""))


@bp.get("/<period>/download")
def download(period: str):
    """A period's report file: the published version (or ?version=N), or ?source=current."""
    period, fmt = _valid_period(period), _format_arg()
    session = db_session()
    if request.args.get("source") == "current":
        try:
            report = build_report(session, period, settings=runtime().settings)
        except ReportError as exc:
            abort(400, str(exc))
        return _attachment(report, fmt, f"{period}-current")
    number = request.args.get("version", type=int)
    if number is None:
        snapshot = latest_snapshot(session, period)
    else:
        snapshot = session.scalar(select(ReportSnapshot).where(ReportSnapshot.period == period,
                                                                ReportSnapshot.version == number))
    if snapshot is None:
        abort(404)
    stem = period if number is None else f"{period}-v{snapshot.version}"
    return _attachment(snapshot_content(snapshot), fmt, stem)


@bp.get("/range")
def download_range():
    """The report of the periods from ?from= to ?to=, built from the current data."""
    fmt = _format_arg()
    first, last = (request.args.get("from") or "").strip(), (request.args.get("to") or "").strip()
    try:
        periods = periods_between(first, last)
    except PeriodError as exc:
        flash(_("The range is not valid: %(error)s", error=str(exc)), "error")
        return redirect(url_for("reports.index", **{"from": first, "to": last}))
    if len(periods) > MAX_RANGE:
        flash(_("A range may cover at most %(n)s months.", n=MAX_RANGE), "error")
        return redirect(url_for("reports.index", **{"from": first, "to": last}))
    try:
        report = build_report(db_session(), first, last, settings=runtime().settings)
    except ReportError as exc:
        flash(_("The report could not be built: %(error)s", error=str(exc)), "error")
        return redirect(url_for("reports.index"))
    stem = f"{first}-current" if first == last else f"{first}_{last}"
    return _attachment(report, fmt, stem)


@bp.route("/<period>/regenerate", methods=["GET", "POST"])
@roles_required(*PUBLISHER_ROLES)
def regenerate(period: str):
    """Confirm (GET), then publish (POST) a new version of a checked period's report."""
    period = _valid_period(period)
    session = db_session()
    if period not in checked_periods(session):
        abort(404)
    versions = next((p.versions for p in published_periods(session, with_authors=True) if p.period == period), [])
    if request.method == "GET":
        return render_template("public/dashboard/regenerate.html", period=period, versions=versions,
                               next_version=(versions[-1].version if versions else 0) + 1)
    try:
        snapshot = store_snapshot(session, period, actor=current_user.username, settings=runtime().settings)
    except ReportError as exc:
        flash(_("The report could not be built: %(error)s", error=str(exc)), "error")
        return redirect(url_for("reports.index"))
    record_event(session, actor=current_user.username, entity="report", entity_id=snapshot.id,
                 action="regenerate_report", after={"period": period, "version": snapshot.version})
    flash(_("Version %(n)s of the report of %(period)s is published. Earlier versions stay available.",
            n=snapshot.version, period=period), "success")
    return redirect(url_for("reports.index"))
