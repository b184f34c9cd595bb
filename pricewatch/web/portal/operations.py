"""Operations for monitors and administrators: imports by upload, and a manual run of the check.

Imports use the same services as the command line (pricewatch.services.imports): a file with any
bad row is rejected whole, nothing of it is stored, and every problem is listed by line and column.

The check of a period runs only after a confirmation step. It runs in a background thread of the
web process (a month of half a million listings takes a while), through the same `run_check` as
the scheduler, which checks a period exactly once; the page shows the run's progress.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from pricewatch.db.base import utcnow
from pricewatch.db.models import LISTING_ACTIVE, Listing, Observation
from pricewatch.domain.periods import parse_period, previous_period
from pricewatch.importers import ImportRejected
from pricewatch.runtime import Runtime
from pricewatch.services import imports as import_service
from pricewatch.services import queries as monitor_queries
from pricewatch.services.evidence import safe_display_name
from pricewatch.web import NavItem, db_session, local_today, runtime
from pricewatch.web.portal.common import actor, deliver_mail_after_response
from pricewatch.web.portal.forms import IMPORT_KINDS, CheckPeriodForm, ConfirmCheckForm, ImportForm
from pricewatch.web.security import restrict_blueprint

log = logging.getLogger(__name__)

bp = Blueprint("operations", __name__, url_prefix="/operations")
OPERATOR_ROLES = ("monitor", "admin")
restrict_blueprint(bp, *OPERATOR_ROLES)

NAV = [NavItem("operations.imports", _l("Operations"), OPERATOR_ROLES, 60)]

#: Seconds the request waits for a manual check before answering "still running".
DEFAULT_CHECK_WAIT = 5.0


# ----------------------------------------------------------------------------- imports

@bp.get("/imports")
def imports():
    """The upload form."""
    return render_template("portal/operations/imports.html", form=ImportForm(), summary=None, rejected=None)


@bp.post("/imports")
def upload_import():
    """Import the uploaded file; on any bad row nothing is stored and every problem is shown."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("portal/operations/imports.html", form=form, summary=None, rejected=None), 400
    kind = form.kind.data
    if kind not in IMPORT_KINDS:
        return render_template("portal/operations/imports.html", form=form, summary=None, rejected=None), 400
    service = getattr(import_service, f"import_{kind}")
    session, settings = db_session(), runtime().settings
    storage = form.file.data
    name = safe_display_name(storage.filename)
    with tempfile.TemporaryDirectory(prefix="pricewatch-import-") as tmp:
        path = Path(tmp) / name
        storage.save(os.fspath(path))
        try:
            summary = service(session, path, actor=actor(), today=local_today(), settings=settings)
        except ImportRejected as exc:
            session.rollback()  # the observations importer streams into the transaction: undo it all
            return render_template("portal/operations/imports.html", form=form, summary=None, rejected=exc,
                                   kind=kind, filename=name), 400
    deliver_mail_after_response()
    flash(_("%(name)s imported.", name=name), "success")
    return render_template("portal/operations/imports.html", form=ImportForm(formdata=None, kind=kind),
                           summary=summary, rejected=None, kind=kind, filename=name)


# ----------------------------------------------------------------------------- manual check runs

@dataclass
class ManualRun:
    """A check started from the web: who, when, and how it ended."""

    period: str
    actor: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    outcome: object | None = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def is_running(self) -> bool:
        """Whether the check is still going."""
        return self.finished_at is None


