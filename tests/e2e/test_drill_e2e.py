"""Each bundled scenario played to its debrief through the API, with the Action on every event.

The drill runs with a frozen clock the test moves; the team acts through
PyGithub over HTTP, and every exchange is checked against GitHub's OpenAPI
description (``fidelity``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.support.drill_play import Team, play_to_the_gate
from tests.support.fidelity import Fidelity
from warroom import story
from warroom.drill.runner import REFEREE, Drill
from warroom.drill.scenario import bundled
from warroom.records.models import DecisionRecord

pytestmark = pytest.mark.e2e

SCENARIOS = sorted(bundled())


@pytest.fixture
def start_drill(fidelity: Fidelity) -> Iterator[object]:
    started: list[Drill] = []

    def start(name: str, **options: object) -> Team:
        drill = Drill(bundled()[name], frozen=True, **options)  # type: ignore[arg-type]
        started.append(drill)
        drill.start()
        fidelity.attach(drill.sandbox)
        return Team(drill)

    yield start
    for drill in started:
        drill.stop()


@pytest.mark.parametrize("name", SCENARIOS, ids=SCENARIOS)
def test_a_scenario_plays_to_its_debrief_through_the_api(start_drill, name: str) -> None:
    team: Team = start_drill(name)
    drill, scenario = team.drill, team.scenario
    play_to_the_gate(team)

    assert drill.ended_by == "gate", drill.log
    assert team.state() == "closed"
    kinds = [beat.kind for beat in drill.beats]
    for kind in ("signal", "monitor", "stakeholder", "contradiction", "red-rerun", "evidence"):
        assert kind in kinds, (kind, kinds)
    # the evidence came back for each command asked
    answers = team.by(REFEREE)
    for evidence in scenario.evidence:
        assert any(f"Output of `{evidence.command}`" in body for body in answers), evidence.command
    # the contradictory decision and the red rerun were posted by the scripted characters
    assert any(
        "### Checkpoint Decision Record" in b for b in team.by(scenario.cast.second_owner.login)
    )
    assert any("- Result: red" in b for b in team.by(scenario.cast.verifier.login))
    # the error reply named the field, and went once the record was fixed
    assert "Decision" in (team.said["error reply"] or "")
    assert team.said["reply after the fix"] is None
    # the early close was undone by warroom
    assert team.said["state after the early close"] == "open"
    # the debrief is on the incident, and as JSON
    debriefs = [b for b in answers if b.startswith("<!-- warroom:drill-debrief")]
    assert len(debriefs) == 1
    assert drill.debrief_json() is not None
    json.loads(drill.debrief_json() or "")


def test_a_drill_that_nobody_answers_times_out_with_a_debrief_on_the_signal(start_drill) -> None:
    team: Team = start_drill("auth-token-failure")
    drill = team.drill
    team.at(30)
    team.at(60)
    assert not drill.ended
    team.at(drill.scenario.time_limit_minutes)
    assert drill.ended_by == "time"
    monitoring = team.by(drill.scenario.monitoring_login(), on=drill.signal)
    assert len(monitoring) >= 3, "the numbers are posted on the signal while nobody files"
    assert any(
        b.startswith("<!-- warroom:drill-debrief") for b in team.by(REFEREE, on=drill.signal)
    )


@pytest.mark.parametrize("kind", ["500", "applied-502", "applied-drop"], ids=str)
def test_a_beat_whose_post_failed_is_posted_once_on_a_later_tick(start_drill, kind: str) -> None:
    team: Team = start_drill("auth-token-failure")
    drill = team.drill
    bot = drill.scenario.monitoring_login()
    drill.sandbox.faults.add(kind, login=bot, method="POST", times=1)
    drill.sandbox.set_clock(now=drill.started_at + timedelta(minutes=5))
    failed = drill.safe_tick()
    assert len(failed) == 1
    assert "a tick failed" in failed[0]
    assert drill.safe_tick() == [], "it backs off before trying again"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "monitor-1" not in drill.fired:
        time.sleep(0.2)
        drill.sandbox.wait_idle(60)
        drill.safe_tick()
    drill.sandbox.wait_idle(60)
    drill.safe_tick()
    assert len(team.by(bot, on=drill.signal)) == 1
    # a 500 wrote nothing, so a later tick posts it; an applied write is found, not reposted,
    # and either way the beat is in the drill's record for the debrief
    assert [b.key for b in drill.beats if b.kind == "monitor"] == ["monitor-1"]
    assert "monitor-1" in drill.fired


def _total(drill: Drill) -> int:
    return sum(drill.sandbox.requests()["total_counts"].values())


def test_an_idle_drill_reads_nothing_between_beats(start_drill) -> None:
    team: Team = start_drill("auth-token-failure")
    drill = team.drill
    team.at(1)
    before = _total(drill)
    for _ in range(10):
        drill.tick()
    assert _total(drill) == before, "nothing happened, so nothing is read"
    team.at(5)  # a beat is due: one post, then one reading of what it caused
    used = _total(drill) - before
    assert 1 <= used <= 8, used


def test_the_debrief_is_posted_once_when_its_post_was_applied_and_then_failed(start_drill) -> None:
    team: Team = start_drill("auth-token-failure")
    drill = team.drill
    drill.sandbox.faults.add("applied-502", login=REFEREE, method="POST", times=1)
    drill.sandbox.set_clock(
        now=drill.started_at + timedelta(minutes=drill.scenario.time_limit_minutes)
    )
    assert "a tick failed" in drill.safe_tick()[-1]
    assert not drill.ended, "the drill ends only once its debrief is posted"
    assert drill.debrief_json() is None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not drill.ended:
        time.sleep(0.2)
        drill.safe_tick()
    assert drill.ended_by == "time"
    debriefs = [b for b in team.by(REFEREE, on=drill.signal) if "warroom:drill-debrief" in b]
    assert len(debriefs) == 1


def test_records_of_any_seeded_person_count_as_warroom_counts_them(start_drill) -> None:
    team: Team = start_drill("auth-token-failure")
    drill = team.drill
    team.file(3)
    team.at(8)
    team.post("writer", story.decision(drill.started_at, minute=8))  # the web view's "writer"
    assert drill._read.incident is not None
    assert [a.author for a, _ in drill._read.incident.records(DecisionRecord)] == ["writer"]
    team.at(12)
    assert "contradiction" in drill.fired, "the script saw the team's first decision"


def test_a_dismissed_false_start_gives_way_to_the_incident_filed_after_it(start_drill) -> None:
    team: Team = start_drill("auth-token-failure")
    drill = team.drill
    first = team.file(3)
    team.post(drill.scenario.team.commander.login, story.dismissal())
    team.repo(drill.scenario.team.commander.login).get_issue(first).edit(
        state="closed", state_reason="not_planned"
    )
    team.settle()
    second = team.file(5)
    team.at(10)
    assert drill._read.issue is not None
    assert drill._read.issue.number == second
    assert team.by(drill.scenario.monitoring_login(), on=second), "the numbers go to the incident"


def test_closing_before_a_green_rerun_brings_the_red_rerun(start_drill) -> None:
    team: Team = start_drill("auth-token-failure")
    drill = team.drill
    team.file(3)
    team.post(drill.scenario.team.mitigation.login, story.decision(drill.started_at, minute=6))
    team.at(8)
    team.close()  # warroom reopens it before the drill reads it again
    team.at(9)
    assert team.state() == "open"
    assert "red-rerun" in drill.fired
    assert any("- Result: red" in b for b in team.by(drill.scenario.cast.verifier.login))


def test_each_evidence_run_is_kept_for_the_debrief(start_drill) -> None:
    team: Team = start_drill("auth-token-failure")
    drill = team.drill
    team.file(3)
    team.at(5)
    login = drill.scenario.team.verification.login
    team.post(login, "/drill run grep-401-by-endpoint\n/drill run no-such-thing")
    assert [(r.command, r.by, r.reveals) for r in drill.evidence_runs] == [
        ("grep-401-by-endpoint", login, "failing endpoint list")
    ]
    replies = [b for b in team.by(REFEREE) if "Output of `grep-401-by-endpoint`" in b]
    assert len(replies) == 1
    assert "`/drill run no-such-thing` is not a command of this drill" in replies[0]
