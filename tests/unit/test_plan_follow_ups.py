"""Follow-ups as the planner files and lists them: one issue per record, keyed by its
comment and its place in it, and the status rows people read (overdue first).

Playbook: "hardening follow-ups are opened and linked"; each row names the case.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from tests.unit.fake_github import START
from tests.unit.test_closure_gate_table import _incident
from warroom import authority, story
from warroom.config import Config, FollowUps
from warroom.events import Event
from warroom.incident import Incident
from warroom.markers import marker
from warroom.plan import _follow_up_rows, follow_up_effects, plan_incident

TWO = (
    story.follow_up(
        title="Alert   on rejections",
        kind="guardrail automation",
        owner="ana, @al",
        due="2026-12-02",
    )
    + "\n"
    + story.follow_up(
        title="Replay tokens in CI", kind="regression test", owner="bo", due="2026-11-29"
    )
)
ONE = story.follow_up(title="Rotate keys", kind="regression test", owner="cy", due="2026-12-10")


def _render(name: str, context: Mapping[str, Any]) -> str:
    return f"{name}\n{json.dumps(context, default=str, sort_keys=True)}"


def _two_comments() -> tuple[Incident, int, int]:
    incident = _incident([(story.MITIGATION, 60, TWO), (story.VERIFICATION, 61, ONE)])
    first, second = sorted(dict.fromkeys(applied.comment_id for applied, _ in incident.follow_ups))
    return incident, first, second


def test_each_record_gets_a_key_from_its_comment_and_place() -> None:
    incident, first, second = _two_comments()
    n = incident.number
    effects = follow_up_effects(incident, Config(), _render, "secret")
    keys = [e.key for e in effects]
    assert keys == [f"{n}.{first}.0", f"{n}.{first}.1", f"{n}.{second}.0"]
    for effect in effects:
        mark = marker("follow-up", effect.key)
        assert effect.marker == mark
        assert effect.incident == n
        assert effect.labels == ("hardening",)
        assert effect.milestone is None
        assert effect.proof == authority.proof("secret", mark)
        assert effect.proof
    assert [e.due for e in effects] == [date(2026, 12, 2), date(2026, 11, 29), date(2026, 12, 10)]
    assert [e.assignees for e in effects] == [("ana", "al"), ("bo",), ("cy",)]
    assert effects[0].title == "[hardening] Alert   on rejections"
    context = json.loads(effects[0].body.partition("\n")[2])
    assert context["owner"] == "@ana @al"
    assert context["proof"] == effects[0].proof


def test_without_a_state_key_there_is_no_proof() -> None:
    incident, _, _ = _two_comments()
    assert {e.proof for e in follow_up_effects(incident, Config(), _render)} == {""}


def test_milestones_named_after_the_due_date_when_configured() -> None:
    incident, _, _ = _two_comments()
    config = Config(follow_ups=FollowUps(milestone=True))
    effects = follow_up_effects(incident, config, _render)
    assert [e.milestone for e in effects] == ["due 2026-12-02", "due 2026-11-29", "due 2026-12-10"]


def test_status_rows_show_state_number_and_overdue_first() -> None:
    incident, first, _ = _two_comments()
    n = incident.number
    now = datetime(2026, 12, 2, 12, 0, tzinfo=START.tzinfo)
    rows = _follow_up_rows(
        incident,
        {f"{n}.{first}.0": 51, f"{n}.{first}.1": 52},
        {f"{n}.{first}.1": "closed"},
        now,
    )
    assert [(r["title"], r["number"], r["state"], r["overdue"], r["owner"]) for r in rows] == [
        ("Alert on rejections", 51, "open", False, "`@ana`, `@al`"),  # due today: not overdue yet
        ("Rotate keys", None, "not opened yet", False, "`@cy`"),
        ("Replay tokens in CI", 52, "closed", False, "`@bo`"),  # past due, but closed
    ]
    later = _follow_up_rows(incident, {f"{n}.{first}.0": 51}, {}, now + timedelta(days=1))
    assert [(r["title"], r["overdue"]) for r in later] == [
        ("Replay tokens in CI", True),
        ("Alert on rejections", True),
        ("Rotate keys", False),
    ]


def test_follow_ups_already_opened_are_not_planned_again() -> None:
    incident, first, _ = _two_comments()
    n = incident.number
    event = Event("issue_comment", "created", "ana", False)
    plan = plan_incident(
        event,
        incident,
        START + timedelta(hours=2),
        Config(),
        _render,
        own_markers=(),
        cache={"labels": [], "follow_ups": {f"{n}.{first}.0": 51}},
        state_key="secret",
    )
    opened = [e for e in plan.effects if type(e).__name__ == "OpenFollowUp"]
    assert [e.key for e in opened] == [f"{n}.{first}.1", f"{n}.{_two_comments()[2]}.0"]
    assert all(e.proof for e in opened)
    sweep = plan_incident(
        None,
        incident,
        START + timedelta(hours=2),
        Config(),
        _render,
        own_markers=(),
        cache={"labels": [], "follow_ups": "damaged"},
    )
    assert not [e for e in sweep.effects if type(e).__name__ == "OpenFollowUp"]
    damaged = plan_incident(
        event,
        incident,
        START + timedelta(hours=2),
        Config(),
        _render,
        own_markers=(),
        cache={"labels": [], "follow_ups": [f"{n}.{first}.0"]},  # not a mapping: ignored
    )
    assert len([e for e in damaged.effects if type(e).__name__ == "OpenFollowUp"]) == 3
