"""The cycle collector while peerkit loads (issue 19).

Loading makes a few hundred thousand objects that live as long as the process (modules,
classes, SQLAlchemy's and pydantic's tables). Python's cycle collector would walk them again
and again while they are being made: about a tenth of a short command's time. So the console
script pauses it (`pause`, in peerkit.__main__) and the first database opened ends the pause
(`loaded`, in db.open_database): by then a command has loaded what it needs, and what was
loaded is frozen out of the collector's walks. A command that opens no database is short and
runs without it. Nothing happens unless `pause` was called: peerkit used as a library (the
tests) keeps the collector as it found it.

When the command is over (`finished`, in peerkit.__main__), everything is frozen again: the
interpreter's last collection, on its way out, would otherwise walk every object the command
loaded or made, which is useless work (0.15 to 0.3 s after `import typer, sqlmodel` alone on
the machine of docs/performance.md, 0.3 s after an import of 100,000 members). Whatever is
left in cycles goes with the process; the database was closed before (the root's
call_on_close).
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Turn the cycle collector off until `loaded`."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def loaded() -> None:
    """Loading is over: freeze what exists out of the collector's walks and turn it on."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def finished() -> None:
    """The command is over: spare the interpreter's last collection the walk through it all."""
    gc.freeze()
