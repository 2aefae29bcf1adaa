"""Weekly availability as bit masks: windows placed on real dates, then drawn as blocks.

`intervals` is checked against literal expectations and against an independent reference
that walks the target zone's week minute by minute and asks, through zoneinfo, whether the
member's own clock is inside one of their windows at that moment.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from peerkit.services.common import validate
from peerkit.services.formation.weekly import DAY_MINUTES, intervals, mask, run_starts, runs

ROME = "Europe/Rome"
UTC = "UTC"
LONDON = "Europe/London"
NEW_YORK = "America/New_York"
TOKYO = "Asia/Tokyo"
KOLKATA = "Asia/Kolkata"
ZONES = [UTC, ROME, LONDON, NEW_YORK, TOKYO, KOLKATA, "Australia/Sydney", "Pacific/Auckland"]

# Mondays: a normal winter week, the US change (Sun 8 March 2026) just behind, the week
# that ends with the EU change (Sun 29 March), the week after it, the week after the EU
# change back (Sun 25 October) and the week after the US one (Sun 1 November).
NORMAL = date(2026, 1, 12)
AFTER_US_SPRING = date(2026, 3, 9)
BEFORE_EU_SPRING = date(2026, 3, 23)
AFTER_EU_SPRING = date(2026, 3, 30)
AFTER_EU_AUTUMN = date(2026, 10, 26)
AFTER_US_AUTUMN = date(2026, 11, 2)


def at(day: int, hhmm: str) -> int:
    """Minutes since midnight of the week's first day: day 1 at "18:00" is 1*1440 + 1080."""
    h, m = hhmm.split(":")
    return day * DAY_MINUTES + int(h) * 60 + int(m)


def _transition_minutes(zone: ZoneInfo, first: date, days: int) -> set[int]:
    """Wall-clock minutes of the week that are skipped or repeated in `zone`."""
    odd: set[int] = set()
    start = datetime.combine(first, time())
    for m in range(days * DAY_MINUTES):
        naive = start + timedelta(minutes=m)
        early = naive.replace(tzinfo=zone, fold=0)
        late = naive.replace(tzinfo=zone, fold=1)
        if early.utcoffset() != late.utcoffset():
            odd.add(m)
    return odd


def reference(
    windows: list[str], member_zone: str, target_zone: str, first: date, days: int = 7
) -> tuple[set[int], set[int]]:
    """(covered minutes, minutes to ignore): minute by minute through zoneinfo.

    A target minute is covered when the member's clock, at that instant, is inside one of
    their windows. Minutes the target zone skips or repeats are returned apart: a wall-clock
    week cannot say which of two instants it means there.
    """
    src, dst = ZoneInfo(member_zone), ZoneInfo(target_zone)
    parsed = [validate.window(w) for w in windows]
    odd = _transition_minutes(dst, first, days)
    start = datetime.combine(first, time())
    covered: set[int] = set()
    for m in range(days * DAY_MINUTES):
        if m in odd:
            continue
        local = (start + timedelta(minutes=m)).replace(tzinfo=dst).astimezone(src)
        minute = local.hour * 60 + local.minute
        if any(local.weekday() == day and a <= minute < b for day, a, b in parsed):
            covered.add(m)
    return covered, odd


def as_minutes(spans: list[tuple[int, int]]) -> set[int]:
    return {m for a, b in spans for m in range(a, b)}


def assert_matches_reference(
    windows: list[str], member_zone: str, target_zone: str, first: date, days: int = 7
) -> list[tuple[int, int]]:
    spans = intervals(windows, member_zone, target_zone, first, days)
    covered, odd = reference(windows, member_zone, target_zone, first, days)
    got = as_minutes(spans)
    assert got - odd == covered, (windows, member_zone, target_zone, first)
    # merged, sorted, non-empty, inside the week
    assert all(0 <= a < b <= days * DAY_MINUTES for a, b in spans)
    assert all(b1 < a2 for (_, b1), (a2, _) in pairwise(spans))
    return spans


