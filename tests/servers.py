"""Real servers on loopback for the tests: Radicale (CalDAV) and aiosmtpd (SMTP)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def radicale_calendar(folder: Path, name: str) -> Iterator[str]:
    """A Radicale server with one empty calendar called `name`; yields the calendar's URL."""
    import caldav

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(folder), "--auth-type", "none"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        client = caldav.DAVClient(f"http://127.0.0.1:{port}/", username="paolo", password="x")
        calendar = client.principal().make_calendar(name=name, cal_id=name)
        yield str(calendar.url)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def smtp_server(handler: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An aiosmtpd server with `handler`; PEERKIT_SMTP_URL points at it."""
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PEERKIT_SMTP_URL", f"smtp://127.0.0.1:{port}")
    try:
        yield handler
    finally:
        controller.stop()
