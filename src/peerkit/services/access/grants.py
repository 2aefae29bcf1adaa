"""`peerkit access grant/revoke/list`: database logins, the person behind each, role and groups.

On PostgreSQL a grant is real: a LOGIN role for the person (created when missing), a member of
one peerkit group role per role (`peerkit_<role>_<database>`, NOLOGIN) whose GRANTs say which
tables it may read and write, and the rows of `access_login` and `access_group` that the
row-level security policies and the guard trigger read (peerkit.migrations.access_rules). All of
it in the command's one transaction: PostgreSQL's CREATE ROLE and GRANT are transactional.

On SQLite nothing can be enforced (whoever opens the file may change it all): grant and revoke
refuse, saying so.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from peerkit.enums import AccessRole
from peerkit.errors import Conflict, NotFound, PeerkitError, UsageProblem
from peerkit.migrations import access_rules
from peerkit.models import AccessGroup, AccessLogin, Group, id_of
from peerkit.services.common import actors
from peerkit.services.common.actors import Actor
from peerkit.services.groups import roster

SQLITE = (
    "roles are not enforced on SQLite: whoever can open this file may change everything. "
    "To share the community with several people, keep it in a PostgreSQL database "
    "(--database-url postgresql+psycopg://USER@HOST/DB) and grant access there."
)
# What a facilitator may write, besides reading everything: their groups' meetings, hot seats,
# attendance, commitments, invitations sent and answers (row-level security keeps them to their
# groups). Everything else is an organiser's.
FACILITATOR_WRITES = ("meeting", "hot_seat", "attendance", "commitment", "delivery", "answer")
KINDS = tuple(role.value for role in AccessRole)
_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


def enforced(session: Session) -> bool:
    """Whether roles are enforced here (PostgreSQL), rather than by the file's permissions."""
    return session.get_bind().dialect.name == "postgresql"


def identity(session: Session) -> Actor | None:
    """The person granted to the database login this session runs as (PostgreSQL), or None
    (actors.granted: the change log names them so)."""
    return actors.granted(session) if enforced(session) else None


def listing(session: Session) -> list[dict[str, Any]]:
    """Every login granted, organisers first: {who, role, groups (slugs), login}."""
    order = sa.case({kind: i for i, kind in enumerate(KINDS)}, value=AccessLogin.role)
    rows = session.exec(select(AccessLogin).order_by(order, AccessLogin.name)).all()
    return [to_dict(session, row) for row in rows]


def to_dict(session: Session, row: AccessLogin) -> dict[str, Any]:
    return {
        "who": Actor(row.name, row.email).label(),
        "role": str(row.role),
        "groups": _slugs(session, id_of(row)),
        "login": row.login,
    }


def grant(
    session: Session,
    who: str,
    role: AccessRole,
    group_refs: list[str],
    login: str | None = None,
) -> dict[str, Any]:
    """Give WHO (a person "Name <email>", or an existing database role) ROLE, for GROUPS when a
    facilitator: their login role is created when missing, made a member of ROLE's group role
    (and of no other), and recorded with its groups."""
    _check_groups_for(role, group_refs)
    _require_postgres(session)
    conn = session.connection()
    owner = _require_administrator(session, conn)
    groups = _groups(session, group_refs)
    record, name, person = _whom(session, who, login)
    existing = _role(conn, name)
    if existing is not None and (existing["rolsuper"] or existing["is_owner"]):
        raise PeerkitError(
            f"the login {name!r} is a superuser or owns the database: it may do everything "
            "already, and no peerkit role can hold it back; grant access to another login."
        )
    if owner:
        prepare(conn)
    elif not access_rules.installed(conn):
        raise PeerkitError(
            "the database's owner has not set up access yet; the owner (or a superuser) must "
            "run the first peerkit access grant."
        )
    created = existing is None
    if created:
        conn.exec_driver_sql(f"CREATE ROLE {_quote(conn, name)} LOGIN")
    for kind in KINDS:
        verb = "GRANT {g} TO {l}" if kind == role else "REVOKE {g} FROM {l}"
        conn.exec_driver_sql(
            verb.format(g=_quote(conn, access_rules.role_name(conn, kind)), l=_quote(conn, name))
        )
    if record is None:
        record = AccessLogin(
            login=name, name=person.name, email=person.email, role=role, created_role=created
        )
        session.add(record)
    else:
        record.name, record.email, record.role = person.name, person.email, role
    session.flush()
    _set_groups(session, id_of(record), groups)
    shown = to_dict(session, record)
    shown["created"] = created
    return shown


