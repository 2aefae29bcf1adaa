"""Files shipped with peerkit: the built-in templates.

In a wheel they live in ``peerkit/templates`` (hatch force-include); in an editable
install or a source checkout they are the repository's ``templates/`` folder.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_templates_dir() -> Path:
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("peerkit's built-in templates are missing; reinstall peerkit.")
