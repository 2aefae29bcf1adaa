"""SQLModel tables. Every change here needs an Alembic migration (tests compare them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Protocol

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel
from sqlmodel._compat import SQLModelConfig

from peerkit import rowversions
from peerkit.columns import EnumText as EnumText
from peerkit.columns import UTCDateTime as UTCDateTime
from peerkit.columns import one_of as one_of
from peerkit.columns import stored_as as stored_as
from peerkit.columns import utcnow as utcnow
from peerkit.defaults import GROUP
from peerkit.enums import (
    AccessRole,
    AnswerAbout,
    AnswerKind,
    AnswerSource,
    AttendanceStatus,
    Cadence,
    CheckinStatus,
    CommitmentStatus,
    DeliveryKind,
    EventKind,
    EventStatus,
    GroupKind,
    GroupStatus,
    MeetingStatus,
    MemberStatus,
    OnHoliday,
    PairRuleKind,
    Role,
    RsvpStatus,
    Stage,
)

# Named constraints, so that batch migrations on SQLite can find them again.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _empty() -> list[str]:
    """A new empty list. (A Python function, not `list`: pydantic reads the signature of a
    default factory, and a builtin's costs a tokenizer run, ~5 ms at start-up.)"""
    return []


def _task_uid() -> str:
    """A new commitment's UID, as a meeting's: random, kept for ever (its task in calendars).

    A version-4 UUID from its own random bytes, not from `uuid.uuid4`, which a test pins to
    number the meetings' UIDs: a commitment made between two meetings leaves them as they are.
    """
    import secrets
    import uuid

    return f"{uuid.UUID(bytes=secrets.token_bytes(16), version=4)}@peerkit"


def _today() -> date:
    """Today's date (a Python function, not `date.today`: see `_empty`)."""
    return date.today()


class _Table(SQLModel):
    """The base of every table: pydantic builds a table's validator when one is first used.

    A table model is never validated on construction (SQLModel sets its attributes as they
    are), and the commands validate input with their own rules, so building a validator and
    serialiser for each of the tables when this module is imported (~10 ms, issue 19) is
    deferred: pydantic builds one on a table's first model_validate or model_dump.
    """

    model_config = SQLModelConfig(defer_build=True)


class HasId(Protocol):
    id: int | None


def id_of(row: HasId) -> int:
    """The id of a row that has been flushed (an unflushed row has none yet: a bug)."""
    assert row.id is not None, f"{type(row).__name__} has no id yet: flush it first"
    return row.id


class Community(_Table, table=True):
    """The community this database belongs to (a single row)."""

    __tablename__: ClassVar[Any] = "community"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("community")

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="My community")
    timezone: str = Field(default="UTC")
    locale: str = Field(default="en")
    organiser_name: str | None = Field(default=None)
    organiser_email: str | None = Field(default=None)
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # the countries (and regions) whose public holidays planning respects: "IT,GB-ENG"
    holidays: str | None = Field(default=None)
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("community"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Member(_Table, table=True):
    """A person in the community. Forgotten members keep only their id and dates."""

    __tablename__: ClassVar[Any] = "member"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("member")
    __table_args__ = (one_of("status", MemberStatus), one_of("stage", Stage))

    id: int | None = Field(default=None, primary_key=True)
    name: str
    email: str | None = Field(default=None, unique=True)
    timezone: str = Field(default="UTC")
    locale: str = Field(default="en")
    skills: list[str] = Field(default_factory=_empty, sa_column=Column(JSON, nullable=False))
    needs: list[str] = Field(default_factory=_empty, sa_column=Column(JSON, nullable=False))
    stage: Stage | None = Field(default=None, sa_type=stored_as(Stage))
    industry: str | None = Field(default=None)
    bio: str | None = Field(default=None)
    availability: list[str] = Field(default_factory=_empty, sa_column=Column(JSON, nullable=False))
    mentor_capacity: int = Field(default=0)
    status: MemberStatus = Field(
        default=MemberStatus.ACTIVE, index=True, sa_type=stored_as(MemberStatus)
    )
    paused_until: date | None = Field(default=None)
    joined: date = Field(default_factory=_today)
    left_on: date | None = Field(default=None)
    forgotten_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("member"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def status_on(self, today: date) -> MemberStatus:
        """The status in force on TODAY: a pause with an end date is over on that date."""
        paused = self.status == MemberStatus.PAUSED
        if paused and self.paused_until is not None and self.paused_until <= today:
            return MemberStatus.ACTIVE
        return self.status

    def describe(self) -> str:
        """How messages name a member: '#7 Giulia Rossi <giulia@example.com>'."""
        email = f" <{self.email}>" if self.email else ""
        return f"#{self.id} {self.name}{email}"


class MemberHistory(_Table, table=True):
    """Status changes of a member: anonymous once the member is forgotten."""

    __tablename__: ClassVar[Any] = "member_history"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(
        sa_column=Column(
            sa.Integer,
            sa.ForeignKey("member.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    action: str
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- groups and their meetings --------------------------------------------------------


def _fk(target: str, *, ondelete: str = "CASCADE", nullable: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True
        ),
    )


class Group(_Table, table=True):
    """A small peer group that meets on a cadence, in its own time zone."""

    __tablename__: ClassVar[Any] = "peer_group"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("peer_group")
    __table_args__ = (
        one_of("kind", GroupKind),
        one_of("cadence", Cadence),
        one_of("status", GroupStatus),
        one_of("on_holiday", OnHoliday),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True)
    name: str
    kind: GroupKind = Field(default=GROUP.kind, sa_type=stored_as(GroupKind))
    cadence: Cadence = Field(default=GROUP.cadence, sa_type=stored_as(Cadence))
    day: int = Field(default=GROUP.day)  # 0 = Monday
    time: str = Field(default=GROUP.time)  # local wall-clock time, HH:MM
    timezone: str = Field(default="UTC")
    duration: int = Field(default=GROUP.duration)  # minutes
    location: str | None = Field(default=None)
    min_size: int = Field(default=GROUP.min_size)
    max_size: int = Field(default=GROUP.max_size)
    anchor: date  # the first meeting date: fixes the fortnight and the week of the month
    status: GroupStatus = Field(
        default=GroupStatus.ACTIVE, index=True, sa_type=stored_as(GroupStatus)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # a meeting on a holiday or in a break: skipped, or moved a day on or back
    on_holiday: OnHoliday = Field(
        default=OnHoliday.SKIP,
        sa_type=stored_as(OnHoliday),
        sa_column_kwargs={"server_default": OnHoliday.SKIP.value},
    )
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("peer_group"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Two or three slots ("tue 07:00", in the group's zone) its meetings take in turn (fair
    # hours across zones: services/groups/fairness.py); empty: every meeting at day and time.
    rotate_slots: list[str] = Field(default_factory=_empty, sa_column=Column(JSON, nullable=False))


class Membership(_Table, table=True):
    """A member's place in a group; kept (with left_on) when they leave it."""

    __tablename__: ClassVar[Any] = "membership"
    __table_args__ = (sa.UniqueConstraint("group_id", "member_id"), one_of("role", Role))

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = _fk("peer_group.id")
    member_id: int = _fk("member.id")
    role: Role = Field(default=Role.MEMBER, sa_type=stored_as(Role))
    rotates: bool = Field(default=False)  # opts in to facilitate and keep time in turn
    joined: date
    left_on: date | None = Field(default=None)


class Meeting(_Table, table=True):
    """One meeting of a group (the CLI calls it a session). Start is UTC plus the IANA zone."""

    __tablename__: ClassVar[Any] = "meeting"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("meeting")
    __table_args__ = (
        sa.UniqueConstraint("group_id", "slot_date"),
        one_of("status", MeetingStatus),
        # the reports find a group's held meetings from the index alone (migration 0008)
        sa.Index("ix_meeting_group_status_slot", "group_id", "status", "slot_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = _fk("peer_group.id")
    slot_date: date  # the cadence date this meeting stands for, even after a move
    start: datetime = Field(sa_type=UTCDateTime, index=True)
    timezone: str
    duration: int
    location: str | None = Field(default=None)
    status: MeetingStatus = Field(default=MeetingStatus.PLANNED, sa_type=stored_as(MeetingStatus))
    sequence: int = Field(default=0)
    uid: str = Field(unique=True)
    facilitator_id: int | None = _fk("member.id", ondelete="SET NULL", nullable=True)
    timekeeper_id: int | None = _fk("member.id", ondelete="SET NULL", nullable=True)
    notes: str | None = Field(default=None)
    cancel_reason: str | None = Field(default=None)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # what its invitations said at this SEQUENCE (services/groups/versions.py)
    content_hash: str | None = Field(default=None)
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("meeting"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class HotSeat(_Table, table=True):
    """A member's turn on the hot seat at a meeting."""

    __tablename__: ClassVar[Any] = "hot_seat"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _fk("meeting.id")
    member_id: int = _fk("member.id")
    position: int = Field(default=1)


class Attendance(_Table, table=True):
    """Who was present at a meeting, and who was not."""

    __tablename__: ClassVar[Any] = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "member_id"),
        one_of("status", AttendanceStatus),
        # the reports read a meeting's marks from the index alone (migration 0007)
        sa.Index("ix_attendance_meeting_member_status", "meeting_id", "member_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _fk("meeting.id")
    member_id: int = _fk("member.id")
    status: AttendanceStatus = Field(sa_type=stored_as(AttendanceStatus))


class Commitment(_Table, table=True):
    """What a member said they would do, carried to the next meeting until done or dropped."""

    __tablename__: ClassVar[Any] = "commitment"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("commitment")
    __table_args__ = (
        one_of("status", CommitmentStatus),
        # the reports count each member's commitments per group from the index (migration 0008)
        sa.Index("ix_commitment_group_member_status", "group_id", "member_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = _fk("member.id")
    meeting_id: int | None = _fk("meeting.id", ondelete="SET NULL", nullable=True)
    group_id: int | None = _fk("peer_group.id", ondelete="SET NULL", nullable=True)
    text: str
    due: date | None = Field(default=None)
    status: CommitmentStatus = Field(
        default=CommitmentStatus.OPEN, index=True, sa_type=stored_as(CommitmentStatus)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # the UID of its VTODO in members' calendars (calendar.todo), never changed
    uid: str = Field(default_factory=_task_uid, unique=True)
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("commitment"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def sequence(self) -> int:
        """Its version in calendars: 0 while open, 1 once done or dropped (which is final)."""
        return 0 if self.closed_at is None else 1

    @property
    def updated_at(self) -> datetime:
        """When it last changed (DTSTAMP and LAST-MODIFIED): made, or done or dropped."""
        return self.closed_at or self.created_at


class Delivery(_Table, table=True):
    """A message really sent to a member, so that a re-run never sends it twice."""

    __tablename__: ClassVar[Any] = "delivery"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "member_id", "kind", "sequence"),
        one_of("kind", DeliveryKind),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _fk("meeting.id")
    member_id: int = _fk("member.id")
    kind: DeliveryKind = Field(sa_type=stored_as(DeliveryKind))
    sequence: int = Field(default=0)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Break(_Table, table=True):
    """Days without meetings (from start to end, both included): of the whole community, or
    of one group (group_id)."""

    __tablename__: ClassVar[Any] = "community_break"
    __table_args__ = (sa.CheckConstraint("start_date <= end_date", name="dates"),)

    id: int | None = Field(default=None, primary_key=True)
    start_date: date = Field(index=True)
    end_date: date
    group_id: int | None = _fk("peer_group.id", nullable=True)
    reason: str | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- mentoring ------------------------------------------------------------------------


class Mentorship(_Table, table=True):
    """A mentor and a mentee working together on some topics, from `started` to `ended`."""

    __tablename__: ClassVar[Any] = "mentorship"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("mentorship")

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = _fk("member.id")
    mentee_id: int = _fk("member.id")
    topic: str | None = Field(default=None)
    started: date
    ended: date | None = Field(default=None)
    score: float | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("mentorship"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MentorCheckin(_Table, table=True):
    """A planned check-in of a mentorship: one calendar event for mentor and mentee."""

    __tablename__: ClassVar[Any] = "mentor_checkin"
    __table_args__ = (one_of("status", CheckinStatus),)

    id: int | None = Field(default=None, primary_key=True)
    mentorship_id: int = _fk("mentorship.id")
    start: datetime = Field(sa_type=UTCDateTime, index=True)
    timezone: str
    duration: int = Field(default=45)
    location: str | None = Field(default=None)
    status: CheckinStatus = Field(default=CheckinStatus.PLANNED, sa_type=stored_as(CheckinStatus))
    sequence: int = Field(default=0)
    uid: str = Field(unique=True)
    # The SEQUENCE last sent by e-mail to each of them, so that nothing is sent twice.
    mentor_sent: int | None = Field(default=None)
    mentee_sent: int | None = Field(default=None)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PairRule(_Table, table=True):
    """Two members `mentor match` and `group form` always put together (must) or never
    (never); `member_a` is the smaller id (services/members/pairing.py)."""

    __tablename__: ClassVar[Any] = "pair_rule"
    __table_args__ = (sa.UniqueConstraint("member_a", "member_b"), one_of("kind", PairRuleKind))

    id: int | None = Field(default=None, primary_key=True)
    member_a: int = _fk("member.id")
    member_b: int = _fk("member.id")
    kind: PairRuleKind = Field(sa_type=stored_as(PairRuleKind))
    note: str | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- events ---------------------------------------------------------------------------


class Event(_Table, table=True):
    """A networking event, workshop or social for the wider community, in its own zone."""

    __tablename__: ClassVar[Any] = "community_event"
    __mapper_args__: ClassVar[Any] = rowversions.mapper_args("community_event")
    __table_args__ = (one_of("kind", EventKind), one_of("status", EventStatus))

    id: int | None = Field(default=None, primary_key=True)
    title: str
    kind: EventKind = Field(default=EventKind.NETWORKING, sa_type=stored_as(EventKind))
    start: datetime = Field(sa_type=UTCDateTime, index=True)
    timezone: str
    duration: int = Field(default=120)
    location: str | None = Field(default=None)
    capacity: int | None = Field(default=None)  # None: no limit
    status: EventStatus = Field(default=EventStatus.PLANNED, sa_type=stored_as(EventStatus))
    sequence: int = Field(default=0)
    uid: str = Field(unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    description: str | None = Field(default=None)  # said in the invitations
    claim_hours: int | None = Field(default=None)  # hours to accept a seat from the waitlist
    cancel_reason: str | None = Field(default=None)  # said in the cancellation
    # who changed it last, when, and how many times (peerkit.rowversions; migration 0014)
    version: int = Field(default=1, sa_column=rowversions.version_column("community_event"))
    changed_by: str | None = Field(default=None)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Rsvp(_Table, table=True):
    """A member's answer to an event; the waitlist is served in order of `position`."""

    __tablename__: ClassVar[Any] = "rsvp"
    __table_args__ = (sa.UniqueConstraint("event_id", "member_id"), one_of("status", RsvpStatus))

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = _fk("community_event.id")
    member_id: int = _fk("member.id")
    status: RsvpStatus = Field(sa_type=stored_as(RsvpStatus))
    position: int  # order of the answers: the waitlist is promoted in this order
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    invited_sequence: int | None = Field(default=None)  # the invitation last sent, by SEQUENCE
    reminded_sequence: int | None = Field(default=None)  # the reminder last sent, by SEQUENCE
    # A seat offered from the waitlist: the deadline to accept it (from the event's claim_hours
    # when it was offered). Set while the offer is open (going), kept when it lapsed (declined),
    # None otherwise.
    offer_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The member's own versions of the event: +1 each time their invitation is withdrawn and
    # each time they get a seat again after that. Their messages carry SEQUENCE = the event's
    # SEQUENCE + this, so a withdrawal and a new invitation are each newer than the last.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


# --- answers --------------------------------------------------------------------------


class Answer(_Table, table=True):
    """What a member answered to an invitation (a meeting, a check-in or an event), from a
    reply to it: one row per member and invitation, the newest reply by SEQUENCE and DTSTAMP
    (services/replies)."""

    __tablename__: ClassVar[Any] = "answer"
    __table_args__ = (
        sa.UniqueConstraint("about", "about_id", "member_id"),
        one_of("about", AnswerAbout),
        one_of("answer", AnswerKind),
        one_of("source", AnswerSource),
    )

    id: int | None = Field(default=None, primary_key=True)
    about: AnswerAbout = Field(sa_type=stored_as(AnswerAbout))
    about_id: int  # the meeting's, check-in's or event's id (which table: `about`)
    member_id: int = _fk("member.id")
    answer: AnswerKind = Field(sa_type=stored_as(AnswerKind))
    sequence: int = Field(default=0)  # the SEQUENCE of the invitation answered
    dtstamp: datetime = Field(sa_type=UTCDateTime)  # when the member answered, as they say
    source: AnswerSource = Field(sa_type=stored_as(AnswerSource))
    message_id: str | None = Field(default=None)  # the reply's Message-ID, if it had one
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- who may do what (PostgreSQL) -----------------------------------------------------


class AccessLogin(_Table, table=True):
    """A database login and the person behind it, with their role: what `peerkit access grant`
    gave. On PostgreSQL the row-level security policies read it (login = current_user)."""

    __tablename__: ClassVar[Any] = "access_login"
    __table_args__ = (one_of("role", AccessRole),)

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True)  # the database role (PostgreSQL: current_user)
    name: str
    email: str | None = Field(default=None)
    role: AccessRole = Field(sa_type=stored_as(AccessRole))
    created_role: bool = Field(default=False)  # peerkit created the role: revoke drops it
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AccessGroup(_Table, table=True):
    """A group a facilitator's login may change."""

    __tablename__: ClassVar[Any] = "access_group"
    __table_args__ = (sa.UniqueConstraint("login_id", "group_id"),)

    id: int | None = Field(default=None, primary_key=True)
    login_id: int = _fk("access_login.id")
    group_id: int = _fk("peer_group.id")


# --- the change log -------------------------------------------------------------------


class ChangeLog(_Table, table=True):
    """One change to the community's record: who made it, when, and what it changed
    (services/common/changelog.py writes it in the same transaction as the change)."""

    __tablename__: ClassVar[Any] = "change_log"

    id: int | None = Field(default=None, primary_key=True)
    # newest first is by id (the order they were written in): `at` needs no index
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    by: str | None = Field(default=None)  # the actor's label, "Name <email>"
    by_email: str | None = Field(default=None)
    action: str  # create, change, delete, or a named action (forget, import)
    entity: str  # member, group, membership, meeting, ... (changelog.ENTITIES)
    entity_id: int | None = Field(default=None)
    # what the entry is about, for `peerkit log --member/--group` and for erasure: no foreign
    # key, an entry outlives the row it is about
    member_id: int | None = Field(default=None, index=True)
    group_id: int | None = Field(default=None, index=True)
    # the changed fields only (the whole row on create and delete)
    before: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    after: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
