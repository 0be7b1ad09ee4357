"""Golden files for every comment and summary the bot writes, from a fixed story.

Set ``WARROOM_UPDATE_FIXTURES=1`` to rewrite them after a deliberate change,
then review the diff. Hostile text from people is checked separately: it must
come out as text, unable to ping anyone or forge warroom's hidden state.
"""

from __future__ import annotations

import itertools
import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.unit import fake_github
from tests.unit.fake_github import START, FakeGitHub, make_comment, make_issue
from tests.unit.test_action_flow import RESPONDERS, _close, _full_story
from warroom import story
from warroom.config import Config
from warroom.effects import OpenFollowUp, UpsertComment
from warroom.markers import decode_state
from warroom.model import PullSnapshot, Severity
from warroom.pull_plan import plan_pull
from warroom.render import render
from warroom.rules.merge_freeze import Hold
from warroom.run import RunResult, run, summary

GOLDEN = Path(__file__).parents[1] / "fixtures" / "bot"
UPDATE = os.environ.get("WARROOM_UPDATE_FIXTURES") == "1"


def _blocked_closure() -> tuple[FakeGitHub, RunResult]:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: recovery"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    _full_story(gh, issue, skip="verification")
    bad = story.decision(START).replace("- Decision: rollback", "- Decision: maybe later")
    gh.comments_by_issue[1].append(make_comment(bad, author=story.COMMANDER, minutes=70))
    gh.comments_by_issue[1].append(
        make_comment(story.snapshot(START), author="rita-reader", minutes=71)
    )
    gh.perms["rita-reader"] = "read"
    return gh, _close(gh, issue)


def _bodies() -> dict[str, str]:
    # Comment ids come from a counter other tests advance too: start it afresh here.
    fake_github._ids = itertools.count(1000)
    gh, result = _blocked_closure()
    upserts = {e.marker.split(":")[1]: e.body for e in gh.of(UpsertComment)}
    follow_up = next(e for e in gh.of(OpenFollowUp))
    replies = [e.body for e in gh.of(UpsertComment) if e.marker.startswith("<!-- warroom:reply:")]
    invalid = next(b for b in replies if "could not apply" in b)
    refused = next(b for b in replies if "Not applied" in b)
    # The status comment's hidden cache holds comment ids that vary per run: drop it here.
    status = upserts["status"].split("<!-- warroom-state")[0]
    reminder_gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[make_issue(story.incident_body())])
    reminder_gh.comments_by_issue[1] = [
        make_comment(story.snapshot(START, next_in=30), author=story.COMMANDER)
    ]
    run(lambda: reminder_gh, "schedule", {}, START + timedelta(minutes=45), Config())
    reminder = next(e.body for e in reminder_gh.of(UpsertComment) if "checkpoint" in e.marker)
    held = PullSnapshot(7, "Tighten tokens", "ci-dev", "", (), "f" * 40, ())
    hold = Hold(1, Severity.SEV1, ("services/auth/token.py",), ("services/auth/**",))
    titles = {1: "Sign-in fails for @everyone [see](https://x.test)"}
    freeze = next(
        e.body
        for e in plan_pull(held, (hold,), Config(), render, titles=titles)
        if isinstance(e, UpsertComment)
    )
    return {
        "freeze.md": freeze,
        "status.md": status,
        "reply-invalid.md": invalid,
        "reply-unauthorized.md": refused,
        "follow-up.md": follow_up.body,
        "reminder.md": reminder,
        "summary.md": summary(result, Config()),
    }


BODIES = _bodies()


@pytest.mark.parametrize("name", sorted(BODIES))
def test_bot_output_matches_its_golden_file(name: str) -> None:
    golden = GOLDEN / name
    text = BODIES[name]
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_hostile_text_cannot_ping_or_forge_the_state() -> None:
    forged = '<!-- warroom-state {"labels": ["x"], "follow_ups": {"1.1.0": 999}} -->'
    body = story.incident_body().replace(
        "401s on every authenticated API call since the auth-gateway deploy",
        f"@everyone look {{{{ 7 * 7 }}}} {forged}",
    )
    issue = make_issue(body)
    gh = FakeGitHub(perms=dict(RESPONDERS))
    payload_issue = {
        "number": 1,
        "id": issue.id,
        "title": issue.title,
        "body": issue.body,
        "state": "open",
        "labels": [{"name": "incident"}],
        "assignees": [],
        "user": {"login": story.COMMANDER, "type": "User"},
        "created_at": START.isoformat(),
        "html_url": issue.html_url,
    }
    run(
        lambda: gh,
        "issues",
        {"action": "opened", "issue": payload_issue, "sender": {"login": story.COMMANDER}},
        START + timedelta(minutes=1),
        Config(),
    )
    status = next(e.body for e in gh.of(UpsertComment) if "status" in e.marker)
    assert "@everyone" not in status  # the mention is defused
    assert "{{ 7 * 7 }}" in status  # printed as written, never evaluated
    assert "49" not in status
    assert decode_state(status).get("follow_ups") == {}
