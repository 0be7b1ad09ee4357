"""The 60-minute command timeline, as decision tables.

Playbook, "60-minute command timeline blueprint": "Use this timeline when
severity is unclear but impact is real." It applies when the form ticks
Severity unclear or severity is revised with evidence in the first hour; each
stage is nudged once, at its minute, when its evidence is missing. Rows name
the stage (``t10`` .. ``t60``) and the evidence they add or take away.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.unit.test_plan_decisions import _context, _plan
from tests.unit.time_rules_support import Post, at, body, decision, incident, items
from warroom import story
from warroom.config import Config
from warroom.effects import UpsertComment
from warroom.plan import status_context
from warroom.rules import timeline

UNCLEAR = body(unclear=True)
CONFIRMED = "- Rollback readiness: confirmed: dry run of the rollback to 4f2c1a9 passed\n"


def _revised(minute: int) -> Post:
    return (story.MITIGATION, minute, decision(minute, severity="SEV-2"))


@pytest.mark.parametrize(
    ("form", "posts", "applies"),
    [
        pytest.param(body(), [], False, id="severity-clear"),
        pytest.param(UNCLEAR, [], True, id="form-says-unclear"),
        pytest.param(body(), [_revised(30)], True, id="revised-in-the-first-hour"),
        pytest.param(body(), [_revised(60)], True, id="revised-at-minute-60"),
        pytest.param(body(), [_revised(61)], False, id="revised-after-the-hour"),
        pytest.param(
            body(),
            [(story.MITIGATION, 30, decision(30, severity="SEV-1"))],
            False,
            id="severity-restated-unchanged",
        ),
    ],
)
def test_the_timeline_applies_when_severity_is_unclear(
    form: str, posts: Sequence[Post], applies: bool
) -> None:
    found = incident(posts, form=form)
    assert timeline.applies(found) is applies
    assert bool(timeline.stages(found, Config())) is applies


SNAPSHOT: Post = (story.COMMANDER, 8, story.snapshot(at(0), next_in=90))
ROLLBACK: Post = (story.MITIGATION, 30, decision(30))
VERIFIED: Post = (story.VERIFICATION, 45, story.verification(at(0), minute=45))
NOTE: Post = (story.COMMANDER, 55, story.leadership(confidence="L2"))


@pytest.mark.parametrize(
    ("form", "posts", "done"),
    [
        pytest.param(UNCLEAR, [], {}, id="nothing-posted"),
        pytest.param(UNCLEAR, [SNAPSHOT], {10, 20}, id="t10-t20-a-snapshot"),
        pytest.param(
            body(unclear=True, rollback=False), [SNAPSHOT], {10}, id="t20-needs-rollback-readiness"
        ),
        pytest.param(
            body(unclear=True, rollback=False),
            [
                SNAPSHOT,
                (story.MITIGATION, 12, decision(12, choice="escalate+pause", extra=CONFIRMED)),
            ],
            {10, 20},
            id="t20-rollback-confirmed-by-a-decision",
        ),
        pytest.param(
            UNCLEAR,
            [(story.MITIGATION, 12, decision(12, choice="escalate+pause"))],
            {20},
            id="t10-a-decision-without-severity-confirms-nothing",
        ),
        pytest.param(
            UNCLEAR,
            [(story.MITIGATION, 12, decision(12, choice="escalate+pause", severity="SEV-1"))],
            {10, 20},
            id="t10-a-decision-stating-severity",
        ),
        pytest.param(UNCLEAR, [SNAPSHOT, ROLLBACK], {10, 20, 35}, id="t35-one-branch"),
        pytest.param(
            UNCLEAR,
            [SNAPSHOT, (story.MITIGATION, 30, decision(30, choice="escalate+pause"))],
            {10, 20},
            id="t35-a-pause-executes-no-branch",
        ),
        pytest.param(
            UNCLEAR,
            [SNAPSHOT, ROLLBACK, (story.DEPUTY, 33, decision(33, choice="continue mitigation"))],
            {10, 20},
            id="t35-parallel-contradictory-mitigations",
        ),
        pytest.param(
            UNCLEAR,
            [SNAPSHOT, ROLLBACK, (story.DEPUTY, 41, decision(41, choice="continue mitigation"))],
            {10, 20, 35, 60},
            id="t35-a-later-change-of-branch-is-not-parallel",
        ),
        pytest.param(
            UNCLEAR,
            [
                SNAPSHOT,
                ROLLBACK,
                (story.MITIGATION, 33, decision(33, choice="continue mitigation")),
            ],
            {10, 20, 35},
            id="t35-one-owner-changing-course-is-not-parallel",
        ),
        pytest.param(UNCLEAR, [SNAPSHOT, ROLLBACK, VERIFIED], {10, 20, 35, 50}, id="t50-verified"),
        pytest.param(
            UNCLEAR,
            [SNAPSHOT, ROLLBACK, VERIFIED, NOTE],
            {10, 20, 35, 50, 60},
            id="t60-a-note-and-a-checkpoint-after-the-hour",
        ),
        pytest.param(
            UNCLEAR,
            [(story.COMMANDER, 8, story.snapshot(at(0), next_in=58)), ROLLBACK, VERIFIED, NOTE],
            {10, 20, 35, 50},
            id="t60-the-next-checkpoint-falls-inside-the-hour",
        ),
        pytest.param(
            UNCLEAR,
            [SNAPSHOT, ROLLBACK, (story.DEPUTY, 40, decision(40, choice="continue mitigation"))],
            {10, 20, 60},
            id="t35-a-contrary-decision-exactly-reassess-minutes-later-is-parallel",
        ),
        pytest.param(
            UNCLEAR,
            [
                SNAPSHOT,
                (story.MITIGATION, 5, decision(5, choice="escalate+pause")),
                (story.DEPUTY, 31, decision(31)),
                (story.MITIGATION, 36, decision(36, choice="continue mitigation")),
            ],
            {10, 20, 60},
            id="t35-the-contrary-decision-is-not-the-first",
        ),
        pytest.param(
            UNCLEAR,
            [SNAPSHOT, ROLLBACK, VERIFIED, (story.COMMANDER, 35, story.leadership())],
            {10, 20, 35, 50, 60},
            id="t60-a-note-at-t35-counts",
        ),
        pytest.param(
            UNCLEAR,
            [(story.COMMANDER, 8, story.snapshot(at(0), next_in=60)), ROLLBACK, VERIFIED, NOTE],
            {10, 20, 35, 50},
            id="t60-a-next-checkpoint-at-t60-is-not-after-it",
        ),
        pytest.param(
            UNCLEAR,
            [SNAPSHOT, (story.MITIGATION, 34, decision(34)), VERIFIED],
            {10, 20, 35, 50},
            id="t60-a-decision-before-t35-is-no-decision-note",
        ),
        pytest.param(
            UNCLEAR,
            [SNAPSHOT, ROLLBACK, VERIFIED, (story.MITIGATION, 52, decision(52))],
            {10, 20, 35, 50, 60},
            id="t60-a-decision-record-is-a-decision-note",
        ),
    ],
)
def test_each_stage_s_evidence(form: str, posts: Sequence[Post], done: set[int]) -> None:
    stages = timeline.stages(incident(posts, form=form), Config())
    assert [s.minute for s in stages] == [10, 20, 35, 50, 60]
    assert {s.minute for s in stages if s.done} == set(done)
    assert [s.due for s in stages] == [at(m) for m in (10, 20, 35, 50, 60)]


@pytest.mark.parametrize(
    ("minutes", "listed"),
    [
        pytest.param(5, [(10, False)], id="only-the-next-stage-ahead"),
        pytest.param(10, [(10, False)], id="due-at-its-minute-not-yet-overdue"),
        pytest.param(11, [(10, True), (20, False)], id="t10-overdue-t20-next"),
        pytest.param(
            61, [(10, True), (20, True), (35, True), (50, True), (60, True)], id="all-overdue"
        ),
    ],
)
def test_the_clock_lists_stages_due_and_the_next(
    minutes: int, listed: list[tuple[int, bool]]
) -> None:
    found = items(incident(form=UNCLEAR), minutes, "timeline")
    assert [(int(i.reminder_key.removeprefix("timeline-t")), i.overdue) for i in found] == listed
    assert [i.due for i in found] == [at(minute) for minute, _ in listed]
    assert all(i.owners == (story.COMMANDER,) for i in found)
    assert all(i.how and i.playbook for i in found)


def test_stages_with_evidence_are_not_listed() -> None:
    found = incident([SNAPSHOT], form=UNCLEAR)
    assert [i.reminder_key for i in items(found, 36, "timeline")] == [
        "timeline-t35",
        "timeline-t50",
    ]
    assert items(incident([SNAPSHOT, ROLLBACK, VERIFIED, NOTE], form=UNCLEAR), 61, "timeline") == []


def test_no_timeline_when_severity_is_clear_or_the_incident_closed() -> None:
    assert items(incident(), 61, "timeline") == []
    assert items(incident(form=UNCLEAR, state="closed", closed_at=at(30)), 61, "timeline") == []


def test_each_stage_is_nudged_once_with_the_playbook_s_words() -> None:
    found = incident(form=UNCLEAR)
    plan = _plan(found, now=at(11))
    (nudge,) = [
        e
        for e in plan.effects
        if isinstance(e, UpsertComment) and ":reminder:1.timeline" in e.marker
    ]
    assert nudge.marker == "<!-- warroom:reminder:1.timeline-t10 -->"
    shown = _context(nudge.body)
    assert shown["title"] == "60-minute command timeline, T+10: severity hypothesis and commander"
    assert shown["playbook"].startswith("T+00–10: confirm severity hypothesis")
    assert shown["how"].startswith("post an Incident Command Snapshot")
    # A later sweep finds the nudge posted and says nothing; the next stage gets its own.
    later = _plan(found, now=at(21), own=[nudge.marker])
    markers = [e.marker for e in later.effects if isinstance(e, UpsertComment)]
    assert nudge.marker not in markers
    assert "<!-- warroom:reminder:1.timeline-t20 -->" in markers
    # Once the stage's evidence is there, its nudge is not posted at all.
    settled = incident([SNAPSHOT], form=UNCLEAR)
    markers = [e.marker for e in _plan(settled, now=at(21)).effects if hasattr(e, "marker")]
    assert not any(":reminder:1.timeline-t1" in m or "timeline-t20" in m for m in markers)


def test_the_status_comment_ticks_each_stage() -> None:
    found = incident([SNAPSHOT], form=UNCLEAR)
    plan = _plan(found, now=at(30))
    shown = status_context(found, plan.gate, at(30), Config(), {})
    assert [(title, done) for title, done, _ in shown["timeline"]] == [
        ("T+10: severity hypothesis and commander", True),
        ("T+20: mitigation options and rollback readiness", True),
        ("T+35: one branch executed, no parallel contradictory mitigations", False),
        ("T+50: verification compared against the baseline", False),
        ("T+60: a decision note and the next checkpoint", False),
    ]
    assert status_context(incident(), plan.gate, at(30), Config(), {})["timeline"] == []
