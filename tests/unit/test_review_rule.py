"""The post-closure review as the planner runs it: when it is due, asked, reminded, and filed.

Playbook: "Run a short review immediately after closure" and "turn answers
into backlog items before context fades". Each row names the case.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.unit.fake_github import START
from tests.unit.test_closure_gate_table import Post, _incident, _met_story
from warroom import story
from warroom.config import Clock, Config
from warroom.effects import UpsertComment
from warroom.incident import Incident
from warroom.markers import marker
from warroom.model import FollowUpKind
from warroom.plan import (
    clock_items,
    evaluate_gate,
    follow_up_effects,
    plan_incident,
    status_context,
)
from warroom.records.models import PostClosureReview
from warroom.rules import review

CLOSED = START + timedelta(minutes=90)
STAMP = str(int(CLOSED.timestamp()))
SHOWN = (CLOSED + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M UTC")
"""The review's due time as the status and the notice show it."""

REVIEW = f"""### Post-Closure Review
- Signal first but ignored: rejections rose first
  - Action: Page on rejections, @{story.MITIGATION}, due 2026-12-08
- Longest decision checkpoint: the rollback call
- Where ownership became ambiguous: comms at the handoff
- Guardrail that would have helped most: a token round trip
  - Action: Token round trip, @{story.VERIFICATION}, due 2026-12-10
- Metric to add or redefine: success per audience
"""
NO_ACTIONS = "\n".join(line for line in REVIEW.split("\n") if "Action:" not in line)


def _render(name: str, context: Mapping[str, Any]) -> str:
    return f"{name}\n{json.dumps(context, default=str, sort_keys=True)}"


def _closed(
    extra: Sequence[Post] = (),
    *,
    reason: str = "completed",
    config: Config | None = None,
    **kw: Any,
) -> Incident:
    return _incident(
        _met_story(extra=extra),
        config=config,
        state="closed",
        state_reason=reason,
        closed_at=CLOSED,
    )


def _plan(incident: Incident, now: datetime, own: Sequence[str] = (), event: Any = None) -> Any:
    return plan_incident(
        event,
        incident,
        now,
        Config(),
        _render,
        own_markers=own,
        cache={"labels": []},
    )


def _notices(effects: Sequence[Any], kind: str) -> list[UpsertComment]:
    prefix = f"<!-- warroom:{kind}:"
    return [e for e in effects if isinstance(e, UpsertComment) and e.marker.startswith(prefix)]


LATER = Config(clock=Clock(review_minutes=45))


@pytest.mark.parametrize(
    ("incident", "config", "expected"),
    [
        pytest.param(_closed, Config(), CLOSED + timedelta(minutes=30), id="closed-gate-met"),
        pytest.param(
            lambda: _closed(config=LATER),
            LATER,
            CLOSED + timedelta(minutes=45),
            id="review-minutes-configured",
        ),
        pytest.param(lambda: _incident(_met_story()), Config(), None, id="open-incident"),
        pytest.param(
            lambda: _incident(_met_story(without=["closure"]), state="closed", closed_at=CLOSED),
            Config(),
            None,
            id="closed-gate-blocked",
        ),
        pytest.param(
            lambda: _incident(
                [(story.COMMANDER, 5, story.snapshot(START))],
                state="closed",
                state_reason="not_planned",
                closed_at=CLOSED,
            ),
            Config(),
            None,
            id="closed-not-planned",
        ),
    ],
)
def test_a_review_is_due_only_for_a_closure_that_stands(
    incident: Any, config: Config, expected: datetime | None
) -> None:
    found: Incident = incident()
    gate = evaluate_gate(found, config)
    due = review.review(found, gate.state, config)
    assert (due.due if due else None) == expected


