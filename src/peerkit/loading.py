"""The cycle collector while peerkit loads (issue 19).

Loading makes a few hundred thousand objects that live as long as the process (modules,
classes, SQLAlchemy's and pydantic's tables). Python's cycle collector would walk them again
and again while they are being made: about a tenth of a short command's time. So the console
script pauses it (`pause`, in peerkit.__main__) and the first database opened ends the pause
(`loaded`, in db.open_database): by then a command has loaded what it needs, and what was
loaded is frozen out of the collector's walks. A command that opens no database is short and
runs without it. Nothing happens unless `pause` was called: peerkit used as a library (the
tests) keeps the collector as it found it.
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
