"""The job table and the exactly-once execution of each (job, key).

Each job names, for a moment in time, the key of its latest due execution (a period for the
monthly check, a day for the sweep). An execution is claimed by inserting a JobExecution row with
a unique (job_id, key): whichever process inserts it runs the job; every other one skips it.
A failed execution may be reclaimed after `retry_after` by one process (a conditional update).
"""
from __future__ import annotations

import datetime as dt
import logging
import traceback
from dataclasses import dataclass
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pricewatch.db.base import utcnow
from pricewatch.db.models import JobExecution
from pricewatch.domain.periods import previous_period
from pricewatch.runtime import Runtime

log = logging.getLogger(__name__)

RETRY_AFTER = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Job:
    """A periodic job: its id, its cron fields, the key of the execution due at a moment, its work."""

    id: str
    cron: Callable[[dict], dict]
    due_key: Callable[[dt.datetime, dict], str]
    run: Callable[[Runtime, str, dt.datetime], str]


def _monthly_cron(sched: dict) -> dict:
    """Cron fields of the monthly check."""
    return {"day": sched["check_day"], "hour": sched["check_hour"], "minute": sched["check_minute"]}


def _monthly_key(local_now: dt.datetime, sched: dict) -> str:
    """The period whose check is due: the month just ended once this month's run time passed."""
    fire = local_now.replace(day=sched["check_day"], hour=sched["check_hour"], minute=sched["check_minute"],
                             second=0, microsecond=0)
    if local_now >= fire:
        return previous_period(local_now.date())
    return previous_period(local_now.date().replace(day=1) - dt.timedelta(days=1))


def _sweep_cron(sched: dict) -> dict:
    """Cron fields of the daily sweep."""
    return {"hour": sched["sweep_hour"], "minute": sched["sweep_minute"]}


def _sweep_key(local_now: dt.datetime, sched: dict) -> str:
    """The day whose sweep is due: today once the sweep time passed, else yesterday."""
    fire = local_now.replace(hour=sched["sweep_hour"], minute=sched["sweep_minute"], second=0, microsecond=0)
    day = local_now.date() if local_now >= fire else local_now.date() - dt.timedelta(days=1)
    return day.isoformat()


def _run_monthly_check(runtime: Runtime, period: str, now: dt.datetime) -> str:
    """Check the period, then publish its report snapshot."""
    from pricewatch.services.checks import run_check
    from pricewatch.services.reports import snapshot_report

    outcome = run_check(runtime.session_factory, runtime.settings, period, actor="scheduler", now=now)
    if outcome.is_new:
        with runtime.session_factory() as session:
            snapshot_report(session, period, actor="scheduler", settings=runtime.settings)
            session.commit()
    return f"{period}: {outcome.listings_checked} listings, bands {outcome.bands}, new={outcome.is_new}"


def _run_sweep(runtime: Runtime, day: str, now: dt.datetime) -> str:
    """Lapse overdue cases and send reminders for the day, then deliver pending e-mail."""
    from pricewatch.services.cases import sweep_deadlines

    with runtime.session_factory() as session:
        result = sweep_deadlines(session, dt.date.fromisoformat(day), actor="scheduler", now=now,
                                 settings=runtime.settings)
        session.commit()
    try:
        from pricewatch.services.mail import deliver_pending
    except ImportError:  # the mail outbox comes with the web issue
        return f"{day}: {result}"
    with runtime.session_factory() as session:
        sent = deliver_pending(session, runtime.settings, now=now)
        session.commit()
    return f"{day}: {result}; {sent} e-mails sent"


#: Every periodic job, declared as data and registered by id.
JOBS: tuple[Job, ...] = (
    Job("monthly_check", _monthly_cron, _monthly_key, _run_monthly_check),
    Job("deadline_sweep", _sweep_cron, _sweep_key, _run_sweep),
)


def local_now(runtime: Runtime, now: dt.datetime | None = None) -> dt.datetime:
    """`now` (default: the clock) in the centre's time zone."""
    return (now or utcnow()).astimezone(ZoneInfo(runtime.settings["timezone"]))


def claim(runtime: Runtime, job_id: str, key: str, now: dt.datetime) -> int | None:
    """Claim (job, key) for this process; the execution id, or None when another has it."""
    with runtime.session_factory() as session:
        try:
            execution = JobExecution(job_id=job_id, key=key, status="running", started_at=now)
            session.add(execution)
            session.commit()
            return execution.id
        except IntegrityError:
            session.rollback()
        stale = session.scalar(select(JobExecution).where(JobExecution.job_id == job_id, JobExecution.key == key))
        if stale is None or stale.status != "failed" or now - stale.started_at < RETRY_AFTER:
            return None
        taken = session.execute(
            update(JobExecution)
            .where(JobExecution.id == stale.id, JobExecution.status == "failed",
                   JobExecution.started_at == stale.started_at)
            .values(status="running", started_at=now, message="")
        ).rowcount
        session.commit()
        return stale.id if taken == 1 else None


def _finish(runtime: Runtime, execution_id: int, status: str, message: str) -> None:
    """Record how an execution ended."""
    with runtime.session_factory() as session:
        session.execute(update(JobExecution).where(JobExecution.id == execution_id)
                        .values(status=status, message=message[:4000], finished_at=utcnow()))
        session.commit()


def execute(runtime: Runtime, job: Job, key: str, now: dt.datetime) -> str | None:
    """Run `job` for `key` if this process wins the claim; returns its message or None."""
    execution_id = claim(runtime, job.id, key, now)
    if execution_id is None:
        log.debug("%s %s: done or running elsewhere; skipped", job.id, key)
        return None
    log.info("%s %s: started", job.id, key)
    try:
        message = job.run(runtime, key, now)
    except Exception as exc:  # noqa: BLE001 - recorded, retried later
        log.error("%s %s failed: %s", job.id, key, exc)
        _finish(runtime, execution_id, "failed", "".join(traceback.format_exception(exc)))
        return None
    _finish(runtime, execution_id, "done", message)
    log.info("%s %s: %s", job.id, key, message)
    return message


def run_due(runtime: Runtime, now: dt.datetime | None = None) -> dict[str, str | None]:
    """Run every job's latest due execution that no process has run (the catch-up)."""
    now = now or utcnow()
    local = local_now(runtime, now)
    sched = runtime.settings["scheduler"]
    return {job.id: execute(runtime, job, job.due_key(local, sched), now) for job in JOBS}
