"""agenda.plain is dataclasses.asdict: the same values, of the same types, all the way down."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from peerkit.enums import GroupKind, MeetingStatus
from peerkit.services.groups import agenda


class Pair(NamedTuple):
    left: Any
    right: Any


@dataclass(frozen=True)
class Inner:
    name: str
    when: date | None = None
    kind: GroupKind = GroupKind.MASTERMIND


@dataclass
class Outer:
    value: Any
    inners: list[Inner] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=10),
    st.binary(max_size=5),
    st.dates(),
    st.sampled_from([MeetingStatus.PLANNED, GroupKind.MASTERMIND, Markup("<b>x</b>")]),
    st.just(datetime(2026, 1, 1, tzinfo=UTC)),
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.builds(Pair, inner, inner),
        st.builds(Inner, st.text(max_size=5), st.one_of(st.none(), st.dates())),
    ),
    max_leaves=12,
)


def shape(value: Any) -> Any:
    """The value with the type of every part beside it."""
    if isinstance(value, dict):
        return ("dict", [(shape(k), shape(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [shape(v) for v in value])
    return (type(value).__name__, value)


@given(VALUES, st.lists(st.builds(Inner, st.text(max_size=5)), max_size=3))
def test_plain_is_asdict(value: Any, inners: list[Inner]) -> None:
    outer = Outer(value, inners, {"v": value, "i": inners})
    assert shape(agenda.plain(outer)) == shape(asdict(outer))
