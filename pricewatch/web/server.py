"""`pricewatch serve`: the web app under gunicorn, several worker processes with threads each.

One Python process runs Python on one core at a time, so the app is served by several processes.
The default is gunicorn's own advice for its sync workers, 2 x CPUs + 1 processes of one thread:
each request goes to whichever process is free, so a slow page never queues the next request
behind it in the same process (measured with bench/web_bench.py: p95 about 1.2 x the median,
against 2.5-3 x with two processes of eight threads). Sync workers close the connection after
each response and expect a buffering reverse proxy (nginx) in front for slow clients, as
production has. With `threads` above 1 the workers are gunicorn's gthread workers (keep-alive).

Each worker builds its own app after the fork (no database connection is shared across processes)
and, once started, loads the latest check run's result index in the background so that its first
flagged-list request does not wait for it. Web processes never start a scheduler
(`pricewatch scheduler` is its own process).
"""
from __future__ import annotations

import logging
import os
import threading

from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


def default_workers() -> int:
    """2 x the CPUs this process may use + 1 (gunicorn's advice for sync workers)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return 2 * max(1, cpus) + 1


def warm_caches(app) -> None:
    """Load the latest finished run's result index into this process (errors are only logged)."""
    from pricewatch.services.queries import latest_run

    try:
        with app.app_context():
            with app.extensions["pricewatch"].session_factory() as session:
                run = latest_run(session)
                if run is not None and run.finished_at is not None:
                    app.extensions["pricewatch_results"].get(session, run)
    except Exception:  # a cold cache is only slower; the request path reports real errors
        log.exception("warming the result index failed")


def _post_worker_init(worker) -> None:
    """gunicorn hook: warm the new worker's caches without delaying its first request."""
    threading.Thread(target=warm_caches, args=(worker.wsgi,), name="warm-caches", daemon=True).start()


class Server(BaseApplication):
    """A gunicorn application that builds the pricewatch app in each worker."""

    def __init__(self, options: dict):
        """Options are gunicorn settings (bind, workers, threads, ...)."""
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply our options to gunicorn's settings."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """The WSGI app of one worker (built after the fork)."""
        from pricewatch.web import create_app

        return create_app()


def serve(host: str, port: int, workers: int, threads: int, access_log: bool = False) -> None:
    """Serve until interrupted (SIGINT/SIGTERM stop the workers gracefully)."""
    Server({
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "keepalive": 5,
        "timeout": 120,
        "graceful_timeout": 20,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "pricewatch-web",
        "post_worker_init": _post_worker_init,
        "preload_app": False,
        # gunicorn's control socket is one path per user ($HOME/.gunicorn): two servers would share it.
        "control_socket_disable": True,
    }).run()
