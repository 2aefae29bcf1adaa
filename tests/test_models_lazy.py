"""Tables are mapped when first used (peerkit.models), and what is mapped is always whole.

A command maps only the tables it names (and the tables their foreign keys name): mapping all
twenty costs about 60 ms of every command's start (issue 19). Each check runs in a fresh
interpreter, where nothing else has mapped a table yet.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from peerkit import models

# In a fresh interpreter: map one table, then every foreign key of what is mapped must find
# its table, the mappers must configure, and the tables must sort parents first (what a
# flush does). Prints the tables mapped.
CLOSED = """
import sys
import sqlalchemy as sa
from sqlmodel import SQLModel
from peerkit import models
getattr(models, sys.argv[1])
tables = SQLModel.metadata.tables
for table in tables.values():
    for fk in table.foreign_keys:
        fk.column  # raises NoReferencedTableError when its table is not mapped
sa.orm.configure_mappers()
SQLModel.metadata.sorted_tables
print(" ".join(sorted(tables)))
"""


def fresh(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("name", sorted(models.HOMES))
def test_a_table_alone_maps_what_its_foreign_keys_name(name: str) -> None:
    mapped = fresh(CLOSED, name).split()
    table = models.load_all().tables
    own = getattr(models, name).__tablename__
    assert own in mapped
    wanted = {own} | {fk.column.table.name for fk in table[own].foreign_keys}
    assert wanted <= set(mapped)


def test_load_all_maps_every_table() -> None:
    names = fresh(
        "from peerkit import models; print(' '.join(sorted(models.load_all().tables)))"
    ).split()
    assert len(names) == len(models.HOMES) == 20
    assert "change_log" in names
    assert "member" in names


def test_a_name_that_is_no_table_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        models.Nope  # noqa: B018


def test_member_list_maps_only_the_tables_it_reads(tmp_path: Path) -> None:
    """`member list` maps the member table alone (with --group, the groups' tables too)."""
    db = tmp_path / "peerkit.db"
    subprocess.run(
        [sys.executable, "-m", "peerkit", "--db", str(db), "init", "--community", "C"],
        capture_output=True,
        check=True,
    )
    code = (
        "import sys, runpy\n"
        "sys.argv = ['peerkit', '--db', sys.argv[1], 'member', 'list', '--format', 'json']\n"
        "try:\n"
        "    runpy.run_module('peerkit', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "from sqlmodel import SQLModel\n"
        "print(' '.join(sorted(SQLModel.metadata.tables)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.split() == ["member"]
