"""The drill's debrief, from plays of the auth drill (``drill_debrief_support``).

Each table starts from a play that meets every target and changes one thing:
a late stage, an anti-pattern, a missing incident, a gate met late. The
golden file ``tests/fixtures/drill/debrief-auth.md`` is a realistic play with
slips; set ``WARROOM_UPDATE_FIXTURES=1`` to rewrite it after a deliberate
change, then read the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.unit import decision_story
from tests.unit.drill_debrief_support import (
    BEATS,
    BOT,
    GOOD,
    INCIDENT,
    RUNS,
    SIGNAL,
    STAKEHOLDER,
    C,
    D,
    M,
    Play,
    Post,
    S,
    V,
    at,
    beat,
    reopen_notice,
    with_checkpoint,
)
from tests.unit.fake_github import START
from warroom import story
from warroom.config import Config
from warroom.drill import debrief
from warroom.drill.facts import EvidenceRun
from warroom.limits import COMMENT_LIMIT
from warroom.markers import marker
from warroom.records.spec import REVIEW_QUESTIONS
from warroom.report import metrics

GOLDEN = Path(__file__).parents[1] / "fixtures" / "drill"
UPDATE = os.environ.get("WARROOM_UPDATE_FIXTURES") == "1"
RERUN = "mitigation executed and verified with fresh rerun evidence"


def _without(posts: tuple[Post, ...], minute: float) -> tuple[Post, ...]:
    return tuple(p for p in posts if p[1] != minute)


def _moved(posts: tuple[Post, ...], minute: float, to: float) -> tuple[Post, ...]:
    return tuple((who, to if when == minute else when, text) for who, when, text in posts)


def _sorted(*posts: Post) -> tuple[Post, ...]:
    return tuple(sorted(posts, key=lambda p: p[1]))


LATE_GATE = Play(
    posts=_moved(_moved(GOOD, 34, 70), 42, 72),
    closed=75,
    ended=75,
)
"""The follow-ups come at T+70 and the closure record at T+72: the gate is met at T+72."""

TIMED_OUT = Play(filed=None, closed=None, ended=90, ended_by="time", beats=BEATS)
"""Nobody files an incident; the drill's 90 minutes run out."""

AUTH = Play(
    posts=(
        (C, 6, story.snapshot(START, next_in=20)),
        (V, 13, story.auth_evidence(START)),
        (C, 17, with_checkpoint(story.decision(START, minute=17), 32)),
        (M, 21, decision_story.decision(21, choice="continue mitigation", rung="flag/config")),
        (C, 25, decision_story.settling(25, next_in=8)),
        (S, 38, story.stakeholder(START, status="mitigating", next_in=60)),
        (BOT, 40, reopen_notice([RERUN, "communications timeline complete"])),
        (V, 46, story.verification(START, minute=46)),
        *((who, 50, text) for who, text in story.follow_ups()),
        (C, 52, story.leadership()),
        (S, 54, story.stakeholder(START, status="recovered", next_in=120)),
        (C, 56, story.closure()),
    ),
    filed=3,
    closed=58,
    ended=58,
    beats=(
        *BEATS[:3],
        beat(
            "stakeholder-1",
            "stakeholder",
            35,
            "support lead asked for a status update",
            STAKEHOLDER,
        ),
        beat(
            "red-rerun", "red-rerun", 40, 'a rerun after "looks stable" came back red (401 at 6%)'
        ),
    ),
    runs=(
        *RUNS,
        EvidenceRun("curl -s https://api.example.test/v1/me", V, at(12), "failing endpoint list"),
    ),
)
"""A realistic play: contested then settled, an update late, an early close undone."""


def _times(play: Play) -> dict[str, tuple[float | None, str]]:
    return {t.target.key: (t.minutes, t.verdict) for t in play.build().times}


