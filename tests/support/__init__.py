"""Test oracles built from GitHub's own published descriptions.

The sandbox is only worth trusting if it answers the way GitHub does, so the
checks here come from GitHub's files (installed by ``make test`` into
``node_modules``), never from our reading of the docs. GitHub's files are not
committed: what we need is extracted at test time into ``.cache/`` (gitignored).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
CACHE_DIR = REPO_ROOT / ".cache" / "oracles"


def node_file(relative: str) -> Path:
    """Locate a file of an npm oracle package, failing with the command that installs it."""
    path = NODE_MODULES / relative
    if not path.is_file():
        raise FileNotFoundError(
            f"{relative} is missing from node_modules; run `make test` (it runs `npm ci`) "
            "to install the test oracles from package-lock.json"
        )
    return path


def write_json_atomically(path: Path, data: Any) -> None:
    """Write JSON so that a concurrent reader (another xdist worker) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"), sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def json_path(parts: Iterable[str | int]) -> str:
    """Render a jsonschema error path the way people read it: ``$.labels[0].name``."""
    rendered = "$"
    for part in parts:
        rendered += f"[{part}]" if isinstance(part, int) else f".{part}"
    return rendered


@dataclass(frozen=True)
class Violation:
    """One way the sandbox (or a client talking to it) departed from GitHub's description.

    ``subject`` is what was checked against: an operationId (``issues/create``)
    or a webhook schema (``issues$opened``); ``seen`` is the traffic that broke
    it (``POST /repos/o/r/issues -> 201``), ``part`` which piece of it
    (``response body``), ``location`` where inside (``$.user.login``, a
    parameter name) and ``message`` what the schema said.
    """

    subject: str
    seen: str
    part: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject} [{self.seen}] {self.part} at {self.location}: {self.message}"
