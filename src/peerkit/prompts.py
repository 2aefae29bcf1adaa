"""Interactive questions: the only module that imports questionary.

Only used on a terminal without --no-input; every question has a default, and Ctrl-C
or Ctrl-D abandons the command without writing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer


def _ask(question: Any) -> Any:
    answer = question.ask()
    if answer is None:  # Ctrl-C or Ctrl-D
        raise typer.Abort()
    return answer


def text(
    message: str, default: str = "", validate: Callable[[str], bool | str] | None = None
) -> str:
    import questionary

    return str(_ask(questionary.text(message, default=default, validate=validate)))


def select(message: str, choices: list[str], default: str | None = None) -> str:
    import questionary

    return str(_ask(questionary.select(message, choices=choices, default=default)))


def checkbox(message: str, choices: list[tuple[str, str]]) -> list[str]:
    """choices: (value, label); returns the chosen values."""
    import questionary

    options = [questionary.Choice(title=label, value=value) for value, label in choices]
    return list(_ask(questionary.checkbox(message, choices=options)))