# --- intervals: one window seen from several zones ------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (UTC, [(at(1, "17:00"), at(1, "19:00"))]),
        (LONDON, [(at(1, "17:00"), at(1, "19:00"))]),
        (ROME, [(at(1, "18:00"), at(1, "20:00"))]),
        (NEW_YORK, [(at(1, "12:00"), at(1, "14:00"))]),
        (TOKYO, [(at(2, "02:00"), at(2, "04:00"))]),  # Wednesday early morning
        (KOLKATA, [(at(1, "22:30"), at(2, "00:30"))]),  # half-hour zone, over midnight
    ],
)
def test_rome_tuesday_evening_in_a_winter_week(
    target: str, expected: list[tuple[int, int]]
) -> None:
    spans = assert_matches_reference(["tue 18:00-20:00"], ROME, target, NORMAL)
    assert spans == expected


@pytest.mark.parametrize(
    ("first", "target", "expected"),
    [
        # US on summer time, EU not yet: New York is 5 hours behind Rome, not 6
        (AFTER_US_SPRING, NEW_YORK, [(at(1, "13:00"), at(1, "15:00"))]),
        (AFTER_US_SPRING, UTC, [(at(1, "17:00"), at(1, "19:00"))]),
        (AFTER_US_SPRING, LONDON, [(at(1, "17:00"), at(1, "19:00"))]),
        (AFTER_US_SPRING, TOKYO, [(at(2, "02:00"), at(2, "04:00"))]),
        (BEFORE_EU_SPRING, NEW_YORK, [(at(1, "13:00"), at(1, "15:00"))]),
        (BEFORE_EU_SPRING, UTC, [(at(1, "17:00"), at(1, "19:00"))]),
        # both on summer time: 6 hours again; Rome is UTC+2, London UTC+1
        (AFTER_EU_SPRING, NEW_YORK, [(at(1, "12:00"), at(1, "14:00"))]),
        (AFTER_EU_SPRING, UTC, [(at(1, "16:00"), at(1, "18:00"))]),
        (AFTER_EU_SPRING, LONDON, [(at(1, "17:00"), at(1, "19:00"))]),
        (AFTER_EU_SPRING, TOKYO, [(at(2, "01:00"), at(2, "03:00"))]),
        # EU back on winter time, US not yet: 5 hours again
        (AFTER_EU_AUTUMN, NEW_YORK, [(at(1, "13:00"), at(1, "15:00"))]),
        (AFTER_EU_AUTUMN, UTC, [(at(1, "17:00"), at(1, "19:00"))]),
        (AFTER_EU_AUTUMN, TOKYO, [(at(2, "02:00"), at(2, "04:00"))]),
        # both on winter time
        (AFTER_US_AUTUMN, NEW_YORK, [(at(1, "12:00"), at(1, "14:00"))]),
        (AFTER_US_AUTUMN, LONDON, [(at(1, "17:00"), at(1, "19:00"))]),
    ],
)
def test_rome_tuesday_evening_around_daylight_saving_changes(
    first: date, target: str, expected: list[tuple[int, int]]
) -> None:
    spans = assert_matches_reference(["tue 18:00-20:00"], ROME, target, first)
    assert spans == expected


def test_offsets_change_inside_one_week() -> None:
    """Monday 23 March is before the EU change, Sunday 29 March after it."""
    windows = ["mon 18:00-20:00", "sun 18:00-20:00"]
    spans = assert_matches_reference(windows, ROME, NEW_YORK, BEFORE_EU_SPRING)
    assert spans == [(at(0, "13:00"), at(0, "15:00")), (at(6, "12:00"), at(6, "14:00"))]
    # A span starting on Saturday 7 March: New York changes on the Sunday at 02:00.
    windows = ["sat 18:00-20:00", "sun 18:00-20:00"]
    spans = assert_matches_reference(windows, ROME, NEW_YORK, date(2026, 3, 7), days=2)
    assert spans == [(at(0, "12:00"), at(0, "14:00")), (at(1, "13:00"), at(1, "15:00"))]


