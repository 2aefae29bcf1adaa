"""The wheel carries the templates and the migrations, found the same way installed or not."""

from __future__ import annotations

import subprocess
import sys
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
