"""What `plan week` last wrote for each meeting, so that a run that would change nothing
builds nothing: it compares, writes nothing and says "unchanged".

For each meeting the record keeps one hash of everything its files are made from (the
meeting, its group, the community and organiser, who is expected and invited with their
memberships, the hot seats and roles with their names, the open commitments, the
attendance shown, whether invitations are due) together with what peerkit renders them
with (its own code, the templates, the libraries and the time-zone data), and of the files'
content as written and the invitation files in the folder. A run whose meeting hashes to the
same value with the same files on disk would build the same bytes, so it builds nothing;
anything different (a row, a template, a file edited or removed, a stray invitation) and
the files are built and compared as always.

The record holds hashes only (no names or addresses), one small file per folder and week in
the user's cache folder (readable by the owner only); losing it costs one full run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from peerkit.services.groups import planning

VERSION = 1
# Libraries whose behaviour is part of the bytes (mail and calendar text, templates, slugs).
LIBRARIES = ("icalendar", "Jinja2", "MarkupSafe", "Babel", "python-slugify", "text-unidecode")
ZONE_KEY = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*")


def record_path(folder: Path, week: str) -> Path:
    from peerkit.files import cache_folder

    name = hashlib.sha256(f"{folder.expanduser().resolve()}\0{week}".encode()).hexdigest()
    return cache_folder("plan-week") / f"{name[:40]}.json"


class Record:
    """The record of one folder and week: read once, saved once if anything changed."""

    def __init__(self, folder: Path, week: str) -> None:
        self.path = record_path(folder, week)
        self.seen: dict[str, str] = _load(self.path)
        self.changed = False
        self._fingerprint: bytes | None = None
        self._zones: dict[str, bytes] = {}
        self._rows: dict[int, tuple[Any, tuple[Any, ...] | None]] = {}  # id -> (row, _row)

    def inputs(self, item: planning.Slot, *parts: object) -> bytes:
        """The hash of what a meeting's files are made from (PARTS: the rest, e.g. the
        organiser and whether invitations are due)."""
        meeting, facts = item.meeting, item.facts
        assert meeting is not None
        assert facts is not None
        named = (*facts.seat_ids, meeting.facilitator_id, meeting.timekeeper_id)
        zones = {meeting.timezone, *(p.timezone for _m, p in item.candidates if p.timezone)}
        row = self._row
        data = repr(
            [
                parts,
                _row(meeting),
                _row(item.group),
                row(facts.community),
                item.multiple,
                [row(p) for p in facts.attendees],
                facts.seat_ids,
                [(i, facts.names.get(i)) for i in named if i is not None],
                [(_row(c), row(m)) for c, m in facts.commitments],
                facts.shown,
                [(_row(m), row(p)) for m, p in item.candidates],
                sorted((z, self._zone(z)) for z in zones),
            ]
        )
        return hashlib.sha256(data.encode("utf-8", "surrogatepass")).digest()

    def unchanged(self, key: str, inputs: bytes, paths: list[Path], listing: list[str]) -> bool:
        """Whether the files of KEY are those recorded for these inputs, all there as written."""
        recorded = self.seen.get(key)
        if recorded is None:
            return False
        try:
            # A link planted in place of a file is not the file, whatever it points at.
            if any(path.is_symlink() for path in paths):
                return False
            contents = [path.read_bytes() for path in paths]
        except OSError:
            return False
        return recorded == self._state(inputs, contents, listing)

    def note(self, key: str, inputs: bytes, contents: Iterable[bytes], listing: list[str]) -> None:
        """What was written for KEY (the files now hold CONTENTS)."""
        state = self._state(inputs, contents, listing)
        if self.seen.get(key) != state:
            self.seen[key] = state
            self.changed = True

    def save(self) -> None:
        """Keep what changed (a cache folder that cannot be written only costs the next run)."""
        if not self.changed:
            return
        from peerkit.errors import PeerkitError
        from peerkit.files import private_folder, write_private

        try:
            private_folder(self.path.parent)
            write_private(
                self.path,
                json.dumps({"version": VERSION, "meetings": self.seen}),
                durable=False,  # a cache: losing it only means building again
            )
        except (OSError, PeerkitError):
            return
        self.changed = False

    def _state(self, inputs: bytes, contents: Iterable[bytes], listing: list[str]) -> str:
        digest = hashlib.sha256(self.fingerprint())
        digest.update(inputs)
        for data in contents:
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
        digest.update(repr(listing).encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def fingerprint(self) -> bytes:
        """What renders the files: peerkit's code, Python, the libraries, the templates."""
        if self._fingerprint is None:
            from peerkit import __version__
            from peerkit.config import config_dir
            from peerkit.resources import builtin_templates_dir

            here = Path(__file__).resolve().parents[2]  # the peerkit package
            parts = [
                sys.version,
                __version__,
                _stats(here, "*.py"),
                [_version(name) for name in LIBRARIES],
                _tree(builtin_templates_dir()),
                _tree(config_dir() / "templates"),  # render.user_templates_dir(), without Jinja
            ]
            self._fingerprint = hashlib.sha256(repr(parts).encode()).digest()
        return self._fingerprint

    def _row(self, row: Any) -> tuple[Any, ...] | None:
        """_row of a row that recurs in a run (the community, a member both expected and
        invited, or owing at several meetings), made once: rows do not change while the
        files are written, and the row is kept so that its id stays its own."""
        found = self._rows.get(id(row))
        if found is None:
            found = self._rows[id(row)] = (row, _row(row))
        return found[1]

    def _zone(self, key: str) -> bytes:
        if key not in self._zones:
            self._zones[key] = hashlib.sha256(_zone_data(key)).digest()
        return self._zones[key]


