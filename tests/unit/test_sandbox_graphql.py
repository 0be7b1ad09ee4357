"""The sandbox's GraphQL room without HTTP: its parser, its executor and GitHub's error shapes.

The parser is checked against graphql-core's (the reference implementation) on
warroom's own documents and on generated ones, and never fails on any text with
anything but a GraphQL error. Answers hold exactly the fields a query selected.
"""

from __future__ import annotations

import contextlib
from typing import Any

import graphql
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.github import projects
from warroom.sandbox.clock import Clock
from warroom.sandbox.graphql import Board, GraphQLError, GraphQLRoom, Repo, parse
from warroom.sandbox.records import Issue
from warroom.sandbox.state import State


def _room() -> tuple[GraphQLRoom, State]:
    state = State(Clock(None))
    with state.transaction() as tx:
        state.add_issue(
            tx, Issue(id=0, user="admin", title="Follow-up", created_at="", updated_at="")
        )
    board = Board()
    board.seed_project(owner="acme", owner_type="Organization", number=7, title="Backlog")
    return GraphQLRoom(
        board, lambda: [Repo("acme/service", state, "http://x/acme/service")], "http://x"
    ), state


def _ask(room: GraphQLRoom, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
    status, answer = room.handle(
        {"query": query, "variables": variables or {}},
        viewer=kw.get("viewer", "admin"),
        workflow_token=kw.get("workflow", False),
    )
    assert status == 200
    return answer


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(projects.PROJECT_QUERIES["organization"], id="project-query"),
        pytest.param(projects.follow_ups_query([1, 2])[0], id="follow-ups-query"),
        pytest.param(projects.ADD_ITEM, id="add-item"),
        pytest.param(projects.SET_VALUE, id="set-value"),
        pytest.param(
            '{ a: b(c: [1, 2.5, "x\\n\\u0041", true, null, ENUM, {d: $e}]) @skip(if: false) }',
            id="every-value",
        ),
        pytest.param(
            "query Q { ...F } fragment F on Query { x } # a comment", id="named-with-fragment"
        ),
    ],
)
def test_documents_graphql_core_reads_are_read(document: str) -> None:
    graphql.parse(document)  # the reference accepts it ...
    parsed = parse(document)  # ... and so does the sandbox
    assert parsed.selections


@pytest.mark.parametrize(
    ("document", "says"),
    [
        pytest.param("{ a", "end of file", id="unclosed"),
        pytest.param('{ a(b: "x) }', "unterminated string", id="unterminated-string"),
        pytest.param("subscription { a }", '"subscription"', id="subscription"),
        pytest.param("{ a } { b }", "operation name is required", id="two-anonymous"),
        pytest.param("{ a ~ }", 'unexpected character "~"', id="stray-character"),
        pytest.param("", "No operations", id="empty"),
        pytest.param("{ a " * 40 + "}" * 40, "nested too deep", id="too-deep"),
    ],
)
def test_an_unreadable_document_is_a_graphql_error(document: str, says: str) -> None:
    with pytest.raises(GraphQLError, match=says):
        parse(document)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('{}()[]:$!@.=,"\\#\n abcuOnF01-_eE.')), max_size=80))
def test_any_text_parses_or_fails_as_a_graphql_error(text: str) -> None:
    with contextlib.suppress(GraphQLError):  # anything else (IndexError, ValueError) fails
        parse(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('"\\u0123456789aF-+.eE[]{}$:, ')), max_size=30))
def test_any_argument_value_parses_or_fails_as_a_graphql_error(value: str) -> None:
    with contextlib.suppress(GraphQLError):  # a number or escape it cannot read fails as one
        parse(f"{{ a(b: {value}) }}")


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("-", id="a-lone-minus"),
        pytest.param("1e", id="exponent-without-digits"),
        pytest.param("1.2.3", id="two-points"),
        pytest.param("01", id="leading-zero"),
        pytest.param('"\\uZZZZ"', id="escape-not-hex"),
        pytest.param('"\\u12"', id="escape-too-short"),
    ],
)
def test_a_value_graphql_cannot_read_is_a_graphql_error(value: str) -> None:
    with pytest.raises(graphql.GraphQLError):
        graphql.parse(f"{{ a(b: {value}) }}")  # the reference refuses it too
    with pytest.raises(GraphQLError, match="Parse error"):
        parse(f"{{ a(b: {value}) }}")


_NAMES = st.sampled_from(["id", "title", "number", "url", "closed"])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["", "a", "b", "c"]), _NAMES),
        min_size=1,
        max_size=6,
        unique_by=lambda x: x[0] or x[1],
    )
)
def test_an_answer_holds_exactly_the_selected_fields_under_their_aliases(
    fields: list[tuple[str, str]],
) -> None:
    room, _ = _room()
    selection = " ".join(f"{alias}: {name}" if alias else name for alias, name in fields)
    query = f'{{ organization(login: "acme") {{ projectV2(number: 7) {{ {selection} }} }} }}'
    graphql.parse(query)

    answer = _ask(room, query)

    project = answer["data"]["organization"]["projectV2"]
    assert list(project) == [alias or name for alias, name in fields]


