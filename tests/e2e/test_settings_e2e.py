"""Settings fail closed on the sandbox: a bad setting stops each run before its first request.

An incident filed while the workflow's ``WARROOM_DRY_RUN`` says ``maybe``, or
while ``WARROOM_CONFIG`` names a file that is not there, gets runs that exit 2
saying which setting to fix; the sandbox counts no request from them, and the
incident stays as it was filed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.action_support import MakeSandbox, dispatching_sandbox
from warroom import story

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("env", "said"),
    [
        pytest.param(
            {"WARROOM_DRY_RUN": "maybe"},
            "warroom: WARROOM_DRY_RUN: 'maybe' is not a yes/no value",
            id="dry-run-maybe",
        ),
        pytest.param(
            {"WARROOM_CONFIG": "ops/warroom.yml"},
            "::error::warroom did not run: WARROOM_CONFIG: no config file at ",
            id="config-named-missing",
        ),
    ],
)
def test_a_bad_setting_stops_every_run_before_any_request(
    make_sandbox: MakeSandbox, tmp_path: Path, env: dict[str, str], said: str
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path, env=env)
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s on every authenticated API call",
        body=story.incident_body(),
        labels=["incident"],
    )
    assert sb.wait_idle(120)

    runs = sb.runs()
    assert [(run["event"], run["action"]) for run in runs] == [
        ("issues", "opened"),
        ("issues", "labeled"),
    ]
    for run in runs:
        assert run["exit_code"] == 2, run["stdout"] + run["stderr"]
        assert said in run["stdout"] + run["stderr"]
        assert run["request_count"] == 0
        assert sb.requests(run_id=run["id"])["requests"] == []
    after = sb.repo().get_issue(issue.number)
    assert [label.name for label in after.labels] == ["incident"]
    assert after.comments == 0
    assert after.assignees == []
