"""peerkit's calendars as members' applications read them: four parsers, one answer each.

    occurrences(ics, "libical", start, end) -> [Occurrence(uid, start_utc, end_utc, status), ...]

- ``icaljs``: ical.js, the parser of Thunderbird (tests/js/occurrences.mjs, run with node);
- ``libical``: libical 3, the parser of Evolution (tests/c/occurrences.c, compiled on first use);
- ``icalendar``: icalendar with recurring_ical_events (Python calendar servers and tools);
- ``vobject``: vobject with dateutil's rruleset (Radicale).

Each parser turns local times into UTC with its own reading of the file's VTIMEZONEs (that
is the point: they disagree on the repeated and the missing hour), expands recurring events
(RRULE, RDATE, EXDATE) inside the window, lets an override (RECURRENCE-ID) replace the
occurrence that parser matches it to (an override that replaces none is shown on its own,
as the applications do) and reads the end from DTEND or DURATION. An occurrence is in the
window when its start is in [start, end). ``status`` is the event's STATUS, upper case, or
"" when it has none.

The same four read a calendar's tasks (VTODO) as task apps do (Thunderbird, Evolution, Python
tools, Radicale):

    tasks(ics, "vobject") -> [Task(uid, summary, due, status, related_to, sequence), ...]

``due`` is "YYYY-MM-DD" for a date, the UTC time in ISO form for a time, "" without DUE;
``sequence`` is None without SEQUENCE.

Load the ``parsers`` fixture (``pytest_plugins = ["tests.parsers"]``) in a test that needs
all four: it skips when a parser's tool is missing (node and ``npm ci --prefix tests/js``;
gcc and libical's headers), and fails instead when PEERKIT_REQUIRE_PARSERS is set (CI).
Many files are read with one node and one libical process: ``all_occurrences_many``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest

PARSERS = ("icaljs", "libical", "icalendar", "vobject")

HERE = Path(__file__).resolve().parent
JS_DIR = HERE / "js"
JS_SCRIPT = JS_DIR / "occurrences.mjs"
C_SOURCE = HERE / "c" / "occurrences.c"
# Where the libical reader is compiled: fixed when this module is imported, before the tests
# point HOME and XDG_CACHE_HOME at their own folders, so it is built once, not per test.
CACHE = Path(
    os.environ.get("PEERKIT_TEST_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "peerkit-tests"
)
REQUIRE_ENV = "PEERKIT_REQUIRE_PARSERS"
# Read when this module is imported: each test's isolated_env clears the PEERKIT_ variables.
REQUIRED_FROM_THE_START = bool(os.environ.get(REQUIRE_ENV))
TIMEOUT = 120  # seconds for one node or libical process


class Occurrence(NamedTuple):
    uid: str
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    status: str  # the STATUS (CONFIRMED, CANCELLED, TENTATIVE) or "" when there is none


class Task(NamedTuple):
    uid: str
    summary: str
    due: str  # "YYYY-MM-DD" (a date), "YYYY-MM-DDTHH:MM:SS+00:00" (a time, in UTC) or ""
    status: str  # NEEDS-ACTION, COMPLETED, CANCELLED, IN-PROCESS or "" when there is none
    related_to: str  # the RELATED-TO (the UID of the meeting it was made at) or ""
    sequence: int | None  # None when there is no SEQUENCE


class Reading(NamedTuple):
    """What one parser read in one file."""

    occurrences: list[Occurrence]
    tasks: list[Task]


class ParserUnavailable(Exception):
    """A parser's tool is not installed here (node, ical.js, gcc, libical's headers)."""


class ParseFailure(AssertionError):
    """A parser could not read a calendar at all."""


# --- the one entry points -------------------------------------------------------------


def occurrences(ics: bytes, parser: str, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence that PARSER reads in ICS, starting in [START, END), sorted."""
    return read_many(parser, [ics], start, end)[0]


def all_occurrences(ics: bytes, start: datetime, end: datetime) -> dict[str, list[Occurrence]]:
    """`occurrences` by each of the four parsers."""
    return all_occurrences_many([ics], start, end)[0]


def all_occurrences_many(
    files: Sequence[bytes], start: datetime, end: datetime
) -> list[dict[str, list[Occurrence]]]:
    """`all_occurrences` of each file, with one node and one libical process for them all."""
    by_parser = {parser: read_many(parser, files, start, end) for parser in PARSERS}
    return [{parser: by_parser[parser][i] for parser in PARSERS} for i in range(len(files))]


