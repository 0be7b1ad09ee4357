"""The readiness checks before the playbook runs, as decision tables.

Playbook, "Provider-specific readiness checks": identify the last known-good
revision and confirm the rollback path is executable now; commander,
mitigation owner, verifier owner and communications owner are all named.
"Store command output in the first checkpoint record": the precheck's output
in the first Checkpoint Decision Record is baseline evidence.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

import pytest

from tests.unit.test_plan_decisions import _plan
from tests.unit.time_rules_support import Post, at, body, decision, incident, items
from warroom import story
from warroom.config import Config
from warroom.effects import UpsertComment
from warroom.plan import status_context
from warroom.render import render
from warroom.rules import clock, readiness

CONFIRMED = "- Rollback readiness: confirmed: dry run of the rollback to 4f2c1a9 passed\n"
PRECHECK = (
    "- Commands executed:\n  ```\n  git rev-parse --short HEAD\n  git log --oneline -n 5\n  ```\n"
    "- Outputs:\n  ```\n  9e0d7b3\n  9e0d7b3 tighten token audience\n  ```\n"
)
NO_BASELINE = body(**{"Baseline evidence": "_No response_"})


@pytest.mark.parametrize(
    ("statement", "confirmed"),
    [
        pytest.param("confirmed: dry run passed at 14:20", True, id="confirmed-with-how"),
        pytest.param("Confirmed", True, id="confirmed-any-case"),
        pytest.param("yes, dry run of the rollback passed", True, id="yes"),
        pytest.param("YES.", True, id="yes-with-stop"),
        pytest.param("not yet: the rollback job is broken", False, id="not-yet"),
        pytest.param("no", False, id="no"),
        pytest.param("unconfirmed", False, id="unconfirmed"),
        pytest.param("yesterday it was", False, id="a-word-that-only-starts-alike"),
        pytest.param("  confirmed", True, id="leading-space"),
        pytest.param("  ", False, id="blank"),
        pytest.param(None, False, id="not-written"),
    ],
)
def test_a_rollback_readiness_statement_confirms_only_when_it_says_so(
    statement: str | None, confirmed: bool
) -> None:
    assert readiness.confirms_rollback(statement) is confirmed


@pytest.mark.parametrize(
    ("form", "posts", "done"),
    [
        pytest.param(body(), [], (True, True, True), id="form-complete"),
        pytest.param(body(rollback=False), [], (True, True, False), id="rollback-unticked"),
        pytest.param(
            body(rollback=False),
            [(story.MITIGATION, 10, decision(10, extra=CONFIRMED))],
            (True, True, True),
            id="rollback-confirmed-by-a-later-decision",
        ),
        pytest.param(
            body(rollback=False),
            [(story.MITIGATION, 10, decision(10, extra="- Rollback readiness: not yet\n"))],
            (True, True, False),
            id="rollback-not-yet-is-no-confirmation",
        ),
        pytest.param(
            body(**{"Communications owner": "_No response_"}),
            [],
            (False, False, False),
            id="form-unreadable-names-nobody",
        ),
        pytest.param(
            body(**{"Communications owner": "_No response_"}),
            [(story.COMMANDER, 5, story.snapshot(at(0)))],
            (False, True, False),
            id="known-good-from-a-snapshot",
        ),
    ],
)
def test_readiness_checks(form: str, posts: Sequence[Post], done: tuple[bool, ...]) -> None:
    checks = readiness.checks(incident(posts, form=form))
    assert tuple(c.done for c in checks) == done
    assert all(c.how for c in checks if not c.done)


def test_each_check_says_how_to_meet_it() -> None:
    found = incident(form=body(rollback=False, **{"Last known-good revision": "_No response_"}))
    assert [c.how for c in readiness.checks(found)] == [
        "name the commander, mitigation owner, verifier owner, communications owner in the "
        "issue form (GitHub @logins)",
        "fill Last known-good revision in the issue form (the output of "
        "`git rev-parse --short HEAD` on it)",
        "tick Rollback readiness in the issue form, or write `Rollback readiness: confirmed: "
        "...` (how you checked) in a Checkpoint Decision Record",
    ]
    (owners, _, _) = readiness.checks(incident())
    assert owners.how == ""


def test_the_commander_is_read_from_the_owner_graph_not_the_triage_lane() -> None:
    found = incident()
    leaderless = replace(found, owners=replace(found.owners, commander=()))
    assert readiness.missing_owners(leaderless) == ("commander",)
    assert readiness.missing_owners(found) == ()


def test_a_missing_owner_is_named_in_the_fix() -> None:
    (owners, _, _) = readiness.checks(incident(form=body(**{"Deputy": "_No response_"})))
    assert not owners.done
    assert owners.how == (
        "name the commander, mitigation owner, verifier owner, communications owner "
        "in the issue form (GitHub @logins)"
    )


@pytest.mark.parametrize(
    ("posts", "baseline"),
    [
        pytest.param([], False, id="no-baseline-anywhere"),
        pytest.param(
            [(story.MITIGATION, 5, decision(5, extra=PRECHECK))],
            True,
            id="precheck-output-in-the-first-decision",
        ),
        pytest.param(
            [
                (story.MITIGATION, 5, decision(5)),
                (story.MITIGATION, 9, decision(9, extra=PRECHECK)),
            ],
            False,
            id="only-the-first-checkpoint-record-counts",
        ),
        pytest.param(
            [(story.MITIGATION, 5, decision(5, extra=PRECHECK.split("- Outputs:")[0]))],
            False,
            id="commands-without-output",
        ),
    ],
)
def test_the_precheck_output_is_baseline_evidence(posts: Sequence[Post], baseline: bool) -> None:
    found = incident(posts, form=NO_BASELINE)
    assert readiness.baseline_captured(found) is baseline
    (_, evidence, _) = clock.first_fifteen(found)
    assert evidence.done is baseline  # the decision states the blast radius


def test_the_form_s_baseline_evidence_is_enough() -> None:
    assert readiness.baseline_captured(incident())


@pytest.mark.parametrize(
    ("minutes", "overdue"),
    [
        pytest.param(14, False, id="before-the-first-response-deadline"),
        pytest.param(15, False, id="at-the-deadline"),
        pytest.param(16, True, id="after-the-deadline"),
    ],
)
def test_an_open_check_is_due_with_the_first_response(minutes: int, overdue: bool) -> None:
    (item,) = items(incident(form=body(rollback=False)), minutes, "readiness")
    assert item.due == at(15)
    assert item.overdue is overdue
    assert item.reminder_key == f"readiness-{at(15):%Y%m%dT%H%M}"
    assert item.title == (
        "readiness checks before the playbook runs: rollback path confirmed executable now"
    )
    assert item.playbook == readiness.PLAYBOOK


def test_every_open_check_is_named_in_one_item() -> None:
    found = incident(form=body(rollback=False, **{"Last known-good revision": "_No response_"}))
    (item,) = items(found, 16, "readiness")
    assert item.title == (
        "readiness checks before the playbook runs: owner graph complete (commander, "
        "mitigation, verifier and communications owners); last known-good revision named; "
        "rollback path confirmed executable now"
    )
    assert item.how == "; ".join(c.how for c in readiness.checks(found) if not c.done)
    assert item.how.count("; ") == 2


def test_no_readiness_item_once_every_check_holds() -> None:
    assert items(incident(), 30, "readiness") == []
    confirmed = incident([(story.MITIGATION, 10, decision(10, extra=CONFIRMED))], form=body())
    assert items(confirmed, 30, "readiness") == []


def test_the_readiness_reminder_says_what_to_post_and_quotes_the_playbook() -> None:
    found = incident(form=body(rollback=False))
    plan = _plan(found, now=at(16))
    (reminder,) = [
        e for e in plan.effects if isinstance(e, UpsertComment) and "readiness" in e.marker
    ]
    text = render("reminder.md.j2", json.loads(reminder.body.partition("\n")[2]))
    assert "**To settle it:** tick Rollback readiness in the issue form" in text
    assert "> The playbook: Before running this playbook, enforce these prechecks" in text


def test_the_status_comment_shows_the_checks_and_the_precheck_block() -> None:
    found = incident(form=body(rollback=False))
    plan = _plan(found, now=at(16))
    shown = status_context(found, plan.gate, at(16), Config(), {})
    assert [(title, done) for title, done, _ in shown["readiness"]] == [
        ("owner graph complete (commander, mitigation, verifier and communications owners)", True),
        ("last known-good revision named", True),
        ("rollback path confirmed executable now", False),
    ]
    text = render("status.md.j2", {**shown, "marker": ""})
    assert "readiness checks (not done)" in text
    assert "```shell\ngit rev-parse --short HEAD\ngit log --oneline -n 5\n" in text
    assert "# add your service health check here\n```" in text
