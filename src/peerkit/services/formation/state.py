"""Step 3's state: groups of person indexes with their values and cached start masks."""

from __future__ import annotations

from collections.abc import Sequence

from peerkit.services.formation.model import UNPLACED, Person, Rules, Scorer

ALL_BITS = -1  # the AND of no masks: every bit set


class GroupState:
    """Groups with their values and cached masks; every change of a group goes through `_set`.

    For each group: its value (size x score), `mask` (the starts all its members share),
    `without` (per member, the starts the others share: where someone could take their
    place), `any_without` (the OR of those) and the industries of its members.
    """

    def __init__(self, people: Sequence[Person], rules: Rules, scorer: Scorer):
        self.people = people
        self.starts = [p.starts for p in people]
        self.rules = rules
        self.scorer = scorer
        self.industry = scorer.industry
        self.groups: list[list[int]] = []
        self.where: list[int] = [UNPLACED] * len(people)
        self.value: list[float] = []
        self.mask: list[int] = []
        self.without: list[dict[int, int]] = []  # group -> member -> AND of the others
        self.any_without: list[int] = []  # OR of those: where anyone could step in
        self.industries: list[set[int]] = []

    def load(self, groups: list[list[int]]) -> None:
        self.groups, self.value, self.mask = [], [], []
        self.without, self.any_without, self.industries = [], [], []
        self.where = [UNPLACED] * len(self.people)
        for members in groups:
            self._add(list(members), self.scorer.value(members))

    def _add(self, members: list[int], value: float) -> None:
        """A new group at the end, with these members."""
        self.groups.append([])
        self.value.append(0.0)
        self.mask.append(0)
        self.without.append({})
        self.any_without.append(0)
        self.industries.append(set())
        self._set(len(self.groups) - 1, members, value)

    def total(self) -> float:
        return sum(self.value)

    def common_starts(self, members: Sequence[int]) -> int:
        """The start blocks every one of `members` can make."""
        bits = ALL_BITS
        for i in members:
            bits &= self.starts[i]
        return bits

    def _waiting(self) -> list[int]:
        """People left out who could meet at some time."""
        return [i for i in range(len(self.people)) if self.where[i] == UNPLACED and self.starts[i]]

    def _set(self, g: int, members: list[int], value: float) -> None:
        self.groups[g] = members
        self.value[g] = value
        starts = self.starts
        k = len(members)
        prefix = [ALL_BITS] * (k + 1)
        for x in range(k):
            prefix[x + 1] = prefix[x] & starts[members[x]]
        suffix = ALL_BITS
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

    def _fits_list(self, members: list[int], person: int) -> bool:
        bits = self.starts[person]
        for j in members:
            bits &= self.starts[j]
        if not bits:
            return False
        if not self.rules.separate_industry or self.industry[person] < 0:
            return True
        return all(self.industry[j] != self.industry[person] for j in members)
