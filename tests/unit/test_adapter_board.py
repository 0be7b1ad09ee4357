"""The adapter's GraphQL path to the backlog board, with GitHub's answers scripted.

Every GraphQL request goes through the adapter's one retrying path (``_call``):
a 502 is retried, a mutation counts against ``api.max_writes``, a partial answer
whose only errors are ``NOT_FOUND`` is read, and GitHub's other errors become one
message saying what to do.
"""

from __future__ import annotations

from typing import Any

import pytest
from github import GithubException, UnknownObjectException

from warroom.config import Api
from warroom.effects import PlaceOnBoard
from warroom.errors import GitHubError
from warroom.github.adapter import ApplyReport, GitHubAdapter

PROJECT = {
    "data": {
        "organization": {
            "projectV2": {
                "id": "PVT_1",
                "title": "Backlog",
                "fields": {
                    "nodes": [
                        {"id": "F_owner", "name": "Owner", "dataType": "TEXT"},
                        {"id": "F_inc", "name": "Incident", "dataType": "TEXT"},
                        {"id": "F_due", "name": "Due date", "dataType": "DATE"},
                        {
                            "id": "F_status",
                            "name": "Status",
                            "dataType": "SINGLE_SELECT",
                            "options": [{"id": "o1", "name": "Todo"}, {"id": "o2", "name": "Done"}],
                        },
                    ]
                },
            }
        }
    }
}
ON_BOARD = {
    "data": {
        "repository": {
            "f0": {
                "id": "ISSUE_41",
                "state": "OPEN",
                "projectItems": {
                    "nodes": [
                        {
                            "id": "ITEM",
                            "project": {"id": "PVT_1"},
                            "fieldValues": {
                                "nodes": [
                                    {"text": "ana", "field": {"id": "F_owner"}},
                                    {"text": "o/r#3", "field": {"id": "F_inc"}},
                                    {"date": "2026-12-02", "field": {"id": "F_due"}},
                                    {"optionId": "o2", "field": {"id": "F_status"}},
                                ]
                            },
                        }
                    ]
                },
            }
        }
    }
}
EFFECT = PlaceOnBoard(
    incident=3,
    number=41,
    project=7,
    owner=None,
    owner_type="organization",
    texts=(("Owner", "owner_field", "ana"), ("Incident", "incident_field", "o/r#3")),
    dates=(("Due date", "due_field", "2026-12-02"),),
    status_field="Status",
    status_open="Todo",
    status_done="Done",
)