def test_member_zone_spring_gap_moves_on() -> None:
    """Rome skips 02:00-03:00 on 29 March: "sun 02:00-04:00" is 01:00-02:00 UTC."""
    spans = assert_matches_reference(["sun 02:00-04:00"], ROME, UTC, BEFORE_EU_SPRING)
    assert spans == [(at(6, "01:00"), at(6, "02:00"))]


def test_member_zone_spring_gap_at_the_end_moves_on() -> None:
    """New York skips 02:00-03:00 on 8 March: an end at 02:30 is read as 03:30 EDT."""
    spans = intervals(["sun 00:00-02:30"], NEW_YORK, UTC, date(2026, 3, 8), days=1)
    assert spans == [(at(0, "05:00"), at(0, "07:30"))]


def test_member_zone_autumn_repeat_counts_both_hours() -> None:
    """Rome lives 02:00-03:00 twice on 25 October: "sun 02:00-03:00" is two UTC hours."""
    spans = assert_matches_reference(["sun 02:00-03:00"], ROME, UTC, date(2026, 10, 19))
    assert spans == [(at(6, "00:00"), at(6, "02:00"))]


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        # Tokyo Wednesday 07:00-09:00 is Tuesday 23:00 to Wednesday 01:00 in Rome (CET)...
        (NORMAL, [(at(1, "23:00"), at(2, "01:00"))]),
        # ... and Wednesday 00:00-02:00 on summer time.
        (AFTER_EU_SPRING, [(at(2, "00:00"), at(2, "02:00"))]),
    ],
)
def test_window_crossing_midnight_lands_on_the_right_day(
    first: date, expected: list[tuple[int, int]]
) -> None:
    spans = assert_matches_reference(["wed 07:00-09:00"], TOKYO, ROME, first)
    assert spans == expected


def test_window_from_the_next_week_is_kept() -> None:
    """Tokyo's Monday morning is New York's Sunday evening: the member's Monday after the
    week (first + 7) lands on the week's last day."""
    spans = assert_matches_reference(["mon 07:00-09:00"], TOKYO, NEW_YORK, NORMAL)
    assert spans == [(at(6, "17:00"), at(6, "19:00"))]


def test_window_from_the_previous_week_is_kept_and_clipped() -> None:
    """New York's Sunday 09:00-12:00 is Sunday 23:00 to Monday 02:00 in Tokyo: the member's
    Sunday before the week (first - 1) gives the week's first two hours, and their Sunday
    inside it the last hour, cut at the week's end."""
    spans = assert_matches_reference(["sun 09:00-12:00"], NEW_YORK, TOKYO, NORMAL)
    assert spans == [(0, at(0, "02:00")), (at(6, "23:00"), at(7, "00:00"))]


def test_window_from_the_previous_day_entirely_inside_the_week() -> None:
    """A New York member's Sunday 20:00-22:00 (EST) before the week is Monday 14:00-16:00 in
    Auckland (NZDT, 18 hours ahead); their Sunday inside the week falls after its end."""
    spans = assert_matches_reference(["sun 20:00-22:00"], NEW_YORK, "Pacific/Auckland", NORMAL)
    assert spans == [(at(0, "14:00"), at(0, "16:00"))]


@pytest.mark.parametrize("days", [1, 2, 3, 8])
def test_clipped_to_days(days: int) -> None:
    windows = ["mon 18:00-20:00", "tue 23:00-24:00", "wed 00:00-01:00", "mon 23:00-24:00"]
    spans = assert_matches_reference(windows, UTC, UTC, NORMAL, days)
    everything = [
        (at(0, "18:00"), at(0, "20:00")),
        (at(0, "23:00"), at(1, "00:00")),
        (at(1, "23:00"), at(2, "01:00")),  # merged over midnight
        (at(7, "18:00"), at(7, "20:00")),  # next Monday, with days=8
        (at(7, "23:00"), at(8, "00:00")),
    ]
    limit = days * DAY_MINUTES
    expected = [(a, min(b, limit)) for a, b in everything if a < limit]
    assert spans == expected


