"""peerkit at the size of a real community (issue 19): every figure beside its reference.

    python benchmarks/scale.py                          # the whole table: 20 to 30 minutes
    python benchmarks/scale.py --quick                  # small sizes, few rounds: a smoke run
    python benchmarks/scale.py --only plan-week,stats   # some figures (names or their start)
    python benchmarks/scale.py --markdown FILE.md       # also write the tables to FILE.md

The communities are generated from a seed (benchmarks/community.py), not stored. Every
figure is a whole process of this interpreter, peerkit beside its reference in one
interleaved session (ABBA order, after a warm-up), with the peak memory of each process and
a timeout on every run. It also counts the SQL statements of one `plan week`. Progress goes
to stderr, the tables (Markdown) to stdout. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from community import ROOT, Size, planned_week, size_args
from run import (
    BARE_APP,
    BARE_MODULE,
    IMPORT_MODULE,
    PLAIN_IMPORT,
    PY,
    BenchmarkError,
    Runner,
    _progress,
    count_members,
    member_ddl,
    remove_db,
    run_session,
)
from scale_pg import Unavailable, plan_week_pg_figure, stats_pg_figure
from scale_report import Counted, load, report
from scale_runs import Child, Figure, Side, measure

HERE = Path(__file__).resolve().parent
TYPER_SQLMODEL = "import typer, sqlmodel"


@dataclass(frozen=True)
class Sizes:
    small: Size  # 10 groups
    mid: Size  # 100 groups, the "700 members and 100 groups"
    big: Size  # 800 groups without history
    history: Size  # 800 groups, two years: the real community
    crowd: Size  # 100,000 members, no groups: import, list, export


FULL = Sizes(Size(70, 10), Size(700, 100), Size(5000, 800), Size(5000, 800, 104), Size(100_000, 0))
QUICK = Sizes(Size(14, 2), Size(35, 5), Size(70, 10), Size(70, 10, 8), Size(2000, 0))


@dataclass
class Built:
    path: Path
    size: Size
    meetings: int
    seconds: float

    def describe(self) -> str:
        s = self.size
        if not s.groups:
            return f"{s.members:,} members"
        if not s.weeks:
            return f"{s.members:,} members, {s.groups} groups, no history"
        return (
            f"{s.members:,} members, {s.groups} groups, {s.weeks} weeks of history "
            f"({self.meetings:,} meetings)"
        )


class Workspace:
    """The temporary folder: communities built once, copies for runs that write."""

    def __init__(self, work: Path, child: Child) -> None:
        self.work = work
        self.child = child
        self.built: dict[Size, Built] = {}
        self.set_aside_count = 0
        self.stack = contextlib.ExitStack()  # what the session started: a PostgreSQL cluster

    def community(self, size: Size) -> Built:
        if size not in self.built:
            path = self.work / f"community-{size.label}.db"
            _progress(f"building the community {size.label}")
            run = self.child.run([PY, str(HERE / "community.py"), str(path), *size_args(size)])
            self.built[size] = Built(path, size, _count(path, "meeting"), run.wall)
        return self.built[size]

    def set_aside(self, folder: Path) -> None:
        """Move a run's output folder out of the way, without deleting it.

        Deleting thousands of files just before a run that creates as many makes that run
        pay for the deletion: ext4 without a journal (this benchmark's first machine) does
        not reuse an inode freed in the last 60 to 360 seconds, and each file created walks
        past every such inode (`recently_deleted` in the kernel: 60% of the system time of
        a run at 800 groups, 2-4 s). The weekly cron job writes a new folder into a
        filesystem that has deleted nothing in the last minute, so the runs do the same:
        the folders set aside are deleted with the workspace at the end of the session.
        """
        if folder.exists():
            self.set_aside_count += 1
            aside = self.work / "set-aside"
            aside.mkdir(exist_ok=True)
            folder.rename(aside / f"{self.set_aside_count}-{folder.name}")

    def copy(self, source: Path, name: str) -> Path:
        target = self.work / f"{name}.db"
        remove_db(target)
        shutil.copyfile(source, target)
        return target

    def peerkit(self, db: Path, *args: str) -> list[str]:
        return [PY, "-m", "peerkit", "--db", str(db), *args]


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def typer_sqlmodel() -> Side:
    return Side(f"`{TYPER_SQLMODEL}`", [PY, "-c", TYPER_SQLMODEL])


def bare_typer() -> Side:
    return Side("a bare Typer app, `--help`", [PY, "-m", BARE_MODULE, "--help"])


# --- the figures ----------------------------------------------------------------------


def help_figure(ws: Workspace, sizes: Sizes) -> Figure:
    peerkit = Side("peerkit", [PY, "-m", "peerkit", "--help"])
    return Figure("help", "`peerkit --help`", "none", peerkit, bare_typer(), max_rounds=15)


def member_help_figure(ws: Workspace, sizes: Sizes) -> Figure:
    peerkit = Side("peerkit", [PY, "-m", "peerkit", "member", "--help"])
    return Figure(
        "member-help", "`peerkit member --help`", "none", peerkit, bare_typer(), max_rounds=15
    )


def member_list_12_figure(ws: Workspace, sizes: Sizes) -> Figure:
    demo = ws.work / "demo"
    db = demo / "peerkit.db"

    def setup() -> None:
        ws.child.run([PY, "-m", "peerkit", "demo", "--dir", str(demo)])

    peerkit = Side("peerkit", ws.peerkit(db, "member", "list", "--format", "json"))
    return Figure(
        "member-list-12", "`member list --format json`", "the demo community (12 members)",
        peerkit, typer_sqlmodel(), setup=setup, max_rounds=15,
    )  # fmt: skip


def plan_week_figure(name: str, pick: Callable[[Sizes], Size]) -> Callable[..., Figure]:
    """`plan week` on a fresh copy of the community each run, into an empty folder."""

    def make(ws: Workspace, sizes: Sizes) -> Figure:
        built = ws.community(pick(sizes))
        out = ws.work / f"{name}-out"

        def fresh() -> None:
            ws.copy(built.path, name)
            ws.set_aside(out)
            # Flush the copy before the timed run: otherwise the run pays for writing it back.
            os.sync()

        args = ("plan", "week", "--week", planned_week(built.size), "--out", str(out))
        peerkit = Side("peerkit", [*ws.peerkit(ws.work / f"{name}.db", *args), "--format", "json"])
        peerkit.before = fresh
        return Figure(
            name, "`plan week`", built.describe(), peerkit, typer_sqlmodel(),
            groups=built.size.groups,
        )  # fmt: skip

    return make


def plan_again_figure(ws: Workspace, sizes: Sizes) -> Figure:
    """`plan week` a second time on the same database and folder: nothing has changed."""
    fig = plan_week_figure("plan-week-again-100", lambda s: s.mid)(ws, sizes)
    fresh, fig.candidate.before = fig.candidate.before, None

    def setup() -> None:
        assert fresh is not None
        fresh()
        ws.child.run(fig.candidate.argv)

    fig.setup = setup
    fig.what = "`plan week` again when nothing changed"
    return fig


def stats_figure(ws: Workspace, sizes: Sizes) -> Figure:
    built = ws.community(sizes.history)
    db = ws.work / "stats.db"
    peerkit = Side("peerkit", ws.peerkit(db, "stats", "--format", "json"))

    def setup() -> None:
        ws.copy(built.path, "stats")

    return Figure(
        "stats-800", "`stats --format json`", built.describe(), peerkit, typer_sqlmodel(),
        setup=setup,
    )  # fmt: skip


def export_ics_figure(ws: Workspace, sizes: Sizes) -> Figure:
    built = ws.community(sizes.history)
    mine, plain = ws.work / "peerkit.ics", ws.work / "plain.ics"
    peerkit = Side(
        "peerkit",
        ws.peerkit(built.path, "export", "ics", "--all", "--output", str(mine), "--force"),
    )
    reference = Side(
        "the same calendar built with icalendar directly",
        [PY, str(HERE / "ics_baseline.py"), str(built.path), str(plain)],
    )
    return Figure(
        "export-ics-800", "`export ics --all`", built.describe(), peerkit, reference,
        check=lambda: same_events(mine, plain),
    )  # fmt: skip


def same_events(mine: Path, plain: Path) -> str:
    def uids(path: Path) -> list[bytes]:
        return [line[4:].strip() for line in path.read_bytes().splitlines() if line[:4] == b"UID:"]

    a, b = uids(mine), uids(plain)
    if sorted(a) != sorted(b):
        return f"the calendars differ: {len(a):,} events from peerkit, {len(b):,} built directly"
    return f"both calendars hold the same {len(a):,} events (by UID)"


def member_import_figure(ws: Workspace, sizes: Sizes) -> Figure:
    """Into a new database each run, against csv + one sqlite3 executemany (run.py's)."""
    size = sizes.crowd
    csv = ws.work / f"members-{size.members}.csv"
    ws.child.run([PY, str(HERE / "community.py"), str(csv), "--csv", *size_args(size)])
    ddl = member_ddl(ws.community(size).path)
    (ws.work / f"{IMPORT_MODULE}.py").write_text(PLAIN_IMPORT.format(ddl=ddl), encoding="utf-8")
    mine, plain = ws.work / "import-peerkit.db", ws.work / "import-plain.db"

    def holds(db: Path) -> Callable[[], None]:
        def check() -> None:
            if count_members(db) != size.members:
                raise BenchmarkError(f"{db} does not hold {size.members} members")

        return check

    peerkit = Side("peerkit", ws.peerkit(mine, "member", "import", str(csv)),
                   before=lambda: remove_db(mine), after=holds(mine))  # fmt: skip
    reference = Side("csv + sqlite3 executemany", [PY, "-m", IMPORT_MODULE, str(csv), str(plain)],
                     before=lambda: remove_db(plain), after=holds(plain))  # fmt: skip
    return Figure(
        "member-import-100k", "`member import`", f"{size.members:,} rows into a new database",
        peerkit, reference,
    )  # fmt: skip


def member_read_figure(name: str, what: str, *args: str) -> Callable[..., Figure]:
    def make(ws: Workspace, sizes: Sizes) -> Figure:
        built = ws.community(sizes.crowd)
        peerkit = Side("peerkit", ws.peerkit(built.path, *args))
        return Figure(name, what, built.describe(), peerkit, typer_sqlmodel())

    return make


FIGURES: list[tuple[str, Callable[[Workspace, Sizes], Figure]]] = [
    # The table, in its order, then the rest of the growth series.
    ("plan-week-800-history", plan_week_figure("plan-week-800-history", lambda s: s.history)),
    ("plan-week-100", plan_week_figure("plan-week-100", lambda s: s.mid)),
    ("plan-week-again-100", plan_again_figure),
    ("stats-800", stats_figure),
    ("export-ics-800", export_ics_figure),
    ("member-import-100k", member_import_figure),
    ("member-list-100k",
     member_read_figure("member-list-100k", "`member list --format json`",
                        "member", "list", "--format", "json")),
    ("member-export-100k",
     member_read_figure("member-export-100k", "`member export --format csv`",
                        "member", "export", "--format", "csv")),
    ("help", help_figure),
    ("member-help", member_help_figure),
    ("member-list-12", member_list_12_figure),
    ("plan-week-10", plan_week_figure("plan-week-10", lambda s: s.small)),
    ("plan-week-800", plan_week_figure("plan-week-800", lambda s: s.big)),
    ("plan-week-pg-100", plan_week_pg_figure),
    ("stats-800-pg", stats_pg_figure),
]  # fmt: skip
SQL_COUNT = "plan-week-sql"
NAMES = [name for name, _ in FIGURES] + [SQL_COUNT]


def count_statements(ws: Workspace, size: Size) -> Counted:
    """The SQL statements of one `plan week` (benchmarks/count_sql.py, in its own process)."""
    built = ws.community(size)
    db = ws.copy(built.path, "count-sql")
    report_file, out = ws.work / "count-sql.json", ws.work / "count-sql-out"
    shutil.rmtree(out, ignore_errors=True)
    args = ["plan", "week", "--week", planned_week(size), "--out", str(out)]
    run = ws.child.run([PY, str(HERE / "count_sql.py"), str(report_file), "--db", str(db), *args])
    if not run.finished:
        return Counted(built.describe(), size.groups, None, [])
    found = json.loads(report_file.read_text(encoding="utf-8"))
    return Counted(built.describe(), size.groups, found["total"], found["by"])


def chosen(only: str | None) -> list[str]:
    """The figures --only names: a name, or the start of names (plan-week: all of them)."""
    if not only:
        return NAMES
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    picked = [n for n in NAMES if any(n == w or n.startswith(f"{w}-") for w in wanted)]
    if not picked:
        raise BenchmarkError(f"--only {only}: no such figure; the figures: {', '.join(NAMES)}")
    return picked


def session(args: argparse.Namespace, work: Path) -> None:
    sizes = QUICK if args.quick else FULL
    started_load = load()
    names = chosen(args.only)
    env = dict(Runner(work).env, PYTHONPATH=str(ROOT / "src"), PEERKIT_TODAY=str(FULL.mid.today))
    ws = Workspace(work, Child(work, env, args.timeout))
    (work / f"{BARE_MODULE}.py").write_text(BARE_APP, encoding="utf-8")
    budget = args.budget or (4.0 if args.quick else 120.0)
    figures = []
    with ws.stack:
        for name, make in FIGURES:
            if name in names:
                try:
                    fig = make(ws, sizes)
                except Unavailable as exc:
                    _progress(f"{name} left out: {exc}")
                    continue
                measure(ws.child, fig, budget, min_rounds=1 if args.quick else 3)
                fig.note = fig.check() if fig.check else ""
                figures.append(fig)
    counts = (
        [count_statements(ws, s) for s in (sizes.small, sizes.mid)] if SQL_COUNT in names else []
    )
    text = report(figures, counts, list(ws.built.values()), args.timeout, started_load)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
        _progress(f"tables written to {args.markdown}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Small communities, few rounds.")
    parser.add_argument("--only", help=f"Comma-separated figures: {', '.join(NAMES)}.")
    parser.add_argument("--markdown", type=Path, help="Also write the tables to this file.")
    parser.add_argument("--timeout", type=float, default=300.0, help="Seconds per run (300).")
    parser.add_argument("--budget", type=float, help="Seconds of runs per figure (120; quick 4).")
    return run_session(parser, "peerkit-scale-", session)


if __name__ == "__main__":
    raise SystemExit(main())
