"""peerkit's start-up and import benchmarks, in one interleaved session.

    .venv/bin/python benchmarks/run.py            # full: 15 rounds, 100,000-row import
    .venv/bin/python benchmarks/run.py --quick    # 5 rounds, 10,000-row import

Shell completion (a Tab) is measured beside `peerkit --help`: a Tab runs peerkit as the
completion script peerkit installs runs it (_PEERKIT_COMPLETE=complete_bash, COMP_WORDS,
COMP_CWORD), for a command's sub-commands and for a member's name from the 200-member
community.

Every measurement is a whole subprocess started with this interpreter
(sys.executable), so interpreter start-up counts on both sides. peerkit runs as
``python -m peerkit`` and every baseline is launched the same way (a module run
with ``-m``, or ``-c`` for a one-liner). Each benchmark alternates candidate and
baseline in the same loop (ABBA order), after one untimed warm-up of each.
Only the standard library is used here; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType

resource: ModuleType | None
try:
    import resource
except ImportError:  # not on Windows: no CPU times there
    resource = None

PY = sys.executable
BARE_MODULE = "bench_bare_app"
IMPORT_MODULE = "bench_plain_import"
HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "icalendar",
    "jinja2",
    "questionary",
    "babel",
    "email_validator",
    "pydantic",
)

# --- the sample community -------------------------------------------------------------

FIRST_EN = (
    "Alice", "Ben", "Chloe", "Daniel", "Emily", "Finn", "Grace", "Harry", "Isla", "Jack",
    "Kate", "Liam", "Maya", "Noah", "Olivia", "Priya", "Rachel", "Sam", "Tom", "Zoe",
)  # fmt: skip
LAST_EN = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "O'Brien", "Clarke",
)  # fmt: skip
FIRST_IT = (
    "Alessandro", "Beatrice", "Chiara", "Davide", "Elena", "Francesca", "Giulia", "Luca",
    "Marco", "Martina", "Matteo", "Niccolò", "Paola", "Riccardo", "Sara", "Simone", "Sofia",
    "Tommaso", "Valentina", "Zoë",
)  # fmt: skip
LAST_IT = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
    "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano",
    "Rizzo", "Lombardi", "D'Angelo",
)  # fmt: skip
TIMEZONES_EN = (
    "Europe/London", "America/New_York", "America/Chicago", "America/Los_Angeles",
    "Australia/Sydney", "Asia/Kolkata", "Europe/Berlin", "Africa/Lagos",
)  # fmt: skip
TIMEZONES_IT = ("Europe/Rome", "Europe/Rome", "Europe/Rome", "Europe/Zurich", "Europe/Berlin")
DOMAINS = (
    "gmail.com", "outlook.com", "libero.it", "fastmail.com", "proton.me", "yahoo.co.uk",
    "tiscali.it", "hey.com", "icloud.com", "studio-verdi.it",
)  # fmt: skip
SKILLS = (
    "marketing", "sales", "copywriting", "seo", "fundraising", "hiring", "pricing",
    "bookkeeping", "product design", "public speaking", "negotiation", "python",
    "social media", "branding", "operations", "legal basics", "ux research", "export",
)  # fmt: skip
NEEDS = (
    "accountability", "first customers", "cash flow", "delegation", "focus", "pricing",
    "confidence", "hiring", "marketing plan", "time management",
)  # fmt: skip
INDUSTRIES = (
    "software", "retail", "food and drink", "consulting", "education", "health", "design",
    "tourism", "crafts", "", "",
)  # fmt: skip
STAGES = ("idea", "early", "growth", "established", "")
BIOS = (
    "",
    "",
    "Runs a small bakery and wants to open a second shop.",
    "Freelance designer, mostly for non-profits.",
    "Building a booking app for yoga studios; two co-founders.",
    "Ex-teacher, now coaching, with 40 clients a month.",
    "Makes ceramics, sells online and at markets.",
    "Consultant for family businesses, based near the lake.",
)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CSV_COLUMNS = (
    "id", "name", "email", "timezone", "locale", "skills", "needs", "stage", "industry", "bio",
    "availability", "mentor_capacity", "status", "paused_until", "joined",
)  # fmt: skip
SEP = "; "
LIST_JSON = ("member", "list", "--format", "json")


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower())


def _window(rng: random.Random, day: int) -> str:
    start = rng.choice((7 * 60, 7 * 60 + 30, 8 * 60, 12 * 60, 13 * 60, 18 * 60, 19 * 60))
    end = start + rng.choice((60, 90, 120))
    return f"{DAYS[day]} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def write_members_csv(path: Path, rows: int, seed: int = 2026) -> None:
    """A realistic member CSV in the format of `peerkit member export` (no ids: new people)."""
    rng = random.Random(seed)
    today = date.today()
    seen: dict[str, int] = {}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for _ in range(rows):
            italian = rng.random() < 0.45
            first = rng.choice(FIRST_IT if italian else FIRST_EN)
            last = rng.choice(LAST_IT if italian else LAST_EN)
            base = f"{_ascii(first)}.{_ascii(last)}@{rng.choice(DOMAINS)}"
            n = seen.get(base, 0)
            seen[base] = n + 1
            local, domain = base.split("@")
            email = base if n == 0 else f"{local}{n}@{domain}"
            status = rng.choices(("active", "paused", "left"), (90, 8, 2))[0]
            paused_until = ""
            if status == "paused" and rng.random() < 0.5:
                paused_until = (today + timedelta(days=rng.randint(7, 120))).isoformat()
            days = sorted(rng.sample(range(7), rng.randint(1, 2)))
            writer.writerow(
                (
                    "",
                    f"{first} {last}",
                    email,
                    rng.choice(TIMEZONES_IT if italian else TIMEZONES_EN),
                    "it" if italian and rng.random() < 0.9 else "en",
                    SEP.join(rng.sample(SKILLS, rng.randint(1, 3))),
                    SEP.join(rng.sample(NEEDS, rng.randint(0, 2))),
                    rng.choice(STAGES),
                    rng.choice(INDUSTRIES),
                    rng.choice(BIOS),
                    SEP.join(_window(rng, d) for d in days),
                    rng.choice((0, 0, 0, 0, 1, 2, 3)),
                    status,
                    paused_until,
                    (today - timedelta(days=rng.randint(0, 1500))).isoformat(),
                )
            )


# --- the baselines (written to temporary files) ---------------------------------------

BARE_APP = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str) -> None:
    """Say hello to NAME."""
    print(f"Hello {name}")


@app.command()
def goodbye(name: str, formal: bool = False) -> None:
    """Say goodbye to NAME."""
    print(f"Goodbye Ms. {name}. Have a good day." if formal else f"Bye {name}!")


app()
'''

PLAIN_IMPORT = '''\
"""Baseline: the same member rows into an equivalent table, with csv + sqlite3 only."""

import csv
import json
import sqlite3
import sys
from datetime import date

DDL = {ddl!r}
COLUMNS = (
    "name", "email", "timezone", "locale", "skills", "needs", "stage", "industry", "bio",
    "availability", "mentor_capacity", "status", "paused_until", "joined", "left_on",
)


def rows(path, today):
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            status = r["status"] or "active"
            yield (
                r["name"],
                r["email"].lower(),
                r["timezone"] or "UTC",
                r["locale"] or "en",
                json.dumps([x for x in r["skills"].split("; ") if x]),
                json.dumps([x for x in r["needs"].split("; ") if x]),
                r["stage"] or None,
                r["industry"] or None,
                r["bio"] or None,
                json.dumps([x for x in r["availability"].split("; ") if x]),
                int(r["mentor_capacity"] or 0),
                status,
                r["paused_until"] or None,
                r["joined"] or today,
                today if status == "left" else None,
            )


def main(csv_path, db_path):
    today = date.today().isoformat()
    conn = sqlite3.connect(db_path, isolation_level=None)
    # The pragmas of peerkit.db._sqlite_on_connect.
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("BEGIN IMMEDIATE")
    for statement in DDL:
        conn.execute(statement)
    conn.execute("COMMIT")
    conn.execute("BEGIN IMMEDIATE")
    marks = ", ".join("?" * len(COLUMNS))
    conn.executemany(
        f"INSERT INTO member ({{', '.join(COLUMNS)}}) VALUES ({{marks}})", rows(csv_path, today)
    )
    conn.execute("COMMIT")
    conn.close()


main(sys.argv[1], sys.argv[2])
'''


# --- running --------------------------------------------------------------------------


class BenchmarkError(RuntimeError):
    pass


@dataclass
class Command:
    label: str
    argv: list[str]
    before: Callable[[], None] | None = None  # untimed, e.g. remove the previous database
    after: Callable[[], None] | None = None  # untimed, e.g. check what was written
    env: dict[str, str] = field(default_factory=dict)  # beside the clean environment


@dataclass
class Comparison:
    name: str
    candidate: Command
    baseline: Command
    rounds: int
    goal: float
    aim: float | None = None
    times: dict[str, list[float]] = field(default_factory=dict)  # wall-clock seconds
    cpu: dict[str, list[float]] = field(default_factory=dict)  # user + system seconds

    def stats(self, label: str) -> tuple[float, float]:
        values = self.times[label]
        return statistics.median(values), min(values)

    def cpu_median(self, label: str) -> float:
        return statistics.median(self.cpu[label])

    @property
    def ratio(self) -> float:
        return self.stats(self.candidate.label)[0] / self.stats(self.baseline.label)[0]

    @property
    def ratio_min(self) -> float:
        return self.stats(self.candidate.label)[1] / self.stats(self.baseline.label)[1]


class Runner:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        home = workdir / "home"
        home.mkdir(exist_ok=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PEERKIT_", "PYTHON", "VIRTUAL_ENV"))
        }
        # Never the user's config or data folder; the same terminal width everywhere.
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            COLUMNS="100",
        )
        self.env = env

    def run(
        self, argv: list[str], *, capture: bool = False, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            argv,
            cwd=self.workdir,
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise BenchmarkError(
                f"{' '.join(argv)} exited with {proc.returncode}:\n{proc.stderr.strip()}"
            )
        return proc

    def timed(self, cmd: Command) -> tuple[float, float]:
        """Wall-clock and CPU (user + system) seconds of one run of cmd."""
        if cmd.before:
            cmd.before()
        cpu_start = _children_cpu()
        start = time.perf_counter()
        self.run(cmd.argv, env=cmd.env)
        elapsed = time.perf_counter() - start
        cpu = _children_cpu() - cpu_start
        if cmd.after:
            cmd.after()
        return elapsed, cpu

    def compare(self, comp: Comparison) -> None:
        pair = (comp.candidate, comp.baseline)
        comp.times = {cmd.label: [] for cmd in pair}
        comp.cpu = {cmd.label: [] for cmd in pair}
        _progress(f"{comp.name}: warm-up")
        for cmd in pair:
            self.timed(cmd)
        for i in range(comp.rounds):
            # ABBA: alternate which side goes first, so drift hits both equally.
            for cmd in pair if i % 2 == 0 else pair[::-1]:
                wall, cpu = self.timed(cmd)
                comp.times[cmd.label].append(wall)
                comp.cpu[cmd.label].append(cpu)
            med_c, _ = comp.stats(comp.candidate.label)
            med_b, _ = comp.stats(comp.baseline.label)
            _progress(
                f"{comp.name}: round {i + 1}/{comp.rounds}  "
                f"{_fmt(med_c)} vs {_fmt(med_b)} (medians so far)"
            )


def _children_cpu() -> float:
    """CPU seconds used so far by the finished child processes (0 where unknown)."""
    if resource is None:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return float(usage.ru_utime + usage.ru_stime)


def _progress(text: str) -> None:
    print(f"  .. {text}", file=sys.stderr, flush=True)


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


# --- databases ------------------------------------------------------------------------

MEMBER_SELECT = (
    "SELECT name, email, timezone, locale, skills, needs, stage, industry, bio, availability, "
    "mentor_capacity, status, paused_until, joined, left_on FROM member ORDER BY id"
)


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def count_members(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM member").fetchone()[0])
    finally:
        conn.close()


def member_digest(path: Path) -> str:
    """A hash of every member row as stored, to show both sides wrote the same data."""
    digest = hashlib.sha256()
    conn = sqlite3.connect(path)
    try:
        for row in conn.execute(MEMBER_SELECT):
            digest.update(repr(row).encode())
    finally:
        conn.close()
    return digest.hexdigest()


def member_ddl(path: Path) -> list[str]:
    """The member table and its indexes exactly as peerkit's migrations create them."""
    conn = sqlite3.connect(path)
    try:
        return [
            sql
            for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'member' AND sql IS NOT NULL "
                "ORDER BY type DESC"
            )
        ]
    finally:
        conn.close()


