"""``warroom action`` on a network that drops the first attempt of every request.

Run by the sandbox as a workflow's command (``python -m tests.support.flaky_action``):
every distinct request (method, URL, body) fails once — a read as a connection
dropped before it reached GitHub, a write as one dropped *after* GitHub applied
it — and succeeds when sent again. A request sent outside warroom's one retrying
path would end the run with a traceback; a write retried without asking whether
it happened would duplicate. Each attempt is logged as a JSON line to the file
named by ``FLAKY_LOG`` so a test can count the retries.

Sleeps are instant: the retries' back-off is the adapter's business, not the test's time.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

import requests

time.sleep = lambda seconds: None  # before warroom binds it as the adapter's default

_seen: set[tuple[str, str, str]] = set()
_lock = threading.Lock()
_original_send = requests.Session.send


def _log(entry: dict[str, Any]) -> None:
    path = os.environ.get("FLAKY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")


def _send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
    body = request.body if isinstance(request.body, str) else (request.body or b"").decode()
    key = (str(request.method), str(request.url), body)
    with _lock:
        first = key not in _seen
        _seen.add(key)
    write = request.method not in {"GET", "HEAD"}
    _log({"method": key[0], "url": key[1], "failed": first, "applied": first and write})
    if first and write:
        _original_send(self, request, **kwargs)  # GitHub applies it; the answer is lost
    if first:
        raise requests.exceptions.ConnectionError(f"dropped: {key[0]} {key[1]}")
    return _original_send(self, request, **kwargs)


requests.Session.send = _send  # type: ignore[method-assign]

import sys  # noqa: E402

from warroom.cli import main  # noqa: E402 -- after the network is made flaky

sys.argv = ["warroom", "action"]
main()
