"""Measuring one command: exit status, wall time and peak memory, each in its own subprocess.

The command runs under a fresh, small wrapper process that reports the command's wall time and the
kernel's ru_maxrss of its children (the command and whatever it waits for). Linux starts a forked
child's peak RSS at its parent's, so the command is forked from the wrapper, never from a large
harness. When the command runs processes side by side, the summed Pss of the process tree is
sampled too and the larger figure is kept.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024


@dataclass
class Step:
    """One measured subprocess."""

    name: str
    command: list[str]
    returncode: int | None = None
    seconds: float = 0.0
    peak_mib: float = 0.0
    rows: int | None = None
    log: str = ""
    timed_out: bool = False
    load: float = 0.0          # 1-minute load average when the step started

    @property
    def ok(self) -> bool:
        """Did the step exit with status 0?"""
        return self.returncode == 0 and not self.timed_out

    @property
    def rows_per_s(self) -> float | None:
        """Rows imported per second of wall time."""
        if self.rows is None or not self.ok or self.seconds <= 0:
            return None
        return self.rows / self.seconds



def _process_tree(root: int) -> list[int]:
    """The pids of root and its descendants (from /proc/*/stat parent pids)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, ()))
    return tree


def _pss_bytes(pid: int) -> int:
    """Proportional set size of one process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed Pss of the measured command's processes while there are several.

    The tree is the wrapper, the command and whatever the command spawns; with the wrapper and the
    command alone, ru_maxrss is exact and cheaper, so nothing is sampled.
    """

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_bytes = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self.stopped.wait(self.interval):
            try:
                tree = _process_tree(self.pid)
            except OSError:
                continue
            if len(tree) > 2:
                self.peak_bytes = max(self.peak_bytes, sum(_pss_bytes(pid) for pid in tree))


#: Runs the measured command as its only child and writes its exit status, wall time and ru_maxrss.
#: A fresh small process, because Linux starts a forked child's peak RSS at its parent's.
_WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[2:])
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    json.dump({"returncode": code, "seconds": seconds, "maxrss_kib": usage.ru_maxrss}, f)
sys.exit(code)
"""


def measure(step: Step, env: dict, log_dir: Path, timeout: float, cwd: Path) -> Step:
    """Run step.command in cwd; fill in exit status, wall time and peak memory."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stem = step.name.replace(" ", "_")
    log_path, figures_path = log_dir / f"{stem}.log", log_dir / f"{stem}.json"
    figures_path.unlink(missing_ok=True)
    print(f"  {step.name} ...", end="", flush=True)
    step.load = os.getloadavg()[0]
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _WRAPPER, str(figures_path), *step.command], cwd=cwd,
                                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        killer = threading.Timer(timeout, _kill_group, (proc.pid, step))
        killer.start()
        proc.wait()
        step.seconds = time.perf_counter() - started
        killer.cancel()
        sampler.stopped.set()
        sampler.join()
    step.returncode = proc.returncode
    if figures_path.exists():
        figures = json.loads(figures_path.read_text(encoding="utf-8"))
        step.seconds = figures["seconds"]
        step.peak_mib = max(figures["maxrss_kib"] * 1024, sampler.peak_bytes) / MIB
    step.log = log_path.read_text(encoding="utf-8", errors="replace")
    outcome = "ok" if step.ok else ("timed out" if step.timed_out else f"exit {step.returncode}")
    print(f" {outcome}, {step.seconds:.1f} s, {step.peak_mib:,.0f} MiB", flush=True)
    if not step.ok:
        print(_indent(tail(step.log)), flush=True)
    return step


def _kill_group(pid: int, step: Step) -> None:
    """Timer callback: end a step that ran past the timeout (its own process group only)."""
    step.timed_out = True
    try:
        os.killpg(pid, 9)
    except ProcessLookupError:
        pass


def tail(text: str, lines: int = 12) -> str:
    """The last lines of a log."""
    return "\n".join(text.rstrip().splitlines()[-lines:]) or "(no output)"


def _indent(text: str) -> str:
    """Indent a block under a step line."""
    return "\n".join("      " + line for line in text.splitlines())
