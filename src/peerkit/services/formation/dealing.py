"""Step 2: each bucket (people sharing a start block) dealt into groups, round-robin."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from peerkit.services.formation.model import Rules


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
