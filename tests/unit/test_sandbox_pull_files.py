"""The control API's changed files: how paths and diff entries are read, and how a push merges.

``file_entries`` reads what a test sends to ``/_sandbox/pulls`` (a path, or a diff
entry); ``merge_files`` is a pull request's file list after a push. Both are
pure, so they are tested here without a server.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.sandbox.rest_pulls import FileSpecError, file_entries, merge_files


@pytest.mark.parametrize(
    ("spec", "entry"),
    [
        pytest.param(
            "src/a.py",
            {"filename": "src/a.py", "status": "modified", "additions": 1, "deletions": 1},
            id="path",
        ),
        pytest.param(
            {"filename": "docs/new.md", "status": "added"},
            {"filename": "docs/new.md", "status": "added", "additions": 1, "deletions": 0},
            id="added",
        ),
        pytest.param(
            {"filename": "old.py", "status": "removed"},
            {"filename": "old.py", "status": "removed", "additions": 0, "deletions": 1},
            id="removed",
        ),
        pytest.param(
            {"filename": "b.py", "status": "renamed", "previous_filename": "a.py"},
            {
                "filename": "b.py",
                "status": "renamed",
                "additions": 1,
                "deletions": 1,
                "previous_filename": "a.py",
            },
            id="renamed",
        ),
        pytest.param(
            {"filename": "big.sql", "additions": 900, "deletions": 0},
            {"filename": "big.sql", "status": "modified", "additions": 900, "deletions": 0},
            id="counted",
        ),
    ],
)
def test_a_file_reads_as_a_diff_entry(spec: Any, entry: dict[str, Any]) -> None:
    assert file_entries([spec]) == [entry]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param(7, "files[0] is 7: give a path", id="number"),
        pytest.param("", "files[0].filename must be a path", id="empty"),
        pytest.param("/etc/passwd", "files[0].filename must be a path", id="absolute"),
        pytest.param({"name": "a.py"}, "unknown key(s) name", id="unknown-key"),
        pytest.param({"filename": "a", "status": "moved"}, "files[0].status", id="bad-status"),
        pytest.param({"filename": "a", "additions": -1}, "additions must be", id="negative"),
        pytest.param({"filename": "a", "deletions": True}, "deletions must be", id="boolean"),
        pytest.param({"filename": "a", "status": "renamed"}, "previous_filename", id="rename"),
    ],
)
def test_a_file_the_control_api_cannot_read_says_what_to_send(spec: Any, message: str) -> None:
    with pytest.raises(FileSpecError) as raised:
        file_entries([spec])
    assert message in str(raised.value)


def test_a_push_replaces_files_of_the_same_name_and_keeps_the_order() -> None:
    before = file_entries(["a.py", "b.py"])
    pushed = file_entries([{"filename": "b.py", "additions": 5}, "c.py"])

    merged = merge_files(before, pushed)

    assert [f["filename"] for f in merged] == ["a.py", "b.py", "c.py"]
    assert merged[1]["additions"] == 5
    assert before[1]["additions"] == 1  # the old list is left as it was


paths = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1).filter(
        lambda p: p.strip() and not p.startswith("/")
    ),
    max_size=20,
)


@given(paths)
def test_any_paths_read_as_modified_files_in_order(names: list[str]) -> None:
    entries = file_entries(names)
    assert [e["filename"] for e in entries] == names
    assert {e["status"] for e in entries} <= {"modified"}


@given(paths, paths)
def test_a_merge_holds_each_name_once(first: list[str], second: list[str]) -> None:
    merged = merge_files(file_entries(first), file_entries(second))
    names = [f["filename"] for f in merged]
    assert len(names) == len(set(names))
    assert set(names) == set(first) | set(second)
