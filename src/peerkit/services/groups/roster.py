"""Groups and their members: create, find, add, remove, archive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from slugify import slugify as _python_slugify
from sqlmodel import Session, col, select

from peerkit import rowversions
from peerkit.defaults import GROUP, LIMITS
from peerkit.enums import Cadence, GroupKind, GroupStatus, MemberStatus, Role, values
from peerkit.errors import Conflict, InvalidValue, NotFound
from peerkit.models import Group, Member, Membership, id_of
from peerkit.services.common import lookup, schedule, validate
from peerkit.services.groups import fairness
from peerkit.services.members import profiles as members_svc

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in range(10)
}


@dataclass
class GroupFields:
    """Raw values for a new group; None means "not given" (a default applies)."""

    name: str
    kind: str | None = None
    cadence: str | None = None
    day: str | None = None
    time: str | None = None
    timezone: str | None = None
    duration: int | None = None
    location: str | None = None
    min_size: int | None = None
    max_size: int | None = None
    start: date | None = None
    members: list[str] = field(default_factory=list)
    facilitator: str | None = None
    rotate_slots: str | None = None  # "tue 07:00,tue 19:00": slots taken in turn


def slugify(name: str) -> str:
    """An ASCII slug that is safe as a file or folder name on every system.

    python-slugify transliterates through text-unidecode ("Łukasz Żuławski" gives
    "lukasz-zulawski", "Ёлка" gives "elka"). HTML entities stay plain text and a comma
    between digits still separates, so a plain ASCII name keeps the slug it always had.
    A name with nothing to transliterate (only emoji, say) falls back to "group".
    """
    slug = _python_slugify(
        name.replace(",", "-"),
        entities=False,
        decimal=False,
        hexadecimal=False,
        max_length=60,
        backend="text-unidecode",
    )
    if not slug:
        slug = "group"
    if slug in _WINDOWS_RESERVED:
        slug = f"{slug}-group"
    if slug.isdigit():  # a numeric slug would read as an id
        slug = f"group-{slug}"
    return slug


def _unique_slug(session: Session, name: str) -> str:
    base = slugify(name)
    taken = set(session.exec(select(Group.slug).where(col(Group.slug).like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _size(value: int | None, what: str, default: int) -> int:
    number = default if value is None else value
    if not LIMITS.min_size <= number <= LIMITS.max_size:
        raise InvalidValue(
            f"{what} must be between {LIMITS.min_size} and {LIMITS.max_size}, not {number}."
        )
    return number


def _duration(value: int | None) -> int:
    minutes = GROUP.duration if value is None else value
    if not LIMITS.min_duration <= minutes <= LIMITS.max_duration:
        raise InvalidValue(
            f"the duration is in minutes, between {LIMITS.min_duration} and "
            f"{LIMITS.max_duration}, not {minutes}."
        )
    return minutes


def _kind(value: str | None) -> GroupKind:
    return GroupKind(validate.choice(value, values(GroupKind), "kind")) if value else GROUP.kind


def _cadence(value: str | None) -> Cadence:
    return Cadence(validate.choice(value, values(Cadence), "cadence")) if value else GROUP.cadence


def clock_notes(group: Group, days: int = 366) -> list[str]:
    """Where the group's wall-clock time is missing or repeated on its meeting dates in the
    year from its first meeting (schedule.clock_note), in words."""
    first = group.anchor
    dates = schedule.slots(group.cadence, group.day, first, first, first + timedelta(days=days))
    return schedule.clock_notes(dates, group.time, group.timezone)


def create(session: Session, raw: GroupFields, community_tz: str, today: date) -> Group:
    name = validate.name(raw.name)
    min_size = _size(raw.min_size, "--min-size", GROUP.min_size)
    max_size = _size(raw.max_size, "--max-size", GROUP.max_size)
    if min_size > max_size:
        raise InvalidValue(f"--min-size ({min_size}) is larger than --max-size ({max_size}).")
    turns = [] if raw.rotate_slots is None else fairness.parse_slots(raw.rotate_slots)
    weekday = schedule.day(raw.day) if raw.day else (raw.start.weekday() if raw.start else None)
    weekday = (turns[0].day if turns else GROUP.day) if weekday is None else weekday
    hhmm = raw.time or (turns[0].time if turns else GROUP.time)
    if raw.start is not None and raw.start.weekday() != weekday:
        raise InvalidValue(f"--start {raw.start} is not a {validate.DAYS[weekday]}.")
    group = Group(
        slug=_unique_slug(session, name),
        name=name,
        kind=_kind(raw.kind),
        cadence=_cadence(raw.cadence),
        day=weekday,
        time=schedule.clock(hhmm),
        timezone=validate.timezone(raw.timezone or community_tz),
        duration=_duration(raw.duration),
        location=validate.optional_line(raw.location, "the location"),
        min_size=min_size,
        max_size=max_size,
        anchor=raw.start or schedule.first_on_or_after(today, weekday),
        rotate_slots=fairness.stored(turns),
    )
    session.add(group)
    session.flush()
    refs = list(raw.members)
    for ref in refs:
        add_member(session, group, members_svc.resolve(session, ref), today)
    if raw.facilitator:
        add_member(
            session,
            group,
            members_svc.resolve(session, raw.facilitator),
            today,
            role=Role.FACILITATOR,
        )
    return group


def resolve(session: Session, ref: str) -> Group:
    """A group by id or slug."""
    return lookup.find(session, FINDER, ref)


def _suggest(session: Session, text: str) -> list[str]:
    """Groups whose slug holds the slug of what was typed."""
    close = session.exec(select(Group).where(col(Group.slug).like(f"%{slugify(text)}%")).limit(5))
    return [f"{g.slug} (#{g.id})" for g in close]


FINDER = lookup.Finder(
    Group,
    "group",
    "peerkit group list",
    keys=(lookup.Key(Group.slug, "id or slug"),),
    suggest=_suggest,
)


def list_groups(session: Session, include_archived: bool = False) -> list[Group]:
    query = select(Group).order_by(col(Group.id))
    if not include_archived:
        query = query.where(Group.status == GroupStatus.ACTIVE)
    return list(session.exec(query))


def current_memberships(session: Session, group: Group) -> list[tuple[Membership, Member]]:
    rows = session.exec(
        select(Membership, Member)
        .join(Member, col(Member.id) == Membership.member_id)
        .where(Membership.group_id == group.id, col(Membership.left_on).is_(None))
        .order_by(col(Membership.joined), col(Membership.id))
    )
    return [(m, p) for m, p in rows]


def refuse_outsiders(session: Session, group: Group, on: date, people: list[Member]) -> None:
    """Conflict unless everyone in PEOPLE was in GROUP on the date ON (a meeting's).

    The rule for what is recorded about a meeting (attendance, a commitment made at it): a
    member in the group then, including one who left it on that day or later. When they
    joined is not asked: a group created today may record the meetings it held before.
    """
    ids = [id_of(p) for p in people]
    rows = session.exec(
        select(Membership).where(
            Membership.group_id == group.id, col(Membership.member_id).in_(ids)
        )
    )
    left = {m.member_id: m.left_on for m in rows}
    for person in people:
        who = members_svc.describe(person)
        if id_of(person) not in left:
            raise Conflict(
                f"{who} is not in the group {group.slug}; "
                f"add them first: peerkit group add {group.slug} {person.id}"
            )
        gone = left[id_of(person)]
        if gone is not None and gone < on:
            raise Conflict(
                f"{who} left the group {group.slug} on {gone.isoformat()}, "
                f"before its meeting of {on.isoformat()}."
            )


def add_member(
    session: Session,
    group: Group,
    member: Member,
    today: date,
    *,
    role: Role | str | None = None,
    rotates: bool | None = None,
) -> str:
    """Add (or re-add) a member; returns what happened. Respects the group's maximum size."""
    wanted = None if role is None else Role(role)
    if group.status != GroupStatus.ACTIVE:
        raise Conflict(f"the group {group.slug} is archived.")
    if member.status == MemberStatus.LEFT or member.forgotten_at is not None:
        raise Conflict(f"{members_svc.describe(member)} has left the community.")
    existing = session.exec(
        select(Membership).where(Membership.group_id == group.id, Membership.member_id == member.id)
    ).first()
    if existing is not None and existing.left_on is None:
        changed = _update_membership(existing, wanted, rotates)
        session.add(existing)
        return "updated" if changed else "already a member"
    size = len(current_memberships(session, group))
    if size >= group.max_size:
        raise Conflict(
            f"the group {group.slug} is full ({size} of {group.max_size} members). "
            f"Remove someone first (peerkit group remove {group.slug} REF) or choose another group."
        )
    if existing is None:
        existing = Membership(group_id=id_of(group), member_id=id_of(member), joined=today)
    existing.left_on, existing.joined = None, today
    _update_membership(existing, wanted or Role.MEMBER, rotates or False)
    session.add(existing)
    rowversions.touch(session, group)  # a proposal read before this is out of date
    session.flush()
    return "added"


def _update_membership(m: Membership, role: Role | None, rotates: bool | None) -> bool:
    changed = False
    if role is not None and m.role != role:
        m.role, changed = role, True
    if rotates is not None and m.rotates != rotates:
        m.rotates, changed = rotates, True
    return changed


def remove_member(session: Session, group: Group, member: Member, today: date) -> None:
    existing = session.exec(
        select(Membership).where(
            Membership.group_id == group.id,
            Membership.member_id == member.id,
            col(Membership.left_on).is_(None),
        )
    ).first()
    if existing is None:
        raise NotFound(f"{members_svc.describe(member)} is not in the group {group.slug}.")
    existing.left_on = today
    session.add(existing)
    rowversions.touch(session, group)


def archive(session: Session, group: Group) -> bool:
    if group.status == GroupStatus.ARCHIVED:
        return False
    group.status = GroupStatus.ARCHIVED
    session.add(group)
    return True


def facilitator(session: Session, group: Group) -> Member | None:
    for membership, member in current_memberships(session, group):
        if membership.role == Role.FACILITATOR:
            return member
    return None


def to_dict(session: Session, group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "slug": group.slug,
        "name": group.name,
        "kind": group.kind,
        "cadence": group.cadence,
        "day": validate.DAYS[group.day],
        "time": group.time,
        "timezone": group.timezone,
        "duration": group.duration,
        "location": group.location,
        "min_size": group.min_size,
        "max_size": group.max_size,
        "status": group.status,
        "start": group.anchor.isoformat(),
        "on_holiday": group.on_holiday,  # skip, next-day or previous-day (services/groups/breaks)
        "members": [
            {"id": p.id, "name": p.name, "role": m.role, "rotates": m.rotates}
            for m, p in current_memberships(session, group)
        ],
        "rotate_slots": list(group.rotate_slots),
    }


def shown(session: Session, group: Group) -> dict[str, Any]:
    """`group show`: the group (to_dict), then its members' fair hours (fairness.of_group)."""
    found = to_dict(session, group)
    members = [p for _m, p in current_memberships(session, group)]
    found["fairness"] = fairness.of_group(session, group, members)
    return found


NO_ROTATION = ("none", "off")  # --rotate-slots none: back to the one slot of --day and --time


def set_rotation(group: Group, text: str) -> bool:
    """Slots taken in turn from now on ("tue 07:00,tue 19:00"), or none ("none"); whether that
    changed anything. Meetings already planned keep their times."""
    wanted = (
        [] if text.strip().lower() in NO_ROTATION else fairness.stored(fairness.parse_slots(text))
    )
    if wanted == list(group.rotate_slots):
        return False
    group.rotate_slots = wanted
    return True
