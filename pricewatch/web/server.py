"""`pricewatch serve`: the web app under gunicorn, several worker processes with threads each.

One Python process runs Python on one core at a time, so the app is served by `workers` processes
(default: the number of CPUs) of `threads` threads each (gunicorn's gthread worker, with keep-alive;
with one thread, its sync worker: one request at a time per process, connections closed after each). Each worker builds its own app after the
fork (no database connection is shared across processes) and, once started, loads the latest
check run's result index in the background so that its first flagged-list request does not wait
for it. Web processes never start a scheduler (`pricewatch scheduler` is its own process).
"""
from __future__ import annotations

import logging
import os
import threading

from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


def default_workers() -> int:
    """One worker per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


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
    }).run()
