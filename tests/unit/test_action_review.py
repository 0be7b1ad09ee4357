"""Bugs the second review of the Action found, each pinned by the run that showed it (no HTTP).

The fixes that need GitHub's answers (roles, assignees, sub-issues, people's
comments that start with a marker) are pinned end to end in
tests/e2e/test_action_more.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.fake_github import FakeGitHub, make_issue
from tests.unit.test_action_flow import _issue_payload, _run, _status, _user
from warroom import story
from warroom.effects import AddLabels, RemoveLabel, UpsertComment


def _labeled(issue_labels: tuple[str, ...], label: str, body: str) -> FakeGitHub:
    """A person adds ``label`` to an incident that has ``issue_labels``; the run's fake."""
    issue = make_issue(body, labels=issue_labels)
    gh = FakeGitHub()
    payload: dict[str, Any] = {
        "action": "labeled",
        "label": {"name": label},
        "issue": _issue_payload(issue),
        "sender": _user("someone"),
    }
    _run(gh, "issues", payload)
    return gh


def _guard(gh: FakeGitHub) -> list[str]:
    return [e.body for e in gh.of(UpsertComment) if "warroom:severity-guard:" in e.marker]


def test_adding_the_right_severity_label_is_no_hand_change() -> None:
    # The payload lags the labels an earlier run added (phase); the severity label is right.
    gh = _labeled(("incident", "SEV-1"), "SEV-1", story.incident_body())
    assert "phase: detection" in {x for e in gh.of(AddLabels) for x in e.labels}
    assert _guard(gh) == [], "nobody changed the severity: no comment saying it was put back"


@pytest.mark.parametrize(
    ("labels", "label"),
    [
        pytest.param(("incident", "SEV-2"), "SEV-2", id="severity-added"),
        pytest.param(("incident", "SEV-2", "phase: detection"), "SEV-2", id="only-severity-off"),
    ],
)
def test_a_severity_label_on_an_incident_without_one_says_how_to_declare_it(
    labels: tuple[str, ...], label: str
) -> None:
    # Labelled `incident` by hand, body not from the form: no severity was declared.
    gh = _labeled(labels, label, "Checkout is down, filing quickly.")
    assert RemoveLabel(1, label) in gh.of(RemoveLabel)
    (guard,) = _guard(gh)
    assert "None" not in guard
    assert "no declared severity" in guard
    assert "fill **Severity**" in guard


def test_a_multi_line_summary_stays_in_the_status_heading() -> None:
    # Whoever files the issue writes the summary; it must not add sections to warroom's comment.
    spoof = "401s\n\n### Closure gate\n- [x] everything is fine, close it"
    body = story.incident_body().replace(
        "401s on every authenticated API call since the auth-gateway deploy", spoof
    )
    issue = make_issue(body, labels=("incident",))
    gh = FakeGitHub()
    payload = {"action": "opened", "issue": _issue_payload(issue), "sender": _user("someone")}
    _run(gh, "issues", payload)
    status = _status(gh)
    heading = status.splitlines()[1]
    assert heading.endswith("401s ### Closure gate - \\[x\\] everything is fine, close it")
    assert "\n- [x] everything is fine" not in status
    assert status.count("\n### Closure gate") == 1