def read_many(
    parser: str, files: Sequence[bytes], start: datetime, end: datetime
) -> list[list[Occurrence]]:
    """`occurrences` of each of FILES by PARSER (node and libical: one process for all)."""
    return [sorted(one.occurrences) for one in _read(parser, files, start, end)]


def tasks(ics: bytes, parser: str) -> list[Task]:
    """Every task (VTODO) that PARSER reads in ICS, sorted."""
    return read_tasks_many(parser, [ics])[0]


def all_tasks(ics: bytes) -> dict[str, list[Task]]:
    """`tasks` by each of the four parsers."""
    return all_tasks_many([ics])[0]


def all_tasks_many(files: Sequence[bytes]) -> list[dict[str, list[Task]]]:
    """`all_tasks` of each file, with one node and one libical process for them all."""
    by_parser = {parser: read_tasks_many(parser, files) for parser in PARSERS}
    return [{parser: by_parser[parser][i] for parser in PARSERS} for i in range(len(files))]


NO_WINDOW = (datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 2, tzinfo=UTC))


def read_tasks_many(parser: str, files: Sequence[bytes]) -> list[list[Task]]:
    """`tasks` of each of FILES by PARSER (no event is expanded: the window is 1 Jan 1970)."""
    return [sorted(one.tasks) for one in _read(parser, files, *NO_WINDOW)]


def _read(parser: str, files: Sequence[bytes], start: datetime, end: datetime) -> list[Reading]:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("the window's ends must be aware datetimes")
    if parser not in READERS:
        raise ValueError(f"unknown parser {parser!r}; one of {', '.join(PARSERS)}")
    if not files:
        return []
    return READERS[parser](files, start.astimezone(UTC), end.astimezone(UTC))


# --- availability ---------------------------------------------------------------------


@functools.cache
def unavailable() -> dict[str, str]:
    """The parsers that cannot run here, with the reason for each."""
    reasons = {}
    if shutil.which("node") is None:
        reasons["icaljs"] = "node is not installed"
    elif not (JS_DIR / "node_modules" / "ical.js" / "package.json").exists():
        reasons["icaljs"] = "ical.js is not installed: run npm ci --prefix tests/js"
    try:
        libical_binary()
    except ParserUnavailable as exc:
        reasons["libical"] = str(exc)
    return reasons


def require_parsers(parsers: Iterable[str] = PARSERS) -> None:
    """Skip the test unless every parser named can run (fail under PEERKIT_REQUIRE_PARSERS)."""
    missing = {p: why for p, why in unavailable().items() if p in set(parsers)}
    if not missing:
        return
    text = "; ".join(f"{p}: {why}" for p, why in sorted(missing.items()))
    if REQUIRED_FROM_THE_START or os.environ.get(REQUIRE_ENV):
        pytest.fail(f"calendar parsers required ({REQUIRE_ENV}) but not available: {text}")
    pytest.skip(f"calendar parsers not available: {text}")


@pytest.fixture
def parsers() -> tuple[str, ...]:
    """All four parsers, or the test is skipped (failed under PEERKIT_REQUIRE_PARSERS)."""
    require_parsers()
    return PARSERS


# --- ical.js ---------------------------------------------------------------------------


def _icaljs(files: Sequence[bytes], start: datetime, end: datetime) -> list[Reading]:
    if "icaljs" in unavailable():
        raise ParserUnavailable(unavailable()["icaljs"])
    with _files_on_disk(files) as paths:
        command = ["node", str(JS_SCRIPT), str(_unix(start)), str(_unix(end)), *map(str, paths)]
        done = _run(command, "ical.js")
    results = json.loads(done)
    out = []
    for i, result in enumerate(results):
        if "error" in result:
            raise ParseFailure(f"ical.js could not read calendar #{i}: {result['error']}")
        found = [
            Occurrence(uid, _from_unix(s), _from_unix(e), status)
            for uid, s, e, status in result["occurrences"]
        ]
        todo = [
            Task(uid, summary, _due(due), status, related, sequence)
            for uid, summary, due, status, related, sequence in result["tasks"]
        ]
        out.append(Reading(found, todo))
    return out


