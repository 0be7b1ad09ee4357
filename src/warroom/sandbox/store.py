"""Keeping the sandbox's state in a SQLite file across restarts (``--data``).

Each record is one row of JSON keyed by kind and id, and every write
transaction upserts exactly the rows it touched, so a sandbox holding half a
million comments still commits a new comment in one small SQLite transaction.
Counters, tokens and the clock live in a key/value table beside them.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from warroom.sandbox.records import RECORD_KINDS, Record

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class Store:
    """One SQLite file; the caller serialises access (the sandbox's state lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def load_meta(self) -> dict[str, Any]:
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM meta").fetchall()
        return {key: json.loads(value) for key, value in rows}

    def load_records(self) -> Iterator[Record]:
        """Every stored record, in id order per kind (creation order)."""
        with self._lock:
            rows = self._db.execute("SELECT kind, body FROM records ORDER BY kind, id").fetchall()
        for kind, body in rows:
            cls = RECORD_KINDS.get(kind)
            if cls is not None:
                yield cls.from_json(json.loads(body))

    def commit(
        self,
        upserts: Iterable[Record],
        deletes: Iterable[tuple[str, int]],
        meta: Mapping[str, Any],
    ) -> None:
        """Write one transaction's changes atomically."""
        rows = [(r.KIND, r.id, json.dumps(r.to_json(), separators=(",", ":"))) for r in upserts]
        gone = list(deletes)
        meta_rows = [(k, json.dumps(v)) for k, v in meta.items()]
        with self._lock:
            self._db.execute("BEGIN")
            try:
                if rows:
                    self._db.executemany(
                        "INSERT INTO records (kind, id, body) VALUES (?, ?, ?) "
                        "ON CONFLICT(kind, id) DO UPDATE SET body = excluded.body",
                        rows,
                    )
                if gone:
                    self._db.executemany("DELETE FROM records WHERE kind = ? AND id = ?", gone)
                if meta_rows:
                    self._db.executemany(
                        "INSERT INTO meta (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        meta_rows,
                    )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()
