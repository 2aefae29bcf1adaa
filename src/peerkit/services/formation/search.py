"""Step 3: iterated local search on the score, every hard rule kept at every step."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from peerkit.services.formation.model import UNPLACED, Person, Rules, Scorer
from peerkit.services.formation.placement import bits_of
from peerkit.services.formation.state import GroupState

EVAL_COST = 10  # a score evaluation costs about ten rule checks
EPS = 1e-9  # gains this small are rounding noise, not gains
INDEX_ABOVE = 40  # with more groups than this, a person tries only groups sharing a time
CANDIDATES = 12  # ... and at most this many of them, drawn at random
SPAWNS = 20  # new groups tried per restructuring pass
REBUILD_WAITING = 20  # people left out that a rebuild draws on, drawn at random
REBUILD_BLOCKS = 12  # start blocks a rebuild tries, drawn at random
SHAKE_TRIES = 4  # attempts per shake move wanted, before giving up
SHAKE_GROUPS_PER_CHECK = 8  # an attempt costs a rule check per this many groups, plus one
FIRST_STRENGTH = 2  # moves in the first shake; also the least strength ever reached


class Search(GroupState):
    """Step 3: the moves on the groups, and the search that makes them.

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
        super().__init__(people, rules, scorer)
        self.rng = rng
        self.budget = budget
        self.work = 0
        self._index_cache: dict[int, list[int]] | None = None

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
        if not force and gain <= EPS:
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
        if not force and gain <= EPS:
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
        for block in bits_of(self.starts[i]):
            seen.update(index.get(block, ()))
        seen.discard(g)
        found = sorted(seen)
        if len(found) > CANDIDATES:
            found = self.rng.sample(found, CANDIDATES)
        return found

    def _index(self) -> dict[int, list[int]] | None:
        if len(self.groups) <= INDEX_ABOVE:
            return None
        index: dict[int, list[int]] = {}
        for g, bits in enumerate(self.mask):
            for block in bits_of(bits):
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
        spawns = SPAWNS
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

    def _try_dissolve(self, g: int, index: dict[int, list[int]] | None) -> bool:
        """Spread a group's members over other groups, if that raises the total."""
        extra: dict[int, list[int]] = {}
        for i in self.groups[g]:
            best_gain, best_h = -math.inf, -1
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
        if gain <= EPS:
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
        waiting = self._waiting()
        if not waiting:
            return False
        if len(waiting) > REBUILD_WAITING:
            waiting = self.rng.sample(waiting, REBUILD_WAITING)
        members = self.groups[g]
        pool = [*members, *waiting]
        blocks = 0
        for p in pool:
            blocks |= self.starts[p]
        chosen = bits_of(blocks)
        if len(chosen) > REBUILD_BLOCKS:
            chosen = self.rng.sample(chosen, REBUILD_BLOCKS)
        best, best_value = None, self.value[g]
        for block in chosen:
            candidates = [p for p in pool if self.starts[p] >> block & 1]
            if len(candidates) < len(members):
                continue
            built = self._build(candidates, self.rules.max_size)
            if len(built) >= len(members) and len(built) >= self.rules.min_size:
                value = self._value(built)
                if value > best_value + EPS:
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
        spare, pool = self._spare(g, seed, index)
        grown = self._grow(seed, g, pool, spare)
        if grown is None:
            return False
        group, taken = grown
        shrunk = {h: [p for p in self.groups[h] if p not in group] for h in taken}
        new_values = {h: self._value(members) for h, members in shrunk.items()}
        value = self._value(group)
        gain = value + sum(new_values[h] - self.value[h] for h in shrunk)
        if gain <= EPS:
            return False
        for h, members in shrunk.items():
            self._set(h, members, new_values[h])
        self._add(group, value)
        return True

    def _spare(
        self, g: int, seed: int, index: dict[int, list[int]] | None
    ) -> tuple[dict[int, int], list[int]]:
        """How many members group g and the groups near `seed` can give up, and the pool.

        A group can spare its members above the minimum size; the pool is their members but
        the seed, then everyone left out.
        """
        spare: dict[int, int] = {}
        pool: list[int] = []
        for h in [g, *self._candidates(seed, index)]:
            if self.groups[h] and len(self.groups[h]) > self.rules.min_size:
                spare[h] = len(self.groups[h]) - self.rules.min_size
                pool.extend(p for p in self.groups[h] if p != seed)
        pool.extend(self._waiting())
        return spare, pool

    def _grow(
        self, seed: int, g: int, pool: list[int], spare: dict[int, int]
    ) -> tuple[list[int], dict[int, int]] | None:
        """Greedily a group of the minimum size around `seed` (a member of group g).

        No group gives more than it can spare. Returns the group and how many each group
        gave, or None when no one fits.
        """
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
                return None
            group.append(best)
            if self.where[best] != UNPLACED:
                taken[self.where[best]] = taken.get(self.where[best], 0) + 1
        return group, taken

    def shake(self, strength: int) -> int:
        """Random swaps and moves that keep every hard rule; returns how many were made."""
        placed = [i for i in range(len(self.people)) if self.where[i] != UNPLACED]
        if len(self.groups) < 2 or not placed:
            return 0
        made = 0
        for _ in range(strength * SHAKE_TRIES):
            if made >= strength:
                break
            i = self.rng.choice(placed)
            g = self.where[i]
            reachable = [
                h
                for h in self._candidates(i, self._index_cache)
                if h != g and self.any_without[h] & self.starts[i]
            ]
            self.work += len(self.groups) // SHAKE_GROUPS_PER_CHECK + 1
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
        strength = FIRST_STRENGTH
        most = max(FIRST_STRENGTH, len(self.groups))
        while self.work < self.budget:
            while self.work < self.budget and (self.improve() or self.restructure()):
                pass
            current = self.total()
            if current > best_total + EPS:
                best, best_total = [list(g) for g in self.groups], current
                strength = FIRST_STRENGTH
            else:
                self.load(best)
                strength = strength + 1 if strength < most else FIRST_STRENGTH
            self._index_cache = self._index()
            if not self.shake(strength) and strength >= most:
                break  # no move keeps the rules: there is nothing else to try
        return best
