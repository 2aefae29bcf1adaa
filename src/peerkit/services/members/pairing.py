"""Who may be put together: must-pair and never-pair rules, the window before a pair repeats.

Shared by `mentor match` (mentoring.matching) and `group form` (formation.history). Rules
given on the command line (`--must-pair A,B`, `--never-pair A,B`) hold for one run and win
over a saved rule for the same two members; `--remember` saves them, `--forget-pair A,B`
deletes a saved one. Every saved rule holds in every run of both commands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from peerkit.enums import PairRuleKind
from peerkit.errors import Conflict, InvalidValue
from peerkit.models import Member, PairRule, id_of
from peerkit.services.members import profiles

WINDOW_DAYS = 90  # the default window, when neither --window nor config.toml says
MAX_WINDOW_DAYS = 3650
WINDOW_SETTING = "pair_window_days"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WINDOW = re.compile(r"(\d{1,5})\s*([dw]?)", re.IGNORECASE)

Pair = tuple[int, int]  # two member ids, the smaller first


def pair_of(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


def day(value: date, today: date) -> str:
    """'3 Dec' (with the year when it is not this year's): how the reasons say a date."""
    shown = f"{value.day} {MONTHS[value.month - 1]}"
    return shown if value.year == today.year else f"{shown} {value.year}"


def parse_window(value: str | int, where: str) -> int:
    """Days, from '90', '90d' or '12w' (or a whole number); 0 lets any pair repeat."""
    if isinstance(value, bool):
        raise InvalidValue(f"{where} must be a number of days, such as 90, 90d or 12w.")
    text = str(value).strip()
    found = _WINDOW.fullmatch(text)
    if found is None:
        raise InvalidValue(f"{where} '{text}' is not a number of days, such as 90, 90d or 12w.")
    days = int(found.group(1)) * (7 if found.group(2).lower() == "w" else 1)
    if days > MAX_WINDOW_DAYS:
        raise InvalidValue(f"{where} '{text}': use at most {MAX_WINDOW_DAYS} days.")
    return days


def window_days(flag: str | None, config: dict[str, object]) -> int:
    """--window, else config.toml's pair_window_days, else 90."""
    if flag is not None:
        return parse_window(flag, "--window")
    setting = config.get(WINDOW_SETTING)
    if setting is None:
        return WINDOW_DAYS
    return parse_window(str(setting), f"config.toml's {WINDOW_SETTING}")


@dataclass(frozen=True)
class PairOptions:
    """What the command line says about pairs, as typed (resolved by `resolve`)."""

    window: int = WINDOW_DAYS
    must: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    forget: tuple[str, ...] = ()
    remember: bool = False
    confirm: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        """Whether the run changes the saved rules (then it needs a write transaction)."""
        return bool(self.forget) or (self.remember and bool(self.must or self.never))


def options(
    window: str | None,
    must: Iterable[str] | None,
    never: Iterable[str] | None,
    forget: Iterable[str] | None,
    remember: bool,
    confirm: Iterable[str] | None,
    config: dict[str, object],
) -> PairOptions:
    """The command line's words about pairs (None for an option not given)."""
    if remember and not (must or never):
        raise InvalidValue("--remember saves --must-pair and --never-pair: give one of them.")
    return PairOptions(
        window_days(window, config),
        tuple(must or ()),
        tuple(never or ()),
        tuple(forget or ()),
        remember,
        tuple(confirm or ()),
    )


@dataclass(frozen=True)
class Rule:
    a: int
    b: int
    kind: PairRuleKind
    saved: bool  # a saved rule (else one given for this run only)
    note: str | None = None

    def source(self) -> str:
        return "saved" if self.saved else "this run"


@dataclass
class Pairing:
    """The run's rules, window and confirmed members, with the names the reasons use."""

    window: int
    today: date
    rules: dict[Pair, Rule] = field(default_factory=dict)
    confirmed: set[int] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)
    # what `save` writes: --remember's rules, --forget-pair's pairs
    remembered: dict[Pair, Rule] = field(default_factory=dict)
    forgotten: list[Pair] = field(default_factory=list)

    def kind(self, a: int, b: int) -> PairRuleKind | None:
        rule = self.rules.get(pair_of(a, b))
        return rule.kind if rule else None

    def of_kind(self, kind: PairRuleKind) -> list[Rule]:
        return [r for r in self.rules.values() if r.kind == kind]

    def name(self, member: int) -> str:
        return self.names.get(member, f"#{member}")

    def since(self) -> date:
        """The first day of the window: together on or after it is recent."""
        from datetime import timedelta

        return self.today - timedelta(days=self.window)

    def bench(self, member: int, why: str) -> str:
        return f"{why}; run with --confirm {member} to include them"

    def rule_row(self, rule: Rule, honoured: bool, reason: str) -> dict[str, object]:
        return {
            "members": [rule.a, rule.b],
            "kind": str(rule.kind),
            "saved": rule.saved,
            "note": rule.note,
            "honoured": honoured,
            "reason": reason,
        }


