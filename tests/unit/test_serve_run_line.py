"""`warroom sandbox serve --dispatch` logs each run's attempt as one line: the cases, as a table.

The end-to-end test (tests/e2e/test_sandbox_serve.py) reads these lines from a
real serve process; this table covers the outcomes a short play rarely shows.
"""

from __future__ import annotations

from typing import Any

import pytest

from warroom.sandbox.serve import run_line

RUN: dict[str, Any] = {
    "id": 8000000007,
    "event": "issue_comment",
    "action": "created",
    "actor": "mara",
    "payload": {"issue": {"number": 4}},
}


def _attempt(**fields: Any) -> dict[str, Any]:
    base = {
        "attempt": 1,
        "triggering_actor": "mara",
        "status": "completed",
        "conclusion": "success",
        "exit_code": 0,
        "cancelled_by": None,
        "stdout": "",
        "stderr": "",
    }
    return {**base, **fields}


HEAD = "run 8000000007 issue_comment.created #4 by @mara"


@pytest.mark.parametrize(
    ("run", "attempt", "line"),
    [
        pytest.param(
            RUN,
            _attempt(
                stdout="applied: #4: +phase: recovery\napplied: #4: updated the status comment\n"
            ),
            f"{HEAD}: exit 0; 2 changes: +phase: recovery; updated the status comment",
            id="changes",
        ),
        pytest.param(
            RUN,
            _attempt(stdout="applied: #4: updated the status comment\n"),
            f"{HEAD}: exit 0; 1 change: updated the status comment",
            id="one-change",
        ),
        pytest.param(
            RUN,
            _attempt(stdout="".join(f"applied: #4: change {i}\n" for i in range(1, 6))),
            f"{HEAD}: exit 0; 5 changes: change 1; change 2; change 3; … 2 more",
            id="first-three-then-counted",
        ),
        pytest.param(
            RUN,
            _attempt(stdout="ignored: comments by bots are never records\n"),
            f"{HEAD}: exit 0; nothing to do: comments by bots are never records",
            id="ignored",
        ),
        pytest.param(
            RUN,
            _attempt(stdout="hello\n"),
            f"{HEAD}: exit 0; nothing applied",
            id="another-command",
        ),
        pytest.param(
            RUN,
            _attempt(
                conclusion="failure",
                exit_code=2,
                stderr="warroom: WARROOM_DRY_RUN: 'maybe' is not a yes/no value\n",
            ),
            f"{HEAD}: exit 2; nothing applied; error: warroom: WARROOM_DRY_RUN: 'maybe' is not "
            "a yes/no value",
            id="usage-error-on-stderr",
        ),
        pytest.param(
            RUN,
            _attempt(
                conclusion="failure",
                exit_code=1,
                stdout="applied: #4: reopened\n::error::Incident #4 was closed too early\n",
                stderr="a warning\n",
            ),
            f"{HEAD}: exit 1; 1 change: reopened; error: Incident #4 was closed too early",
            id="annotation-before-stderr",
        ),
        pytest.param(
            RUN,
            _attempt(conclusion="timed_out", exit_code=-9, stderr="sandbox: run exceeded 300s\n"),
            f"{HEAD}: exit -9 (timed out); nothing applied; error: sandbox: run exceeded 300s",
            id="timed-out",
        ),
        pytest.param(
            RUN,
            _attempt(conclusion="cancelled", exit_code=None, cancelled_by=8000000009),
            f"{HEAD}: cancelled, replaced by run 8000000009 before it started",
            id="replaced",
        ),
        pytest.param(
            RUN,
            _attempt(attempt=2, triggering_actor="admin"),
            "run 8000000007 (attempt 2) issue_comment.created #4 by @admin: exit 0; "
            "nothing applied",
            id="re-run",
        ),
        pytest.param(
            {"id": 8000000010, "event": "schedule", "action": None, "actor": "github-actions[bot]"},
            _attempt(triggering_actor="", stdout="applied: #4: posted a reminder\n"),
            "run 8000000010 schedule by @github-actions[bot]: exit 0; 1 change: #4: posted a "
            "reminder",
            id="sweep",
        ),
        pytest.param(
            RUN,
            _attempt(stdout="applied: #4: +\x1b[31mred\x1b[0m\n"),
            f"{HEAD}: exit 0; 1 change: +?[31mred?[0m",
            id="no-terminal-escapes",
        ),
        pytest.param(
            RUN,
            _attempt(stdout="applied: #4: " + "x" * 500 + "\n"),
            f"{HEAD}: exit 0; 1 change: " + "x" * 159 + "…",
            id="long-changes-cut",
        ),
    ],
)
def test_run_line(run: dict[str, Any], attempt: dict[str, Any], line: str) -> None:
    assert run_line(run, attempt) == line
