"""More of the Action end to end: what test_action_e2e.py leaves out.

Dry runs, outputs and step summaries on every run, milestones, `warroom labels
sync`, GitHub's real example payloads, a broken config, runs that fail for
good and are finished by a replay, sweeps, bots' comments, and the review's
fixes. As there, the sandbox runs `warroom action` for each event the way a
workflow would, and the assertions read what GitHub shows and what the
sandbox logged. Incidents a test needs but whose `opened` run it is not about
are seeded straight into the sandbox (no webhook, so no run), which keeps
each test to the runs it is about.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import ACTION, BOT, FAST, MakeSandbox
from tests.e2e.action_support import dispatching_sandbox as _sandbox
from tests.e2e.action_support import labels as _labels
from tests.e2e.conftest import START, TestSandbox
from tests.support.fidelity import Fidelity
from tests.support.webhooks import STALE_EXAMPLES, Example, examples
from warroom import story
from warroom.config import Api, Config
from warroom.github.adapter import GitHubAdapter
from warroom.plan import label_catalog


def _fault_hits(sb: TestSandbox) -> list[dict[str, Any]]:
    """Every request the sandbox's fault rules failed, as its control API reports them."""
    return [hit for rule in sb.faults.to_json()["rules"] for hit in rule["hits"]]


def _assert_fired_on(sb: TestSandbox, operation: str, run: dict[str, Any]) -> None:
    """The fault fired, and only on ``operation`` in ``run``: the test tests what it says."""
    hits = _fault_hits(sb)
    assert hits, "the fault never fired"
    assert {(h["operation_id"], h["run_id"]) for h in hits} == {(operation, run["id"])}, hits


pytestmark = pytest.mark.e2e

WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
OUTPUTS = {"incident", "severity", "phase", "gate", "blocked-reasons", "follow-ups", "watching"}
GIVE_UP_SOON = "api:\n  seconds_between_writes: 0\n  retry_seconds: 5\n  max_attempts: 2\n"
GATE_TABLE = "| closure gate condition | |"


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return _sandbox(make_sandbox, tmp_path)


def _literal(text: str) -> str:
    """Text for the seeding helpers, which fill ``{n}``/``{c}`` with ``str.format``."""
    return text.replace("{", "{{").replace("}", "}}")


def _seed_incident(sb: TestSandbox, body: str | None = None) -> int:
    """An incident filed from the form, without the run its `opened` event would start."""
    (number,) = sb.seed_issues(
        1,
        author=story.COMMANDER,
        labels=["incident"],
        title="[incident] 401s on every authenticated call",
        body=_literal(body or story.incident_body()),
    )
    return number


def _runs_after(sb: TestSandbox, before: int) -> list[dict[str, Any]]:
    assert sb.wait_idle(120), "workflow runs did not finish"
    return sb.runs()[before:]


def _one_run(sb: TestSandbox, act: Callable[[], object]) -> dict[str, Any]:
    """Do ``act`` (which causes exactly one event) and return the run it started."""
    before = len(sb.runs())
    act()
    (run,) = _runs_after(sb, before)
    return run


def _comment(sb: TestSandbox, number: int, login: str, body: str) -> dict[str, Any]:
    return _one_run(sb, lambda: sb.repo(login).get_issue(number).create_comment(body))


def _replay(sb: TestSandbox, run: dict[str, Any]) -> dict[str, Any]:
    """Deliver again the event that started ``run`` (a re-run of the workflow)."""
    (delivery,) = [d for d in sb.deliveries() if d["run_id"] == run["id"]]
    return _one_run(sb, lambda: sb.deliver(delivery["event"], delivery["payload"]))


def _writes(sb: TestSandbox, run: dict[str, Any]) -> list[str]:
    rows = sb.requests(run_id=run["id"])["requests"]
    return [f"{r['method']} {r['operation_id']}" for r in rows if r["method"] in WRITES]


def _warroom_comments(sb: TestSandbox, number: int, prefix: str = "<!-- warroom:") -> list[Any]:
    return [
        c
        for c in sb.repo().get_issue(number).get_comments()
        if c.body.startswith(prefix) and c.user.login == BOT
    ]