def revoke(session: Session, who: str) -> dict[str, Any]:
    """Take away everything `grant` gave WHO: the group role, the login role when peerkit
    created it, the record and its groups."""
    _require_postgres(session)
    conn = session.connection()
    _require_administrator(session, conn)
    record = _find(session, who)
    if record.login == conn.exec_driver_sql("SELECT session_user").scalar():
        raise PeerkitError(
            f"{record.login!r} is the login you are connected as; another organiser (or the "
            "database's owner) must revoke it."
        )
    shown = to_dict(session, record)
    if _role(conn, record.login) is not None:
        for kind in KINDS:
            group_role = access_rules.role_name(conn, kind)
            if _role(conn, group_role) is not None:
                conn.exec_driver_sql(
                    f"REVOKE {_quote(conn, group_role)} FROM {_quote(conn, record.login)}"
                )
        if record.created_role:
            conn.exec_driver_sql(f"DROP ROLE {_quote(conn, record.login)}")
    shown["dropped"] = record.created_role
    session.delete(record)
    session.flush()
    return shown


def prepare(conn: sa.Connection) -> None:
    """The group roles and what each may do in this database, and the row rules: run by the
    owner of the tables at every grant (idempotent; tables added since get their GRANTs)."""
    names = {kind: _quote(conn, access_rules.role_name(conn, kind)) for kind in KINDS}
    for kind, quoted in names.items():
        if _role(conn, access_rules.role_name(conn, kind)) is None:
            conn.exec_driver_sql(f"CREATE ROLE {quoted} NOLOGIN")
    everyone = ", ".join(names.values())
    database = _quote(conn, str(conn.exec_driver_sql("SELECT current_database()").scalar()))
    schema = _quote(conn, str(conn.exec_driver_sql("SELECT current_schema()").scalar()))
    organiser, facilitator = names["organiser"], names["facilitator"]
    for sql in (
        f"GRANT CONNECT ON DATABASE {database} TO {everyone}",
        f"GRANT USAGE ON SCHEMA {schema} TO {everyone}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {everyone}",
        f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {organiser}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {organiser}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(FACILITATOR_WRITES)} TO {facilitator}",
        # their changes are logged as they make them (append only: the log is not theirs to edit)
        f"GRANT INSERT ON change_log TO {facilitator}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {organiser}, {facilitator}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {everyone}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT INSERT, UPDATE, DELETE ON TABLES TO {organiser}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {organiser}, {facilitator}",
    ):
        conn.exec_driver_sql(sql)
    access_rules.install(conn)


# --- checks at the door ---------------------------------------------------------------------


def _check_groups_for(role: AccessRole, group_refs: list[str]) -> None:
    if role is AccessRole.FACILITATOR and not group_refs:
        raise UsageProblem(
            "a facilitator needs the groups they facilitate: add --group G (repeatable)."
        )
    if role is not AccessRole.FACILITATOR and group_refs:
        reach = {
            AccessRole.ORGANISER: "an organiser changes every group",
            AccessRole.VIEWER: "a viewer reads every group and changes none",
        }[role]
        raise UsageProblem(f"--group is for facilitators; {reach}.")


def _require_postgres(session: Session) -> None:
    if not enforced(session):
        raise PeerkitError(SQLITE)


def _require_administrator(session: Session, conn: sa.Connection) -> bool:
    """The caller may grant: a superuser, the owner of the tables, or an organiser. Returns
    whether they own the tables (and may set up the roles and rules)."""
    row = conn.exec_driver_sql(
        "SELECT session_user::text AS login, "
        "pg_has_role(session_user, c.relowner, 'USAGE') AS owner "
        "FROM pg_class c WHERE c.oid = 'access_login'::regclass"
    ).one()
    if row.owner:
        return True
    record = session.exec(select(AccessLogin).where(AccessLogin.login == row.login)).first()
    if record is not None and record.role == AccessRole.ORGANISER:
        return False
    said = (
        f"{record.name} is a {record.role}" if record else f"the login {row.login!r} has no access"
    )
    raise PeerkitError(
        f"{said}; only an organiser or the database's owner may grant or revoke access."
    )


