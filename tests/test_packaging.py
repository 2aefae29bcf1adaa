"""The wheel carries the templates and the migrations, found the same way installed or not;
every third-party module the code imports is a declared dependency."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIND = "from peerkit.resources import builtin_templates_dir as f; print(f())"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built by pip (seconds): the tests that use it are marked slow."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (found,) = out.glob("peerkit-*.whl")
    return found


@pytest.mark.slow
def test_wheel_contains_templates_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "peerkit/templates/README.md" in names
    assert "peerkit/migrations/env.py" in names
    assert "peerkit/migrations/script.py.mako" in names
    assert "peerkit/migrations/versions/0001_members.py" in names
    assert not any(n.startswith("templates/") for n in names)


@pytest.mark.slow
def test_installed_wheel_finds_its_templates(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    found = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {FIND}"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert Path(found) == target / "peerkit" / "templates"
    assert (Path(found) / "README.md").is_file()


def test_source_checkout_finds_the_repository_templates(tmp_path: Path) -> None:
    found = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT / 'src')!r}); {FIND}"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert Path(found) == ROOT / "templates"


# --- every import is declared ------------------------------------------------------------


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    """Distributions in [project] dependencies and the extras a user installs (not `test`)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra, more in project.get("optional-dependencies", {}).items():
        if extra != "test":
            specs += more
    return {_normal(re.split(r"[\[<>=!~;\s]", spec, maxsplit=1)[0]) for spec in specs}


def _imported_top_levels() -> dict[str, set[str]]:
    """Top-level module -> the files under src/ that import it (at any depth)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_module_src_imports_is_stdlib_peerkit_or_declared() -> None:
    """numpy was imported but not declared: a clean install could not match mentors."""
    declared = _declared()
    to_dists = importlib.metadata.packages_distributions()
    undeclared = {
        module: sorted(files)
        for module, files in _imported_top_levels().items()
        if module not in sys.stdlib_module_names
        and module != "peerkit"
        # An extra that is not installed here is not in the map: its import name is its own.
        and not {_normal(d) for d in to_dists.get(module, [module])} & declared
    }
    assert undeclared == {}, (
        f"declare these in pyproject.toml (or stop importing them): {undeclared}"
    )


def test_the_import_check_sees_what_src_imports() -> None:
    imported = _imported_top_levels()
    assert {"numpy", "scipy", "slugify", "jinja2", "keyring"} <= set(imported)
    assert {"numpy", "python-slugify", "jinja2", "keyring"} <= _declared()