class CheckRunner:
    """The manual checks of this process, one thread per period at a time."""

    def __init__(self):
        """No run yet."""
        self._runs: dict[str, ManualRun] = {}
        self._lock = threading.Lock()

    def start(self, rt: Runtime, period: str, who: str) -> tuple[ManualRun, bool]:
        """Start the check of `period` unless it is running here already; (run, started)."""
        with self._lock:
            current = self._runs.get(period)
            if current is not None and current.is_running:
                return current, False
            run = ManualRun(period=period, actor=who, started_at=utcnow())
            run.thread = threading.Thread(target=self._work, args=(rt, run), name=f"check-{period}", daemon=True)
            self._runs[period] = run
        run.thread.start()
        return run, True

    @staticmethod
    def _work(rt: Runtime, run: ManualRun) -> None:
        """Run the check, then (for a new run) publish its report snapshot and send the e-mail."""
        from pricewatch.services.checks import CheckError, run_check
        from pricewatch.services.mail import deliver_pending
        from pricewatch.services.reports import snapshot_report
        try:
            run.outcome = run_check(rt.session_factory, rt.settings, run.period, actor=run.actor)
            if run.outcome.is_new:
                with rt.session_factory() as session:
                    snapshot_report(session, run.period, actor=run.actor, settings=rt.settings)
                    session.commit()
        except CheckError as exc:
            run.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown on the page, logged with the traceback
            log.exception("manual check of %s failed", run.period)
            run.error = f"{type(exc).__name__}: {exc}"
        finally:
            run.finished_at = utcnow()
        if run.error is None and (rt.settings.get("mail") or {}).get("host"):
            try:
                with rt.session_factory() as session:
                    deliver_pending(session, rt.settings)
                    session.commit()
            except Exception:  # noqa: BLE001 - mail is best effort
                log.exception("sending notifications after the check of %s failed", run.period)

    def get(self, period: str) -> ManualRun | None:
        """The latest manual run of a period in this process."""
        return self._runs.get(period)

    def recent(self) -> list[ManualRun]:
        """The manual runs of this process, the latest first."""
        return sorted(self._runs.values(), key=lambda r: r.started_at, reverse=True)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every running check (tests)."""
        for run in list(self._runs.values()):
            if run.thread is not None:
                run.thread.join(timeout)


def init_app(app) -> None:
    """The application's check runner."""
    app.extensions["portal_check_runner"] = CheckRunner()


def check_runner() -> CheckRunner:
    """The current application's check runner."""
    return current_app.extensions["portal_check_runner"]


def _checks_page(form=None, status: int = 200):
    """The check page: the period form, this process's manual runs, and the past runs."""
    form = form or CheckPeriodForm(formdata=None, period=previous_period(local_today()))
    runs = monitor_queries.list_runs(db_session(), limit=24)
    manual = check_runner().recent()
    return render_template("portal/operations/checks.html", form=form, runs=runs, manual=manual,
                           refresh=any(r.is_running for r in manual)), status


@bp.get("/checks")
def checks():
    """Start a check, follow the manual runs, see the past runs."""
    return _checks_page()


def _period_problem(period: str) -> str | None:
    """Why `period` cannot be checked now (None when it can)."""
    _first, last = parse_period(period)
    if last >= local_today():
        return _("The period %(period)s has not ended yet; it can be checked from %(day)s.",
                 period=period, day=(last + dt.timedelta(days=1)).isoformat())
    return None


@bp.post("/checks")
def confirm_check():
    """First step: show what the check of the period would do, and ask for confirmation."""
    form = CheckPeriodForm()
    if not form.validate_on_submit():
        return _checks_page(form, 400)
    period = form.period.data
    problem = _period_problem(period)
    if problem:
        form.period.errors = [problem]
        return _checks_page(form, 400)
    session = db_session()
    first, last = parse_period(period)
    existing = monitor_queries.run_for_period(session, period)
    listings = session.scalar(select(func.count()).select_from(Listing).where(Listing.status == LISTING_ACTIVE))
    quotes = session.scalar(select(func.count()).select_from(Observation).where(
        Observation.observed_on >= first, Observation.observed_on <= last))
    return render_template("portal/operations/confirm_check.html", period=period, existing=existing,
                           listings=listings or 0, quotes=quotes or 0, running=check_runner().get(period),
                           form=ConfirmCheckForm(formdata=None, period=period, confirm="yes"))


@bp.post("/checks/run")
def run_check_now():
    """Second step: run the confirmed check (in the background), then show how it went."""
    form = ConfirmCheckForm()
    if not form.validate_on_submit():
        flash(_("The check was not started: confirm it on the confirmation page first."), "error")
        return _checks_page(None, 400)
    period = form.period.data
    problem = _period_problem(period)
    if problem:
        flash(problem, "error")
        return _checks_page(None, 400)
    run, started = check_runner().start(runtime(), period, actor())
    if started:
        run.thread.join(float(current_app.config.get("PORTAL_CHECK_WAIT", DEFAULT_CHECK_WAIT)))
    if run.is_running:
        flash(_("The check of %(period)s is running; this page shows when it is done.", period=period), "info")
    elif run.error:
        flash(_("The check of %(period)s failed: %(error)s", period=period, error=run.error), "error")
    elif run.outcome is not None and not run.outcome.is_new:
        flash(_("%(period)s had already been checked; nothing was changed.", period=period), "info")
    else:
        o = run.outcome
        flash(_("%(period)s checked: %(n)s listings, %(c)s cases opened, %(d)s delisted.", period=period,
                n=o.listings_checked, c=o.cases_opened, d=o.delisted), "success")
    return redirect(url_for("operations.checks"))
