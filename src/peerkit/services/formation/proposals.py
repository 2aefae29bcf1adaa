"""`group form`: the member pool in, proposed groups (and why) out; --apply creates them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from peerkit import rowversions
from peerkit.defaults import FORMATION, LIMITS
from peerkit.enums import GroupKind, GroupStatus, MemberStatus, Stage, values
from peerkit.errors import Conflict, InvalidValue
from peerkit.models import Group, Member, Membership
from peerkit.services import formation
from peerkit.services.common import schedule, validate
from peerkit.services.formation import Person, Rules, history, weekly
from peerkit.services.formation.placement import bits_of
from peerkit.services.groups import roster
from peerkit.services.members import pairing, profiles

STEP = 15  # minutes per block: windows are rounded inwards to the quarter hour
WEEK_BLOCKS = weekly.WEEK_DAYS * weekly.DAY_MINUTES // STEP
SPAN_DAYS = weekly.WEEK_DAYS + 1  # windows read: a meeting may start late on the last day
OFFSET_AT = timedelta(hours=12)  # a member's UTC offset is the one at noon UTC of the Monday
SCORE_DIGITS = 4  # decimals of the scores in a proposal
SOURCES = ("unassigned", "active")
STAGES = values(Stage)  # in order: a stage's index is how far along it is
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 0.0, 3_600.0  # --time-limit, seconds (0: no exact step)
NAMES_PER_QUERY = 500  # ids in one IN (...) when reading names
POOL_BATCH = 2_000  # rows of the pool fetched at a time


@dataclass(frozen=True)
class FormOptions:
    min_size: int = FORMATION.min_size
    max_size: int = FORMATION.max_size
    source: str = "unassigned"
    kind: str = FORMATION.kind
    duration: int = FORMATION.duration
    separate: str | None = None
    seed: int = 0


def parse_size(value: str) -> tuple[int, int]:
    """'5-7' (or '6' for exactly six) into (min, max)."""
    text = value.strip().replace("..", "-").replace("\u2013", "-")
    low, _, high = text.partition("-")
    try:
        a, b = int(low), int(high or low)
    except ValueError:
        raise InvalidValue(f"--size '{value}' is not a range like 5-7.") from None
    low_limit, high_limit = LIMITS.min_size, FORMATION.max_group_size
    if not low_limit <= a <= b <= high_limit:
        raise InvalidValue(
            f"--size '{value}': use MIN-MAX with {low_limit} <= MIN <= MAX <= {high_limit}."
        )
    return a, b


def check_options(opts: FormOptions) -> FormOptions:
    validate.choice(opts.source, SOURCES, "--from")
    validate.choice(opts.kind, values(GroupKind), "--kind")
    if opts.separate not in (None, "industry"):
        raise InvalidValue(f"--separate '{opts.separate}': only 'industry' can be kept apart.")
    if not LIMITS.min_duration <= opts.duration <= LIMITS.max_duration:
        raise InvalidValue(
            f"--duration {opts.duration}: use {LIMITS.min_duration} to {LIMITS.max_duration} "
            "minutes."
        )
    return opts


def reference_week(today: date) -> date:
    """The Monday the weekly windows are compared on: the coming week."""
    week = weekly.WEEK_DAYS
    return today + timedelta(days=(week - today.weekday()) % week or week)


# --- the pool -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """What formation reads of a member: one row of one query, never an ORM object.

    The list columns come as their stored JSON text, read only for members who are not
    set aside (most of a large pool may be members with no window).
    """

    id: int
    version: int  # what group form --apply holds the member to (peerkit.rowversions)
    status: str
    paused_until: date | None
    left_on: date | None
    timezone: str
    stage: str | None
    industry: str | None
    skills_json: Any
    needs_json: Any
    availability_json: Any

    @property
    def skills(self) -> list[str]:
        return _strings(self.skills_json)

    @property
    def needs(self) -> list[str]:
        return _strings(self.needs_json)

    @property
    def availability(self) -> list[str]:
        return _strings(self.availability_json)


def _strings(text: Any) -> list[str]:
    """A stored list: JSON text (SQLite), or already a list (a driver that decodes JSON)."""
    value = json.loads(text) if isinstance(text, str | bytes) and text else text or []
    return [str(v) for v in value] if isinstance(value, list) else []


def pool(session: Session, opts: FormOptions) -> Iterator[Row]:
    """Every member of the pool, whatever their status, in id order (one query).

    With --from unassigned, those in no active group of the kind; with --from active,
    everyone. Who cannot be placed (paused, left, no window) is set aside by `set_aside`.
    """
    m = profiles.MEMBERS.c
    query = sa.select(
        m.id,
        m.version,
        sa.type_coerce(m.status, sa.Text),  # the stored strings, compared with the StrEnums
        m.paused_until,
        m.left_on,
        m.timezone,
        sa.type_coerce(m.stage, sa.Text),
        m.industry,
        sa.type_coerce(m.skills, sa.Text),
        sa.type_coerce(m.needs, sa.Text),
        sa.type_coerce(m.availability, sa.Text),
    ).order_by(m.id)
    if opts.source == "unassigned":
        busy = _in_groups_of_kind_query(opts.kind)
        query = query.where(m.id.not_in(busy))
    for batch in session.connection().execute(query).partitions(POOL_BATCH):
        for r in batch:
            yield Row(*r)


def _in_groups_of_kind_query(kind: str) -> Any:
    return (
        select(Membership.member_id)
        .join(Group, col(Group.id) == Membership.group_id)
        .where(
            Group.status == GroupStatus.ACTIVE,
            Group.kind == kind,
            col(Membership.left_on).is_(None),
        )
    )


def _in_groups_of_kind(session: Session, kind: str) -> list[int]:
    return list(session.exec(_in_groups_of_kind_query(kind)))


def set_aside(row: Row, today: date) -> str | None:
    """Why a member of the pool cannot be placed at all, before any search; None if they can.

    Only the member's own row is read: linear in the pool, whatever its size.
    """
    if row.status == MemberStatus.LEFT:
        when = f" on {row.left_on.isoformat()}" if row.left_on else ""
        return f"left the community{when}"
    if row.status == MemberStatus.PAUSED and (row.paused_until is None or row.paused_until > today):
        until = f" until {row.paused_until.isoformat()}" if row.paused_until else ""
        return f"paused{until} (member resume {row.id} to place them now)"
    if row.availability_json in EMPTY_LISTS or not row.availability:
        return NO_AVAILABILITY
    return None


EMPTY_LISTS = (None, "", "[]")  # stored JSON of no windows, read without parsing
NO_AVAILABILITY = "no availability recorded (member edit --available 'mon 18:00-20:00')"


def met_pairs(session: Session) -> set[tuple[int, int]]:
    """Every two members who were ever in one group together (current groups included)."""
    by_group: dict[int, list[int]] = {}
    for group_id, member_id in session.exec(select(Membership.group_id, Membership.member_id)):
        by_group.setdefault(group_id, []).append(member_id)
    pairs: set[tuple[int, int]] = set()
    for ids in by_group.values():
        pairs.update(combinations(sorted(set(ids)), 2))
    return pairs


@dataclass
class Seen:
    """A member as the search sees them, plus what the reasons need."""

    member: Row
    person: Person
    free: int  # their availability blocks in the reference week (UTC)


def to_person(member: Row, monday: date, duration: int) -> Seen:
    spans = weekly.intervals(member.availability, member.timezone, "UTC", monday, days=SPAN_DAYS)
    free = weekly.mask(spans, STEP)
    starts = weekly.run_starts(free, -(-duration // STEP), WEEK_BLOCKS)
    noon = datetime.combine(monday, datetime.min.time(), tzinfo=UTC) + OFFSET_AT
    offset = noon.astimezone(ZoneInfo(member.timezone)).utcoffset() or timedelta()
    person = Person(
        id=member.id,
        starts=starts,
        stage=STAGES.index(member.stage) if member.stage in STAGES else None,
        industry=(member.industry or "").strip().casefold() or None,
        skills=frozenset(member.skills),
        needs=frozenset(member.needs),
        offset=offset // timedelta(minutes=1),
    )
    return Seen(member, person, free)


# --- proposing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """The versions of the members and groups a proposal was made from (id -> version)."""

    members: dict[int, int]
    groups: dict[int, int]


def propose(
    session: Session,
    opts: FormOptions,
    today: date,
    community_tz: str,
    pairs: pairing.Pairing | None = None,
    time_limit: float = formation.DEFAULT_TIME_LIMIT,
) -> dict[str, Any]:
    """The proposal as the JSON contract shapes it (members are ids).

    `pairs`: the window and pair rules of this run (formation/history.py).
    """
    return propose_read(session, opts, today, community_tz, pairs, time_limit)[0]


def propose_read(
    session: Session,
    opts: FormOptions,
    today: date,
    community_tz: str,
    pairs: pairing.Pairing | None = None,
    time_limit: float = formation.DEFAULT_TIME_LIMIT,
) -> tuple[dict[str, Any], Read]:
    """The proposal, and what it was made from: `apply` in a later transaction refuses it when
    any of those members or groups changed since (the search may take long).

    Members who cannot be placed are set aside first, each with their reason, in one pass;
    the search, the exact step and the reasons work on the others only.
    """
    check_options(opts)
    check_time_limit(time_limit)
    monday = reference_week(today)
    aside: list[tuple[int, str]] = []
    seen: list[Seen] = []
    versions: dict[int, int] = {}
    active = 0
    for row in pool(session, opts):
        versions[row.id] = row.version
        reason = set_aside(row, today)
        if reason is None:
            active += 1
            one = to_person(row, monday, opts.duration)
            if one.person.starts:
                seen.append(one)
                continue
            reason = f"no weekly window of {opts.duration} minutes in their availability"
        elif reason == NO_AVAILABILITY:
            active += 1
        aside.append((row.id, reason))
    found_groups = session.execute(sa.select(col(Group.id), col(Group.version))).all()
    read = Read(versions, dict(found_groups))
    past = history.read(session, pairs or pairing.Pairing(0, today), {s.person.id for s in seen})
    can_start = {s.person.id: s.person.starts for s in seen}
    seen = [s for s in seen if s.person.id not in past.benched]
    people = [s.person for s in seen]
    rules = Rules(opts.min_size, opts.max_size, opts.separate == "industry")
    met = met_pairs(session)
    found = formation.form(
        people,
        rules,
        met=met,
        seed=opts.seed,
        adjust=past.adjust(),
        time_limit=time_limit or None,
        pool_size=active,
    )
    ids = [[seen[i].person.id for i in g] for g in found.groups]
    scorer = formation.Scorer(people, formation.Weights(), met)
    proposed = []
    for members, starts in zip(found.groups, found.starts, strict=True):
        chosen = [seen[i] for i in members]
        proposed.append(
            {
                "members": [s.member.id for s in chosen],
                "slot": _slot(chosen, starts, monday, opts.duration, community_tz),
                "score": round(scorer.score(members), SCORE_DIGITS),
                "reasons": _reasons(chosen, scorer.components(members), opts)
                + past.reasons([s.person.id for s in chosen], ids),
            }
        )
    why = _Why(seen, found, rules, opts)
    left = [(member, reason, True) for member, reason in aside]
    left += [
        (seen[i].member.id, why.left(i) + past.left_out(seen[i].person.id, ids, can_start), False)
        for i in found.unplaced
    ]
    left.sort()
    unassigned = [{"member": m, "reason": r, "set_aside": a} for m, r, a in left]
    exact = found.exact.as_dict() if found.exact is not None else None
    return {
        "groups": proposed,
        "unassigned": unassigned,
        "score": round(found.score, SCORE_DIGITS),
        "reference_week": monday.isoformat(),
        **past.report(ids, can_start, opts.duration),
        "proven": found.proven,
        "exact": exact,
    }, read


def check_time_limit(seconds: float) -> float:
    if not MIN_TIME_LIMIT <= seconds <= MAX_TIME_LIMIT:
        raise InvalidValue(
            f"--time-limit {seconds:g}: use {MIN_TIME_LIMIT:g} to {MAX_TIME_LIMIT:g} seconds."
        )
    return seconds


def names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Member names by id, a batch of ids a query."""
    wanted = sorted(set(ids))
    m = profiles.MEMBERS.c
    found: dict[int, str] = {}
    for at in range(0, len(wanted), NAMES_PER_QUERY):
        batch = wanted[at : at + NAMES_PER_QUERY]
        query = sa.select(m.id, m.name).where(m.id.in_(batch))
        found.update((i, name) for i, name in session.connection().execute(query))
    return found


