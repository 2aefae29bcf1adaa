"""Forming groups: a constrained maximally-diverse grouping problem, searched in plain Python.

Hard rules: every group has MIN..MAX members, a common weekly start block (each member's
`starts` mask says where a meeting of the wanted length fits their week), and, when asked,
no two members of one industry. Preferences make up the score (see `Scorer`).

The search has three steps:

1. **Placement.** Give each person one start block ("bucket"), minimising the people who
   cannot be placed: a bucket of b people can be split into groups of MIN..MAX only for
   some b, and with industries kept apart no industry may outnumber its groups. A greedy
   start (least flexible people first, into the biggest open bucket) is repaired by
   min-conflicts moves with a little noise, the usual local search for such constraints.
2. **Dealing.** Each bucket is split into groups, dealing people round-robin by industry.
3. **Improving.** Iterated local search on the score: moves of one person, swaps of two,
   then a random shake of the best grouping, repeated while the work budget lasts.

Everything is driven by one seeded random generator and a work budget counted in moves,
never in seconds, so a seed gives the same groups on every machine.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

UNPLACED = -1


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
    min_size: int = 5
    max_size: int = 7
    separate_industry: bool = False


@dataclass
class Grouping:
    """The search's answer: groups as lists of person indexes, each with its common starts."""

    groups: list[list[int]]
    starts: list[int]
    scores: list[float]
    unplaced: list[int]
    score: float
    work: int = 0


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

    def __init__(self, people: Sequence[Person], weights: Weights, met: set[tuple[int, int]]):
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
        s_stage = 1.0 - stage_sum / (3 * stage_pairs) if stage_pairs else 1.0
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
        """size x score: what the group adds to the grouping's total."""
        return len(group) * self.score(group) if group else 0.0


def _bits(items: frozenset[str], index: dict[str, int]) -> int:
    bits = 0
    for item in items:
        bits |= 1 << index[item]
    return bits


def allowed_sizes(limit: int, rules: Rules) -> list[bool]:
    """allowed[b]: can b people be split into groups of MIN..MAX (0 is allowed)?"""
    ok = [False] * (limit + 1)
    ok[0] = True
    for b in range(1, limit + 1):
        k = b // rules.min_size
        ok[b] = k >= 1 and k * rules.max_size >= b
    return ok


