"""`group form` and its history: who shared a group lately, the pair rules, who is benched.

The search sees all of it as one mapping, `adjust`: what two members together add to their
group's value (formation.Scorer). Two members who shared a group within the window cost
REPEAT, more than any move can gain in score, so the search keeps them apart whenever it
can place the same people another way; a never-pair costs far more, a must-pair is worth
MUST. Placing people still comes first (the search never leaves someone out to score
higher), so a repeat that remains is the price of placing everyone, and its group says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

from peerkit.defaults import FORMATION
from peerkit.enums import AttendanceStatus, GroupStatus, MeetingStatus, PairRuleKind
from peerkit.errors import Conflict
from peerkit.models import Attendance, Group, Meeting, Membership
from peerkit.services.members import pairing

REPEAT = 2.0 * FORMATION.max_group_size + 1  # more than a move's gain in size x score
MUST = 10 * REPEAT
NEVER = 100 * REPEAT
BENCH_AFTER = 2  # absent from this many of their last meetings: benched
SHOWN = 3  # pairs named in one of a group's reasons; the rest are counted


@dataclass(frozen=True)
class Together:
    group: str  # the group's name
    until: date | None  # the last day they shared it (None: they still do)


@dataclass
class History:
    rules: pairing.Pairing
    together: dict[pairing.Pair, Together] = field(default_factory=dict)
    benched: dict[int, str] = field(default_factory=dict)

    def adjust(self) -> dict[pairing.Pair, float]:
        """For the search: a recent pair costs REPEAT, a never-pair NEVER; a must-pair is
        worth MUST (and is never a cost, whatever their history)."""
        out = dict.fromkeys(self.together, -REPEAT)
        for key, rule in self.rules.rules.items():
            out[key] = -NEVER if rule.kind == PairRuleKind.NEVER else MUST
        return out

    def _shared(self, key: pairing.Pair) -> str:
        seen = self.together[key]
        if seen.until is None:
            return f"still together in {seen.group}"
        return f"together in {seen.group} until {pairing.day(seen.until, self.rules.today)}"

    def reasons(self, members: Sequence[int], groups: Sequence[Sequence[int]]) -> list[str]:
        """The group's words about history and rules: repeats it holds, pairs kept apart."""
        name = self.rules.name
        inside = set(members)
        where = {m: n for n, g in enumerate(groups) for m in g}
        out: list[str] = []
        repeats: list[str] = []
        kept_apart: list[str] = []
        for key in sorted(self.together.keys() | self.rules.rules.keys()):
            a, b = key
            rule = self.rules.rules.get(key)
            if a in inside and b in inside:
                if rule is not None and rule.kind == PairRuleKind.MUST:
                    out.append(f"{name(a)} and {name(b)}: a must-pair ({rule.source()})")
                elif rule is not None:
                    out.append(f"{name(a)} and {name(b)} together: a never-pair NOT kept")
                else:
                    repeats.append(f"{name(a)} and {name(b)} ({self._shared(key)})")
            elif (a in inside or b in inside) and where.get(b if a in inside else a) is not None:
                if rule is None:
                    kept_apart.append(f"{name(a)} not with {name(b)} again: {self._shared(key)}")
                elif rule.kind == PairRuleKind.NEVER:
                    kept_apart.append(f"{name(a)} kept from {name(b)}: a never-pair")
        if repeats:  # one line: a reshuffle of whole groups may hold many
            out.append(
                "together again, as no placement of the same people kept them apart: "
                + _some(repeats)
            )
        if len(kept_apart) == 1:
            out.append(kept_apart[0])
        elif kept_apart:
            out.append(f"{len(kept_apart)} recent pairs kept apart, e.g. {kept_apart[0]}")
        return out

    def left_out(self, member: int, groups: Sequence[Sequence[int]], starts: dict[int, int]) -> str:
        """What the history adds to why a member was not placed: the placed members free at
        their times whom they were with lately (empty when none)."""
        placed = {m for g in groups for m in g}
        mine = starts.get(member, 0)
        with_them = [
            f"{self.rules.name(other)} ({self._shared((a, b))})"
            for a, b in sorted(self.together)
            if member in (a, b)
            and (other := b if a == member else a) in placed
            and starts.get(other, 0) & mine
        ]
        if not with_them:
            return ""
        return "; the groups at their times hold who they were with lately: " + ", ".join(
            with_them[:SHOWN]
        )

    def report(
        self, groups: Sequence[Sequence[int]], starts: dict[int, int], duration: int
    ) -> dict[str, Any]:
        """The keys appended to the proposal: benched, rules, window_days."""
        where = {m: n for n, g in enumerate(groups, 1) for m in g}
        rows = []
        for key in sorted(self.rules.rules):
            rule = self.rules.rules[key]
            a, b = key
            both = where.get(a) is not None and where.get(a) == where.get(b)
            if rule.kind == PairRuleKind.NEVER:
                reason = f"together in group {where[a]}" if both else "kept apart"
                rows.append(self.rules.rule_row(rule, not both, reason))
            elif both:
                rows.append(self.rules.rule_row(rule, True, f"together in group {where[a]}"))
            else:
                rows.append(
                    self.rules.rule_row(rule, False, self._why_apart(key, starts, duration))
                )
        return {
            "benched": [{"member": m, "reason": self.benched[m]} for m in sorted(self.benched)],
            "rules": rows,
            "window_days": self.rules.window,
        }

    def _why_apart(self, key: pairing.Pair, starts: dict[int, int], duration: int) -> str:
        for member in key:
            if member in self.benched:
                return f"{self.rules.name(member)} is benched"
            if member not in starts:
                return f"{self.rules.name(member)} is not in the pool of this run"
        if not starts[key[0]] & starts[key[1]]:
            return f"they have no weekly window of {duration} minutes in common"
        return "no grouping that keeps the rules holds both of them"


