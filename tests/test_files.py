"""Files peerkit writes (issue 13, item 5): never over a file without --force, never through a
link, never over a read-only file, whole or not at all, and never where nobody asked.

- `--output FILE` (agenda, member export, export ics, event export) refuses a file that is
  already there unless --force is given; a symbolic link is refused even with --force, and a
  read-only file is left alone (checked in a process that cannot ignore file modes, since
  root can: see `unprivileged`).
- The folders peerkit regenerates (plan week, invite, site build) re-write their own files,
  but a link planted under one of those names is never followed.
- An empty `--out ""`, `--dir ""`, `--to ""`, `--output ""` or `db backup ""` is a usage
  error (exit 2), not the current folder.
- The outbox's regenerated files are written without an fsync each; a file asked for by name
  is flushed to the disk.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from peerkit import files
from peerkit.errors import PeerkitError
from tests.conftest import Cli, Result, assert_error, assert_usage_error

ROOT = Path(__file__).resolve().parent.parent
WEEK = "2026-W49"
SLUG = "mastermind"
PRECIOUS = "the organiser's own notes\n"
# The capabilities that let root read and write whatever the modes say.
ROOT_POWERS = "-dac_override,-dac_read_search"


@pytest.fixture
def community(cli: Cli) -> Cli:
    """Three members in a weekly group from 1 December 2026, its meetings, one event."""
    cli.ok("init", "--organiser-name", "Paolo Organiser", "--organiser-email", "paolo@example.com")
    for name in ("Anna Bianchi", "Bruno Verdi", "Carla Neri"):
        first = name.split()[0].lower()
        cli.ok("member", "add", name, "--email", f"{first}@example.com")
    cli.ok(
        "group", "create", "Mastermind", "--timezone", "Europe/Rome", "--day", "tue",
        "--time", "18:30", "--start", "2026-12-01", "--member", "1", "--member", "2",
        "--member", "3",
    )  # fmt: skip
    cli.ok("session", "plan", SLUG, "--count", "2")
    cli.ok("event", "create", "Pricing workshop", "--start", "2026-12-10 18:00")
    return cli


# Every command that writes one file named with --output.
OUTPUT_COMMANDS = {
    "agenda": ["agenda", "1"],
    "member export": ["member", "export"],
    "export ics": ["export", "ics", "--all"],
    "event export": ["event", "export", "1"],
}


def entries(folder: Path) -> list[str]:
    """What is in a folder, temporary files included."""
    return sorted(p.name for p in folder.iterdir())


# --- --output FILE and --force ----------------------------------------------------------


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_refuses_an_existing_file_without_force(
    community: Cli, tmp_path: Path, command: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "mine.txt"
    target.write_text(PRECIOUS, encoding="utf-8")
    result = community(*OUTPUT_COMMANDS[command], "--output", str(target))
    assert_error(result, f"{target} already exists", "--force")
    assert len(result.stderr.splitlines()) == 1
    assert target.read_text(encoding="utf-8") == PRECIOUS
    assert entries(folder) == ["mine.txt"]  # no temporary file left behind


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_with_force_replaces_the_file_with_a_private_one(
    community: Cli, tmp_path: Path, command: str
) -> None:
    target = tmp_path / "mine.txt"
    target.write_text(PRECIOUS, encoding="utf-8")
    target.chmod(0o644)
    result = community.ok(*OUTPUT_COMMANDS[command], "-o", str(target), "--force")
    assert result.stdout == ""
    assert str(target) in result.stderr
    assert target.read_text(encoding="utf-8") != PRECIOUS
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_to_a_new_file_needs_no_force(community: Cli, tmp_path: Path, command: str) -> None:
    target = tmp_path / "new.txt"
    community.ok(*OUTPUT_COMMANDS[command], "--output", str(target))
    assert target.stat().st_size > 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert entries(tmp_path) == sorted(["community", "home", "new.txt"])


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["", "--force"])
@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_never_writes_through_a_link(
    community: Cli, tmp_path: Path, command: str, force: list[str]
) -> None:
    victim = tmp_path / "victim"
    victim.write_text(PRECIOUS, encoding="utf-8")
    link = tmp_path / "agenda.md"
    link.symlink_to(victim)
    result = community(*OUTPUT_COMMANDS[command], "--output", str(link), *force)
    assert_error(result, f"{link} is a symbolic link")
    assert victim.read_text(encoding="utf-8") == PRECIOUS
    assert link.is_symlink()
    assert link.readlink() == victim


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["", "--force"])
def test_a_dangling_link_is_not_followed_either(
    community: Cli, tmp_path: Path, force: list[str]
) -> None:
    victim = tmp_path / "not-there-yet"
    link = tmp_path / "agenda.md"
    link.symlink_to(victim)
    assert_error(community("agenda", "1", "-o", str(link), *force), "symbolic link")
    assert not victim.exists()


def test_output_refuses_a_device_or_pipe(community: Cli, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert_error(community("agenda", "1", "-o", str(pipe), "--force"), "not a regular file")


# --- the folders peerkit regenerates ------------------------------------------------------


@pytest.mark.parametrize("same_bytes", [False, True], ids=["other-bytes", "same-bytes"])
def test_plan_week_rewrites_its_files_but_not_through_a_planted_link(
    community: Cli, tmp_path: Path, same_bytes: bool
) -> None:
    """Also when the link's target holds exactly what peerkit would write: still a link."""
    out = tmp_path / "outbox"
    community.ok("plan", "week", "--week", WEEK, "--out", str(out))
    invitation = sorted((out / WEEK / SLUG).glob("*.eml"))[0]
    victim = tmp_path / "victim"
    victim.write_bytes(invitation.read_bytes() if same_bytes else PRECIOUS.encode("utf-8"))
    before = victim.read_bytes()
    invitation.unlink()
    invitation.symlink_to(victim)
    result = community("plan", "week", "--week", WEEK, "--out", str(out))
    assert_error(result, f"{invitation} is a symbolic link")
    assert victim.read_bytes() == before
    assert invitation.is_symlink()


