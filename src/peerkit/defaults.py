"""What a group is when nobody says otherwise, and the limits of what they may say.

One home for these numbers: the Group table's column defaults, `group create` (flags and
prompts), `group form` and the demo community all read them from here; every date anyone
types (a flag, a CSV cell, PEERKIT_TODAY) is held to DATES.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peerkit.enums import Cadence, GroupKind


@dataclass(frozen=True)
class GroupDefaults:
    kind: GroupKind = GroupKind.MASTERMIND
    cadence: Cadence = Cadence.WEEKLY
    day: int = 1  # Tuesday (0 = Monday)
    time: str = "18:30"  # local wall-clock time, HH:MM
    duration: int = 90  # minutes
    min_size: int = 4
    max_size: int = 8


@dataclass(frozen=True)
class Limits:
    """The widest values accepted (inclusive)."""

    min_duration: int = 15  # minutes
    max_duration: int = 8 * 60
    min_size: int = 2
    max_size: int = 50


@dataclass(frozen=True)
class FormationDefaults:
    """`group form`: groups a little smaller than a created group's range, to grow into."""

    min_size: int = 5
    max_size: int = 7
    max_group_size: int = 20  # the largest --size MAX accepted
    kind: GroupKind = GroupDefaults.kind
    duration: int = GroupDefaults.duration  # minutes every group needs in common

    @property
    def size(self) -> str:
        """The --size option's default, as typed: MIN-MAX."""
        return f"{self.min_size}-{self.max_size}"


@dataclass(frozen=True)
class DateWindow:
    """The dates peerkit accepts wherever one is typed: any community's past and future.

    Far enough from the ends of Python's calendar (years 1 and 9999) that every date
    computed from one (a meeting after the next, a week's Sunday, a calendar's time zone
    rules some years on) still exists; and late enough that every time zone's offset is in
    whole minutes, as calendar files and ISO 8601 expect.
    """

    first: date = date(1980, 1, 1)
    last: date = date(2199, 12, 31)

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last

    def refusal(self, what: str, shown: str) -> str:
        """The one-line reason a date outside the window is refused."""
        return (
            f"{what} {shown} is outside the years peerkit plans for: "
            f"use a date from {self.first.isoformat()} to {self.last.isoformat()}."
        )


GROUP = GroupDefaults()
LIMITS = Limits()
FORMATION = FormationDefaults()
DATES = DateWindow()
