"""Mentoring: matching mentors' skills to mentees' needs, and the mentorships that follow.

`match` is an optimal assignment, not a greedy pass. Every mentor offers as many seats as
their free capacity; every mentee with open needs is a row. A pair that covers at least one
open need weighs BIG + quality, where BIG exceeds any possible sum of qualities: the
maximum-weight assignment (scipy's linear_sum_assignment) therefore serves as many mentees
as can be served at all, and among those assignments picks the best pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

from peerkit.enums import CheckinStatus, MemberStatus, Stage
from peerkit.errors import Conflict, InvalidValue
from peerkit.models import Member, MentorCheckin, Mentorship, id_of, utcnow
from peerkit.services.common import lookup, validate
from peerkit.services.members import profiles as members_svc


@dataclass(frozen=True)
class Mentor:
    id: int
    skills: frozenset[str]
    seats: int
    stage: int | None = None


@dataclass(frozen=True)
class Mentee:
    id: int
    needs: frozenset[str]  # the open ones
    stage: int | None = None


@dataclass(frozen=True)
class Pair:
    mentor: int
    mentee: int
    topics: tuple[str, ...]
    score: float


def quality(mentor: Mentor, mentee: Mentee) -> float:
    """0..1: 0.8 x the share of open needs covered + 0.2 x how far ahead the mentor is.

    Ahead means a later business stage (1), the same or unknown (0.5), behind (0).
    Zero when the mentor covers none of the needs.
    """
    covered = len(mentor.skills & mentee.needs)
    if not covered or not mentee.needs:
        return 0.0
    if mentor.stage is None or mentee.stage is None or mentor.stage == mentee.stage:
        ahead = 0.5
    else:
        ahead = 1.0 if mentor.stage > mentee.stage else 0.0
    return round(0.8 * covered / len(mentee.needs) + 0.2 * ahead, 4)


def assign(
    mentors: list[Mentor], mentees: list[Mentee], active: set[tuple[int, int]] | None = None
) -> list[Pair]:
    """The optimal pairs: most mentees served, then the highest total quality."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    active = active or set()
    seats = [m for m in mentors for _ in range(max(0, m.seats))]
    if not seats or not mentees:
        return []
    weights = np.zeros((len(mentees), len(seats)))
    big = len(mentees) + 1.0
    for r, mentee in enumerate(mentees):
        for c, mentor in enumerate(seats):
            if mentor.id == mentee.id or (mentor.id, mentee.id) in active:
                continue
            q = quality(mentor, mentee)
            if q > 0:
                weights[r, c] = big + q
    rows, cols = linear_sum_assignment(weights, maximize=True)
    pairs = []
    for r, c in zip(rows, cols, strict=True):
        if weights[r, c] > 0:
            mentor, mentee = seats[c], mentees[r]
            topics = tuple(sorted(mentor.skills & mentee.needs))
            pairs.append(Pair(mentor.id, mentee.id, topics, quality(mentor, mentee)))
    return sorted(pairs, key=lambda p: (p.mentee, p.mentor))


# --- the database side ----------------------------------------------------------------------


STAGES = list(Stage)  # in order: a stage's index is how far along it is


def _stage(member: Member) -> int | None:
    return None if member.stage is None else STAGES.index(member.stage)


def active_mentorships(session: Session) -> list[Mentorship]:
    query = select(Mentorship).where(col(Mentorship.ended).is_(None)).order_by(col(Mentorship.id))
    return list(session.exec(query))


def _topics(text: str | None) -> set[str]:
    """Topics as written in a mentorship: separated by commas or semicolons, any case."""
    return {t.strip().lower() for t in re.split(r"[,;]", text or "") if t.strip()}


def candidates(session: Session, today: date) -> tuple[list[Mentor], list[Mentee]]:
    """Active members as mentors (free seats) and mentees (needs no mentorship covers yet)."""
    people = list(
        session.exec(
            select(Member)
            .where(members_svc.status_clause(MemberStatus.ACTIVE, today))
            .order_by(col(Member.id))
        )
    )
    current = active_mentorships(session)
    taken: dict[int, int] = {}
    covered: dict[int, set[str]] = {}
    for m in current:
        taken[m.mentor_id] = taken.get(m.mentor_id, 0) + 1
        covered.setdefault(m.mentee_id, set()).update(_topics(m.topic))
    mentors: list[Mentor] = []
    mentees: list[Mentee] = []
    for p in people:
        pid = id_of(p)
        seats = p.mentor_capacity - taken.get(pid, 0)
        if seats > 0 and p.skills:
            mentors.append(Mentor(pid, frozenset(p.skills), seats, _stage(p)))
        needs = set(p.needs) - covered.get(pid, set())
        if needs:
            mentees.append(Mentee(pid, frozenset(needs), _stage(p)))
    return mentors, mentees


