"""``WARROOM_STATE_DIR``: one directory per repository, restored and saved around each run."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import MakeSandbox, TestSandbox

pytestmark = pytest.mark.e2e

# Appends the issue number to seen.txt in the state directory, after waiting at its gate
# (a file named after the issue in RUN_GATES, once it has said "started-N" there) when the
# issue has one.
WORKFLOW = textwrap.dedent(
    r"""
    import json, os, pathlib, time

    state = pathlib.Path(os.environ["WARROOM_STATE_DIR"])
    seen = state / "seen.txt"
    before = seen.read_text() if seen.exists() else ""
    with open(os.environ["GITHUB_EVENT_PATH"], encoding="utf-8") as handle:
        number = json.load(handle)["issue"]["number"]
    gates = os.environ.get("RUN_GATES")
    if gates and number in json.loads(os.environ.get("GATED", "[]")):
        pathlib.Path(gates, f"started-{number}").touch()
        deadline = time.monotonic() + 30
        while not os.path.exists(os.path.join(gates, str(number))) and time.monotonic() < deadline:
            time.sleep(0.01)
    seen.write_text(before + f"{number}\n")
    (state / "sub").mkdir(exist_ok=True)
    (state / "sub" / "last").write_text(os.environ["GITHUB_RUN_ID"])
    print(json.dumps({"before": before, "dir": str(state)}))
    if os.environ.get("RUN_HANG"):
        time.sleep(60)
    """
)


def _sandbox(make_sandbox: MakeSandbox, tmp_path: Path, **options: Any) -> TestSandbox:
    script = tmp_path / "workflow.py"
    script.write_text(WORKFLOW, encoding="utf-8")
    return make_sandbox(dispatch=[sys.executable, str(script)], **options)


def _file(sb: TestSandbox, title: str) -> dict[str, Any]:
    """File an issue and return its run once it has completed."""
    number = sb.repo("writer").create_issue(title).number
    assert sb.wait_idle(60)
    (run,) = [r for r in sb.runs() if r["group"] == f"warroom-{number}"]
    return run


def _before(run: dict[str, Any]) -> str:
    seen: str = json.loads(run["stdout"])["before"]
    return seen


def test_each_run_sees_what_the_last_completed_run_saved(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = _sandbox(make_sandbox, tmp_path)

    runs = [_file(sb, title) for title in ("one", "two", "three")]

    assert [_before(r) for r in runs] == ["", "1\n", "1\n2\n"]
    state = sb.control("GET", "/state").body
    assert state == {
        "files": [{"path": "seen.txt", "size": 6}, {"path": "sub/last", "size": 10}],
        "saved_by": {"run_id": runs[2]["id"], "run_attempt": 1, "at": "2024-05-01T12:00:00Z"},
    }
    assert sb.run_state.read("sub/last") == str(runs[2]["id"]).encode()
    # A run works in a copy of its own, never in the saved directory.
    dirs = {json.loads(r["stdout"])["dir"] for r in runs}
    assert len(dirs) == 3
    assert not any(d.startswith(str(sb.run_state.root)) for d in dirs)


def test_deleting_the_state_is_a_cache_miss(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sb = _sandbox(make_sandbox, tmp_path)
    _file(sb, "one")

    emptied = sb.control("DELETE", "/state")
    after = _file(sb, "two")

    assert emptied.status == 200
    assert emptied.body == {"files": [], "saved_by": None}
    assert _before(after) == ""
    assert [f["path"] for f in sb.control("GET", "/state").body["files"]] == [
        "seen.txt",
        "sub/last",
    ]


def test_overlapping_runs_start_from_the_saved_state_and_the_last_to_end_wins(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    gates = tmp_path / "gates"
    gates.mkdir()
    sb = _sandbox(make_sandbox, tmp_path, env={"RUN_GATES": str(gates), "GATED": "[2, 3]"})
    _file(sb, "one")
    repo = sb.repo("writer")
    repo.create_issue("two")
    repo.create_issue("three")
    two, three = sb.runs()[1:]
    assert sb.dispatcher is not None
    deadline = time.monotonic() + 30
    while not all((gates / f"started-{n}").exists() for n in (2, 3)):
        assert time.monotonic() < deadline, "the gated runs did not start"
        time.sleep(0.01)

    (gates / "3").touch()
    assert sb.dispatcher.wait_run(three["id"], 30)
    saved_by_three = sb.control("GET", "/state").body["saved_by"]["run_id"]
    (gates / "2").touch()
    assert sb.wait_idle(60)
    four = _file(sb, "four")

    assert saved_by_three == three["id"]
    assert _before(sb.run(two["id"])) == _before(sb.run(three["id"])) == "1\n"  # type: ignore[arg-type]
    assert _before(four) == "1\n2\n", "run two ended last: its save replaced run three's"


def test_a_run_that_timed_out_saves_nothing(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sb = _sandbox(make_sandbox, tmp_path, env={"RUN_HANG": "1"}, run_timeout=1)

    run = _file(sb, "hangs")

    assert run["conclusion"] == "timed_out"
    assert sb.control("GET", "/state").body == {"files": [], "saved_by": None}


def test_a_given_state_dir_outlives_the_sandbox(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    kept = tmp_path / "cache"
    first = _sandbox(make_sandbox, tmp_path, state_dir=kept)
    _file(first, "one")
    first.stop()

    second = _sandbox(make_sandbox, tmp_path, state_dir=kept)
    run = _file(second, "two")

    assert _before(run) == "1\n"
