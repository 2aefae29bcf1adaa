"""Who may change which rows, enforced by PostgreSQL itself (migration 0015, `peerkit access`).

The rules read the peerkit tables `access_login` (a login, the person, their role) and
`access_group` (a facilitator's groups), by `session_user`: a login cannot step out of them
with SET ROLE. On every table a group owns (GUARDED):

- row-level security: anyone may read; a new or changed row must be in a group the login may
  change (`peerkit_may_change`), and a row outside them cannot be deleted (DELETE 0);
- a trigger, `peerkit_guard`, refuses a change to a row outside those groups with a sentence
  ("Marta Bianchi is a facilitator of 'creativi-milano' only; 'freelance-roma' needs an
  organiser", SQLSTATE 42501): a policy on the old row of an UPDATE would skip it in silence
  (an UPDATE of 0 rows, which peerkit would not notice), so the trigger checks it aloud.

A login nobody granted (the database's owner, a superuser, a role set up by hand) is not held
by them, unless it is a member of a peerkit role. Everything here is idempotent and is only
ever run on PostgreSQL, by the owner of the tables.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

# table -> the group a row belongs to, written with {column} for the row's columns
# (an integer column; {about} is text). NULL: the row belongs to no group (organisers only).
_BY_MEETING = "(SELECT m.group_id FROM meeting m WHERE m.id = {meeting_id})"
GUARDED: dict[str, str] = {
    "membership": "{group_id}",
    "meeting": "{group_id}",
    "hot_seat": _BY_MEETING,
    "attendance": _BY_MEETING,
    "delivery": _BY_MEETING,
    "commitment": "COALESCE({group_id}, " + _BY_MEETING + ")",
    "answer": "CASE WHEN {about} = 'meeting' "
    "THEN (SELECT m.group_id FROM meeting m WHERE m.id = {about_id}) END",
}
TEXT_COLUMNS = frozenset({"about"})
# The name of a peerkit group role in this database (one set per database: a login granted in
# one community has no rights in another on the same server).
ROLE_NAME_SQL = "left('peerkit_' || {kind} || '_' || current_database(), 63)"
READ_ONLY_ROLES = ("facilitator", "viewer")


def _columns(template: str, shown: str) -> str:
    """TEMPLATE with each {column} written as SHOWN.format(column=..., cast=...)."""

    def one(found: re.Match[str]) -> str:
        name = found[1]
        return shown.format(column=name, cast="" if name in TEXT_COLUMNS else "::integer")

    return re.sub(r"\{(\w+)\}", one, template)


def _group_of_function() -> str:
    cases = "\n".join(
        f"    WHEN '{table}' THEN {_columns(expr, '(r->>{column!r}){cast}')}"
        for table, expr in GUARDED.items()
    )
    return f"""
CREATE OR REPLACE FUNCTION peerkit_group_of(tbl text, r jsonb) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT CASE tbl
{cases}
  END
$$"""


def _restricted_function() -> str:
    kinds = ", ".join(ROLE_NAME_SQL.format(kind=f"'{k}'") for k in READ_ONLY_ROLES)
    return f"""
CREATE OR REPLACE FUNCTION peerkit_restricted() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT NOT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
     AND EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname IN ({kinds})
                 AND pg_has_role(session_user, g.oid, 'MEMBER'))
