"""Global options, configuration, `init`, `demo`, `db ...` and help text, through the CLI."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from peerkit import __version__
from peerkit.cli import app
from tests.conftest import Cli, Result, assert_error, assert_usage_error

AddMember = Callable[..., int]
WriteConfig = Callable[[str | bytes], Path]

# --- helpers --------------------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def names_in(db_file: Path) -> list[str]:
    conn = sqlite3.connect(db_file)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM member ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def home(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture
def default_db(home: Path) -> Path:
    """Where platformdirs puts the database when nothing else is said ($XDG_DATA_HOME)."""
    return home / ".local" / "share" / "peerkit" / "peerkit.db"


@pytest.fixture
def write_config(home: Path) -> Callable[[str | bytes], Path]:
    """Write $XDG_CONFIG_HOME/peerkit/config.toml."""

    def write(content: str | bytes) -> Path:
        path = home / ".config" / "peerkit" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return write


@pytest.fixture
def bare(tmp_path: Path) -> Cli:
    """A runner that passes no --db: the environment, config and defaults decide."""

    class Bare(Cli):
        def __call__(self, *args: str, input: str | None = None, db: bool = False) -> Result:
            return super().__call__(*args, input=input, db=False)

    return Bare(tmp_path / "unused.db")


@pytest.fixture
def fake_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make CliRunner's stdin look like a terminal, so that peerkit may prompt."""
    from typer import testing

    monkeypatch.setattr(testing._NamedTextIOWrapper, "isatty", lambda self: True, raising=False)


# --- --version and the root command ---------------------------------------------------------------


def test_version(bare: Cli) -> None:
    result = bare("--version")
    assert result.exit_code == 0
    assert result.stdout == f"peerkit {__version__}\n"
    assert re.fullmatch(r"peerkit \d+\.\d+\.\d+\n", result.stdout)
    assert result.stderr == ""


def test_version_works_even_with_a_broken_config(bare: Cli, write_config: WriteConfig) -> None:
    write_config("this is = = not toml")
    assert bare("--version").stdout == f"peerkit {__version__}\n"


def test_unknown_global_option_is_a_usage_error(bare: Cli) -> None:
    assert_usage_error(bare("--frobnicate", "db", "path"), "--frobnicate")


def test_unknown_command_is_a_usage_error(bare: Cli) -> None:
    assert_usage_error(bare("frobnicate"), "frobnicate")


def test_global_option_without_its_value_is_a_usage_error(bare: Cli) -> None:
    assert_usage_error(bare("db", "path", "--db"))


# --- help text for every command ------------------------------------------------------------------


def _command_paths() -> Iterator[tuple[tuple[str, ...], Any]]:
    import typer

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, (*path, name))

    yield from walk(typer.main.get_command(app), ())


COMMANDS = list(_command_paths())


def test_the_expected_commands_exist() -> None:
    paths = {" ".join(path) for path, _ in COMMANDS}
    expected = {
        "init",
        "demo",
        "member add",
        "member list",
        "member show",
        "member edit",
        "member remove",
        "member pause",
        "member resume",
        "member forget",
        "member import",
        "member export",
        "db path",
        "db backup",
        "db check",
        "db upgrade",
    }
    assert expected <= paths


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "peerkit" for p, _ in COMMANDS]
)
def test_every_command_has_help_text(bare: Cli, path: tuple[str, ...], command: Any) -> None:
    assert (command.help or "").strip(), f"peerkit {' '.join(path)} has no description"
    result = bare(*path, "--help")
    assert result.exit_code == 0
    assert result.stderr == ""
    first_line = command.help.strip().splitlines()[0]
    shown = " ".join(result.stdout.replace("│", " ").split())
    assert " ".join(first_line.split()) in shown


def test_every_option_has_help_text() -> None:
    missing = [
        f"peerkit {' '.join(path)} {param.name}"
        for path, command in COMMANDS
        for param in getattr(command, "params", [])
        if param.param_type_name == "option" and not getattr(param, "help", None)
    ]
    assert missing == []


def test_bare_peerkit_shows_help(bare: Cli) -> None:
    result = bare()
    assert "member" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# --- --db, PEERKIT_DB, config db and the default --------------------------------------------------


