"""`group form`: the member pool in, proposed groups (and why) out; --apply creates them."""

from __future__ import annotations

from collections import Counter
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
from peerkit.models import Group, Member, Membership, id_of
from peerkit.services import formation
from peerkit.services.common import schedule, validate
from peerkit.services.formation import Person, Rules, history, weekly
from peerkit.services.formation.placement import bits_of
from peerkit.services.groups import roster
from peerkit.services.members import pairing
from peerkit.services.members import profiles as members_svc

STEP = 15  # minutes per block: windows are rounded inwards to the quarter hour
WEEK_BLOCKS = weekly.WEEK_DAYS * weekly.DAY_MINUTES // STEP
SPAN_DAYS = weekly.WEEK_DAYS + 1  # windows read: a meeting may start late on the last day
OFFSET_AT = timedelta(hours=12)  # a member's UTC offset is the one at noon UTC of the Monday
SCORE_DIGITS = 4  # decimals of the scores in a proposal
SOURCES = ("unassigned", "active")
STAGES = values(Stage)  # in order: a stage's index is how far along it is


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


def pool(session: Session, opts: FormOptions, today: date) -> list[Member]:
    """Active members; with --from unassigned, those in no active group of the kind."""
    query = (
        select(Member)
        .where(members_svc.status_clause(MemberStatus.ACTIVE, today))
        .order_by(col(Member.id))
    )
    members = list(session.exec(query))
    if opts.source == "active":
        return members
    busy = set(_in_groups_of_kind(session, opts.kind))
    return [m for m in members if m.id not in busy]


def _in_groups_of_kind(session: Session, kind: str) -> list[int]:
    rows = session.exec(
        select(Membership.member_id)
        .join(Group, col(Group.id) == Membership.group_id)
        .where(
            Group.status == GroupStatus.ACTIVE,
            Group.kind == kind,
            col(Membership.left_on).is_(None),
        )
    )
    return list(rows)


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

    member: Member
    person: Person
    free: int  # their availability blocks in the reference week (UTC)


def to_person(member: Member, monday: date, duration: int) -> Seen:
    spans = weekly.intervals(member.availability, member.timezone, "UTC", monday, days=SPAN_DAYS)
    free = weekly.mask(spans, STEP)
    starts = weekly.run_starts(free, -(-duration // STEP), WEEK_BLOCKS)
    noon = datetime.combine(monday, datetime.min.time(), tzinfo=UTC) + OFFSET_AT
    offset = noon.astimezone(ZoneInfo(member.timezone)).utcoffset() or timedelta()
    person = Person(
        id=id_of(member),
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
) -> dict[str, Any]:
    """The proposal as the JSON contract shapes it (members are ids).

    `pairs`: the window and pair rules of this run (formation/history.py).
    """
    return propose_read(session, opts, today, community_tz, pairs)[0]


def propose_read(
    session: Session,
    opts: FormOptions,
    today: date,
    community_tz: str,
    pairs: pairing.Pairing | None = None,
) -> tuple[dict[str, Any], Read]:
    """The proposal, and what it was made from: `apply` in a later transaction refuses it when
    any of those members or groups changed since (the search may take long)."""
    check_options(opts)
    monday = reference_week(today)
    members = pool(session, opts, today)
    found = session.execute(sa.select(col(Group.id), col(Group.version))).all()
    groups: dict[int, int] = dict(found)
    read = Read(rowversions.versions_of(members), groups)
    return _propose(session, opts, today, monday, community_tz, members, pairs), read


def _propose(
    session: Session,
    opts: FormOptions,
    today: date,
    monday: date,
    community_tz: str,
    found_pool: list[Member],
    pairs: pairing.Pairing | None,
) -> dict[str, Any]:
    seen = [to_person(m, monday, opts.duration) for m in found_pool]
    past = history.read(session, pairs or pairing.Pairing(0, today), {s.person.id for s in seen})
    can_start = {s.person.id: s.person.starts for s in seen}
    seen = [s for s in seen if s.person.id not in past.benched]
    people = [s.person for s in seen]
    rules = Rules(opts.min_size, opts.max_size, opts.separate == "industry")
    met = met_pairs(session)
    found = formation.form(people, rules, met=met, seed=opts.seed, adjust=past.adjust())
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
    unassigned = [
        {
            "member": seen[i].member.id,
            "reason": _why_left(seen, i, found, rules, opts)
            + past.left_out(seen[i].person.id, ids, can_start),
        }
        for i in found.unplaced
    ]
    return {
        "groups": proposed,
        "unassigned": unassigned,
        "score": round(found.score, SCORE_DIGITS),
        "reference_week": monday.isoformat(),
        **past.report(ids, can_start, opts.duration),
    }


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


def _why_left(
    seen: list[Seen], i: int, found: formation.Grouping, rules: Rules, opts: FormOptions
) -> str:
    member, person = seen[i].member, seen[i].person
    if not member.availability:
        return "no availability recorded (member edit --available 'mon 18:00-20:00')"
    if not person.starts:
        return f"no weekly window of {opts.duration} minutes in their availability"
    others = sum(1 for s in seen if s is not seen[i] and s.person.starts & person.starts)
    if others < rules.min_size - 1:
        who = "nobody else is" if others == 0 else f"only {others} other member(s) are"
        return (
            f"{who} free at their times for {opts.duration} minutes; a group needs {rules.min_size}"
        )
    at_their_times = [
        g for g, starts in zip(found.groups, found.starts, strict=True) if starts & person.starts
    ]
    if not at_their_times:
        return _no_group_fits(seen, i, others, rules)
    return _groups_refuse(seen, person, at_their_times, rules)


def _no_group_fits(seen: list[Seen], i: int, others: int, rules: Rules) -> str:
    """Why the people free when member i is make no group at all."""
    person = seen[i].person
    kept = "size and industries apart" if rules.separate_industry else "size"
    reason = (
        f"the {others} other member(s) free at their times cannot make up a group that keeps "
        f"the rules ({kept}, {rules.min_size}-{rules.max_size} members)"
    )
    rivals = sum(
        1
        for s in seen
        if s is not seen[i]
        and s.person.starts & person.starts
        and person.industry
        and s.person.industry == person.industry
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