def test_plan_week_run_twice_rewrites_a_changed_file(community: Cli, tmp_path: Path) -> None:
    """Regenerating is not overwriting in the sense of --force: no flag needed."""
    out = tmp_path / "outbox"
    community.ok("plan", "week", "--week", WEEK, "--out", str(out))
    agenda = next((out / WEEK / SLUG).glob("*.md"))
    original = agenda.read_bytes()
    agenda.write_text("scribbled over\n", encoding="utf-8")
    community.ok("plan", "week", "--week", WEEK, "--out", str(out))
    assert agenda.read_bytes() == original
    assert stat.S_IMODE(agenda.stat().st_mode) == 0o600


def test_a_new_week_folder_is_written_whole_and_private(community: Cli, tmp_path: Path) -> None:
    """A group's folder that is not there yet is made in one go (its files written into a
    hidden temporary folder, renamed into place): the same files, 0600 in a 0700 folder, and
    nothing left beside it."""
    out = tmp_path / "outbox"
    community.ok("plan", "week", "--week", WEEK, "--out", str(out))
    folder = out / WEEK / SLUG
    assert sorted(p.name for p in (out / WEEK).iterdir()) == [SLUG]  # no temporary folder
    names = sorted(p.name for p in folder.iterdir())
    assert {"agenda.md", "session.ics"} < set(names)
    assert len(names) == 5
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}


def test_a_folder_that_cannot_be_made_stops_the_run_in_one_line(
    community: Cli, tmp_path: Path
) -> None:
    """A new group folder is made whole or not at all: what stops it is one line, and
    nothing is left half-made."""
    out = tmp_path / "outbox"
    out.mkdir()
    (out / WEEK).write_text(PRECIOUS, encoding="utf-8")  # a file where the week's folder goes
    result = community("plan", "week", "--week", WEEK, "--out", str(out))
    assert_error(result, "cannot write", "Not a directory")
    assert (out / WEEK).read_text(encoding="utf-8") == PRECIOUS
    assert sorted(p.name for p in out.iterdir()) == [WEEK]


