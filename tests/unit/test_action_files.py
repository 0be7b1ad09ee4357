"""The Action and its workflow pass GitHub's schemas and zizmor's security audit.

These run the real validators (check-jsonschema's vendored schemas, zizmor
offline) so a broken `action.yml` fails here, not in a user's repository.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        pytest.param("vendor.github-actions", "action.yml", id="action"),
        pytest.param("vendor.github-workflows", ".github/workflows/warroom.yml", id="workflow"),
    ],
)
def test_file_matches_githubs_schema(schema: str, path: str) -> None:
    result = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", schema, ROOT / path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing() -> None:
    result = subprocess.run(
        [BIN / "zizmor", "--offline", "--no-progress", "--format", "plain", ROOT],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _workflow() -> dict[str, object]:
    data = yaml.safe_load((ROOT / ".github/workflows/warroom.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_workflow_listens_to_every_event_warroom_handles() -> None:
    # PyYAML reads the bare key `on` as True.
    triggers = _workflow()[True]
    assert isinstance(triggers, dict)
    assert set(triggers["issues"]["types"]) == {
        "opened",
        "edited",
        "closed",
        "reopened",
        "labeled",
        "unlabeled",
    }
    assert set(triggers["issue_comment"]["types"]) == {"created", "edited", "deleted"}
    assert "schedule" in triggers
    assert "workflow_dispatch" in triggers


def test_workflow_asks_only_for_issue_writes_and_queues_per_issue() -> None:
    workflow = _workflow()
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    (job,) = jobs.values()
    assert job["permissions"] == {"issues": "write"}
    concurrency = workflow["concurrency"]
    assert isinstance(concurrency, dict)
    assert "github.event.issue.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is False


def test_no_expression_reaches_a_run_script() -> None:
    """Event text must enter scripts through env, never through `${{ }}` in `run:`."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = [*action["runs"]["steps"]]
    for job in _workflow()["jobs"].values():  # type: ignore[union-attr]
        steps.extend(job["steps"])
    for step in steps:
        assert "${{" not in step.get("run", ""), step


def test_action_declares_the_documented_inputs_and_outputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(action["inputs"]) == {"github-token", "config", "dry-run"}
    assert set(action["outputs"]) == {
        "incident",
        "severity",
        "phase",
        "gate",
        "blocked-reasons",
        "follow-ups",
    }
    assert action["runs"]["using"] == "composite"
