"""The web speed benchmark: dashboard, flagged list and listing pages under 16 concurrent clients.

    .venv/bin/python bench/web_bench.py                       # 520,000 listings (the real mall)
    .venv/bin/python bench/web_bench.py --listings 20000      # a quick run

Target: with N listings checked, the dashboard, the flagged list (any filter, any page) and a listing
page each answer in under 150 ms at the 95th percentile with 16 concurrent clients on loopback,
measured against a static file served by the same server in the same run.

Steps: (1) a SQLite database with N listings imported and checked through the real CLI (cached in
bench/data/N/web/); (2) a monitor user `benchmon` (`pricewatch users add`); (3) `pricewatch serve`
(waitress) on a free loopback port; (4) sign in through the sign-in form (CSRF token, session
cookie); (5) for each URL, 16 client threads on keep-alive connections send a bounded number of
requests (default 400, at most 20 s) and the latencies give p50 / p95 / p99. Every request goes to
127.0.0.1 only. See bench/README.md ("Web pages") for how to read the output.
"""
from __future__ import annotations

import argparse
import html
import http.client
import http.cookiejar
import json
import os
import random
import re
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import Step, measure  # noqa: E402
from bench.run_check_bench import QUICK_LISTINGS, ensure_data, pricewatch_command  # noqa: E402

DEFAULT_LISTINGS = 520_000
#: The target: p95 latency of every dashboard page under 16 concurrent clients.
P95_MAX_MS = 150.0
USERNAME = "benchmon"
PASSWORD = "bench-monitor-password-1"
HOST = "127.0.0.1"
#: Above this many CPUs' worth of work by other processes, a page's figures are flagged as unreliable.
OTHERS_CPU_MAX = 0.25


# --- the database ------------------------------------------------------------------------------

def checked_run(db: Path, period: str) -> dict | None:
    """The finished check run of `period` in the SQLite file (id, listings_checked), else None."""
    if not db.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            row = con.execute("SELECT id, listings_checked FROM check_runs WHERE period = ? "
                              "AND finished_at IS NOT NULL", (period,)).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return {"id": row[0], "listings_checked": row[1]} if row else None


def prepare_db(n: int, period: str, seed: int, rebuild: bool, timeout: float) -> tuple[Path, dict, list[Step]]:
    """bench/data/N/web/bench.db with N listings imported and checked for `period` (built if needed).

    Reused when a finished run of the period with N listings is there. Otherwise a database kept by
    `run_check_bench.py --keep` (bench/data/N/run/bench.db) is copied through SQLite's backup API
    when it holds such a run, else the month is generated (or reused) and imported and checked
    through the CLI, each step measured like the check benchmark's.
    """
    data_dir, summary = ensure_data(n, period, seed, regenerate=False)
    work = data_dir / "web"
    db = work / "bench.db"
    marker = work / "prepared.json"
    expected = summary["listings"]

    def ready() -> bool:
        run = checked_run(db, period)
        return bool(run) and run["listings_checked"] == expected

    if not rebuild and marker.exists() and ready():
        print(f"database: reusing {db}")
        return db, summary, [migrate(db, work / "logs", timeout)]
    for path in work.glob("bench.db*"):
        path.unlink()
    work.mkdir(parents=True, exist_ok=True)
    kept = data_dir / "run" / "bench.db"
    kept_run = checked_run(kept, period)
    if not rebuild and kept_run and kept_run["listings_checked"] == expected:
        print(f"database: copying {kept} (kept by run_check_bench.py) ...", flush=True)
        source = sqlite3.connect(f"file:{kept}?mode=ro", uri=True, timeout=60)
        target = sqlite3.connect(db)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        if ready():
            marker.write_text(json.dumps({"from": str(kept), "period": period, "seed": seed}) + "\n",
                              encoding="utf-8")
            return db, summary, [migrate(db, work / "logs", timeout)]
        for path in work.glob("bench.db*"):
            path.unlink()
    env = server_env(db)
    cli = pricewatch_command()
    logs = work / "logs"
    steps: list[Step] = []
    print(f"database: building {db} through {' '.join(cli)}", flush=True)
    commands = [("db upgrade", ["db", "upgrade"])]
    commands += [(f"import {kind}", ["import", kind, str(data_dir / f"{kind}.csv")])
                 for kind in ("listings", "observations", "orders")]
    commands.append((f"check {period}", ["check", period]))
    for name, args in commands:
        step = measure(Step(name, [*cli, *args]), env, logs, timeout, ROOT)
        steps.append(step)
        if not step.ok:
            raise SystemExit(f"database: `{name}` failed; see {logs}")
    if not ready():
        raise SystemExit(f"database: no finished check of {period} with {expected:,} listings in {db}")
    marker.write_text(json.dumps({"period": period, "seed": seed,
                                  "steps": {s.name: round(s.seconds, 1) for s in steps}}) + "\n", encoding="utf-8")
    return db, summary, steps


