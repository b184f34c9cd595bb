"""Per-page CPU in one process: where a dashboard page spends its time, without a server or load.

    .venv/bin/python bench/page_profile.py bench/data/520000/web/bench.db            # every page, CPU ms
    .venv/bin/python bench/page_profile.py DB --only listing --profile 25            # + cProfile, top 25

Signs in as the benchmark's monitor (`web_bench.py` creates it) through the Flask test client and
requests the same URLs as `web_bench.py` (picked from the data by its `pick_targets`), each a few
times, reporting the median process CPU time per request. The figure to compare before and after a
change; the load benchmark (`web_bench.py`) is the one that judges the target.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web_bench import PASSWORD, USERNAME, checked_run, pick_targets  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Request every page a few times in-process and print CPU ms per request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--repeat", type=int, default=7, help="requests per page (default 7)")
    parser.add_argument("--only", nargs="*", help="pages whose name holds one of these words")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions by cumulative time")
    args = parser.parse_args(argv)
    os.environ["PRICEWATCH_DATABASE_URL"] = f"sqlite:///{args.database.resolve()}"
    from pricewatch.web import create_app

    app = create_app({"WTF_CSRF_ENABLED": False})
    client = app.test_client()
    resp = client.post("/auth/login", data={"username": USERNAME, "password": PASSWORD})
    if resp.status_code != 302:
        raise SystemExit(f"sign-in as {USERNAME} failed ({resp.status_code}); run bench/web_bench.py once first")
    run = checked_run(args.database, args.period)
    targets = pick_targets(args.database, run["id"], 1, args.repeat * 4)
    if args.only:
        targets = [t for t in targets if any(o in t.name for o in args.only)]
    print(f"{'page':<44}{'status':>7}{'cpu ms':>9}{'wall ms':>9}{'KiB':>7}")
    for target in targets:
        paths = (target.warmup or target.paths)[:1] + target.paths[:args.repeat]
        cpu, wall, status, size = [], [], 0, 0
        profiler = cProfile.Profile() if args.profile else None
        for i, path in enumerate(paths):
            c0, w0 = time.process_time(), time.perf_counter()
            if profiler and i:
                profiler.enable()
            resp = client.get(path)
            if profiler:
                profiler.disable()
            if i:  # the first request warms caches
                cpu.append(time.process_time() - c0)
                wall.append(time.perf_counter() - w0)
            status, size = resp.status_code, len(resp.data)
        print(f"{target.name[:43]:<44}{status:>7}{statistics.median(cpu) * 1000:>9.1f}"
              f"{statistics.median(wall) * 1000:>9.1f}{size / 1024:>7.0f}", flush=True)
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
            print(re.sub(str(ROOT) + "/", "", out.getvalue()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
