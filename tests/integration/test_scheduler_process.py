"""The scheduler process as a user runs it: `pricewatch scheduler --once` catches up and exits."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from pricewatch.db.models import JobExecution
from pricewatch.scheduler.process import build_scheduler


def test_the_scheduler_registers_every_job_of_the_table_by_id(runtime):
    scheduler = build_scheduler(runtime)
    assert sorted(j.id for j in scheduler.get_jobs()) == ["catch_up", "deadline_sweep", "monthly_check"]


def test_scheduler_once_runs_the_due_sweep_and_exits(runtime, db_url, tmp_path):
    env = {**os.environ, "PRICEWATCH_DATABASE_URL": db_url, "PRICEWATCH_ENV": "testing"}
    done = subprocess.run([sys.executable, "-c", "from pricewatch.cli import main; main()", "scheduler", "--once"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "catch-up deadline_sweep" in done.stderr
    with runtime.session_factory() as s:
        sweep = s.scalars(select(JobExecution).where(JobExecution.job_id == "deadline_sweep")).one()
        assert sweep.status == "done"
