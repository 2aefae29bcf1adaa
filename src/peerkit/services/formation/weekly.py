"""Members' weekly windows as bit masks of one concrete week in a chosen zone.

A member writes "tue 18:00-20:00" in their own zone. To compare members in different zones,
each window is placed on the real dates of one week (so daylight saving is what it is that
week), converted to the target zone, and drawn into an integer whose bit i stands for the
i-th block of `step` minutes after midnight of the week's first day in the target zone.
Python integers make AND and OR of whole weeks cheap, whatever the number of members.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peerkit.services.common import validate

HOUR_MINUTES = 60
DAY_MINUTES = 24 * HOUR_MINUTES
WEEK_DAYS = 7


def _local_minutes(moment: datetime, zone: ZoneInfo, first: date) -> int:
    """Wall-clock minutes in `zone` since midnight of `first`."""
    local = moment.astimezone(zone)
    return (local.date() - first).days * DAY_MINUTES + local.hour * HOUR_MINUTES + local.minute


def intervals(
    windows: Iterable[str], member_zone: str, target_zone: str, first: date, days: int = WEEK_DAYS
) -> list[tuple[int, int]]:
    """The member's windows as (start, end) wall-clock minutes of the target zone's week.

    Minute 0 is midnight of `first` in the target zone; results are clipped to `days` days.
    Windows are taken on the member's own dates one day either side of the span, so a
    window that crosses into the week from a zone far ahead or behind is kept.
    """
    src = ZoneInfo(member_zone)
    dst = ZoneInfo(target_zone)
    parsed = [validate.window(w) for w in windows]
    limit = days * DAY_MINUTES
    spans: list[tuple[int, int]] = []
    for offset in range(-1, days + 1):
        on = first + timedelta(days=offset)
        for weekday, start, end in parsed:
            if on.weekday() != weekday:
                continue
            a = _local_minutes(_at(on, start, src), dst, first)
            b = _local_minutes(_at(on, end, src), dst, first)
            a, b = max(a, 0), min(b, limit)
            if b > a:
                spans.append((a, b))
    return _merge(spans)


def _at(on: date, minute: int, zone: ZoneInfo) -> datetime:
    naive = datetime.combine(on, time()) + timedelta(minutes=minute)
    # Through UTC and back: a wall-clock time skipped by a spring-forward change moves on.
    return naive.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def mask(spans: Iterable[tuple[int, int]], step: int) -> int:
    """Bits for the whole `step`-minute blocks inside the spans (partial blocks are left out)."""
    bits = 0
    for a, b in spans:
        first_block = -(-a // step)
        last_block = b // step
        if last_block > first_block:
            bits |= ((1 << (last_block - first_block)) - 1) << first_block
    return bits


def run_starts(bits: int, length: int, blocks: int) -> int:
    """Blocks i < `blocks` from which `length` consecutive blocks are all set."""
    runs = bits
    have = 1
    while have < length:  # doubling: runs of 1, 2, 4, ... then the remainder
        shift = min(have, length - have)
        runs &= runs >> shift
        have += shift
    return runs & ((1 << blocks) - 1)


def runs(bits: int) -> list[tuple[int, int]]:
    """The maximal runs of set bits as (first block, end block)."""
    found: list[tuple[int, int]] = []
    pos = 0
    while bits:
        low = (bits & -bits).bit_length() - 1
        bits >>= low
        pos += low
        length = (~bits & (bits + 1)).bit_length() - 1
        found.append((pos, pos + length))
        bits >>= length
        pos += length
    return found
