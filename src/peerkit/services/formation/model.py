"""What the search knows of people, the rules it keeps and the score it raises."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from peerkit.defaults import FORMATION

UNPLACED = -1
STAGE_SPAN = 3  # steps from the first stage (idea) to the last (established)


@dataclass(frozen=True)
class Person:
    """What the search knows of a member; `starts` bits are start blocks of one week."""

    id: int
    starts: int
    stage: int | None = None  # 0 idea .. 3 established
    industry: str | None = None
    skills: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    offset: int = 0  # minutes east of UTC that week


@dataclass(frozen=True)
class Weights:
    """How much each preference counts in a group's score (relative; they are normalised)."""

    stage: float = 1.0
    skills: float = 1.0
    industry: float = 1.0
    zones: float = 1.0
    fresh: float = 1.0


@dataclass(frozen=True)
class Rules:
    min_size: int = FORMATION.min_size
    max_size: int = FORMATION.max_size
    separate_industry: bool = False


ZONE_SPAN = 720  # minutes: members twelve hours apart score 0 on "nearby time zones"


class Scorer:
    """Scores of groups of person indexes; every component lies in 0..1.

    - stage: 1 - mean stage distance over pairs / 3 (idea..established is 3 steps)
    - skills: share of members' needs that another member of the group has as a skill
    - industry: distinct industries / members who gave one
    - zones: 1 - mean UTC-offset distance over pairs / 12 hours
    - fresh: share of pairs that never met in an earlier group
    A missing value counts as a perfect match, so nobody is pushed out for a blank field.
    The score of a grouping is the member-weighted mean over groups, counting the people
    left out as 0: sum(size x score) / pool size.
    """

    def __init__(
        self,
        people: Sequence[Person],
        weights: Weights,
        met: set[tuple[int, int]],
        adjust: Mapping[tuple[int, int], float] | None = None,
    ):
        topics: dict[str, int] = {}
        for p in people:
            for t in sorted(p.skills | p.needs):
                topics.setdefault(t, len(topics))
        industries: dict[str, int] = {}
        self.stage = [-1 if p.stage is None else p.stage for p in people]
        self.industry = [
            -1 if p.industry is None else industries.setdefault(p.industry, len(industries))
            for p in people
        ]
        self.skills = [_bits(p.skills, topics) for p in people]
        self.needs = [_bits(p.needs, topics) for p in people]
        self.need_count = [n.bit_count() for n in self.needs]
        self.offset = [p.offset for p in people]
        index = {p.id: i for i, p in enumerate(people)}
        self.met: set[int] = set()
        n = len(people)
        for a, b in met:
            if a in index and b in index:
                i, j = sorted((index[a], index[b]))
                self.met.add(i * n + j)
        self.n = n
        # What two members together add to a group's value, not to its score (by member
        # ids; formation/history.py: a recent pair, a never-pair below 0, a must-pair above)
        self.adjust: dict[int, float] = {}
        for (a, b), amount in (adjust or {}).items():
            if a in index and b in index:
                i, j = sorted((index[a], index[b]))
                self.adjust[i * n + j] = self.adjust.get(i * n + j, 0.0) + amount
        total = weights.stage + weights.skills + weights.industry + weights.zones + weights.fresh
        if total <= 0:
            raise ValueError("at least one weight must be positive")
        self.w = (
            weights.stage / total,
            weights.skills / total,
            weights.industry / total,
            weights.zones / total,
            weights.fresh / total,
        )

    def components(self, group: Sequence[int]) -> tuple[float, float, float, float, float]:
        n, stage, offset, met = self.n, self.stage, self.offset, self.met
        stage_sum = stage_pairs = zone_sum = repeats = 0
        k = len(group)
        for x in range(k):
            i = group[x]
            si, oi = stage[i], offset[i]
            for y in range(x + 1, k):
                j = group[y]
                sj = stage[j]
                if si >= 0 and sj >= 0:
                    stage_sum += si - sj if si > sj else sj - si
                    stage_pairs += 1
                d = oi - offset[j]
                zone_sum += d if d > 0 else -d
                if (i * n + j if i < j else j * n + i) in met:
                    repeats += 1
        pairs = k * (k - 1) // 2
        s_stage = 1.0 - stage_sum / (STAGE_SPAN * stage_pairs) if stage_pairs else 1.0
        s_zone = max(0.0, 1.0 - zone_sum / (ZONE_SPAN * pairs)) if pairs else 1.0
        s_fresh = 1.0 - repeats / pairs if pairs else 1.0
        return s_stage, self._skills(group), self._industry(group), s_zone, s_fresh

    def _skills(self, group: Sequence[int]) -> float:
        wanted = covered = 0
        for i in group:
            need = self.needs[i]
            if not need:
                continue
            others = 0
            for j in group:
                if j != i:
                    others |= self.skills[j]
            wanted += self.need_count[i]
            covered += (need & others).bit_count()
        return covered / wanted if wanted else 1.0

    def _industry(self, group: Sequence[int]) -> float:
        named = [self.industry[i] for i in group if self.industry[i] >= 0]
        return len(set(named)) / len(named) if named else 1.0

    def score(self, group: Sequence[int]) -> float:
        if not group:
            return 0.0
        c = self.components(group)
        w = self.w
        return w[0] * c[0] + w[1] * c[1] + w[2] * c[2] + w[3] * c[3] + w[4] * c[4]

    def value(self, group: Sequence[int]) -> float:
        """size x score (plus the adjustments of its pairs): what the group adds to the
        grouping's total."""
        if not group:
            return 0.0
        value = len(group) * self.score(group)
        if self.adjust:
            n, adjust = self.n, self.adjust
            for x, i in enumerate(group):
                for j in group[x + 1 :]:
                    value += adjust.get(i * n + j if i < j else j * n + i, 0.0)
        return value


def _bits(items: frozenset[str], index: dict[str, int]) -> int:
    bits = 0
    for item in items:
        bits |= 1 << index[item]
    return bits