$$"""


MAY_CHANGE = """
CREATE OR REPLACE FUNCTION peerkit_may_change(g integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN l.id IS NULL THEN NOT peerkit_restricted()
    WHEN l.role = 'organiser' THEN true
    WHEN l.role = 'facilitator' THEN EXISTS (
      SELECT 1 FROM access_group a WHERE a.login_id = l.id AND a.group_id = g)
    ELSE false
  END
  FROM (SELECT 1) AS one LEFT JOIN access_login l ON l.login = session_user::text
$$"""

REFUSE = """
CREATE OR REPLACE FUNCTION peerkit_refuse(g integer, tbl text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  who_name text; who_role text; who_id integer; mine text; target text; said text;
BEGIN
  SELECT l.name, l.role, l.id INTO who_name, who_role, who_id
    FROM access_login l WHERE l.login = session_user::text;
  IF who_id IS NULL THEN
    said := format('the login %s holds a peerkit role but no access was granted to it; '
                   'ask an organiser to run peerkit access grant', session_user);
  ELSIF who_role = 'facilitator' THEN
    SELECT string_agg(format('''%s''', p.slug), ', ' ORDER BY p.slug) INTO mine
      FROM access_group a JOIN peer_group p ON p.id = a.group_id WHERE a.login_id = who_id;
    SELECT format('''%s''', p.slug) INTO target FROM peer_group p WHERE p.id = g;
    said := format('%s is a facilitator of %s only; %s needs an organiser', who_name,
                   coalesce(mine, 'no group'),
                   coalesce(target, format('a change to %s outside any group', tbl)));
  ELSE
    said := format('%s is a %s: read only; changing %s needs an organiser', who_name,
                   who_role, tbl);
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = said,
    HINT = 'peerkit access list shows who may change what.';
END
$$"""

GUARD = """
CREATE OR REPLACE FUNCTION peerkit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE g integer;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    g := peerkit_group_of(TG_TABLE_NAME, to_jsonb(OLD));
    IF NOT peerkit_may_change(g) THEN PERFORM peerkit_refuse(g, TG_TABLE_NAME); END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  g := peerkit_group_of(TG_TABLE_NAME, to_jsonb(NEW));
  IF NOT peerkit_may_change(g) THEN PERFORM peerkit_refuse(g, TG_TABLE_NAME); END IF;
  RETURN NEW;
END
$$"""

FUNCTIONS = ("peerkit_guard()", "peerkit_refuse(integer, text)", "peerkit_may_change(integer)",
             "peerkit_restricted()", "peerkit_group_of(text, jsonb)")  # fmt: skip
POLICIES = ("peerkit_read", "peerkit_insert", "peerkit_update", "peerkit_delete")
# The hint peerkit_refuse gives: errors.py shows such a refusal as it is written.
HINT = "peerkit access list shows who may change what."


def statements() -> list[str]:
    """The DDL that installs (or refreshes) the rules, in order."""
    done = [_group_of_function(), _restricted_function(), MAY_CHANGE, REFUSE, GUARD]
    for table, expr in GUARDED.items():
        may = f"peerkit_may_change({_columns(expr, table + '.{column}')})"
        done += [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"]
        done += [f"DROP POLICY IF EXISTS {name} ON {table}" for name in POLICIES]
        done += [
            f"CREATE POLICY peerkit_read ON {table} FOR SELECT USING (true)",
            f"CREATE POLICY peerkit_insert ON {table} FOR INSERT WITH CHECK ({may})",
            # a changed row's old group: the trigger refuses it aloud (a USING here would
            # skip it in silence, an UPDATE of 0 rows); its new group: the policy and trigger
            f"CREATE POLICY peerkit_update ON {table} FOR UPDATE USING (true) WITH CHECK ({may})",
            # a row outside the login's groups is not there to delete (DELETE 0)
            f"CREATE POLICY peerkit_delete ON {table} FOR DELETE USING ({may})",
            f"DROP TRIGGER IF EXISTS peerkit_guard ON {table}",
            f"CREATE TRIGGER peerkit_guard BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION peerkit_guard()",
        ]
    return done


def install(conn: sa.Connection) -> None:
    """Install (or refresh) the rules on PostgreSQL; nothing elsewhere."""
    if conn.dialect.name != "postgresql":
        return
    for sql in statements():
        conn.exec_driver_sql(sql.replace("%", "%%"))


def installed(conn: sa.Connection) -> bool:
    """Whether every guarded table has its trigger (PostgreSQL)."""
    found = conn.exec_driver_sql(
        "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = 'peerkit_guard' AND c.relname = ANY(%(tables)s) "
        "AND c.relnamespace = current_schema()::regnamespace",
        {"tables": list(GUARDED)},
    ).scalar()
    return found == len(GUARDED)


def remove(conn: sa.Connection) -> None:
    """Take the rules away again (migration 0015's downgrade)."""
    if conn.dialect.name != "postgresql":
        return
    for table in GUARDED:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS peerkit_guard ON {table}")
        for name in POLICIES:
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {table}")
        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for signature in FUNCTIONS:
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature}")


def role_name(conn: sa.Connection, kind: str) -> str:
    """The name of the group role of KIND (organiser, facilitator, viewer) in this database."""
    name = conn.execute(sa.text("SELECT " + ROLE_NAME_SQL.format(kind=":kind")), {"kind": kind})
    return str(name.scalar_one())