# -- times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("play", "expected"),
    [
        pytest.param(
            Play(),
            {
                "owner": (2, "on time"),
                "first_checkpoint": (15, "on time"),
                "branch": (15, "on time"),
                "mitigation": (30, "on time"),
                "closure": (45, "on time"),
            },
            id="meets-every-target",
        ),
        pytest.param(
            LATE_GATE,
            {
                "owner": (2, "on time"),
                "first_checkpoint": (15, "on time"),
                "branch": (15, "on time"),
                "mitigation": (30, "on time"),
                "closure": (75, "15 min late"),
            },
            id="gate-met-late-closes-late",
        ),
        pytest.param(
            Play(
                posts=_moved(_moved(GOOD, 15, 24.5), 30, 52), closed=None, ended=60, ended_by="time"
            ),
            {
                "owner": (2, "on time"),
                "first_checkpoint": (24.5, "5 min late"),
                "branch": (24.5, "on time"),
                "mitigation": (52, "2 min late"),
                "closure": (None, "not reached"),
            },
            id="late-stages-and-no-closure",
        ),
        pytest.param(
            Play(
                posts=_sorted(
                    *_without(GOOD, 15),
                    (
                        C,
                        15,
                        with_checkpoint(
                            story.decision(START, minute=15, choice="escalate+pause"), 40
                        ),
                    ),
                ),
                closed=None,
                ended=60,
                ended_by="time",
            ),
            {
                "owner": (2, "on time"),
                "first_checkpoint": (15, "on time"),
                "branch": (None, "not reached"),
                "mitigation": (None, "not reached"),
                "closure": (None, "not reached"),
            },
            id="a-pause-is-no-branch-executed",
        ),
        pytest.param(
            TIMED_OUT,
            dict.fromkeys(
                ("owner", "first_checkpoint", "branch", "mitigation", "closure"),
                (None, "not reached"),
            ),
            id="time-out-no-incident",
        ),
    ],
)
def test_times_against_the_command_timeline(
    play: Play, expected: dict[str, tuple[float | None, str]]
) -> None:
    assert _times(play) == expected


def test_the_targets_are_the_playbooks_timeline() -> None:
    assert [t.minute for t in debrief.TARGETS] == [10, 20, 35, 50, 60]
    assert [t.playbook[:9] for t in debrief.TARGETS] == [
        "T+00–10: ",
        "T+10–20: ",
        "T+20–35: ",
        "T+35–50: ",
        "T+50–60: ",
    ]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        pytest.param(0, "T+00:00", id="the-signal"),
        pytest.param(59.9, "T+00:59", id="seconds-are-cut-not-rounded"),
        pytest.param(754, "T+12:34", id="minutes-and-seconds"),
        pytest.param(6_000, "T+100:00", id="past-99-minutes"),
        pytest.param(-30, "T-00:30", id="before-the-signal"),
    ],
)
def test_drill_time(seconds: float, shown: str) -> None:
    from datetime import timedelta

    assert debrief.drill_time(START, START + timedelta(seconds=seconds)) == shown


# -- checkpoints and updates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("play", "checkpoints", "updates"),
    [
        pytest.param(
            Play(),
            [("kept", 5, 20, 15), ("kept", 15, 40, 36), ("not due", 36, 90, None)],
            [("kept", 32, 18), ("kept", 45, 40), ("not due", 70, None)],
            id="meets-every-target",
        ),
        pytest.param(
            AUTH,
            [("kept", 6, 20, 17), ("kept", 17, 32, 25), ("missed", 25, 33, None)],
            [("missed", 33, 38), ("kept", 60, 54), ("not due", 84, None)],
            id="auth-play-misses-one-of-each",
        ),
        pytest.param(
            Play(posts=_without(GOOD, 18)),
            [("kept", 5, 20, 15), ("kept", 15, 40, 36), ("not due", 36, 90, None)],
            [("missed", 32, 40), ("not due", 70, None)],
            id="first-update-late",
        ),
        pytest.param(TIMED_OUT, [], [], id="time-out-no-incident"),
    ],
)
def test_checkpoints_and_updates_kept_or_missed(
    play: Play,
    checkpoints: list[tuple[str, float, float, float | None]],
    updates: list[tuple[str, float, float | None]],
) -> None:
    built = play.build()
    data = json.loads(debrief.render_json(built))
    assert [
        (c["status"], c["committed_minutes"], c["due_minutes"], c["kept_minutes"])
        for c in data["checkpoints"]["items"]
    ] == checkpoints
    assert [
        (u["status"], u["due_minutes"], u["met_minutes"]) for u in data["updates"]["items"]
    ] == (updates)
    # The counts are the report's own (``report.metrics``), and agree with the rows.
    assert built.checkpoint_punctuality.due == sum(c[0] != "not due" for c in checkpoints)
    assert built.checkpoint_punctuality.on_time == sum(c[0] == "kept" for c in checkpoints)
    assert built.update_punctuality.due == sum(u[0] != "not due" for u in updates)
    assert built.update_punctuality.on_time == sum(u[0] == "kept" for u in updates)


