"""The SQLModel tables, each mapped when a command first uses it.

Every change here needs an Alembic migration (tests compare them).

`from peerkit.models import Member` maps the member table (and the tables its foreign keys
name) and nothing else: mapping all twenty tables costs about 60 ms, a sixth of a command
that lists twelve members (issue 19). Whatever needs every table (creating the schema,
comparing it with the migrations, copying a database, erasing a person everywhere) calls
`load_all()` first and then reads `SQLModel.metadata`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData
from sqlmodel import SQLModel

from peerkit.models._base import EnumText as EnumText
from peerkit.models._base import HasId as HasId
from peerkit.models._base import UTCDateTime as UTCDateTime
from peerkit.models._base import id_of as id_of
from peerkit.models._base import one_of as one_of
from peerkit.models._base import stored_as as stored_as
from peerkit.models._base import utcnow as utcnow

if TYPE_CHECKING:
    from peerkit.models.access_group import AccessGroup as AccessGroup
    from peerkit.models.access_login import AccessLogin as AccessLogin
    from peerkit.models.answer import Answer as Answer
    from peerkit.models.attendance import Attendance as Attendance
    from peerkit.models.change_log import ChangeLog as ChangeLog
    from peerkit.models.commitment import Commitment as Commitment
    from peerkit.models.community import Community as Community
    from peerkit.models.community_break import Break as Break
    from peerkit.models.delivery import Delivery as Delivery
    from peerkit.models.event import Event as Event
    from peerkit.models.group import Group as Group
    from peerkit.models.hot_seat import HotSeat as HotSeat
    from peerkit.models.meeting import Meeting as Meeting
    from peerkit.models.member import Member as Member
    from peerkit.models.member_history import MemberHistory as MemberHistory
    from peerkit.models.membership import Membership as Membership
    from peerkit.models.mentor_checkin import MentorCheckin as MentorCheckin
    from peerkit.models.mentorship import Mentorship as Mentorship
    from peerkit.models.pair_rule import PairRule as PairRule
    from peerkit.models.rsvp import Rsvp as Rsvp

# Each table's class and the module that maps it.
HOMES: dict[str, str] = {
    "Community": "community",
    "Member": "member",
    "MemberHistory": "member_history",
    "Group": "group",
    "Membership": "membership",
    "Meeting": "meeting",
    "HotSeat": "hot_seat",
    "Attendance": "attendance",
    "Commitment": "commitment",
    "Delivery": "delivery",
    "Break": "community_break",
    "Mentorship": "mentorship",
    "MentorCheckin": "mentor_checkin",
    "PairRule": "pair_rule",
    "Event": "event",
    "Rsvp": "rsvp",
    "Answer": "answer",
    "AccessLogin": "access_login",
    "AccessGroup": "access_group",
    "ChangeLog": "change_log",
}


def __getattr__(name: str) -> Any:
    """A table's class, mapped on first use (PEP 562)."""
    home = HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *HOMES})


def load_all() -> MetaData:
    """Map every table; SQLModel.metadata, returned, then holds the whole schema."""
    for name in HOMES:
        __getattr__(name)
    return SQLModel.metadata