def _load(path: Path) -> dict[str, str]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict) or found.get("version") != VERSION:
        return {}
    meetings = found.get("meetings")
    return dict(meetings) if isinstance(meetings, dict) else {}


def _row(row: Any) -> tuple[Any, ...] | None:
    """A row's fields, in order (None stays None): read from the loaded row, else loaded."""
    if row is None:
        return None
    values = row.__dict__
    return (
        type(row).__name__,
        *(values[name] if name in values else getattr(row, name) for name in _fields(type(row))),
    )


def _fields(model: type) -> tuple[str, ...]:
    if model not in _FIELDS:
        # who changed a row last, and how many times, says nothing the files say
        fields = model.model_fields  # type: ignore[attr-defined]
        _FIELDS[model] = tuple(name for name in fields if name not in BOOKKEEPING)
    return _FIELDS[model]


_FIELDS: dict[type, tuple[str, ...]] = {}
BOOKKEEPING = frozenset({"version", "changed_by", "changed_at"})  # peerkit.rowversions


def _stats(folder: Path, pattern: str) -> list[tuple[str, int, int]]:
    """Each file's name, size and time of change: a changed file changes the fingerprint."""
    found = []
    for path in sorted(folder.rglob(pattern)):
        info = path.stat()
        found.append((str(path.relative_to(folder)), info.st_size, info.st_mtime_ns))
    return found


def _tree(folder: Path) -> list[tuple[str, bytes]]:
    """Every file under FOLDER with its content (templates and their translations)."""
    if not folder.is_dir():
        return []
    return [
        (str(p.relative_to(folder)), hashlib.sha256(p.read_bytes()).digest())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return f"{name} {metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name} -"


def _zone_data(key: str) -> bytes:
    """The time zone's data as zoneinfo reads it (the system's, else the tzdata package's)."""
    if not ZONE_KEY.fullmatch(key):
        return b"?" + key.encode("utf-8", "surrogatepass")
    import zoneinfo

    for root in zoneinfo.TZPATH:
        path = os.path.join(root, key)
        if os.path.isfile(path):
            return Path(path).read_bytes()
    try:
        from importlib import resources

        return resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).read_bytes()
    except (ImportError, OSError):
        return b"-"
