"""Count the SQL statements one peerkit command sends to the database.

    python benchmarks/count_sql.py OUT.json --db DB plan week --week 2026-W10

Runs ``python -m peerkit ARGS...`` in this process with a listener on every SQLAlchemy
engine (``before_cursor_execute``: one count per statement or ``executemany``, BEGIN
included; the PRAGMAs peerkit sets on each new SQLite connection are not) and writes
{"exit": code, "total": n, "by": [["SELECT membership", 500], ...]} to OUT.json, the
statements grouped by verb and first table, most frequent first. Used by
benchmarks/scale.py.
"""

from __future__ import annotations

import json
import re
import runpy
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_SHAPES = (
    re.compile(r"^\s*(SELECT)\b.*?\bFROM\s+\"?(\w+)", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*(INSERT)\s+INTO\s+\"?(\w+)", re.IGNORECASE),
    re.compile(r"^\s*(UPDATE)\s+\"?(\w+)", re.IGNORECASE),
    re.compile(r"^\s*(DELETE)\s+FROM\s+\"?(\w+)", re.IGNORECASE),
)


def shape(statement: str) -> str:
    """'SELECT member' for a SELECT ... FROM member ...; the first word otherwise."""
    for pattern in _SHAPES:
        found = pattern.match(statement)
        if found:
            return f"{found[1].upper()} {found[2]}"
    words = statement.split()
    return " ".join(words[:2]).upper() if words else "?"


def main(out: Path, args: list[str]) -> int:
    seen: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen[shape(statement)] += 1

    event.listen(Engine, "before_cursor_execute", count)
    sys.argv = ["peerkit", *args]
    code: Any = 0
    try:
        runpy.run_module("peerkit", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code or 0
    report = {"exit": code, "total": sum(seen.values()), "by": seen.most_common()}
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return code if isinstance(code, int) else 1


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), sys.argv[2:]))
