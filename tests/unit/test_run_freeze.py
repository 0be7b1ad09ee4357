"""The merge freeze's runs against a fake GitHub: what a pull request's run reads, decides
and writes, and what an incident run whose freeze changed does to held pull requests.
End to end through the sandbox: tests/e2e/test_action_freeze.py."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.unit.fake_github import FakeGitHub, make_comment, make_issue
from tests.unit.test_action_flow import KEY, RESPONDERS, _issue_payload, _run, _status, _user
from warroom import authority, story
from warroom.action import triage
from warroom.config import Config
from warroom.effects import AddLabels, DeleteComment, Fail, RemoveLabel, UpsertComment
from warroom.events import Ignored
from warroom.markers import decode_state, encode_state, marker
from warroom.model import PullSnapshot
from warroom.rules import guardrails
from warroom.rules.guardrail import Facts, PullFacts
from warroom.run import RunResult, plan_lines, summary

SHA = "c0ffee" + "0" * 34
MARK = marker("freeze", 7)


def _pull(
    files: tuple[str, ...] = ("services/auth/token.py",),
    body: str = "Tighten the token check",
    labels: tuple[str, ...] = (),
) -> PullSnapshot:
    return PullSnapshot(7, "Tighten tokens", "ci-dev", body, labels, SHA, files)


def _payload(pull: PullSnapshot, action: str = "opened", state: str = "open") -> dict[str, Any]:
    return {
        "action": action,
        "number": pull.number,
        "pull_request": {
            "number": pull.number,
            "state": state,
            "title": pull.title,
            "body": pull.body,
            "user": _user(pull.author),
            "labels": [{"name": x} for x in pull.labels],
            "head": {"sha": pull.head_sha, "ref": "fix"},
        },
        "sender": _user(pull.author),
    }


def _incident(severity: str = "SEV-1", labels: tuple[str, ...] = ()) -> Any:
    return make_issue(
        story.incident_body(severity=severity),
        labels=("incident", severity, *labels),
        title="Sign-in fails",
    )


def _gh(*incidents: Any, pull: PullSnapshot | None = None) -> FakeGitHub:
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=list(incidents))
    if pull is not None:
        gh.pulls[pull.number] = pull
    return gh


def _pull_run(gh: FakeGitHub, pull: PullSnapshot, action: str = "opened") -> RunResult:
    return _run(gh, "pull_request_target", _payload(pull, action))


@pytest.mark.parametrize(
    ("name", "action", "state", "ignored"),
    [
        pytest.param("pull_request", "opened", "open", False, id="opened"),
        pytest.param("pull_request_target", "synchronize", "open", False, id="target-push"),
        pytest.param("pull_request", "edited", "open", False, id="edited"),
        pytest.param("pull_request", "reopened", "open", False, id="reopened"),
        pytest.param("pull_request", "closed", "closed", True, id="closed-ignored"),
        pytest.param("pull_request", "labeled", "open", True, id="other-label-ignored"),
        pytest.param("pull_request", "assigned", "open", True, id="assigned-ignored"),
        pytest.param("pull_request", "edited", "closed", True, id="edit-of-a-closed-one"),
    ],
)
def test_triage_of_pull_request_events(name: str, action: str, state: str, ignored: bool) -> None:
    event = triage(name, {**_payload(_pull(), action, state), "label": {"name": "bug"}}, Config())
    assert isinstance(event, Ignored) is ignored
    if not ignored:
        assert not isinstance(event, Ignored)
        assert event.pull is not None
        assert event.pull.head_sha == SHA


@pytest.mark.parametrize("action", ["labeled", "unlabeled"])
def test_an_exempt_label_added_or_removed_rechecks(action: str) -> None:
    payload = {**_payload(_pull(), action), "label": {"name": "Incident-Fix"}}
    event = triage("pull_request", payload, Config())
    assert not isinstance(event, Ignored)
    assert event.pull is not None


def test_a_pull_request_in_a_frozen_surface_is_held() -> None:
    gh = _gh(_incident(), pull=_pull())
    result = _pull_run(gh, _pull())
    assert gh.calls == [
        "GET pull #7",  # afresh: a queued run's payload may predate the runs before it
        "GET issues label=incident",
        "GET pull files #7",
        "GET comments #1",
    ]
    assert gh.statuses[(SHA, "warroom/freeze")][0] == "failure"
    assert "#1 (SEV-1)" in gh.statuses[(SHA, "warroom/freeze")][1]
    assert AddLabels(7, ("freeze: held",)) in gh.applied
    (comment,) = gh.comments_by_issue[7]
    assert comment.body.startswith(MARK)
    assert "services/auth/token.py" in comment.body
    assert "freeze unrelated merges in impacted surfaces" in comment.body
    (failure,) = result.failures
    assert "#1" in failure
    assert "services/auth/token.py" in failure
    assert any("status warroom/freeze failure" in line for line in plan_lines(result))


def test_the_pull_request_is_read_afresh_not_from_the_queued_payload() -> None:
    """The payload of a queued run predates the run before it, which labelled it held."""
    gh = _gh(_incident(), pull=_pull())
    _pull_run(gh, _pull())
    exempt = _pull(labels=("freeze: held", "incident-fix"))
    gh.pulls[7] = exempt
    result = _run(
        gh,
        "pull_request",
        {**_payload(_pull(labels=("incident-fix",)), "labeled"), "label": {"name": "incident-fix"}},
    )
    assert not result.failures
    assert RemoveLabel(7, "freeze: held") in gh.applied
    assert gh.comments_by_issue[7] == []


def test_a_closed_pull_request_is_left_alone() -> None:
    gh = _gh(_incident(), pull=replace(_pull(), state="closed"))
    result = _pull_run(gh, _pull())
    assert result.ignored == "pull request #7 is no longer open"
    assert gh.calls == ["GET pull #7"]


def test_a_push_to_a_held_pull_request_edits_its_one_comment() -> None:
    gh = _gh(_incident(), pull=_pull())
    _pull_run(gh, _pull())
    held = replace(_pull(("services/auth/a.py", "services/auth/b.py")), labels=("freeze: held",))
    gh.pulls[7] = held
    gh.applied.clear()
    _pull_run(gh, held, "synchronize")
    (comment,) = gh.comments_by_issue[7]
    assert "services/auth/b.py" in comment.body
    assert not [e for e in gh.applied if isinstance(e, AddLabels)]  # the label is on already


@pytest.mark.parametrize(
    ("pull", "incident", "reads"),
    [
        pytest.param(
            _pull(body="Part of the rollback.\n\nIncident: #1"),
            _incident(),
            ["GET pull #7", "GET issues label=incident"],
            id="references-the-incident",
        ),
        pytest.param(
            _pull(labels=("incident-fix",)),
            _incident(),
            ["GET pull #7", "GET issues label=incident"],
            id="exempt-label",
        ),
        pytest.param(
            _pull(),
            _incident("SEV-3"),
            ["GET pull #7", "GET issues label=incident"],
            id="sev3-freezes-nothing",
        ),
        pytest.param(
            _pull(),
            _incident(labels=("phase: recovery",)),
            ["GET pull #7", "GET issues label=incident"],
            id="recovering-incident",
        ),
        pytest.param(
            _pull(("lib/util.py",)),
            _incident(),
            ["GET pull #7", "GET issues label=incident", "GET pull files #7"],
            id="unrelated-files",
        ),
    ],
)
def test_a_pull_request_not_held_passes(
    pull: PullSnapshot, incident: Any, reads: list[str]
) -> None:
    gh = _gh(incident, pull=pull)
    result = _pull_run(gh, pull)
    assert gh.calls == reads
    assert gh.statuses[(SHA, "warroom/freeze")][0] == "success"
    assert not result.failures
    assert 7 not in gh.comments_by_issue
    assert not [e for e in gh.applied if isinstance(e, DeleteComment | RemoveLabel)]


def test_a_held_pull_request_that_now_references_the_incident_is_released() -> None:
    gh = _gh(_incident(), pull=_pull())
    _pull_run(gh, _pull())
    edited = replace(_pull(body="Incident: #1"), labels=("freeze: held",))
    gh.pulls[7] = edited
    result = _pull_run(gh, edited, "edited")
    assert not result.failures
    assert gh.comments_by_issue[7] == []
    assert RemoveLabel(7, "freeze: held") in gh.applied
    assert gh.statuses[(SHA, "warroom/freeze")][0] == "success"


@pytest.mark.parametrize(
    ("state", "held"),
    [
        pytest.param(authority.seal({"freeze": []}, 1, KEY), False, id="sealed-released"),
        pytest.param({"freeze": []}, True, id="unsealed-not-believed-with-a-key"),
        pytest.param(authority.seal({"freeze": []}, 2, KEY), True, id="sealed-for-another-issue"),
        pytest.param(authority.seal({"v": 2}, 1, KEY), True, id="no-word-keeps-the-listing"),
    ],
)
def test_the_incident_runs_word_counts_over_its_labels(state: dict[str, Any], held: bool) -> None:
    """A Stakeholder Update saying recovered is in no label: the incident's run said so."""
    incident = _incident()
    gh = _gh(incident, pull=_pull())
    status = make_comment(
        marker("status", 1) + "\n\n" + encode_state(state),
        author="github-actions[bot]",
        bot=True,
    )
    gh.comments_by_issue[1] = [status]
    result = _pull_run(gh, _pull())
    assert bool(result.failures) is held
    assert gh.statuses[(SHA, "warroom/freeze")][0] == ("failure" if held else "success")


