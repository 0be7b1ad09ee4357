"""Reading drill scenarios: the bundled three, a team's own, and every refusal's wording."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from warroom.config import Config
from warroom.drill import scenario as sc
from warroom.drill.runner import check_evidence, listing

BUNDLED = sc.bundled()


def _auth() -> dict:
    path = Path(sc.__file__).parent / "scenarios" / "auth-token-failure.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_playbooks_three_scenarios_are_bundled() -> None:
    assert set(BUNDLED) == {"auth-token-failure", "billing-state-mismatch", "permission-leak"}
    forms = {s.form_scenario for s in BUNDLED.values()}
    assert forms == {
        "auth token failure after release",
        "billing state mismatch",
        "permission leak in edge flow",
    }


@pytest.mark.parametrize("name", sorted(BUNDLED), ids=sorted(BUNDLED))
def test_each_bundled_scenarios_evidence_names_an_item_of_its_minimum(name: str) -> None:
    scenario = BUNDLED[name]
    check_evidence(scenario, Config())
    minimum = Config().scenario(scenario.form_scenario)
    assert minimum is not None
    revealed = {e.reveals for e in scenario.evidence if e.reveals}
    assert {item.label for item in minimum.evidence} <= revealed


def _broken(change) -> str:
    data = _auth()
    change(data)
    return yaml.safe_dump(data)


def _set(path: str, value: object):
    def change(data: dict) -> None:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return change


_DELETE = object()


@pytest.mark.parametrize(
    ("change", "says"),
    [
        pytest.param(_set("name", "Auth Token"), "name: write a slug", id="name-not-slug"),
        pytest.param(_set("title", _DELETE), "title: missing; add it", id="missing-title"),
        pytest.param(_set("colour", "red"), "colour: is not a scenario key", id="unknown-key"),
        pytest.param(_set("severity", "SEV-9"), "severity:", id="bad-severity"),
        pytest.param(
            _set("monitor.text", "rate {rat}"), "monitor.text: unknown placeholder {rat}", id="typo"
        ),
        pytest.param(
            _set("monitor.text", "rate {rate"), "monitor.text: a '{' at character 5", id="unclosed"
        ),
        pytest.param(
            _set("cast.verifier.level", "read"),
            "cannot post records warroom counts; write level: write",
            id="verifier-read",
        ),
        pytest.param(
            _set("cast.stakeholder.login", "mara-okafor"),
            "mara-okafor is used twice",
            id="login-twice",
        ),
        pytest.param(
            _set("team.deputy.login", "not a login"),
            "team.deputy.login: write a GitHub login",
            id="login",
        ),
        pytest.param(
            _set("time_limit_minutes", 30), "time_limit_minutes (30) is shorter", id="short-limit"
        ),
        pytest.param(
            _set("history", [{"sha": "abc", "message": "m", "files": ["a"], "minutes_before": 3}]),
            "history.0.sha: write a full 40-character",
            id="short-sha",
        ),
        pytest.param(
            _set("evidence", [{"command": "a `b`", "output": "x"}]),
            "evidence.0.command: write the command on one line",
            id="backtick-command",
        ),
    ],
)
def test_a_broken_scenario_is_refused_with_the_field_and_the_fix(change, says: str) -> None:
    with pytest.raises(sc.ScenarioError) as caught:
        sc.parse(_broken(change), "mine.yml")
    assert str(caught.value).startswith("mine.yml: ")
    assert says in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("name: [unclosed", "not YAML at line", id="not-yaml"),
        pytest.param("- a list\n", "write a mapping of keys", id="a-list"),
    ],
)
def test_a_file_that_is_not_a_scenario_mapping_is_refused(text: str, says: str) -> None:
    with pytest.raises(sc.ScenarioError, match=says):
        sc.parse(text, "mine.yml")


def test_a_teams_own_file_is_found_by_path_and_in_a_folder(tmp_path: Path) -> None:
    data = _auth()
    data["name"] = "our-queue-lag"
    data["title"] = "Our queue lag"
    (tmp_path / "queue.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a scenario", encoding="utf-8")
    assert sc.find(str(tmp_path / "queue.yml")).name == "our-queue-lag"
    found = sc.available(tmp_path)
    assert set(found) == {*BUNDLED, "our-queue-lag"}
    assert any(line.startswith("our-queue-lag ") for line in listing(tmp_path))


def test_an_unknown_scenario_names_the_ones_there_are() -> None:
    with pytest.raises(sc.ScenarioError) as caught:
        sc.find("auth")
    assert "auth-token-failure, billing-state-mismatch, permission-leak" in str(caught.value)
    assert "warroom drill --list" in str(caught.value)


def test_evidence_that_reveals_no_item_of_the_minimum_is_refused_with_the_items() -> None:
    data = _auth()
    data["evidence"][0]["reveals"] = "failing endpoints please"
    scenario = sc.parse(yaml.safe_dump(data), "mine.yml")
    with pytest.raises(sc.ScenarioError) as caught:
        check_evidence(scenario, Config())
    assert "evidence.0.reveals 'failing endpoints please'" in str(caught.value)
    assert "failing endpoint list" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "values", "filled"),
    [
        pytest.param("rate {rate}%", {"rate": "4.5"}, "rate 4.5%", id="one"),
        pytest.param("%{{http_code}}", {}, "%{http_code}", id="doubled-braces"),
        pytest.param("{a}{b}", {"a": "1", "b": "2"}, "12", id="adjacent"),
        pytest.param("{missing}", {}, "{missing}", id="missing-left"),
        pytest.param("{a}", {"a": "{b}"}, "{b}", id="values-not-refilled"),
    ],
)
def test_fill_replaces_names_only(text: str, values: dict, filled: str) -> None:
    assert sc.fill(text, values) == filled


@given(st.text(max_size=200))
def test_fill_without_placeholders_keeps_text_whatever_it_holds(text: str) -> None:
    plain = text.replace("{", "").replace("}", "")
    assert sc.fill(plain, {"x": "y"}) == plain


@given(st.lists(st.sampled_from(["{a}", "{{", "}}", "x", " ", "{b}"]), max_size=40))
def test_fill_and_placeholders_agree(parts: list[str]) -> None:
    text = "".join(parts)
    names = sc.placeholders(text)
    assert names == [p[1:-1] for p in parts if p in ("{a}", "{b}")]
    assert sc.fill(text, {"a": "A", "b": "B"}).count("A") == names.count("a")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        pytest.param(
            _set("cast.stakeholder.login", "admin"), "admin is an account the sandbox", id="seeded"
        ),
        pytest.param(
            _set("cast.monitoring", "drill"), "drill is an account the sandbox", id="referee"
        ),
        pytest.param(
            _set("cast.monitoring", "github-actions"),
            "github-actions is an account",
            id="action-bot",
        ),
    ],
)
def test_an_account_the_sandbox_already_has_is_refused(change, says: str) -> None:
    with pytest.raises(sc.ScenarioError, match=says):
        sc.parse(_broken(change), "mine.yml")


def test_a_form_scenario_the_form_does_not_offer_is_refused_by_that_field() -> None:
    data = _auth()
    data["form_scenario"] = "auth token failure"
    scenario = sc.parse(yaml.safe_dump(data), "mine.yml")
    with pytest.raises(sc.ScenarioError) as caught:
        check_evidence(scenario, Config())
    assert "form_scenario 'auth token failure' is not a scenario" in str(caught.value)
    assert "auth token failure after release" in str(caught.value)


def test_a_file_nested_too_deeply_is_refused_without_a_traceback() -> None:
    with pytest.raises(sc.ScenarioError, match=r"mine\.yml: "):
        sc.parse("title: " + "[" * 20000, "mine.yml")
