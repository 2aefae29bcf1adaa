"""`plan week` again when nothing changed builds nothing (services/outbox/week_record.py),
and says exactly what comparing every file would say; anything changed is built again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from peerkit.services.outbox import week as week_svc
from tests.conftest import Cli, Result
from tests.factories import World
from tests.test_plan_week_bytes import build_community, fixed_randomness, written  # noqa: F401

pytest_plugins = ["tests.factories"]

WEEK = "2026-W49"


def plan(cli: Cli, out: Path, *extra: str) -> Result:
    return cli.ok("plan", "week", "--week", WEEK, "--out", str(out), "--format", "json", *extra)


def statuses(result: Result) -> dict[str, str]:
    """group-slug/file name -> status."""
    rows = json.loads(result.stdout)
    return {"/".join(Path(f["path"]).parts[-2:]): f["status"] for row in rows for f in row["files"]}


def forget_the_record(home: Path) -> None:
    shutil.rmtree(home / ".cache" / "peerkit" / "plan-week", ignore_errors=True)


@pytest.fixture
def planned(world: World, cli: Cli, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The golden community planned once into tmp_path/out."""
    request.getfixturevalue("fixed_randomness")
    build_community(world, tmp_path / "history")
    out = tmp_path / "out"
    plan(cli, out)
    return out


def refuse_to_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a meeting's files were built again")

    monkeypatch.setattr(week_svc, "_contents", refuse)


def test_a_run_that_changes_nothing_builds_nothing(
    planned: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = written(planned)
    refuse_to_build(monkeypatch)
    again = plan(cli, planned)
    assert set(statuses(again).values()) == {"unchanged"}
    assert f"wrote 0 file(s), {len(before)} unchanged" in again.stderr
    assert written(planned) == before


def test_it_says_what_comparing_every_file_says(
    planned: Path, cli: Cli, isolated_env: Path
) -> None:
    skipped = plan(cli, planned)
    forget_the_record(isolated_env)
    compared = plan(cli, planned)
    assert (skipped.stdout, skipped.stderr) == (compared.stdout, compared.stderr)
    dry = plan(cli, planned, "--dry-run")
    assert (dry.stdout, dry.stderr.replace("would write", "wrote")) == (
        compared.stdout,
        compared.stderr,
    )


def test_files_changed_by_hand_are_made_again(planned: Path, cli: Cli) -> None:
    before = written(planned)
    folder = planned / WEEK / "london-thursdays"
    (folder / "invite-7-member-a.eml").write_text("edited")
    (folder / "agenda.md").unlink()
    (folder / "invite-99-someone.eml").write_text("not invited")
    again = statuses(plan(cli, planned))
    assert again["london-thursdays/invite-7-member-a.eml"] == "written"
    assert again["london-thursdays/agenda.md"] == "written"
    assert again["london-thursdays/invite-99-someone.eml"] == "removed"
    assert again["monthly/agenda.md"] == "unchanged"
    assert written(planned) == before
    assert set(statuses(plan(cli, planned)).values()) == {"unchanged"}


def test_a_changed_template_is_used(planned: Path, cli: Cli, isolated_env: Path) -> None:
    templates = isolated_env / ".config" / "peerkit" / "templates"
    templates.mkdir(parents=True)
    (templates / "agenda.md.j2").write_text("# {{ group.name }}\n", encoding="utf-8")
    again = statuses(plan(cli, planned))
    assert again["monthly/agenda.md"] == "written"
    assert again["monthly/session.ics"] == "unchanged"
    assert (planned / WEEK / "monthly" / "agenda.md").read_text() == "# Monthly\n"


def test_a_changed_member_is_written_again(planned: Path, cli: Cli) -> None:
    folder = planned / WEEK / "london-thursdays"
    cli.ok("member", "edit", "7", "--name", "Member Z")
    again = statuses(plan(cli, planned))
    assert again["london-thursdays/invite-7-member-z.eml"] == "written"
    assert again["london-thursdays/invite-7-member-a.eml"] == "removed"
    assert "Member Z" in (folder / "invite-8-member-b.eml").read_text()  # the hot seats


@pytest.mark.usefixtures("fixed_randomness")
def test_an_unwritable_cache_costs_only_time(
    world: World, cli: Cli, tmp_path: Path, isolated_env: Path
) -> None:
    (isolated_env / ".cache").mkdir()
    (isolated_env / ".cache" / "peerkit").write_text("a file where the folder would be")
    build_community(world, tmp_path / "history")
    first = plan(cli, tmp_path / "out")
    again = plan(cli, tmp_path / "out")
    assert set(statuses(first).values()) == {"written"}
    assert set(statuses(again).values()) == {"unchanged"}
