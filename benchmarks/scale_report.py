"""The tables benchmarks/scale.py prints (Markdown): figures, growth, SQL statements.

Only the standard library here.
"""

from __future__ import annotations

import itertools
import os
import platform
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from run import _fmt, _git_state, _version
from scale_runs import Figure

X = "\N{MULTIPLICATION SIGN}"  # as in docs/performance.md
GROWTH = ("plan-week-10", "plan-week-100", "plan-week-800", "plan-week-800-history")
HOW_TO_READ = (
    "Every time is a whole process, from the start of the interpreter to its end, and each "
    "figure ran beside its reference in the same session (ABBA order, after a warm-up), so the "
    "ratio, peerkit's median time over the reference's, is what to compare between machines "
    "and between versions; the absolute times depend on the machine. The CPU ratio (user + "
    "system time) is barely moved by other load: when it disagrees with the ratio, the machine "
    "was busy. Peak memory is the largest resident set of each process (`ru_maxrss`)."
)


@dataclass
class Counted:
    community: str
    groups: int
    total: int | None  # None: it did not finish
    by: list[list[Any]]  # [["SELECT membership", 500], ...], most frequent first


class Built(Protocol):
    seconds: float

    def describe(self) -> str: ...


def _ratio(value: float) -> str:
    return f"{value:.0f}{X}" if value >= 10 else f"{value:.2f}{X}"


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def _time(fig: Figure, timeout: float) -> str:
    side = fig.candidate
    if not side.finished:
        return f"not finished after {timeout:.0f} s"
    shown = _fmt(side.median())
    if fig.groups:
        shown += f", {side.median() / fig.groups * 1000:,.0f} ms per group"
    return shown


def _ratio_of(fig: Figure, timeout: float) -> str:
    c, r = fig.candidate, fig.reference
    if not c.finished:
        return f"> {_ratio(timeout / r.median())}"
    return _ratio(c.median() / r.median())


def figure_row(fig: Figure, timeout: float) -> str:
    c, r = fig.candidate, fig.reference
    ref = f"{r.label}: {_fmt(r.median())}"
    if c.finished:
        cpu = _ratio(c.cpu() / r.cpu())
        memory = f"{_mb(c.peak())} / {_mb(r.peak())}"
    else:
        cpu = "—"
        memory = f"{_mb(c.peak())} by then / {_mb(r.peak())}"
    cells = (fig.what, fig.community, _time(fig, timeout), ref, _ratio_of(fig, timeout), cpu,
             memory, f"{len(c.runs)} + {len(r.runs)}")  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def figures_table(figures: list[Figure], timeout: float) -> list[str]:
    head = ("what", "community", "peerkit", "the reference", "ratio", "CPU ratio",
            "peak memory, peerkit / reference", "runs")  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + [figure_row(f, timeout) for f in figures]


def growth_table(figures: list[Figure], timeout: float) -> list[str]:
    """`plan week` from 10 to 800 groups, and at 800 with and without history."""
    found = {f.name: f for f in figures if f.name in GROWTH}
    if len(found) < 2:
        return []
    lines = [
        f"| community | `plan week` | {X} `import typer, sqlmodel` | beyond start-up, per group "
        "| peak memory |",
        "|---|---|---|---|---|",
    ]
    for name in GROWTH:
        if name in found:
            fig = found[name]
            lines.append(f"| {fig.community} | {_time(fig, timeout)} | {_ratio_of(fig, timeout)} "
                         f"| {_beyond(fig)} | {_mb(fig.candidate.peak())} |")  # fmt: skip
    return [*lines, "", *growth_sentences(found)]


def _beyond(fig: Figure) -> str:
    """The time above the reference's (the start-up floor), per group."""
    c, r = fig.candidate, fig.reference
    if not c.finished:
        return ""
    return f"{(c.median() - r.median()) / fig.groups * 1000:,.0f} ms"


def growth_sentences(found: dict[str, Figure]) -> list[str]:
    done = {n: f.candidate.median() for n, f in found.items() if f.candidate.finished}
    groups = {n: f.groups for n, f in found.items()}
    said = []
    steps = [n for n in GROWTH[:3] if n in done]
    for a, b in itertools.pairwise(steps):
        said.append(f"from {groups[a]} to {groups[b]} groups ({groups[b] / groups[a]:.0f}{X} as "
                    f"many) the time grew {done[b] / done[a]:.1f}{X}")  # fmt: skip
    if "plan-week-800" in done and "plan-week-800-history" in done:
        said.append(f"with the history, {done['plan-week-800-history'] / done['plan-week-800']:.2f}"
                    f"{X} the time without")  # fmt: skip
    return [f"Growth: {'; '.join(said)}."] if said else []


def sql_table(counts: list[Counted]) -> list[str]:
    if not counts:
        return []
    lines = [
        "| community | SQL statements of one `plan week` | per group | the most frequent |",
        "|---|---|---|---|",
    ]
    for c in counts:
        if c.total is None:
            lines.append(f"| {c.community} | not finished | | |")
            continue
        top = ", ".join(f"{shape} {X} {n:,}" for shape, n in c.by[:5])
        per = f"{c.total / c.groups:.1f}" if c.groups else ""
        lines.append(f"| {c.community} | {c.total:,} | {per} | {top} |")
    return lines


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GB, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}, "
        + ", ".join(f"{d} {_version(d)}" for d in ("typer", "sqlmodel", "sqlalchemy", "icalendar"))
    )


def load() -> str:
    """The machine's load average over the last 15 minutes (other work slows both sides)."""
    try:
        return f"{os.getloadavg()[2]:.1f}"
    except OSError:
        return "unknown"


def report(
    figures: list[Figure],
    counts: list[Counted],
    built: list[Built],
    timeout: float,
    started_load: str,
) -> str:
    command = " ".join(["python benchmarks/scale.py", *sys.argv[1:]])
    now = datetime.now().astimezone()
    lines = [
        f"Measured on {now.day} {now:%B %Y} with `{command}` "
        f"({_git_state()}), every run bounded by {timeout:.0f} s, on {machine()}; load "
        f"average over the last 15 minutes at the start {started_load}, at the end {load()}.",
        "",
        *figures_table(figures, timeout),
    ]
    for part in (growth_table(figures, timeout), sql_table(counts)):
        if part:
            lines += ["", *part]
    notes = [f"{f.what}: {f.note}." for f in figures if f.note]
    made = [f"{b.describe()}: {b.seconds:.1f} s" for b in built]
    if made:
        notes.append("Building the communities (benchmarks/community.py): " + "; ".join(made) + ".")
    lines += ["", *notes, "", HOW_TO_READ]
    return "\n".join(lines) + "\n"