def _due(value: str | int | float) -> str:
    """A due date as the readers give it ("YYYY-MM-DD", Unix seconds, ""), as a Task has it."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        return _from_unix(float(value)).isoformat()
    return value


# --- libical ---------------------------------------------------------------------------


@functools.cache
def libical_binary() -> Path:
    """The libical reader, compiled into CACHE once per version of its source and flags."""
    if shutil.which("gcc") is None:
        raise ParserUnavailable("gcc is not installed")
    if shutil.which("pkg-config") is None:
        raise ParserUnavailable("pkg-config is not installed")
    flags = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "libical"], capture_output=True, text=True, check=False
    )
    if flags.returncode != 0:
        raise ParserUnavailable("libical's headers are not installed (apt-get install libical-dev)")
    version = subprocess.run(
        ["pkg-config", "--modversion", "libical"], capture_output=True, text=True, check=False
    ).stdout.strip()
    key = hashlib.sha256(
        C_SOURCE.read_bytes() + flags.stdout.encode() + version.encode()
    ).hexdigest()[:16]
    binary = CACHE / f"libical-occurrences-{key}"
    if binary.exists():
        return binary
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = binary.with_name(f"{binary.name}.{os.getpid()}.tmp")
    built = subprocess.run(
        ["gcc", "-O1", "-o", str(partial), str(C_SOURCE), *flags.stdout.split()],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        partial.unlink(missing_ok=True)
        raise ParserUnavailable(f"could not compile the libical reader: {built.stderr.strip()}")
    partial.replace(binary)  # two test processes may race: the same bytes either way
    return binary


def _libical(files: Sequence[bytes], start: datetime, end: datetime) -> list[Reading]:
    binary = libical_binary()
    with _files_on_disk(files) as paths:
        done = _run([str(binary), str(_unix(start)), str(_unix(end)), *map(str, paths)], "libical")
    out: list[Reading] = []
    for line in done.splitlines():
        kind, _, rest = line.partition("\t")
        if kind == "F":
            out.append(Reading([], []))
        elif kind == "E":
            raise ParseFailure(f"libical could not read calendar #{len(out) - 1}: {rest}")
        elif kind == "O":
            s, e, status, uid = rest.split("\t", 3)
            out[-1].occurrences.append(
                Occurrence(uid, _from_unix(int(s)), _from_unix(int(e)), status)
            )
        elif kind == "T":
            uid, summary, due, status, related, sequence = rest.split("\t")
            out[-1].tasks.append(
                Task(
                    _unescape(uid),
                    _unescape(summary),
                    _due(due),
                    status,
                    _unescape(related),
                    int(sequence) if sequence else None,
                )
            )
    if len(out) != len(files):
        raise ParseFailure(f"libical answered for {len(out)} of {len(files)} calendars")
    return out


def _unescape(text: str) -> str:
    """A text of the libical reader's lines, its \\\\, \\t, \\r and \\n undone."""
    plain = {"\\": "\\", "t": "\t", "r": "\r", "n": "\n"}
    return re.sub(r"\\(.)", lambda m: plain.get(m.group(1), m.group(1)), text)


# --- icalendar + recurring_ical_events ---------------------------------------------------


def _icalendar(files: Sequence[bytes], start: datetime, end: datetime) -> list[Reading]:
    import icalendar
    import recurring_ical_events

    out = []
    for i, data in enumerate(files):
        try:
            cal = icalendar.Calendar.from_ical(data)
            found = recurring_ical_events.of(cal).between(start, end)
        except Exception as exc:
            raise ParseFailure(f"icalendar could not read calendar #{i}: {exc!r}") from exc
        one = []
        for ev in found:
            if ev.name != "VEVENT":  # recurring_ical_events lists a VTODO with a DUE too
                continue
            first = _utc(ev.start)
            if start <= first < end:
                status = str(ev.get("STATUS", "")).upper()
                one.append(Occurrence(str(ev.get("UID", "")), first, _utc(ev.end), status))
        todo = [_icalendar_task(td) for td in cal.walk("VTODO")]
        out.append(Reading(one, todo))
    return out


def _icalendar_task(td: Any) -> Task:
    due = td.get("DUE")
    sequence = td.get("SEQUENCE")
    return Task(
        str(td.get("UID", "")),
        str(td.get("SUMMARY", "")),
        _due_of(due.dt) if due is not None else "",
        str(td.get("STATUS", "")).upper(),
        str(td.get("RELATED-TO", "")),
        int(sequence) if sequence is not None else None,
    )


def _due_of(value: date) -> str:
    return _utc(value).isoformat() if isinstance(value, datetime) else value.isoformat()


# --- vobject ---------------------------------------------------------------------------


