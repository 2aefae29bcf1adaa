"""Importing a member CSV: all rows or none, streamed from the file in batches.

Each row is checked as it is read and matched against the database (new, update, or
conflict); good rows are written a batch at a time inside the import's one transaction
(see bulk.py), and the first problem stops the writing while the reading goes on, so that
every problem is reported with its line number and the transaction is rolled back. Only
what that rule needs is kept: the e-mails and ids seen (for duplicates) and the first
problems (as many as the message shows, and how many there are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from peerkit.errors import PeerkitError
from peerkit.models import Member
from peerkit.services.members import bulk
from peerkit.services.members.cells import MISSING
from peerkit.services.members.csvio import Batch, Reader
from peerkit.services.members.source import MAX_BYTES

MAX_ERRORS_SHOWN = 50


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_error(errors: list[str], total: int | None = None) -> PeerkitError:
    """The refusal: the first problems, and how many more there are (of `total`)."""
    count = len(errors) if total is None else total
    shown = errors[:MAX_ERRORS_SHOWN]
    more = count - len(shown)
    details = shown + ([f"... and {more} more"] if more else [])
    noun = "problem" if count == 1 else "problems"
    return PeerkitError(
        f"nothing was imported: the file has {count} {noun}. Fix them and run again:",
        details=details,
    )


@dataclass
class Problems:
    """The problems found so far: the first MAX_ERRORS_SHOWN of each kind, and their count.

    Rows are checked in the order of the file, so each list is in the order of its lines.
    Duplicates are listed after the other problems when there is no database yet (they were
    found once the whole file had been read) and in line order otherwise.
    """

    duplicates_last: bool
    first: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, message: str, *, duplicate: bool = False) -> None:
        found = self.duplicates if duplicate and self.duplicates_last else self.first
        self.count += 1
        if len(found) < MAX_ERRORS_SHOWN:
            found.append(message)

    def error(self) -> PeerkitError:
        return import_error(self.first + self.duplicates, self.count)


class Existing:
    """The members already in the database: id -> e-mail, and e-mail -> id."""

    def __init__(self, pairs: list[tuple[int, str | None]]) -> None:
        self.ids = dict(pairs)
        self.by_email = {email: mid for mid, email in pairs if email}

    @classmethod
    def load(cls, session: Session) -> Existing:
        found = session.exec(select(col(Member.id), col(Member.email)))
        return cls([(mid, email) for mid, email in found if mid is not None])


class Import:
    """One `member import`: the file, its checks, and what is written, batch by batch.

    Without a database yet (`stored` False) `check` reads the whole file first, so a file
    with problems does not create one; rows then wait in a spool until `apply`.
    """

    def __init__(
        self,
        path: Path,
        today: date,
        *,
        update: bool,
        stored: bool,
        dry_run: bool = False,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.reader = Reader(path, today, update=update and stored, max_bytes=max_bytes)
        self.update, self.dry_run = update, dry_run
        self.problems = Problems(duplicates_last=not stored)
        self._checked = False
        self._emails: dict[str, int] = {}
        self._ids: dict[int, int] = {}
        self._encode = bulk.Encoder(today)
        self._target = bulk.Target()
        # Rows without an id take the next free ids, so they go in after every explicit id.
        has_ids = "id" in self.reader.columns
        self._with_id = bulk.Sink(("id", *bulk.INSERT_COLUMNS), hold=False)
        self._without_id = bulk.Sink(bulk.INSERT_COLUMNS, hold=has_ids)
        self._updated: list[int] = []

    def __enter__(self) -> Import:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.reader.close()
        self._with_id.close()
        self._without_id.close()

    def check(self) -> None:
        """Read and check every row before any database exists; the first problem raises."""
        self._read(Existing([]))
        self._checked = True
        if self.problems.count:
            raise self.problems.error()

    def apply(self, session: Session, defaults: dict[str, str]) -> ImportResult:
        """Read what is left of the file into the database: all of it, or nothing."""
        self._target.attach(session, defaults)
        if not self._checked:
            self._read(Existing.load(session))
        if self.problems.count:
            raise self.problems.error()
        result = ImportResult(
            created=self._with_id.count + self._without_id.count,
            updated=len(self._updated),
        )
        if self.dry_run:
            return result
        self._with_id.drain(self._target)
        if self._with_id.count:
            bulk.sync_sequence(session)
        self._without_id.drain(self._target)
        bulk.record_history(session, self._updated)
        return result

    def _read(self, existing: Existing) -> None:
        for batch in self.reader:
            found = [(line, message, False) for line, message in batch.problems]
            plan = self._match(batch, existing, found)
            found.sort(key=lambda problem: problem[0])  # stable: a line's problems keep order
            for _line, message, duplicate in found:
                self.problems.add(message, duplicate=duplicate)
            if self.problems.count == 0:
                self._queue(batch, plan)
            else:  # nothing will be written: let the spools go
                self._with_id.close()
                self._without_id.close()

    def _match(self, batch: Batch, existing: Existing, found: list[Problem]) -> Plan:
        """Each good row: new, an update of a member, or a problem (added to `found`)."""
        plan = self._all_new(batch, existing)
        if plan is not None:
            return plan
        plan = Plan()
        size = len(batch.lines)
        ids = batch.values.get("id") or [MISSING] * size
        names = batch.values.get("name") or [MISSING] * size
        rows = zip(batch.lines, batch.values["email"], ids, names, strict=True)
        for i, (line, email, found_id, name) in enumerate(rows):
            row_id = None if found_id is MISSING else found_id
            target, problem = _target(line, email, row_id, existing, self.update)
            if target is None and name is MISSING:
                problem = f"line {line}: name: a new member needs a name."
            if problem:
                found.append((line, problem, False))
            self._duplicates(line, email, row_id, found)
            if problem:
                continue
            if target is None:
                (plan.new if row_id is None else plan.new_with_id).append(i)
            else:
                plan.changed.append((i, target))
        return plan

    def _all_new(self, batch: Batch, existing: Existing) -> Plan | None:
        """The plan of a batch of new members, all with an id or all without; else None.

        Whole columns at a time: no e-mail or id is in the database, on an earlier line or
        twice in the batch, and every row has a name. Anything else goes row by row.
        """
        emails, size = batch.values["email"], len(batch.lines)
        ids = batch.values.get("id") or [MISSING] * size
        without = ids.count(MISSING)
        if (
            without not in (0, size)
            or MISSING in batch.values.get("name", (MISSING,))
            or len(set(emails)) != size
            or not existing.by_email.keys().isdisjoint(emails)
            or not self._emails.keys().isdisjoint(emails)
        ):
            return None
        everyone = list(range(size))
        if without:
            self._emails.update(zip(emails, batch.lines, strict=True))
            return Plan(new=everyone)
        if (
            len(set(ids)) != size
            or not existing.ids.keys().isdisjoint(ids)
            or not self._ids.keys().isdisjoint(ids)
        ):
            return None
        self._emails.update(zip(emails, batch.lines, strict=True))
        self._ids.update(zip(ids, batch.lines, strict=True))
        return Plan(new_with_id=everyone)

    def _queue(self, batch: Batch, plan: Plan) -> None:
        """Write (or spool) the batch's new members and updates; in a dry run, count them."""
        self._updated.extend(target for _i, target in plan.changed)
        if self.dry_run:
            self._with_id.count += len(plan.new_with_id)
            self._without_id.count += len(plan.new)
            return
        size = len(batch.lines)
        if plan.new:
            take = None if len(plan.new) == size else plan.new
            self._without_id.add(self._encode.rows(batch.values, take), self._target)
        if plan.new_with_id:
            take = None if len(plan.new_with_id) == size else plan.new_with_id
            rows = self._encode.rows(batch.values, take, with_id=True)
            self._with_id.add(rows, self._target)
        if plan.changed and self._target.session is not None:
            updates = [(target, batch.row(i)) for i, target in plan.changed]
            bulk.update(self._target.session, updates)

    def _duplicates(self, line: int, email: str, row_id: int | None, found: list[Problem]) -> None:
        """The same e-mail or id on an earlier line of the file."""
        first = self._emails.setdefault(email, line)
        if first != line:
            found.append((line, f"line {line}: email: {email} is also on line {first}.", True))
        if row_id is not None:
            first = self._ids.setdefault(row_id, line)
            if first != line:
                found.append((line, f"line {line}: id: {row_id} is also on line {first}.", True))


Problem = tuple[int, str, bool]  # (line, message, whether it is a duplicate)


@dataclass
class Plan:
    """What to do with a batch's good rows, by their place in it."""

    new: list[int] = field(default_factory=list)
    new_with_id: list[int] = field(default_factory=list)
    changed: list[tuple[int, int]] = field(default_factory=list)  # (place, member id)


def _target(
    line: int, email: str, row_id: int | None, existing: Existing, update: bool
) -> tuple[int | None, str | None]:
    """(None, None): insert; (id, None): update that member; (-1, problem): refused."""
    owner = existing.by_email.get(email)
    if row_id is not None and row_id in existing.ids:
        if not update:
            return -1, f"line {line}: id: member #{row_id} already exists; {_USE_UPDATE}"
        if owner is not None and owner != row_id:
            return -1, f"line {line}: email: {email} belongs to member #{owner}, not #{row_id}."
        return row_id, None
    if owner is not None:
        if not update:
            return -1, f"line {line}: email: {email} is already member #{owner}; {_USE_UPDATE}"
        if row_id is not None:
            return -1, f"line {line}: id: {email} is member #{owner}, not #{row_id}."
        return owner, None
    return None, None


_USE_UPDATE = "use --update to change it."
