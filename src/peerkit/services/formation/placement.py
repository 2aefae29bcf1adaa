"""Step 1: a start block (bucket) for everyone who can be placed, by min-conflicts repair."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from peerkit.services.formation.model import UNPLACED, Person, Rules

# The repair's choices (min-conflicts with noise), as probabilities and sample sizes:
FIX_BUCKET = 0.8  # work on a troubled bucket (rather than on someone left out)
PUSH_OUT = 0.5  # push someone out of the troubled bucket (rather than pull someone in)
NOISE = 0.1  # a random move instead of the best one
FRESH_TRIED = 3  # unused blocks of a person's tried as targets
PULL_TRIED = 24  # people who could make a bucket, tried for a pull
BLUR_LOW = 0.5  # fresh starts scale a block's count by a random factor from this to 1


def allowed_sizes(limit: int, rules: Rules) -> list[bool]:
    """allowed[b]: can b people be split into groups of MIN..MAX (0 is allowed)?"""
    ok = [False] * (limit + 1)
    ok[0] = True
    for b in range(1, limit + 1):
        k = b // rules.min_size
        ok[b] = k >= 1 and k * rules.max_size >= b
    return ok


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


def bits_of(mask: int) -> list[int]:
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
    # Sizes up to twice a bucket's (plus one joining): the nearest good size may be above.
    state = _Placement(rules, industry, allowed_sizes(2 * n + 2, rules), [UNPLACED] * n)
    options = [bits_of(p.starts) for p in people]
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
    scaled by a random factor between BLUR_LOW and 1.
    """
    left = Counter({s: len(who) for s, who in coverers.items()})
    spread = 1 - BLUR_LOW
    blur = {s: BLUR_LOW + rng.random() * spread for s in left} if rng else dict.fromkeys(left, 1.0)
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


@dataclass
class _Troubles:
    """What the repair keeps fixing: buckets that cannot be dealt, people left out.

    `lost` counts the people the placement really leaves out (those in no bucket, and
    those their bucket leaves out when dealt); `cost` is the placement's total cost.
    """

    bad: _Pickable
    left: _Pickable
    losses: dict[int, int]
    lost: int
    cost: int

    @classmethod
    def of(cls, state: _Placement, options: list[list[int]]) -> _Troubles:
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
        return cls(bad, left, losses, lost, cost)

    def key(self) -> tuple[int, int]:
        """Lower is better: people lost first, then the cost."""
        return self.lost, self.cost

    def move(self, state: _Placement, person: int, target: int) -> None:
        """Move `person` to bucket `target` and bring the counts up to date."""
        old = state.slot[person]
        self.cost += state.delta(person, target)
        state.move(person, target)
        for b in (old, target):
            if b == UNPLACED:
                continue
            if b in state.members and state.cost(b) > 0:
                self.bad.add(b)
            else:
                self.bad.discard(b)
            self.lost -= self.losses.pop(b, 0)
            self.losses[b] = state.loss(b)
            self.lost += self.losses[b]
        if target == UNPLACED:
            self.left.add(person)
            self.lost += 1
        else:
            self.left.discard(person)
        if old == UNPLACED:
            self.lost -= 1


def _repair(
    state: _Placement,
    options: list[list[int]],
    coverers: dict[int, list[int]],
    rng: random.Random,
    steps: int,
) -> None:
    """Min-conflicts: push people out of troubled buckets, pull helpers in, with some noise."""
    troubles = _Troubles.of(state, options)
    best_key, best = troubles.key(), list(state.slot)
    for _ in range(steps):
        if best_key[0] == 0 or not (troubles.bad or troubles.left):
            break
        person, target = _pick_move(state, troubles, options, coverers, rng)
        if person < 0 or target == state.slot[person]:
            continue
        troubles.move(state, person, target)
        if troubles.key() < best_key:
            best_key, best = troubles.key(), list(state.slot)
    for i, b in enumerate(best):
        if state.slot[i] != b:
            state.move(i, b)


def _pick_move(
    state: _Placement,
    troubles: _Troubles,
    options: list[list[int]],
    coverers: dict[int, list[int]],
    rng: random.Random,
) -> tuple[int, int]:
    """A person (-1 for none) and the bucket to move them to: out of a troubled bucket,
    into it, or a person left out into some bucket."""
    bad, left = troubles.bad, troubles.left
    if bad and (not left or rng.random() < FIX_BUCKET):
        block = bad.choice(rng)
        if rng.random() < PUSH_OUT:
            person = rng.choice(sorted(state.members[block]))
            return person, _best_target(state, person, options[person], rng)
        return _best_pull(state, block, coverers[block], rng)
    person = left.choice(rng)
    return person, _best_target(state, person, options[person], rng)


def _best_target(state: _Placement, person: int, options: list[int], rng: random.Random) -> int:
    old = state.slot[person]
    starts = 0
    for s in options:
        starts |= 1 << s
    used = bits_of(starts & state.used & ~(1 << old if old >= 0 else 0))
    tried = rng.sample(options, min(FRESH_TRIED, len(options)))
    fresh = [s for s in tried if not state.used >> s & 1]
    candidates = [*used, *fresh, UNPLACED]
    if rng.random() < NOISE:
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
    sample = coverers if len(coverers) <= PULL_TRIED else rng.sample(coverers, PULL_TRIED)
    outside = [i for i in sample if state.slot[i] != block]
    if not outside:
        return -1, block
    if rng.random() < NOISE:
        return rng.choice(outside), block
    deltas = [(state.delta(i, block), i) for i in outside]
    best = min(d for d, _ in deltas)
    if best > 0:
        return -1, block
    return rng.choice([i for d, i in deltas if d == best]), block