def test_write_folder_makes_the_folder_or_leaves_it_to_the_caller(tmp_path: Path) -> None:
    """Written whole where nothing is; where something appeared (a folder with files, a file,
    a link) nothing is written, nothing is left behind, and the caller is told (False)."""
    tmp_path = tmp_path / "here"
    tmp_path.mkdir()
    target = tmp_path / "new"
    assert files.write_folder(target, [("a.txt", b"one\n"), ("b.txt", "dos\u00e9".encode())])
    assert (target / "b.txt").read_bytes() == "dos\u00e9".encode()
    assert {stat.S_IMODE(p.stat().st_mode) for p in target.iterdir()} == {0o600}
    for kind in ("folder", "file", "link"):
        there = tmp_path / kind
        if kind == "folder":
            there.mkdir()
            (there / "mine.txt").write_text(PRECIOUS, encoding="utf-8")
        elif kind == "file":
            there.write_text(PRECIOUS, encoding="utf-8")
        else:
            there.symlink_to(target)
        assert not files.write_folder(there, [("a.txt", b"other\n")])
    assert (tmp_path / "folder" / "mine.txt").read_text(encoding="utf-8") == PRECIOUS
    assert (tmp_path / "file").read_text(encoding="utf-8") == PRECIOUS
    assert (target / "a.txt").read_bytes() == b"one\n"  # not through the link
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "folder", "link", "new"]


def test_write_folder_says_in_one_line_why_it_cannot(tmp_path: Path) -> None:
    tmp_path = tmp_path / "here"
    tmp_path.mkdir()
    with pytest.raises(PeerkitError, match=r"cannot write in .*missing"):
        files.write_folder(tmp_path / "missing" / "new", [("a.txt", b"x")])
    with pytest.raises(PeerkitError, match="cannot write in"):
        files.write_folder(tmp_path / "new", [("no/such/sub.txt", b"x")])
    assert list(tmp_path.iterdir()) == []


