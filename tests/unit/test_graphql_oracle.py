"""The GraphQL oracle on answers made by hand: it names every way an answer departs from the
query's selection and GitHub's types, and passes one that conforms."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.graphql import default_graphql_oracle
from warroom.sandbox.observe import Exchange

pytestmark = pytest.mark.npm

QUERY = """query($number: Int!) {
  organization(login: "acme") {
    projectV2(number: $number) {
      id
      closed
      named: title
      fields(first: 2) {
        nodes {
          ... on ProjectV2FieldCommon { id dataType }
          ... on ProjectV2SingleSelectField { options { id } }
        }
      }
    }
  }
}"""

GOOD: dict[str, Any] = {
    "data": {
        "organization": {
            "projectV2": {
                "id": "PVT_1",
                "closed": False,
                "named": "Backlog",
                "fields": {
                    "nodes": [
                        {"id": "F1", "dataType": "TEXT"},
                        {"id": "F2", "dataType": "SINGLE_SELECT", "options": [{"id": "o1"}]},
                    ]
                },
            }
        }
    }
}


def _exchange(answer: Any, query: str = QUERY, variables: Any = None) -> Exchange:
    return Exchange(
        method="POST",
        path="/graphql",
        query={},
        request_headers={},
        request_body={"query": query, "variables": variables or {"number": 7}},
        raw_request_body=b"",
        status=200,
        response_headers={},
        response_body=answer,
        operation_id="graphql",
    )


def _with(path: list[str | int], value: Any) -> dict[str, Any]:
    """``GOOD`` with the value at ``path`` replaced (``...`` deletes it)."""
    import copy

    answer = copy.deepcopy(GOOD)
    node: Any = answer
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return answer


PROJECT = ["data", "organization", "projectV2"]


def test_a_conforming_answer_passes() -> None:
    assert default_graphql_oracle().check(_exchange(GOOD)) == []


@pytest.mark.parametrize(
    ("answer", "location", "says"),
    [
        pytest.param(
            _with([*PROJECT, "title"], "x"),
            "$.organization.projectV2.title",
            "not selected",
            id="extra-key",
        ),
        pytest.param(
            _with([*PROJECT, "named"], ...),
            "$.organization.projectV2.named",
            "missing",
            id="alias-missing",
        ),
        pytest.param(
            _with([*PROJECT, "closed"], "no"),
            "$.organization.projectV2.closed",
            "is not a Boolean",
            id="wrong-scalar",
        ),
        pytest.param(
            _with([*PROJECT, "id"], None),
            "$.organization.projectV2.id",
            "null where the schema says ID!",
            id="null-non-null",
        ),
        pytest.param(
            _with([*PROJECT, "fields", "nodes", 0, "dataType"], "WORDS"),
            "$.organization.projectV2.fields.nodes[0].dataType",
            "not one of ProjectV2FieldType",
            id="enum-value",
        ),
        pytest.param(
            _with([*PROJECT, "fields", "nodes"], {"id": "F1"}),
            "$.organization.projectV2.fields.nodes",
            "expected a list",
            id="object-for-a-list",
        ),
    ],
)
def test_an_answer_that_departs_from_the_selection_is_named(
    answer: dict[str, Any], location: str, says: str
) -> None:
    found = default_graphql_oracle().check(_exchange(answer))

    assert any(v.location == location and says in v.message for v in found), found


def test_a_null_explained_by_an_error_at_its_path_passes() -> None:
    answer = _with(["data", "organization", "projectV2"], None)
    answer["errors"] = [
        {"type": "NOT_FOUND", "path": ["organization", "projectV2"], "message": "m"}
    ]

    assert default_graphql_oracle().check(_exchange(answer)) == []


@pytest.mark.parametrize(
    ("query", "variables", "part"),
    [
        pytest.param("{ organization { login } }", {}, "query", id="missing-argument"),
        pytest.param(QUERY, {"number": 1.5}, "variables", id="float-for-int"),
        pytest.param(QUERY, {}, "variables", id="required-variable-missing"),
        pytest.param("query { organization(login: ", {}, "query", id="unparseable"),
    ],
)
def test_a_bad_request_is_named_before_its_answer_is_read(
    query: str, variables: dict[str, Any], part: str
) -> None:
    exchange = _exchange(GOOD, query, variables)
    if not variables:
        exchange = Exchange(
            **{**exchange.__dict__, "request_body": {"query": query, "variables": {}}}
        )

    found = default_graphql_oracle().check(exchange)

    assert [v.part for v in found][:1] == [part], found
