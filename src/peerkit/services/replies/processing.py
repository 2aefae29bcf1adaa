"""Taking replies: each message read, matched to what it answers and to a member, checked,
and recorded, in one transaction; then what the answers change is written (`finish`).

A calendar reply (iTIP REPLY) gives one outcome per event in it; a plain e-mail one. A
message that cannot be read, or that answers nothing of peerkit's, gives an outcome too,
saying why: nothing is skipped in silence, and nothing raised by one message stops the
others: each message (each event of a calendar reply) is taken in a savepoint of its own,
and whatever it makes peerkit raise is its outcome (refused), with nothing of it kept. Only
a database that fails (locked, gone) stops the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session

from peerkit.enums import AnswerKind, AnswerSource
from peerkit.errors import PeerkitError
from peerkit.models import Meeting, id_of
from peerkit.services.common import schedule
from peerkit.services.groups import meetings as meetings_svc
from peerkit.services.groups import planning
from peerkit.services.outbox import delivery
from peerkit.services.outbox import week as week_svc
from peerkit.services.outbox.message import Message
from peerkit.services.replies import letters, phrases, recording
from peerkit.services.replies.letters import Attendee, Letter, Said
from peerkit.services.replies.outcome import (
    IGNORED,
    ITIP,
    MAIL,
    OTHER,
    REFUSED,
    UNCLEAR,
    Outcome,
    Source,
    Stop,
    ignored,
    refused,
    shown,
)
from peerkit.services.replies.targets import Lookup, Target, address_key, same_address

if TYPE_CHECKING:
    from peerkit.db import Database

ANSWERS = {
    "ACCEPTED": AnswerKind.ACCEPTED,
    "DECLINED": AnswerKind.DECLINED,
    "TENTATIVE": AnswerKind.TENTATIVE,
}
Roles = tuple[list[int], int | None, int | None]  # hot seats, facilitator, timekeeper


@dataclass
class WeekToWrite:
    """A group's week planned again after answers to its meeting(s): its files to write."""

    label: str  # YYYY-Www
    slug: str
    planned: planning.Week
    today: date
    outcomes: list[Outcome]  # the answers that changed it
    passed: bool  # a role passed on to someone else


@dataclass
class Letters:
    """Event messages after an answer: the invitation of a member who got a seat (or was
    offered one), the withdrawal of one who gave theirs up."""

    messages: list[Message]
    outcome: Outcome


class Processed(list[Outcome]):
    """The outcomes, in the order of the messages, and what is to be written once they are
    kept (`finish`)."""

    def __init__(self) -> None:
        super().__init__()
        self.weeks: list[WeekToWrite] = []
        self.letters: list[Letters] = []
        self.warnings: list[str] = []


@dataclass
class _Touched:
    """A meeting whose answers changed in this run, with its roles before."""

    meeting: Meeting
    roles: Roles
    outcomes: list[Outcome] = field(default_factory=list)
    declined: list[Outcome] = field(default_factory=list)


def process(
    session: Session,
    sources: Iterable[Source | tuple[str, bytes]],
    now: datetime,
    *,
    dry_run: bool,
) -> Processed:
    """Read and record each reply in SOURCES (a Source, or a (label, raw bytes) pair: one
    message each); meetings whose answers changed are planned again (their roles settled).
    Nothing is written to disk: `finish` does that once the transaction is kept."""
    taking = _Run(session, now, dry_run)
    for source in sources:
        taking.take(source)
    taking.settle()
    return taking.done


def run(
    db: Database,
    sources: Iterable[Source | tuple[str, bytes]],
    now: datetime,
    *,
    outbox: Path,
    dry_run: bool,
) -> Processed:
    """`process` in one transaction (a dry run: rolled back), then `finish` into OUTBOX."""
    if dry_run:
        with db.dry_run() as session:
            done = process(session, sources, now, dry_run=True)
            finish(done, outbox, dry_run=True)  # while its rows are still loaded
        return done
    with db.write() as session:
        done = process(session, sources, now, dry_run=False)
    finish(done, outbox, dry_run=False)
    return done


