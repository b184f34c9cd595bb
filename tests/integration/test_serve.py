"""`pricewatch serve` as a user runs it: gunicorn workers answer, warm their caches, stop on SIGTERM."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.factories import make_listing, make_result, make_run

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def free_port() -> int:
    """A loopback port free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The ids of a process's child processes."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def get(port: int, path: str) -> int:
    """The status of GET path, or 0 when nothing answers."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return 0


@pytest.mark.parametrize("threads", [2, 1])  # gthread workers, and sync workers
def test_serve_starts_the_workers_asked_for_answers_and_stops_cleanly_on_sigterm(session, db_url, threads):
    run = make_run(session)
    make_result(session, run, make_listing(session, "150.00"), "100.00")
    session.commit()
    port = free_port()
    env = {**os.environ, "PRICEWATCH_DATABASE_URL": db_url, "PRICEWATCH_ENV": "testing",
           "PRICEWATCH_SECRET_KEY": "x" * 64}
    proc = subprocess.Popen([sys.executable, "-c", "from pricewatch.cli import main; main()", "serve",
                             "--port", str(port), "--workers", "2", "--threads", str(threads)],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while get(port, "/auth/login") != 200 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.2)
        assert get(port, "/auth/login") == 200
        assert get(port, "/monitor/") == 302          # the app, not a static server: sign in first
        assert len(children(proc.pid)) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert f"pricewatch is serving at http://127.0.0.1:{port}/ (2 workers x {threads} threads)" in err
    assert ("gthread" if threads > 1 else "sync") in err  # gunicorn names its worker class at start
    assert "warming the result index failed" not in err and "Traceback" not in err
    assert "Control socket" not in err  # no per-user socket shared by every server of the machine


def test_serve_refuses_a_bad_configuration_before_starting(tmp_path, backend):
    env = {**os.environ, "PRICEWATCH_ENV": "testing", "PRICEWATCH_METHOD__K": "minus one"}
    done = subprocess.run([sys.executable, "-c", "from pricewatch.cli import main; main()", "serve",
                           "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "configuration" in done.stderr and "method.k" in done.stderr.lower()


def test_warming_loads_the_latest_finished_run_into_the_apps_cache(session, runtime, monkeypatch):
    from pricewatch.services.result_index import ResultIndex
    from pricewatch.web import create_app
    from pricewatch.web.server import warm_caches

    make_run(session, "2026-09")
    run = make_run(session)
    make_result(session, run, make_listing(session, "150.00"), "100.00")
    session.commit()
    loads = []
    real_load = ResultIndex.load.__func__
    monkeypatch.setattr(ResultIndex, "load", classmethod(lambda cls, s, run_id: loads.append(run_id) or real_load(cls, s, run_id)))
    app = create_app(runtime=runtime)
    warm_caches(app)
    assert loads == [run.id]  # the latest run only
    with runtime.session_factory() as s:
        assert app.extensions["pricewatch_results"].get(s, run).size == 1
    assert loads == [run.id]  # the first request found it loaded
