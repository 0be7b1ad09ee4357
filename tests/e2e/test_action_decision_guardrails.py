"""The decision guardrails played on the sandbox with its clock (issue 9 §2).

`warroom action` runs for every event as a workflow would. Each test plays one
rule: it is told once, at the event that makes it stand (a notice under the
incident, listed in the status comment's "Needs someone now"); a sweep does
not repeat it; the record that satisfies it takes it out of the status comment
(and takes its label off); and a sweep after that says nothing more.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.action_support import MakeSandbox, dispatching_sandbox
from tests.e2e.action_support import at as _at
from tests.e2e.action_support import labels as _labels
from tests.e2e.action_support import settle as _settle
from tests.e2e.conftest import START, TestSandbox
from tests.e2e.story_state import statuses
from tests.unit.decision_story import decision, handoff, settling
from warroom import story

pytestmark = pytest.mark.e2e

C, D, M, V, S = story.COMMANDER, story.DEPUTY, story.MITIGATION, story.VERIFICATION, story.COMMS
CONTESTED = "decision: contested"


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path)


def _file(sb: TestSandbox, **owners: str) -> int:
    _at(sb, 0)
    issue = sb.repo(C).create_issue(
        title="[incident] 401s", body=story.incident_body(**owners), labels=["incident"]
    )
    _settle(sb)
    return int(issue.number)


def _comment(sb: TestSandbox, number: int, login: str, minute: int, body: str) -> int:
    _at(sb, minute)
    comment = sb.repo(login).get_issue(number).create_comment(body)
    _settle(sb)
    return int(comment.id)


def _sweep(sb: TestSandbox, minute: int) -> None:
    _at(sb, minute)
    sb.schedule()
    _settle(sb)


def _notices(sb: TestSandbox, number: int, rule: str) -> list[str]:
    """Warroom's notices of ``rule`` on the incident, each its marker's key then its body."""
    prefix = f"<!-- warroom:guardrail:{number}.{rule}."
    return [
        body
        for c in sb.repo().get_issue(number).get_comments()
        if (body := c.body or "").startswith(prefix) and c.user.type == "Bot"
    ]


def _key(notice: str) -> str:
    return notice.split(" -->", 1)[0].rsplit(".", 1)[-1]


def _standing(sb: TestSandbox, number: int) -> str:
    """The status comment's "Needs someone now" section."""
    (status,) = statuses(sb, number)
    return status.split("### Needs someone now", 1)[1].split("###", 1)[0]


def test_hero_mode_is_told_when_declared_then_after_a_handoff_that_leaves_a_hero(
    github: TestSandbox,
) -> None:
    number = _file(github, mitigation=C, verification=C)
    (notice,) = _notices(github, number, "hero-mode")
    assert _key(notice) == "declared"
    assert "holds commander, mitigation, verification" in notice
    assert "Hero mode in one lane" in notice
    assert "Hero mode" in _standing(github, number)

    _sweep(github, 10)
    assert len(_notices(github, number, "hero-mode")) == 1

    # A decision naming other owners for execution and verification spreads the load.
    _comment(github, number, C, 12, decision(12, owner=M, verifier=V, start=START))
    assert "Hero mode" not in _standing(github, number)
    _sweep(github, 20)
    assert len(_notices(github, number, "hero-mode")) == 1

    # A handoff that leaves someone with three roles is a new occurrence: told again.
    _comment(github, number, V, 25, handoff(25, from_owner=V, to_owner=M, start=START))
    assert len(_notices(github, number, "hero-mode")) == 1  # two roles: not yet
    moved = _comment(github, number, S, 26, handoff(26, from_owner=S, to_owner=M, start=START))
    notices = _notices(github, number, "hero-mode")
    assert [_key(n) for n in notices] == ["declared", str(moved)]
    assert "holds mitigation, verification, comms" in notices[1]
    _sweep(github, 35)
    assert len(_notices(github, number, "hero-mode")) == 2


def test_a_decision_skipping_the_flag_rung_is_told_once_and_settled_by_an_edit(
    github: TestSandbox,
) -> None:
    number = _file(github)
    assert _notices(github, number, "decision-ladder") == []
    skipping = decision(20, choice="rollback", rejected="waiting: too slow", start=START)
    decided = _comment(github, number, M, 20, skipping)
    (notice,) = _notices(github, number, "decision-ladder")
    assert _key(notice) == str(decided)
    assert "Prefer the safest reversible option first" in notice
    assert "skips the flag/config rung" in _standing(github, number)

    _sweep(github, 30)
    assert len(_notices(github, number, "decision-ladder")) == 1

    # Saying why the first rung was rejected, in the record itself, settles it.
    _at(github, 32)
    comment = github.repo(M).get_issue(number).get_comment(decided)
    comment.edit(comment.body.replace("waiting: too slow", "flag/config: no flag covers it"))
    _settle(github)
    assert "flag/config rung" not in _standing(github, number)
    _sweep(github, 40)
    assert len(_notices(github, number, "decision-ladder")) == 1
    assert "flag/config rung" not in _standing(github, number)


def test_an_l1_decision_past_the_flag_rung_is_told_once_until_a_decision_at_l2(
    github: TestSandbox,
) -> None:
    number = _file(github)
    explained = "flag/config: no flag covers the audience check"
    low = decision(15, confidence="L1", rung="targeted patch", rejected=explained, start=START)
    decided = _comment(github, number, M, 15, low)
    (notice,) = _notices(github, number, "confidence-ladder")
    assert _key(notice) == str(decided)
    assert "L1 (low): incomplete evidence, reversible action only" in notice
    assert _notices(github, number, "decision-ladder") == []  # it said why
    assert "L1 decision" in _standing(github, number)

    _sweep(github, 25)
    assert len(_notices(github, number, "confidence-ladder")) == 1

    evidence = decision(28, confidence="L2", rung="targeted patch", rejected=explained, start=START)
    _comment(github, number, M, 28, evidence)
    assert "L1 decision" not in _standing(github, number)
    _sweep(github, 38)
    assert len(_notices(github, number, "confidence-ladder")) == 1


def test_conflicting_decisions_are_contested_until_one_record_captures_both(
    github: TestSandbox,
) -> None:
    number = _file(github)
    first = _comment(github, number, M, 10, decision(10, choice="rollback", start=START))
    assert CONTESTED not in _labels(github, number)
    # A different owner, a conflicting decision, inside the ten minutes: contested.
    second = _comment(github, number, V, 14, decision(14, rung="flag/config", start=START))
    (notice,) = _notices(github, number, "contradiction")
    assert _key(notice) == f"{first}-{second}"
    assert "capture both recommendations in one decision record" in notice
    assert CONTESTED in _labels(github, number)
    assert "decisions conflict" in _standing(github, number)

    _sweep(github, 18)
    assert len(_notices(github, number, "contradiction")) == 1
    assert CONTESTED in _labels(github, number)

    # One record with both recommendations scored and a reassessment within ten minutes.
    _comment(github, number, C, 19, settling(19, next_in=10, start=START))
    assert CONTESTED not in _labels(github, number)
    assert "decisions conflict" not in _standing(github, number)
    _sweep(github, 25)
    assert len(_notices(github, number, "contradiction")) == 1
    assert CONTESTED not in _labels(github, number)
