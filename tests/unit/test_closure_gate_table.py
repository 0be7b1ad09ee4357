"""The closure gate, the comms cadence and responder authority as decision tables.

Each row starts from a story that meets the whole gate and changes one thing,
so a row fails only for the condition it names. Ids name the playbook rule
(``closure-1`` .. ``closure-5`` are the "Closure acceptance criteria (hard
gate)"; ``gate-*`` the "Recovery completion gate" and "Quick checklist") and
the boundary the row sits on: a rerun timestamped before, at and after the
mitigation decision; "none" in its spellings; L1/L2/L3 against the configured
minimum; the comms cadence at its exact minute, from the current severity.

Records are written as people write them (``warroom.story``) and read by the
real parsers, so a row also fails if a record stops reaching the gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.unit.fake_github import START, make_comment, make_issue
from warroom import story
from warroom.config import Config
from warroom.declaration import read_declaration
from warroom.incident import Incident, Lane, Owners, derive
from warroom.parsing.forms import bundled_form, parse_form
from warroom.parsing.records import read_records
from warroom.rules import clock, closure_gate

ROOT_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "records"

Post = tuple[str, int, str]
"""(author, minutes after the start, comment body)."""

DECISION_MINUTE = 20


def _incident(
    posts: Sequence[Post],
    *,
    config: Config | None = None,
    severity: str = "SEV-1",
    permissions: dict[str, str] | None = None,
    declared: bool = True,
    **issue: Any,
) -> Incident:
    config = config or Config()
    snapshot = make_issue(story.incident_body(severity=severity) if declared else "", **issue)
    reading = read_declaration(parse_form(snapshot.body, bundled_form("incident")), config)
    assert (reading.value is not None) is declared, reading.findings
    people = []
    for ident, (author, minutes, body) in enumerate(posts, start=1):
        comment = make_comment(body, author=author, minutes=minutes, ident=ident)
        records = read_records(body, config, reference=comment.created_at)
        assert records, body
        people.append((comment, records))
    if permissions is None:
        permissions = {author.lower(): "write" for author, _, _ in posts}
    return derive(
        snapshot,
        declaration=reading.value,
        declaration_findings=reading.findings,
        comments=people,
        permissions=permissions,
        config=config,
    )


def _met_story(
    *,
    rerun_minute: int = 45,
    rerun_result: str = "green",
    risk: str | None = None,
    confidence: str | None = None,
    extra: Sequence[Post] = (),
    without: Sequence[str] = (),
) -> list[Post]:
    """A story that meets every gate condition, with one thing changed.

    The closure record comes before the rerun so the rerun's residual risk is the
    latest statement; a final leadership note states ``confidence`` when given.
    """
    s = START
    posts: dict[str, Post] = {
        "decision": (
            story.MITIGATION,
            DECISION_MINUTE,
            story.decision(s, minute=DECISION_MINUTE, confidence="L2"),
        ),
        "closure": (story.COMMANDER, 30, story.closure()),
        "verification": (
            story.VERIFICATION,
            50,
            story.verification(s, minute=rerun_minute, result=rerun_result, risk=risk),
        ),
        "stakeholder": (story.COMMS, 55, story.stakeholder(s)),
        "evidence": (story.VERIFICATION, 18, story.auth_evidence(s)),
    }
    for index, (author, body) in enumerate(story.follow_ups()):
        posts[f"follow-up-{index}"] = (author, 60 + index, body)
    if confidence is not None:
        posts["leadership"] = (story.COMMANDER, 70, story.leadership(confidence=confidence))
    found = [post for key, post in posts.items() if key not in without]
    return [*found, *extra]


def _unmet(incident: Incident, config: Config | None = None) -> set[str]:
    return {c.key for c in closure_gate.evaluate(incident, config or Config()) if not c.met}


def test_the_met_story_meets_every_condition() -> None:
    conditions = closure_gate.evaluate(_incident(_met_story()), Config())
    assert [c.key for c in conditions if not c.met] == []
    assert closure_gate.is_met(conditions)


# --- closure-1: mitigation executed and verified with fresh command evidence ----------------


@pytest.mark.parametrize(
    ("story_kw", "unmet"),
    [
        pytest.param(
            {"rerun_minute": DECISION_MINUTE - 5},
            {"rerun"},
            id="closure-1-fresh-rerun/green-rerun-before-mitigation-is-stale",
        ),
        pytest.param(
            {"rerun_minute": DECISION_MINUTE - 1},
            {"rerun"},
            id="closure-1-fresh-rerun/green-rerun-one-minute-before-mitigation-is-stale",
        ),
        pytest.param(
            {"rerun_minute": DECISION_MINUTE},
            {"rerun"},
            id="closure-1-fresh-rerun/green-rerun-at-the-mitigation-minute-is-not-after-it",
        ),
        pytest.param(
            {"rerun_minute": DECISION_MINUTE + 1},
            set(),
            id="closure-1-fresh-rerun/green-rerun-one-minute-after-mitigation-is-fresh",
        ),
        pytest.param(
            {"rerun_result": "red"},
            {"rerun"},
            id="closure-1-fresh-rerun/red-rerun-after-mitigation-is-not-green",
        ),
        pytest.param(
            {"without": ["verification"]},
            {"rerun"},
            id="closure-1-fresh-rerun/no-rerun-at-all",
        ),
        pytest.param(
            {"without": ["decision"]},
            {"rerun"},
            id="closure-1-mitigation-executed/no-mitigation-decision",
        ),
    ],
)
def test_closure_1_fresh_rerun_evidence(story_kw: dict[str, Any], unmet: set[str]) -> None:
    assert _unmet(_incident(_met_story(**story_kw))) == unmet


@pytest.mark.parametrize(
    ("reruns", "met"),
    [
        pytest.param(
            [("green", 40), ("red", 50)], False, id="closure-1-fresh-rerun/latest-red-after-green"
        ),
        pytest.param(
            [("red", 40), ("green", 50)], True, id="closure-1-fresh-rerun/latest-green-after-red"
        ),
        pytest.param(
            [("green", 50), ("red", 40)],
            True,
            id="closure-1-fresh-rerun/latest-by-timestamp-not-by-posting-order",
        ),
        pytest.param(
            [("green", DECISION_MINUTE - 1), ("red", DECISION_MINUTE + 1)],
            False,
            id="closure-1-fresh-rerun/stale-green-does-not-outweigh-fresh-red",
        ),
        pytest.param(
            [("red", DECISION_MINUTE + 1), ("green", DECISION_MINUTE - 1)],
            False,
            id="closure-1-fresh-rerun/stale-green-posted-last-does-not-count",
        ),
    ],
)
def test_closure_1_the_latest_fresh_rerun_decides(reruns: list[tuple[str, int]], met: bool) -> None:
    extra = [
        (story.VERIFICATION, 56 + i, story.verification(START, minute=minute, result=result))
        for i, (result, minute) in enumerate(reruns)
    ]
    incident = _incident(_met_story(without=["verification"], extra=extra))
    assert ("rerun" not in _unmet(incident)) is met


def test_closure_1_a_later_mitigation_decision_makes_an_earlier_rerun_stale() -> None:
    again = (story.MITIGATION, 57, story.decision(START, minute=50, choice="continue mitigation"))
    incident = _incident(_met_story(extra=[again]))
    rerun = closure_gate.evaluate(incident, Config())[1]
    assert (rerun.key, rerun.met) == ("rerun", False)
    assert "2026-11-28 16:50" in rerun.detail


# --- closure-2: rollback trigger and owner documented for the 24h watch window -------------


def test_closure_2_watch_needs_a_rollback_trigger_and_an_owner() -> None:
    # The leadership note names the watch owner (and L3); no record names a rollback trigger.
    incident = _incident(_met_story(without=["closure"], confidence="L3"))
    watch = closure_gate.evaluate(incident, Config())[2]
    assert (watch.key, watch.met, watch.detail) == ("watch", False, "no rollback trigger on record")
    assert _unmet(incident) == {"watch"}


def test_closure_2_watch_with_neither_names_both() -> None:
    incident = _incident(_met_story(without=["closure"]))
    watch = closure_gate.evaluate(incident, Config())[2]
    assert watch.detail == "no rollback trigger and no 24h watch owner on record"


def test_closure_2_watch_met_names_the_owner() -> None:
    watch = closure_gate.evaluate(_incident(_met_story()), Config())[2]
    assert (watch.met, watch.detail) == (True, f"watch owner @{story.DEPUTY}")


# --- closure-3: residual risks are explicit (not "none" by default) ------------------------


@pytest.mark.parametrize(
    ("risk", "met"),
    [
        pytest.param("none", False, id="closure-3-residual-risk/none"),
        pytest.param("None.", False, id="closure-3-residual-risk/None-with-a-full-stop"),
        pytest.param("n/a", False, id="closure-3-residual-risk/n-a"),
        pytest.param("No residual risk", False, id="closure-3-residual-risk/no-residual-risk"),
        pytest.param(
            "tokens cached by mobile clients may fail until they refresh",
            True,
            id="closure-3-residual-risk/real-text",
        ),
        pytest.param(
            "none known beyond cached mobile tokens, watched by the 401 alert",
            True,
            id="closure-3-residual-risk/real-text-starting-with-none",
        ),
    ],
)
def test_closure_3_residual_risk_is_explicit(risk: str, met: bool) -> None:
    assert ("residual" not in _unmet(_incident(_met_story(risk=risk)))) is met


def test_closure_3_the_latest_statement_counts_not_an_earlier_real_one() -> None:
    # The closure record's real statement (minute 30) is followed by a rerun saying none.
    incident = _incident(_met_story(risk="none"))
    residual = closure_gate.evaluate(incident, Config())[3]
    assert (residual.key, residual.met, residual.detail) == (
        "residual",
        False,
        "the latest residual risk says none",
    )


# --- closure-4 / gate-4: hardening follow-ups assigned with owners and due dates -----------


@pytest.mark.parametrize(
    ("without", "missing"),
    [
        pytest.param(
            ["follow-up-0"], "guardrail automation", id="closure-4-follow-ups/no-guardrail"
        ),
        pytest.param(["follow-up-1"], "regression test", id="closure-4-follow-ups/no-regression"),
        pytest.param(
            ["follow-up-0", "follow-up-1"],
            "guardrail automation, regression test",
            id="closure-4-follow-ups/none-at-all",
        ),
    ],
)
def test_closure_4_follow_ups_of_each_required_kind(without: list[str], missing: str) -> None:
    conditions = closure_gate.evaluate(_incident(_met_story(without=without)), Config())
    follow_ups = conditions[4]
    assert (follow_ups.key, follow_ups.met) == ("follow-ups", False)
    assert follow_ups.detail == f"missing: {missing}"
    assert {c.key for c in conditions if not c.met} == {"follow-ups"}


def test_closure_4_required_kinds_follow_the_config() -> None:
    config = Config.model_validate({"closure": {"required_follow_up_kinds": ["timeline"]}})
    assert _unmet(_incident(_met_story(), config=config), config) == {"follow-ups"}
    lenient = Config.model_validate({"closure": {"required_follow_up_kinds": []}})
    story_without = _met_story(without=["follow-up-0", "follow-up-1"])
    assert _unmet(_incident(story_without, config=lenient), lenient) == set()


# --- closure-5: communications timeline is complete ------------------------------------------


@pytest.mark.parametrize(
    ("posts", "met"),
    [
        pytest.param([], False, id="closure-5-comms/no-stakeholder-update"),
        pytest.param(["mitigating"], False, id="closure-5-comms/latest-update-not-recovered"),
        pytest.param(["recovered"], True, id="closure-5-comms/ends-recovered"),
        pytest.param(
            ["recovered", "investigating"], False, id="closure-5-comms/recovered-then-reopened"
        ),
    ],
)
def test_closure_5_comms_timeline_ends_recovered(posts: list[str], met: bool) -> None:
    extra = [
        (story.COMMS, 56 + i, story.stakeholder(START, status=status))
        for i, status in enumerate(posts)
    ]
    incident = _incident(_met_story(without=["stakeholder"], extra=extra))
    assert ("comms" not in _unmet(incident)) is met


# --- gate-1: severity and ownership recorded ----------------------------------------------


def test_gate_1_ownership_needs_every_lane_owned() -> None:
    body = story.incident_body(comms="")
    issue = make_issue(body)
    config = Config()
    reading = read_declaration(parse_form(issue.body, bundled_form("incident")), config)
    incident = derive(
        issue,
        declaration=reading.value,
        declaration_findings=reading.findings,
        comments=[],
        permissions={},
        config=config,
    )
    ownership = closure_gate.evaluate(incident, config)[0]
    assert (ownership.key, ownership.met) == ("ownership", False)


def test_gate_1_ownership_met_names_severity_and_commander() -> None:
    ownership = closure_gate.evaluate(_incident(_met_story()), Config())[0]
    assert (ownership.key, ownership.met) == ("ownership", True)
    assert ownership.detail == f"SEV-1, commander @{story.COMMANDER}"


# --- never close on L1: the latest stated confidence against closure.min_confidence ----------


@pytest.mark.parametrize(
    ("stated", "minimum", "met"),
    [
        pytest.param("L1", "L3", False, id="closure-confidence/L1-against-L3"),
        pytest.param("L2", "L3", False, id="closure-confidence/L2-against-L3"),
        pytest.param("L3", "L3", True, id="closure-confidence/L3-against-L3"),
        pytest.param("L1", "L2", False, id="closure-confidence/L1-against-L2-never-close-on-L1"),
        pytest.param("L2", "L2", True, id="closure-confidence/L2-against-L2"),
        pytest.param("L3", "L2", True, id="closure-confidence/L3-against-L2"),
    ],
)
def test_closure_confidence_at_least_the_minimum(stated: str, minimum: str, met: bool) -> None:
    config = Config.model_validate({"closure": {"min_confidence": minimum}})
    incident = _incident(_met_story(confidence=stated), config=config)
    assert _unmet(incident, config) == (set() if met else {"confidence"})


def test_closure_confidence_the_latest_statement_counts() -> None:
    # The closure record says L3 at minute 30; a leadership note at 70 says L1.
    incident = _incident(_met_story(confidence="L1"))
    confidence = closure_gate.evaluate(incident, Config())[6]
    assert (confidence.met, confidence.detail) == (False, "the latest confidence is L1")


# --- comms cadence (rules/clock.py): from the CURRENT severity, at the exact minute -----------

_UPDATE_MINUTE = 10


def _cadence_story(revised: str | None) -> list[Post]:
    """A stakeholder update at minute 10 promising the next one in 8 hours; optionally a
    decision record at minute 5 that revises the severity with evidence."""
    posts: list[Post] = []
    if revised is not None:
        posts.append((story.MITIGATION, 5, story.decision(START, minute=5, severity=revised)))
    posts.append(
        (story.COMMS, _UPDATE_MINUTE, story.stakeholder(START, status="mitigating", next_in=8 * 60))
    )
    return posts


@pytest.mark.parametrize(
    ("declared", "revised", "cadence"),
    [
        pytest.param("SEV-3", None, 240, id="comms-cadence/declared-SEV-3-every-240-minutes"),
        pytest.param("SEV-1", None, 30, id="comms-cadence/declared-SEV-1-every-30-minutes"),
        pytest.param("SEV-3", "SEV-1", 30, id="comms-cadence/revised-up-to-SEV-1-uses-30"),
        pytest.param("SEV-1", "SEV-2", 60, id="comms-cadence/revised-down-to-SEV-2-uses-60"),
    ],
)
@pytest.mark.parametrize(
    ("offset", "overdue"),
    [
        pytest.param(-1, False, id="a-minute-before"),
        pytest.param(0, False, id="at-the-exact-cadence-minute"),
        pytest.param(1, True, id="a-minute-after"),
    ],
)
def test_comms_cadence_follows_the_current_severity(
    declared: str, revised: str | None, cadence: int, offset: int, overdue: bool
) -> None:
    config = Config()
    incident = _incident(_cadence_story(revised), severity=declared, config=config)
    if revised is not None:
        assert str(incident.severity) == revised
    due = START + timedelta(minutes=_UPDATE_MINUTE + cadence)
    now = due + timedelta(minutes=offset)
    (comms,) = [item for item in clock.items(incident, now, config) if item.key == "comms"]
    assert (comms.due, comms.overdue) == (due, overdue)
    assert comms.reminder_key == f"comms-{due:%Y%m%dT%H%M}"


def test_comms_cadence_before_any_update_counts_from_the_issue() -> None:
    config = Config()
    incident = _incident([], severity="SEV-2", config=config)
    (comms,) = [i for i in clock.items(incident, START, config) if i.key == "comms"]
    assert comms.due == START + timedelta(minutes=60)
    assert comms.owners == (story.COMMS,)


def test_comms_cadence_the_committed_time_wins_when_sooner() -> None:
    config = Config()
    update = (story.COMMS, 10, story.stakeholder(START, status="mitigating", next_in=20))
    incident = _incident([update], severity="SEV-3", config=config)
    (comms,) = [i for i in clock.items(incident, START, config) if i.key == "comms"]
    assert comms.due == START + timedelta(minutes=20)


# --- responders.logins: allowed by name, whatever the case or a leading @ --------------------


@pytest.mark.parametrize(
    ("listed_as", "author", "applied"),
    [
        pytest.param("nadia-k", "nadia-k", True, id="authority-responders-logins/listed-exactly"),
        pytest.param(
            "Nadia-K", "nadia-k", True, id="authority-responders-logins/listed-in-other-case"
        ),
        pytest.param("@nadia-k", "Nadia-K", True, id="authority-responders-logins/listed-with-at"),
        pytest.param("@NADIA-K", "nadia-k", True, id="authority-responders-logins/at-and-case"),
        pytest.param(
            "nadia", "nadia-k", False, id="authority-responders-logins/prefix-is-not-a-match"
        ),
        pytest.param(
            None, "nadia-k", False, id="authority-responders-logins/not-listed-read-refused"
        ),
    ],
)
def test_authority_responders_logins_are_allowed_by_name(
    listed_as: str | None, author: str, applied: bool
) -> None:
    logins = [listed_as] if listed_as else []
    config = Config.model_validate({"responders": {"logins": logins}})
    incident = _incident(
        [(author, 10, story.stakeholder(START, status="investigating"))],
        config=config,
        permissions={author.lower(): "read"},
    )
    assert (len(incident.applied), len(incident.refused)) == ((1, 0) if applied else (0, 1))


# --- what each condition says: the status comment shows title, detail and the fix -----------
# Every unmet condition names the record that would meet it; these rows pin the words, so a
# condition that goes quiet or tells people to post the wrong record fails here.

_T = {
    "ownership": "severity and ownership recorded",
    "rerun": "mitigation executed and verified with fresh rerun evidence",
    "watch": "rollback trigger and owner documented for the 24h watch window",
    "residual": 'residual risks explicit (not "none")',
    "follow-ups": "hardening follow-ups assigned with owners and due dates",
    "comms": "communications timeline complete",
    "confidence": "confidence at least L3 (never close on L1)",
}


def _without_owner(
    incident: Incident, *, commander: bool = False, lanes: Sequence[Lane] = ()
) -> Incident:
    owners = incident.owners
    changed = Owners(
        commander=() if commander else owners.commander,
        deputy=owners.deputy,
        lanes={lane: () if lane in lanes else who for lane, who in owners.lanes.items()},
        next_owners=owners.next_owners,
    )
    return replace(incident, owners=changed)


def _with_commanders(incident: Incident, *logins: str) -> Incident:
    return replace(incident, owners=replace(incident.owners, commander=logins))


def _condition(incident: Incident, key: str) -> closure_gate.Condition:
    (found,) = [c for c in closure_gate.evaluate(incident, Config()) if c.key == key]
    return found


_MET = _met_story(confidence="L3")
_TWO_WATCHERS = story.closure().replace(
    f"Owner for 24h watch: @{story.DEPUTY}", f"Owner for 24h watch: @{story.DEPUTY} @kim-lee"
)
_CLOSURE_FIX_WATCH = (
    "post an Incident Closure Record (Rollback trigger, 24h watch owner) "
    "or a Handoff Record and an Incident Leadership Note"
)


@pytest.mark.parametrize(
    ("incident", "key", "met", "detail", "fix"),
    [
        pytest.param(
            lambda: _incident([], declared=False),
            "ownership",
            False,
            "no severity on record",
            "fix the issue form's Severity (edit the issue)",
            id="gate-1-ownership/no-severity",
        ),
        pytest.param(
            lambda: _without_owner(_incident(_MET), commander=True),
            "ownership",
            False,
            "no incident commander",
            "fill the owner graph in the issue form, or post a Handoff Record",
            id="gate-1-ownership/no-commander",
        ),
        pytest.param(
            lambda: _without_owner(_incident(_MET), lanes=[Lane.VERIFICATION, Lane.COMMS]),
            "ownership",
            False,
            "no owner of verification, comms",
            "fill the owner graph in the issue form, or post a Handoff Record",
            id="gate-1-ownership/lanes-without-owner",
        ),
        pytest.param(
            lambda: _incident(_MET),
            "ownership",
            True,
            f"SEV-1, commander @{story.COMMANDER}",
            "",
            id="gate-1-ownership/met",
        ),
        pytest.param(
            lambda: _incident(_met_story(without=["decision"])),
            "rerun",
            False,
            "no mitigation decision on record",
            "post a Checkpoint Decision Record (continue mitigation or rollback)",
            id="closure-1-fresh-rerun/says-post-a-decision",
        ),
        pytest.param(
            lambda: _incident(_met_story(rerun_minute=DECISION_MINUTE)),
            "rerun",
            False,
            "no rerun recorded after the mitigation decision of 2026-11-28 16:20 UTC",
            "post a Verification Rerun Record with commands, outputs and Result: green, "
            "timestamped after the mitigation",
            id="closure-1-fresh-rerun/says-rerun-after-the-mitigation",
        ),
        pytest.param(
            lambda: _incident(_met_story(rerun_result="red")),
            "rerun",
            False,
            "the latest rerun (2026-11-28 16:45 UTC) is red",
            "fix and rerun, then post a Verification Rerun Record with Result: green",
            id="closure-1-fresh-rerun/says-the-rerun-is-red",
        ),
        pytest.param(
            lambda: _incident(_MET),
            "rerun",
            True,
            "green rerun at 2026-11-28 16:45 UTC on 4f2c1a9",
            "",
            id="closure-1-fresh-rerun/met",
        ),
        pytest.param(
            lambda: _incident(_met_story(without=["closure"])),
            "watch",
            False,
            "no rollback trigger and no 24h watch owner on record",
            _CLOSURE_FIX_WATCH,
            id="closure-2-watch/says-post-a-closure-record",
        ),
        pytest.param(
            lambda: _incident(_met_story(without=["closure", "verification"])),
            "residual",
            False,
            "no residual risk statement on record",
            "write Residual risk in a Verification Rerun Record or Closure Record",
            id="closure-3-residual-risk/no-statement",
        ),
        pytest.param(
            lambda: _incident(_met_story(risk="None.")),
            "residual",
            False,
            "the latest residual risk says none",
            "name what could still go wrong, and how you would notice it",
            id="closure-3-residual-risk/says-name-what-could-go-wrong",
        ),
        pytest.param(
            lambda: _incident(_met_story(risk="cached   tokens\n  may fail")),
            "residual",
            True,
            "cached tokens may fail",
            "",
            id="closure-3-residual-risk/met-shows-the-statement-on-one-line",
        ),
        pytest.param(
            lambda: _incident(_met_story(without=["follow-up-0", "follow-up-1"])),
            "follow-ups",
            False,
            "missing: guardrail automation, regression test",
            "post a Hardening Follow-up record for each: "
            "Kind: guardrail automation, Kind: regression test",
            id="closure-4-follow-ups/says-which-kinds",
        ),
        pytest.param(
            lambda: _incident(_MET),
            "follow-ups",
            True,
            "2 on record",
            "",
            id="closure-4-follow-ups/met",
        ),
        pytest.param(
            lambda: _with_commanders(_incident(_MET), story.COMMANDER, "kim-lee"),
            "ownership",
            True,
            f"SEV-1, commander @{story.COMMANDER}, @kim-lee",
            "",
            id="gate-1-ownership/met-with-two-commanders",
        ),
        pytest.param(
            lambda: _incident(_MET),
            "watch",
            True,
            f"watch owner @{story.DEPUTY}",
            "",
            id="closure-2-watch/met",
        ),
        pytest.param(
            lambda: _incident(
                [
                    post if post[2] != story.closure() else (post[0], post[1], _TWO_WATCHERS)
                    for post in _met_story()
                ]
            ),
            "watch",
            True,
            f"watch owner @{story.DEPUTY}, @kim-lee",
            "",
            id="closure-2-watch/met-with-two-owners",
        ),
        pytest.param(
            lambda: _incident(
                _met_story(
                    extra=[
                        (
                            story.MITIGATION,
                            80,
                            story.decision(START, minute=80)
                            + "- Residual risk: mobile clients may cache rejected tokens\n",
                        )
                    ]
                )
            ),
            "residual",
            True,
            "mobile clients may cache rejected tokens",
            "",
            id="closure-3-residual-risk/a-later-decision-record-states-it",
        ),
        pytest.param(
            lambda: _incident(_met_story(without=["stakeholder"])),
            "comms",
            False,
            "no stakeholder update on record",
            "post a Stakeholder Update (Status: recovered)",
            id="closure-5-comms/says-post-an-update",
        ),
        pytest.param(
            lambda: _incident(
                _met_story(extra=[(story.COMMS, 80, story.stakeholder(START, status="mitigating"))])
            ),
            "comms",
            False,
            "the latest stakeholder update says mitigating",
            "post a Stakeholder Update with Status: recovered",
            id="closure-5-comms/says-post-recovered",
        ),
        pytest.param(
            lambda: _incident(_MET),
            "comms",
            True,
            "1 update, ending recovered",
            "",
            id="closure-5-comms/met-one-update",
        ),
        pytest.param(
            lambda: _incident(
                _met_story(extra=[(story.COMMS, 80, story.stakeholder(START, status="recovered"))])
            ),
            "comms",
            True,
            "2 updates, ending recovered",
            "",
            id="closure-5-comms/met-two-updates",
        ),
        pytest.param(
            lambda: _incident([(story.COMMS, 10, story.stakeholder(START))]),
            "confidence",
            False,
            "no confidence level on record",
            "state Current confidence level: L3 in an Incident Leadership Note or Closure Record",
            id="closure-confidence/none-stated",
        ),
        pytest.param(
            lambda: _incident(_met_story(confidence="L2")),
            "confidence",
            False,
            "the latest confidence is L2",
            "gather the evidence for L3, then say so in a Leadership Note",
            id="closure-confidence/says-gather-evidence",
        ),
        pytest.param(
            lambda: _incident(_MET),
            "confidence",
            True,
            "L3",
            "",
            id="closure-confidence/met",
        ),
    ],
)
def test_each_condition_says_what_is_missing_and_what_to_post(
    incident: Any, key: str, met: bool, detail: str, fix: str
) -> None:
    condition = _condition(incident(), key)
    assert (condition.title, condition.met, condition.detail, condition.fix) == (
        _T[key],
        met,
        detail,
        fix,
    )


_WORDS = "abcd " * 31  # 155 characters, then a last word across the 160th


@pytest.mark.parametrize(
    ("statement", "detail"),
    [
        pytest.param(
            _WORDS + "efghi", _WORDS + "efghi", id="closure-3-residual-risk/160-shown-whole"
        ),
        pytest.param(
            _WORDS + "efghij",
            _WORDS.rstrip() + " …",
            id="closure-3-residual-risk/161-cut-at-a-word",
        ),
    ],
)
def test_closure_3_a_long_statement_is_cut_at_a_word(statement: str, detail: str) -> None:
    assert len(_WORDS) == 155
    assert _condition(_incident(_met_story(risk=statement)), "residual").detail == detail


def test_closure_4_missing_kinds_follow_the_configs_order() -> None:
    config = Config.model_validate(
        {"closure": {"required_follow_up_kinds": ["timeline publication", "guardrail automation"]}}
    )
    incident = _incident(_met_story(without=["follow-up-0"]), config=config)
    (follow_ups,) = [c for c in closure_gate.evaluate(incident, config) if c.key == "follow-ups"]
    assert follow_ups.detail == "missing: timeline publication, guardrail automation"


# --- the playbook's clock: first 15 minutes, checkpoints, the watch, the hardening loop ------


def _clock(incident: Incident, minutes: float, key: str) -> clock.ClockItem | None:
    now = START + timedelta(minutes=minutes)
    found = [item for item in clock.items(incident, now, Config()) if item.key == key]
    assert len(found) <= 1
    return found[0] if found else None


def test_first_15_checklist_is_ticked_from_the_declaration() -> None:
    steps = clock.first_fifteen(_incident([]))
    assert [(s.title, s.done) for s in steps] == [
        ("assign incident owner and deputy", True),
        ("capture baseline evidence (failing commands, logs, blast radius)", True),
        ("open lane tracker with explicit next owner per lane", True),
    ]
    assert [s.how for s in steps] == [
        "name the Incident commander and Deputy in the issue form",
        "fill Baseline evidence and Blast radius in the issue form, or paste the precheck "
        "commands and their output in the first Checkpoint Decision Record",
        "name every lane's owner in the form and a Deputy (every lane's next owner)",
    ]
    assert _clock(_incident([]), 30, "first-15") is None


@pytest.mark.parametrize(
    ("change", "open_steps"),
    [
        pytest.param(
            {"deputy": ()},
            "assign incident owner and deputy; open lane tracker with explicit next owner per lane",
            id="first-15/no-deputy-no-next-owner",
        ),
        pytest.param(
            {"commander": ()},
            "assign incident owner and deputy",
            id="first-15/no-commander",
        ),
        pytest.param(
            {"deputy": (), "next_owners": dict.fromkeys(Lane, ("kim-lee",))},
            "assign incident owner and deputy",
            id="first-15/named-next-owners-stand-in-for-the-deputy-in-the-tracker",
        ),
        pytest.param(
            {"lanes": {**dict.fromkeys(Lane, ("x",)), Lane.COMMS: ()}},
            "open lane tracker with explicit next owner per lane",
            id="first-15/a-lane-without-owner",
        ),
    ],
)
@pytest.mark.parametrize(
    ("minutes", "overdue"),
    [
        pytest.param(14, False, id="minute-14"),
        pytest.param(15, False, id="at-the-exact-15th-minute"),
        pytest.param(16, True, id="minute-16"),
    ],
)
def test_first_15_minutes_are_due_at_minute_15(
    change: dict[str, Any], open_steps: str, minutes: int, overdue: bool
) -> None:
    incident = _incident([])
    incident = replace(incident, owners=replace(incident.owners, **change))
    item = _clock(incident, minutes, "first-15")
    assert item is not None
    assert item.title == f"first 15 minutes: {open_steps}"
    assert (item.due, item.overdue) == (START + timedelta(minutes=15), overdue)
    assert item.owners == incident.owners.commander
    assert item.reminder_key == "first-15-20261128T1615"


def test_baseline_step_needs_evidence_and_blast_radius() -> None:
    incident = _incident([])
    assert incident.declaration is not None
    bare = replace(
        incident, declaration=incident.declaration.model_copy(update={"blast_radius": ""})
    )
    assert [s.done for s in clock.first_fifteen(bare)] == [True, False, True]


@pytest.mark.parametrize(
    ("minutes", "overdue"),
    [
        pytest.param(30, False, id="checkpoint/at-the-exact-minute"),
        pytest.param(31, True, id="checkpoint/a-minute-after"),
    ],
)
def test_checkpoint_is_due_at_its_time_and_owned_by_the_next_owner(
    minutes: int, overdue: bool
) -> None:
    incident = _incident([(story.COMMANDER, 5, story.snapshot(START, next_in=30))])
    item = _clock(incident, minutes, "checkpoint")
    assert item is not None
    assert (item.title, item.due, item.owners, item.overdue, item.reminder_key) == (
        "next checkpoint",
        START + timedelta(minutes=30),
        (story.DEPUTY,),
        overdue,
        "checkpoint-20261128T1630",
    )


def test_comms_without_severity_falls_back_to_an_hour_and_no_owner() -> None:
    incident = replace(_incident([], declared=False), owners=Owners())
    item = _clock(incident, 0, "comms")
    assert item is not None
    assert (item.title, item.due, item.owners) == (
        "next stakeholder update",
        START + timedelta(minutes=60),
        (),
    )


_CLOSED_AT = START + timedelta(hours=2)


@pytest.mark.parametrize(
    ("hours", "shown"),
    [
        pytest.param(3, True, id="closure-2-watch/within-the-window"),
        pytest.param(26, True, id="closure-2-watch/at-the-exact-end"),
        pytest.param(26 + 1 / 60, False, id="closure-2-watch/a-minute-after-the-end"),
    ],
)
def test_watch_window_runs_24h_from_the_close(hours: float, shown: bool) -> None:
    incident = _incident(_MET, state="closed", closed_at=_CLOSED_AT)
    item = _clock(incident, hours * 60, "watch")
    if not shown:
        assert item is None
        return
    assert item is not None
    assert (item.title, item.due, item.owners, item.overdue, item.reminder_key) == (
        "24h watch window ends",
        _CLOSED_AT + timedelta(hours=24),
        (story.DEPUTY,),
        False,
        "",
    )
    # Closed: no first-15, checkpoint or comms items any more.
    keys = {i.key for i in clock.items(incident, START + timedelta(hours=hours), Config())}
    assert keys <= {"watch", "hardening"}


def test_watch_owner_is_the_latest_named() -> None:
    later = (story.COMMANDER, 90, story.leadership().replace(f"@{story.DEPUTY}", "@kim-lee"))
    incident = _incident([*_MET, later], state="closed", closed_at=_CLOSED_AT)
    item = _clock(incident, 180, "watch")
    assert item is not None
    assert item.owners == ("kim-lee",)


@pytest.mark.parametrize(
    ("state", "closed_at"),
    [
        pytest.param("open", None, id="closure-2-watch/open-incident-has-no-watch"),
        pytest.param("open", _CLOSED_AT, id="closure-2-watch/reopened-incident-has-no-watch"),
        pytest.param("closed", None, id="closure-2-watch/closed-without-a-time"),
    ],
)
def test_no_watch_unless_closed(state: str, closed_at: Any) -> None:
    incident = _incident(_MET, state=state, closed_at=closed_at)
    assert _clock(incident, 180, "watch") is None


_RECOVERED_MINUTE = 55  # the stakeholder update in _met_story


@pytest.mark.parametrize(
    ("minutes", "overdue"),
    [
        pytest.param(_RECOVERED_MINUTE + 24 * 60, False, id="hardening-loop/at-the-exact-24h"),
        pytest.param(_RECOVERED_MINUTE + 24 * 60 + 1, True, id="hardening-loop/a-minute-after"),
    ],
)
def test_hardening_loop_within_24h_of_recovery(minutes: int, overdue: bool) -> None:
    item = _clock(_incident(_MET), minutes, "hardening")
    assert item is not None
    assert (item.title, item.due, item.owners, item.overdue, item.reminder_key) == (
        "post-incident hardening loop: timeline publication",
        START + timedelta(minutes=_RECOVERED_MINUTE + 24 * 60),
        (story.COMMANDER,),
        overdue,
        "hardening-20261129T1655",
    )


def test_hardening_loop_lists_every_missing_kind_and_ends_when_all_are_there() -> None:
    none = _incident(_met_story(without=["follow-up-0", "follow-up-1"]))
    item = _clock(none, 60, "hardening")
    assert item is not None
    assert item.title == (
        "post-incident hardening loop: guardrail automation, regression test, timeline publication"
    )
    timeline = story.follow_up(
        title="Publish the timeline",
        kind="timeline publication",
        owner=story.COMMS,
        due="2026-12-01",
    )
    done = _incident([*_MET, (story.COMMS, 90, timeline)])
    assert _clock(done, 60 * 30, "hardening") is None


def test_hardening_loop_starts_only_at_recovery() -> None:
    assert _clock(_incident(_met_story(without=["stakeholder"])), 60, "hardening") is None


def test_recovered_at_is_the_latest_recovered_update() -> None:
    posts = [
        (story.COMMS, 30, story.stakeholder(START, status="recovered")),
        (story.COMMS, 40, story.stakeholder(START, status="investigating")),
        (story.COMMS, 50, story.stakeholder(START, status="recovered")),
        (story.COMMS, 60, story.stakeholder(START, status="mitigating")),
    ]
    assert clock.recovered_at(_incident(posts)) == START + timedelta(minutes=50)
    assert clock.recovered_at(_incident(posts[1:2])) is None


# --- authority as records are folded: one refused comment refuses only itself ---------------

_HANDOFF = (ROOT_FIXTURES / "handoff-record" / "input.md").read_text(encoding="utf-8")
_ESCALATION = (ROOT_FIXTURES / "escalation-message" / "input.md").read_text(encoding="utf-8")


def test_authority_a_refused_comment_does_not_stop_the_ones_after_it() -> None:
    posts = [
        ("outsider", 10, story.stakeholder(START, status="investigating")),
        (story.COMMS, 20, story.stakeholder(START, status="mitigating")),
    ]
    incident = _incident(posts, permissions={"outsider": "read", story.COMMS: "write"})
    assert [r.comment.author for r in incident.refused] == ["outsider"]
    assert [(a.author, a.comment_id, a.url) for a in incident.applied] == [
        (story.COMMS, 2, "https://github.test/o/r/issues/1#issuecomment-2")
    ]


def test_authority_an_author_with_no_known_permission_has_none() -> None:
    incident = _incident([("stranger", 10, story.stakeholder(START))], permissions={})
    (refused,) = incident.refused
    assert refused.unauthorized is not None
    assert refused.unauthorized.startswith("@stranger has none permission")


def test_a_handoff_moves_every_lane_of_the_from_owner_whatever_the_case() -> None:
    handoff = _HANDOFF.replace("@tomas-lindqvist", "@Tomas-Lindqvist")
    incident = _incident([(story.COMMANDER, 10, handoff)])
    assert incident.owners.lanes[Lane.MITIGATION] == (story.DEPUTY,)
    assert incident.owners.lanes[Lane.VERIFICATION] == (story.VERIFICATION,)
    assert incident.owners.lanes[Lane.COMMS] == (story.COMMS,)


def test_named_next_owners_move_with_snapshots_and_escalations() -> None:
    posts = [
        (story.COMMANDER, 10, story.snapshot(START, owner="kim-lee")),
        (story.COMMANDER, 12, _ESCALATION),
    ]
    owners = _incident(posts).owners
    assert owners.next_owner(Lane.TRIAGE) == ("kim-lee",)
    assert owners.next_owner(Lane.COMMS) == (story.COMMANDER,)
    assert owners.next_owner(Lane.MITIGATION) == (story.DEPUTY,)


def test_severity_history_dates_each_change() -> None:
    revised = (story.MITIGATION, 5, story.decision(START, minute=5, severity="SEV-2"))
    history = _incident([revised]).severity_history
    assert [(str(h.severity), h.source, h.at) for h in history] == [
        ("SEV-1", "declared in the issue form", START),
        (
            "SEV-2",
            "revised with evidence in https://github.test/o/r/issues/1#issuecomment-1",
            START + timedelta(minutes=5),
        ),
    ]