def test_the_punctuality_is_the_reports() -> None:
    play = AUTH
    issue = play.issue()
    assert issue is not None
    built = play.build()
    incident = debrief._moments(issue, play.comments(), play.permissions(), Config())[-1].incident
    end = issue.closed_at
    assert end is not None
    assert built.checkpoint_punctuality == metrics.checkpoint_punctuality(incident, end)
    assert built.update_punctuality == metrics.update_punctuality(incident, end, Config())


# -- anti-patterns ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("play", "key", "minute", "stood", "detail"),
    [
        pytest.param(
            Play(body=story.incident_body(mitigation=C, verification=C)),
            "hero-mode",
            2,
            13,
            "@mara-okafor holds commander, mitigation, verification (as declared)",
            id="hero-mode-as-declared-until-the-decision-spreads-it",
        ),
        pytest.param(
            Play(posts=_without(GOOD, 18)),
            "no-comms-cadence",
            32,
            8,
            "the stakeholder update due at T+32:00 came at T+40:00",
            id="no-comms-cadence-first-update-late",
        ),
        pytest.param(
            Play(posts=_sorted(*GOOD, (BOT, 26, reopen_notice([RERUN])))),
            "closure-without-rerun",
            26,
            4,
            "closed at T+26:00; warroom reopened it: no fresh green rerun after the "
            "mitigation decision",
            id="closure-undone-for-the-rerun",
        ),
        pytest.param(
            Play(
                posts=_sorted(*GOOD, (BOT, 25, reopen_notice(["communications timeline complete"])))
            ),
            "closure-without-rerun",
            25,
            5,
            "closed at T+25:00; no green Verification Rerun Record had been posted",
            id="closed-before-any-green-rerun-whatever-the-notice-said",
        ),
        pytest.param(
            Play(
                posts=_sorted(
                    *_without(GOOD, 30), (V, 30, story.verification(START, minute=30, result="red"))
                )
            ),
            "closure-without-rerun",
            45,
            0,
            "closed at T+45:00; no green Verification Rerun Record had been posted",
            id="a-closure-that-stood-without-a-green-rerun",
        ),
        pytest.param(
            Play(
                posts=_sorted(
                    *GOOD, (D, 20, decision_story.decision(20, choice="continue mitigation"))
                )
            ),
            "contradictory-mitigations",
            20,
            25,
            '@mara-okafor decided "rollback", then @devi-raman decided "continue mitigation", '
            "5 minutes apart",
            id="contradiction-never-settled",
        ),
        pytest.param(
            Play(
                posts=_sorted(
                    *GOOD,
                    (D, 20, decision_story.decision(20, choice="continue mitigation")),
                    (C, 24, decision_story.settling(24)),
                )
            ),
            "contradictory-mitigations",
            20,
            4,
            '@mara-okafor decided "rollback", then @devi-raman decided "continue mitigation", '
            "5 minutes apart",
            id="contradiction-settled-still-hit",
        ),
    ],
)
def test_each_anti_pattern_is_hit_at_any_moment(
    play: Play, key: str, minute: float, stood: float, detail: str
) -> None:
    found = {a.pattern.key: a for a in play.build().anti_patterns}
    assert [k for k, a in found.items() if a.hit] == [key]
    hit = found[key]
    assert hit.at == at(minute)
    assert round(hit.stood_minutes, 2) == stood
    assert hit.detail == detail
    assert hit.pattern.playbook in debrief.render_markdown(play.build())


def test_a_play_that_meets_every_target_hits_no_anti_pattern() -> None:
    built = Play().build()
    assert [a.hit for a in built.anti_patterns] == [False] * 4
    assert all(a.judged for a in built.anti_patterns)
    assert built.raised == ()


def test_every_guardrail_raised_is_listed_with_when_it_cleared() -> None:
    built = AUTH.build()
    assert [(r.rule, r.first_at, r.cleared_at) for r in built.raised] == [
        ("contradiction", at(21), at(25)),
    ]


