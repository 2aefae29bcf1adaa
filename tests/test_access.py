"""Roles enforced where the data is: PostgreSQL logins, GRANTs and row-level security.

Everything runs on a real server with the logins `peerkit access grant` made: two organisers
and a facilitator connected at once, a viewer, through peerkit and through plain psql.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from peerkit.config import Settings
from peerkit.db import open_database
from peerkit.errors import ACCESS_HINT
from peerkit.migrations import access_rules
from peerkit.services.access import grants
from peerkit.services.common.actors import Actor
from tests.conftest import Cli, Result, assert_error, assert_usage_error, invoke

PASSWORD = "s3cret-pw"
REFUSED = (
    "Marta Bianchi is a facilitator of 'creativi-milano' only; 'freelance-roma' needs an organiser"
)


def run(url: str, *args: str) -> Result:
    return invoke(["--database-url", url, *args])


def ok(url: str, *args: str) -> Result:
    result = run(url, *args)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def one_line_error(result: Result, *fragments: str) -> None:
    assert_error(result, *fragments)
    assert result.stderr.count("\n") == 1, result.stderr


@dataclass
class Community:
    owner: str  # the URL of the database's owner (a superuser here)
    urls: dict[str, str]  # login -> URL with its password
    groups: dict[str, int]  # slug -> id
    meetings: dict[str, int]  # slug -> the id of its first meeting

    def psql(self, login: str, sql: str) -> subprocess.CompletedProcess[str]:
        url = sa.make_url(self.owner)
        command = [
            _psql(), "-X", "-v", "ON_ERROR_STOP=1", "-h", str(url.host), "-p", str(url.port),
            "-U", login, "-d", str(url.database), "-c", sql,
        ]  # fmt: skip
        env = {**os.environ, "PGPASSWORD": PASSWORD}
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)

    def scalar(self, sql: str) -> Any:
        engine = sa.create_engine(self.owner)
        try:
            with engine.connect() as conn:
                return conn.exec_driver_sql(sql).scalar()
        finally:
            engine.dispose()


def _psql() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or [shutil.which("psql") or ""]
    if not found[-1]:
        pytest.skip("psql is not installed")
    return found[-1]


def _login_url(owner: str, login: str) -> str:
    url = sa.make_url(owner).set(username=login, password=PASSWORD)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def community(pg_url: str) -> Iterator[Community]:
    """Two groups with a planned meeting each; two organisers, a facilitator of
    creativi-milano and a viewer, granted by the owner, each with a password."""
    ok(pg_url, "init", "--community", "Freelance Insieme", "--timezone", "Europe/Rome")
    for n, name in enumerate(["Giulia Rossi", "Luca Ferrari", "Sara Colombo", "Ivo Neri"], 1):
        ok(pg_url, "member", "add", name, "--email", f"m{n}@example.com")
    for name, members in (("Creativi Milano", ("1", "2")), ("Freelance Roma", ("3", "4"))):
        ok(
            pg_url, "group", "create", name, "--timezone", "Europe/Rome", "--day", "tue",
            "--time", "18:30", "--start", "2026-12-01",
            *[word for m in members for word in ("--member", m)],
        )  # fmt: skip
    ok(pg_url, "session", "plan", "freelance-roma", "--from", "2026-12-01", "--count", "1")
    for who, role, extra in (
        ("Anna Verdi <anna@example.org>", "organiser", ()),
        ("Bruno Gialli <bruno@example.org>", "organiser", ()),
        (
            "Marta Bianchi <marta.bianchi@example.org>",
            "facilitator",
            ("--group", "creativi-milano"),
        ),
        ("Vera Viola <vera@example.org>", "viewer", ()),
    ):
        ok(pg_url, "access", "grant", who, "--role", role, *extra)
    logins = ("anna", "bruno", "marta_bianchi", "vera")
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        for login in logins:
            conn.exec_driver_sql(f"ALTER ROLE {login} PASSWORD '{PASSWORD}'")
        groups = dict(conn.exec_driver_sql("SELECT slug, id FROM peer_group").all())
        meetings = dict(
            conn.exec_driver_sql(
                "SELECT p.slug, min(m.id) FROM meeting m JOIN peer_group p ON p.id = m.group_id "
                "GROUP BY p.slug"
            ).all()
        )
    admin.dispose()
    yield Community(
        pg_url, {login: _login_url(pg_url, login) for login in logins}, groups, meetings
    )
    # roles belong to the server, not to the test's database: take them away again
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        kinds = [access_rules.role_name(conn, kind) for kind in grants.KINDS]
        for login in logins:
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {login}")
        for name in kinds:
            conn.exec_driver_sql(f"DROP OWNED BY {name}")
            conn.exec_driver_sql(f"DROP ROLE {name}")
    admin.dispose()


@pytest.mark.postgres
def test_grant_creates_logins_and_list_shows_them(community: Community) -> None:
    listed = json.loads(ok(community.owner, "access", "list", "--format", "json").stdout)
    assert listed == [
        {"who": "Anna Verdi <anna@example.org>", "role": "organiser", "groups": [],
         "login": "anna"},
        {"who": "Bruno Gialli <bruno@example.org>", "role": "organiser", "groups": [],
         "login": "bruno"},
        {"who": "Marta Bianchi <marta.bianchi@example.org>", "role": "facilitator",
         "groups": ["creativi-milano"], "login": "marta_bianchi"},
        {"who": "Vera Viola <vera@example.org>", "role": "viewer", "groups": [], "login": "vera"},
    ]  # fmt: skip
    table = ok(community.urls["bruno"], "access", "list").stdout
    assert "marta_bianchi" in table
    assert "creativi-milano" in table
    # a login is a member of its role's group role in this database, and of no other
    member_of = community.scalar(
        "SELECT string_agg(g.rolname, ',') FROM pg_auth_members a "
        "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles l ON l.oid = a.member "
        "WHERE l.rolname = 'marta_bianchi'"
    )
    database = sa.make_url(community.owner).database
    assert member_of == f"peerkit_facilitator_{database}"[:63]


@pytest.mark.postgres
def test_the_facilitator_works_in_their_group_and_is_refused_outside_it(
    community: Community,
) -> None:
    marta = community.urls["marta_bianchi"]
    planned = json.loads(
        ok(marta, "session", "plan", "creativi-milano", "--from", "2026-12-01", "--count", "2",
           "--format", "json").stdout
    )  # fmt: skip
    first = str(planned[0]["id"])
    ok(marta, "session", "attend", first, "--present", "Giulia Rossi", "--absent", "2")
    ok(marta, "session", "notes", first, "--text", "Prezzi e preventivi")
    ok(marta, "commitment", "add", "Giulia Rossi", "Alzare i prezzi", "--session", first)
    assert (
        community.scalar(f"SELECT notes FROM meeting WHERE id = {first}") == "Prezzi e preventivi"
    )
    assert community.scalar(f"SELECT count(*) FROM attendance WHERE meeting_id = {first}") == 2
    # the change log and the meeting's "changed by" name the person granted to her login
    marta_is = "Marta Bianchi <marta.bianchi@example.org>"
    logged = json.loads(
        ok(community.urls["anna"], "log", "--group", "creativi-milano", "--format", "json").stdout
    )
    assert {e["by"] for e in logged if e["entity"] in {"attendance", "commitment"}} == {marta_is}
    assert (
        json.loads(ok(marta, "session", "show", first, "--format", "json").stdout)["changed_by"]
        == marta_is
    )

    roma = str(community.meetings["freelance-roma"])
    before = community.scalar(f"SELECT md5(m::text) FROM meeting m WHERE id = {roma}")
    for args in (
        ("session", "plan", "freelance-roma", "--from", "2026-12-01", "--count", "3"),
        ("session", "attend", roma, "--present", "Sara Colombo"),
        ("session", "notes", roma, "--text", "not mine"),
        ("session", "cancel", roma),
        ("commitment", "add", "Sara Colombo", "Not hers to record", "--session", roma),
    ):
        result = run(marta, *args)
        one_line_error(result, REFUSED, ACCESS_HINT[1:])
    assert community.scalar(f"SELECT md5(m::text) FROM meeting m WHERE id = {roma}") == before
    assert community.scalar("SELECT count(*) FROM meeting WHERE group_id = "
                            f"{community.groups['freelance-roma']}") == 1  # fmt: skip
    # what is an organiser's alone: the member record, groups, access
    one_line_error(run(marta, "member", "add", "Nuovo", "--email", "n@example.com"), "refused")
    one_line_error(
        run(marta, "access", "grant", "Ugo <ugo@example.org>", "--role", "organiser"),
        "Marta Bianchi is a facilitator; only an organiser or the database's owner",
    )


@pytest.mark.postgres
def test_psql_cannot_change_another_groups_rows(community: Community) -> None:
    roma, milano = community.meetings["freelance-roma"], None
    milano_group = community.groups["creativi-milano"]
    roma_group = community.groups["freelance-roma"]
    ok(community.urls["anna"], "session", "attend", str(roma), "--present", "3")
    before = community.scalar("SELECT md5(string_agg(m::text, ',' ORDER BY id)) FROM meeting m")
    for sql in (
        f"UPDATE meeting SET notes = 'x' WHERE id = {roma}",
        f"UPDATE meeting SET group_id = {milano_group} WHERE id = {roma}",
        f"INSERT INTO meeting (group_id, slot_date, start, timezone, duration, status, sequence,"
        f" uid, updated_at) VALUES ({roma_group}, '2027-01-05', '2027-01-05 17:30', "
        "'Europe/Rome', 90, 'planned', 0, 'x@example', now())",
        f"INSERT INTO attendance (meeting_id, member_id, status) VALUES ({roma}, 3, 'present')",
        # SET ROLE does not step out of the rules: they read session_user
        "SET ROLE "
        + access_rules_role(community, "facilitator")
        + f"; UPDATE meeting SET notes = 'x' WHERE id = {roma}",
    ):
        done = community.psql("marta_bianchi", sql)
        assert done.returncode != 0, (sql, done.stdout)
        assert "facilitator of 'creativi-milano' only" in done.stderr
    # deleting: a row outside her groups is not there for her to delete
    for sql in (f"DELETE FROM meeting WHERE id = {roma}", "DELETE FROM attendance"):
        done = community.psql("marta_bianchi", sql)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "DELETE 0"
    assert community.scalar(f"SELECT count(*) FROM attendance WHERE meeting_id = {roma}") == 1
    assert (
        community.scalar("SELECT md5(string_agg(m::text, ',' ORDER BY id)) FROM meeting m")
        == before
    )
    # a table that is not hers at all: no GRANT
    done = community.psql("marta_bianchi", "UPDATE member SET name = 'x'")
    assert done.returncode != 0
    assert "permission denied for table member" in done.stderr
    # her own group: yes
    ok(community.urls["anna"], "session", "plan", "creativi-milano", "--from", "2026-12-01",
       "--count", "1")  # fmt: skip
    milano = community.scalar(f"SELECT min(id) FROM meeting WHERE group_id = {milano_group}")
    done = community.psql("marta_bianchi", f"UPDATE meeting SET notes = 'ok' WHERE id = {milano}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "UPDATE 1"


@pytest.mark.postgres
def test_row_level_security_holds_without_the_trigger(community: Community) -> None:
    """The policies are not decoration: with the guard trigger off, a row outside her groups is
    still refused (written) or left alone (changed, deleted: 0 rows)."""
    roma, roma_group = community.meetings["freelance-roma"], community.groups["freelance-roma"]
    ok(community.urls["anna"], "session", "plan", "creativi-milano", "--from", "2026-12-01",
       "--count", "1")  # fmt: skip
    owner = sa.create_engine(community.owner)
    with owner.begin() as conn:
        for table in access_rules.GUARDED:
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER peerkit_guard")
    owner.dispose()
    done = community.psql(
        "marta_bianchi",
        f"INSERT INTO attendance (meeting_id, member_id, status) VALUES ({roma}, 3, 'present')",
    )
    assert done.returncode != 0
    assert 'new row violates row-level security policy for table "attendance"' in done.stderr
    done = community.psql(
        "marta_bianchi",
        f"UPDATE meeting SET group_id = {roma_group} WHERE group_id <> {roma_group}",
    )
    assert done.returncode != 0  # her own meeting, moved into another group
    assert 'new row violates row-level security policy for table "meeting"' in done.stderr
    assert community.scalar(f"SELECT count(*) FROM attendance WHERE meeting_id = {roma}") == 0
    # through peerkit: one line, not a traceback
    one_line_error(
        run(community.urls["marta_bianchi"], "session", "attend", str(roma), "--present", "3"),
        "the database refused this change",
        "row-level security",
    )


def access_rules_role(community: Community, kind: str) -> str:
    engine = sa.create_engine(community.owner)
    try:
        with engine.connect() as conn:
            return access_rules.role_name(conn, kind)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_two_organisers_and_a_facilitator_at_once(community: Community) -> None:
    """Three connections open together: each writes what it may; the facilitator's step
    outside her group fails and leaves the others' work alone."""
    ok(community.urls["anna"], "session", "plan", "creativi-milano", "--from", "2026-12-01",
       "--count", "1")  # fmt: skip
    milano = community.scalar(
        f"SELECT min(id) FROM meeting WHERE group_id = {community.groups['creativi-milano']}"
    )
    roma = community.meetings["freelance-roma"]
    conninfo = {
        login: sa.make_url(community.owner).set(drivername="postgresql", username=login,
                                                password=PASSWORD).render_as_string(False)
        for login in ("anna", "bruno", "marta_bianchi")
    }  # fmt: skip
    with (
        psycopg.connect(conninfo["anna"]) as anna,
        psycopg.connect(conninfo["bruno"]) as bruno,
        psycopg.connect(conninfo["marta_bianchi"]) as marta,
    ):
        for conn in (anna, bruno, marta):
            conn.execute("SET lock_timeout = '5s'")
        anna.execute("UPDATE member SET bio = 'anna' WHERE id = 3")
        bruno.execute("UPDATE peer_group SET location = 'Via Roma 2' WHERE slug = 'freelance-roma'")
        marta.execute("UPDATE meeting SET location = 'Sala 3' WHERE id = %s", (milano,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="facilitator of"):
            marta.execute("UPDATE meeting SET location = 'Sala 3' WHERE id = %s", (roma,))
        marta.rollback()
        marta.execute("INSERT INTO attendance (meeting_id, member_id, status) "
                      "VALUES (%s, 1, 'present')", (milano,))  # fmt: skip
        for conn in (anna, bruno, marta):
            conn.commit()
        assert community.scalar("SELECT bio FROM member WHERE id = 3") == "anna"
        assert community.scalar(f"SELECT location FROM meeting WHERE id = {roma}") != "Sala 3"
        # marta's first update was rolled back with the refused one; her insert stands
        assert community.scalar(f"SELECT count(*) FROM attendance WHERE meeting_id = {milano}") == 1
    assert community.scalar("SELECT location FROM peer_group WHERE slug = 'freelance-roma'") == (
        "Via Roma 2"
    )


@pytest.mark.postgres
def test_a_viewer_reads_and_writes_nothing(community: Community) -> None:
    vera = community.urls["vera"]
    assert "Giulia Rossi" in ok(vera, "member", "list").stdout
    ok(vera, "session", "list")
    roma = str(community.meetings["freelance-roma"])
    for args in (
        ("session", "notes", roma, "--text", "x"),
        ("member", "add", "Nuovo", "--email", "n@example.com"),
        ("session", "plan", "creativi-milano", "--count", "1"),
        ("group", "archive", "freelance-roma"),
    ):
        one_line_error(run(vera, *args), "the database refused this change", "permission denied")
    for sql in (
        f"UPDATE meeting SET notes = 'x' WHERE id = {roma}",
        "DELETE FROM attendance",
        "INSERT INTO access_login (login, name, role, created_role, granted_at) "
        "VALUES ('vera2', 'V', 'organiser', false, now())",
    ):
        done = community.psql("vera", sql)
        assert done.returncode != 0, sql
        assert "permission denied" in done.stderr


@pytest.mark.postgres
def test_no_table_is_writable_by_a_viewer_and_few_by_a_facilitator(community: Community) -> None:
    from sqlmodel import SQLModel

    from peerkit import models

    models.load_all()
    tables = [*SQLModel.metadata.tables, "alembic_version"]
    writable: dict[str, list[str]] = {}
    for login in ("vera", "marta_bianchi"):
        url = sa.make_url(community.owner).set(drivername="postgresql", username=login)
        with psycopg.connect(url.render_as_string(False), password=PASSWORD) as conn:
            conn.autocommit = True
            writable[login] = []
            for table in tables:
                conn.execute(f"SELECT count(*) FROM {table}")  # reading: yes
                try:
                    conn.execute(f"DELETE FROM {table} WHERE false")
                except psycopg.errors.InsufficientPrivilege:
                    continue
                writable[login].append(table)
    assert writable["vera"] == []
    assert sorted(writable["marta_bianchi"]) == sorted(grants.FACILITATOR_WRITES)


@pytest.mark.postgres
def test_revoke_removes_the_access(community: Community) -> None:
    marta = community.urls["marta_bianchi"]
    ok(marta, "session", "list")
    # an organiser without CREATEROLE: the database says no, in one line
    one_line_error(run(community.urls["anna"], "access", "revoke", "marta_bianchi"), "refused")
    result = ok(community.owner, "access", "revoke", "Marta Bianchi <marta.bianchi@example.org>")
    assert "login marta_bianchi was dropped" in result.stderr
    assert community.scalar("SELECT count(*) FROM pg_roles WHERE rolname = 'marta_bianchi'") == 0
    assert community.scalar("SELECT count(*) FROM access_group") == 0
    one_line_error(run(marta, "session", "list"), "cannot connect")
    assert community.psql("marta_bianchi", "SELECT 1").returncode != 0
    listed = json.loads(ok(community.owner, "access", "list", "-f", "json").stdout)
    assert [row["login"] for row in listed] == ["anna", "bruno", "vera"]
    one_line_error(run(community.owner, "access", "revoke", "marta_bianchi"), "no access")


@pytest.mark.postgres
def test_a_grant_changes_role_and_groups(community: Community) -> None:
    owner = community.owner
    ok(owner, "access", "grant", "marta.bianchi@example.org", "--role", "facilitator",
       "--group", "freelance-roma", "--group", "creativi-milano")  # fmt: skip
    ok(community.urls["marta_bianchi"], "session", "notes",
       str(community.meetings["freelance-roma"]), "--text", "now mine too")  # fmt: skip
    ok(owner, "access", "grant", "vera", "--role", "organiser")
    ok(community.urls["vera"], "session", "notes", str(community.meetings["freelance-roma"]),
       "--text", "an organiser now")  # fmt: skip
    rows = {r["login"]: r for r in json.loads(ok(owner, "access", "list", "-f", "json").stdout)}
    assert rows["marta_bianchi"]["groups"] == ["creativi-milano", "freelance-roma"]
    assert rows["vera"]["role"] == "organiser"


@pytest.mark.postgres
def test_refusals_at_the_door(community: Community) -> None:
    owner = community.owner
    assert_usage_error(
        run(owner, "access", "grant", "Ugo <ugo@example.org>", "--role", "facilitator"), "--group"
    )
    assert_usage_error(
        run(owner, "access", "grant", "Ugo <ugo@example.org>", "--role", "viewer",
            "--group", "freelance-roma"),
        "--group is for facilitators",
    )  # fmt: skip
    one_line_error(
        run(owner, "access", "grant", "nobody_here", "--role", "viewer"), "no database role"
    )
    one_line_error(run(owner, "access", "grant", "postgres", "--role", "viewer"), "superuser")
    one_line_error(
        run(
            owner, "access", "grant", "Ugo <ugo@example.org>", "--role", "viewer", "--login", "anna"
        ),
        "the login 'anna' is Anna Verdi <anna@example.org>'s",
    )
    one_line_error(
        run(owner, "access", "grant", "Ugo <ugo@example.org>", "--role", "facilitator",
            "--group", "ghost"),
        "ghost",
    )  # fmt: skip
    assert community.scalar("SELECT count(*) FROM pg_roles WHERE rolname = 'ugo'") == 0


@pytest.mark.postgres
def test_identity_is_the_person_granted_to_the_login(community: Community) -> None:
    db = open_database(
        Settings(db_path=Path("unused.db"), database_url=community.urls["marta_bianchi"])
    )
    try:
        with db.read() as session:
            assert grants.identity(session) == Actor("Marta Bianchi", "marta.bianchi@example.org")
    finally:
        db.dispose()
    db = open_database(Settings(db_path=Path("unused.db"), database_url=community.owner))
    try:
        with db.read() as session:
            assert grants.identity(session) is None
    finally:
        db.dispose()


# --- SQLite: one person's file ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("grant", "Marta Bianchi <marta@example.org>", "--role", "organiser"),
        ("revoke", "marta"),
    ],
)
def test_sqlite_refuses_grant_and_revoke(cli: Cli, args: tuple[str, ...]) -> None:
    cli.ok("init", "--community", "Freelance Insieme")
    result = cli("access", *args)
    one_line_error(result, "roles are not enforced on SQLite", "--database-url")


