"""`to_json` writes through the fast writer (`json_text`) since issue 19: the same text as
`json.dumps(indent=2, ensure_ascii=False, default=str)` made terminal-safe, floats included
(the stats report is full of rates), NaN and the infinities too."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from peerkit.enums import AttendanceStatus
from peerkit.output import _json_safe, to_json

_SCALARS = (
    st.text()
    | st.integers()
    | st.booleans()
    | st.none()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.dates()
    | st.sampled_from(list(AttendanceStatus))
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=30,
)


def _before(data: Any) -> str:
    return _json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@given(_VALUES)
def test_to_json_is_what_it_was(data: Any) -> None:
    assert to_json(data) == _before(data)


def test_a_report_shaped_value() -> None:
    data = {
        "groups": [{"group": "g", "attendance_rate": 0.667, "attendance_trend": [1.0, None, 0.5]}],
        "members": [{"member": 1, "at_risk": True, "attendance": [AttendanceStatus.ABSENT]}],
        "since": date(2026, 3, 2),
        "odd": [float("nan"), float("inf"), -float("inf"), 1e300, -0.0],
    }
    assert to_json(data) == _before(data)
