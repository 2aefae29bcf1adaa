"""The root Typer app: global options, and one sub-app per noun. Nothing else."""

from __future__ import annotations

from peerkit.commands._root import build_app, run

__all__ = ["app", "build_app", "run"]

app = build_app()