def test_sqlite_list_says_roles_are_not_enforced(cli: Cli, db_path: Path) -> None:
    result = cli.ok("access", "list", "--format", "json")
    assert json.loads(result.stdout) == []
    assert "roles are not enforced on SQLite" in result.stderr
    with open_database(Settings(db_path=db_path)).read() as session:
        assert grants.identity(session) is None


@pytest.mark.postgres
def test_a_database_owner_who_is_no_superuser_migrates_and_grants(pg_server: str) -> None:
    """The migrations run for a plain owner (no role is created there); granting needs
    PostgreSQL's CREATEROLE, and without it the owner is told so in one line."""
    from peerkit.migrations import HEAD
    from peerkit.migrations.runner import run_upgrade

    name = "t_access_plain_owner"
    admin = sa.create_engine(f"{pg_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql("DROP ROLE IF EXISTS plain_owner")
        conn.exec_driver_sql(f"CREATE ROLE plain_owner LOGIN PASSWORD '{PASSWORD}'")
        conn.exec_driver_sql(f"CREATE DATABASE {name} OWNER plain_owner")
    owner = _login_url(f"{pg_server}/{name}", "plain_owner")
    try:
        engine = sa.create_engine(owner)
        run_upgrade(engine)  # every migration, 0015's rules included
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
            assert access_rules.installed(conn)
        engine.dispose()
        ok(owner, "group", "create", "Creativi Milano", "--day", "tue")
        who = ("Marta Bianchi <marta.bianchi@example.org>", "--role", "facilitator")
        refused = run(owner, "access", "grant", *who, "--group", "creativi-milano")
        one_line_error(refused, "the database refused", "permission denied to create role")
        with admin.connect() as conn:
            conn.exec_driver_sql("ALTER ROLE plain_owner CREATEROLE")
        ok(owner, "access", "grant", *who, "--group", "creativi-milano")
        listed = json.loads(ok(owner, "access", "list", "-f", "json").stdout)
        assert [(row["login"], row["groups"]) for row in listed] == [
            ("marta_bianchi", ["creativi-milano"])
        ]
        ok(owner, "access", "revoke", "marta_bianchi")
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.exec_driver_sql("DROP ROLE IF EXISTS marta_bianchi")
            for kind in grants.KINDS:
                conn.exec_driver_sql(f"DROP ROLE IF EXISTS peerkit_{kind}_{name}")
            conn.exec_driver_sql("DROP ROLE IF EXISTS plain_owner")
        admin.dispose()