def test_fragments_apply_by_type_and_interface() -> None:
    room, _ = _room()

    answer = _ask(room, projects.PROJECT_QUERIES["organization"], {"login": "acme", "number": 7})

    nodes = answer["data"]["organization"]["projectV2"]["fields"]["nodes"]
    status = next(n for n in nodes if n["name"] == "Status")
    owner = next(n for n in nodes if n["name"] == "Owner")
    assert [o["name"] for o in status["options"]] == ["Todo", "In Progress", "Done"]
    assert set(owner) == {"id", "name", "dataType"}  # not a single-select: no options


@pytest.mark.parametrize(
    ("query", "variables", "options", "expected"),
    [
        pytest.param(
            '{ organization(login: "acme") { projectV2(number: 8) { id } } }',
            {},
            {},
            {
                "type": "NOT_FOUND",
                "message": "Could not resolve to a ProjectV2 with the number 8.",
                "path": ["organization", "projectV2"],
            },
            id="no-such-project",
        ),
        pytest.param(
            '{ organization(login: "acme") { projectV2(number: 7) { id } } }',
            {},
            {"workflow": True},
            {
                "type": "FORBIDDEN",
                "message": "Resource not accessible by integration",
                "path": ["organization", "projectV2"],
            },
            id="workflow-token",
        ),
        pytest.param(
            '{ repository(owner: "acme", name: "service") { issue(number: 9) { id } } }',
            {},
            {},
            {
                "type": "NOT_FOUND",
                "message": "Could not resolve to an Issue with the number of 9.",
                "path": ["repository", "issue"],
            },
            id="no-such-issue",
        ),
        pytest.param(
            '{ organization(login: "acme") { projectV2(number: 7) { items { nodes { id } } } } }',
            {},
            {},
            {
                "type": "MISSING_PAGINATION_BOUNDARIES",
                "path": ["organization", "projectV2", "items"],
            },
            id="no-first",
        ),
        pytest.param(
            '{ organization(login: "acme") { projectV2(number: 7) '
            "{ items(first: 101) { nodes { id } } } } }",
            {},
            {},
            {"type": "EXCESSIVE_PAGINATION", "path": ["organization", "projectV2", "items"]},
            id="first-over-100",
        ),
    ],
)
def test_what_cannot_be_resolved_answers_in_github_s_error_shape(
    query: str, variables: dict[str, Any], options: dict[str, Any], expected: dict[str, Any]
) -> None:
    room, _ = _room()

    answer = _ask(room, query, variables, **options)

    (error,) = answer["errors"]
    assert {k: error[k] for k in expected} == expected
    assert error["locations"]
    assert "data" in answer


def test_an_unknown_field_fails_the_whole_query_as_github_does() -> None:
    room, _ = _room()

    answer = _ask(room, '{ organization(login: "acme") { projectV2(number: 7) { titel } } }')

    assert "data" not in answer
    (error,) = answer["errors"]
    assert error["extensions"] == {
        "code": "undefinedField",
        "typeName": "ProjectV2",
        "fieldName": "titel",
    }
    assert error["path"] == ["query", "organization", "projectV2", "titel"]


def test_adding_an_issue_twice_returns_the_same_item() -> None:
    room, state = _room()
    project = room.board.projects[0]
    content = state.issues[1].node_id
    variables = {"project": project.id, "content": content}

    first = _ask(room, projects.ADD_ITEM, variables)
    second = _ask(room, projects.ADD_ITEM, variables)

    item = first["data"]["addProjectV2ItemById"]["item"]["id"]
    assert second["data"]["addProjectV2ItemById"]["item"]["id"] == item
    assert len(project.items) == 1


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        pytest.param("Due date", {"date": "tomorrow"}, "invalid value", id="not-a-date"),
        pytest.param(
            "Due date",
            {"text": "2026-12-01"},
            "requires exactly one value of `date`",
            id="text-on-a-date",
        ),
        pytest.param(
            "Status",
            {"singleSelectOptionId": "nope"},
            "does not belong to the field Status",
            id="unknown-option",
        ),
    ],
)
def test_a_value_the_field_cannot_hold_is_refused(
    field: str, value: dict[str, str], says: str
) -> None:
    room, state = _room()
    project = room.board.projects[0]
    item = room.board.add_item(project, state.issues[1].node_id)
    field_id = next(f.id for f in project.fields if f.name == field)

    answer = _ask(
        room,
        projects.SET_VALUE,
        {"project": project.id, "item": item.id, "field": field_id, "value": value},
    )

    (error,) = answer["errors"]
    assert says in error["message"]
    assert item.values == {}


def test_an_anonymous_request_is_refused_before_it_is_read() -> None:
    room, _ = _room()

    status, answer = room.handle({"query": "{"}, viewer=None, workflow_token=False)

    assert status == 401
    assert answer["message"] == "This endpoint requires you to be authenticated."
