"""The root Typer app: global options, and one sub-app per noun. Nothing else."""

from __future__ import annotations

import importlib

import typer

from peerkit.commands._root import COMMANDS, new_app, run

__all__ = ["app", "build_app", "run"]


def build_app() -> typer.Typer:
    """The full application: every command, with its options."""
    root = new_app()
    for name, kind, module, attribute, text in COMMANDS:
        target = getattr(importlib.import_module(f"peerkit.commands.{module}"), attribute)
        if kind == "group":
            root.add_typer(target, name=name, help=text)
        else:
            root.command(name, help=text)(target)
    return root


app = build_app()