def migrate(db: Path, logs: Path, timeout: float) -> Step:
    """`pricewatch db upgrade` on a kept database (a later migration may have been added since)."""
    step = measure(Step("db upgrade", [*pricewatch_command(), "db", "upgrade"]), server_env(db), logs, timeout, ROOT)
    if not step.ok:
        raise SystemExit(f"database: `db upgrade` failed; see {logs}")
    return step


def server_env(db: Path, secret: str | None = None) -> dict:
    """The environment of every pricewatch command: this database, a fixed secret, default settings."""
    env = dict(os.environ, PRICEWATCH_DATABASE_URL=f"sqlite:///{db}", PYTHONUNBUFFERED="1")
    env.pop("PRICEWATCH_ENV", None)
    env.pop("PRICEWATCH_CONFIG", None)
    if secret:
        env["PRICEWATCH_SECRET_KEY"] = secret
    return env


def ensure_user(env: dict) -> None:
    """The monitor account the clients sign in with (an existing one is kept: same password)."""
    proc = subprocess.run([*pricewatch_command(), "users", "add", USERNAME, "--role", "monitor"], cwd=ROOT, env=env,
                          input=f"{PASSWORD}\n{PASSWORD}\n", capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    if proc.returncode == 0:
        print(f"user: {USERNAME} added (monitor)")
    elif "already exists" in out:
        print(f"user: {USERNAME} already there")
    else:
        raise SystemExit(f"user: `pricewatch users add` failed:\n{out}")


# --- what to request ---------------------------------------------------------------------------

@dataclass
class Target:
    """One row of the table: a page (or a family of pages) requested by every client in turn."""

    name: str
    kind: str                 # static, dashboard, flagged, cases, listing
    paths: list[str]
    warmup: list[str] = field(default_factory=list)


def pick_targets(db: Path, run_id: int, seed: int, requests: int) -> list[Target]:
    """The URLs measured, with filter values taken from the data (category, supplier, terms, ids)."""
    rng = random.Random(seed)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        category = con.execute(
            "SELECT category, COUNT(*) c FROM listing_results WHERE run_id = ? GROUP BY category "
            "ORDER BY c DESC LIMIT 1", (run_id,)).fetchone()[0]
        supplier = con.execute(
            "SELECT s.code FROM listing_results r JOIN suppliers s ON s.id = r.supplier_id "
            "WHERE r.run_id = ? AND r.band IN ('evidence', 'delist') GROUP BY s.code "
            "ORDER BY COUNT(*) DESC, s.code LIMIT 1", (run_id,)).fetchone()[0]
        supplier_name = con.execute("SELECT name FROM suppliers WHERE code = ?", (supplier,)).fetchone()[0]
        max_id = con.execute("SELECT MAX(id) FROM listings").fetchone()[0]
        sample = rng.sample(range(1, max_id + 1), min(max_id, requests + 32))
        ids = [row[0] for chunk in range(0, len(sample), 500) for row in con.execute(
            f"SELECT id FROM listings WHERE id IN ({','.join('?' * len(sample[chunk:chunk + 500]))})",
            sample[chunk:chunk + 500])]
        rng.shuffle(ids)
        a_listing = con.execute("SELECT code, name FROM listings WHERE id = ?", (ids[0],)).fetchone()
        with_case = [row[0] for row in con.execute(
            "SELECT listing_id FROM cases ORDER BY listing_id")]
    finally:
        con.close()
    rng.shuffle(with_case)
    code, name = a_listing
    words = name.split()
    brand = words[0]                      # e.g. 得力: thousands of listings
    model = words[1] if len(words) > 1 else name   # e.g. J41929: a handful, found by a full scan
    # A supplier name fragment matching several suppliers (city + trade, e.g. 绍兴星辰).
    fragment = supplier_name[:4]

    def q(**params) -> str:
        return "/monitor/flagged?" + urllib.parse.urlencode(params)

    targets = [
        Target("static /static/app.css", "static", ["/static/app.css"]),
        Target("dashboard /monitor/", "dashboard", ["/monitor/"]),
        Target("flagged (default)", "flagged", ["/monitor/flagged"]),
        Target("flagged band=evidence", "flagged", [q(band="evidence")]),
        Target("flagged band=delist", "flagged", [q(band="delist")]),
        Target("flagged band=all", "flagged", [q(band="all")]),
        Target("flagged band=normal", "flagged", [q(band="normal")]),
        Target(f"flagged category={category}", "flagged", [q(category=category)]),
        Target("flagged category all-bands p100", "flagged", [q(category=category, band="all", page=100)]),
        Target(f"flagged supplier={supplier}", "flagged", [q(supplier=supplier)]),
        Target(f"flagged supplier~{fragment}", "flagged", [q(supplier=fragment, band="all")]),
        Target(f"flagged q={brand} (brand)", "flagged", [q(q=brand)]),
        Target(f"flagged q={model} (model)", "flagged", [q(q=model, band="all")]),
        Target(f"flagged q={code} (code)", "flagged", [q(q=code, band="all")]),
        Target("flagged sort=mall_price", "flagged", [q(sort="mall_price")]),
        Target("flagged sort=code", "flagged", [q(sort="code")]),
        Target("flagged band=all sort=mall_price", "flagged", [q(band="all", sort="mall_price")]),
        Target("flagged page=150", "flagged", [q(page=150)]),
        Target("flagged sort=mall_price p150", "flagged", [q(sort="mall_price", page=150)]),
        Target("flagged sort=code p150", "flagged", [q(sort="code", page=150)]),
        Target("flagged band=all p200", "flagged", [q(band="all", page=200)]),
        Target("flagged band=normal sort=code p200", "flagged", [q(band="normal", sort="code", page=200)]),
        # Beyond any cap: the index pages as deep as the list goes.
        Target("flagged band=all p5000", "flagged", [q(band="all", page=5000)]),
        Target("flagged band=normal sort=code p9000", "flagged", [q(band="normal", sort="code", page=9000)]),
        Target("flagged category mall_price all p150", "flagged",
               [q(category=category, band="all", sort="mall_price", page=150)]),
        Target("cases (open)", "cases", ["/monitor/cases"]),
        Target("cases state=all", "cases", ["/monitor/cases?state=all"]),
        Target("cases state=evidence_requested p150", "cases", ["/monitor/cases?state=evidence_requested&page=150"]),
        Target(f"cases category={category} all", "cases",
               ["/monitor/cases?" + urllib.parse.urlencode({"category": category, "state": "all"})]),
        Target(f"cases supplier={supplier}", "cases", ["/monitor/cases?" + urllib.parse.urlencode({"supplier": supplier})]),
        Target(f"cases supplier~{fragment}", "cases",
               ["/monitor/cases?" + urllib.parse.urlencode({"supplier": fragment, "state": "all"})]),
        # Distinct listings: every request opens a listing nobody opened in this run.
        Target("listing (random ids)", "listing", [f"/monitor/listings/{i}" for i in ids[32:]],
               warmup=[f"/monitor/listings/{i}" for i in ids[:32]]),
    ]
    if with_case:
        targets.append(Target("listing (with a case)", "listing",
                              [f"/monitor/listings/{i}" for i in with_case[16:16 + requests]],
                              warmup=[f"/monitor/listings/{i}" for i in with_case[:16]]))
    return targets


# --- the server and the session ----------------------------------------------------------------

def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int, workers: int | None, threads: int | None, log_path: Path) -> subprocess.Popen:
    """`pricewatch serve` in its own process group, answering on HOST:port (waits up to 60 s)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "wb")
    sizing = (["--threads", str(threads)] if threads else []) + (["--workers", str(workers)] if workers else [])
    proc = subprocess.Popen([*pricewatch_command(), "serve", "--host", HOST, "--port", str(port), *sizing],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server: exited with {proc.returncode}; see {log_path}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/static/app.css")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"server: not answering on {HOST}:{port} after 60 s; see {log_path}")


def stop_server(proc: subprocess.Popen) -> None:
    """End the server this script started (its own process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        except ProcessLookupError:
            pass


def group_stats(pgid: int):
    """(pid, fields of /proc/PID/stat after the command name) of each live process in a process group."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
            if int(stat[2]) == pgid:
                yield int(entry.name), stat
        except (OSError, IndexError, ValueError):
            pass


def peak_rss_mib(pgid: int) -> float | None:
    """The summed VmHWM of the live processes of a process group (the server and its workers), in MiB."""
    total, found = 0, False
    for pid, _stat in group_stats(pgid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
                    found = True
        except OSError:
            pass
    return total / 1024 if found else None


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def sign_in(port: int) -> str:
    """Sign in as the bench monitor through the form; the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://{HOST}:{port}"
    with opener.open(f"{base}/auth/login", timeout=30) as resp:
        page = resp.read().decode("utf-8")
    match = _CSRF.search(page)
    if not match:
        raise SystemExit("sign-in: no csrf_token field on /auth/login")
    token = html.unescape(match.group(1) or match.group(2))
    form = urllib.parse.urlencode({"csrf_token": token, "username": USERNAME, "password": PASSWORD,
                                   "next": ""}).encode()
    with opener.open(urllib.request.Request(f"{base}/auth/login", data=form), timeout=30) as resp:
        landed = urllib.parse.urlparse(resp.geturl()).path
        resp.read()
    if landed.startswith("/auth/login"):
        raise SystemExit("sign-in: refused (wrong password for an existing benchmon user?)")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/monitor/", headers={"Cookie": cookie})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    if resp.status != 200:
        raise SystemExit(f"sign-in: /monitor/ answers {resp.status} with the session cookie")
    print(f"sign-in: ok as {USERNAME}, landed on {landed}")
    return cookie


# --- the load ----------------------------------------------------------------------------------

@dataclass
class Result:
    """What one target measured."""

    name: str
    kind: str
    requests: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    seconds: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    alone_ms: float = 0.0         # median latency of a few requests sent one at a time
    kib: float = 0.0              # mean response size
    others_cpu: float = 0.0       # CPUs busy with other processes than the server and this script, on average
    server_cpu_ms: float = 0.0    # server CPU time per request (all its threads and processes)
    example: str = ""

    @property
    def rps(self) -> float:
        """Requests answered per second during the measurement."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank p-th percentile of values (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


class Client:
    """One keep-alive connection to the server, reopened when the server closes it."""

    def __init__(self, port: int, cookie: str):
        self.port, self.headers = port, {"Cookie": cookie, "Accept-Encoding": "identity"}
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, int, float]:
        """GET path: (status, body bytes, seconds from sending to the last byte); status 0 on failure."""
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=self.headers)
                resp = self.conn.getresponse()
                body = resp.read()
                elapsed = time.perf_counter() - started
                if resp.will_close:
                    self.close()
                return resp.status, len(body), elapsed
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt:
                    return 0, 0, time.perf_counter() - started
        return 0, 0, 0.0

    def close(self) -> None:
        """Drop the connection."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def settle(pgid: int, idle_share: float = 0.05, timeout: float = 120.0) -> None:
    """Wait until the server's processes are idle (its workers load the latest run's results at start)."""
    tick = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        return sum(int(stat[11]) + int(stat[12]) for _pid, stat in group_stats(pgid)) / tick

    started = time.monotonic()
    before = cpu()
    while time.monotonic() - started < timeout:
        time.sleep(1.0)
        now = cpu()
        if now - before < idle_share:
            print(f"server: idle after {time.monotonic() - started:.0f} s (workers warmed up)")
            return
        before = now
    print(f"server: still busy after {timeout:.0f} s; measuring anyway")


class CpuMeter:
    """CPU time used by the rest of the machine (all processes but the server's and this one's) since creation."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.start = self._sample()

    def _sample(self) -> tuple[float, float, float, float]:
        """(wall seconds, machine busy CPU seconds, our CPU seconds, the server's CPU seconds)."""
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / self.TICK      # all but idle and iowait
        client = sum(os.times()[:2])
        # The server runs in its own process group (start_new_session): its processes have pgrp == its pid.
        server = sum(int(stat[11]) + int(stat[12]) for _pid, stat in group_stats(self.server_pid)) / self.TICK
        return time.monotonic(), busy, client + server, server

    def stop(self) -> tuple[float, float]:
        """(CPUs' worth of work other processes did since creation, e.g. 0.5 for half a CPU on average;
        CPU seconds the server used since creation)."""
        wall, busy, ours, server = self._sample()
        span = wall - self.start[0]
        others = max(0.0, ((busy - self.start[1]) - (ours - self.start[2])) / span) if span > 0 else 0.0
        return others, server - self.start[3]


def load(target: Target, port: int, cookie: str, clients: int, max_requests: int, max_seconds: float,
         server_pid: int) -> Result:
    """`clients` threads send target.paths in turn until max_requests are answered or max_seconds pass."""
    result = Result(target.name, target.kind, example=target.paths[0])
    # Warm up (connection, caches), then time a few requests sent one at a time: both bounded in time.
    warm = Client(port, cookie)
    budget = time.perf_counter() + max_seconds / 2
    warmup = target.warmup or target.paths[:1] * 3
    for path in warmup[:-5] if target.warmup else warmup:
        if time.perf_counter() > budget:
            break
        warm.get(path)
    alone_paths = target.warmup[-5:] if target.warmup else target.paths[:1] * 5
    alone = []
    for path in alone_paths:
        alone.append(warm.get(path)[2])
        if time.perf_counter() > budget + max_seconds / 2:
            break
    warm.close()
    result.alone_ms = statistics.median(alone) * 1000

    meter = CpuMeter(server_pid)
    lock = threading.Lock()
    counter = iter(range(max_requests))
    latencies: list[float] = []
    sizes: list[int] = []
    statuses: dict[int, int] = {}
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker() -> None:
        client = Client(port, cookie)
        start.wait()
        try:
            while time.perf_counter() < deadline[0]:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                status, size, seconds = client.get(target.paths[i % len(target.paths)])
                with lock:
                    latencies.append(seconds)
                    sizes.append(size)
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    deadline[0] = began + max_seconds
    start.wait()
    for t in threads:
        t.join(max_seconds + 130)
    result.seconds = time.perf_counter() - began
    result.others_cpu, server_cpu = meter.stop()
    result.requests = len(latencies)
    result.server_cpu_ms = server_cpu * 1000 / max(result.requests, 1)
    result.statuses = {str(k): v for k, v in sorted(statuses.items())}
    result.errors = sum(v for k, v in statuses.items() if k != 200)
    ms = [s * 1000 for s in latencies]
    result.p50, result.p95, result.p99 = (percentile(ms, p) for p in (50, 95, 99))
    result.max = max(ms, default=0.0)
    result.kib = (sum(sizes) / len(sizes) / 1024) if sizes else 0.0
    return result


# --- the run -----------------------------------------------------------------------------------

@dataclass
class WebRun:
    """Everything one web benchmark run measured."""

    listings: int
    period: str
    clients: int
    server_workers: int | None
    server_threads: int | None
    max_requests: int
    max_seconds: float
    cpus: int
    server_peak_mib: float | None = None
    prepare: dict = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)


def verdict(r: Result) -> str:
    """PASS / FAIL of one page against the target (the static file is the reference, not judged)."""
    if r.kind == "static":
        return "ref"
    return "PASS" if r.requests and not r.errors and r.p95 < P95_MAX_MS else "FAIL"


def print_run(run: WebRun) -> None:
    """The table: latencies, the p95 ratio to the static file, and the verdicts."""
    static = next((r for r in run.results if r.kind == "static"), None)
    ref = static.p95 if static and static.p95 > 0 else None
    print(f"\n== web benchmark: {run.listings:,} listings, period {run.period}, {run.clients} clients, "
          f"server --workers {run.server_workers or 'default'} --threads {run.server_threads or 'default'}, up to {run.max_requests} requests / {run.max_seconds:g} s "
          f"per URL, {run.cpus} CPUs ==")
    print(f"\n{'page':<40}{'n':>5}{'err':>5}{'req/s':>8}{'cpu':>7}{'alone':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
          f"{'KiB':>7}{'other':>7}{'p95/static':>12}  result")
    for r in run.results:
        ratio = f"{r.p95 / ref:.1f}x" if ref else "-"
        print(f"{r.name[:39]:<40}{r.requests:>5}{r.errors:>5}{r.rps:>8.1f}{r.server_cpu_ms:>7.1f}{r.alone_ms:>8.1f}{r.p50:>8.1f}"
              f"{r.p95:>8.1f}{r.p99:>8.1f}{r.max:>8.1f}{r.kib:>7.0f}{r.others_cpu:>7.2f}{ratio:>12}  {verdict(r)}")
    print("(times in ms; cpu: the server's CPU time per request; alone: median latency of requests sent one at a "
          "time before the load; other: CPUs busy with other processes than the server and this script while the "
          "page was measured)")
    for r in run.results:
        if r.errors:
            print(f"  {r.name}: statuses {r.statuses} ({r.example})")
    busy = [r.name for r in run.results if r.others_cpu > OTHERS_CPU_MAX]
    if busy:
        which = ("every page" if len(busy) == len(run.results)
                 else ", ".join(busy) if len(busy) <= 3 else f"{len(busy)} of {len(run.results)} pages")
        print(f"warning: other processes kept more than {OTHERS_CPU_MAX:g} CPU busy (column `other`) while "
              f"measuring {which}: their latencies are stretched; `cpu` is the steadier figure")
    if run.server_peak_mib:
        print(f"server peak RSS (summed over its processes): {run.server_peak_mib:,.0f} MiB")
    judged = [r for r in run.results if r.kind != "static"]
    failed = [r for r in judged if verdict(r) == "FAIL"]
    worst = max(judged, key=lambda r: r.p95, default=None)
    if worst:
        print(f"\nslowest: {worst.name} p95 {worst.p95:.1f} ms ({worst.p95 / ref:.1f}x the static file)" if ref
              else f"\nslowest: {worst.name} p95 {worst.p95:.1f} ms")
    print(f"{'FAIL' if failed else 'PASS'}: {len(failed)} of {len(judged)} pages over p95 {P95_MAX_MS:g} ms "
          f"(or with errors)")


def run_bench(args) -> WebRun:
    """Prepare the database, start the server, sign in, load every URL, stop the server."""
    n = QUICK_LISTINGS if args.quick else args.listings
    if args.database:
        db, steps = args.database.resolve(), []
        checked = checked_run(db, args.period)
        if not checked:
            raise SystemExit(f"database: no finished check of {args.period} in {db}")
        summary = {"listings": checked["listings_checked"]}
        print(f"database: using {db} as it is")
    else:
        db, summary, steps = prepare_db(n, args.period, args.seed, args.rebuild, args.timeout)
    run = WebRun(listings=summary["listings"], period=args.period, clients=args.clients,
                 server_workers=args.workers, server_threads=args.threads, max_requests=args.requests, max_seconds=args.seconds,
                 cpus=os.cpu_count() or 1, prepare={s.name: round(s.seconds, 1) for s in steps})
    if args.prepare_only:
        return run
    env = server_env(db, secrets.token_hex(32))
    ensure_user(env)
    checked = checked_run(db, args.period)
    targets = pick_targets(db, checked["id"], args.seed, args.requests)
    if args.only:
        targets = [t for t in targets if t.kind == "static" or any(o in t.name for o in args.only)]
    port = free_port()
    log_path = db.parent / "logs" / "serve.log"
    sizing = (f" --workers {args.workers}" if args.workers else "") + (f" --threads {args.threads}" if args.threads else "")
    print(f"server: pricewatch serve --port {port}{sizing} (log {log_path})", flush=True)
    proc = start_server(env, port, args.workers, args.threads, log_path)
    try:
        cookie = sign_in(port)
        settle(proc.pid)
        for target in targets:
            print(f"  {target.name} ...", end="", flush=True)
            r = load(target, port, cookie, args.clients, args.requests, args.seconds, proc.pid)
            run.results.append(r)
            print(f" {r.requests} requests, p95 {r.p95:.1f} ms{', %d errors' % r.errors if r.errors else ''}, "
                  f"other processes {r.others_cpu:.2f} CPU", flush=True)
        run.server_peak_mib = peak_rss_mib(proc.pid)
    finally:
        stop_server(proc)
    return run


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit status 1 when a page misses the target."""
    parser = argparse.ArgumentParser(description="Benchmark the dashboard pages under concurrent clients.")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--listings", type=int, default=DEFAULT_LISTINGS,
                      help=f"number of listings (default {DEFAULT_LISTINGS:,}, the real mall)")
    size.add_argument("--quick", action="store_true", help=f"{QUICK_LISTINGS:,} listings")
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads (default 16)")
    parser.add_argument("--workers", type=int, help="server worker processes (default: the server's, 2 x CPUs + 1)")
    parser.add_argument("--threads", type=int, help="threads per server worker (default: the server's, 1)")
    parser.add_argument("--requests", type=int, default=400, help="requests per URL (default 400)")
    parser.add_argument("--seconds", type=float, default=20, help="at most this long per URL (default 20)")
    parser.add_argument("--only", nargs="*", help="measure only the pages whose name holds one of these words")
    parser.add_argument("--database", type=Path,
                        help="measure this SQLite file (imported and checked for --period) instead of bench/data/N")
    parser.add_argument("--rebuild", action="store_true", help="import and check again even if cached")
    parser.add_argument("--prepare-only", action="store_true", help="build the database and stop")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one build step may take")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if (args.listings or 0) < 1 or args.clients < 1 or args.requests < 1 or args.seconds <= 0:
        parser.error("--listings, --clients, --requests and --seconds must be positive")
    run = run_bench(args)
    if args.prepare_only:
        print("database ready")
        return 0
    print_run(run)
    if args.json:
        args.json.write_text(json.dumps(asdict(run), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if any(verdict(r) == "FAIL" for r in run.results) else 0


if __name__ == "__main__":
    sys.exit(main())