def group_count(size: int, biggest_industry: int, rules: Rules) -> int:
    """How many groups to split `size` people into: near the middle size, industries apart."""
    low = -(-size // rules.max_size)
    high = size // rules.min_size
    if rules.separate_industry:
        low = max(low, biggest_industry)
    if low > high:
        return 0
    middle = (rules.min_size + rules.max_size) / 2
    return min(range(low, high + 1), key=lambda k: (abs(size / k - middle), k))


@dataclass
class _Placement:
    """Step 1's state: one bucket (start block) per person, or UNPLACED."""

    rules: Rules
    industry: list[int]
    allowed: list[bool]
    slot: list[int]
    members: dict[int, set[int]] = field(default_factory=dict)
    industries: dict[int, Counter[int]] = field(default_factory=dict)
    used: int = 0  # bit s set while bucket s has people
    distance: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        ok = self.allowed
        self.distance = [_nearest(ok, b) for b in range(len(ok))]

    def cost(self, slot: int, size_change: int = 0, industry: int = -1) -> int:
        """How far the bucket is from one that splits into valid groups.

        The distance to the nearest splittable size (adding or removing people), plus,
        with industries kept apart, the people an industry has beyond the bucket's groups.
        Zero exactly when the bucket can be dealt into groups that keep every rule.
        """
        size = len(self.members.get(slot, ())) + size_change
        if size <= 0:
            return 0
        over = self.distance[size]
        if self.rules.separate_industry:
            groups = max(1, size // self.rules.min_size)
            counts = self.industries.get(slot)
            if counts:
                for ind, count in counts.items():
                    if ind >= 0:
                        if ind == industry:
                            count += size_change
                        if count > groups:
                            over += count - groups
        return over

    def delta(self, person: int, to: int) -> int:
        """Change of the total cost if `person` moved to bucket `to`."""
        old = self.slot[person]
        if to == old:
            return 0
        ind = self.industry[person]
        change = 0
        if old == UNPLACED:
            change -= 1
        else:
            change += self.cost(old, -1, ind) - self.cost(old)
        if to == UNPLACED:
            change += 1
        else:
            change += self.cost(to, 1, ind) - self.cost(to)
        return change

    def move(self, person: int, to: int) -> None:
        old = self.slot[person]
        ind = self.industry[person]
        if old != UNPLACED:
            self.members[old].discard(person)
            self.industries[old][ind] -= 1
            if not self.members[old]:
                del self.members[old]
                del self.industries[old]
                self.used &= ~(1 << old)
        if to != UNPLACED:
            if to not in self.members:
                self.members[to] = set()
                self.industries[to] = Counter()
                self.used |= 1 << to
            self.members[to].add(person)
            self.industries[to][ind] += 1
        self.slot[person] = to

    def total(self) -> int:
        left = self.slot.count(UNPLACED)
        return left + sum(self.cost(s) for s in self.members)

    def loss(self, slot: int) -> int:
        """People the bucket really leaves out when it is dealt into groups (step 2)."""
        if slot == UNPLACED or slot not in self.members or self.cost(slot) == 0:
            return 0
        size = len(self.members[slot])
        rules = self.rules
        if not rules.separate_industry:
            best = size
            while not self.allowed[best]:
                best -= 1
            return size - best
        counts = self.industries[slot]
        unnamed = counts.get(-1, 0)
        named = [c for ind, c in counts.items() if ind >= 0 and c > 0]
        best = 0
        for k in range(1, size // rules.min_size + 1):
            room = min(unnamed + sum(min(c, k) for c in named), k * rules.max_size)
            if room >= k * rules.min_size:
                best = max(best, room)
        return size - best


def _nearest(allowed: list[bool], size: int) -> int:
    """People to add or remove to reach a size that splits into valid groups."""
    for d in range(size + 1):
        if allowed[size - d] or (size + d < len(allowed) and allowed[size + d]):
            return d
    return size


def _bits_of(mask: int) -> list[int]:
    """The positions of the set bits of a non-negative mask, lowest first."""
    if mask < 0:
        raise ValueError("a mask of every bit has no list of bits")
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


class _Pickable:
    """A set with O(1) add, remove and random choice."""

    def __init__(self) -> None:
        self.items: list[int] = []
        self.where: dict[int, int] = {}

    def add(self, x: int) -> None:
        if x not in self.where:
            self.where[x] = len(self.items)
            self.items.append(x)

    def discard(self, x: int) -> None:
        pos = self.where.pop(x, None)
        if pos is None:
            return
        last = self.items.pop()
        if last != x:
            self.items[pos] = last
            self.where[last] = pos

    def choice(self, rng: random.Random) -> int:
        return self.items[rng.randrange(len(self.items))]

    def __len__(self) -> int:
        return len(self.items)


def place(
    people: Sequence[Person], rules: Rules, rng: random.Random, steps: int, noise: bool = False
) -> list[int]:
    """Step 1: a bucket for every person who can be placed, UNPLACED for the rest."""
    n = len(people)
    industries: dict[str | None, int] = {None: -1}
    industry = [industries.setdefault(p.industry, len(industries) - 1) for p in people]
    state = _Placement(rules, industry, allowed_sizes(2 * n + 2, rules), [UNPLACED] * n)
    options = [_bits_of(p.starts) for p in people]
    coverers: dict[int, list[int]] = {}
    for i, opts in enumerate(options):
        for s in opts:
            coverers.setdefault(s, []).append(i)
    _concentrate(state, options, coverers, rng if noise else None)
    _repair(state, options, coverers, rng, steps)
    return state.slot


def _concentrate(
    state: _Placement,
    options: list[list[int]],
    coverers: dict[int, list[int]],
    rng: random.Random | None,
) -> None:
    """Greedy start: the block most people can make takes all of them, and so on.

    With `rng`, the choice is blurred (fresh starts should differ): a block's count is
    scaled by a random factor between 0.5 and 1.
    """
    left = Counter({s: len(who) for s, who in coverers.items()})
    blur = {s: 0.5 + rng.random() / 2 for s in left} if rng else dict.fromkeys(left, 1.0)
    while left:
        block, count = max(left.items(), key=lambda kv: (kv[1] * blur[kv[0]], -kv[0]))
        if count <= 0:
            break
        for i in coverers[block]:
            if state.slot[i] == UNPLACED:
                state.move(i, block)
                for s in options[i]:
                    left[s] -= 1
        del left[block]


def _repair(
    state: _Placement,
    options: list[list[int]],
    coverers: dict[int, list[int]],
    rng: random.Random,
    steps: int,
) -> None:
    """Min-conflicts: push people out of troubled buckets, pull helpers in, with some noise."""
    bad = _Pickable()
    for s in state.members:
        if state.cost(s) > 0:
            bad.add(s)
    left = _Pickable()
    for i, s in enumerate(state.slot):
        if s == UNPLACED and options[i]:
            left.add(i)
    cost = state.total()
    losses = {b: state.loss(b) for b in state.members}
    lost = sum(losses.values()) + sum(1 for i in left.items if options[i])
    best_key, best = (lost, cost), list(state.slot)
    for _ in range(steps):
        if best_key[0] == 0 or not (bad or left):
            break
        if bad and (not left or rng.random() < 0.8):
            block = bad.choice(rng)
            if rng.random() < 0.5:
                person = rng.choice(sorted(state.members[block]))
                target = _best_target(state, person, options[person], rng)
            else:
                person, target = _best_pull(state, block, coverers[block], rng)
        else:
            person = left.choice(rng)
            target = _best_target(state, person, options[person], rng)
        if person < 0 or target == state.slot[person]:
            continue
        old = state.slot[person]
        cost += state.delta(person, target)
        state.move(person, target)
        for b in (old, target):
            if b == UNPLACED:
                continue
            if b in state.members and state.cost(b) > 0:
                bad.add(b)
            else:
                bad.discard(b)
            lost -= losses.pop(b, 0)
            losses[b] = state.loss(b)
            lost += losses[b]
        if target == UNPLACED:
            left.add(person)
            lost += 1
        else:
            left.discard(person)
        if old == UNPLACED:
            lost -= 1
        if (lost, cost) < best_key:
            best_key, best = (lost, cost), list(state.slot)
    for i, b in enumerate(best):
        if state.slot[i] != b:
            state.move(i, b)


def _best_target(state: _Placement, person: int, options: list[int], rng: random.Random) -> int:
    old = state.slot[person]
    starts = 0
    for s in options:
        starts |= 1 << s
    used = _bits_of(starts & state.used & ~(1 << old if old >= 0 else 0))
    fresh = [s for s in rng.sample(options, min(3, len(options))) if not state.used >> s & 1]
    candidates = [*used, *fresh, UNPLACED]
    if rng.random() < 0.1:
        return rng.choice(candidates)
    best_delta, best = 0, [old]
    for s in candidates:
        if s == old:
            continue
        delta = state.delta(person, s)
        if delta < best_delta:
            best_delta, best = delta, [s]
        elif delta == best_delta:
            best.append(s)
    return rng.choice(best)


def _best_pull(
    state: _Placement, block: int, coverers: list[int], rng: random.Random
) -> tuple[int, int]:
    """Someone who can make `block` and whose move there helps most (or a random one)."""
    sample = coverers if len(coverers) <= 24 else rng.sample(coverers, 24)
    outside = [i for i in sample if state.slot[i] != block]
    if not outside:
        return -1, block
    if rng.random() < 0.1:
        return rng.choice(outside), block
    deltas = [(state.delta(i, block), i) for i in outside]
    best = min(d for d, _ in deltas)
    if best > 0:
        return -1, block
    return rng.choice([i for d, i in deltas if d == best]), block


# --- step 2: dealing buckets into groups ------------------------------------------------


def deal(
    bucket: Sequence[int], industry: Sequence[int], rules: Rules, rng: random.Random
) -> tuple[list[list[int]], list[int]]:
    """Split one bucket into groups (industries apart when asked); returns groups, left out."""
    people = list(bucket)
    rng.shuffle(people)
    left: list[int] = []
    while people:
        counts = Counter(industry[i] for i in people if industry[i] >= 0)
        biggest = max(counts.values(), default=0) if rules.separate_industry else 0
        k = group_count(len(people), biggest, rules)
        if k:
            break
        if rules.separate_industry and biggest > len(people) // rules.min_size and counts:
            crowded = counts.most_common(1)[0][0]
            victim = next(i for i in people if industry[i] == crowded)
        else:
            victim = people[-1]
        people.remove(victim)
        left.append(victim)
    if not people:
        return [], left
    counts = Counter(industry[i] for i in people)
    people.sort(key=lambda i: (-counts[industry[i]], industry[i]))
    groups: list[list[int]] = [[] for _ in range(k)]
    for n, i in enumerate(people):
        groups[n % k].append(i)
    return groups, left


# --- step 3: iterated local search on the score -----------------------------------------

_ALL = -1  # the AND of no masks: every bit set
EVAL_COST = 10  # a score evaluation costs about ten rule checks
_EPS = 1e-9


class _Search:
    """Step 3's state: groups with their values and cached masks, and the moves on them.

    `work` counts rule checks (1) and score evaluations (EVAL_COST); the budget bounds it.
    """

    def __init__(
        self,
        people: Sequence[Person],
        rules: Rules,
        scorer: Scorer,
        rng: random.Random,
        budget: int,
    ):
        self.people = people
        self.starts = [p.starts for p in people]
        self.rules = rules
        self.scorer = scorer
        self.industry = scorer.industry
        self.rng = rng
        self.budget = budget
        self.work = 0
        self.groups: list[list[int]] = []
        self.where: list[int] = [UNPLACED] * len(people)
        self.value: list[float] = []
        self.mask: list[int] = []
        self.without: list[dict[int, int]] = []  # group -> member -> AND of the others
        self.any_without: list[int] = []  # OR of those: where anyone could step in
        self.industries: list[set[int]] = []
        self._index_cache: dict[int, list[int]] | None = None

    # state -------------------------------------------------------------------------

    def load(self, groups: list[list[int]]) -> None:
        self.groups, self.value, self.mask = [], [], []
        self.without, self.any_without, self.industries = [], [], []
        self.where = [UNPLACED] * len(self.people)
        for members in groups:
            self.groups.append([])
            self.value.append(0.0)
            self.mask.append(0)
            self.without.append({})
            self.any_without.append(0)
            self.industries.append(set())
            self._set(len(self.groups) - 1, list(members), self.scorer.value(members))

    def total(self) -> float:
        return sum(self.value)

    def _and(self, members: Sequence[int]) -> int:
        bits = _ALL
        for i in members:
            bits &= self.starts[i]
        return bits

    def _set(self, g: int, members: list[int], value: float) -> None:
        self.groups[g] = members
        self.value[g] = value
        starts = self.starts
        k = len(members)
        prefix = [_ALL] * (k + 1)
        for x in range(k):
            prefix[x + 1] = prefix[x] & starts[members[x]]
        suffix = _ALL
        without: dict[int, int] = {}
        union = 0
        for x in range(k - 1, -1, -1):
            bits = prefix[x] & suffix
            without[members[x]] = bits
            union |= bits
            suffix &= starts[members[x]]
        self.mask[g] = prefix[k] if members else 0  # an empty group meets never
        self.without[g] = without
        self.any_without[g] = union
        self.industries[g] = {self.industry[i] for i in members}
        for i in members:
            self.where[i] = g

    def _industry_ok(self, g: int, person: int, leaving: int = -1) -> bool:
        if not self.rules.separate_industry:
            return True
        ind = self.industry[person]
        if ind < 0 or ind not in self.industries[g]:
            return True
        return leaving >= 0 and ind == self.industry[leaving]

    # moves -------------------------------------------------------------------------

    def _try_move(self, i: int, h: int, force: bool = False) -> bool:
        """Move person i (placed or not) into group h if it raises the total."""
        g = self.where[i]
        target = self.groups[h]
        self.work += 1
        if not target or len(target) >= self.rules.max_size or not self.mask[h] & self.starts[i]:
            return False
        if g != UNPLACED and len(self.groups[g]) <= self.rules.min_size:
            return False
        if not self._industry_ok(h, i):
            return False
        new_h = [*target, i]
        self.work += EVAL_COST
        val_h = self.scorer.value(new_h)
        gain = val_h - self.value[h]
        if g != UNPLACED:
            new_g = [j for j in self.groups[g] if j != i]
            val_g = self.scorer.value(new_g)
            gain += val_g - self.value[g]
        if not force and gain <= _EPS:
            return False
        if g != UNPLACED:
            self._set(g, new_g, val_g)
        self._set(h, new_h, val_h)
        return True

    def _try_swap(self, i: int, j: int, force: bool = False) -> bool:
        """Swap person i with person j of another group (i may be unplaced)."""
        g, h = self.where[i], self.where[j]
        self.work += 1
        if h == UNPLACED or g == h or not self.without[h][j] & self.starts[i]:
            return False
        if g != UNPLACED and not self.without[g][i] & self.starts[j]:
            return False
        if not self._industry_ok(h, i, j) or (g != UNPLACED and not self._industry_ok(g, j, i)):
            return False
        new_h = [i if x == j else x for x in self.groups[h]]
        self.work += EVAL_COST
        val_h = self.scorer.value(new_h)
        gain = val_h - self.value[h]
        if g != UNPLACED:
            new_g = [j if x == i else x for x in self.groups[g]]
            val_g = self.scorer.value(new_g)
            gain += val_g - self.value[g]
        if not force and gain <= _EPS:
            return False
        self.where[j] = UNPLACED
        if g != UNPLACED:
            self._set(g, new_g, val_g)
        self._set(h, new_h, val_h)
        return True

    def _candidates(self, i: int, index: dict[int, list[int]] | None) -> list[int]:
        """Groups person i might join: all of them when few, else those sharing a time."""
        g = self.where[i]
        if index is None:
            return [h for h in range(len(self.groups)) if h != g]
        seen: set[int] = set()
        for block in _bits_of(self.starts[i]):
            seen.update(index.get(block, ()))
        seen.discard(g)
        found = sorted(seen)
        if len(found) > 12:
            found = self.rng.sample(found, 12)
        return found

    def _index(self) -> dict[int, list[int]] | None:
        if len(self.groups) <= 40:
            return None
        index: dict[int, list[int]] = {}
        for g, bits in enumerate(self.mask):
            for block in _bits_of(bits):
                index.setdefault(block, []).append(g)
        return index

    def improve(self) -> bool:
        """One pass of first-improvement moves and swaps over everyone, in random order."""
        improved = False
        index = self._index()
        order = [i for i in range(len(self.people)) if self.starts[i]]
        self.rng.shuffle(order)
        for i in order:
            if self.work >= self.budget:
                break
            for h in self._candidates(i, index):
                if not self.any_without[h] & self.starts[i]:
                    self.work += 1
                    continue
                if self._try_move(i, h):
                    improved = True
                    break
                if any(self._try_swap(i, j) for j in list(self.groups[h])):
                    improved = True
                    break
        return improved

    # moves that change the groups themselves ----------------------------------------

    def restructure(self) -> bool:
        """Dissolve a group into others, rebuild one at another time, or start a new one."""
        improved = False
        index = self._index()
        order = [g for g in range(len(self.groups)) if self.groups[g]]
        self.rng.shuffle(order)
        spawns = 20
        for g in order:
            if self.work >= self.budget:
                break
            if not self.groups[g]:
                continue
            if self._try_dissolve(g, index) or self._try_rebuild(g):
                improved = True
            elif spawns > 0 and len(self.groups[g]) > self.rules.min_size:
                spawns -= 1
                improved = self._try_spawn(g, index) or improved
        return improved

    def _value(self, members: list[int]) -> float:
        self.work += EVAL_COST
        return self.scorer.value(members)

    def _fits_list(self, members: list[int], person: int) -> bool:
        bits = self.starts[person]
        for j in members:
            bits &= self.starts[j]
        if not bits:
            return False
        if not self.rules.separate_industry or self.industry[person] < 0:
            return True
        return all(self.industry[j] != self.industry[person] for j in members)

    def _try_dissolve(self, g: int, index: dict[int, list[int]] | None) -> bool:
        """Spread a group's members over other groups, if that raises the total."""
        extra: dict[int, list[int]] = {}
        for i in self.groups[g]:
            best_gain, best_h = -1e18, -1
            for h in self._candidates(i, index):
                current = self.groups[h] + extra.get(h, [])
                if h == g or not self.groups[h] or len(current) >= self.rules.max_size:
                    continue
                self.work += 1
                if not self._fits_list(current, i):
                    continue
                gain = self._value([*current, i]) - self._value(current)
                if gain > best_gain:
                    best_gain, best_h = gain, h
            if best_h < 0:
                return False
            extra.setdefault(best_h, []).append(i)
        new_values = {h: self._value(self.groups[h] + more) for h, more in extra.items()}
        gain = sum(new_values[h] - self.value[h] for h in extra) - self.value[g]
        if gain <= _EPS:
            return False
        self._set(g, [], 0.0)
        for h, more in extra.items():
            self._set(h, self.groups[h] + more, new_values[h])
        return True

    def _build(self, pool: list[int], limit: int) -> list[int]:
        """Greedily the best group of up to `limit` people from the pool (rules kept)."""
        group: list[int] = []
        left = list(pool)
        while left and len(group) < limit:
            best_value, best = -1.0, -1
            for p in left:
                if group and not self._fits_list(group, p):
                    continue
                value = self._value([*group, p])
                if value > best_value:
                    best_value, best = value, p
            if best < 0:
                break
            group.append(best)
            left.remove(best)
        return group

    def _try_rebuild(self, g: int) -> bool:
        """With people left out: rebuild the group from its members and them, at any time."""
        waiting = [
            i for i in range(len(self.people)) if self.where[i] == UNPLACED and self.starts[i]
        ]
        if not waiting:
            return False
        if len(waiting) > 20:
            waiting = self.rng.sample(waiting, 20)
        members = self.groups[g]
        pool = [*members, *waiting]
        blocks = 0
        for p in pool:
            blocks |= self.starts[p]
        chosen = _bits_of(blocks)
        if len(chosen) > 12:
            chosen = self.rng.sample(chosen, 12)
        best, best_value = None, self.value[g]
        for block in chosen:
            candidates = [p for p in pool if self.starts[p] >> block & 1]
            if len(candidates) < len(members):
                continue
            built = self._build(candidates, self.rules.max_size)
            if len(built) >= len(members) and len(built) >= self.rules.min_size:
                value = self._value(built)
                if value > best_value + _EPS:
                    best, best_value = built, value
        if best is None:
            return False
        for i in members:
            self.where[i] = UNPLACED
        self._set(g, best, best_value)
        return True

    def _try_spawn(self, g: int, index: dict[int, list[int]] | None) -> bool:
        """Start a new group from people that bigger groups can spare, if that pays."""
        seed = self.rng.choice(self.groups[g])
        spare: dict[int, int] = {}
        pool: list[int] = []
        for h in [g, *self._candidates(seed, index)]:
            if self.groups[h] and len(self.groups[h]) > self.rules.min_size:
                spare[h] = len(self.groups[h]) - self.rules.min_size
                pool.extend(p for p in self.groups[h] if p != seed)
        pool.extend(
            i for i in range(len(self.people)) if self.where[i] == UNPLACED and self.starts[i]
        )
        group = [seed]
        taken = {g: 1}
        while len(group) < self.rules.min_size:
            best_value, best = -1.0, -1
            for p in pool:
                h = self.where[p]
                if p in group or (h != UNPLACED and taken.get(h, 0) >= spare.get(h, 0)):
                    continue
                if not self._fits_list(group, p):
                    continue
                value = self._value([*group, p])
                if value > best_value:
                    best_value, best = value, p
            if best < 0:
                return False
            group.append(best)
            if self.where[best] != UNPLACED:
                taken[self.where[best]] = taken.get(self.where[best], 0) + 1
        shrunk = {h: [p for p in self.groups[h] if p not in group] for h in taken}
        new_values = {h: self._value(members) for h, members in shrunk.items()}
        value = self._value(group)
        gain = value + sum(new_values[h] - self.value[h] for h in shrunk)
        if gain <= _EPS:
            return False
        for h, members in shrunk.items():
            self._set(h, members, new_values[h])
        self.groups.append([])
        self.value.append(0.0)
        self.mask.append(0)
        self.without.append({})
        self.any_without.append(0)
        self.industries.append(set())
        self._set(len(self.groups) - 1, group, value)
        return True

    def shake(self, strength: int) -> int:
        """Random swaps and moves that keep every hard rule; returns how many were made."""
        placed = [i for i in range(len(self.people)) if self.where[i] != UNPLACED]
        if len(self.groups) < 2 or not placed:
            return 0
        made = 0
        for _ in range(strength * 4):
            if made >= strength:
                break
            i = self.rng.choice(placed)
            g = self.where[i]
            reachable = [
                h
                for h in self._candidates(i, self._index_cache)
                if h != g and self.any_without[h] & self.starts[i]
            ]
            self.work += len(self.groups) // 8 + 1
            self.rng.shuffle(reachable)
            for h in reachable:
                j = self.rng.choice(self.groups[h])
                if self._try_swap(i, j, force=True) or self._try_move(i, h, force=True):
                    made += 1
                    break
        return made

    def run(self) -> list[list[int]]:
        """Iterated local search: improve, keep the best, shake it harder while stuck."""
        best = [list(g) for g in self.groups]
        best_total = self.total()
        strength = 2
        most = max(2, len(self.groups))
        while self.work < self.budget:
            while self.work < self.budget and (self.improve() or self.restructure()):
                pass
            current = self.total()
            if current > best_total + _EPS:
                best, best_total = [list(g) for g in self.groups], current
                strength = 2
            else:
                self.load(best)
                strength = strength + 1 if strength < most else 2
            self._index_cache = self._index()
            if not self.shake(strength) and strength >= most:
                break  # no move keeps the rules: there is nothing else to try
        return best


def restarts(n: int) -> int:
    """Fresh starts of the search: several for small pools, where they are cheap."""
    return 6 if n <= 200 else 2 if n <= 2_000 else 1


def _placed(groups: list[list[int]]) -> int:
    return sum(len(g) for g in groups)


def _deal_all(
    slot: list[int], industry: Sequence[int], rules: Rules, rng: random.Random
) -> list[list[int]]:
    buckets: dict[int, list[int]] = {}
    for i, s in enumerate(slot):
        if s != UNPLACED:
            buckets.setdefault(s, []).append(i)
    groups: list[list[int]] = []
    for s in sorted(buckets):
        dealt, _left = deal(buckets[s], industry, rules, rng)
        groups.extend(dealt)
    return groups


def default_budget(n: int) -> int:
    """Work for n people: enough to settle small pools, bounded for big ones."""
    return 200_000 + 1_500 * n


def form(
    people: Sequence[Person],
    rules: Rules,
    weights: Weights | None = None,
    met: set[tuple[int, int]] | None = None,
    seed: int = 0,
    budget: int | None = None,
) -> Grouping:
    """Partition `people` into groups; see the module's docstring for how."""
    if rules.min_size < 1 or rules.max_size < rules.min_size:
        raise ValueError("sizes must satisfy 1 <= min <= max")
    rng = random.Random(seed)
    scorer = Scorer(people, weights or Weights(), met or set())
    n = len(people)
    work = default_budget(n) if budget is None else budget
    starts = restarts(n)
    best: list[list[int]] = []
    best_total = -1.0
    spent = 0
    search = _Search(people, rules, scorer, rng, 0)
    for attempt in range(starts):
        slot = place(people, rules, rng, steps=max(2_000, 30 * n), noise=attempt > 0)
        search.budget = spent + (work - spent) // (starts - attempt)
        search.load(_deal_all(slot, scorer.industry, rules, rng))
        found = search.run()
        spent = search.work
        total = sum(scorer.value(g) for g in found)
        if _placed(found) > _placed(best) or (
            _placed(found) == _placed(best) and total > best_total + _EPS
        ):
            best, best_total = found, total
    final = [g for g in best if g]
    final.sort(key=lambda g: min(people[i].id for i in g))
    for g in final:
        g.sort(key=lambda i: people[i].id)
    placed = {i for g in final for i in g}
    unplaced = [i for i in range(n) if i not in placed]
    scores = [scorer.score(g) for g in final]
    total = sum(len(g) * s for g, s in zip(final, scores, strict=True)) / n if n else 0.0
    return Grouping(
        groups=final,
        starts=[search._and(g) for g in final],
        scores=scores,
        unplaced=unplaced,
        score=total,
        work=search.work,
    )