class _Run:
    def __init__(self, session: Session, now: datetime, dry_run: bool) -> None:
        self.session, self.now, self.dry_run = session, now, dry_run
        self.lookup = Lookup(session)
        self.done = Processed()
        self.touched: dict[int, _Touched] = {}

    def take(self, source: Source | tuple[str, bytes]) -> None:
        label = str(source[0])
        try:
            letter = letters.read(source)
        except Stop as stop:
            self.done.append(Outcome(label, OTHER, None, None, None, stop.action, stop.reason))
            return
        if letter.method in ("REPLY", "COUNTER"):
            self._calendar_reply(label, letter)
        elif letter.calendar_file:
            method = _word(letter.method)
            reason = f"a calendar that is no reply (METHOD {method})"
            self.done.append(Outcome(label, ITIP, None, None, None, IGNORED, reason))
        else:
            self._plain(label, letter)

    # --- calendar replies -----------------------------------------------------------------

    def _calendar_reply(self, label: str, letter: Letter) -> None:
        if letter.method == "COUNTER":
            reason = (
                "proposes another time (COUNTER): peerkit takes no counter-proposals; the "
                "organiser can move the meeting and invite again"
            )
            self.done.append(Outcome(label, ITIP, _sender(letter), None, None, REFUSED, reason))
            return
        for said in letter.events:
            outcome = Outcome(label, ITIP, _sender(letter), None, None, REFUSED, "")
            with self._alone(outcome):
                self._one_event(outcome, said, letter)
            self.done.append(outcome)

    def _one_event(self, outcome: Outcome, said: Said, letter: Letter) -> None:
        target = self.lookup.by_uid(said.uid, said.recurrence)
        outcome.target = target.label()
        attendee = _attendee(said, letter)
        outcome.member = outcome.member or shown(attendee.address)
        member = self.lookup.member(attendee.address)
        if member is None:
            raise refused(f"from {shown(attendee.address)}, the address of no member")
        outcome.member = member.describe()
        answer = ANSWERS.get(attendee.partstat)
        if answer is None:
            if attendee.partstat == "NEEDS-ACTION":
                raise ignored("says nothing yet (PARTSTAT NEEDS-ACTION)")
            raise refused(f"an answer peerkit does not take (PARTSTAT {_word(attendee.partstat)})")
        outcome.answer = answer
        stamp = said.dtstamp or letter.date
        if stamp is None:
            raise refused("no DTSTAMP and no Date: when they answered cannot be told")
        self._record(outcome, target, recording.Reply(
            target.about, target.row, member, answer, said.sequence, stamp, AnswerSource.ITIP,
            letter.message_id, series=target.series,
        ))  # fmt: skip

    # --- plain answers --------------------------------------------------------------------

    def _plain(self, label: str, letter: Letter) -> None:
        outcome = Outcome(label, MAIL, _sender(letter), None, None, IGNORED, "")
        with self._alone(outcome):
            self._plain_answer(outcome, letter)
        self.done.append(outcome)

    @contextmanager
    def _alone(self, outcome: Outcome) -> Iterator[None]:
        """Take one message (or one event of it) in a savepoint: a Stop is its OUTCOME, and
        so is anything else it makes peerkit raise (refused), with what it changed undone.
        A database that fails (locked, gone) is no message's doing: that stops the run."""
        try:
            with self.session.begin_nested():
                yield
        except Stop as stop:
            outcome.action, outcome.reason = stop.action, stop.reason
        except PeerkitError as err:
            outcome.action, outcome.reason = REFUSED, err.message.rstrip(".")
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:  # whatever a hostile message makes the code below raise
            outcome.action = REFUSED
            outcome.reason = (
                f"peerkit could not take it ({type(exc).__name__}); nothing of it is recorded"
            )

    def _plain_answer(self, outcome: Outcome, letter: Letter) -> None:
        if letter.automatic:
            raise ignored("an automatic reply (out of office or the like)")
        if not letters.answers_peerkit(letter.references):
            held = f"; it holds a calendar (METHOD {_word(letter.method)})" if letter.method else ""
            raise ignored(f"not a reply to a message from peerkit{held}")
        assert letter.sender is not None
        member = self.lookup.member(letter.sender)
        if member is None:
            raise refused(f"from {_sender(letter)}, the address of no member")
        outcome.member = member.describe()
        again = self.lookup.recorded(member, letter.message_id)
        found = (
            [again]
            if again is not None
            else self.lookup.by_message_ids(member, letter.in_reply_to, letter.references, self.now)
        )
        if not found:
            raise Stop(UNCLEAR, "answers a message from peerkit that is none of their "
                       "current invitations (an earlier version, or someone else's)")  # fmt: skip
        if len(found) > 1:
            outcome.target = ", ".join(f.target.label() for f in found)
            raise Stop(UNCLEAR, "answers several of peerkit's messages at once")
        target, sequence = found[0].target, found[0].sequence
        outcome.target = target.label()
        if found[0].cancel:
            raise ignored(
                "answers peerkit's cancellation (the invitation withdrawn or called off), not "
                "an invitation: a plain answer to it changes nothing"
            )
        line = letter.first_line
        if line is None:
            raise Stop(UNCLEAR, "no line of their own above the quoted message")
        answer = phrases.answer_in(line)
        if answer is None:
            raise Stop(UNCLEAR, f'cannot tell yes, no or maybe from "{shown(line)}"')
        outcome.answer = answer
        if letter.date is None:
            raise refused("no Date: when they answered cannot be told")
        self._record(outcome, target, recording.Reply(
            target.about, target.row, member, answer, sequence, letter.date, AnswerSource.MAIL,
            letter.message_id,
        ))  # fmt: skip

    # --- recording ------------------------------------------------------------------------

    def _record(self, outcome: Outcome, target: Target, reply: recording.Reply) -> None:
        session = self.session
        try:
            with session.begin_nested():
                recording.check(session, reply, self.now)
                done = recording.record(session, reply, self.now, dry_run=self.dry_run)
        except Stop as stop:
            outcome.action, outcome.reason = stop.action, stop.reason
            return
        except PeerkitError as err:  # what `event rsvp` refuses (a member who left...)
            outcome.action, outcome.reason = REFUSED, err.message.rstrip(".")
            return
        outcome.action, outcome.reason = done.action, done.reason
        if done.letters:
            self.done.letters.append(Letters(done.letters, outcome))
        if done.changed and isinstance(target.row, Meeting):
            touched = self._touch(target.row)
            touched.outcomes.append(outcome)
            if reply.answer == AnswerKind.DECLINED:
                touched.declined.append(outcome)

    def _touch(self, meeting: Meeting) -> _Touched:
        found = self.touched.get(id_of(meeting))
        if found is None:
            roles = (
                meetings_svc.hot_seat_ids(self.session, meeting),
                meeting.facilitator_id,
                meeting.timekeeper_id,
            )
            found = self.touched[id_of(meeting)] = _Touched(meeting, roles)
        return found

    def settle(self) -> None:
        """Plan again the week of each meeting whose answers changed, for its group only:
        a role held by someone not coming passes on (planning), and its files are to be
        written again."""
        today = self.now.astimezone().date()
        weeks: dict[tuple[str, int], list[_Touched]] = {}
        for touched in self.touched.values():
            key = (schedule.week_label(touched.meeting.slot_date), touched.meeting.group_id)
            weeks.setdefault(key, []).append(touched)
        for (label, group_id), items in weeks.items():
            planned = planning.plan(self.session, label, today=today, only={group_id})
            passed = False
            for touched in items:
                note = self._passed(touched, planned)
                if note:
                    passed = True
                    for outcome in touched.declined:
                        outcome.add(note)
            slug = planned.slots[0].group.slug if planned.slots else str(group_id)
            outcomes = [o for t in items for o in t.outcomes]
            self.done.weeks.append(WeekToWrite(label, slug, planned, today, outcomes, passed))

    def _passed(self, touched: _Touched, planned: planning.Week) -> str | None:
        """The roles that passed on at the meeting, in words (None: none did)."""
        slot = next((s for s in planned.slots if s.meeting is touched.meeting), None)
        if slot is None or slot.meeting is None:
            return None
        seats, facilitator, timekeeper = touched.roles
        after = slot.seat_ids
        newcomers = [i for i in after if i not in seats]
        names = meetings_svc.names(
            self.session,
            [i for i in (*newcomers, slot.meeting.facilitator_id, slot.meeting.timekeeper_id)
             if i is not None],
        )  # fmt: skip
        said = []
        if newcomers:
            said.append(f"the hot seat passes to {', '.join(names[i] for i in newcomers)}")
        elif any(i not in after for i in seats):
            said.append("nobody else can take the hot seat")
        for role, before, now in (
            ("facilitating", facilitator, slot.meeting.facilitator_id),
            ("keeping time", timekeeper, slot.meeting.timekeeper_id),
        ):
            if before != now:
                said.append(f"{role} passes to {names[now] if now is not None else 'nobody'}")
        return "; ".join(said) or None


