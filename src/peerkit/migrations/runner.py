"""Run Alembic programmatically (no alembic.ini at run time)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent


def make_config(extra_version_locations: list[Path] | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [MIGRATIONS_DIR / "versions", *(extra_version_locations or [])]
    cfg.set_main_option("version_locations", " ".join(str(p) for p in locations))
    cfg.set_main_option("path_separator", "space")
    return cfg


def known_revisions(extra_version_locations: list[Path] | None = None) -> set[str]:
    script = ScriptDirectory.from_config(make_config(extra_version_locations))
    return {rev.revision for rev in script.walk_revisions()}


def head_revision(extra_version_locations: list[Path] | None = None) -> str:
    script = ScriptDirectory.from_config(make_config(extra_version_locations))
    heads = script.get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"expected one migration head, found {heads}")
    return heads[0]


def run_upgrade(
    engine: Engine, target: str = "head", extra_version_locations: list[Path] | None = None
) -> None:
    """Upgrade in one transaction, with SQLite foreign keys off while tables are rebuilt."""
    cfg = make_config(extra_version_locations)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
