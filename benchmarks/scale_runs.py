"""How benchmarks/scale.py runs a figure: whole processes, bounded, with their peak memory.

Every run is a process of this interpreter in run.py's clean environment, plus PYTHONPATH
pointing at this checkout's src/ and PEERKIT_TODAY at the community's today. It is started
by benchmarks/spawn.py, a bare interpreter that measures the wall time around it and takes
its CPU time and peak memory (ru_maxrss) from ``os.wait4``: started from this process
directly, a child would report at least this process's own peak memory (Linux carries it
over through fork and exec). A run that has not ended after the timeout is killed and
recorded as not finished, with the memory it had reached by then. Only the standard
library here.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from run import BenchmarkError, _fmt, _progress


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds
    rss: float  # peak resident memory, MB
    finished: bool = True


@dataclass
class Side:
    label: str
    argv: list[str]
    before: Callable[[], None] | None = None  # untimed: a fresh copy of the database...
    after: Callable[[], None] | None = None  # untimed: check what the run did
    runs: list[Run] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return all(r.finished for r in self.runs)

    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    def peak(self) -> float:
        return max(r.rss for r in self.runs)

    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)


@dataclass
class Figure:
    name: str  # what --only matches
    what: str  # the first column of the table
    community: str  # the data it runs on, in words
    candidate: Side
    reference: Side
    setup: Callable[[], None] | None = None  # once, untimed, before the first run
    check: Callable[[], str] | None = None  # once, untimed, after the runs: a sentence
    groups: int = 0  # > 0: also show the time per group
    max_rounds: int = 7
    note: str = ""

    @property
    def rounds(self) -> int:
        return len(self.reference.runs)


def _maxrss_mb(kilobytes: int) -> float:
    """ru_maxrss is in kilobytes on Linux and in bytes on macOS."""
    return kilobytes / (1024 * 1024) if sys.platform == "darwin" else kilobytes / 1024


SPAWN = Path(__file__).resolve().parent / "spawn.py"
MARGIN = 30.0  # seconds after the timeout before the launcher itself is stopped


class Child:
    """Runs one command line at a time, in a fixed folder and environment."""

    def __init__(self, cwd: Path, env: dict[str, str], timeout: float) -> None:
        self.cwd = cwd
        self.env = env
        self.timeout = timeout
        self.stderr = cwd / "last-stderr.txt"
        self.report = cwd / "last-run.txt"

    def run(self, argv: list[str]) -> Run:
        self.report.unlink(missing_ok=True)
        launcher = [sys.executable, "-I", "-S", str(SPAWN), str(self.report), str(self.timeout)]
        with self.stderr.open("w+b") as err:
            proc = subprocess.Popen(
                [*launcher, *argv],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,  # a process group, to stop it whole if need be
            )
            try:
                proc.wait(timeout=self.timeout + MARGIN)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        try:
            wall, cpu, rss, code, finished = self.report.read_text(encoding="utf-8").split()
        except (OSError, ValueError):
            raise BenchmarkError(f"no report from {SPAWN.name}:\n{self.tail()}") from None
        if finished == "1" and code != "0":
            raise BenchmarkError(f"{' '.join(argv)} exited with {code}:\n{self.tail()}")
        return Run(float(wall), float(cpu), _maxrss_mb(int(rss)), finished == "1")

    def tail(self, lines: int = 15) -> str:
        text = self.stderr.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.strip().splitlines()[-lines:])

    def side(self, side: Side) -> Run:
        if side.before:
            side.before()
        run = self.run(side.argv)
        if side.after and run.finished:
            side.after()
        return run


def measure(child: Child, fig: Figure, budget: float, min_rounds: int = 3) -> None:
    """One run of each side first. When MIN_ROUNDS such pairs would not fit in BUDGET
    seconds (or the candidate did not finish), that pair is the measurement (with more runs
    of the reference when it is quick beside the candidate); otherwise it was
    a warm-up, and the sides alternate in ABBA order for as many rounds as fit in the budget
    (MIN_ROUNDS to max_rounds). A side that does not finish within the timeout is not run
    again."""
    if fig.setup:
        fig.setup()
    _progress(f"{fig.name}: first run of each side")
    first = child.side(fig.candidate)
    first_ref = child.side(fig.reference)
    pair = first.wall + first_ref.wall
    if not first.finished or pair * min_rounds > budget:
        fig.candidate.runs.append(first)
        fig.reference.runs.append(first_ref)
        # A quick reference beside a slow run: more of it for a tenth of the time, so one
        # busy moment does not make the ratio.
        more = min(fig.max_rounds - 1, int(0.1 * first.wall / max(first_ref.wall, 1e-3)))
        fig.reference.runs += [child.side(fig.reference) for _ in range(more)]
        _progress(f"{fig.name}: {_show(fig.candidate)} vs {_show(fig.reference)} (one round)")
        return
    rounds = max(min_rounds, min(fig.max_rounds, int(budget / pair)))
    for i in range(rounds):
        pair_order = (fig.candidate, fig.reference)
        for side in pair_order if i % 2 == 0 else pair_order[::-1]:
            if side.finished:
                side.runs.append(child.side(side))
        _progress(f"{fig.name}: round {i + 1}/{rounds}  {_show(fig.candidate)} vs "
                  f"{_show(fig.reference)} (medians so far)")  # fmt: skip


def _show(side: Side) -> str:
    if not side.finished:
        return "not finished"
    return _fmt(side.median())
