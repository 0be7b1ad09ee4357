"""The drill's script: which beat is due when, said once, from what the team did."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.drill import script
from warroom.drill.scenario import Series, bundled
from warroom.model import Decision

AUTH = bundled()["auth-token-failure"]
T0 = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def observed(minute: float, **changes: object) -> script.Observed:
    base = script.Observed(
        now=at(minute),
        incident=2,
        incident_at=at(3),
        first_decision=None,
        mitigating_at=None,
        green_at=None,
        revision="9e0d7b3",
        update_due=at(33),
        last_update_at=None,
        premature=(),
        asked=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def kinds(obs: script.Observed, fired: set[str] | None = None) -> list[str]:
    plan = script.plan(AUTH, obs, started_at=T0, signal=1, fired=fired or set(), seed=0)
    return [say.kind for say in plan]


@pytest.mark.parametrize(
    ("obs", "fired", "expected"),
    [
        pytest.param(observed(4), set(), [], id="nothing-before-the-first-tick"),
        pytest.param(observed(5), set(), ["monitor"], id="first-tick"),
        pytest.param(observed(7), {"monitor-1"}, [], id="tick-said-once"),
        pytest.param(observed(12), {"monitor-1"}, ["monitor"], id="missed-tick-skipped-not-burst"),
        pytest.param(observed(34), {"monitor-6"}, ["stakeholder"], id="cadence-slipped"),
        pytest.param(
            observed(34),
            {"monitor-6", "stakeholder-20261130T143300"},
            [],
            id="one-ask-per-missed-due-time",
        ),
        pytest.param(
            observed(16, first_decision=(at(12), Decision.ROLLBACK)),
            {"monitor-3"},
            ["contradiction"],
            id="second-owner-after-the-first-decision",
        ),
        pytest.param(
            observed(14, first_decision=(at(12), Decision.ROLLBACK)),
            {"monitor-2"},
            [],
            id="second-owner-waits-after-minutes",
        ),
        pytest.param(
            observed(18, premature=((7, at(18)),)),
            {"monitor-3"},
            ["red-rerun"],
            id="red-rerun-after-looks-stable",
        ),
        pytest.param(
            observed(18, premature=((7, at(18)),)),
            {"monitor-3", "red-rerun"},
            [],
            id="red-rerun-once",
        ),
        pytest.param(
            observed(
                8,
                incident=None,
                incident_at=None,
                update_due=None,
                first_decision=(at(6), Decision.ROLLBACK),
            ),
            {"monitor-1"},
            [],
            id="no-incident-no-incident-beats",
        ),
    ],
)
def test_what_is_due(obs: script.Observed, fired: set[str], expected: list[str]) -> None:
    assert kinds(obs, fired) == expected


def test_monitoring_goes_to_the_signal_until_an_incident_is_filed() -> None:
    before = script.plan(AUTH, observed(5, incident=None), started_at=T0, signal=1, fired=set())
    after = script.plan(AUTH, observed(5), started_at=T0, signal=1, fired=set())
    assert before[0].where == "signal"
    assert after[0].where == "incident"
    assert before[0].login == "pagerwatch[bot]"


def test_the_contradiction_recommends_the_opposite_of_the_first_decision() -> None:
    for decided, opposite in script.OPPOSITE.items():
        obs = observed(16, first_decision=(at(12), decided))
        say = next(s for s in script.plan(AUTH, obs, started_at=T0, signal=1, fired={"monitor-3"}))
        assert f"- Decision: {opposite.value}" in say.body
        assert say.login == AUTH.cast.second_owner.login


def _said(body: str, author: str = "mara-okafor", cid: int = 5) -> script.Said:
    return script.Said(cid, author, body, at(7), issue=2)


@pytest.mark.parametrize(
    ("body", "commands"),
    [
        pytest.param("/drill run grep-401-by-endpoint", ["grep-401-by-endpoint"], id="one"),
        pytest.param(
            "/drill   run   deploy-log   auth-gateway", ["deploy-log auth-gateway"], id="spaces"
        ),
        pytest.param("> /drill run grep-401-by-endpoint", [], id="quoted"),
        pytest.param("```\n/drill run grep-401-by-endpoint\n```", [], id="fenced"),
        pytest.param("    /drill run x", [], id="indented-code"),
        pytest.param("<!--\n/drill run x\n-->", [], id="html-comment"),
        pytest.param("/drillrun x", [], id="glued"),
        pytest.param("/drill status", [""], id="unknown-verb"),
        pytest.param("/drill run a\n/drill run b", ["a", "b"], id="two-lines"),
        pytest.param("/Drill RUN x", ["x"], id="any-case"),
        pytest.param(
            "/drill run `deploy-log auth-gateway`", ["deploy-log auth-gateway"], id="backticks"
        ),
    ],
)
def test_reading_drill_run_lines(body: str, commands: list[str]) -> None:
    assert [a.command for a in script.read_asks(_said(body))] == commands


def test_a_known_command_gets_its_output_and_the_record_to_post() -> None:
    ask = script.Asked(5, "mara-okafor", "GREP-401-by-endpoint", at(7), 2)
    body, summary = script.evidence_reply(AUTH, ask)
    assert "GET  /v1/me" in body
    assert "- Evidence for: failing endpoint list" in body
    assert "reveals the failing endpoint list" in summary


def test_an_unknown_command_lists_the_commands() -> None:
    ask = script.Asked(5, "mara-okafor", "rm -rf `/`", at(7), 2)
    body, _ = script.evidence_reply(AUTH, ask)
    assert "`/drill rm -rf /` is not a command of this drill" in body
    for evidence in AUTH.evidence:
        assert f"/drill run {evidence.command}" in body


def test_one_reply_per_comment_answers_every_line_it_asks() -> None:
    asked = tuple(script.read_asks(_said("/drill run grep-401-by-endpoint\n/drill rnu x")))
    plan = script.plan(AUTH, observed(7, asked=asked), started_at=T0, signal=1, fired={"monitor-1"})
    assert len(plan) == 1
    assert plan[0].key.startswith("evidence-5-")
    assert "GET  /v1/me" in plan[0].body
    assert "`/drill rnu x` is not `run <command>`" in plan[0].body
    assert plan[0].issue == 2


def test_an_edited_ask_is_answered_again_and_the_same_one_is_not() -> None:
    first = tuple(script.read_asks(_said("/drill run grep-401-by-endpont")))
    fixed = tuple(script.read_asks(_said("/drill run grep-401-by-endpoint")))
    key = script.ask_key(5, first)
    assert script.ask_key(5, fixed) != key
    again = script.plan(
        AUTH, observed(7, asked=first), started_at=T0, signal=1, fired={"monitor-1", key}
    )
    assert again == []
    answered = script.plan(
        AUTH, observed(7, asked=fixed), started_at=T0, signal=1, fired={"monitor-1", key}
    )
    assert "GET  /v1/me" in answered[0].body


@pytest.mark.parametrize(
    ("body", "stable"),
    [
        pytest.param("Looks   stable to me", True, id="spacing-and-case"),
        pytest.param("> looks stable", False, id="quoted"),
        pytest.param("not yet stable", False, id="other-words"),
    ],
)
def test_calls_it_stable(body: str, stable: bool) -> None:
    assert script.calls_it_stable(_said(body), AUTH.premature.phrases) is stable


SERIES = Series(start=20, step=4, recovered=0.5, limit=60, jitter=0, decimals=1)


def test_numbers_worsen_ease_after_the_decision_and_settle_after_the_green_rerun() -> None:
    worsening = [
        script.number_at(SERIES, k, eased_from=None, settled_from=None, noise=0) for k in range(4)
    ]
    assert worsening == [20, 24, 28, 32]
    easing = [
        script.number_at(SERIES, k, eased_from=2, settled_from=None, noise=0) for k in (3, 4, 5)
    ]
    assert easing[0] > easing[1] > easing[2] > SERIES.recovered
    assert script.number_at(SERIES, 6, eased_from=2, settled_from=6, noise=0) == 0.5


@given(st.integers(0, 500), st.floats(-1, 1))
def test_numbers_stay_within_their_limit_and_never_go_negative(tick: int, noise: float) -> None:
    value = script.number_at(SERIES, tick, eased_from=None, settled_from=None, noise=noise)
    assert 0 <= value <= 60


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others() -> None:
    obs = observed(10)
    one = script.numbers_at(AUTH, 2, obs, T0, seed=1)
    assert one == script.numbers_at(AUTH, 2, obs, T0, seed=1)
    assert one != script.numbers_at(AUTH, 2, obs, T0, seed=2)


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        pytest.param(0, "T+00:00", id="zero"),
        pytest.param(12.5, "T+12:30", id="half"),
        pytest.param(75, "T+75:00", id="past-an-hour"),
        pytest.param(-1, "T+00:00", id="before-the-signal"),
    ],
)
def test_drill_time(minutes: float, shown: str) -> None:
    assert script.drill_time(T0, at(minutes)) == shown


@pytest.mark.parametrize(
    ("author", "body", "keys"),
    [
        pytest.param(
            "pagerwatch[bot]",
            script.beat_marker("monitor-3") + "\nrate 4%",
            {"monitor-3"},
            id="own",
        ),
        pytest.param(
            "mara-okafor",
            script.beat_marker("red-rerun") + "\nquoted",
            set(),
            id="a-player-cannot-silence",
        ),
        pytest.param(
            "pagerwatch[bot]", "rate 4%\n" + script.beat_marker("x"), set(), id="not-first-line"
        ),
        pytest.param(
            "pagerwatch[bot]", "<!-- warroom-drill:" + "k" * 200 + " -->", set(), id="too-long"
        ),
    ],
)
def test_beats_already_said_are_read_from_the_scripted_accounts_only(
    author: str, body: str, keys: set[str]
) -> None:
    said = script.Said(1, author, body, at(5))
    assert script.said_beats([said], ["pagerwatch[bot]", "kai-release"]) == keys


@given(st.text(alphabet=st.sampled_from(list("/drill run x`>~ \t\n-<!")), max_size=300))
def test_reading_asks_from_any_text_never_fails_and_keeps_to_one_line(body: str) -> None:
    asks = script.read_asks(_said(body))
    assert len(asks) <= body.count("\n") + 1
    for asked in asks:
        assert "\n" not in asked.command
        assert asked.command == " ".join(asked.command.split())
