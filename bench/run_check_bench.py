"""The check benchmark: import, check and report a generated month, against plain pandas in the same run.

    .venv/bin/python bench/run_check_bench.py --listings 520000      # the real mall's size
    .venv/bin/python bench/run_check_bench.py --quick                # 20,000 listings, a smoke run

Every measured step runs as its own subprocess (see bench/measure.py), with its own wall time and
peak memory. Speed is judged as a ratio against the pandas reference timed on the same machine in
the same run, never as an absolute number in a unit test. See bench/README.md for how to read the output.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.measure import Step, measure, tail  # noqa: E402

QUICK_LISTINGS = 20_000
#: The targets (see bench/README.md).
CHECK_VS_PANDAS_MAX = 1.5
CHECK_PEAK_MAX_MIB = 1536
OBSERVATIONS_ROWS_PER_S_MIN = 150_000
REPORT_SECONDS_MAX = {"json": 10, "csv": 10, "xlsx": 30, "pdf": 30}
REPORT_PEAK_MAX_MIB = 1024
BAND_AGREEMENT_MIN = 0.999
REPORT_FORMATS = ("json", "csv", "xlsx", "pdf")


@dataclass
class Verdict:
    """One target: what was measured, the target, and PASS / FAIL / n/a."""

    what: str
    figure: str
    target: str
    result: str


@dataclass
class Run:
    """Everything one benchmark run measured."""

    listings: int
    period: str
    data: dict = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    agreement: dict = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)

    def rounds(self, name: str) -> list[Step]:
        """Every run of the step called name ("check 2026-10", or its rounds "check 2026-10 #2")."""
        return [s for s in self.steps if s.name == name or s.name.startswith(name + " #")]

    def step(self, name: str) -> Step | None:
        """The step called name, if it ran; of a repeated step, the fastest successful round."""
        return min(self.rounds(name), key=lambda s: (not s.ok, s.seconds), default=None)


# --- the commands ------------------------------------------------------------------------------

def python_executable() -> str:
    """The project's virtualenv interpreter if there is one, else this one."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def pricewatch_command() -> list[str]:
    """How to call the CLI: the installed script, else the package through the interpreter."""
    script = ROOT / ".venv" / "bin" / "pricewatch"
    if script.exists():
        return [str(script)]
    if (ROOT / "pricewatch" / "cli" / "__main__.py").exists():
        return [python_executable(), "-m", "pricewatch.cli"]
    return [python_executable(), "-c", "from pricewatch.cli import main; main()"]


def ensure_data(n: int, period: str, seed: int, regenerate: bool) -> tuple[Path, dict]:
    """bench/data/N/ with the three files for this size, period and seed (generated if needed)."""
    data_dir = DATA / str(n)
    summary_path = data_dir / "generated.json"
    if not regenerate and summary_path.exists():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        files = all((data_dir / f).exists() for f in ("listings.csv", "observations.csv", "orders.csv"))
        if files and summary.get("period") == period and summary.get("seed") == seed:
            print(f"data: reusing {data_dir} (generated in {summary['seconds']} s)")
            return data_dir, summary
    print(f"data: generating {n:,} listings into {data_dir} ...", flush=True)
    summary = generate(n, data_dir, seed=seed, period=period)
    print(f"data: done in {summary['seconds']} s")
    return data_dir, summary


# --- comparing bands ---------------------------------------------------------------------------