def _opened(gh: FakeGitHub, issue: Any) -> RunResult:
    payload = {"action": "opened", "issue": _issue_payload(issue), "sender": _user(story.COMMANDER)}
    return _run(gh, "issues", payload, minutes=1)


def _comment(gh: FakeGitHub, issue: Any, body: str, minutes: int) -> RunResult:
    comment = make_comment(body, author=story.COMMS, minutes=minutes)
    gh.comments_by_issue.setdefault(issue.number, []).append(comment)
    payload = {
        "action": "created",
        "issue": _issue_payload(issue),
        "comment": {
            "id": comment.id,
            "body": comment.body,
            "user": _user(comment.author),
            "created_at": comment.created_at.isoformat(),
            "updated_at": comment.updated_at.isoformat(),
            "html_url": comment.html_url,
        },
        "sender": _user(comment.author),
    }
    return _run(gh, "issue_comment", payload, minutes=minutes + 1)


def test_an_incident_holds_open_pull_requests_when_its_freeze_starts_then_releases_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The freeze's own reads (the merge-owner rule's are counted in the test below)."""
    incident = _incident()
    gh = _gh(incident, pull=_pull())
    gh.pulls[8] = PullSnapshot(8, "Docs", "x", "", (), "d" * 40, ("docs/a.md",))
    _opened(gh, incident)
    assert "GET pulls" in gh.calls
    assert gh.statuses[(SHA, "warroom/freeze")][0] == "failure"
    assert ("d" * 40, "warroom/freeze") not in gh.statuses  # never held, left alone
    assert "#7 Tighten tokens" in _status(gh)
    # A record that does not change the freeze reads no pull request.
    gh.calls.clear()
    _comment(gh, incident, story.stakeholder(incident.created_at, status="degraded"), 5)
    assert not [c for c in gh.calls if "pull" in c]
    assert "#7 Tighten tokens" in _status(gh)
    # Recovered: the freeze ends and the held pull request is released.
    gh.calls.clear()
    _comment(gh, incident, story.stakeholder(incident.created_at, status="recovered"), 10)
    assert [c for c in gh.calls if "pull" in c] == ["GET pulls"]
    assert gh.statuses[(SHA, "warroom/freeze")][0] == "success"
    assert gh.comments_by_issue[7] == []
    assert "freeze: held" not in gh.pulls[7].labels
    assert "Merge freeze off: released" in _status(gh)


def test_an_incident_run_fails_the_run_only_for_its_own_reasons() -> None:
    """Holding pull requests is not a failure of the incident's run."""
    incident = _incident()
    gh = _gh(incident, pull=_pull())
    result = _opened(gh, incident)
    assert not result.failures
    assert [e for e in result.incidents[0].pulls[0].effects if isinstance(e, Fail)]
    assert any(isinstance(e, UpsertComment) and e.issue == 7 for e in gh.applied)


