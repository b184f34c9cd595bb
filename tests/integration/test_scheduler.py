"""The scheduler: which execution is due, catch-up at start, exactly once across processes."""
from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from pricewatch.db.models import CheckRun, JobExecution
from pricewatch.scheduler import jobs
from pricewatch.scheduler.jobs import JOBS, Job, execute, run_due
from tests.integration.test_check_run import BASIC_LISTINGS, BASIC_QUOTES, seed_month

SH = ZoneInfo("Asia/Shanghai")
SCHED = {"check_day": 1, "check_hour": 2, "check_minute": 0, "sweep_hour": 0, "sweep_minute": 30}


@pytest.mark.parametrize("local, period", [
    (dt.datetime(2026, 11, 1, 2, 0, tzinfo=SH), "2026-10"),
    (dt.datetime(2026, 11, 1, 1, 59, tzinfo=SH), "2026-09"),
    (dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH), "2026-10"),
    (dt.datetime(2027, 1, 1, 2, 0, tzinfo=SH), "2026-12"),
    (dt.datetime(2027, 1, 1, 0, 0, tzinfo=SH), "2026-11"),
])
def test_the_monthly_check_due_is_for_the_month_just_ended(local, period):
    assert JOBS[0].due_key(local, SCHED) == period


@pytest.mark.parametrize("local, day", [
    (dt.datetime(2026, 11, 23, 0, 30, tzinfo=SH), "2026-11-23"),
    (dt.datetime(2026, 11, 23, 0, 29, tzinfo=SH), "2026-11-22"),
])
def test_the_sweep_due_is_for_today_once_its_time_passed(local, day):
    assert JOBS[1].due_key(local, SCHED) == day


def _counting_job(calls, fail=False):
    def work(runtime, key, now):
        calls.append(key)
        if fail:
            raise RuntimeError("boom")
        return f"ran {key}"

    return Job("test_job", lambda s: {}, lambda local, s: "k1", work)


def test_a_job_runs_once_per_key_even_when_two_schedulers_race(runtime):
    calls = []
    job = _counting_job(calls)
    now = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    barrier = threading.Barrier(4)

    def go():
        barrier.wait()
        execute(runtime, job, "2026-10", now)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert calls == ["2026-10"]
    assert execute(runtime, job, "2026-10", now) is None
    with runtime.session_factory() as s:
        row = s.scalars(select(JobExecution)).one()
        assert (row.status, row.message) == ("done", "ran 2026-10")


def test_a_failed_execution_is_retried_once_after_an_hour(runtime):
    calls = []
    now = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    assert execute(runtime, _counting_job(calls, fail=True), "2026-10", now) is None
    with runtime.session_factory() as s:
        assert s.scalars(select(JobExecution)).one().status == "failed"
    assert execute(runtime, _counting_job(calls), "2026-10", now + dt.timedelta(minutes=5)) is None
    assert execute(runtime, _counting_job(calls), "2026-10", now + dt.timedelta(hours=2)) == "ran 2026-10"
    assert calls == ["2026-10", "2026-10"]


def test_start_up_catches_up_the_missed_monthly_check_once(runtime, monkeypatch):
    with runtime.session_factory() as s:
        seed_month(s, BASIC_LISTINGS, BASIC_QUOTES)
    # the process was down on 1 November; it starts on the 23rd
    now = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
    first = run_due(runtime, now)
    assert first["monthly_check"].startswith("2026-10: 4 listings")
    again = run_due(runtime, now + dt.timedelta(minutes=1))
    assert again["monthly_check"] is None
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(CheckRun)) == 1
        keys = {(e.job_id, e.key, e.status) for e in s.scalars(select(JobExecution))}
        assert ("monthly_check", "2026-10", "done") in keys
        assert ("deadline_sweep", "2026-11-23", "done") in keys


def test_the_web_app_module_never_starts_a_scheduler():
    import ast
    import pathlib

    root = pathlib.Path(jobs.__file__).resolve().parents[2]
    for path in [root / "app.py", *sorted((root / "pricewatch" / "web").rglob("*.py"))]:
        if path.exists():
            tree = ast.parse(path.read_text())
            names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
            names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            assert not any(n.startswith(("apscheduler", "pricewatch.scheduler")) for n in names), path
