"""The state directory runs keep between them, the way ``actions/cache`` keeps it on GitHub.

A workflow that remembers things from one run to the next (what the sweep
saw, when each incident is next due) keeps them in ``WARROOM_STATE_DIR`` and
lets ``actions/cache`` restore the directory before the job and save it after.
The sandbox does the same for every dispatched run of its one repository: a
copy of the last saved directory goes into the run's own directory before the
command starts, and the run's directory replaces the saved one when the
command ends. So a run sees what the last *completed* run saved, concurrent
runs never share a live directory, and when runs overlap the one that ends
last wins, as with a cache whose restore key picks the newest entry. Emptying
it stands for a cache miss (evicted, or a new restore key).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SavedBy:
    """Which run attempt saved the directory, and when (sandbox clock)."""

    run_id: int
    run_attempt: int
    at: str


class RunStateCache:
    """One saved directory per repository; ``root`` persists it, else a temporary one is used."""

    def __init__(self, root: str | Path | None = None) -> None:
        self._owned = root is None
        self.root = (
            Path(tempfile.mkdtemp(prefix="warroom-sandbox-state-")) if root is None else Path(root)
        )
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._saves = 0
        self._closed = False
        self.saved_by: SavedBy | None = None

    @property
    def _current(self) -> Path:
        return self.root / "current"

    def restore(self, into: Path) -> None:
        """Copy the saved directory to ``into`` (created empty on a miss)."""
        with self._lock:
            if not self._closed and self._current.is_dir():
                shutil.copytree(self._current, into, symlinks=True)
            else:
                into.mkdir(parents=True)

    def save(self, source: Path, saved_by: SavedBy) -> None:
        """Replace the saved directory with a copy of ``source`` (missing: saved empty)."""
        with self._lock:
            if self._closed:  # a run the stopping sandbox killed
                return
            self._saves += 1
            staging = self.root / f"saving-{self._saves}"
            if source.is_dir():
                shutil.copytree(source, staging, symlinks=True)
            else:
                staging.mkdir()
            old = self.root / f"replaced-{self._saves}"
            if self._current.exists():
                self._current.rename(old)
            staging.rename(self._current)
            shutil.rmtree(old, ignore_errors=True)
            self.saved_by = saved_by

    def clear(self) -> None:
        """Forget what was saved: the next run starts with an empty directory."""
        with self._lock:
            shutil.rmtree(self._current, ignore_errors=True)
            self.saved_by = None

    def files(self) -> list[dict[str, Any]]:
        """The saved files, by path relative to the directory, with their sizes."""
        with self._lock:
            if not self._current.is_dir():
                return []
            return [
                {"path": path.relative_to(self._current).as_posix(), "size": path.lstat().st_size}
                for path in sorted(self._current.rglob("*"))
                if path.is_file() or path.is_symlink()
            ]

    def read(self, name: str) -> bytes:
        """One saved file's bytes; ``KeyError`` when it is not there (or outside the directory)."""
        with self._lock:
            base = self._current.resolve()
            path = (self._current / name).resolve()
            if not path.is_relative_to(base) or not path.is_file():
                raise KeyError(f"no saved state file {name!r}")
            return path.read_bytes()

    def to_json(self) -> dict[str, Any]:
        """What ``GET /_sandbox/state`` shows."""
        saved = self.saved_by
        return {
            "files": self.files(),
            "saved_by": None
            if saved is None
            else {"run_id": saved.run_id, "run_attempt": saved.run_attempt, "at": saved.at},
        }

    def close(self) -> None:
        """Remove a temporary directory; a given ``root`` is kept for the next start."""
        with self._lock:
            self._closed = True
            if self._owned:
                shutil.rmtree(self.root, ignore_errors=True)