# -- the gate --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("play", "expected"),
    [
        pytest.param(
            Play(),
            {
                "ownership": 2,
                "rerun": 30,
                "watch": 42,
                "residual": 30,
                "follow-ups": 34,
                "comms": 40,
                "confidence": 38,
                "failing-endpoints": 12,
                "first-bad-deploy": 2,
                "rollback-safety-check": 12,
            },
            id="meets-every-target",
        ),
        pytest.param(
            LATE_GATE,
            {
                "ownership": 2,
                "rerun": 30,
                "watch": 72,
                "residual": 30,
                "follow-ups": 70,
                "comms": 40,
                "confidence": 38,
                "failing-endpoints": 12,
                "first-bad-deploy": 2,
                "rollback-safety-check": 12,
            },
            id="gate-met-late",
        ),
        pytest.param(
            Play(
                posts=_sorted(
                    *_without(GOOD, 18),
                    (S, 16, story.stakeholder(START, status="recovered", next_in=45)),
                    (S, 20, story.stakeholder(START, status="mitigating", next_in=45)),
                )
            ),
            {
                "ownership": 2,
                "rerun": 30,
                "watch": 42,
                "residual": 30,
                "follow-ups": 34,
                "comms": 40,
                "confidence": 38,
                "failing-endpoints": 12,
                "first-bad-deploy": 2,
                "rollback-safety-check": 12,
            },
            id="met-counts-from-when-it-stayed-met",
        ),
        pytest.param(
            Play(posts=_without(_without(GOOD, 34), 42), closed=None, ended=90, ended_by="time"),
            {
                "ownership": 2,
                "rerun": 30,
                "watch": None,
                "residual": 30,
                "follow-ups": None,
                "comms": 40,
                "confidence": 38,
                "failing-endpoints": 12,
                "first-bad-deploy": 2,
                "rollback-safety-check": 12,
            },
            id="time-out-with-conditions-unmet",
        ),
    ],
)
def test_gate_conditions_and_when_each_was_met(
    play: Play, expected: dict[str, float | None]
) -> None:
    gate = json.loads(debrief.render_json(play.build()))["gate"]
    keys = [c["key"].removeprefix("scenario.") for c in gate["conditions"]]
    assert len(keys) == len(expected)
    assert {
        key: c["met_minutes"] for key, c in zip(keys, gate["conditions"], strict=True)
    } == expected
    assert gate["met"] is all(v is not None for v in expected.values())
    for condition in gate["conditions"]:
        assert condition["met"] is (condition["met_minutes"] is not None)
        assert bool(condition["fix"]) is not condition["met"]  # an unmet one says how


def test_no_incident_filed_the_debrief_still_builds_and_says_so() -> None:
    built = TIMED_OUT.build()
    assert built.number == SIGNAL
    assert built.gate == ()
    assert not built.gate_met
    assert [a.judged for a in built.anti_patterns] == [False] * 4
    body = debrief.render_markdown(built)
    assert body.startswith(marker("drill-debrief", SIGNAL) + "\n")
    assert "**No incident was filed.**" in body
    assert "time ran out at T+90:00" in body
    assert "Not evaluated: the gate's conditions are read from an incident's records" in body


