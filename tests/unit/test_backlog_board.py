"""The backlog board as warroom plans and reads it: one ``PlaceOnBoard`` per follow-up opened,
the values each field should hold, and what a project missing a field makes warroom say.

Pure: no HTTP. The GraphQL answers here have the shapes ``tests/e2e/test_backlog_board.py``
gets from the sandbox, whose every request GitHub's schema checks.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.test_closure_gate_table import _incident
from tests.unit.test_plan_follow_ups import ONE, TWO
from warroom import story
from warroom.backlog import board_effects, incident_reference, sweep_effects
from warroom.config import Board, Config, FollowUps
from warroom.effects import BoardStatusInStep, PlaceOnBoard, describe
from warroom.errors import GitHubError
from warroom.github import projects
from warroom.plan import backlog_items


def _config(**board: Any) -> Config:
    return Config(follow_ups=FollowUps(project=Board(number=7, **board)))


def _keys() -> tuple[Any, list[str]]:
    incident = _incident([(story.MITIGATION, 60, TWO), (story.VERIFICATION, 61, ONE)])
    return incident, [item.key for item in backlog_items(incident)]


@pytest.mark.parametrize(
    ("config", "opened", "expected"),
    [
        pytest.param(Config(), {0: 41, 1: 42, 2: 43}, [], id="no-project-no-effects"),
        pytest.param(_config(), {}, [], id="nothing-opened-yet"),
        pytest.param(_config(), {1: 42}, [42], id="only-the-opened-ones"),
        pytest.param(_config(), {0: 41, 1: 42, 2: 43}, [41, 42, 43], id="each-in-record-order"),
    ],
)
def test_one_placement_per_follow_up_opened(
    config: Config, opened: dict[int, int], expected: list[int]
) -> None:
    incident, keys = _keys()
    follow_ups = {keys[i]: number for i, number in opened.items()}

    effects = board_effects(incident, config, follow_ups)

    assert [e.number for e in effects] == expected
    assert all(e.incident == incident.number for e in effects)


def test_a_placement_carries_owner_due_incident_and_the_status_options() -> None:
    incident, keys = _keys()
    config = _config(owner="acme-eng", owner_field="Assignee", status_done="Shipped")

    (effect,) = board_effects(incident, config, {keys[0]: 41})

    assert effect == PlaceOnBoard(
        incident=incident.number,
        number=41,
        project=7,
        owner="acme-eng",
        owner_type="organization",
        texts=(
            ("Assignee", "owner_field", "ana, al"),
            ("Incident", "incident_field", incident_reference(incident.issue.html_url, 1)),
        ),
        dates=(("Due date", "due_field", "2026-12-02"),),
        status_field="Status",
        status_open="Todo",
        status_done="Shipped",
    )
    assert describe(effect) == f"#{incident.number}: follow-up #41 on project 7, fields in step"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://github.com/acme/shop/issues/12", "acme/shop#12", id="github"),
        pytest.param(
            "http://127.0.0.1:8080/acme/service/issues/12", "acme/service#12", id="sandbox"
        ),
        pytest.param(
            "https://ghe.example/acme/shop/issues/12/", "acme/shop#12", id="trailing-slash"
        ),
        pytest.param("", "#12", id="no-address"),
        pytest.param("https://github.com/acme/shop/pull/12", "#12", id="not-an-issue-address"),
    ],
)
def test_the_incident_is_named_with_its_repository(url: str, expected: str) -> None:
    assert incident_reference(url, 12) == expected


# -- reading GitHub's answers ----------------------------------------------------------------

PROJECT = projects.Project(
    "PVT_1",
    {
        "Owner": projects.Field("F_owner", "Owner", "TEXT"),
        "Incident": projects.Field("F_inc", "Incident", "TEXT"),
        "Due date": projects.Field("F_due", "Due date", "DATE"),
        "Status": projects.Field(
            "F_status", "Status", "SINGLE_SELECT", {"Todo": "o1", "Done": "o2"}
        ),
    },
)


def _placement(**changes: Any) -> PlaceOnBoard:
    base: dict[str, Any] = {
        "incident": 3,
        "number": 41,
        "project": 7,
        "owner": None,
        "owner_type": "organization",
        "texts": (("Owner", "owner_field", "ana"), ("Incident", "incident_field", "a/b#3")),
        "dates": (("Due date", "due_field", "2026-12-02"),),
        "status_field": "Status",
        "status_open": "Todo",
        "status_done": "Done",
    }
    return PlaceOnBoard(**{**base, **changes})


@pytest.mark.parametrize(
    ("state", "option"),
    [
        pytest.param("OPEN", "o1", id="open-is-todo"),
        pytest.param("CLOSED", "o2", id="closed-is-done"),
    ],
)
def test_the_status_follows_the_issue_s_state(state: str, option: str) -> None:
    wanted = projects.wanted_values(_placement(), PROJECT, state)

    assert [(f.id, plain) for f, _, plain in wanted] == [
        ("F_owner", "ana"),
        ("F_inc", "a/b#3"),
        ("F_due", "2026-12-02"),
        ("F_status", option),
    ]
    assert wanted[2][1] == {"date": "2026-12-02"}
    assert wanted[3][1] == {"singleSelectOptionId": option}


@pytest.mark.parametrize(
    ("placement", "message"),
    [
        pytest.param(
            _placement(dates=(("Due", "due_field", "2026-12-02"),)),
            r"follow_ups\.project\.due_field: the project has no field named 'Due' "
            r"\(it has: Due date, Incident, Owner, Status\); add a date field",
            id="missing-field-names-its-key",
        ),
        pytest.param(
            _placement(texts=(("Due date", "owner_field", "ana"),)),
            r"follow_ups\.project\.owner_field: the project's field 'Due date' is a date field; "
            r"warroom needs a text field",
            id="wrong-kind-of-field",
        ),
        pytest.param(
            _placement(status_open="Backlog"),
            r"follow_ups\.project\.status_open: the project's 'Status' field has no option "
            r"'Backlog' \(it has: Todo, Done\)",
            id="missing-status-option",
        ),
        pytest.param(
            _placement(status_field="Owner"),
            r"follow_ups\.project\.status_field: .* is a text field; warroom needs a single-select",
            id="status-is-not-single-select",
        ),
    ],
)
def test_a_project_without_what_warroom_needs_says_which_key_to_fix(
    placement: PlaceOnBoard, message: str
) -> None:
    with pytest.raises(GitHubError, match=message):
        projects.wanted_values(placement, PROJECT, "OPEN")


def _item(project: str, values: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": f"I_{project}", "project": {"id": project}, "fieldValues": {"nodes": values}}


def test_follow_ups_are_read_with_their_item_on_this_project_only() -> None:
    data = {
        "data": {
            "repository": {
                "f0": {
                    "id": "ISSUE_41",
                    "state": "CLOSED",
                    "projectItems": {
                        "nodes": [
                            _item("OTHER", [{"text": "x", "field": {"id": "F_owner"}}]),
                            _item(
                                "PVT_1",
                                [
                                    {"text": "ana", "field": {"id": "F_owner"}},
                                    {"date": "2026-12-02", "field": {"id": "F_due"}},
                                    {"optionId": "o1", "field": {"id": "F_status"}},
                                    {},  # a value of a kind warroom does not set
                                ],
                            ),
                        ]
                    },
                },
                "f1": {"id": "ISSUE_42", "state": "OPEN", "projectItems": {"nodes": []}},
                "f2": None,
            }
        }
    }

    found = projects.read_follow_ups(data, [41, 42, 43], "PVT_1")

    assert found == {
        41: projects.FollowUpOnBoard(
            "ISSUE_41",
            "CLOSED",
            "I_PVT_1",
            {"F_owner": "ana", "F_due": "2026-12-02", "F_status": "o1"},
        ),
        42: projects.FollowUpOnBoard("ISSUE_42", "OPEN", None, {}),
        43: None,
    }


@pytest.mark.parametrize(
    ("numbers", "declared"),
    [
        pytest.param([987654], "$n0: Int!", id="one"),
        pytest.param(list(range(987600, 987650)), "$n49: Int!", id="a-full-batch"),
    ],
)
def test_the_follow_ups_query_passes_numbers_as_variables(
    numbers: list[int], declared: str
) -> None:
    text, variables = projects.follow_ups_query(numbers)

    assert declared in text
    assert variables == {f"n{i}": n for i, n in enumerate(numbers)}
    assert "9876" not in text  # numbers travel as variables, never inside the query


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param(
            {"data": {}, "errors": [{"type": "NOT_FOUND", "message": "m"}]}, True, id="not-found"
        ),
        pytest.param(
            {"data": {}, "errors": [{"type": "FORBIDDEN", "message": "m"}]}, False, id="forbidden"
        ),
        pytest.param({"errors": [{"type": "NOT_FOUND", "message": "m"}]}, False, id="no-data"),
        pytest.param({"data": {}, "errors": []}, False, id="no-errors"),
        pytest.param(None, False, id="not-json"),
    ],
)
def test_only_not_found_answers_are_read_as_partial(answer: Any, expected: bool) -> None:
    assert projects.only_not_found(answer) is expected


def test_a_project_answer_is_read_into_fields_by_name() -> None:
    data = {
        "data": {
            "user": {
                "projectV2": {
                    "id": "PVT_9",
                    "title": "Mine",
                    "fields": {
                        "nodes": [
                            {"id": "F1", "name": "Owner", "dataType": "TEXT"},
                            {
                                "id": "F2",
                                "name": "Status",
                                "dataType": "SINGLE_SELECT",
                                "options": [{"id": "o1", "name": "Todo"}],
                            },
                            {},
                        ]
                    },
                }
            }
        }
    }

    project = projects.read_project(data, "user")

    assert project is not None
    assert project.id == "PVT_9"
    assert project.fields["Status"].options == {"Todo": "o1"}
    assert projects.read_project({"data": {"user": {"projectV2": None}}}, "user") is None
    assert projects.read_project(data, "organization") is None


# -- the sweep: Status in step for follow-ups in a backlog repository ------------------------


@pytest.mark.parametrize(
    ("follow_ups", "expected"),
    [
        pytest.param(FollowUps(), 0, id="no-project"),
        pytest.param(FollowUps(project=Board(number=7)), 0, id="follow-ups-here-move-by-events"),
        pytest.param(FollowUps(repository="backlog"), 0, id="backlog-without-project"),
        pytest.param(FollowUps(project=Board(number=7), repository="backlog"), 1, id="both"),
    ],
)
def test_a_sweep_keeps_the_board_only_for_a_backlog_repository(
    follow_ups: FollowUps, expected: int
) -> None:
    effects = sweep_effects(Config(follow_ups=follow_ups))

    assert len(effects) == expected
    assert all(describe(e).startswith("project 7: Status") for e in effects)


SWEEP = BoardStatusInStep(
    project=7,
    owner=None,
    owner_type="organization",
    incident_field="Incident",
    status_field="Status",
    status_open="Todo",
    status_done="Done",
)


@pytest.mark.parametrize(
    ("item", "write"),
    [
        pytest.param(
            projects.BoardItem("I1", "CLOSED", "acme/shop#3", "o1"), "o2", id="closed-to-done"
        ),
        pytest.param(
            projects.BoardItem("I1", "OPEN", "ACME/Shop#3 ", "o2"), "o1", id="reopened-any-case"
        ),
        pytest.param(
            projects.BoardItem("I1", "OPEN", "acme/shop#3", None), "o1", id="no-status-yet"
        ),
        pytest.param(projects.BoardItem("I1", "CLOSED", "acme/shop#3", "o2"), None, id="in-step"),
        pytest.param(
            projects.BoardItem("I1", "CLOSED", "acme/other#3", "o1"), None, id="another-repository"
        ),
        pytest.param(
            projects.BoardItem("I1", "CLOSED", "acme/shop#3x", "o1"), None, id="not-a-reference"
        ),
        pytest.param(projects.BoardItem("I1", "CLOSED", "", "o1"), None, id="a-person-s-item"),
        pytest.param(projects.BoardItem("I1", None, "acme/shop#3", "o1"), None, id="a-draft"),
    ],
)
def test_the_sweep_writes_the_status_of_this_repository_s_follow_ups_only(
    item: projects.BoardItem, write: str | None
) -> None:
    writes = projects.status_writes([item], "acme/shop", PROJECT, SWEEP)

    assert writes == ([("I1", "F_status", write)] if write else [])


def test_the_sweep_says_which_status_option_is_missing() -> None:
    effect = BoardStatusInStep(**{**SWEEP.__dict__, "status_done": "Shipped"})

    with pytest.raises(
        GitHubError, match=r"follow_ups\.project\.status_done: .* no option 'Shipped'"
    ):
        projects.status_writes([], "acme/shop", PROJECT, effect)


def test_a_page_of_items_is_read_with_the_next_cursor() -> None:
    page = {
        "data": {
            "organization": {
                "projectV2": {
                    "items": {
                        "pageInfo": {"hasNextPage": True, "endCursor": "C1"},
                        "nodes": [
                            {
                                "id": "I1",
                                "content": {"state": "OPEN"},
                                "incident": {"text": "acme/shop#3"},
                                "status": {"optionId": "o1"},
                            },
                            {"id": "I2", "content": {}, "incident": None, "status": None},
                        ],
                    }
                }
            }
        }
    }

    items, after = projects.read_items(page, "organization")

    assert items == [
        projects.BoardItem("I1", "OPEN", "acme/shop#3", "o1"),
        projects.BoardItem("I2", None, "", None),
    ]
    assert after == "C1"
    page["data"]["organization"]["projectV2"]["items"]["pageInfo"]["hasNextPage"] = False
    assert projects.read_items(page, "organization")[1] is None