def _zone(chosen: list[Seen], community_tz: str) -> str:
    counts = Counter(s.member.timezone for s in chosen)
    top = max(counts.values())
    tied = sorted(z for z, c in counts.items() if c == top)
    return community_tz if community_tz in tied else tied[0]


def _slot(
    chosen: list[Seen], starts: int, monday: date, duration: int, community_tz: str
) -> dict[str, Any]:
    """The start of the longest common window (its first quarter hour), in the group's zone."""
    common = -1
    for s in chosen:
        common &= s.free
    week_start = datetime.combine(monday, datetime.min.time(), tzinfo=UTC)
    options = []
    for a, b in weekly.runs(common):
        inside = (starts >> a) & ((1 << (b - a)) - 1)
        if inside:
            options.append((b - a, a, inside))
    options.sort(key=lambda o: (-o[0], o[1]))
    # The first start whose wall-clock time names one instant (not a time repeated or
    # skipped by a daylight-saving change), so that the planned meeting lands on it; in the
    # zone most members live in, else in another member's zone, else in UTC.
    preferred = _zone(chosen, community_tz)
    zones = [preferred, *sorted({s.member.timezone for s in chosen} - {preferred}), "UTC"]
    for zone in zones:
        chosen_start = next(
            (
                (length, a + k)
                for length, a, inside in options
                for k in bits_of(inside)
                if _unambiguous(week_start + timedelta(minutes=(a + k) * STEP), zone)
            ),
            None,
        )
        if chosen_start is not None:
            break
    assert chosen_start is not None  # every instant is unambiguous in UTC
    length, begin = chosen_start
    at = week_start + timedelta(minutes=begin * STEP)
    local = at.astimezone(ZoneInfo(zone))
    return {
        "day": validate.DAYS[local.weekday()],
        "time": f"{local.hour:02d}:{local.minute:02d}",
        "timezone": zone,
        "common_minutes": length * STEP,
    }