def _read_results(path: Path) -> dict[str, dict]:
    """listing_id -> row of a results CSV."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {row["listing_id"]: row for row in csv.DictReader(f)}


def compare_bands(ours_path: Path, reference_path: Path, show: int = 10) -> dict:
    """How many listings get the same band from `export results` and from the pandas reference."""
    ours, ref = _read_results(ours_path), _read_results(reference_path)
    common = ours.keys() & ref.keys()
    mismatches = sorted(lid for lid in common if ours[lid]["band"] != ref[lid]["band"])
    by_a_cent = by_more = 0
    for lid in common:
        a, b = ours[lid]["monitored_price"], ref[lid]["monitored_price"]
        if (a == "") != (b == ""):
            by_more += 1
        elif a and a != b:
            if abs(float(a) - float(b)) < 0.015:
                by_a_cent += 1
            else:
                by_more += 1
    return {
        "ours": len(ours), "reference": len(ref), "common": len(common),
        "only_ours": len(ours.keys() - ref.keys()), "only_reference": len(ref.keys() - ours.keys()),
        "same_band": len(common) - len(mismatches),
        "agreement": (len(common) - len(mismatches)) / max(len(ref), 1),
        "monitored_price_differs_by_a_cent": by_a_cent,
        "monitored_price_differs_more": by_more,
        "examples": [
            {"listing_id": lid,
             **{f"ours_{k}": ours[lid][k] for k in ("mall_price", "monitored_price", "deviation", "band")},
             **{f"ref_{k}": ref[lid][k] for k in ("monitored_price", "deviation", "band")}}
            for lid in mismatches[:show]],
    }


# --- the run -----------------------------------------------------------------------------------

def run_bench(n: int, period: str, seed: int, regenerate: bool, keep: bool, timeout: float,
              rounds: int = 1) -> Run:
    """Generate or reuse the data, run every step, judge the targets.

    With rounds > 1 the check (on a fresh copy of the imported database each time) and the pandas
    reference run alternately that many times each, and each is judged on its fastest round.
    """
    data_dir, summary = ensure_data(n, period, seed, regenerate)
    run = Run(listings=n, period=period, data=summary)
    work = data_dir / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    logs = work / "logs"
    env = dict(os.environ, PRICEWATCH_DATABASE_URL=f"sqlite:///{work / 'bench.db'}", PYTHONUNBUFFERED="1")
    env.pop("PRICEWATCH_ENV", None)
    cli = pricewatch_command()
    print(f"cli: {' '.join(cli)}\ndatabase: {env['PRICEWATCH_DATABASE_URL']}")

    def step(name, args, rows=None, command=None):
        """Measure one step and keep it."""
        done = measure(Step(name, command or [*cli, *args], rows=rows), env, logs, timeout, ROOT)
        run.steps.append(done)
        return done

    try:
        pipeline_ok = step("db upgrade", ["db", "upgrade"]).ok
        for kind, rows in (("listings", summary["listings"]), ("observations", summary["observations"]),
                           ("orders", summary["order_lines"])):
            if pipeline_ok:
                pipeline_ok = step(f"import {kind}", ["import", kind, str(data_dir / f"{kind}.csv")], rows).ok
        if pipeline_ok and rounds > 1:
            _copy_database(work, "bench.db", "before-check.db")
        ours, reference = work / "results.csv", work / "reference.csv"
        pandas_command = [python_executable(), str(ROOT / "bench" / "pandas_reference.py"),
                          str(data_dir / "listings.csv"), str(data_dir / "observations.csv"), period,
                          "-o", str(reference)]
        exported = pandas_ok = False
        for r in range(1, rounds + 1):
            suffix = f" #{r}" if rounds > 1 else ""
            if pipeline_ok:
                if r > 1:
                    _copy_database(work, "before-check.db", "bench.db")
                pipeline_ok = step(f"check {period}{suffix}", ["check", period]).ok
            if r == 1:
                exported = pipeline_ok and step("export results", ["export", "results", period, "-o", str(ours)]).ok
            pandas_ok = step(f"pandas reference{suffix}", [], command=pandas_command).ok or pandas_ok
        if exported and pandas_ok:
            run.agreement = compare_bands(ours, reference)
        if pipeline_ok:
            for fmt in REPORT_FORMATS:
                step(f"report {fmt}", ["report", period, "--format", fmt, "-o", str(work / f"report.{fmt}")])
        report_json = work / "report.json"
        if report_json.exists() and exported:
            run.agreement["report_json_bands_match"] = _report_bands_match(report_json, ours)
    finally:
        for path in work.glob("before-check.db*"):
            path.unlink()
        if not keep:
            for path in work.glob("bench.db*"):
                path.unlink()
    run.verdicts = judge(run)
    return run


def _copy_database(work: Path, source: str, target: str) -> None:
    """Copy a SQLite database with its -wal/-shm files (between commands, so nothing is open)."""
    for path in work.glob(target + "*"):
        path.unlink()
    for path in work.glob(source + "*"):
        shutil.copyfile(path, work / (target + path.name[len(source):]))


def _report_bands_match(report_json: Path, results_csv: Path) -> bool | None:
    """Do the report's band counts equal the exported results' (None: unreadable report)?"""
    try:
        bands = json.loads(report_json.read_text(encoding="utf-8"))["bands"]
    except (ValueError, KeyError, TypeError):
        return None
    counts: dict[str, int] = {}
    for row in _read_results(results_csv).values():
        counts[row["band"]] = counts.get(row["band"], 0) + 1
    return all(int(bands.get(b, 0)) == counts.get(b, 0) for b in ("insufficient", "normal", "evidence", "delist"))


def _pass(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def judge(run: Run) -> list[Verdict]:
    """Each target with its verdict; a step that did not run is 'n/a' or FAIL as documented."""
    verdicts = []
    check, pandas = run.step(f"check {run.period}"), run.step("pandas reference")
    if check and check.ok and pandas and pandas.ok:
        ratio = check.seconds / pandas.seconds
        figure = f"{ratio:.2f}x ({check.seconds:.1f} s / {pandas.seconds:.1f} s)"
        verdicts.append(Verdict("check time / pandas time", figure, f"<= {CHECK_VS_PANDAS_MAX}x",
                                _pass(ratio <= CHECK_VS_PANDAS_MAX)))
    else:
        verdicts.append(Verdict("check time / pandas time", "not measured", f"<= {CHECK_VS_PANDAS_MAX}x", "FAIL"))
    if check and check.ok:
        peak = max(s.peak_mib for s in run.rounds(check.name.split(" #")[0]))
        verdicts.append(Verdict("check peak memory", f"{peak:,.0f} MiB", f"< {CHECK_PEAK_MAX_MIB:,} MiB",
                                _pass(peak < CHECK_PEAK_MAX_MIB)))
    else:
        verdicts.append(Verdict("check peak memory", "not measured", f"< {CHECK_PEAK_MAX_MIB:,} MiB", "FAIL"))
    obs = run.step("import observations")
    rate = obs.rows_per_s if obs else None
    verdicts.append(Verdict("observations import", f"{rate:,.0f} rows/s" if rate else "not measured",
                            f">= {OBSERVATIONS_ROWS_PER_S_MIN:,} rows/s",
                            _pass(rate is not None and rate >= OBSERVATIONS_ROWS_PER_S_MIN)))
    if run.agreement.get("common"):
        a = run.agreement
        verdicts.append(Verdict("bands equal to the reference", f"{a['same_band']:,} / {a['reference']:,} "
                                f"({100 * a['agreement']:.3f}%)", f">= {100 * BAND_AGREEMENT_MIN:.1f}%",
                                _pass(a["agreement"] >= BAND_AGREEMENT_MIN)))
    else:
        verdicts.append(Verdict("bands equal to the reference", "not compared", f">= {100 * BAND_AGREEMENT_MIN:.1f}%",
                                "FAIL"))
    for fmt in REPORT_FORMATS:
        report = run.step(f"report {fmt}")
        limit = REPORT_SECONDS_MAX[fmt]
        if report is None:
            verdicts.append(Verdict(f"report {fmt}", "not run", f"< {limit} s, < {REPORT_PEAK_MAX_MIB:,} MiB", "FAIL"))
        elif not report.ok:
            verdicts.append(Verdict(f"report {fmt}", "not available", f"< {limit} s, < {REPORT_PEAK_MAX_MIB:,} MiB",
                                    "n/a"))
        else:
            verdicts.append(Verdict(f"report {fmt}", f"{report.seconds:.1f} s, {report.peak_mib:,.0f} MiB",
                                    f"< {limit} s, < {REPORT_PEAK_MAX_MIB:,} MiB",
                                    _pass(report.seconds < limit and report.peak_mib < REPORT_PEAK_MAX_MIB)))
    return verdicts


def print_run(run: Run) -> None:
    """The figures, the comparison and the verdicts as plain-text tables."""
    d = run.data
    print(f"\n== check benchmark: {run.listings:,} listings, {d.get('products', 0):,} products, "
          f"{d.get('suppliers', 0):,} suppliers, {d.get('observations', 0):,} quotes, "
          f"{d.get('order_lines', 0):,} order lines, period {run.period}, {os.cpu_count()} CPUs ==")
    print(f"\n{'step':<22}{'status':>10}{'wall s':>10}{'peak MiB':>11}{'rows':>13}{'rows/s':>11}{'load':>7}")
    for s in run.steps:
        status = "ok" if s.ok else ("timeout" if s.timed_out else f"exit {s.returncode}")
        rows = f"{s.rows:,}" if s.rows is not None else ""
        rate = f"{s.rows_per_s:,.0f}" if s.rows_per_s else ""
        print(f"{s.name:<22}{status:>10}{s.seconds:>10.1f}{s.peak_mib:>11,.0f}{rows:>13}{rate:>11}{s.load:>7.1f}")
    busy = [s.name for s in run.steps if s.load > (os.cpu_count() or 1)]
    if busy:
        print(f"warning: the machine was busy (1-minute load above {os.cpu_count()} CPUs) when these steps "
              f"started: {'every step' if len(busy) == len(run.steps) else ', '.join(busy)}; their times, and the "
              f"ratio, are not reliable")
    a = run.agreement
    if a.get("common"):
        print(f"\nbands: {a['same_band']:,} of {a['reference']:,} listings equal to the pandas reference "
              f"({100 * a['agreement']:.3f}%); only in ours {a['only_ours']:,}, "
              f"only in the reference {a['only_reference']:,}")
        print(f"monitored price: differs by one cent on {a['monitored_price_differs_by_a_cent']:,} listings "
              f"(the reference rounds a half-cent tie as a binary float), by more on "
              f"{a['monitored_price_differs_more']:,}")
        if "report_json_bands_match" in a:
            print(f"report.json band counts equal the exported results: {a['report_json_bands_match']}")
        for ex in a["examples"]:
            print("  mismatch " + ", ".join(f"{k}={v}" for k, v in ex.items()))
    print(f"\n{'target':<32}{'measured':<36}{'target':<26}result")
    for v in run.verdicts:
        print(f"{v.what:<32}{v.figure:<36}{v.target:<26}{v.result}")
    failed = sum(v.result == "FAIL" for v in run.verdicts)
    print(f"\n{'FAIL' if failed else 'PASS'}: {failed} of {len(run.verdicts)} targets failed")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit status 1 when any target fails."""
    parser = argparse.ArgumentParser(description="Benchmark import, check and report against plain pandas.")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--listings", type=int, help="number of listings (the real mall: 520000)")
    size.add_argument("--quick", action="store_true", help=f"smoke run with {QUICK_LISTINGS:,} listings")
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true",
                        help="keep the run's SQLite database (bench/data/N/run/bench.db) for inspection")
    parser.add_argument("--regenerate", action="store_true", help="generate the data again even if cached")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one step may take (default 3600)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the check and the pandas reference alternately this many times each "
                             "and judge the fastest of each (steadier ratio on a busy machine)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    n = QUICK_LISTINGS if args.quick else args.listings
    if n < 1:
        parser.error("--listings must be >= 1")
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    run = run_bench(n, args.period, args.seed, args.regenerate, args.keep, args.timeout, args.rounds)
    print_run(run)
    if args.json:
        figures = asdict(run)
        for s in figures["steps"]:
            s["log"] = tail(s["log"], 5)
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if any(v.result == "FAIL" for v in run.verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