def test_the_sealed_state_keeps_the_freeze() -> None:
    incident = _incident()
    gh = _gh(incident)
    _opened(gh, incident)
    state = decode_state(_status(gh))
    assert state["freeze"] == ["services/auth/**", "config/auth-gateway.yaml"]
    assert state["freeze_held"] == []
    assert state["seal"]  # sealed with the test key: the freeze is believed only as sealed


def test_facts_pulls_are_read_only_when_a_rule_reads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Linked: named by ``Incident: #1``, or held by this incident's freeze. One listing and one
    read of files per linked pull request, and nothing at all while no rule asks."""
    incident = _incident()
    named = PullSnapshot(8, "Rollback", "dev", "Incident: #1", (), "e" * 40, ("deploy/x.yml",))
    other = PullSnapshot(9, "Docs", "dev", "Incident: #2", (), "9" * 40, ("docs/a.md",))
    gh = _gh(incident, pull=_pull())
    gh.pulls.update({8: named, 9: other})
    _opened(gh, incident)  # holds #7 (the freeze started)
    gh.calls.clear()
    _comment(gh, incident, story.stakeholder(incident.created_at, status="degraded"), 5)
    assert not [c for c in gh.calls if "pull" in c]

    seen: list[Facts] = []

    def reader(incident: Any, config: Config, facts: Facts) -> list[Any]:
        seen.append(facts)
        return []

    monkeypatch.setattr(guardrails, "RULES", (reader,))
    monkeypatch.setattr(guardrails, "reads_pulls", lambda config: True)
    gh.calls.clear()
    _comment(gh, incident, story.stakeholder(incident.created_at, status="degraded"), 6)
    assert [c for c in gh.calls if "pull" in c] == [
        "GET pulls",
        "GET pull files #7",
        "GET pull files #8",
    ]
    (facts,) = seen
    assert facts.pulls == (
        PullFacts(7, "ci-dev", ("services/auth/token.py",), held=True),
        PullFacts(8, "dev", ("deploy/x.yml",), held=False),
    )


def test_the_step_summary_says_what_held_the_pull_request() -> None:
    gh = _gh(_incident(), pull=_pull())
    result = _pull_run(gh, _pull())
    text = summary(result, Config())
    assert "### Pull request #7: merge freeze" in text
    assert "- held by incident #1 (SEV-1): 1 file(s) in its impacted surfaces" in text


def test_a_freeze_comment_fits_github_whatever_the_forms_surfaces() -> None:
    """The surfaces come from the incident's form: 60,000 characters of them, quoted (each
    ``<`` four times longer), still give a comment within GitHub's limit, naming the incident."""
    from warroom.limits import COMMENT_LIMIT
    from warroom.model import Severity
    from warroom.pull_plan import plan_pull
    from warroom.render import render
    from warroom.rules.merge_freeze import Hold

    surfaces = tuple(f"svc/<{i:05d}>/**" for i in range(4_000))
    hold = Hold(12, Severity.SEV1, ("svc/<00001>/a.py",), surfaces)
    pull = PullSnapshot(7, "Tighten", "dev", "", (), "a" * 40, ("svc/<00001>/a.py",))
    effects = plan_pull(pull, (hold,), Config(), render, titles={12: "401s"})
    (comment,) = [e for e in effects if isinstance(e, UpsertComment)]
    assert len(comment.body) <= COMMENT_LIMIT
    assert comment.body.startswith(marker("freeze", 7))
    assert "the full text is in #12" in comment.body
    (failed,) = [e for e in effects if isinstance(e, Fail)]
    assert len(failed.message) < 2_000