# -- the review ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("play", "expected"),
    [
        pytest.param(
            Play(beats=BEATS),
            {
                "signal": "filed at T+02:00 and the first record (Incident Command Snapshot, by "
                "@mara-okafor) came at T+05:00. 1 monitoring update came before any record, "
                "the first at T+01:00 (401 rate 41% on auth-gateway).",
                "checkpoint": "The longest wait was 15 min, from the signal at T+00:00 to the "
                '"rollback" decision at T+15:00 (1 decision record in all).',
                "ownership": "Nowhere the record shows",
                "guardrail": "The record shows no time lost",
                "metric": "Every time met its target and every checkpoint and update came on time",
            },
            id="meets-every-target",
        ),
        pytest.param(
            AUTH,
            {
                "signal": "1 monitoring update came before any record, the first at T+01:00",
                "checkpoint": "The longest wait was 17 min, from the signal at T+00:00 to the "
                '"rollback" decision at T+17:00 (3 decision records in all).',
                "ownership": "At T+21:00 two owners' decisions conflicted",
                "guardrail": "Closure without rerun proof stood longest (6 min, from T+40:00)",
                "metric": "Every time met its target; stakeholder-update punctuality fell "
                "shortest (1 of 2 on time)",
            },
            id="auth-play",
        ),
        pytest.param(
            Play(
                posts=_sorted(
                    *GOOD, (C, 55, with_checkpoint(story.decision(START, minute=55), 70))
                ),
                closed=None,
                ended=60,
                ended_by="time",
            ),
            {
                "checkpoint": 'The longest wait was 40 min, from the "rollback" decision at '
                'T+15:00 to the "rollback" decision at T+55:00',
            },
            id="longest-checkpoint-between-decisions",
        ),
        pytest.param(
            Play(body=story.incident_body(comms="")),
            {
                "ownership": "At T+02:00 nobody held commander, deputy, mitigation, verification, "
                "comms (deputy, comms still had nobody at the end)."
            },
            id="a-lane-without-owner",
        ),
        pytest.param(
            Play(posts=_moved(GOOD, 30, 58), closed=None, ended=65, ended_by="time"),
            {
                "guardrail": "No anti-pattern stood; the stage furthest behind was mitigation "
                "verified (8 min past T+50)",
                "metric": "Time to mitigation was furthest past its target (8 min late against "
                "T+50)",
            },
            id="late-stage-without-anti-pattern",
        ),
        pytest.param(
            TIMED_OUT,
            {
                "signal": "no incident was filed in the drill's 90 minutes",
                "checkpoint": "The record cannot say",
                "ownership": "The record cannot say: no incident was filed.",
                "guardrail": "No incident was filed, so the response never started",
                "metric": "Time to owner was furthest past its target (not reached, 80 min past "
                "T+10 when the drill ended)",
            },
            id="time-out-no-incident",
        ),
    ],
)
def test_the_five_questions_answered_from_the_record(play: Play, expected: dict[str, str]) -> None:
    answers = play.build().answers
    assert [(a.key, a.question) for a in answers] == list(REVIEW_QUESTIONS.items())
    by_key = {a.key: a for a in answers}
    for key, text in expected.items():
        assert text in by_key[key].answer, (key, by_key[key].answer)
    answered = {a.key: a.answered for a in answers}
    if play.filed is None:
        assert answered == {
            "signal": True,
            "checkpoint": False,
            "ownership": False,
            "guardrail": True,
            "metric": True,
        }


# -- rendering -------------------------------------------------------------------------------


_PING = re.compile(r"(?<!`)[@\uff20\ufe6b][A-Za-z0-9]")
"""A mention GitHub would link: an ``@`` right before a login, outside a code span's start."""


def test_mentions_in_records_and_facts_never_ping() -> None:
    hostile = "ask @someone, cc @octo-org/oncall <img src=x> [x](javascript:alert(1)) #12"
    play = Play(
        posts=_sorted(
            *_without(GOOD, 30),
            (V, 30, story.verification(START, minute=30, risk=hostile)),
        ),
        body=story.incident_body(mitigation=C, verification=C),
        beats=(beat("monitor-1", "monitor", 1, f"monitor says {hostile}"),),
        runs=(EvidenceRun(f"curl {hostile}", M, at(11), hostile),),
    )
    body = debrief.render_markdown(play.build())
    assert "someone" in body
    assert "mara-okafor" in body
    assert _PING.findall(body) == []
    assert "<img" not in body
    assert re.search(r"(?<!\\)\]\(javascript:", body) is None
    assert "`@mara-okafor`" in body  # players and who committed, as code


def test_a_debrief_too_long_for_a_comment_is_cut_with_a_note() -> None:
    runs = tuple(
        EvidenceRun(f"curl https://api.example.test/v1/item/{n} " + "x" * 150, M, at(11), "")
        for n in range(600)
    )
    play = Play(runs=runs)
    body = debrief.render_markdown(play.build())
    assert len(body) <= COMMENT_LIMIT
    assert body.startswith(marker("drill-debrief", INCIDENT) + "\n")
    assert "… truncated: " in body
    assert f"https://github.test/o/r/issues/{INCIDENT}" in body.rsplit("truncated", 1)[1]
    # The JSON keeps everything.
    assert len(json.loads(debrief.render_json(play.build()))["evidence_runs"]) == 600


def test_a_short_debrief_is_not_cut() -> None:
    body = debrief.render_markdown(AUTH.build())
    assert "truncated" not in body
    assert body.endswith("\n")
    assert not body.endswith("\n\n")


# -- JSON ------------------------------------------------------------------------------------