def import_checker(db: Path, rows: int, digests: list[str]) -> Callable[[], None]:
    def check() -> None:
        found = count_members(db)
        if found != rows:
            raise BenchmarkError(f"{db} holds {found} members, expected {rows}")
        if not digests:
            digests.append(member_digest(db))

    return check


def tab(runner: Runner, line: str, env: dict[str, str], expected: str) -> Command:
    """peerkit as bash's completion runs it for a Tab at the end of LINE; checked once, untimed,
    to offer what it should (something starting with EXPECTED)."""
    tab_env = {
        **env,
        "_PEERKIT_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(line.split(" ")) - 1),
    }
    cmd = Command("peerkit <Tab>", [PY, "-m", "peerkit"], env=tab_env)
    offered = runner.run(cmd.argv, capture=True, env=tab_env).stdout.split("\n")
    if not any(word.startswith(expected) for word in offered):
        raise BenchmarkError(f"a Tab after {line!r} offered {offered}, nothing like {expected!r}")
    return cmd


# --- import-time profile --------------------------------------------------------------

_IMPORTTIME = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


@dataclass
class Imported:
    name: str
    self_us: int
    cumulative_us: int
    depth: int


def import_profile(runner: Runner, argv: list[str], repeat: int = 5) -> list[Imported]:
    """Modules in the order of the first run, each with its least time over `repeat` runs."""
    found: dict[str, Imported] = {}
    for _ in range(repeat):
        proc = runner.run([PY, "-X", "importtime", *argv], capture=True)
        for line in proc.stderr.splitlines():
            m = _IMPORTTIME.match(line)
            if not m:
                continue
            seen = found.setdefault(m[4], Imported(m[4], int(m[1]), int(m[2]), len(m[3]) // 2))
            seen.self_us = min(seen.self_us, int(m[1]))
            seen.cumulative_us = min(seen.cumulative_us, int(m[2]))
    return list(found.values())


def print_import_profile(runner: Runner) -> None:
    peerkit = import_profile(runner, ["-m", "peerkit", "--help"])
    bare = import_profile(runner, ["-m", BARE_MODULE, "--help"])
    print("\nImport-time profile of `python -X importtime -m peerkit --help` (best of 5 runs)")
    print("top 10 by cumulative time (nesting shown by indentation):\n")
    print(f"  {'cumulative':>10}  {'self':>8}  module")
    for imp in sorted(peerkit, key=lambda i: i.cumulative_us, reverse=True)[:10]:
        print(
            f"  {imp.cumulative_us / 1000:>7.1f} ms  {imp.self_us / 1000:>5.1f} ms  "
            f"{'  ' * imp.depth}{imp.name}"
        )
    tops = {i.name.split(".")[0] for i in peerkit}
    heavy = [h for h in HEAVY if h in tops]
    print(f"\n  heavy packages imported: {', '.join(heavy) if heavy else 'none'}")
    print(f"  (checked: {', '.join(HEAVY)})")
    bare_names = {i.name for i in bare}
    extra = [i for i in peerkit if i.name not in bare_names]
    extra_self = sum(i.self_us for i in extra) / 1000
    total_p = sum(i.self_us for i in peerkit) / 1000
    total_b = sum(i.self_us for i in bare) / 1000
    print(
        f"  modules imported: {len(peerkit)} ({total_p:.1f} ms of import time) against "
        f"{len(bare)} ({total_b:.1f} ms) for the bare Typer app"
    )
    biggest = sorted(extra, key=lambda i: i.self_us, reverse=True)[:8]
    print(
        f"  the {len(extra)} modules the bare app does not import take {extra_self:.1f} ms "
        "(self time); largest: " + ", ".join(f"{i.name} {i.self_us / 1000:.1f} ms" for i in biggest)
    )


# --- the session ----------------------------------------------------------------------


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _git_state() -> str:
    """Which code was measured: the commit, and whether src/ had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent

    def git(*argv: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(root), *argv], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "src")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"git {head}" + (", with uncommitted changes under src/" if dirty else ", clean src/")


def source_fingerprint() -> str:
    """A hash of peerkit's source files, to notice code that changed during the session."""
    digest = hashlib.sha256()
    for path in sorted((Path(__file__).resolve().parent.parent / "src").rglob("*.py")):
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def print_header(args: argparse.Namespace) -> None:
    versions = ", ".join(
        f"{d} {_version(d)}" for d in ("peerkit", "typer", "rich", "sqlmodel", "sqlalchemy")
    )
    print(
        f"peerkit benchmarks{' (--quick)' if args.quick else ''}, "
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
        f"Python {platform.python_version()} ({PY}), {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs, SQLite {sqlite3.sqlite_version}\n"
        f"{versions}; {_git_state()}\n"
        f"launcher: `python -m MODULE` for peerkit and the bare Typer app, `python -c` and "
        f"`python -m` for the other baselines; every run is a whole process"
    )


def print_table(comparisons: list[Comparison]) -> None:
    head = (
        "| benchmark | runs | peerkit median | peerkit min | baseline median | baseline min "
        "| ratio (medians) | ratio (mins) | goal | result |"
    )
    print("\n" + head)
    print("|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|")
    for comp in comparisons:
        med_c, min_c = comp.stats(comp.candidate.label)
        med_b, min_b = comp.stats(comp.baseline.label)
        verdict = "ok" if comp.ratio <= comp.goal else "MISSED"
        if comp.aim is not None:
            verdict += f" (aim {comp.aim:.1f}x {'met' if comp.ratio <= comp.aim else 'not met'})"
        print(
            f"| {comp.name} | {comp.rounds}+{comp.rounds} | {_fmt(med_c)} | {_fmt(min_c)} "
            f"| {_fmt(med_b)} | {_fmt(min_b)} | {comp.ratio:.2f}x | {comp.ratio_min:.2f}x "
            f"| <= {comp.goal:.1f}x | {verdict} |"
        )
    print("\nFor information: the commands, every wall-clock time in run order, and the")
    print("median CPU time (user + system; unlike wall time, barely moved by other load).")
    for comp in comparisons:
        print(f"\n{comp.name}")
        for side, cmd in (("peerkit", comp.candidate), ("baseline", comp.baseline)):
            walls = comp.times[cmd.label]
            scale, unit = (1000, "ms") if max(walls) < 1 else (1, "s")
            runs = " ".join(f"{t * scale:.{1 if scale > 1 else 2}f}" for t in walls)
            line = f" (a Tab: COMP_WORDS='{cmd.env['COMP_WORDS']}')" if cmd.env else ""
            print(f"  {side + ':':9} {_show(cmd.argv)}{line}")
            print(f"  {'':9} runs ({unit}): {runs}; CPU median {_fmt(comp.cpu_median(cmd.label))}")
        cpu_c, cpu_b = comp.cpu_median(comp.candidate.label), comp.cpu_median(comp.baseline.label)
        if cpu_b > 0:
            print(f"  {'':9} CPU ratio (medians): {cpu_c / cpu_b:.2f}x")


def _show(argv: list[str]) -> str:
    return " ".join(
        "python" if a == PY else (f"'{a}'" if " " in a or "," in a else a) for a in argv
    )


def session(args: argparse.Namespace, work: Path) -> None:
    runner = Runner(work)
    rows = args.rows or (10_000 if args.quick else 100_000)
    rounds = args.rounds or (5 if args.quick else 15)
    import_rounds = args.import_rounds or (2 if args.quick else 3)
    print_header(args)
    fingerprint = source_fingerprint()

    _progress(f"writing the CSV files (200 and {rows:,} members) in {work}")
    (work / f"{BARE_MODULE}.py").write_text(BARE_APP, encoding="utf-8")
    small_csv, big_csv = work / "members-200.csv", work / f"members-{rows}.csv"
    write_members_csv(small_csv, 200, seed=1)
    write_members_csv(big_csv, rows)
    small_db = work / "members-200.db"
    runner.run([PY, "-m", "peerkit", "--db", str(small_db), "member", "import", str(small_csv)])
    if count_members(small_db) != 200:
        raise BenchmarkError(f"{small_db} does not hold 200 members")
    ddl = member_ddl(small_db)
    (work / f"{IMPORT_MODULE}.py").write_text(PLAIN_IMPORT.format(ddl=ddl), encoding="utf-8")

    peerkit_help = Command("peerkit --help", [PY, "-m", "peerkit", "--help"])
    tab_commands = tab(runner, "peerkit member ", {}, "list")
    tab_names = tab(runner, "peerkit member show Ali", {"PEERKIT_DB": str(small_db)}, "Ali")

    peerkit_db, plain_db = work / "import-peerkit.db", work / "import-plain.db"
    digests: dict[str, list[str]] = {"peerkit": [], "plain": []}
    comparisons = [
        Comparison(
            "1. --help",
            Command("peerkit", [PY, "-m", "peerkit", "--help"]),
            Command("bare typer", [PY, "-m", BARE_MODULE, "--help"]),
            rounds,
            goal=1.2,
            aim=1.0,
        ),
        Comparison(
            "2. member list --format json (200 members)",
            Command(
                "peerkit",
                [PY, "-m", "peerkit", "--db", str(small_db), *LIST_JSON],
            ),
            Command("import typer, sqlmodel", [PY, "-c", "import typer, sqlmodel"]),
            rounds,
            goal=1.3,
        ),
        Comparison(
            f"3. member import ({rows:,} rows)",
            Command(
                "peerkit",
                [PY, "-m", "peerkit", "--db", str(peerkit_db), "member", "import", str(big_csv)],
                before=lambda: remove_db(peerkit_db),
                after=import_checker(peerkit_db, rows, digests["peerkit"]),
            ),
            Command(
                "csv + sqlite3",
                [PY, "-m", IMPORT_MODULE, str(big_csv), str(plain_db)],
                before=lambda: remove_db(plain_db),
                after=import_checker(plain_db, rows, digests["plain"]),
            ),
            import_rounds,
            goal=3.0,
        ),
        Comparison(
            "4. Tab: a command's sub-commands (peerkit member <Tab>)",
            tab_commands,
            peerkit_help,
            rounds,
            goal=1.2,
            aim=1.0,
        ),
        Comparison(
            "5. Tab: a member's name (peerkit member show Ali<Tab>, 200 members)",
            tab_names,
            peerkit_help,
            rounds,
            goal=1.5,
        ),
    ]
    for comp in comparisons:
        runner.compare(comp)
    remove_db(peerkit_db)
    remove_db(plain_db)

    print_table(comparisons)
    same = digests["peerkit"] == digests["plain"]
    print(
        f"\nimport check: both sides wrote {rows:,} members; the stored member rows are "
        + ("identical." if same else "NOT identical (the baseline differs from peerkit).")
    )
    print_import_profile(runner)
    if source_fingerprint() != fingerprint:
        print("\nWARNING: peerkit's source files changed during this session; run it again.")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="5 rounds, a 10,000-row import, 2 import rounds."
    )
    parser.add_argument("--rounds", type=int, help="Rounds of the start-up benchmarks.")
    parser.add_argument("--import-rounds", type=int, help="Rounds of the import benchmark.")
    parser.add_argument("--rows", type=int, help="Members in the import benchmark's CSV.")
    return run_session(parser, "peerkit-bench-", session)


def run_session(
    parser: argparse.ArgumentParser,
    prefix: str,
    body: Callable[[argparse.Namespace, Path], None],
) -> int:
    """Add --workdir/--keep, run `body` in a temporary folder, report a failure, clean up."""
    parser.add_argument(
        "--workdir", type=Path, help="Where to write the temporary files (default: the system's)."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the temporary files.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=args.workdir))
    try:
        body(args, work)
    except BenchmarkError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"\n(temporary files kept in {work})", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