def _attendee(said: Said, letter: Letter) -> Attendee:
    """The one ATTENDEE a reply speaks for, if it may: Stop when it speaks for someone else."""
    people: dict[str, Attendee] = {}
    for person in said.attendees:
        people.setdefault(address_key(person.address) or person.address, person)
    if not people:
        raise refused("names no ATTENDEE: whose answer it is cannot be told")
    if len(people) > 1:
        raise refused(f"speaks for {len(people)} attendees; a reply speaks for one")
    (person,) = people.values()
    if person.sent_by is not None:
        raise refused("sent on someone's behalf (SENT-BY); peerkit takes the member's own answer")
    if person.partstat == "DELEGATED" or person.delegated_to:
        raise refused("passes the invitation on to someone else (delegation): peerkit does not")
    if person.delegated_from:
        raise refused("comes from a delegate (DELEGATED-FROM): peerkit invites members only")
    if letter.sender is not None and not same_address(person.address, letter.sender):
        raise refused(f"speaks for {shown(person.address)} but comes from {_sender(letter)}")
    return person


def _sender(letter: Letter) -> str | None:
    """The sender's address as a reason shows it (at most a line)."""
    return shown(letter.sender) if letter.sender is not None else None


def _word(text: str | None) -> str:
    """A word from a message, shown only when it is a plain short word."""
    if text and len(text) <= 20 and text.replace("-", "").isalpha() and text.isascii():
        return text
    return "unknown"