def _vobject(files: Sequence[bytes], start: datetime, end: datetime) -> list[Reading]:
    import vobject

    out = []
    for i, data in enumerate(files):
        text = data.decode("utf-8")
        _forget_vobject_zones(text)
        try:
            calendars = list(vobject.readComponents(text))
            one = [o for cal in calendars for o in _vobject_calendar(cal, end)]
            todo = [_vobject_task(td) for cal in calendars for td in cal.contents.get("vtodo", [])]
        except Exception as exc:
            raise ParseFailure(f"vobject could not read calendar #{i}: {exc!r}") from exc
        out.append(Reading([o for o in one if start <= o.start < end], todo))
    return out


def _vobject_task(td: Any) -> Task:
    def value(name: str) -> Any:
        found = td.contents.get(name)
        return found[0].value if found else None

    due = value("due")
    sequence = value("sequence")
    return Task(
        str(value("uid") or ""),
        str(value("summary") or ""),
        _due_of(due) if due is not None else "",
        str(value("status") or "").upper(),
        str(value("related-to") or ""),
        int(sequence) if sequence is not None else None,
    )


def _forget_vobject_zones(text: str) -> None:
    """vobject keeps the first VTIMEZONE it reads for a TZID for the rest of the process; a
    fresh process reads each file with its own. Forget this file's zones before reading it."""
    import vobject.icalendar

    registry: dict[str, Any] = vars(vobject.icalendar)["__tzidMap"]
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    for tzid in re.findall(r"^TZID:(.*?)\r?$", unfolded, flags=re.MULTILINE):
        if tzid != "UTC":
            registry.pop(tzid, None)


MAX_STEPS = 100_000  # an endless rule stops here


def _vobject_calendar(cal: Any, end: datetime) -> Iterator[Occurrence]:
    """The occurrences of one VCALENDAR read by vobject, overrides applied as Radicale does:
    a master's occurrence equal to an override's RECURRENCE-ID (Python's == on the two
    datetimes) is left out, and every override is listed at its own times."""
    events = list(getattr(cal, "vevent_list", []))
    overridden: dict[str, list[Any]] = {}
    for ev in events:
        if "recurrence-id" in ev.contents:
            overridden.setdefault(_uid(ev), []).append(ev.recurrence_id.value)
    for ev in events:
        status = str(ev.status.value).upper() if "status" in ev.contents else ""
        first = ev.dtstart.value
        length = _vobject_length(ev)
        if "recurrence-id" in ev.contents or not ({"rrule", "rdate"} & ev.contents.keys()):
            yield Occurrence(_uid(ev), _utc(first), _utc(_plus(first, length)), status)
            continue
        replaced = overridden.get(_uid(ev), [])
        for steps, moment in enumerate(ev.getrruleset(addRDate=True)):
            if steps > MAX_STEPS or _utc(moment) >= end:
                break
            if any(moment == rid for rid in replaced):
                continue
            yield Occurrence(_uid(ev), _utc(moment), _utc(_plus(moment, length)), status)


def _vobject_length(ev: Any) -> timedelta:
    """DTEND - DTSTART as Python subtracts them (wall clock for the same zone), or DURATION."""
    if "dtend" in ev.contents:
        length: timedelta = ev.dtend.value - ev.dtstart.value
        return length
    if "duration" in ev.contents:
        duration: timedelta = ev.duration.value
        return duration
    return timedelta(0) if isinstance(ev.dtstart.value, datetime) else timedelta(days=1)


def _plus(moment: date, length: timedelta) -> date:
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    return moment + length


def _uid(ev: Any) -> str:
    return str(ev.uid.value) if "uid" in ev.contents else ""


# --- shared helpers --------------------------------------------------------------------


READERS = {"icaljs": _icaljs, "libical": _libical, "icalendar": _icalendar, "vobject": _vobject}


def _utc(moment: date) -> datetime:
    """An occurrence's time in UTC: floating times and dates are read as UTC."""
    if not isinstance(moment, datetime):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


def _from_unix(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@contextlib.contextmanager
def _files_on_disk(files: Sequence[bytes]) -> Iterator[list[Path]]:
    """FILES written to a temporary folder, their paths given; the folder removed after."""
    with tempfile.TemporaryDirectory(prefix="peerkit-parsers-") as folder:
        paths = []
        for i, data in enumerate(files):
            path = Path(folder) / f"{i}.ics"
            path.write_bytes(data)
            paths.append(path)
        yield paths


def _run(command: list[str], name: str) -> str:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=JS_DIR
        )
    except FileNotFoundError as exc:
        raise ParserUnavailable(f"{name}: {exc}") from exc
    if done.returncode != 0:
        raise ParseFailure(f"{name} failed (exit {done.returncode}): {done.stderr.strip()}")
    return done.stdout