@pytest.mark.parametrize(
    ("minutes", "extra", "overdue"),
    [
        pytest.param(10, (), False, id="within-the-30-minutes-due"),
        pytest.param(30, (), False, id="at-the-due-minute-not-yet-overdue"),
        pytest.param(31, (), True, id="past-the-30-minutes-overdue"),
        pytest.param(31, ((story.COMMANDER, 100, NO_ACTIONS),), None, id="held-off-the-clock"),
    ],
)
def test_the_review_on_the_clock(minutes: int, extra: Sequence[Post], overdue: bool | None) -> None:
    incident = _closed(extra)
    now = CLOSED + timedelta(minutes=minutes)
    gate = evaluate_gate(incident, Config())
    found = [i for i in clock_items(incident, gate, now, Config()) if i.key == "review"]
    if overdue is None:
        assert found == []
        return
    [item] = found
    assert item.due == CLOSED + timedelta(minutes=30)
    assert item.overdue is overdue
    assert item.owners == (story.COMMANDER,)
    assert item.reminder_key == f"review-{STAMP}"
    assert item.title == "30-minute post-closure review"


@pytest.mark.parametrize(
    ("minutes", "extra", "own", "notice", "reminder"),
    [
        pytest.param(1, (), (), True, False, id="closure-stands-asked-once"),
        pytest.param(
            5, (), (marker("review", f"1.{STAMP}"),), False, False, id="already-asked-not-again"
        ),
        pytest.param(31, (), (marker("review", f"1.{STAMP}"),), False, True, id="overdue-reminded"),
        pytest.param(
            45,
            (),
            (marker("review", f"1.{STAMP}"), marker("reminder", f"1.review-{STAMP}")),
            False,
            False,
            id="reminded-once-never-again",
        ),
        pytest.param(
            1, ((story.COMMANDER, 95, NO_ACTIONS),), (), False, False, id="held-before-asked"
        ),
        pytest.param(
            45,
            ((story.COMMANDER, 100, NO_ACTIONS),),
            (marker("review", f"1.{STAMP}"),),
            False,
            False,
            id="held-no-reminder",
        ),
    ],
)
def test_the_notice_and_the_reminder(
    minutes: int, extra: Sequence[Post], own: Sequence[str], notice: bool, reminder: bool
) -> None:
    plan = _plan(_closed(extra), CLOSED + timedelta(minutes=minutes), own)
    assert len(_notices(plan.effects, "review")) == int(notice)
    reminders = [e.marker for e in _notices(plan.effects, "reminder")]
    assert reminders == ([marker("reminder", f"1.review-{STAMP}")] if reminder else [])


def test_the_notice_asks_the_five_questions_and_pings_the_commander() -> None:
    [notice] = _notices(_plan(_closed(), CLOSED).effects, "review")
    name, _, body = notice.body.partition("\n")
    assert name == "review_notice.md.j2"
    context = json.loads(body)
    assert context["marker"] == marker("review", f"1.{STAMP}")
    assert context["commander"] == f"@{story.COMMANDER}"
    assert context["questions"][0] == "what signal was first but ignored?"
    assert len(context["questions"]) == 5
    assert context["due"] == SHOWN
    assert set(context["template"]) == {"signal", "checkpoint", "ownership", "guardrail", "metric"}


def test_each_action_is_one_follow_up_keyed_apart_from_follow_up_records() -> None:
    incident = _closed([(story.COMMANDER, 100, REVIEW)])
    [(applied, _)] = [(a, r) for a, r in incident.records(PostClosureReview)]
    effects = follow_up_effects(incident, Config(), _render, "secret")
    from_review = [e for e in effects if ".r" in e.key]
    assert [e.key for e in from_review] == [
        review.follow_up_key(1, applied.comment_id, "Page on rejections"),
        review.follow_up_key(1, applied.comment_id, "Token round trip"),
    ]
    assert all(e.key.startswith(f"1.{applied.comment_id}.r") for e in from_review)
    assert [e.title for e in from_review] == [
        "[hardening] Page on rejections",
        "[hardening] Token round trip",
    ]
    assert [e.assignees for e in from_review] == [(story.MITIGATION,), (story.VERIFICATION,)]
    assert [e.due.isoformat() for e in from_review] == ["2026-12-08", "2026-12-10"]
    kinds = [json.loads(e.body.partition("\n")[2])["kind"] for e in from_review]
    assert kinds == [FollowUpKind.OTHER.value, FollowUpKind.GUARDRAIL.value]
    acceptance = json.loads(from_review[1].body.partition("\n")[2])["acceptance"]
    assert acceptance == (
        'Named in the post-closure review, answering "what one guardrail would have reduced '
        'resolution time most?": a token round trip. Done when the owner shows the change in place.'
    )
    # The records' own follow-ups keep their keys.
    assert len(effects) == len(from_review) + len(story.follow_ups())