def _two(session: Session, text: str, flag: str) -> tuple[Member, Member]:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise InvalidValue(f"{flag} '{text}': name two members, A,B (an id, e-mail or name each).")
    a, b = (profiles.resolve(session, p) for p in parts)
    if a.id == b.id:
        raise InvalidValue(f"{flag} '{text}' names {profiles.describe(a)} twice.")
    return a, b


def resolve(session: Session, opts: PairOptions, today: date, command: str) -> Pairing:
    """The rules of this run: the saved ones, then the command line's over them (read only).

    Refused at the door: an unknown member, a member paired with themselves, the same two
    members given as must and never, a --forget-pair of no saved rule. The rules hold as
    they will be once `save` has written --remember's and --forget-pair's changes.
    """
    found = Pairing(opts.window, today)
    given: dict[Pair, PairRuleKind] = {}
    people: dict[int, Member] = {}
    for kind, flag, texts in (
        (PairRuleKind.MUST, "--must-pair", opts.must),
        (PairRuleKind.NEVER, "--never-pair", opts.never),
    ):
        for text in texts:
            a, b = _two(session, text, flag)
            people[id_of(a)], people[id_of(b)] = a, b
            key = pair_of(id_of(a), id_of(b))
            if given.get(key, kind) != kind:
                one, other = (people[i].name for i in key)
                raise InvalidValue(
                    f"--must-pair and --never-pair both name {one} and {other}; keep one."
                )
            given[key] = kind
    for member in opts.confirm:
        found.confirmed.add(id_of(profiles.resolve(session, member)))
    saved = {pair_of(r.member_a, r.member_b): r for r in session.exec(select(PairRule))}
    for text in opts.forget:
        a, b = _two(session, text, "--forget-pair")
        key = pair_of(id_of(a), id_of(b))
        if key not in saved:
            first, second = sorted((a, b), key=id_of)
            raise Conflict(
                f"no rule about {first.name} and {second.name} is saved; nothing to forget."
            )
        found.forgotten.append(key)
    for key, row in saved.items():
        if key not in found.forgotten:
            found.rules[key] = Rule(key[0], key[1], PairRuleKind(row.kind), True, row.note)
    note = f"from {command} on {today.isoformat()}"
    for key, kind in given.items():
        found.rules[key] = Rule(
            key[0], key[1], kind, opts.remember, note if opts.remember else None
        )
        if opts.remember:
            found.remembered[key] = found.rules[key]
    found.names = names(session, {i for r in found.rules.values() for i in (r.a, r.b)})
    return found


def save(session: Session, rules: Pairing) -> None:
    """Write what `resolve` found to save: --forget-pair's deletions, --remember's rules
    (each replacing a saved rule about the same two members). In the caller's transaction."""
    saved = {pair_of(r.member_a, r.member_b): r for r in session.exec(select(PairRule))}
    for key in rules.forgotten:
        if key in saved:
            session.delete(saved.pop(key))
    for key, rule in rules.remembered.items():
        row = saved.get(key) or PairRule(member_a=key[0], member_b=key[1], kind=rule.kind)
        row.kind, row.note = rule.kind, rule.note
        session.add(row)
    session.flush()


def names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Member id -> name, for the members named (one query)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.exec(select(Member.id, Member.name).where(col(Member.id).in_(wanted)))
    return {i: n for i, n in rows if i is not None}


def said(proposal: Mapping[str, Any], names: Mapping[int, str]) -> list[str]:
    """What `mentor match` and `group form` tell about the benched and the pair rules of a
    proposal, a line each (NAMES: member id -> name)."""
    lines = [
        f"Benched: {names[left['member']]} (#{left['member']}): {left['reason']}."
        for left in proposal["benched"]
    ]
    for rule in proposal["rules"]:
        a, b = (names[i] for i in rule["members"])
        state = "kept" if rule["honoured"] else "NOT kept"
        where = "saved" if rule["saved"] else "this run"
        lines.append(
            f"{rule['kind'].capitalize()}-pair {a} and {b} ({where}): {state}: {rule['reason']}."
        )
    return lines
