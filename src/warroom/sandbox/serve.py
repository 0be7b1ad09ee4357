"""Running the sandbox as a process: ``warroom sandbox serve``.

It announces itself with one JSON line (``api_url``, ``repo``, ``tokens`` ...)
so a script or a test can read where to connect, then serves until it gets
SIGINT or SIGTERM, and shuts down cleanly so a ``--data`` file stays whole.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from warroom.sandbox.sandbox import Sandbox


class ServeError(Exception):
    """The sandbox could not start; the message says what to change."""


def serve(
    *,
    port: int = 0,
    data: Path | None = None,
    dispatch: str | None = None,
    announce: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Serve until ``stop`` is set or the process is told to stop."""
    stop = stop or threading.Event()
    try:
        sandbox = Sandbox(port=port, data=data, dispatch=dispatch)
    except ValueError as exc:
        raise ServeError(f"--dispatch: {exc}") from None
    except (OSError, sqlite3.Error) as exc:
        raise ServeError(
            f"--data {data}: {exc}; give a writable path for a new or existing sandbox file"
        ) from None
    try:
        sandbox.start()
    except OSError as exc:
        sandbox.stop()
        raise ServeError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; "
            "choose another --port (0 picks a free one)"
        ) from None
    if threading.current_thread() is threading.main_thread():

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    try:
        announce(json.dumps(sandbox.info(), sort_keys=True))
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
