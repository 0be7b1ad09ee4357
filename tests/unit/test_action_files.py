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


WORKFLOWS = (
    ".github/workflows/warroom.yml",
    ".github/workflows/warroom-sweep.yml",
    ".github/workflows/warroom-freeze.yml",
    ".github/workflows/warroom-report.yml",
)
FREEZE = {"pull-requests": "write", "statuses": "write"}
"""What re-checking pull requests needs, in every job that runs warroom on an incident."""


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        pytest.param("vendor.github-actions", "action.yml", id="action"),
        *(pytest.param("vendor.github-workflows", w, id=Path(w).stem) for w in WORKFLOWS),
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


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_finds_nothing(persona: str) -> None:
    """The auditor persona too: every permission explained, every job named."""
    result = subprocess.run(
        [
            BIN / "zizmor",
            "--offline",
            "--no-progress",
            "--format=plain",
            f"--persona={persona}",
            ROOT,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _workflow(path: str = WORKFLOWS[0]) -> dict[Any, Any]:
    data = yaml.safe_load((ROOT / path).read_text())
    assert isinstance(data, dict)
    return data


def _sweep_workflow() -> dict[Any, Any]:
    return _workflow(WORKFLOWS[1])


def test_the_workflows_listen_to_every_event_warroom_handles() -> None:
    # PyYAML reads the bare key `on` as True.
    triggers = _workflow()[True]
    assert set(triggers["issues"]["types"]) == {
        "opened",
        "edited",
        "closed",
        "reopened",
        "labeled",
        "unlabeled",
    }
    assert set(triggers["issue_comment"]["types"]) == {"created", "edited", "deleted"}
    # The sweep has a workflow of its own, so pausing its schedule leaves events alone.
    assert "schedule" not in triggers
    assert set(_sweep_workflow()[True]) == {"schedule", "workflow_dispatch"}


@pytest.mark.parametrize(
    ("path", "job", "permissions"),
    [
        # contents: read, or actions/checkout fails in a private repository.
        pytest.param(
            WORKFLOWS[0], "warroom", {"contents": "read", "issues": "write", **FREEZE}, id="run"
        ),
        pytest.param(WORKFLOWS[0], "wake-sweep", {"actions": "write"}, id="wake"),
        pytest.param(
            WORKFLOWS[1], "sweep", {"contents": "read", "issues": "write", **FREEZE}, id="sweep"
        ),
        pytest.param(WORKFLOWS[1], "pause", {"actions": "write", "issues": "read"}, id="pause"),
        pytest.param(
            WORKFLOWS[2],
            "freeze",
            {"contents": "read", "issues": "write", **FREEZE},
            id="freeze",
        ),
    ],
)
def test_each_job_asks_for_exactly_what_it_uses(
    path: str, job: str, permissions: dict[str, str]
) -> None:
    workflow = _workflow(path)
    assert workflow["permissions"] == {}
    assert workflow["jobs"][job]["permissions"] == permissions


def test_the_freeze_checks_pull_requests_without_their_code() -> None:
    """pull_request_target reads the config from the base branch and gives forks a token
    that can post the status; it is safe only while no step checks out the head."""
    workflow = _workflow(WORKFLOWS[2])
    assert set(workflow[True]) == {"pull_request_target"}
    assert set(workflow[True]["pull_request_target"]["types"]) == {
        "opened",
        "synchronize",
        "edited",
        "reopened",
        "labeled",
        "unlabeled",
    }
    assert workflow["concurrency"] == {
        "group": "warroom-pr-${{ github.event.pull_request.number }}",
        "cancel-in-progress": False,
    }
    (checkout, action) = workflow["jobs"]["freeze"]["steps"]
    assert checkout["uses"].startswith("actions/checkout@")
    assert set(checkout["with"]) == {"persist-credentials"}  # no ref: the base, not the head
    assert checkout["with"]["persist-credentials"] is False
    assert action["uses"] == "./"


def test_runs_queue_per_issue_and_sweeps_one_at_a_time() -> None:
    for workflow, group in ((_workflow(), "github.event.issue.number"), (_sweep_workflow(), "")):
        concurrency = workflow["concurrency"]
        assert group in concurrency["group"]
        assert concurrency["cancel-in-progress"] is False


def test_only_a_sweep_that_watches_nothing_pauses_the_schedule() -> None:
    jobs = _sweep_workflow()["jobs"]
    assert jobs["sweep"]["outputs"]["watching"] == "${{ steps.warroom.outputs.watching }}"
    assert jobs["pause"]["needs"] == "sweep"
    assert jobs["pause"]["if"] == "needs.sweep.outputs.watching == '0'"


def test_an_incident_filed_reopened_or_labelled_wakes_the_sweep() -> None:
    wake = _workflow()["jobs"]["wake-sweep"]
    condition = " ".join(wake["if"].split())
    assert "github.event_name == 'issues'" in condition
    assert """fromJSON('["opened", "reopened"]')""" in condition
    assert "github.event.action == 'labeled' && github.event.label.name == 'incident'" in condition
    (step,) = wake["steps"]
    assert step["env"]["SWEEP_WORKFLOW"] == Path(WORKFLOWS[1]).name
    assert "/enable" in step["run"]


def _all_steps() -> list[dict[str, Any]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = [*action["runs"]["steps"]]
    for path in WORKFLOWS:
        for job in _workflow(path)["jobs"].values():
            steps.extend(job["steps"])
    return steps


def test_no_expression_reaches_a_run_script() -> None:
    """Event text must enter scripts through env, never through `${{ }}` in `run:`."""
    for step in _all_steps():
        assert "${{" not in step.get("run", ""), step


def test_action_declares_the_documented_inputs_and_outputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(action["inputs"]) == {
        "github-token",
        "config",
        "dry-run",
        "state-key",
        "backlog-token",
        "command",
        "report-since",
    }
    assert set(action["outputs"]) == {
        "incident",
        "severity",
        "phase",
        "gate",
        "blocked-reasons",
        "follow-ups",
        "watching",
    }
    assert action["runs"]["using"] == "composite"


# --- pins and caches ---------------------------------------------------------------------------

_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def test_every_action_is_pinned_by_full_commit_sha_with_its_version() -> None:
    lines = [
        line.split("uses:", 1)[1].strip()
        for path in ("action.yml", *WORKFLOWS)
        for line in (ROOT / path).read_text().splitlines()
        if line.strip().lstrip("- ").startswith("uses:")
    ]
    uses = [step["uses"] for step in _all_steps() if "uses" in step]
    remote = [x for x in lines if not x.startswith("./")]
    assert remote, "no action found: the test reads the files wrongly"
    assert len(lines) == len(uses)
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
        "WARROOM_COMMAND": "action",
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


@pytest.mark.parametrize(
    ("command", "since", "exit_code", "args"),
    [
        pytest.param(
            "report", "2026-01-01", 0, "-m warroom report --since 2026-01-01", id="report"
        ),
        pytest.param("report", "", 0, "-m warroom report --since 20", id="report-last-year"),
        pytest.param("sweep", "", 2, "", id="unknown-command"),
    ],
)
def test_the_report_command_publishes_to_the_summary_and_nothing_else(
    tmp_path: Path, command: str, since: str, exit_code: int, args: str
) -> None:
    """`command: report` runs `warroom report` into the step summary, never `warroom action`,
    and restores no sweep memory; an unknown command stops with exit 2 and says what to write."""
    script = _steps()["Run warroom"]["run"]
    venv = tmp_path / "warroom-venv" / "bin"
    venv.mkdir(parents=True)
    fake = venv / "python"
    # Stands for `python -m warroom ...`: logs its arguments, writes the --output file.
    fake.write_text(
        "#!/bin/sh\n"
        'echo "$*" >> "$CALLS"\n'
        "while [ $# -gt 0 ]; do\n"
        '  if [ "$1" = --output ]; then echo "# report" > "$2"; fi; shift\n'
        "done\n"
    )
    fake.chmod(0o755)
    calls, summary = tmp_path / "calls", tmp_path / "summary"
    summary.touch()
    env = {
        "PATH": "/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(summary),
        "WARROOM_STATE_DIR": str(tmp_path / "warroom-state"),
        "WARROOM_COMMAND": command,
        "WARROOM_REPORT_SINCE": since,
        "CALLS": str(calls),
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == exit_code, done.stderr
    if exit_code:
        assert not calls.exists()
        assert "write action or report" in done.stdout
        return
    (call,) = calls.read_text().splitlines()
    assert call.startswith(args)
    assert "--format markdown" in call
    assert summary.read_text() == "# report\n"
    restore = _steps()["Restore the sweep's memory"]["if"]
    assert restore.startswith("inputs.command != 'report' && ")


# --- pausing and waking the schedule: the jobs' scripts, run against a fake curl ---------------

_FAKE_CURL = """#!/bin/sh
echo "$*" >> "$CALLS"
case "$*" in
  *"/issues"*) printf '%s' "$OPEN_ISSUES" ;;
  *"/disable"*) exit "$DISABLE_EXIT" ;;
esac
"""


def _run_job_step(
    tmp_path: Path, step: dict[str, Any], *, open_issues: str = "[]", disable_exit: int = 0
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run a workflow step's script as the runner does (`bash -e`), `curl` replaced by a fake."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    curl = bin_dir / "curl"
    curl.write_text(_FAKE_CURL)
    curl.chmod(0o755)
    calls = tmp_path / "calls"
    calls.touch()
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "CALLS": str(calls),
        "OPEN_ISSUES": open_issues,
        "DISABLE_EXIT": str(disable_exit),
        "GITHUB_API_URL": "https://api.github.test",
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_WORKFLOW_REF": "acme/shop/.github/workflows/warroom-sweep.yml@refs/heads/main",
        **{k: v.replace("${{ github.token }}", "ghs_token") for k, v in step["env"].items()},
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done, calls.read_text().splitlines()


@pytest.mark.parametrize(
    ("open_issues", "enabled_again"),
    [
        pytest.param("[]\n", False, id="nothing-open"),
        pytest.param('[{"number": 12, "title": "[incident] 401s"}]', True, id="filed-meanwhile"),
    ],
)
def test_pausing_turns_the_schedule_off_then_looks_once_more(
    tmp_path: Path, open_issues: str, enabled_again: bool
) -> None:
    (step,) = _sweep_workflow()["jobs"]["pause"]["steps"]
    done, calls = _run_job_step(tmp_path, step, open_issues=open_issues)
    assert done.returncode == 0, done.stderr
    api = "https://api.github.test/repos/acme/shop"
    assert calls[0].endswith(f"-X PUT {api}/actions/workflows/warroom-sweep.yml/disable")
    assert "labels=incident" in calls[1]
    assert "state=open" in calls[1]
    assert calls[1].endswith(f"{api}/issues")
    # The look comes after the switch-off: an incident filed in between is never missed.
    assert len(calls) == (3 if enabled_again else 2)
    if enabled_again:
        assert calls[2].endswith(f"-X PUT {api}/actions/workflows/warroom-sweep.yml/enable")


def test_a_failed_pause_fails_the_job_and_leaves_the_schedule_on(tmp_path: Path) -> None:
    (step,) = _sweep_workflow()["jobs"]["pause"]["steps"]
    done, calls = _run_job_step(tmp_path, step, disable_exit=22)
    assert done.returncode != 0
    assert len(calls) == 1, "nothing after a failed switch-off"


def test_waking_turns_the_sweeps_schedule_on(tmp_path: Path) -> None:
    (step,) = _workflow()["jobs"]["wake-sweep"]["steps"]
    done, calls = _run_job_step(tmp_path, step)
    assert done.returncode == 0, done.stderr
    (call,) = calls
    assert "-X PUT " in call
    assert call.endswith("/repos/acme/shop/actions/workflows/warroom-sweep.yml/enable")
    assert "Authorization: Bearer ghs_token" in call
