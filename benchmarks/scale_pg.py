"""peerkit on PostgreSQL (issue 19, items 2 and 5), for scale.py: `plan week` beside the same
on SQLite, and `stats` beside `import typer, sqlmodel`.

The figure `plan-week-pg-100` starts a throw-away PostgreSQL cluster the way the tests do
(tests/pg.py: initdb in a temporary folder, a loopback port, trust authentication, stopped
and removed at the end of the session), but with fsync on, as a real server runs. The
community is generated into it by benchmarks/community.py --url, from the same seed as the
SQLite one, so both hold the same rows; that database is the template of a fresh copy before
every run (`createdb -T`, untimed), as the SQLite file is copied. Each run is
`plan week --week W --out DIR --format json` into an empty folder, PostgreSQL (the
candidate) and SQLite (the reference) in turn, so the ratio is PostgreSQL's time over
SQLite's. Afterwards a check compares the files the last two runs wrote: the same files with
the same text, once the values that differ on every run (a new meeting's UID, a message's id
and date, DTSTAMP) are set aside. `stats-800-pg` is `stats --format json` on the 800-group
community with two years of history, which it only reads. Only the standard library here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from community import ROOT, Size, planned_week, size_args
from run import PY, BenchmarkError, _progress
from scale_runs import Figure, Side

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests/pg.py, the tests' own throw-away cluster

from tests.pg import _bin_dir, cluster

HERE = Path(__file__).resolve().parent
TEMPLATE = "community_{label}"
RUN_DB = "plan_week_run"


class Unavailable(Exception):
    """PostgreSQL is not installed here: the figure is left out."""


class Server:
    """The session's PostgreSQL cluster: its URL, and the databases made on it."""

    def __init__(self, url: str, bindir: Path) -> None:
        self.url = url  # postgresql+psycopg://postgres@127.0.0.1:PORT
        self.bindir = bindir
        self.port = url.rsplit(":", 1)[1]
        self.built: set[str] = set()

    def client(self, program: str, *args: str) -> None:
        where = ("-h", "127.0.0.1", "-p", self.port, "-U", "postgres")
        done = subprocess.run([str(self.bindir / program), *where, *args],
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        if done.returncode:
            raise BenchmarkError(f"{program} {' '.join(args)}: {done.stderr.strip()}")

    def fresh(self, template: str, name: str) -> None:
        """NAME as a new copy of TEMPLATE."""
        self.client("dropdb", "--if-exists", "--force", name)
        self.client("createdb", "-T", template, name)


def server(ws: Any) -> Server:
    """The cluster of this session, started on first use and stopped with the workspace."""
    found = getattr(ws, "pg_server", None)
    if found is None:
        bindir = _bin_dir()
        if bindir is None:
            raise Unavailable("PostgreSQL is not installed (no initdb found)")
        _progress("starting a PostgreSQL cluster")
        url = ws.stack.enter_context(cluster(fsync=True))
        found = ws.pg_server = Server(url, bindir)
    return found


def community(ws: Any, pg: Server, size: Size) -> str:
    """The template database holding the community of SIZE (built once)."""
    name = TEMPLATE.format(label=size.label.replace("-", "_"))
    if name not in pg.built:
        _progress(f"building the community {size.label} in PostgreSQL")
        ws.child.run([PY, str(HERE / "community.py"), "--url", f"{pg.url}/{name}",
                      *size_args(size)])  # fmt: skip
        pg.built.add(name)
    return name


def plan_week_pg_figure(ws: Any, sizes: Any) -> Figure:
    size: Size = sizes.mid
    built = ws.community(size)
    pg = server(ws)
    template = community(ws, pg, size)
    week = ("plan", "week", "--week", planned_week(size))
    outs = {side: ws.work / f"plan-week-{side}-out" for side in ("pg", "sqlite")}

    def fresh_pg() -> None:
        pg.fresh(template, RUN_DB)
        ws.set_aside(outs["pg"])

    def fresh_sqlite() -> None:
        ws.copy(built.path, "plan-week-sqlite")
        ws.set_aside(outs["sqlite"])

    on_pg = [PY, "-m", "peerkit", "--database-url", f"{pg.url}/{RUN_DB}",
             *week, "--out", str(outs["pg"]), "--format", "json"]  # fmt: skip
    on_sqlite = ws.peerkit(ws.work / "plan-week-sqlite.db", *week, "--out", str(outs["sqlite"]),
                           "--format", "json")  # fmt: skip
    return Figure(
        "plan-week-pg-100", "`plan week` on PostgreSQL", built.describe(),
        Side("peerkit on PostgreSQL", on_pg, before=fresh_pg),
        Side("`plan week` on SQLite", on_sqlite, before=fresh_sqlite),
        check=lambda: same_plan(outs["pg"], outs["sqlite"]), groups=size.groups,
    )  # fmt: skip


# What differs between two runs on the same data: new UIDs, message ids, times of writing.
_PER_RUN = re.compile(
    rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # a new meeting's UID
    rb"|[0-9a-f]{32}"  # a Message-ID and the MIME boundary made from it
    rb"|^(?:DTSTAMP:|Date: ).*$",
    re.MULTILINE,
)


def same_plan(mine: Path, other: Path) -> str:
    """A sentence: whether both folders hold the same files, with the same text."""
    files = sorted(p.relative_to(mine) for p in mine.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
    if files != theirs:
        return f"the files differ: {len(files):,} written on PostgreSQL, {len(theirs):,} on SQLite"
    differ = [
        f
        for f in files
        if _PER_RUN.sub(b"", (mine / f).read_bytes()) != _PER_RUN.sub(b"", (other / f).read_bytes())
    ]
    if differ:
        return f"{len(differ):,} of {len(files):,} files differ, such as {differ[0]}"
    return (
        f"both wrote the same {len(files):,} files, the same text but for new UIDs, message "
        "ids and the times of writing"
    )


def stats_pg_figure(ws: Any, sizes: Any) -> Figure:
    size: Size = sizes.history
    built = ws.community(size)
    pg = server(ws)
    url = f"{pg.url}/{community(ws, pg, size)}"
    peerkit = Side("peerkit", [PY, "-m", "peerkit", "--database-url", url, "stats", "--format",
                               "json"])  # fmt: skip
    reference = Side("`import typer, sqlmodel`", [PY, "-c", "import typer, sqlmodel"])
    return Figure("stats-800-pg", "`stats --format json` on PostgreSQL", built.describe(),
                  peerkit, reference)  # fmt: skip
