"""The Answer table (peerkit.models loads it on first use)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from peerkit.enums import AnswerAbout, AnswerKind, AnswerSource
from peerkit.models import member  # noqa: F401  (the tables its foreign keys name)
from peerkit.models._base import UTCDateTime, _fk, _Table, one_of, stored_as, utcnow


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