def _unambiguous(moment: datetime, zone: str) -> bool:
    local = moment.astimezone(ZoneInfo(zone))
    hhmm = f"{local.hour:02d}:{local.minute:02d}"
    return schedule.to_utc(local.date(), hhmm, zone) == moment


def _reasons(
    chosen: list[Seen], parts: tuple[float, float, float, float, float], opts: FormOptions
) -> list[str]:
    stage, skills, _industry, zones, fresh = parts
    out = []
    stages = Counter(s.member.stage for s in chosen if s.member.stage)
    if stages:
        shown = ", ".join(f"{k} {n}" for k, n in sorted(stages.items(), key=lambda kv: -kv[1]))
        out.append(f"stages: {shown} (similarity {stage:.0%})")
    wanted = sum(len(s.member.needs) for s in chosen)
    if wanted:
        out.append(f"needs met inside the group: {skills:.0%} of {wanted}")
    named = [s.person.industry for s in chosen if s.person.industry]
    if named:
        out.append(f"{len(set(named))} industries among {len(named)} members")
    offsets = [s.person.offset for s in chosen]
    spread = (max(offsets) - min(offsets)) / weekly.HOUR_MINUTES
    out.append(
        "one time zone offset"
        if spread == 0
        else f"time zones within {spread:g} h (score {zones:.0%})"
    )
    pairs = len(chosen) * (len(chosen) - 1) // 2
    repeats = round((1 - fresh) * pairs)
    out.append(
        "no two members met in an earlier group"
        if repeats == 0
        else f"{repeats} of {pairs} pairs met in an earlier group"
    )
    return out