# --- after the transaction ---------------------------------------------------------------


def finish(done: Processed, outbox: Path, *, dry_run: bool) -> None:
    """Write what the answers changed: a meeting's agenda (and, when a role passed on, its
    invitations) again where `plan week` wrote them under OUTBOX, or say to run it when
    they are not there; an event's messages to members who got or gave up a seat."""
    verb = "would write" if dry_run else "wrote"
    for week in done.weeks:
        folder = outbox / week.label / week.slug
        note = None
        if folder.is_dir():
            output = delivery.Output(folder=outbox, dry_run=dry_run)
            results = week_svc.write_week(week.planned, week.label, output, today=week.today)
            done.warnings.extend(output.warnings)
            changed = [f for r in results for f in r.files if f["status"] != "unchanged"]
            if changed:
                mails = sum(1 for f in changed if f["path"].endswith(".eml"))
                what = f"its agenda and {mails} invitation(s)" if mails else "its agenda"
                note = f"{verb} {what} again under {folder}"
        elif week.passed:
            note = (
                f"its files are not under {outbox}: write its agenda and invitations again "
                f"with peerkit plan week --week {week.label} (and the --out it had)"
            )
        if note:
            for outcome in week.outcomes:
                outcome.add(note)
    for letters_ in done.letters:
        folder = outbox / "events"
        delivery.check_folder(folder)
        paths = delivery.write(folder, letters_.messages, dry_run=dry_run)
        letters_.outcome.add(f"{verb} {len(paths)} message(s) under {folder}")