def _adapter(answers: list[Any], **api: Any) -> tuple[GitHubAdapter, list[dict[str, Any]]]:
    """An adapter whose GraphQL requests get ``answers`` in turn (an exception is raised)."""
    adapter = GitHubAdapter(
        api_url="http://127.0.0.1:9/api/v3",
        token="t",
        repository="o/r",
        api=Api(**{"retry_seconds": 60, **api}),
        sleep=lambda _: None,
        seed=1,
    )
    sent: list[dict[str, Any]] = []
    queue = list(answers)

    def graphql_query(query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        sent.append({"query": query, "variables": variables})
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return {}, answer

    adapter._backlog.requester.graphql_query = graphql_query  # type: ignore[method-assign]
    return adapter, sent


def _kinds(sent: list[dict[str, Any]]) -> list[str]:
    def kind(text: str) -> str:
        for name in ("addProjectV2ItemById", "updateProjectV2ItemFieldValue"):
            if name in text:
                return name
        return "query"

    return [kind(s["query"]) for s in sent]


SET = {"data": {"updateProjectV2ItemFieldValue": {"projectV2Item": {"id": "ITEM"}}}}
ADD = {"data": {"addProjectV2ItemById": {"item": {"id": "ITEM"}}}}


@pytest.mark.parametrize(
    ("board", "answers", "writes"),
    [
        pytest.param(
            ON_BOARD,
            [SET],
            [("F_status", {"singleSelectOptionId": "o1"})],
            id="only-the-status-differs",
        ),
        pytest.param(
            {
                "data": {
                    "repository": {
                        "f0": {"id": "ISSUE_41", "state": "CLOSED", "projectItems": {"nodes": []}}
                    }
                }
            },
            [ADD, SET, SET, SET, SET],
            [
                ("F_owner", {"text": "ana"}),
                ("F_inc", {"text": "o/r#3"}),
                ("F_due", {"date": "2026-12-02"}),
                ("F_status", {"singleSelectOptionId": "o2"}),
            ],
            id="not-on-the-board-yet",
        ),
        pytest.param({"data": {"repository": {"f0": None}}}, [], [], id="follow-up-gone"),
    ],
)
def test_only_what_differs_is_written(
    board: dict[str, Any], answers: list[Any], writes: list[tuple[str, dict[str, str]]]
) -> None:
    adapter, sent = _adapter([PROJECT, board, *answers])

    adapter.apply([EFFECT])

    updates = [s["variables"] for s in sent if "updateProjectV2ItemFieldValue" in s["query"]]
    assert [(u["field"], u["value"]) for u in updates] == writes
    assert adapter.budget.writes_made == len(answers)


def test_the_project_is_looked_up_once_per_run() -> None:
    adapter, sent = _adapter([PROJECT, ON_BOARD, SET, ON_BOARD, SET])

    adapter.apply([EFFECT])
    adapter.apply([EFFECT])

    update = "updateProjectV2ItemFieldValue"
    assert _kinds(sent) == ["query", "query", update, "query", update]
    assert "projectV2(number:" in sent[0]["query"]
    assert all("projectV2(number:" not in s["query"] for s in sent[1:])


def test_a_502_is_retried_on_the_one_retrying_path() -> None:
    adapter, sent = _adapter([GithubException(502, {"message": "x"}, {}), PROJECT, ON_BOARD, SET])

    report = adapter.apply([EFFECT])

    assert _kinds(sent) == ["query", "query", "query", "updateProjectV2ItemFieldValue"]
    assert report.applied == ["#41: project Status set"]


def test_board_writes_count_against_the_run_s_write_cap() -> None:
    adapter, _ = _adapter([PROJECT, ON_BOARD], max_writes=1)
    adapter.budget.writes_made = 1

    with pytest.raises(GitHubError, match=r"api\.max_writes"):
        adapter.apply([EFFECT])


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        pytest.param(
            UnknownObjectException(
                404,
                {
                    "data": {"organization": {"projectV2": None}},
                    "errors": [
                        {"type": "NOT_FOUND", "message": "Could not resolve to a ProjectV2"}
                    ],
                },
                {},
            ),
            "follow_ups.project: GitHub shows no project 7 of organization o",
            id="no-such-project",
        ),
        pytest.param(
            GithubException(
                400,
                {
                    "data": {"organization": {"projectV2": None}},
                    "errors": [
                        {"type": "FORBIDDEN", "message": "Resource not accessible by integration"}
                    ],
                },
                {},
            ),
            "Resource not accessible by integration. The workflow's GITHUB_TOKEN cannot reach a "
            "project: give the Action a token with Projects read/write as its backlog-token input",
            id="workflow-token",
        ),
    ],
)
def test_a_project_out_of_reach_says_what_to_do(answer: Exception, says: str) -> None:
    adapter, _ = _adapter([answer])

    with pytest.raises(GitHubError) as caught:
        adapter.apply([EFFECT])

    assert says in str(caught.value)


def test_several_follow_ups_are_read_in_one_query() -> None:
    second = PlaceOnBoard(**{**EFFECT.__dict__, "number": 42})
    both = {
        "data": {
            "repository": {
                "f0": ON_BOARD["data"]["repository"]["f0"],
                "f1": {**ON_BOARD["data"]["repository"]["f0"], "id": "ISSUE_42", "state": "CLOSED"},
            }
        }
    }
    adapter, sent = _adapter([PROJECT, both, SET])

    report: ApplyReport = adapter.apply([EFFECT, second])

    assert _kinds(sent) == ["query", "query", "updateProjectV2ItemFieldValue"]
    assert sent[1]["variables"] == {"owner": "o", "name": "r", "n0": 41, "n1": 42}
    assert report.applied == ["#41: project Status set"]
