"""The Action and its workflow pass GitHub's schemas and zizmor's security audit.

These run the real validators (check-jsonschema's vendored schemas, zizmor
offline) so a broken `action.yml` fails here, not in a user's repository.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def test_workflow_asks_for_issue_writes_and_a_read_of_the_checkout_and_queues_per_issue() -> None:
    workflow = _workflow()
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    (job,) = jobs.values()
    # contents: read, or actions/checkout fails in a private repository.
    assert job["permissions"] == {"contents": "read", "issues": "write"}
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


# --- pins and caches ---------------------------------------------------------------------------

_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def _uses() -> list[str]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    found = [step["uses"] for step in action["runs"]["steps"] if "uses" in step]
    for job in _workflow()["jobs"].values():  # type: ignore[union-attr]
        found += [step["uses"] for step in job["steps"] if "uses" in step]
    return found


def test_every_action_is_pinned_by_full_commit_sha_with_its_version() -> None:
    lines = [
        line.split("uses:", 1)[1].strip()
        for path in ("action.yml", ".github/workflows/warroom.yml")
        for line in (ROOT / path).read_text().splitlines()
        if line.strip().lstrip("- ").startswith("uses:")
    ]
    remote = [x for x in lines if not x.startswith("./")]
    assert remote, "no action found: the test reads the files wrongly"
    assert len(remote) + 1 == len(_uses())  # every step's `uses`, and the one local action
    for ref in remote:
        assert _PINNED.match(ref), ref


def _steps() -> dict[str, dict[str, Any]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    return {step["name"]: step for step in action["runs"]["steps"]}


def test_the_environment_cache_is_keyed_on_the_runners_os_and_architecture() -> None:
    steps = _steps()
    key = steps["Key the environment cache on the runner and the lock file"]["run"]
    assert "$RUNNER_OS-$RUNNER_ARCH-" in key
    restore = steps["Restore the locked environment"]
    save = steps["Keep the locked environment for the next run"]
    assert restore["uses"].startswith("actions/cache/restore@")
    assert save["uses"].startswith("actions/cache/save@")
    assert save["with"] == restore["with"]


def test_the_caches_are_saved_even_when_the_run_fails() -> None:
    """A blocked closure fails the run on purpose; the next run must not start cold."""
    steps = _steps()
    venv = steps["Keep the locked environment for the next run"]["if"]
    assert venv.startswith("always() && ")
    assert "steps.install.outcome == 'success'" in venv, "never a half-installed environment"
    memory = steps["Keep the sweep's memory for the next sweep"]["if"]
    assert memory.startswith("always() && ")
    assert "steps.warroom.outputs.memory-changed == 'true'" in memory


def test_the_sweeps_memory_is_restored_by_prefix_and_saved_under_the_runs_own_key() -> None:
    steps = _steps()
    restore = steps["Restore the sweep's memory"]
    save = steps["Keep the sweep's memory for the next sweep"]
    key = "warroom-state-${{ github.run_id }}-${{ github.run_attempt }}"
    assert restore["with"]["key"] == save["with"]["key"] == key
    assert key.startswith(restore["with"]["restore-keys"])
    assert restore["with"]["path"] == save["with"]["path"]
    run = steps["Run warroom"]
    assert run["env"]["WARROOM_STATE_DIR"] == restore["with"]["path"]
    # Only sweeps remember; event runs do not spend a cache request on it.
    assert "schedule" in restore["if"]
    assert "workflow_dispatch" in restore["if"]


@pytest.mark.parametrize(
    ("existing", "writes", "exit_code", "changed"),
    [
        pytest.param(True, "", 0, False, id="quiet-sweep"),
        pytest.param(True, "new memory", 0, True, id="memory-changed"),
        pytest.param(True, "new memory", 1, True, id="blocked-closure-still-saves"),
        pytest.param(True, "", 2, False, id="broken-config"),
        pytest.param(False, "", 0, False, id="event-run-without-memory"),
        pytest.param(False, "first memory", 0, True, id="first-sweep"),
    ],
)
def test_the_run_step_passes_warroom_s_exit_code_and_says_whether_the_memory_changed(
    tmp_path: Path, existing: bool, writes: str, exit_code: int, changed: bool
) -> None:
    """The step runs as GitHub runs a composite's bash step: `bash -eo pipefail`."""
    script = _steps()["Run warroom"]["run"]
    venv = tmp_path / "warroom-venv" / "bin"
    venv.mkdir(parents=True)
    fake = venv / "python"
    # Stands for `python -m warroom action`: maybe writes the memory, exits as told.
    fake.write_text(
        "#!/bin/sh\n"
        'if [ -n "$WRITES" ]; then mkdir -p "$WARROOM_STATE_DIR"; '
        'printf %s "$WRITES" > "$WARROOM_STATE_DIR/sweep-acme+shop.json"; fi\n'
        'exit "$EXIT_CODE"\n'
    )
    fake.chmod(0o755)
    state = tmp_path / "warroom-state"
    if existing:
        state.mkdir()
        (state / "sweep-acme+shop.json").write_text("old memory")
    output = tmp_path / "output"
    output.touch()
    env = {
        "PATH": "/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_OUTPUT": str(output),
        "WARROOM_STATE_DIR": str(state),
        "WRITES": writes,
        "EXIT_CODE": str(exit_code),
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == exit_code, done.stderr
    assert ("memory-changed=true" in output.read_text()) is changed
