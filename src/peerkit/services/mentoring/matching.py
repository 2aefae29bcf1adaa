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
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

from peerkit.enums import (
    AnswerAbout,
    AnswerKind,
    CheckinStatus,
    MemberStatus,
    PairRuleKind,
    Stage,
)
from peerkit.errors import Conflict, InvalidValue
from peerkit.models import Answer, Member, MentorCheckin, Mentorship, id_of, utcnow
from peerkit.services.common import lookup, validate
from peerkit.services.members import pairing
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
    mentors: list[Mentor],
    mentees: list[Mentee],
    active: set[tuple[int, int]] | None = None,
    must: set[tuple[int, int]] | None = None,
) -> list[Pair]:
    """The optimal pairs: most must-pairs kept, then most mentees served, then the highest
    total quality. `active`: (mentor, mentee) never proposed; `must`: (smaller id, larger
    id) of two members to pair whichever mentors the other, when one covers a need."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    active = active or set()
    must = must or set()
    seats = [m for m in mentors for _ in range(max(0, m.seats))]
    if not seats or not mentees:
        return []
    weights = np.zeros((len(mentees), len(seats)))
    big = len(mentees) + 1.0
    first = (big + 1.0) * (len(mentees) + 1)  # more than every other pair together
    for r, mentee in enumerate(mentees):
        for c, mentor in enumerate(seats):
            if mentor.id == mentee.id or (mentor.id, mentee.id) in active:
                continue
            q = quality(mentor, mentee)
            if q > 0:
                weights[r, c] = big + q
                if pairing.pair_of(mentor.id, mentee.id) in must:
                    weights[r, c] += first
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


def match(session: Session, today: date, rules: pairing.Pairing | None = None) -> dict[str, Any]:
    """The proposal in the shape of the JSON contract, each pair and each left-out member
    with its reasons in words.

    Never proposed: an active pair, two members together in the last `rules.window` days
    (a mentorship of theirs, either way round, running on or after its first day) unless a
    must-pair names them, a never-pair. Benched: a member who declined their last check-in,
    unless confirmed.
    """
    rules = rules or pairing.Pairing(0, today)
    mentors, mentees = candidates(session, today)
    benched = _benched(session, today, {m.id for m in mentors} | {e.id for e in mentees}, rules)
    mentors = [m for m in mentors if m.id not in benched]
    mentees = [e for e in mentees if e.id not in benched]
    current = active_mentorships(session)
    active = {(m.mentor_id, m.mentee_id) for m in current}
    recent = _recent(session, rules) if rules.window else {}
    must = {k for k, r in rules.rules.items() if r.kind == PairRuleKind.MUST}
    blocked = set(active)
    for key, rule in rules.rules.items():
        if rule.kind == PairRuleKind.NEVER:
            blocked |= {key, key[::-1]}
    blocked |= {d for key in recent if key not in must for d in (key, key[::-1])}
    pairs = assign(mentors, mentees, blocked, must)
    served = {p.mentee for p in pairs}
    people = _people(session, {m.id for m in mentors} | {e.id for e in mentees} | set(benched))
    rules.names.update({i: m.name for i, m in people.items()})
    why = _Why(rules, mentors, recent, blocked, active, people, today)
    unmatched = [
        {"member": e.id, "need": ", ".join(sorted(e.needs)), "reason": why.unmatched(e)}
        for e in mentees
        if e.id not in served
    ]
    by_id = {e.id: e for e in mentees}
    return {
        "pairs": [
            {
                "mentor": p.mentor,
                "mentee": p.mentee,
                "topics": list(p.topics),
                "score": p.score,
                "reasons": why.pair(p, by_id[p.mentee]),
            }
            for p in pairs
        ],
        "unmatched": unmatched,
        "benched": [{"member": i, "reason": benched[i]} for i in sorted(benched)],
        "rules": why.rule_rows(pairs, benched),
        "window_days": rules.window,
    }


def _people(session: Session, ids: set[int]) -> dict[int, Member]:
    if not ids:
        return {}
    return {id_of(m): m for m in session.exec(select(Member).where(col(Member.id).in_(ids)))}


def _recent(session: Session, rules: pairing.Pairing) -> dict[pairing.Pair, date | None]:
    """Two members whose mentorship ran on or after the window's first day: the day it
    ended (None: it still runs)."""
    query = select(Mentorship).where(
        col(Mentorship.started) <= rules.today,
        or_(col(Mentorship.ended).is_(None), col(Mentorship.ended) >= rules.since()),
    )
    found: dict[pairing.Pair, date | None] = {}
    for m in session.exec(query):
        key = pairing.pair_of(m.mentor_id, m.mentee_id)
        if key in found and found[key] is None:
            continue
        before = found.get(key)
        found[key] = None if m.ended is None else max(m.ended, before or m.ended)
    return found


def _benched(
    session: Session, today: date, ids: set[int], rules: pairing.Pairing
) -> dict[int, str]:
    """Members who declined their last check-in before today (not confirmed): the reason."""
    before = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    query = (
        select(MentorCheckin, Mentorship.mentor_id, Mentorship.mentee_id)
        .join(Mentorship, col(Mentorship.id) == MentorCheckin.mentorship_id)
        .where(MentorCheckin.status == CheckinStatus.PLANNED, col(MentorCheckin.start) < before)
        .order_by(col(MentorCheckin.start), col(MentorCheckin.id))
    )
    last: dict[int, MentorCheckin] = {}
    for checkin, mentor_id, mentee_id in session.exec(query):
        for member in (mentor_id, mentee_id):
            if member in ids and member not in rules.confirmed:
                last[member] = checkin
    if not last:
        return {}
    declined = {
        (a.about_id, a.member_id)
        for a in session.exec(
            select(Answer).where(
                Answer.about == AnswerAbout.CHECKIN, Answer.answer == AnswerKind.DECLINED
            )
        )
    }
    out = {}
    for member, checkin in last.items():
        if (checkin.id, member) in declined:
            when = checkin.start.astimezone(ZoneInfo(checkin.timezone)).date()
            why = f"missed their last check-in on {pairing.day(when, today)} (they declined it)"
            out[member] = rules.bench(member, why)
    return out


HOURS_STEP = 15  # minutes: availability compared in quarter hours


def _hours_in_common(mentor: Member, mentee: Member, today: date) -> str | None:
    """'3 h a week in common' over the coming week, or None when either declared none."""
    from peerkit.services.formation import weekly

    if not mentor.availability or not mentee.availability:
        return None
    monday = today + timedelta(days=7 - today.weekday())
    masks = [
        weekly.mask(weekly.intervals(m.availability, m.timezone, "UTC", monday), HOURS_STEP)
        for m in (mentor, mentee)
    ]
    minutes = (masks[0] & masks[1]).bit_count() * HOURS_STEP
    if not minutes:
        return "no weekly hours in common in their declared availability"
    return f"{minutes / 60:g} h a week in common in their declared availability"


@dataclass
class _Why:
    """The words of a proposal: why each pair, why someone is left out, each rule's fate."""

    rules: pairing.Pairing
    mentors: list[Mentor]
    recent: dict[pairing.Pair, date | None]
    blocked: set[tuple[int, int]]
    active: set[tuple[int, int]]
    people: dict[int, Member]
    today: date

    def _history(self, a: int, b: int) -> str:
        """Why A and B are not paired again (a never-pair, or their recent mentorship)."""
        name = self.rules.name(a)
        rule = self.rules.rules.get(pairing.pair_of(a, b))
        if rule is not None and rule.kind == PairRuleKind.NEVER:
            return f"not with {name}: a never-pair ({rule.source()})"
        until = self.recent.get(pairing.pair_of(a, b))
        if until is None:
            return f"not with {name} again: still together"
        again = until + timedelta(days=self.rules.window + 1)
        return (
            f"not with {name} again: together until {pairing.day(until, self.today)} "
            f"(paired again from {pairing.day(again, self.today)})"
        )

    def _skipped(self, mentee: Mentee) -> list[Mentor]:
        """Mentors with a needed skill and a seat, kept from this mentee by a rule or history."""
        return [
            m
            for m in self.mentors
            if m.id != mentee.id
            and m.skills & mentee.needs
            and (m.id, mentee.id) in self.blocked
            and (m.id, mentee.id) not in self.active
        ]

    def pair(self, p: Pair, mentee: Mentee) -> list[str]:
        out = [f"covers {len(p.topics)} of {len(mentee.needs)} open needs: {', '.join(p.topics)}"]
        mentor_row, mentee_row = self.people[p.mentor], self.people[p.mentee]
        if mentor_row.stage and mentee_row.stage:
            if mentor_row.stage == mentee_row.stage:
                out.append(f"both at the {mentor_row.stage} stage")
            else:
                out.append(f"mentor at {mentor_row.stage}, mentee at {mentee_row.stage}")
        hours = _hours_in_common(mentor_row, mentee_row, self.today)
        if hours:
            out.append(hours)
        rule = self.rules.rules.get(pairing.pair_of(p.mentor, p.mentee))
        if rule is not None and rule.kind == PairRuleKind.MUST:
            out.append(f"a must-pair ({rule.source()})")
        out.extend(self._history(m.id, mentee.id) for m in self._skipped(mentee))
        return out

    def unmatched(self, mentee: Mentee) -> str:
        able = [m for m in self.mentors if m.id != mentee.id and m.skills & mentee.needs]
        if not able:
            return "no mentor with free seats has these skills"
        skipped = self._skipped(mentee)
        if len(skipped) == len(able) and skipped:
            return "; ".join(self._history(m.id, mentee.id) for m in skipped)
        return "the mentors who have these skills are taken by mentees only they can serve"

    def rule_rows(self, pairs: list[Pair], benched: dict[int, str]) -> list[dict[str, Any]]:
        made = {pairing.pair_of(p.mentor, p.mentee): p for p in pairs}
        rows = []
        for key in sorted(self.rules.rules):
            rule = self.rules.rules[key]
            a, b = (self.rules.name(i) for i in key)
            if rule.kind == PairRuleKind.NEVER:
                rows.append(self.rules.rule_row(rule, True, f"{a} and {b} are not paired"))
            elif key in made:
                p = made[key]
                words = f"{self.rules.name(p.mentor)} mentors {self.rules.name(p.mentee)}"
                rows.append(self.rules.rule_row(rule, True, words))
            elif key in self.active or key[::-1] in self.active:
                rows.append(self.rules.rule_row(rule, True, f"{a} and {b} are already paired"))
            else:
                rows.append(self.rules.rule_row(rule, False, self._why_not(key, benched)))
        return rows

    def _why_not(self, key: pairing.Pair, benched: dict[int, str]) -> str:
        """Why neither of two must-pair members could be proposed as the other's mentor."""
        for member in key:
            if member in benched:
                return f"{self.rules.name(member)} is benched"
        seats = {m.id: m for m in self.mentors}
        parts = []
        for mentor, mentee in (key, key[::-1]):
            row, other = self.people.get(mentor), self.people.get(mentee)
            name = self.rules.name(mentor)
            if row is None or other is None or mentor not in seats:
                parts.append(f"{name} has no free mentoring seat")
            elif not set(row.skills) & set(other.needs):
                parts.append(f"{name} has none of the skills {self.rules.name(mentee)} needs")
            else:
                parts.append(f"{name}'s seats went to mentees only they can serve")
        return "; ".join(parts)


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