def match(session: Session, today: date) -> dict[str, Any]:
    """The proposal in the shape of the JSON contract."""
    mentors, mentees = candidates(session, today)
    active = {(m.mentor_id, m.mentee_id) for m in active_mentorships(session)}
    pairs = assign(mentors, mentees, active)
    served = {p.mentee for p in pairs}
    unmatched = [
        {
            "member": e.id,
            "need": ", ".join(sorted(e.needs)),
            "reason": _why_unmatched(e, mentors, active),
        }
        for e in mentees
        if e.id not in served
    ]
    return {
        "pairs": [
            {"mentor": p.mentor, "mentee": p.mentee, "topics": list(p.topics), "score": p.score}
            for p in pairs
        ],
        "unmatched": unmatched,
    }


def _why_unmatched(mentee: Mentee, mentors: list[Mentor], active: set[tuple[int, int]]) -> str:
    able = [
        m
        for m in mentors
        if m.id != mentee.id and m.skills & mentee.needs and (m.id, mentee.id) not in active
    ]
    if not able:
        return "no mentor with free seats has these skills"
    return "the mentors who have these skills are taken by mentees only they can serve"


def apply(session: Session, proposal: dict[str, Any], today: date) -> list[Mentorship]:
    made = []
    for pair in proposal["pairs"]:
        item = Mentorship(
            mentor_id=pair["mentor"],
            mentee_id=pair["mentee"],
            topic=", ".join(pair["topics"]) or None,
            started=today,
            score=pair["score"],
        )
        session.add(item)
        made.append(item)
    session.flush()
    for item, pair in zip(made, proposal["pairs"], strict=True):
        pair["id"] = item.id
    return made


def pair(
    session: Session, mentor: Member, mentee: Member, topic: str | None, today: date
) -> tuple[Mentorship, list[str]]:
    """A mentorship the organiser chose; returns it and any warnings."""
    if mentor.id == mentee.id:
        raise InvalidValue("a member cannot mentor themselves.")
    for who in (mentor, mentee):
        if members_svc.effective_status(who, today) != MemberStatus.ACTIVE:
            raise Conflict(f"{members_svc.describe(who)} is not active.")
    existing = session.exec(
        select(Mentorship).where(
            Mentorship.mentor_id == mentor.id,
            Mentorship.mentee_id == mentee.id,
            col(Mentorship.ended).is_(None),
        )
    ).first()
    if existing is not None:
        raise Conflict(f"{mentor.name} already mentors {mentee.name} (mentorship {existing.id}).")
    text = validate.optional_line(topic, "the topic")
    topics = _topics(text) or (set(mentor.skills) & set(mentee.needs))
    warnings = []
    load = sum(1 for m in active_mentorships(session) if m.mentor_id == mentor.id)
    if load >= mentor.mentor_capacity:
        warnings.append(
            f"{mentor.name} now mentors {load + 1}, above their capacity of "
            f"{mentor.mentor_capacity}."
        )
    score = quality(
        Mentor(id_of(mentor), frozenset(mentor.skills), 1, _stage(mentor)),
        Mentee(id_of(mentee), frozenset(mentee.needs), _stage(mentee)),
    )
    item = Mentorship(
        mentor_id=id_of(mentor),
        mentee_id=id_of(mentee),
        topic=text or (", ".join(sorted(topics)) or None),
        started=today,
        score=score,
    )
    session.add(item)
    session.flush()
    return item, warnings


def resolve(session: Session, ref: str) -> Mentorship:
    """A mentorship by id."""
    return lookup.find(session, FINDER, ref)


FINDER = lookup.Finder(Mentorship, "mentorship", "peerkit mentor list")


def end(session: Session, item: Mentorship, today: date) -> list[int]:
    """End a mentorship; its planned check-ins from today on are cancelled (their ids)."""
    if item.ended is not None:
        raise Conflict(f"mentorship {item.id} already ended on {item.ended.isoformat()}.")
    item.ended = today
    session.add(item)
    cancelled: list[int] = []
    for checkin in session.exec(
        select(MentorCheckin).where(
            MentorCheckin.mentorship_id == item.id,
            MentorCheckin.status == CheckinStatus.PLANNED,
        )
    ):
        if checkin.start.astimezone(ZoneInfo(checkin.timezone)).date() >= today:
            checkin.status = CheckinStatus.CANCELLED
            checkin.sequence += 1
            checkin.updated_at = utcnow()
            session.add(checkin)
            cancelled.append(id_of(checkin))
    return cancelled


def listing(session: Session, include_ended: bool = False) -> list[Mentorship]:
    query = select(Mentorship).order_by(col(Mentorship.id))
    if not include_ended:
        query = query.where(col(Mentorship.ended).is_(None))
    return list(session.exec(query))


def of_member(session: Session, member_id: int) -> list[Mentorship]:
    query = select(Mentorship).where(
        or_(Mentorship.mentor_id == member_id, Mentorship.mentee_id == member_id)
    )
    return list(session.exec(query))


def to_dict(item: Mentorship) -> dict[str, Any]:
    return {
        "id": item.id,
        "mentor": item.mentor_id,
        "mentee": item.mentee_id,
        "topic": item.topic,
        "started": item.started.isoformat(),
        "ended": item.ended.isoformat() if item.ended else None,
        "score": item.score,
    }