class _Why:
    """Why a member the search looked at was left out; reads only the people it looked at.

    Who else can make one of a member's start blocks comes from an index of the blocks,
    built once (and only when someone is left out), not from a pass over the pool each.
    """

    def __init__(
        self, seen: list[Seen], found: formation.Grouping, rules: Rules, opts: FormOptions
    ):
        self.seen, self.found, self.rules, self.opts = seen, found, rules, opts
        self._by_block: dict[int, list[int]] | None = None

    def _sharing(self, i: int) -> set[int]:
        """Everyone else who can make one of member i's start blocks."""
        if self._by_block is None:
            self._by_block = {}
            for j, s in enumerate(self.seen):
                for block in bits_of(s.person.starts):
                    self._by_block.setdefault(block, []).append(j)
        out: set[int] = set()
        for block in bits_of(self.seen[i].person.starts):
            out.update(self._by_block.get(block, ()))
        out.discard(i)
        return out

    def left(self, i: int) -> str:
        seen, rules, opts, found = self.seen, self.rules, self.opts, self.found
        person = seen[i].person
        sharing = self._sharing(i)
        others = len(sharing)
        if others < rules.min_size - 1:
            who = "nobody else is" if others == 0 else f"only {others} other member(s) are"
            return (
                f"{who} free at their times for {opts.duration} minutes; "
                f"a group needs {rules.min_size}"
            )
        at_their_times = [
            g
            for g, starts in zip(found.groups, found.starts, strict=True)
            if starts & person.starts
        ]
        if not at_their_times:
            return _no_group_fits(seen, i, sharing, rules)
        return _groups_refuse(seen, person, at_their_times, rules)