def _statuses(sb: TestSandbox, number: int) -> list[Any]:
    return _warroom_comments(sb, number, f"<!-- warroom:status:{number} -->")


def _hardening(sb: TestSandbox) -> list[Any]:
    return list(sb.repo().get_issues(state="all", labels=["hardening"]))


def _ok(run: dict[str, Any]) -> str:
    """What to print when a run's exit code is not the expected one."""
    return f"exit {run['exit_code']}\n{run['stdout']}\n{run['stderr']}"


# --- a. dry run ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "command"),
    [
        pytest.param({"WARROOM_DRY_RUN": "true"}, ACTION, id="WARROOM_DRY_RUN"),
        pytest.param({}, [*ACTION, "--dry-run"], id="--dry-run"),
    ],
)
def test_dry_run_prints_the_plan_and_writes_nothing(
    make_sandbox: MakeSandbox, tmp_path: Path, env: dict[str, str], command: list[str]
) -> None:
    sb = _sandbox(make_sandbox, tmp_path, env=env, command=command)
    number = _seed_incident(sb)
    sb.seed_comments(
        number, 1, author=story.COMMANDER, body=_literal(story.snapshot(START, phase="recovery"))
    )
    labels_before = {label.name for label in sb.repo().get_labels()}

    run = _comment(sb, number, story.COMMS, story.stakeholder(START, status="mitigating"))

    assert run["exit_code"] == 0, _ok(run)
    assert _writes(sb, run) == []
    assert run["request_count"] > 0, "a dry run still reads the incident"
    printed = run["stdout"]
    assert f"incident #{number}:" in printed
    assert "ensure label 'SEV-1'" in printed
    assert re.search(rf"#{number}: add labels .*'phase: recovery'", printed), printed
    assert f"#{number}: write the status comment" in printed
    assert "dry run" in run["step_summary"]
    assert run["outputs"]["phase"] == "recovery"
    # GitHub is as it was: no labels made or moved, no comment from warroom.
    assert {label.name for label in sb.repo().get_labels()} == labels_before
    assert _labels(sb, number) == {"incident"}
    assert _warroom_comments(sb, number) == []


# --- b. outputs and step summary on every run ------------------------------------------------


def test_every_run_sets_all_outputs_and_writes_a_step_summary(github: TestSandbox) -> None:
    before = len(github.runs())
    incident = github.repo(story.COMMANDER).create_issue(
        title="[incident] 401s", body=story.incident_body(), labels=["incident"]
    )
    other = github.repo("writer").create_issue(title="Typo in the README", body="s/teh/the/")
    other.create_comment(story.snapshot(START, phase="recovery"))
    assert github.wait_idle(60)
    github.schedule()
    runs = _runs_after(github, before)

    # Filing with a label is two events, as on GitHub: opened, then labeled.
    by_event = {(r["event"], r["action"], r["group"]): r for r in runs}
    assert len(by_event) == len(runs) == 5, list(by_event)
    for run in runs:
        assert run["exit_code"] == 0, _ok(run)
        assert set(run["outputs"]) == OUTPUTS, (run["event"], run["outputs"])
        assert run["step_summary"].startswith("## warroom"), run["step_summary"]
    opened, labeled = [r for r in runs if r["group"] == f"warroom-{incident.number}"]
    assert [opened["action"], labeled["action"]] == ["opened", "labeled"]
    # The form's own label at filing is the `opened` run's work; its run says so and acts as n/a.
    assert labeled["outputs"]["gate"] == "n/a"
    assert labeled["outputs"]["incident"] == ""
    on_incident = [opened]
    for run in on_incident:
        assert run["outputs"] == {
            "incident": str(incident.number),
            "severity": "SEV-1",
            "phase": "detection",
            "gate": "n/a",
            "blocked-reasons": "[]",
            "follow-ups": "[]",
            "watching": "",
        }
    (sweep,) = [r for r in runs if r["event"] == "schedule"]
    for run in [*on_incident, sweep]:
        assert GATE_TABLE in run["step_summary"]
        assert "| severity and ownership recorded | ✅ |" in run["step_summary"]
        assert "| communications timeline complete | ❌ |" in run["step_summary"]
    ignored = [r for r in runs if r["group"] == f"warroom-{other.number}"]
    assert [(r["event"], r["action"]) for r in ignored] == [
        ("issues", "opened"),
        ("issue_comment", "created"),
    ]
    for run in ignored:
        assert run["outputs"]["gate"] == "n/a"
        assert run["outputs"]["incident"] == ""
        assert GATE_TABLE not in run["step_summary"]
        assert f"#{other.number} is not an incident" in run["step_summary"]
        assert f"ignored: #{other.number} is not an incident" in run["stdout"]