def test_invite_does_not_follow_a_link_named_like_an_invitation(
    community: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "invites"
    written = community.ok("invite", "1", "--out", str(out)).stdout.split()
    invitation = Path(written[0])
    victim = tmp_path / "victim"
    victim.write_text(PRECIOUS, encoding="utf-8")
    invitation.unlink()
    invitation.symlink_to(victim)
    assert_error(community("invite", "1", "--out", str(out)), "symbolic link")
    assert victim.read_text(encoding="utf-8") == PRECIOUS


def test_site_build_does_not_follow_a_link_at_index_html(community: Cli, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    victim = tmp_path / "victim"
    victim.write_text(PRECIOUS, encoding="utf-8")
    (site / "index.html").symlink_to(victim)
    assert_error(community("site", "build", "--out", str(site)), "symbolic link")
    assert victim.read_text(encoding="utf-8") == PRECIOUS


def test_site_build_rewrites_its_page_world_readable(community: Cli, tmp_path: Path) -> None:
    site = tmp_path / "site"
    community.ok("site", "build", "--out", str(site))
    (site / "index.html").write_text("old\n", encoding="utf-8")
    community.ok("site", "build", "--out", str(site))
    assert "old" not in (site / "index.html").read_text(encoding="utf-8")
    assert stat.S_IMODE((site / "index.html").stat().st_mode) == 0o644
    assert entries(site) == ["index.html"]


def test_a_linked_folder_given_as_out_is_the_users_choice(community: Cli, tmp_path: Path) -> None:
    real = tmp_path / "synced"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    community.ok("site", "build", "--out", str(tmp_path / "link"))
    assert (real / "index.html").is_file()


def test_templates_copy_onto_a_dangling_link_is_refused(community: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    victim = tmp_path / "victim"
    (folder / "agenda.md.j2").symlink_to(victim)
    result = community("templates", "copy", "agenda.md.j2", "--to", str(folder))
    assert_error(result, "already exists")
    assert not victim.exists()


def test_templates_copy_is_readable_like_any_template(community: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    community.ok("templates", "copy", "agenda.md.j2", "--to", str(folder))
    assert stat.S_IMODE((folder / "agenda.md.j2").stat().st_mode) == files.PUBLIC


def test_db_backup_onto_a_dangling_link_is_refused(community: Cli, tmp_path: Path) -> None:
    victim = tmp_path / "victim.db"
    link = tmp_path / "copy.db"
    link.symlink_to(victim)
    assert_error(community("db", "backup", str(link)), "already exists")
    assert not victim.exists()
    assert [p.name for p in tmp_path.glob(".copy.db*")] == []


# --- an empty path ------------------------------------------------------------------------


EMPTY = {  # the command line, and the name the one-line reason gives
    "agenda --output": (["agenda", "1", "--output", ""], "--output"),
    "agenda -o": (["agenda", "1", "-o", ""], "--output"),
    "member export": (["member", "export", "--output="], "--output"),
    "export ics": (["export", "ics", "--all", "--output", ""], "--output"),
    "event export": (["event", "export", "1", "--output", ""], "--output"),
    "plan week": (["plan", "week", "--out", ""], "--out"),
    "invite": (["invite", "1", "--out", ""], "--out"),
    "remind": (["remind", "--out", ""], "--out"),
    "site build": (["site", "build", "--out", ""], "--out"),
    "demo": (["demo", "--dir", ""], "--dir"),
    "templates copy": (["templates", "copy", "agenda.md.j2", "--to", ""], "--to"),
    "event rsvp": (["event", "rsvp", "1", "1", "--out", ""], "--out"),
    "mentor checkin": (
        ["mentor", "checkin", "1", "--start", "2026-12-03 18:30", "--out="],
        "--out",
    ),
    "db backup": (["db", "backup", ""], "FILE"),
}


@pytest.mark.parametrize(("argv", "name"), EMPTY.values(), ids=EMPTY.keys())
def test_an_empty_path_is_a_usage_error_and_writes_nothing(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], name: str
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = community(*argv)
    assert_usage_error(result, f"Error: {name} is empty; give ")
    assert result.stderr.count("\n") == 1
    assert entries(here) == []


def test_the_current_folder_can_still_be_named(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    community.ok("site", "build", "--out", ".")
    assert (tmp_path / "index.html").is_file()


# --- fsync: a named file is flushed, the outbox's files are not ---------------------------


def test_only_files_asked_for_by_name_are_flushed_one_by_one(
    community: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: flushed.append(fd) or real(fd))
    community.ok("plan", "week", "--week", WEEK, "--out", str(tmp_path / "outbox"))
    assert len(list((tmp_path / "outbox").rglob("*.eml"))) == 3
    assert flushed == []
    community.ok("agenda", "1", "-o", str(tmp_path / "agenda.md"))
    assert flushed  # the file, then its folder


# --- modes: in a process that cannot ignore them -------------------------------------------


def unprivileged(*argv: str) -> Result:
    """Run peerkit in a process that honours file modes.

    As root (CI), the process keeps uid 0 but loses the two capabilities that let root read
    and write regardless of modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), through setpriv:
    for its own files it is then an ordinary owner. (Switching to `nobody` would need the
    interpreter to be reachable by nobody; a pyenv under /root is not.) As anyone else, it
    runs as is.
    """
    prefix = []
    if os.geteuid() == 0:
        prefix = ["setpriv", f"--inh-caps={ROOT_POWERS}", f"--bounding-set={ROOT_POWERS}"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "peerkit", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def test_the_unprivileged_process_really_honours_modes(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(PRECIOUS, encoding="utf-8")
    locked.chmod(0o400)
    probe = unprivileged("--db", str(tmp_path / "x.db"), "--version")
    assert probe.exit_code == 0, probe.stderr
    check = subprocess.run(
        ["setpriv", f"--inh-caps={ROOT_POWERS}", f"--bounding-set={ROOT_POWERS}", "sh", "-c",
         f"echo x >> {locked}"] if os.geteuid() == 0 else ["sh", "-c", f"echo x >> {locked}"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert check.returncode != 0
    assert locked.read_text(encoding="utf-8") == PRECIOUS


@pytest.mark.parametrize("command", ["agenda", "member export"])
def test_a_read_only_file_is_left_alone_even_with_force(
    community: Cli, tmp_path: Path, command: str
) -> None:
    target = tmp_path / "kept.txt"
    target.write_text(PRECIOUS, encoding="utf-8")
    target.chmod(0o444)
    argv = OUTPUT_COMMANDS[command]
    result = unprivileged("--db", str(community.db_path), *argv, "-o", str(target), "--force")
    assert_error(result, f"{target} is read-only")
    assert target.read_text(encoding="utf-8") == PRECIOUS
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert entries(tmp_path) == sorted(["community", "home", "kept.txt"])


def test_a_writable_file_is_replaced_by_the_same_process(community: Cli, tmp_path: Path) -> None:
    """The control for the test above: only the mode makes the difference."""
    target = tmp_path / "kept.txt"
    target.write_text(PRECIOUS, encoding="utf-8")
    result = unprivileged(
        "--db", str(community.db_path), "agenda", "1", "-o", str(target), "--force"
    )
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("# Mastermind")