def test_json_shape_and_values() -> None:
    text = debrief.render_json(Play(beats=BEATS, runs=RUNS).build())
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert set(data) == {
        "version", "scenario", "title", "started_at", "ended_at", "ended_by", "ended_minutes",
        "speed", "timeline_minutes", "time_limit_minutes", "signal_issue", "incident",
        "incident_url", "players", "scripted", "beats", "evidence_runs", "times", "checkpoints",
        "updates", "anti_patterns", "guardrails", "closures_blocked", "gate", "review",
    }  # fmt: skip
    assert data["version"] == 1
    assert (data["scenario"], data["ended_by"], data["ended_minutes"]) == (
        "auth-token-failure",
        "gate",
        45.0,
    )
    assert data["started_at"] == START.isoformat()
    assert (data["incident"], data["signal_issue"], data["speed"]) == (INCIDENT, SIGNAL, 10.0)
    assert data["times"][0] == {
        "key": "owner",
        "title": "Time to owner",
        "stage": "owner and deputy assigned",
        "playbook": "T+00–10: confirm severity hypothesis, freeze risky merges, assign "
        "commander + deputy.",
        "source": debrief.TARGETS[0].source,
        "target_minutes": 10,
        "minutes": 2.0,
        "late_minutes": None,
        "verdict": "on time",
    }
    assert [t["minutes"] for t in data["times"]] == [2.0, 15.0, 15.0, 30.0, 45.0]
    assert (data["checkpoints"]["due"], data["checkpoints"]["kept"]) == (2, 2)
    assert data["updates"]["cadence_minutes"] == 30
    assert [a["key"] for a in data["anti_patterns"]] == [
        "hero-mode",
        "no-comms-cadence",
        "closure-without-rerun",
        "contradictory-mitigations",
    ]
    assert {a["hit"] for a in data["anti_patterns"]} == {False}
    assert data["gate"]["met"] is True
    assert data["beats"][1] == {
        "key": "monitor-1",
        "kind": "monitor",
        "minutes": 1.0,
        "by": "drill-monitor",
        "issue": SIGNAL,
        "comment_id": None,
        "summary": "401 rate 41% on auth-gateway",
    }
    assert data["evidence_runs"] == [
        {
            "command": "deployctl rollback --dry-run 4f2c1a9",
            "by": M,
            "minutes": 11.0,
            "reveals": "rollback safety check output",
        }
    ]
    assert [r["key"] for r in data["review"]] == list(REVIEW_QUESTIONS)


def test_json_of_a_blocked_closure_and_a_hit() -> None:
    data = json.loads(debrief.render_json(AUTH.build()))
    assert data["closures_blocked"] == [
        {"minutes": 40.0, "reasons": [RERUN, "communications timeline complete"]}
    ]
    hits = {a["key"]: (a["minutes"], a["stood_minutes"]) for a in data["anti_patterns"] if a["hit"]}
    assert hits == {
        "no-comms-cadence": (33.0, 5.0),
        "closure-without-rerun": (40.0, 6.0),
        "contradictory-mitigations": (21.0, 4.0),
    }
    assert data["guardrails"][0]["cleared_minutes"] == 25.0


def test_the_same_record_gives_the_same_debrief() -> None:
    built = AUTH.build()
    shuffled = debrief.build(
        AUTH.issue(),
        list(reversed(AUTH.comments())),
        permissions=AUTH.permissions(),
        config=Config(),
        facts=AUTH.facts(),
    )
    assert shuffled == built
    assert debrief.render_json(shuffled) == debrief.render_json(built)


# -- the golden file -------------------------------------------------------------------------


def test_the_auth_debrief_matches_its_golden_file() -> None:
    body = debrief.render_markdown(AUTH.build())
    path = GOLDEN / "debrief-auth.md"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    assert body == path.read_text(encoding="utf-8")


def test_an_unmet_condition_shows_its_fix_in_the_markdown() -> None:
    play = Play(posts=_without(_without(GOOD, 34), 42), closed=None, ended=90, ended_by="time")
    body = debrief.render_markdown(play.build())
    assert "The gate is **not met**." in body
    assert (
        "| hardening follow-ups assigned with owners and due dates | ❌ not met | missing: "
        "guardrail automation, regression test: post a Hardening Follow-up record for each: "
        in body
    )
    assert "closure gate not met" in body  # at a glance