def test_db_path_prints_the_given_file(cli: Cli, db_path: Path) -> None:
    result = cli("db", "path")
    assert result.exit_code == 0
    assert result.stdout == f"{db_path}\n"
    assert result.stderr == ""


def test_db_path_defaults_to_the_user_data_folder(bare: Cli, default_db: Path) -> None:
    assert bare.ok("db", "path").stdout == f"{default_db}\n"


def test_env_var_peerkit_db_chooses_the_file(
    bare: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_DB", str(tmp_path / "from-env.db"))
    assert bare.ok("db", "path").stdout == f"{tmp_path / 'from-env.db'}\n"


def test_config_db_chooses_the_file(bare: Cli, write_config: WriteConfig, tmp_path: Path) -> None:
    write_config(f'db = "{tmp_path / "from-config.db"}"\n')
    assert bare.ok("db", "path").stdout == f"{tmp_path / 'from-config.db'}\n"


def test_config_db_expands_the_home_folder(
    bare: Cli, write_config: WriteConfig, home: Path
) -> None:
    write_config('db = "~/community/peerkit.db"\n')
    assert bare.ok("db", "path").stdout == f"{home / 'community' / 'peerkit.db'}\n"


def test_env_var_wins_over_config(
    bare: Cli,
    write_config: WriteConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_config(f'db = "{tmp_path / "from-config.db"}"\n')
    monkeypatch.setenv("PEERKIT_DB", str(tmp_path / "from-env.db"))
    assert bare.ok("db", "path").stdout == f"{tmp_path / 'from-env.db'}\n"


def test_flag_wins_over_env_var_and_config(
    bare: Cli,
    write_config: WriteConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_config(f'db = "{tmp_path / "from-config.db"}"\n')
    monkeypatch.setenv("PEERKIT_DB", str(tmp_path / "from-env.db"))
    result = bare.ok("--db", str(tmp_path / "from-flag.db"), "db", "path")
    assert result.stdout == f"{tmp_path / 'from-flag.db'}\n"


def test_members_land_in_the_file_chosen_by_the_env_var(
    bare: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_db: Path
) -> None:
    target = tmp_path / "env" / "peerkit.db"
    monkeypatch.setenv("PEERKIT_DB", str(target))
    bare.ok("member", "add", "Ann Lee", "--email", "ann@example.com")
    assert names_in(target) == ["Ann Lee"]
    assert not default_db.exists()


# --- --database-url -------------------------------------------------------------------------------


def test_db_path_masks_the_password_of_a_url(bare: Cli) -> None:
    result = bare("--database-url", "postgresql+psycopg://u:secret@h/db", "db", "path")
    assert result.exit_code == 0
    assert "secret" not in result.stdout
    assert result.stdout == "postgresql+psycopg://u:***@h/db\n"
    assert result.stderr == ""


def test_db_path_shows_a_url_without_password_as_is(bare: Cli) -> None:
    result = bare.ok("--database-url", "postgresql+psycopg://u@h:5433/db", "db", "path")
    assert result.stdout == "postgresql+psycopg://u@h:5433/db\n"


def test_env_var_database_url_is_used_and_masked(
    bare: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_DATABASE_URL", "postgresql+psycopg://u:s3cr3t@h/db")
    result = bare.ok("db", "path")
    assert result.stdout == "postgresql+psycopg://u:***@h/db\n"


def test_database_url_wins_over_db(bare: Cli, tmp_path: Path) -> None:
    result = bare.ok(
        "--db",
        str(tmp_path / "x.db"),
        "--database-url",
        "postgresql+psycopg://u@h/db",
        "db",
        "path",
    )
    assert result.stdout == "postgresql+psycopg://u@h/db\n"


def test_config_database_url_is_masked(bare: Cli, write_config: WriteConfig) -> None:
    write_config('database_url = "postgresql+psycopg://u:pw@h/db"\n')
    result = bare.ok("db", "path")
    assert result.stdout == "postgresql+psycopg://u:***@h/db\n"


def test_db_flag_wins_over_config_database_url(
    bare: Cli, write_config: WriteConfig, tmp_path: Path
) -> None:
    """flag > env > config: a --db typed now beats a URL written in the config file."""
    write_config('database_url = "postgresql+psycopg://u:pw@h/db"\n')
    result = bare.ok("--db", str(tmp_path / "flag.db"), "db", "path")
    assert result.stdout == f"{tmp_path / 'flag.db'}\n"


def test_an_unusable_database_url_is_refused_cleanly(bare: Cli) -> None:
    result = bare("--database-url", "nosuchdriver://u:topsecret@h/db", "member", "list")
    assert_error(result)
    assert "topsecret" not in result.stderr


# --- the database file ----------------------------------------------------------------------------


def test_default_database_is_private(bare: Cli, default_db: Path) -> None:
    bare.ok("member", "add", "Ann Lee", "--email", "ann@example.com")
    assert default_db.is_file()
    assert mode(default_db) == 0o600
    assert mode(default_db.parent) == 0o700
    assert names_in(default_db) == ["Ann Lee"]


def test_default_database_folder_is_made_private_if_it_exists(bare: Cli, default_db: Path) -> None:
    default_db.parent.mkdir(parents=True, mode=0o755)
    default_db.parent.chmod(0o755)
    bare.ok("member", "list")
    assert mode(default_db.parent) == 0o700
    assert mode(default_db) == 0o600


def test_a_new_db_file_is_private(cli: Cli, db_path: Path) -> None:
    cli.ok("member", "list")
    assert mode(db_path) == 0o600


def test_a_db_that_is_a_folder_is_refused(cli: Cli, db_path: Path) -> None:
    db_path.mkdir(parents=True)
    assert_error(cli("member", "list"), "folder")


def test_a_db_that_is_not_a_database_is_refused(cli: Cli, db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_text("name,email\nAnn,ann@example.com\n" * 200, encoding="utf-8")
    assert_error(cli("member", "list"), str(db_path))
    assert db_path.read_text(encoding="utf-8").startswith("name,email")


def test_a_db_in_an_unwritable_place_is_refused(tmp_path: Path) -> None:
    """Run with file modes enforced, also as root (tests/unprivileged.py): never skipped."""
    from tests import unprivileged

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        done = unprivileged.peerkit("--db", str(locked / "sub" / "peerkit.db"), "member", "list")
    finally:
        locked.chmod(0o700)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("Error: cannot create the database ")
    assert "Traceback" not in done.stderr
    assert list(locked.iterdir()) == []


# --- db backup ------------------------------------------------------------------------------------


@pytest.fixture
def two_members(cli: Cli, add_member: AddMember) -> None:
    add_member("Ann Lee", "ann@example.com")
    add_member("Bob Ray", "bob@example.com")


def test_backup_to_a_file(cli: Cli, two_members: None, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    result = cli("db", "backup", str(target))
    assert result.exit_code == 0
    assert result.stdout == f"{target}\n"
    assert "Backup" in result.stderr
    assert mode(target) == 0o600
    assert names_in(target) == ["Ann Lee", "Bob Ray"]


def test_backup_is_a_self_contained_file(cli: Cli, two_members: None, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    cli.ok("db", "backup", str(target))
    assert not Path(f"{target}-wal").exists()
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_backup_can_be_opened_by_peerkit(cli: Cli, two_members: None, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    cli.ok("db", "backup", str(target))
    copy = Cli(target)
    rows = json.loads(copy.ok("member", "list", "-f", "json").stdout)
    assert [m["email"] for m in rows] == ["ann@example.com", "bob@example.com"]


def test_backup_without_a_file_goes_beside_the_database(
    cli: Cli, two_members: None, db_path: Path
) -> None:
    result = cli("db", "backup")
    assert result.exit_code == 0
    written = Path(result.stdout.strip())
    assert written.parent == db_path.parent / "backups"
    assert mode(written) == 0o600
    assert names_in(written) == ["Ann Lee", "Bob Ray"]


def test_backup_into_a_new_folder(cli: Cli, two_members: None, tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "copy.db"
    cli.ok("db", "backup", str(target))
    assert names_in(target) == ["Ann Lee", "Bob Ray"]


def test_backup_over_an_existing_file_is_refused(
    cli: Cli, two_members: None, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    target.write_bytes(b"precious")
    assert_error(cli("db", "backup", str(target)), str(target))
    assert target.read_bytes() == b"precious"


def test_backup_onto_the_database_itself_is_refused(
    cli: Cli, two_members: None, db_path: Path
) -> None:
    assert_error(cli("db", "backup", str(db_path)))
    assert names_in(db_path) == ["Ann Lee", "Bob Ray"]


def test_backup_of_an_unreachable_postgres_url_fails_cleanly(bare: Cli) -> None:
    result = bare(
        "--database-url", "postgresql+psycopg://u:pw@localhost:1/db", "db", "backup", "x.db"
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "pw@" not in result.stderr
    assert "Traceback" not in result.stderr


# --- db check and db upgrade ----------------------------------------------------------------------


def test_check_a_healthy_database(cli: Cli, two_members: None) -> None:
    result = cli("db", "check")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "ok" in result.stderr


def test_check_finds_a_broken_foreign_key(cli: Cli, two_members: None, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(
            "INSERT INTO member_history (member_id, action, at) VALUES (999, 'joined', "
            "'2026-11-27 10:00:00')"
        )
        conn.commit()
    finally:
        conn.close()
    assert_error(cli("db", "check"), "foreign key", "member_history")


def test_upgrade_a_current_database(cli: Cli, two_members: None, db_path: Path) -> None:
    result = cli("db", "upgrade")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "up to date" in result.stderr.lower()
    assert not (db_path.parent / "backups").exists()


def test_upgrade_a_new_database(cli: Cli, db_path: Path) -> None:
    result = cli("db", "upgrade")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert cli.ok("db", "check").exit_code == 0
    assert "up to date" in cli.ok("db", "upgrade").stderr.lower()


def test_upgrade_refuses_a_database_from_a_newer_peerkit(
    cli: Cli, two_members: None, db_path: Path
) -> None:
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
        conn.commit()
    finally:
        conn.close()
    assert_error(cli("db", "upgrade"), "9999_future")
    assert_error(cli("member", "list"), "newer")
    assert names_in(db_path) == ["Ann Lee", "Bob Ray"]


@pytest.mark.parametrize("sub", ["path", "backup", "check", "upgrade"])
def test_db_subcommands_reject_unknown_options(cli: Cli, sub: str) -> None:
    assert_usage_error(cli("db", sub, "--bogus"), "--bogus")


# --- init -----------------------------------------------------------------------------------------


def test_init_creates_the_community(cli: Cli, db_path: Path) -> None:
    result = cli(
        "init",
        "--community",
        "Freelance Insieme",
        "--timezone",
        "Europe/Rome",
        "--locale",
        "it",
        "--organiser-name",
        "Paolo Pavan",
        "--organiser-email",
        "paolo@example.com",
    )
    assert result.exit_code == 0
    assert result.stdout == f"{db_path}\n"
    assert "Freelance Insieme" in result.stderr
    assert mode(db_path) == 0o600


def test_init_twice_changes_nothing(cli: Cli) -> None:
    cli.ok("init", "--community", "Freelance Insieme")
    result = cli("init", "--community", "Freelance Insieme")
    assert result.exit_code == 0
    assert "nothing changed" in result.stderr


def test_init_again_updates_the_settings(cli: Cli) -> None:
    cli.ok("init", "--community", "Freelance Insieme")
    result = cli("init", "--timezone", "Europe/London")
    assert result.exit_code == 0
    assert "timezone" in result.stderr


def test_init_sets_the_defaults_for_new_members(cli: Cli, add_member: AddMember) -> None:
    cli.ok("init", "--timezone", "Europe/Rome", "--locale", "it")
    add_member("Giulia Rossi", "giulia@example.com")
    add_member("Emma Clarke", "emma@example.com", "--timezone", "Europe/London", "--locale", "en")
    rows = json.loads(cli.ok("member", "list", "-f", "json").stdout)
    assert [(m["timezone"], m["locale"]) for m in rows] == [
        ("Europe/Rome", "it"),
        ("Europe/London", "en"),
    ]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--timezone", "Europe"),
        ("--timezone", "../../etc/passwd"),
        ("--timezone", "America/New York"),
        ("--locale", "fr"),
        ("--organiser-email", "not-an-email"),
        ("--community", "Bad\x1b[31mName"),
        ("--community", "Two\nLines"),
    ],
)
def test_init_refuses_invalid_values(cli: Cli, option: str, value: str) -> None:
    result = cli("init", option, value)
    assert_error(result)
    assert "\x1b" not in result.stderr


def test_init_refuses_a_db_option_after_the_command(cli: Cli, tmp_path: Path) -> None:
    """--db is a global option: it goes before the command."""
    assert_usage_error(cli("init", "--db", str(tmp_path / "x.db")), "--db")


# --- demo -----------------------------------------------------------------------------------------


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    return tmp_path / "demo"


def demo_members(demo_dir: Path) -> list[dict[str, Any]]:
    demo = Cli(demo_dir / "peerkit.db")
    listed = demo.ok("member", "list", "--format", "json").stdout
    return json.loads(listed)


def test_demo_builds_a_sample_community(cli: Cli, demo_dir: Path) -> None:
    result = cli("demo", "--dir", str(demo_dir))
    assert result.exit_code == 0
    assert "Giulia Rossi" in result.stdout
    assert str(demo_dir / "peerkit.db") in result.stderr
    members = demo_members(demo_dir)
    assert len(members) == 12
    assert len({m["timezone"] for m in members}) >= 3
    assert {m["locale"] for m in members} == {"en", "it"}
    assert len({s for m in members for s in m["skills"]}) >= 10
    assert all(m["availability"] for m in members)


def test_demo_twice_rebuilds_the_same_community(cli: Cli, demo_dir: Path) -> None:
    cli.ok("demo", "--dir", str(demo_dir))
    first = demo_members(demo_dir)
    result = cli("demo", "--dir", str(demo_dir))
    assert result.exit_code == 0
    assert demo_members(demo_dir) == first


def test_demo_refuses_to_overwrite_a_real_database(cli: Cli, demo_dir: Path) -> None:
    real = Cli(demo_dir / "peerkit.db")
    real.ok("member", "add", "Real Person", "--email", "real@example.com")
    assert_error(cli("demo", "--dir", str(demo_dir)), "not a demo")
    assert names_in(demo_dir / "peerkit.db") == ["Real Person"]


def test_demo_refuses_a_file_as_its_folder(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me", encoding="utf-8")
    result = cli("demo", "--dir", str(target))
    assert result.exit_code in (1, 2)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me"


def test_demo_does_not_touch_the_main_database(cli: Cli, demo_dir: Path, db_path: Path) -> None:
    cli.ok("member", "add", "Ann Lee", "--email", "ann@example.com")
    cli.ok("demo", "--dir", str(demo_dir))
    assert names_in(db_path) == ["Ann Lee"]


# --- --no-input and PEERKIT_NO_INPUT --------------------------------------------------------------


def test_without_a_tty_a_missing_value_is_a_usage_error(cli: Cli) -> None:
    assert_usage_error(cli("member", "add", "Ann Lee"), "--email")


def test_on_a_tty_a_missing_value_is_asked_for(cli: Cli, fake_tty: None) -> None:
    result = cli("member", "add", "Ann Lee", input="ann@example.com\n")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(cli.ok("member", "show", "1", "-f", "json").stdout)
    assert shown["email"] == "ann@example.com"


def test_no_input_flag_never_prompts(cli: Cli, fake_tty: None) -> None:
    result = cli("--no-input", "member", "add", "Ann Lee", input="ann@example.com\n")
    assert_usage_error(result, "--email")
    assert json.loads(cli.ok("member", "list", "-f", "json").stdout) == []


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_no_input_env_var_never_prompts(
    cli: Cli, fake_tty: None, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PEERKIT_NO_INPUT", value)
    result = cli("member", "add", "Ann Lee", input="ann@example.com\n")
    assert_usage_error(result, "--email")


def test_no_input_env_var_zero_allows_prompts(
    cli: Cli, fake_tty: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERKIT_NO_INPUT", "0")
    result = cli("member", "add", "Ann Lee", input="ann@example.com\n")
    assert result.exit_code == 0, result.stderr


# --- config.toml ----------------------------------------------------------------------------------


def test_config_supplies_the_community_defaults(
    cli: Cli, write_config: WriteConfig, add_member: AddMember
) -> None:
    write_config('community = "Freelance Insieme"\ntimezone = "Europe/Rome"\nlocale = "it"\n')
    add_member("Giulia Rossi", "giulia@example.com")
    shown = json.loads(cli.ok("member", "show", "1", "-f", "json").stdout)
    assert (shown["timezone"], shown["locale"]) == ("Europe/Rome", "it")


def test_config_community_name_is_used_by_init(cli: Cli, write_config: WriteConfig) -> None:
    write_config('community = "Freelance Insieme"\n')
    assert "Freelance Insieme" in cli.ok("init").stderr


def test_flags_win_over_the_config(
    cli: Cli, write_config: WriteConfig, add_member: AddMember
) -> None:
    write_config('timezone = "Europe/Rome"\nlocale = "it"\n')
    add_member("Yuki Tanaka", "yuki@example.com", "--timezone", "Asia/Tokyo", "--locale", "en")
    shown = json.loads(cli.ok("member", "show", "1", "-f", "json").stdout)
    assert (shown["timezone"], shown["locale"]) == ("Asia/Tokyo", "en")


def test_init_flags_win_over_the_config(
    cli: Cli, write_config: WriteConfig, add_member: AddMember
) -> None:
    write_config('timezone = "Europe/Rome"\n')
    cli.ok("init", "--timezone", "America/New_York")
    add_member()
    shown = json.loads(cli.ok("member", "show", "1", "-f", "json").stdout)
    assert shown["timezone"] == "America/New_York"


def test_an_empty_config_is_fine(cli: Cli, write_config: WriteConfig) -> None:
    write_config("")
    assert cli("member", "list").exit_code == 0


@pytest.mark.parametrize(
    "content",
    [
        'colour = "blue"\n',
        '[smtp]\nhost = "mail.example.com"\n',
        'Timezone = "Europe/Rome"\n',
    ],
)
def test_config_with_an_unknown_key_is_refused(
    cli: Cli, write_config: WriteConfig, content: str
) -> None:
    path = write_config(content)
    assert_error(cli("member", "list"), str(path), "unknown")


@pytest.mark.parametrize("key", ["password", "smtp_password", "caldav_password"])
def test_config_with_a_password_is_refused(cli: Cli, write_config: WriteConfig, key: str) -> None:
    write_config(f'{key} = "hunter2-secret"\n')
    result = cli("member", "list")
    assert_error(result, key)
    assert "hunter2-secret" not in result.stderr


def test_config_password_is_refused_before_anything_is_written(
    cli: Cli,
    write_config: WriteConfig,
    db_path: Path,
) -> None:
    write_config('smtp_password = "hunter2"\n')
    assert_error(cli("member", "add", "Ann Lee", "--email", "ann@example.com"))
    assert not db_path.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"timezone = Europe/Rome\n",
        b'timezone = "Europe/Rome"\ntimezone = "Europe/London"\n',
        b"[unclosed\n",
        b'community = "Caf\xe9"\n',
    ],
    ids=["unquoted", "duplicate-key", "bad-table", "not-utf8"],
)
def test_config_that_is_not_valid_toml_is_refused(
    cli: Cli, write_config: WriteConfig, content: bytes
) -> None:
    path = write_config(content)
    assert_error(cli("member", "list"), str(path))


@pytest.mark.parametrize("content", ["timezone = 5\n", "locale = true\n", 'db = ["a", "b"]\n'])
def test_config_with_a_wrong_type_is_refused(
    cli: Cli, write_config: WriteConfig, content: str
) -> None:
    path = write_config(content)
    assert_error(cli("member", "list"), str(path))


def test_config_with_an_invalid_timezone_is_refused(cli: Cli, write_config: WriteConfig) -> None:
    write_config('timezone = "Mars/Olympus"\n')
    assert_error(cli("member", "add", "Ann Lee", "--email", "ann@example.com"), "Mars/Olympus")


def test_config_errors_apply_to_db_commands_too(cli: Cli, write_config: WriteConfig) -> None:
    write_config("colour = 'blue'\n")
    assert_error(cli("db", "path"), "colour")