def refuse_broken(proposal: dict[str, Any]) -> None:
    """--apply creates no group that holds a never-pair."""
    for rule in proposal.get("rules", []):
        if rule["kind"] == PairRuleKind.NEVER and not rule["honoured"]:
            a, b = rule["members"]
            raise Conflict(
                f"the proposal puts never-pair #{a} and #{b} in one group ({rule['reason']}); "
                "run group form again with another --seed or --size, or drop the rule."
            )


def read(session: Session, rules: pairing.Pairing, pool: set[int]) -> History:
    """The history of the members of the pool: pairs together lately, members benched."""
    found = History(rules)
    if rules.window:
        found.together = _together(session, rules, pool)
    found.benched = _benched(session, rules, pool)
    ids = {m for key in found.together for m in key} | set(found.benched)
    rules.names.update(pairing.names(session, ids - rules.names.keys()))
    return found


def _together(
    session: Session, rules: pairing.Pairing, pool: set[int]
) -> dict[pairing.Pair, Together]:
    """Two members of the pool who shared a group on or after the window's first day."""
    m = Membership.__table__.c  # type: ignore[attr-defined]
    query = sa.select(
        m.group_id, m.member_id, m.joined, m.left_on, col(Group.name), col(Group.status)
    ).join(Group, col(Group.id) == m.group_id)
    ended = _archived_until(session, rules.today)
    by_group: dict[int, list[tuple[int, date, date | None, str]]] = {}
    for group_id, member, joined, left_on, name, status in session.connection().execute(query):
        if member not in pool:
            continue
        if status == GroupStatus.ARCHIVED:  # together until its last meeting, at the latest
            last = ended.get(group_id, joined)
            left_on = min(left_on or last, last)
        by_group.setdefault(group_id, []).append((member, joined, left_on, name))
    since, today = rules.since(), rules.today
    out: dict[pairing.Pair, Together] = {}
    for rows in by_group.values():
        for x, (a, joined_a, left_a, name) in enumerate(rows):
            for b, joined_b, left_b, _ in rows[x + 1 :]:
                last = min(left_a or today, left_b or today)
                if max(joined_a, joined_b) > last or last < since:
                    continue
                until = None if left_a is None and left_b is None else last
                key = pairing.pair_of(a, b)
                before = out.get(key)
                if before is None or (
                    before.until is not None and (until is None or until > before.until)
                ):
                    out[key] = Together(name, until)
    return out


def _archived_until(session: Session, today: date) -> dict[int, date]:
    """Each group's last meeting (not cancelled) before today: an archived group records no
    end of its own, so its members count as together until that day."""
    last = sa.func.max(col(Meeting.slot_date), type_=sa.Date)
    query = (
        sa.select(col(Meeting.group_id), last)
        .where(col(Meeting.status) != MeetingStatus.CANCELLED, col(Meeting.slot_date) < today)
        .group_by(col(Meeting.group_id))
    )
    return {row[0]: row[1] for row in session.connection().execute(query)}


def _benched(session: Session, rules: pairing.Pairing, pool: set[int]) -> dict[int, str]:
    """Members of the pool absent from each of their last BENCH_AFTER meetings, unconfirmed."""
    before = datetime.combine(rules.today, datetime.min.time(), tzinfo=UTC)
    order = sa.func.row_number().over(
        partition_by=col(Attendance.member_id),
        order_by=(col(Meeting.start).desc(), col(Meeting.id).desc()),
    )
    ranked = (
        sa.select(
            col(Attendance.member_id).label("member"),
            col(Attendance.status).label("status"),
            col(Meeting.start).label("start"),
            col(Meeting.timezone).label("zone"),
            order.label("n"),
        )
        .join(Meeting, col(Meeting.id) == Attendance.meeting_id)
        .where(col(Meeting.start) < before)
        .subquery()
    )
    last: dict[int, list[tuple[str, datetime, str]]] = {}
    query = sa.select(ranked.c.member, ranked.c.status, ranked.c.start, ranked.c.zone).where(
        ranked.c.n <= BENCH_AFTER
    )
    for member, status, start, zone in session.connection().execute(query):
        if member in pool and member not in rules.confirmed:
            last.setdefault(member, []).append((status, start, zone))
    out = {}
    for member, rows in last.items():
        if len(rows) == BENCH_AFTER and all(s == AttendanceStatus.ABSENT for s, _, _ in rows):
            days = sorted(_local_day(start, zone) for _, start, zone in rows)
            shown = " and ".join(pairing.day(d, rules.today) for d in days)
            why = f"absent from their last {BENCH_AFTER} meetings ({shown})"
            out[member] = rules.bench(member, why)
    return out


def _local_day(start: datetime, zone: str) -> date:
    if start.tzinfo is None:  # read through Core: the stored UTC text, without its type
        start = start.replace(tzinfo=UTC)
    return start.astimezone(ZoneInfo(zone)).date()


def _some(items: list[str]) -> str:
    """The first SHOWN items, "and N more" after them."""
    shown = "; ".join(items[:SHOWN])
    return shown if len(items) <= SHOWN else f"{shown}; and {len(items) - SHOWN} more"