def _no_group_fits(seen: list[Seen], i: int, sharing: set[int], rules: Rules) -> str:
    """Why the people free when member i is make no group at all."""
    person = seen[i].person
    kept = "size and industries apart" if rules.separate_industry else "size"
    reason = (
        f"the {len(sharing)} other member(s) free at their times cannot make up a group that "
        f"keeps the rules ({kept}, {rules.min_size}-{rules.max_size} members)"
    )
    rivals = sum(
        1 for j in sharing if person.industry and seen[j].person.industry == person.industry
    )
    if rules.separate_industry and rivals:
        reason += f"; {rivals} of them are also in {person.industry}"
    return reason


def _groups_refuse(
    seen: list[Seen], person: Person, at_their_times: list[list[int]], rules: Rules
) -> str:
    """Why none of the groups meeting when `person` is free can take them."""
    full = sum(1 for g in at_their_times if len(g) >= rules.max_size)
    same = sum(
        1
        for g in at_their_times
        if rules.separate_industry
        and person.industry
        and any(seen[j].person.industry == person.industry for j in g)
    )
    parts = []
    if full:
        parts.append(f"{full} full ({rules.max_size} members)")
    if same:
        parts.append(f"{same} with someone in {person.industry} already")
    detail = "; ".join(parts) if parts else "taking them would break a rule"
    return f"of the {len(at_their_times)} group(s) meeting at their times, {detail}"


# --- applying --------------------------------------------------------------------------------


def apply(
    session: Session,
    proposal: dict[str, Any],
    opts: FormOptions,
    today: date,
    community_tz: str,
    read: Read | None = None,
) -> list[Group]:
    """Create the proposed groups, each meeting weekly at its slot, in one transaction.
    READ: what the proposal was made from, in an earlier transaction; refused when any of those
    members or groups changed since, or a group was made since."""
    if read is not None:
        _refuse_changed_since(session, read)
    history.refuse_broken(proposal)
    if opts.source == "active":
        busy = set(_in_groups_of_kind(session, opts.kind))
        placed = {m for g in proposal["groups"] for m in g["members"]}
        if busy & placed:
            raise Conflict(
                f"{len(busy & placed)} of these members are still in an active {opts.kind} "
                "group; archive the current groups first (peerkit group archive G), then run "
                "group form --apply again."
            )
    made = []
    names = {g.name.casefold() for g in session.exec(select(Group))}
    number = 0
    monday = reference_week(today)
    for proposed in proposal["groups"]:
        number += 1
        while f"{opts.kind.capitalize()} {number}".casefold() in names:
            number += 1
        name = f"{opts.kind.capitalize()} {number}"
        names.add(name.casefold())
        slot = proposed["slot"]
        raw = roster.GroupFields(
            name=name,
            kind=opts.kind,
            day=slot["day"],
            time=slot["time"],
            timezone=slot["timezone"],
            duration=opts.duration,
            min_size=opts.min_size,
            max_size=opts.max_size,
            # The first meeting falls in the week the windows were compared on.
            start=schedule.first_on_or_after(monday, schedule.day(slot["day"])),
            members=[str(m) for m in proposed["members"]],
        )
        group = roster.create(session, raw, community_tz, today)
        proposed["group"] = group.slug
        made.append(group)
    return made


def _refuse_changed_since(session: Session, read: Read) -> None:
    rowversions.expect_all(session, Member, read.members)
    rowversions.expect_all(session, Group, read.groups)
    query = select(Group).where(col(Group.id).not_in(list(read.groups))).order_by(col(Group.id))
    new = session.exec(query).first()
    if new is not None:
        by = f" by {new.changed_by}" if new.changed_by else ""
        raise Conflict(
            f"group {new.slug} was made{by} since the proposal was made; run the command again."
        )
