"""The planner's decisions, one row each: the gate's state, labels wanted and unwanted,
reminders and the quiet minute, undo notices, outputs and the status comment's fields.

Incidents are built from records as people write them (``warroom.story``, read by the
real parsers) with the closure-gate table's builder, and templates are replaced by a
render that returns its context as JSON, so each row asserts what the planner decided,
not how a template words it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.unit.fake_github import START, make_issue
from tests.unit.test_closure_gate_table import _incident, _met_story
from warroom import story
from warroom.config import Config
from warroom.declaration import read_declaration
from warroom.effects import (
    AddLabels,
    DeleteComment,
    EnsureLabel,
    Fail,
    RemoveLabel,
    Reopen,
    UpsertComment,
)
from warroom.events import Event
from warroom.incident import Incident, Lane, derive
from warroom.markers import marker
from warroom.parsing.forms import bundled_form, parse_form
from warroom.plan import (
    REMINDER_QUIET,
    Gate,
    _mention,
    _stamp,
    _time,
    _who,
    clock_items,
    desired_labels,
    evaluate_gate,
    label_catalog,
    plan_incident,
    status_context,
    status_effect,
)

CLOSED_AT = START + timedelta(hours=2)


def _render(name: str, context: Mapping[str, Any]) -> str:
    return f"{name}\n{json.dumps(context, default=str, sort_keys=True)}"


def _context(body: str) -> dict[str, Any]:
    name, _, text = body.partition("\n")
    data: dict[str, Any] = json.loads(text)
    data["_name"] = name
    return data


def _closed(posts: Sequence[tuple[str, int, str]], reason: str = "completed") -> Incident:
    return _incident(posts, state="closed", state_reason=reason, closed_at=CLOSED_AT)


def _plan(
    incident: Incident,
    *,
    event: Event | None = None,
    now: datetime | None = None,
    cache: Mapping[str, Any] | None = None,
    own: Sequence[str] = (),
    config: Config | None = None,
) -> Any:
    return plan_incident(
        event,
        incident,
        now or START + timedelta(hours=3),
        config or Config(),
        _render,
        own_markers=own,
        cache={"labels": []} if cache is None else cache,
        status_url="https://github.test/o/r/issues/1#issuecomment-9",
    )


# -- the label catalog and small formatters ------------------------------------------------


def test_label_catalog_names_colours_and_describes_every_label() -> None:
    catalog = label_catalog(Config())
    assert [(e.name, e.color, e.description) for e in catalog.values()] == [
        ("incident", "b60205", "An incident, run by warroom"),
        ("hardening", "5319e7", "Post-incident hardening follow-up"),
        ("gate: blocked", "e99695", "Closed before the closure gate was met"),
        ("gate: met", "0e8a16", "The closure gate is met"),
        (
            "decision: contested",
            "d876e3",
            "Conflicting decisions not yet settled in one record",
        ),
        ("checkpoint: overdue", "e4e669", "The next checkpoint time has passed"),
        ("freeze: held", "bfdadc", "Held by an incident's merge freeze"),
        (
            "SEV-1",
            "b60205",
            "user safety, auth, billing, or data correctness at risk; rollback-first",
        ),
        ("SEV-2", "d93f0b", "major workflow degradation; bounded hotfix with tight verification"),
        ("SEV-3", "fbca04", "isolated non-critical regression; scheduled corrective release"),
        ("phase: detection", "c5def5", "Incident phase: detection"),
        ("phase: containment", "bfd4f2", "Incident phase: containment"),
        ("phase: recovery", "0e8a16", "Incident phase: recovery"),
        ("phase: hardening", "5319e7", "Incident phase: hardening"),
        ("confidence: L1", "fef2c0", "Decision confidence L1"),
        ("confidence: L2", "c2e0c6", "Decision confidence L2"),
        ("confidence: L3", "0e8a16", "Decision confidence L3"),
    ]
    assert all(name == e.name for name, e in catalog.items())


@pytest.mark.parametrize(
    ("logins", "shown"),
    [
        pytest.param((), "—", id="nobody-is-a-dash"),
        pytest.param(("mara",), "`@mara`", id="one-in-code-no-ping"),
        pytest.param(("mara", "li"), "`@mara`, `@li`", id="several-comma-separated"),
    ],
)
def test_who(logins: tuple[str, ...], shown: str) -> None:
    assert _who(logins) == shown


@pytest.mark.parametrize(
    ("value", "zone", "shown"),
    [
        pytest.param(None, "UTC", "—", id="no-time-is-a-dash"),
        pytest.param(START, "UTC", "2026-11-28 16:00 UTC", id="utc"),
        pytest.param(START, "Europe/Berlin", "2026-11-28 17:00 CET", id="configured-zone"),
        pytest.param(
            datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "UTC", "2026-01-02 03:04 UTC", id="padded"
        ),
    ],
)
def test_time(value: datetime | None, zone: str, shown: str) -> None:
    assert _time(value, Config(timezone=zone)) == shown


@pytest.mark.parametrize(
    ("login", "shown"),
    [
        pytest.param("mara-okafor", "@mara-okafor", id="login-with-dash"),
        pytest.param("Li9", "@Li9", id="letters-and-digits"),
        pytest.param("", "someone", id="empty-is-someone"),
        pytest.param("evil`](x)", "someone", id="not-a-login-is-someone"),
        pytest.param("a_b", "someone", id="underscore-is-no-login"),
    ],
)
def test_mention(login: str, shown: str) -> None:
    assert _mention(login) == shown


def test_stamp() -> None:
    assert _stamp(None) == "unknown"
    assert _stamp(START) == str(int(START.timestamp()))


# -- the gate and the labels ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "state", "dismissed", "missing"),
    [
        pytest.param(lambda: _incident(_met_story()), "n/a", False, False, id="open-is-n/a"),
        pytest.param(lambda: _closed(_met_story()), "met", False, False, id="closed-and-met"),
        pytest.param(
            lambda: _closed(_met_story(without=["stakeholder"])),
            "blocked",
            False,
            False,
            id="closed-early-is-blocked",
        ),
        pytest.param(
            lambda: _closed([], "not_planned"),
            "blocked",
            False,
            True,
            id="not-planned-without-dismissal-is-blocked",
        ),
        pytest.param(
            lambda: _closed([(story.COMMANDER, 10, story.dismissal())], "duplicate"),
            "n/a",
            True,
            False,
            id="duplicate-with-dismissal-is-dismissed",
        ),
    ],
)
def test_evaluate_gate(build: Any, state: str, dismissed: bool, missing: bool) -> None:
    gate = evaluate_gate(build(), Config())
    assert (gate.state, gate.dismissed, gate.dismissal_missing) == (state, dismissed, missing)


@pytest.mark.parametrize(
    ("gate", "on", "off"),
    [
        pytest.param(Gate("met", ()), {"gate: met"}, {"gate: blocked"}, id="met-removes-blocked"),
        pytest.param(Gate("blocked", ()), {"gate: blocked"}, {"gate: met"}, id="blocked"),
        pytest.param(
            Gate("n/a", (), dismissed=True), set(), {"gate: blocked", "gate: met"}, id="dismissed"
        ),
        pytest.param(Gate("n/a", ()), set(), {"gate: met"}, id="open-leaves-blocked-alone"),
    ],
)
def test_desired_gate_labels(gate: Gate, on: set[str], off: set[str]) -> None:
    want, unwanted = desired_labels(_incident(_met_story()), gate, Config())
    gates = {"gate: met", "gate: blocked"}
    assert (want & gates, unwanted & gates) == (on, off)


def test_a_blocked_close_runs_the_clock_as_if_reopened() -> None:
    incident = _closed(_met_story(without=["stakeholder"]))
    gate = evaluate_gate(incident, Config())
    items = clock_items(incident, gate, START + timedelta(hours=3), Config())
    reopened = _incident(_met_story(without=["stakeholder"]))
    assert items == clock_items(reopened, Gate("n/a", ()), START + timedelta(hours=3), Config())
    assert items  # the comms cadence runs again


# -- plan_incident -------------------------------------------------------------------------


def test_labels_first_run_ensures_the_catalog_then_only_what_is_new() -> None:
    incident = _incident(_met_story())
    first = _plan(incident, cache={})
    ensured = [e for e in first.effects if isinstance(e, EnsureLabel)]
    assert ensured == list(label_catalog(Config()).values())
    later = _plan(incident, cache={"labels": ["INCIDENT", "sev-1"]})
    adds = [e for e in later.effects if isinstance(e, AddLabels)]
    ensured = [e.name for e in later.effects if isinstance(e, EnsureLabel)]
    assert [a.labels for a in adds] == [("SEV-1", "confidence: L3", "phase: detection")]
    assert adds[0].issue == incident.number
    assert ensured == ["confidence: L3", "phase: detection"]


def test_labels_unwanted_are_removed_only_when_present() -> None:
    incident = _incident(_met_story(), labels=("incident", "SEV-2", "phase: detection", "x"))
    plan = _plan(incident)
    assert [e for e in plan.effects if isinstance(e, RemoveLabel)] == [
        RemoveLabel(incident.number, "SEV-2")
    ]


def test_outputs_and_undo_of_an_early_close() -> None:
    incident = _closed(_met_story(without=["stakeholder", "closure"]))
    event = Event("issues", "closed", "mara-okafor", False, issue=incident.issue)
    plan = _plan(incident, event=event)
    assert plan.incident == incident.number
    assert plan.outputs == {
        "incident": str(incident.number),
        "severity": "SEV-1",
        "phase": str(incident.phase),
        "gate": "blocked",
        "blocked-reasons": json.dumps([c.title for c in plan.gate.unmet]),
    }
    reopen = [e for e in plan.effects if isinstance(e, Reopen)]
    assert reopen == [Reopen(incident.number, "closed before the closure gate was met")]
    mark = marker("reopened", f"{incident.number}.{int(CLOSED_AT.timestamp())}")
    notice = next(e for e in plan.effects if isinstance(e, UpsertComment) and e.marker == mark)
    assert notice.issue == incident.number
    context = _context(notice.body)
    assert context["template"] == {}
    assert len(plan.gate.unmet) >= 2
    assert context["closer"] == "@mara-okafor"
    assert context["why"] == "closed before the closure gate was met"
    assert context["dismissal"] is False
    assert context["status_url"] == "https://github.test/o/r/issues/1#issuecomment-9"
    assert [m["title"] for m in context["missing"]] == [c.title for c in plan.gate.unmet]
    fail = [e for e in plan.effects if isinstance(e, Fail)]
    reasons = "; ".join(c.title for c in plan.gate.unmet)
    assert fail == [
        Fail(
            f"Incident #{incident.number} was closed before the closure gate was met and has "
            f"been reopened. Missing: {reasons}."
        )
    ]


@pytest.mark.parametrize(
    ("event", "closer"),
    [
        pytest.param(None, "", id="no-event-no-closer"),
        pytest.param(Event("issues", "closed", "deploy-bot", True), "", id="a-bot-is-no-closer"),
        pytest.param(Event("issues", "edited", "mara-okafor", False), "", id="not-the-close"),
    ],
)
def test_undo_names_only_the_person_who_closed(event: Event | None, closer: str) -> None:
    incident = _closed(_met_story(without=["stakeholder"]))
    plan = _plan(incident, event=event)
    notice = next(
        e
        for e in plan.effects
        if isinstance(e, UpsertComment) and e.marker.startswith("<!-- warroom:reopened:")
    )
    assert _context(notice.body)["closer"] == closer


@pytest.mark.parametrize(
    ("reason", "words", "template_reason"),
    [
        pytest.param("not_planned", "closed as not planned", "false alarm", id="not-planned"),
        pytest.param("duplicate", "closed as duplicate", "duplicate", id="duplicate"),
    ],
)
def test_undo_of_a_dismissal_without_record(reason: str, words: str, template_reason: str) -> None:
    incident = _closed([], reason)
    event = Event("issues", "closed", "mara-okafor", False)
    plan = _plan(incident, event=event)
    why = f"{words} without an Incident Dismissal record"
    assert [e for e in plan.effects if isinstance(e, Reopen)] == [Reopen(incident.number, why)]
    notice = next(
        e
        for e in plan.effects
        if isinstance(e, UpsertComment) and e.marker.startswith("<!-- warroom:reopened:")
    )
    context = _context(notice.body)
    assert context["dismissal"] is True
    assert context["template"]["reason"] == template_reason
    assert context["template"]["dismissed_by"] == "@mara-okafor"
    assert [e for e in plan.effects if isinstance(e, Fail)] == [
        Fail(
            f"Incident #{incident.number} was {why} and has been reopened. To close it as no "
            "incident, post an Incident Dismissal record (the notice on the issue has it "
            "filled in)."
        )
    ]


def test_a_dismissed_incident_is_logged_not_reopened() -> None:
    incident = _closed([(story.COMMANDER, 10, story.dismissal())], "not_planned")
    plan = _plan(incident)
    assert not [e for e in plan.effects if isinstance(e, Reopen | Fail)]
    assert plan.log == ("closed as not planned/duplicate with a dismissal record",)
    assert plan.outputs["gate"] == "n/a"
    assert plan.outputs["blocked-reasons"] == "[]"
    met = _plan(_closed(_met_story()))
    assert met.log == ()
    assert met.outputs["blocked-reasons"] == "[]"


def _reminders(plan: Any) -> list[UpsertComment]:
    return [
        e
        for e in plan.effects
        if isinstance(e, UpsertComment) and e.marker.startswith("<!-- warroom:reminder:")
    ]


@pytest.mark.parametrize(
    ("after_latest", "reminded"),
    [
        pytest.param(REMINDER_QUIET - timedelta(seconds=1), False, id="quiet-minute-not-over"),
        pytest.param(REMINDER_QUIET, True, id="quiet-minute-exactly-over"),
    ],
)
def test_reminders_wait_the_quiet_minute(after_latest: timedelta, reminded: bool) -> None:
    posts = _met_story(without=["stakeholder"])
    incident = _incident(posts)
    latest = max(a.at for a in incident.applied)
    plan = _plan(incident, now=latest + after_latest + timedelta(hours=3))
    # Hours later the cadence is overdue either way; only the quiet minute differs below.
    assert _reminders(plan)
    plan = _plan(incident, now=latest + after_latest)
    overdue = [
        i
        for i in clock_items(incident, plan.gate, latest + after_latest, Config())
        if i.overdue and i.reminder_key
    ]
    assert bool(_reminders(plan)) is (reminded and bool(overdue))


def test_a_reminder_names_its_owners_and_is_posted_once() -> None:
    incident = _incident(_met_story(without=["stakeholder"]))
    now = START + timedelta(hours=3)
    plan = _plan(incident, now=now)
    reminders = _reminders(plan)
    items = [i for i in clock_items(incident, plan.gate, now, Config()) if i.overdue]
    assert [r.marker for r in reminders] == [
        marker("reminder", f"{incident.number}.{i.reminder_key}") for i in items if i.reminder_key
    ]
    first = _context(reminders[0].body)
    item = next(i for i in items if i.reminder_key)
    assert first["due"] == _time(item.due, Config())
    assert first["owners"] == (" ".join(f"@{x}" for x in item.owners) or "incident commander")
    assert first["key"] == item.key
    again = _plan(incident, now=now, own=[r.marker for r in reminders])
    assert _reminders(again) == []


# -- the status comment --------------------------------------------------------------------


def test_status_context_fields() -> None:
    incident = _incident(_met_story(confidence="L3"))
    gate = evaluate_gate(incident, Config())
    now = START + timedelta(hours=3)
    context = status_context(incident, gate, now, Config(), {})
    assert context["marker"] == marker("status", incident.number)
    assert context["severity"] == "SEV-1"
    assert context["confidence"] == "L3"
    assert context["open"] is True
    assert context["gate"] == "n/a"
    assert context["phase"] == str(incident.phase)
    assert context["severity_source"] == incident.severity_history[-1].source
    items = clock_items(incident, gate, now, Config())
    assert [r["due"] for r in context["upcoming"]] == [
        _time(i.due, Config()) for i in items if not i.overdue
    ]
    assert [r["due"] for r in context["overdue"]] == [
        _time(i.due, Config()) for i in items if i.overdue
    ]
    assert [r["at"] for r in context["records"]] == [
        _time(a.at, Config()) for a in incident.applied
    ]
    lanes = {lane: (owners, nxt) for lane, owners, nxt in context["lanes"]}
    for lane, (owners, nxt) in lanes.items():
        assert owners == _who(incident.owners.lanes.get(Lane(lane), ()))
        named = incident.owners.next_owners.get(Lane(lane))
        assert nxt == (_who(named) if named else f"{_who(incident.owners.deputy)} (deputy)")
    assert context["surfaces"]


def test_status_context_of_an_undeclared_closed_incident() -> None:
    incident = _incident([], declared=False, state="closed", closed_at=CLOSED_AT)
    context = status_context(incident, evaluate_gate(incident, Config()), START, Config(), {})
    assert (context["severity"], context["confidence"], context["open"]) == (
        "unknown",
        "—",
        False,
    )
    assert context["severity_source"] == ""
    assert context["surfaces"] == []


def test_status_effect_ends_with_the_state_and_shows_follow_ups() -> None:
    posts = [
        *_met_story(),
        (
            story.MITIGATION,
            80,
            story.follow_up(
                title="Rotate keys", kind="regression test", owner="cy", due="2026-12-10"
            ),
        ),
    ]
    incident = _incident(posts)
    gate = evaluate_gate(incident, Config())
    keys = [f"{incident.number}.{applied.comment_id}.0" for applied, _ in incident.follow_ups]
    effect = status_effect(
        incident,
        gate,
        START + timedelta(hours=3),
        Config(),
        lambda name, context: (
            "BODY "
            + json.dumps([(r["number"], r["state"]) for r in context["follow_ups"]])
            + " X  \n\n"
        ),
        follow_ups={keys[0]: 51, keys[1]: 52},
        cache={"a": 1},
        follow_up_states={keys[1]: "closed"},
    )
    assert effect.marker == marker("status", incident.number)
    assert effect.issue == incident.number
    rows = json.loads(effect.body[len("BODY ") : effect.body.index(" X")])
    assert sorted(map(tuple, rows), key=str) == sorted(
        [(51, "open"), (52, "closed"), (None, "not opened yet")], key=str
    )
    assert effect.body.endswith(' X  \n\n<!-- warroom-state {"a":1} -->\n')


def test_status_context_next_owner_named_by_a_snapshot() -> None:
    posts = [*_met_story(), (story.COMMANDER, 25, story.snapshot(START, owner="li-wei"))]
    incident = _incident(posts)
    context = status_context(
        incident, evaluate_gate(incident, Config()), START + timedelta(hours=3), Config(), {}
    )
    lanes = {lane: nxt for lane, _, nxt in context["lanes"]}
    assert lanes["triage"] == "`@li-wei`"
    assert lanes["comms"] == f"{_who(incident.owners.deputy)} (deputy)"


@pytest.mark.parametrize(
    ("declared", "severity", "log"),
    [
        pytest.param(True, "SEV-1", "put the severity label back to SEV-1", id="declared"),
        pytest.param(False, "", "put the severity label back to none declared", id="undeclared"),
    ],
)
def test_severity_guard_puts_a_hand_made_label_back(
    declared: bool, severity: str, log: str
) -> None:
    incident = _incident([], declared=declared, labels=("incident", "SEV-2"))
    event = Event("issues", "labeled", "mara-okafor", False, label="SEV-2")
    plan = _plan(incident, event=event)
    assert RemoveLabel(incident.number, "SEV-2") in plan.effects
    notice = next(
        e
        for e in plan.effects
        if isinstance(e, UpsertComment) and e.marker.startswith("<!-- warroom:severity-guard:")
    )
    assert notice.issue == incident.number
    assert plan.outputs["severity"] == severity
    context = _context(notice.body)
    assert (context["severity"], context["label"], context["change"]) == (
        severity,
        "SEV-2",
        "added",
    )
    assert context["sender"] == "@mara-okafor"
    assert context["source"] == (incident.severity_history[-1].source if declared else "")
    assert plan.log == (log,)


def test_a_reply_to_a_still_refused_comment_is_kept_and_others_removed() -> None:
    blank = story.decision(START).replace("- Decision: rollback", "- Decision:")
    incident = _incident([(story.COMMANDER, 10, blank)])
    assert incident.refused
    kept = marker("reply", incident.refused[0].comment.id)
    plan = _plan(incident, own=[kept, marker("reply", 999), marker("status", 1)])
    assert [e for e in plan.effects if isinstance(e, DeleteComment)] == [
        DeleteComment(incident.number, marker("reply", 999))
    ]
    assert [e.marker for e in plan.effects if isinstance(e, UpsertComment)][:1] == [kept]


def _huge(name: str, context: Mapping[str, Any]) -> str:
    return str(context.get("marker", "")) + "\n" + "x" * 70_000


def test_an_overlong_body_is_cut_and_links_where_the_full_text_is() -> None:
    incident = _closed(_met_story(without=["stakeholder"]))
    event = Event("issues", "closed", "mara-okafor", False)
    plan = plan_incident(
        event,
        incident,
        START + timedelta(hours=3),
        Config(),
        _huge,
        own_markers=(),
        cache={"labels": []},
    )
    bodies = {e.marker.split(":")[1]: e.body for e in plan.effects if isinstance(e, UpsertComment)}
    assert {"reopened", "reminder"} <= set(bodies)
    for body in bodies.values():
        assert len(body) <= 65_536
        assert incident.issue.html_url in body
        assert "None" not in body
    gate = evaluate_gate(incident, Config())
    status = status_effect(incident, gate, START, Config(), _huge, follow_ups={}, cache={"a": 1})
    assert len(status.body) <= 65_536
    assert incident.issue.html_url in status.body
    assert status.body.endswith('<!-- warroom-state {"a":1} -->\n')


def test_an_upcoming_item_is_not_a_reminder() -> None:
    decision = story.decision(START, minute=20)
    incident = _incident([(story.MITIGATION, 20, decision)])
    now = START + timedelta(minutes=25)  # past the quiet minute, before the cadence is due
    upcoming = clock_items(incident, evaluate_gate(incident, Config()), now, Config())
    assert upcoming
    assert not any(i.overdue for i in upcoming)
    assert all(i.reminder_key for i in upcoming)
    assert _reminders(_plan(incident, now=now)) == []


@pytest.mark.parametrize(
    ("rendered", "kept"),
    [
        pytest.param("BODY X\n\n", "BODY X", id="only-newlines-trimmed-not-letters"),
        pytest.param("BODY \n", "BODY ", id="only-newlines-trimmed-not-spaces"),
    ],
)
def test_status_body_trims_only_the_template_s_newlines(rendered: str, kept: str) -> None:
    incident = _incident(_met_story())
    effect = status_effect(
        incident,
        evaluate_gate(incident, Config()),
        START,
        Config(),
        lambda name, context: rendered,
        follow_ups={},
        cache={},
    )
    assert effect.body == kept + "\n\n<!-- warroom-state {} -->\n"


def test_a_reminder_pages_every_owner_of_the_lane() -> None:
    config = Config()
    issue = make_issue(story.incident_body(comms="ana, @bo"))
    reading = read_declaration(parse_form(issue.body, bundled_form("incident")), config)
    assert reading.value is not None
    incident = derive(
        issue,
        declaration=reading.value,
        declaration_findings=reading.findings,
        comments=[],
        permissions={},
        config=config,
    )
    (reminder,) = _reminders(_plan(incident, now=START + timedelta(hours=1)))
    assert _context(reminder.body)["owners"] == "@ana @bo"
