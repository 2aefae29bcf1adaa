"""The words the database stores: every status and kind, one StrEnum each.

A member compares equal to its string ("planned" == MeetingStatus.PLANNED) and is
written as that string, so stored data and JSON output read exactly as before. The
tables hold the same lists as CHECK constraints (peerkit.models, migration 0006).
Only the standard library here: the CLI imports it while parsing options.
"""

from __future__ import annotations

from enum import StrEnum


class MemberStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class Stage(StrEnum):
    """How far a member's business has come (optional)."""

    IDEA = "idea"
    EARLY = "early"
    GROWTH = "growth"
    ESTABLISHED = "established"


class GroupKind(StrEnum):
    MASTERMIND = "mastermind"
    ACCOUNTABILITY = "accountability"
    MENTORING = "mentoring"
    LEARNING = "learning"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class GroupStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class OnHoliday(StrEnum):
    """What a group's meeting does on a public holiday or in a break (group.on_holiday)."""

    SKIP = "skip"
    NEXT_DAY = "next-day"
    PREVIOUS_DAY = "previous-day"


class Role(StrEnum):
    """A member's role in a group (membership.role)."""

    MEMBER = "member"
    FACILITATOR = "facilitator"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"
    DONE = "done"  # attendance was taken


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"


class CommitmentStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class DeliveryKind(StrEnum):
    """What a recorded message to a member of a meeting was."""

    INVITE = "invite"
    CANCEL = "cancel"
    REMINDER = "reminder"


class PairRuleKind(StrEnum):
    """A saved rule about two members: always put together, or never."""

    MUST = "must"
    NEVER = "never"


class CheckinStatus(StrEnum):
    """A mentorship's planned check-in."""

    PLANNED = "planned"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    NETWORKING = "networking"
    WORKSHOP = "workshop"
    SOCIAL = "social"


class EventStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"


class RsvpStatus(StrEnum):
    GOING = "going"
    WAITLIST = "waitlist"
    DECLINED = "declined"


class AnswerAbout(StrEnum):
    """What a member's answer is about: the table whose row it concerns."""

    MEETING = "meeting"
    CHECKIN = "checkin"
    EVENT = "event"


class AnswerKind(StrEnum):
    """What a member answered to an invitation (iTIP PARTSTAT, or a plain reply)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class AnswerSource(StrEnum):
    """How an answer came: a calendar's iTIP REPLY, or a plain e-mail answer."""

    ITIP = "itip"
    MAIL = "mail"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The stored strings of an enum, in declaration order (for choices and messages)."""
    return tuple(member.value for member in enum)


class AccessRole(StrEnum):
    """What a database login may do (access_login.role; enforced on PostgreSQL)."""

    ORGANISER = "organiser"
    FACILITATOR = "facilitator"
    VIEWER = "viewer"