def test_clipping_cuts_a_window_at_the_end() -> None:
    # Rome Monday 23:00-24:00 is Tuesday 07:00-08:00 in Tokyo; with one day it is gone,
    # and a Tokyo window that runs over the end of the single day is cut.
    assert intervals(["mon 23:00-24:00"], ROME, TOKYO, NORMAL, days=1) == []
    spans = intervals(["mon 15:00-17:00"], ROME, TOKYO, NORMAL, days=1)
    assert spans == [(at(0, "23:00"), at(1, "00:00"))]


def test_overlapping_windows_are_merged() -> None:
    spans = intervals(["tue 18:00-20:00", "tue 19:00-21:00", "tue 21:00-22:00"], UTC, UTC, NORMAL)
    assert spans == [(at(1, "18:00"), at(1, "22:00"))]


def test_no_windows() -> None:
    assert intervals([], ROME, UTC, NORMAL) == []


WINDOW = st.builds(
    lambda day, a, length: validate.format_window(day, a, min(a + length, DAY_MINUTES)),
    st.integers(0, 6),
    st.integers(0, DAY_MINUTES // 15 - 1).map(lambda q: q * 15),
    st.integers(1, 16).map(lambda q: q * 30),
)
CHANGE_WEEKS = [
    NORMAL,
    date(2026, 3, 8),
    AFTER_US_SPRING,
    BEFORE_EU_SPRING,
    date(2026, 3, 29),
    AFTER_EU_SPRING,
    date(2026, 4, 6),  # Sydney and Auckland leave summer time on 5 April 2026
    date(2026, 10, 19),
    AFTER_EU_AUTUMN,
    date(2026, 10, 31),
    AFTER_US_AUTUMN,
]


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    windows=st.lists(WINDOW, min_size=1, max_size=3),
    member=st.sampled_from(ZONES),
    target=st.sampled_from(ZONES),
    first=st.sampled_from(CHANGE_WEEKS),
    days=st.integers(1, 8),
)
def test_intervals_match_reference(
    windows: list[str], member: str, target: str, first: date, days: int
) -> None:
    # A window that starts or ends at a time the member's clock skips or repeats has no
    # single instant: `intervals` takes the earlier offset there (tested above), while the
    # reference asks the clock at each instant. Such cases are left to the tests above.
    zone = ZoneInfo(member)
    for day, a, b in (validate.window(w) for w in windows):
        for offset in range(-1, days + 1):
            on = first + timedelta(days=offset)
            if on.weekday() == day:
                assume(not _ambiguous(on, a, zone) and not _ambiguous(on, b, zone))
    assert_matches_reference(windows, member, target, first, days)


def _ambiguous(on: date, minute: int, zone: ZoneInfo) -> bool:
    naive = datetime.combine(on, time()) + timedelta(minutes=minute)
    early = naive.replace(tzinfo=zone, fold=0)
    return early.utcoffset() != naive.replace(tzinfo=zone, fold=1).utcoffset()


# --- mask ----------------------------------------------------------------------------


def test_mask_whole_blocks() -> None:
    assert mask([(0, 60)], 15) == 0b1111
    assert mask([(at(0, "18:00"), at(0, "20:00"))], 15) == 0xFF << (18 * 4)


def test_mask_leaves_out_partial_blocks() -> None:
    # 18:10-20:00 with 15-minute blocks: the 18:00 block is partial, the first is 18:15
    bits = mask([(at(0, "18:10"), at(0, "20:00"))], 15)
    assert bits == 0b1111111 << (18 * 4 + 1)
    # and a partial block at the end as well
    assert mask([(at(0, "18:00"), at(0, "19:50"))], 15) == 0b1111111 << (18 * 4)
    # a span inside one block gives nothing
    assert mask([(5, 14)], 15) == 0
    assert mask([(10, 20)], 15) == 0