def _groups(session: Session, refs: list[str]) -> list[Group]:
    found: dict[int, Group] = {}
    for ref in refs:
        group = roster.resolve(session, ref)
        found.setdefault(id_of(group), group)
    return list(found.values())


def _whom(session: Session, who: str, login: str | None) -> tuple[AccessLogin | None, str, Actor]:
    """The record (if any), the login name and the person WHO names."""
    if login is not None and not _ROLE_NAME.match(login):
        raise UsageProblem(
            f"--login must be a database role name (letters, digits, _), not {login!r}."
        )
    text = who.strip()
    if _ROLE_NAME.match(text):  # an existing database role
        if login is not None and login != text:
            raise UsageProblem(f"WHO is the login {text!r} already; leave out --login.")
        record = _by_login(session, text)
        if record is not None:
            return record, text, Actor(record.name, record.email)
        if _role(session.connection(), text) is None:
            raise NotFound(
                f"no database role is called {text!r}; to create a login for a person, give "
                "them as 'Name <email>' (e.g. 'Marta Bianchi <marta@example.org>')."
            )
        return None, text, Actor(text, None)
    person = actors.parse(text, "WHO")
    record = _by_email(session, person.email) if person.email else None
    if record is not None:
        if login is not None and login != record.login:
            raise Conflict(
                f"{person.label()} has the login {record.login!r} already; revoke it first "
                "to give them another."
            )
        return record, record.login, person
    name = login or _derive(person)
    taken = _by_login(session, name)
    if taken is not None:
        raise Conflict(
            f"the login {name!r} is {Actor(taken.name, taken.email).label()}'s; "
            "choose another with --login."
        )
    return None, name, person


def _derive(person: Actor) -> str:
    """A login from the e-mail's local part (or the name): 'marta.bianchi@...' -> marta_bianchi."""
    source = person.email.split("@", 1)[0] if person.email else person.name
    name = roster.slugify(source).replace("-", "_")
    if not name:
        raise UsageProblem(f"cannot make a login name from {source!r}; give one with --login.")
    if name[0].isdigit():
        name = "u_" + name
    return name[:63]


def _find(session: Session, who: str) -> AccessLogin:
    text = who.strip()
    record = _by_login(session, text)
    if record is None and not _ROLE_NAME.match(text):
        person = actors.parse(text, "WHO")
        record = _by_email(session, person.email) if person.email else None
    if record is None:
        raise NotFound(f"no access was granted to {text!r}. See: peerkit access list")
    return record


def _by_login(session: Session, login: str) -> AccessLogin | None:
    return session.exec(select(AccessLogin).where(AccessLogin.login == login)).first()


def _by_email(session: Session, email: str) -> AccessLogin | None:
    found = select(AccessLogin).where(sa.func.lower(AccessLogin.email) == email.lower())
    return session.exec(found).first()


def _set_groups(session: Session, login_id: int, groups: list[Group]) -> None:
    wanted = {id_of(g) for g in groups}
    held = session.exec(select(AccessGroup).where(AccessGroup.login_id == login_id)).all()
    for row in held:
        if row.group_id not in wanted:
            session.delete(row)
    for group_id in sorted(wanted - {row.group_id for row in held}):
        session.add(AccessGroup(login_id=login_id, group_id=group_id))
    session.flush()


def _slugs(session: Session, login_id: int) -> list[str]:
    found = (
        select(Group.slug)
        .join(AccessGroup, col(AccessGroup.group_id) == Group.id)
        .where(AccessGroup.login_id == login_id)
        .order_by(Group.slug)
    )
    return list(session.exec(found).all())


def _role(conn: sa.Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute(
        sa.text(
            "SELECT r.rolsuper, (r.oid = d.datdba) AS is_owner FROM pg_roles r, pg_database d "
            "WHERE r.rolname = :name AND d.datname = current_database()"
        ),
        {"name": name},
    ).first()
    return dict(row._mapping) if row is not None else None


def _quote(conn: sa.Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)