# --- c. milestones ----------------------------------------------------------------------------


def test_follow_ups_go_to_a_milestone_named_after_their_due_date(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = _sandbox(make_sandbox, tmp_path, FAST + "follow_ups:\n  milestone: true\n")
    number = _seed_incident(sb)
    due = {
        "Alert on audience rejections": "2026-12-02",
        "Replay old tokens in CI": "2026-12-05",
        "Publish the timeline": "2026-12-02",
    }
    kinds = ["guardrail automation", "regression test", "timeline publication"]
    body = "\n".join(
        story.follow_up(title=title, kind=kind, owner=story.MITIGATION, due=date)
        for (title, date), kind in zip(due.items(), kinds, strict=True)
    )

    run = _comment(sb, number, story.MITIGATION, body)

    assert run["exit_code"] == 0, _ok(run)
    opened = _hardening(sb)
    assert len(opened) == 3
    for issue in opened:
        title = issue.title.removeprefix("[hardening] ")
        assert issue.milestone is not None, issue.title
        assert issue.milestone.title == f"due {due[title]}"
        assert issue.milestone.due_on.date().isoformat() == due[title]
    milestones = [m.title for m in sb.repo().get_milestones(state="all")]
    assert sorted(milestones) == ["due 2026-12-02", "due 2026-12-05"]


# --- d. warroom labels sync -------------------------------------------------------------------


def _cli(sb: TestSandbox, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "warroom.yml"
    config.write_text(FAST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WARROOM_"))}
    env |= {
        "GITHUB_REPOSITORY": sb.repo_full_name,
        "GITHUB_TOKEN": sb.tokens["admin"],
        "GITHUB_API_URL": sb.api_url,
        "WARROOM_CONFIG": str(config),
    }
    return subprocess.run(
        [sys.executable, "-m", "warroom", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _last_seq(sb: TestSandbox) -> int:
    rows = sb.requests()["requests"]
    return rows[-1]["seq"] if rows else 0


def test_labels_sync_makes_every_label_then_has_nothing_to_write(
    sandbox: TestSandbox, tmp_path: Path
) -> None:
    # One label exists already with the wrong colour: it is recoloured, not duplicated.
    sandbox.repo().create_label("SEV-1", "ededed")
    catalog = label_catalog(Config())

    runs = []
    for _ in range(2):
        seq = _last_seq(sandbox)
        done = _cli(sandbox, tmp_path, "labels", "sync")
        assert done.returncode == 0, done.stdout + done.stderr
        writes = [r for r in sandbox.requests(after=seq)["requests"] if r["method"] in WRITES]
        runs.append(Counter(r["operation_id"] for r in writes))

    assert runs[0] == {"issues/create-label": len(catalog) - 1, "issues/update-label": 1}
    assert runs[1] == {}, "a second sync found everything in place"
    found = {label.name: (label.color, label.description) for label in sandbox.repo().get_labels()}
    for name, wanted in catalog.items():
        assert wanted.description, name
        assert found[name] == (wanted.color, wanted.description), name


# --- e. GitHub's real payloads ------------------------------------------------------------------

EXAMPLES = examples("issues", "issue_comment")
HANDLED = {
    "issues": {"opened", "edited", "reopened", "labeled", "unlabeled"},
    "issue_comment": {"created", "edited", "deleted"},
}


def _judged(fidelity: Fidelity, case: Example) -> AbstractContextManager[None]:
    """Expect the schema violation a stale example rightly causes; nothing for the others."""
    if case.id not in STALE_EXAMPLES:
        return nullcontext()
    return fidelity.expect_violation(
        f"{case.event}${case.payload['action']}", match="is a required property"
    )


def _crash_free(run: dict[str, Any], case: Example) -> None:
    assert "Traceback" not in run["stderr"], (case.id, run["stderr"])
    assert set(run["outputs"]) == OUTPUTS, (case.id, run["outputs"])


# In slices, so that parallel workers share the runs.
SLICES = 4


@pytest.mark.npm
@pytest.mark.parametrize("part", range(SLICES), ids=lambda i: f"slice-{i + 1}-of-{SLICES}")
def test_real_payloads_are_acted_on_or_ignored_with_a_reason(
    github: TestSandbox, fidelity: Fidelity, part: int
) -> None:
    cases = EXAMPLES[part::SLICES]
    before = len(github.runs())
    for case in cases:
        with _judged(fidelity, case):
            github.deliver(case.event, case.payload)
        # One at a time, as in a concurrency group GitHub keeps only the newest waiting run.
        assert github.wait_idle(120)
    runs = _runs_after(github, before)

    assert [r["delivery_id"] for r in runs] == [d["id"] for d in github.deliveries()[before:]], (
        "one run per delivery"
    )
    for run, case in zip(runs, cases, strict=True):
        _crash_free(run, case)
        assert run["exit_code"] == 0, (case.id, _ok(run))
        ignored = re.search(r"^ignored: (.+)$", run["stdout"], re.M)
        acted = run["outputs"]["incident"] == str(case.payload["issue"]["number"])
        assert ignored or acted, (case.id, run["stdout"])
        if ignored:
            assert run["outputs"]["gate"] == "n/a"


@pytest.mark.npm
def test_real_payloads_about_an_incident_are_acted_on(
    github: TestSandbox, fidelity: Fidelity
) -> None:
    # One example of each action warroom handles, pointed at an incident in the sandbox.
    number = _seed_incident(github)
    incident_label = github.http("GET", f"/repos/{github.repo_full_name}/labels/incident").body
    cases: dict[tuple[str, str], Example] = {}
    for case in EXAMPLES:
        key = (case.event, case.payload["action"])
        if key[1] in HANDLED[case.event] and not case.payload["issue"].get("pull_request"):
            cases.setdefault(key, case)
    # The examples hold no `closed` one; closing is exercised in test_action_e2e.py.
    assert sorted(cases) == sorted((e, a) for e, actions in HANDLED.items() for a in actions)
    before = len(github.runs())
    for case in cases.values():
        payload = copy.deepcopy(case.payload)
        payload["issue"]["number"] = number
        payload["issue"]["labels"] = [*payload["issue"]["labels"], incident_label]
        with _judged(fidelity, case):
            github.deliver(case.event, payload)
        # One at a time, as in a concurrency group GitHub keeps only the newest waiting run.
        assert github.wait_idle(120)
    runs = _runs_after(github, before)

    for run, case in zip(runs, cases.values(), strict=True):
        _crash_free(run, case)
        assert run["exit_code"] == 0, (case.id, _ok(run))
        assert run["outputs"]["incident"] == str(number), (case.id, _ok(run))
    # The examples' payloads are years old: once a run sees newer comments it reads the issue as
    # GitHub has it (the seeded form), so the one status comment reflects that, not the payloads.
    (status,) = _statuses(github, number)
    assert "Problems in the incident form" not in status.body
    assert "SEV-1" in status.body


# --- f. an invalid config -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(
            "follow_ups:\n  milestones: true\n",
            ["follow_ups.milestones", "unknown key"],
            id="unknown-key",
        ),
        pytest.param(
            "api:\n  max_attempts: 0\n",
            ["api.max_attempts", "greater than or equal to 1"],
            id="bad-value",
        ),
        pytest.param("timezone: Mars/Olympus\n", ["timezone", "IANA"], id="bad-zone"),
    ],
)
def test_an_invalid_config_fails_the_run_naming_the_key(
    make_sandbox: MakeSandbox, tmp_path: Path, config: str, expected: list[str]
) -> None:
    sb = _sandbox(make_sandbox, tmp_path, config)
    number = _seed_incident(sb)

    run = _comment(sb, number, story.COMMANDER, story.snapshot(START))

    assert run["exit_code"] not in (0, None), _ok(run)
    said = run["stdout"] + run["stderr"]
    for text in expected:
        assert text in said, said
    assert "Traceback" not in run["stderr"]
    assert "::error::warroom did not run:" in run["stdout"]
    assert run["outputs"]["gate"] == "n/a"
    assert "warroom did not run" in run["step_summary"]
    assert _writes(sb, run) == []


# --- g. a run that fails for good is finished by the next one -------------------------------------


def test_a_follow_up_that_could_not_be_opened_opens_once_on_replay(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = _sandbox(make_sandbox, tmp_path, GIVE_UP_SOON)
    number = _seed_incident(sb)
    # GitHub fails every attempt to open the follow-up, for longer than warroom retries.
    sb.faults.add("503", times=20, login=BOT, operation_id="issues/create")
    record = story.follow_up(
        title="Alert on audience rejections",
        kind="guardrail automation",
        owner=story.MITIGATION,
        due="2026-12-02",
    )

    failed = _comment(sb, number, story.MITIGATION, record)

    assert failed["exit_code"] == 1, _ok(failed)
    _assert_fired_on(sb, "issues/create", failed)
    assert re.search(r"^::error::.*open follow-up", failed["stdout"], re.M), failed["stdout"]
    assert "Traceback" not in failed["stderr"]
    assert set(failed["outputs"]) == OUTPUTS
    assert "could not finish" in failed["step_summary"], "a failed run has a step summary too"
    assert _hardening(sb) == []

    sb.faults.clear()
    for _ in range(2):  # the re-run converges; another opens and posts nothing more
        again = _replay(sb, failed)
        assert again["exit_code"] == 0, _ok(again)
        (follow_up,) = _hardening(sb)
        assert follow_up.title == "[hardening] Alert on audience rejections"
        assert len(_statuses(sb, number)) == 1
        assert _labels(sb, number) == {"incident", "SEV-1", "phase: detection"}
        subs = [s.number for s in sb.repo().get_issue(number).get_sub_issues()]
        assert subs == [follow_up.number]
    # (The replayed payload's labels are stale, so labels may be re-sent; see the review.)
    assert not {"POST issues/create", "POST issues/create-comment"} & set(_writes(sb, again))


def test_a_reopen_that_failed_is_done_by_the_replay(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = _sandbox(make_sandbox, tmp_path, GIVE_UP_SOON)
    number = _seed_incident(sb)
    sb.faults.add("503", times=20, login=BOT, operation_id="issues/update")

    failed = _one_run(sb, lambda: sb.repo(story.COMMANDER).get_issue(number).edit(state="closed"))

    assert failed["exit_code"] == 1, _ok(failed)
    _assert_fired_on(sb, "issues/update", failed)
    assert re.search(rf"^::error::.*reopen #{number}", failed["stdout"], re.M), failed["stdout"]
    assert "Traceback" not in failed["stderr"]
    assert sb.repo().get_issue(number).state == "closed"

    sb.faults.clear()
    again = _replay(sb, failed)
    # The gate is still unmet, so this run is red too, but for that reason, and it is done.
    assert again["exit_code"] == 1, _ok(again)
    assert "closed before the closure gate was met" in again["stdout"]
    assert again["outputs"]["gate"] == "blocked"
    issue = sb.repo().get_issue(number)
    assert issue.state == "open"
    assert {"incident", "SEV-1", "phase: detection", "gate: blocked"} <= _labels(sb, number)
    (status,) = _statuses(sb, number)
    assert "- [ ] communications timeline complete" in status.body


# --- h. workflow_dispatch sweeps every open incident --------------------------------------------


def _workflow_dispatch(sb: TestSandbox) -> dict[str, Any]:
    """What GitHub sends when someone presses "Run workflow" (the examples' one is stale)."""
    with sb.state.lock:
        return {
            "inputs": None,
            "ref": "refs/heads/main",
            "repository": sb.renderer.repository(private=sb.private),
            "organization": sb.renderer.organization(),
            "sender": sb.renderer.user("admin"),
            "workflow": ".github/workflows/warroom.yml",
        }


def test_workflow_dispatch_sweeps_every_open_incident(github: TestSandbox) -> None:
    first = _seed_incident(github)
    second = _seed_incident(github, story.incident_body(severity="SEV-2"))
    (bystander,) = github.seed_issues(1, title="Not an incident")
    payload = _workflow_dispatch(github)

    sweep = _one_run(github, lambda: github.deliver("workflow_dispatch", payload))
    assert sweep["exit_code"] == 0, _ok(sweep)
    posted = {n: _statuses(github, n) for n in (first, second)}
    assert all(len(found) == 1 for found in posted.values()), posted
    # Two hours later the stakeholder updates are overdue: both statuses must say so.
    github.set_clock(now=START + timedelta(hours=2), frozen=True)
    sweep = _one_run(github, lambda: github.deliver("workflow_dispatch", payload))

    assert sweep["exit_code"] == 0, _ok(sweep)
    assert sweep["outputs"]["gate"] == "n/a"
    for number, (before,) in posted.items():
        (after,) = _statuses(github, number)
        assert after.id == before.id, "edited in place"
        assert after.body != before.body
        assert "⏰ overdue" in after.body
    assert Counter(_writes(github, sweep))["PATCH issues/update-comment"] == 2
    # The listing holds every incident: none is fetched again (PyGithub would, lazily).
    assert "issues/get" not in sweep["requests"], sweep["requests"]
    assert list(github.repo().get_issue(bystander).get_comments()) == []
    assert {"SEV-1"} <= _labels(github, first)
    assert {"SEV-2"} <= _labels(github, second)


# --- i. bots' comments are never records ----------------------------------------------------------


def test_a_record_posted_by_a_bot_is_never_applied(github: TestSandbox) -> None:
    number = _seed_incident(github)

    # The workflow's own token starts no run (as on GitHub); another app's bot would, so the
    # sandbox's delivery of the bot's comment is handed to the workflow as GitHub would.
    github.repo(BOT).get_issue(number).create_comment(story.snapshot(START, phase="recovery"))
    (delivery,) = [d for d in github.deliveries() if d["event"] == "issue_comment"]
    assert delivery["payload"]["comment"]["user"]["type"] == "Bot"
    run = _one_run(github, lambda: github.deliver("issue_comment", delivery["payload"]))

    assert run["exit_code"] == 0, _ok(run)
    assert "ignored: comments by bots are never records" in run["stdout"]
    assert _writes(github, run) == []
    # A person's record later makes warroom read every comment: the bot's is still not applied.
    run = _comment(github, number, story.COMMS, story.stakeholder(START, status="mitigating"))
    assert run["exit_code"] == 0, _ok(run)
    assert "phase: detection" in _labels(github, number)
    assert "phase: recovery" not in _labels(github, number)
    (status,) = _statuses(github, number)
    assert "Records applied (1)" in status.body
    assert _warroom_comments(github, number, "<!-- warroom:reply:") == []


# --- fixes from the review ------------------------------------------------------------------------


def test_a_persons_comment_that_starts_with_a_marker_is_never_edited(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    # The `opened` run has not happened yet (a queued run) when someone posts this.
    sb = _sandbox(make_sandbox, tmp_path, dispatch_on={"issue_comment"})
    number = _seed_incident(sb)
    forged = f"<!-- warroom:status:{number} -->\nI can take the comms lane."

    run = _comment(sb, number, "reader", forged)

    assert run["exit_code"] == 0, _ok(run)
    mine = [c for c in sb.repo().get_issue(number).get_comments() if c.user.login == "reader"]
    assert [c.body for c in mine] == [forged]
    assert len(_statuses(sb, number)) == 1


def test_permission_is_read_as_the_role_so_triage_and_maintain_are_told_apart(
    sandbox: TestSandbox,
) -> None:
    adapter = GitHubAdapter(
        api_url=sandbox.api_url,
        token=sandbox.tokens["admin"],
        repository=sandbox.repo_full_name,
        api=Api(seconds_between_writes=0),
    )
    for level in ("admin", "maintain", "write", "triage", "read"):
        assert adapter.permission(sandbox.logins_by_level[level]) == level
    assert adapter.permission("nobody-at-all") == "none"


def test_responders_may_include_triage(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    config = FAST + "responders:\n  permissions: [admin, maintain, write, triage]\n"
    sb = _sandbox(make_sandbox, tmp_path, config)
    number = _seed_incident(sb)

    run = _comment(sb, number, "triager", story.snapshot(START, phase="containment"))

    assert run["exit_code"] == 0, _ok(run)
    assert "phase: containment" in _labels(sb, number)
    assert _warroom_comments(sb, number, "<!-- warroom:reply:") == []


def test_a_follow_up_whose_owner_cannot_be_assigned_is_still_opened(github: TestSandbox) -> None:
    number = _seed_incident(github)
    record = story.follow_up(
        title="Alert on audience rejections",
        kind="guardrail automation",
        owner="contractor-not-in-the-org",
        due="2026-12-02",
    )

    run = _comment(github, number, story.MITIGATION, record)

    assert run["exit_code"] == 0, _ok(run)
    (follow_up,) = _hardening(github)
    assert follow_up.assignees == []
    assert "@contractor-not-in-the-org" in follow_up.body
    assert len(_statuses(github, number)) == 1


def test_a_follow_up_left_unlinked_is_linked_by_the_next_run(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = _sandbox(make_sandbox, tmp_path, GIVE_UP_SOON)
    number = _seed_incident(sb)
    sb.faults.add("503", times=20, login=BOT, operation_id="issues/add-sub-issue")
    record = story.follow_up(
        title="Replay old tokens in CI",
        kind="regression test",
        owner=story.VERIFICATION,
        due="2026-12-05",
    )

    first = _comment(sb, number, story.VERIFICATION, record)
    assert first["exit_code"] == 0, _ok(first)
    _assert_fired_on(sb, "issues/add-sub-issue", first)
    (follow_up,) = _hardening(sb)
    assert list(sb.repo().get_issue(number).get_sub_issues()) == []

    sb.faults.clear()
    again = _replay(sb, first)
    assert again["exit_code"] == 0, _ok(again)
    assert [s.number for s in sb.repo().get_issue(number).get_sub_issues()] == [follow_up.number]
    assert len(_hardening(sb)) == 1


# --- closing a false alarm ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("author", "stands"),
    [
        pytest.param(story.COMMANDER, True, id="responder-dismissal-stands"),
        pytest.param("outsider", False, id="outsider-dismissal-reopened"),
    ],
)
def test_closing_as_not_planned_needs_a_responders_dismissal(
    github: TestSandbox, author: str, stands: bool
) -> None:
    number = _seed_incident(github)
    _comment(github, number, author, story.dismissal())
    run = _one_run(
        github,
        lambda: (
            github.repo(story.COMMANDER)
            .get_issue(number)
            .edit(state="closed", state_reason="not_planned")
        ),
    )
    issue = github.repo().get_issue(number)
    labels = {label.name for label in issue.labels}
    if stands:
        assert run["exit_code"] == 0, _ok(run)
        assert issue.state == "closed"
        assert run["outputs"]["gate"] == "n/a"
        assert "gate: blocked" not in labels
    else:
        assert run["exit_code"] == 1
        assert issue.state == "open"
        assert "gate: blocked" in labels