def test_mask_several_spans_and_other_steps() -> None:
    assert mask([(0, 10), (20, 30)], 5) == 0b110011
    assert mask([(0, 30), (15, 45)], 15) == 0b111
    assert mask([], 15) == 0


@settings(max_examples=200, deadline=None)
@given(
    spans=st.lists(st.tuples(st.integers(0, 500), st.integers(0, 120)), max_size=5),
    step=st.sampled_from([5, 10, 15, 30, 60]),
)
def test_mask_matches_naive(spans: list[tuple[int, int]], step: int) -> None:
    pairs = [(a, a + length) for a, length in spans]
    expected = 0
    for block in range(0, 700 // step + 1):
        lo, hi = block * step, (block + 1) * step
        if any(a <= lo and hi <= b for a, b in pairs):
            expected |= 1 << block
    assert mask(pairs, step) == expected


# --- run_starts and runs --------------------------------------------------------------


def test_two_hour_window_fits_three_ninety_minute_starts() -> None:
    free = mask([(at(1, "18:00"), at(1, "20:00"))], 15)
    starts = run_starts(free, 90 // 15, 7 * 96)
    first = (at(1, "18:00")) // 15
    assert starts == 0b111 << first  # 18:00, 18:15, 18:30


def test_runs_shorter_than_the_meeting_give_no_starts() -> None:
    free = mask([(at(1, "18:00"), at(1, "19:15")), (at(2, "09:00"), at(2, "09:30"))], 15)
    assert run_starts(free, 6, 7 * 96) == 0
    assert run_starts(0, 1, 96) == 0


def test_run_starts_length_one_is_the_mask_cut_to_blocks() -> None:
    assert run_starts(0b1011_0110, 1, 8) == 0b1011_0110
    assert run_starts(0b1011_0110, 1, 4) == 0b0110
    # starts at or past `blocks` are cut, even if the run continues there
    assert run_starts(0b1111_1111, 3, 4) == 0b1111


def naive_run_starts(bits: int, length: int, blocks: int) -> int:
    out = 0
    for i in range(blocks):
        if all(bits >> (i + k) & 1 for k in range(length)):
            out |= 1 << i
    return out


@settings(max_examples=300, deadline=None)
@given(
    bits=st.integers(0, (1 << 120) - 1),
    length=st.integers(1, 20),
    blocks=st.integers(1, 120),
)
def test_run_starts_matches_naive(bits: int, length: int, blocks: int) -> None:
    assert run_starts(bits, length, blocks) == naive_run_starts(bits, length, blocks)


@settings(max_examples=200, deadline=None)
@given(
    runs_of=st.lists(st.tuples(st.integers(0, 6), st.integers(1, 25)), max_size=8),
    length=st.integers(1, 20),
)
def test_run_starts_on_long_runs(runs_of: list[tuple[int, int]], length: int) -> None:
    """Random ints rarely hold long runs; build bits from gaps and runs instead."""
    bits, pos = 0, 0
    for gap, run in runs_of:
        pos += gap
        bits |= ((1 << run) - 1) << pos
        pos += run
    blocks = pos + 5
    assert run_starts(bits, length, blocks) == naive_run_starts(bits, length, blocks)


def naive_runs(bits: int) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    i, top = 0, bits.bit_length()
    while i < top:
        if bits >> i & 1:
            j = i
            while bits >> j & 1:
                j += 1
            found.append((i, j))
            i = j
        else:
            i += 1
    return found


def test_runs_examples() -> None:
    assert runs(0) == []
    assert runs(0b1) == [(0, 1)]
    assert runs(0b0111_0011_0000) == [(4, 6), (8, 11)]
    assert runs((1 << 672) - 1) == [(0, 672)]


@settings(max_examples=300, deadline=None)
@given(bits=st.integers(0, (1 << 200) - 1))
def test_runs_matches_naive(bits: int) -> None:
    found = runs(bits)
    assert found == naive_runs(bits)
    rebuilt = 0
    for a, b in found:
        rebuilt |= ((1 << (b - a)) - 1) << a
    assert rebuilt == bits