@pytest.mark.parametrize(
    ("event", "opened"),
    [
        pytest.param(object(), True, id="the-reviews-own-event-opens-them"),
        pytest.param(None, False, id="a-sweep-does-not-race-the-event"),
    ],
)
def test_follow_ups_open_on_events_only(event: Any, opened: bool) -> None:
    from warroom.effects import OpenFollowUp
    from warroom.events import Event

    incident = _closed([(story.COMMANDER, 100, REVIEW)])
    real = (
        Event(name="issue_comment", action="created", sender=story.COMMANDER, sender_is_bot=False)
        if event is not None
        else None
    )
    plan = _plan(incident, CLOSED + timedelta(minutes=12), event=real)
    keys = [e.key for e in plan.effects if isinstance(e, OpenFollowUp) and ".r" in e.key]
    assert len(keys) == (2 if opened else 0)


@pytest.mark.parametrize(
    ("extra", "follow_ups", "minutes", "expected"),
    [
        pytest.param(
            (),
            {},
            10,
            {
                "due": SHOWN,
                "overdue": False,
                "held": [],
                "actions": 0,
                "opened": [],
            },
            id="due",
        ),
        pytest.param(
            (),
            {},
            31,
            {
                "due": SHOWN,
                "overdue": True,
                "held": [],
                "actions": 0,
                "opened": [],
            },
            id="overdue",
        ),
        pytest.param(
            ((story.COMMANDER, 100, REVIEW),),
            {"Page on rejections": 41},
            40,
            {"due": SHOWN, "overdue": False, "actions": 2, "opened": [41]},
            id="held-one-of-two-opened",
        ),
    ],
)
def test_the_status_shows_the_reviews_state(
    extra: Sequence[Post], follow_ups: dict[str, int], minutes: int, expected: dict[str, Any]
) -> None:
    incident = _closed(extra)
    gate = evaluate_gate(incident, Config())
    keys = {f.action.title: f.key for f in review.actions(incident)}
    known = {keys[k]: v for k, v in follow_ups.items()}
    row = status_context(incident, gate, CLOSED + timedelta(minutes=minutes), Config(), known)[
        "review"
    ]
    held = row.pop("held")
    assert row == {k: v for k, v in expected.items() if k != "held"}
    assert len(held) == (1 if extra else 0)


def test_the_status_has_no_review_while_open() -> None:
    incident = _incident(_met_story())
    gate = evaluate_gate(incident, Config())
    assert status_context(incident, gate, CLOSED, Config(), {})["review"] is None


def test_an_edit_that_adds_an_action_above_keeps_the_others_keys() -> None:
    """Keys follow the action, not its place: an action inserted above files once, and the
    ones filed already are not filed again under a shifted key."""
    before = _closed([(story.COMMANDER, 100, REVIEW)])
    edited = REVIEW.replace(
        "- Signal first but ignored: rejections rose first\n",
        "- Signal first but ignored: rejections rose first\n"
        f"  - Action: Rotate signing keys, @{story.COMMANDER}, due 2026-12-09\n",
    )
    after = _closed([(story.COMMANDER, 100, edited)])
    keys_before = {f.key for f in review.actions(before)}
    keys_after = {f.key for f in review.actions(after)}
    assert keys_before < keys_after
    assert len(keys_after - keys_before) == 1


@pytest.mark.parametrize(
    ("titles", "distinct"),
    [
        pytest.param(("Page on rejections", "page  ON rejections"), 2, id="same-title-twice"),
        pytest.param(("Page on rejections", "Token round trip"), 2, id="two-titles"),
    ],
)
def test_actions_with_the_same_title_are_told_apart(titles: tuple[str, str], distinct: int) -> None:
    text = REVIEW.replace("Page on rejections", titles[0]).replace("Token round trip", titles[1])
    found = review.actions(_closed([(story.COMMANDER, 100, text)]))
    assert len({f.key for f in found}) == distinct
