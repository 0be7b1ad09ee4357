"""The OpenAPI oracle passes what GitHub describes, and names operation and place of each departure.

Conforming bodies are GitHub's own examples from its description, so no test
here rests on our reading of the docs.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from tests.support import node_file
from tests.support.fidelity import Fidelity
from tests.support.openapi import (
    OPENAPI_FILE,
    PROSE_ALLOWANCES,
    SERVED_OPERATIONS,
    OpenApiOracle,
    _template_pattern,
    default_oracle,
    extract_subset,
    load_subset,
    to_json_schema,
)
from tests.support.webhooks import default_webhook_oracle
from warroom.sandbox.observe import Exchange

pytestmark = pytest.mark.npm

pytest_plugins = ["pytester"]

JSON_HEADERS = {"X-GitHub-Request-Id": "0000:1111:2222", "Content-Type": "application/json"}
ERROR = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}


@functools.cache
def github_example(name: str) -> Any:
    """An example value from GitHub's own description (``components/examples``)."""
    document = json.loads(node_file(OPENAPI_FILE).read_bytes())
    return document["components"]["examples"][name]["value"]


def issue(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(github_example("issue"))
    body.update(changes)
    return body


def without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


def exchange(
    operation_id: str | None = "issues/get",
    method: str = "GET",
    path: str = "/repos/octocat/Hello-World/issues/1347",
    status: int = 200,
    response_body: Any = None,
    request_body: Any = None,
    raw_request_body: bytes | None = None,
    query: dict[str, list[str]] | None = None,
    request_headers: dict[str, str] | None = None,
    response_headers: dict[str, str] | None = None,
    fault: str | None = None,
) -> Exchange:
    if raw_request_body is None:
        raw_request_body = b"" if request_body is None else json.dumps(request_body).encode()
    return Exchange(
        method=method,
        path=path,
        query=query or {},
        request_headers=request_headers or {},
        request_body=request_body,
        raw_request_body=raw_request_body,
        status=status,
        response_headers=JSON_HEADERS if response_headers is None else response_headers,
        response_body=response_body,
        operation_id=operation_id,
        fault=fault,
    )


def create_issue(**overrides: Any) -> Exchange:
    values: dict[str, Any] = {
        "operation_id": "issues/create",
        "method": "POST",
        "path": "/repos/octocat/Hello-World/issues",
        "status": 201,
        "request_body": {"title": "Found a bug", "labels": ["bug"]},
        "response_body": issue(),
        "response_headers": {
            **JSON_HEADERS,
            "Location": "http://127.0.0.1/repos/octocat/Hello-World/issues/1347",
        },
    }
    values.update(overrides)
    return exchange(**values)


def list_issues(count: int, per_page: int, link: str | None, page: int = 1) -> Exchange:
    headers = dict(JSON_HEADERS)
    if link is not None:
        headers["Link"] = link
    return exchange(
        operation_id="issues/list-for-repo",
        path="/repos/octocat/Hello-World/issues",
        query={"per_page": [str(per_page)], "page": [str(page)]},
        response_body=[issue(number=n) for n in range(1, count + 1)],
        response_headers=headers,
    )


NEXT = '<http://127.0.0.1/repos/octocat/Hello-World/issues?page=2>; rel="next"'
PREV = '<http://127.0.0.1/repos/octocat/Hello-World/issues?page=1>; rel="prev"'


def add_labels(request_body: Any) -> Exchange:
    return exchange(
        operation_id="issues/add-labels",
        method="POST",
        path="/repos/octocat/Hello-World/issues/1347/labels",
        request_body=request_body,
        response_body=[github_example("label")],
    )


CONFORMING = [
    pytest.param(exchange(response_body=issue()), id="get-issue-github-example"),
    pytest.param(
        exchange(
            operation_id="issues/get-comment",
            path="/repos/octocat/Hello-World/issues/comments/1",
            response_body=github_example("issue-comment"),
        ),
        id="get-comment-github-example",
    ),
    pytest.param(create_issue(), id="create-issue-201"),
    pytest.param(
        create_issue(request_body={"title": 7, "milestone": None, "assignee": None}),
        id="create-issue-integer-title-and-nullable-fields",
    ),
    pytest.param(add_labels({"labels": ["bug"]}), id="add-labels-documented-object"),
    pytest.param(add_labels(["bug"]), id="add-labels-bare-array-allowed-by-prose"),
    pytest.param(list_issues(2, per_page=2, link=NEXT), id="full-page-links-next"),
    pytest.param(list_issues(1, per_page=2, link=PREV, page=2), id="last-page-links-prev"),
    pytest.param(
        exchange(
            operation_id="issues/delete-comment",
            method="DELETE",
            path="/repos/octocat/Hello-World/issues/comments/1",
            status=204,
        ),
        id="delete-comment-204-without-body",
    ),
    pytest.param(exchange(status=404, response_body=ERROR), id="documented-404"),
    pytest.param(
        exchange(status=401, response_body={"message": "Bad credentials"}),
        id="generic-401-on-any-operation",
    ),
    pytest.param(
        exchange(status=304, request_headers={"If-None-Match": '"abc"'}),
        id="conditional-get-304",
    ),
    pytest.param(
        exchange(status=502, response_body={"message": "Server Error"}),
        id="generic-502-on-any-operation",
    ),
    pytest.param(
        exchange(
            status=503, response_body={"message": "busy"}, response_headers={}, fault="outage"
        ),
        id="injected-fault-judged-only-as-error",
    ),
    pytest.param(
        exchange(operation_id=None, path="/nope", status=404, response_body=ERROR),
        id="unknown-route-404",
    ),
]


@pytest.mark.parametrize("seen", CONFORMING)
def test_conforming_exchange_passes(seen: Exchange) -> None:
    assert default_oracle().check(seen) == []


# (exchange, subject, part, location, message fragment): each case carries exactly one defect
VIOLATING = [
    pytest.param(
        exchange(response_body=without(issue(), "number")),
        "issues/get",
        "response body",
        "$",
        "'number' is a required property",
        id="response-missing-number",
    ),
    pytest.param(
        exchange(response_body=issue(number="1347")),
        "issues/get",
        "response body",
        "$.number",
        "is not of type 'integer'",
        id="response-number-is-string",
    ),
    pytest.param(
        exchange(response_body=issue(user={**issue()["user"], "login": None})),
        "issues/get",
        "response body",
        "$.user.login",
        "None is not of type 'string'",
        id="response-nested-null",
    ),
    pytest.param(
        exchange(response_body=issue(created_at="yesterday")),
        "issues/get",
        "response body",
        "$.created_at",
        "is not a 'date-time'",
        id="response-bad-timestamp",
    ),
    pytest.param(
        exchange(response_body=issue(html_url="issues/1347")),
        "issues/get",
        "response body",
        "$.html_url",
        "is not a 'uri'",
        id="response-relative-url",
    ),
    pytest.param(
        create_issue(request_body={"title": "x", "labels": "bug"}),
        "issues/create",
        "request body",
        "$.labels",
        "'bug' is not of type 'array'",
        id="request-labels-not-array",
    ),
    pytest.param(
        add_labels(7),
        "issues/add-labels",
        "request body",
        "$",
        "7 is not of type 'object'",
        id="add-labels-neither-object-nor-array",
    ),
    pytest.param(
        create_issue(request_body={"body": "no title"}),
        "issues/create",
        "request body",
        "$",
        "'title' is a required property",
        id="request-missing-title",
    ),
    pytest.param(
        create_issue(request_body=None, raw_request_body=b"{title: x}"),
        "issues/create",
        "request body",
        "$",
        "is not JSON",
        id="request-body-not-json",
    ),
    pytest.param(
        create_issue(request_body=None),
        "issues/create",
        "request body",
        "$",
        "required but missing",
        id="request-body-missing",
    ),
    pytest.param(
        exchange(request_body={"title": "x"}, response_body=issue()),
        "issues/get",
        "request body",
        "$",
        "takes no body",
        id="request-body-on-get",
    ),
    pytest.param(
        exchange(path="/repos/octocat/Hello-World/issues/one", response_body=issue()),
        "issues/get",
        "request path",
        "issue_number",
        "'one' is not of type 'integer'",
        id="request-path-param-not-integer",
    ),
    pytest.param(
        exchange(
            operation_id="issues/list-for-repo",
            path="/repos/octocat/Hello-World/issues",
            query={"state": ["opened"]},
            response_body=[],
        ),
        "issues/list-for-repo",
        "request query",
        "state",
        "'opened' is not one of ['open', 'closed', 'all']",
        id="request-query-enum",
    ),
    pytest.param(
        exchange(
            operation_id="issues/list-for-repo",
            path="/repos/octocat/Hello-World/issues",
            query={"statte": ["open"]},
            response_body=[],
        ),
        "issues/list-for-repo",
        "request query",
        "statte",
        "documents no such query parameter",
        id="request-query-undocumented",
    ),
    pytest.param(
        exchange(method="PATCH", response_body=issue()),
        "issues/get",
        "request method",
        "PATCH",
        "issues/get is GET",
        id="request-method-mismatch",
    ),
    pytest.param(
        exchange(path="/repos/octocat/Hello-World/pulls/1347", response_body=issue()),
        "issues/get",
        "request path",
        "/repos/octocat/Hello-World/pulls/1347",
        "does not match /repos/{owner}/{repo}/issues/{issue_number}",
        id="routed-to-wrong-operation",
    ),
    pytest.param(
        create_issue(status=200),
        "issues/create",
        "response status",
        "200",
        "not documented for issues/create",
        id="status-200-where-201-documented",
    ),
    pytest.param(
        exchange(status=418, response_body=ERROR),
        "issues/get",
        "response status",
        "418",
        "not documented",
        id="status-undocumented",
    ),
    pytest.param(
        exchange(status=404, response_body={"error": "gone"}),
        "issues/get",
        "response body",
        "$",
        "'message' is a required property",
        id="error-body-without-message",
    ),
    pytest.param(
        exchange(status=500, response_body="<html>oops</html>", fault="boom"),
        "issues/get",
        "response body",
        "$",
        "is not of type 'object'",
        id="fault-not-a-github-error",
    ),
    pytest.param(
        exchange(operation_id=None, path="/nope", status=200, response_body={}),
        "<no operation>",
        "route",
        "/nope",
        "must answer 404",
        id="unknown-route-not-404",
    ),
    pytest.param(
        exchange(operation_id="pulls/merge", response_body={}),
        "pulls/merge",
        "route",
        "operationId",
        "add it to SERVED_OPERATIONS",
        id="operation-outside-subset",
    ),
    pytest.param(
        exchange(response_body=issue(), response_headers={"Content-Type": "application/json"}),
        "issues/get",
        "response headers",
        "X-GitHub-Request-Id",
        "missing",
        id="missing-request-id",
    ),
    pytest.param(
        exchange(response_body=issue(), response_headers={**JSON_HEADERS, "Content-Type": ""}),
        "issues/get",
        "response headers",
        "Content-Type",
        "for a JSON body",
        id="json-without-content-type",
    ),
    pytest.param(
        exchange(
            operation_id="issues/delete-comment",
            method="DELETE",
            path="/repos/octocat/Hello-World/issues/comments/1",
            status=204,
            response_body={},
        ),
        "issues/delete-comment",
        "response body",
        "$",
        "documents no body for 204",
        id="body-on-204",
    ),
    pytest.param(
        create_issue(response_headers=JSON_HEADERS),
        "issues/create",
        "response headers",
        "Location",
        "missing",
        id="created-without-location",
    ),
    pytest.param(
        list_issues(1, per_page=2, link=NEXT),
        "issues/list-for-repo",
        "response headers",
        "Link",
        'rel="next" on a short page',
        id="next-link-on-short-page",
    ),
    pytest.param(
        list_issues(2, per_page=2, link=NEXT, page=2),
        "issues/list-for-repo",
        "response headers",
        "Link",
        'page 2 lacks rel="prev"',
        id="second-page-without-prev",
    ),
    pytest.param(
        list_issues(2, per_page=2, link="<http://127.0.0.1/x?page=2>; next"),
        "issues/list-for-repo",
        "response headers",
        "Link",
        "malformed part",
        id="malformed-link",
    ),
    pytest.param(
        list_issues(3, per_page=2, link=None),
        "issues/list-for-repo",
        "response body",
        "$",
        "3 items on a page of per_page=2",
        id="page-longer-than-per-page",
    ),
]


@pytest.mark.parametrize(("seen", "subject", "part", "location", "fragment"), VIOLATING)
def test_violation_names_operation_and_place(
    seen: Exchange, subject: str, part: str, location: str, fragment: str
) -> None:
    found = default_oracle().check(seen)
    assert len(found) == 1, "\n".join(map(str, found))
    violation = found[0]
    assert (violation.subject, violation.part, violation.location) == (subject, part, location)
    assert fragment in violation.message
    assert subject in str(violation)
    assert f"{seen.method} {seen.path} -> {seen.status}" in str(violation)


def test_schema_errors_name_the_schema_keyword() -> None:
    (violation,) = default_oracle().check(exchange(response_body=issue(number="1347")))
    assert violation.message.endswith("(schema: properties/number/type)")


# --- OpenAPI 3.0 -> JSON Schema -----------------------------------------------------------

NULLABLE = [
    pytest.param({"type": "string", "nullable": True}, [None, "x"], [1], id="nullable-type"),
    pytest.param(
        {"type": "string", "enum": ["a"], "nullable": True}, [None, "a"], ["b"], id="nullable-enum"
    ),
    pytest.param(
        {"allOf": [{"type": "object", "required": ["id"]}], "nullable": True},
        [None, {"id": 1}],
        [{}, "x"],
        id="nullable-allOf",
    ),
    pytest.param(
        {"oneOf": [{"type": "string", "nullable": True}, {"type": "integer", "nullable": True}]},
        [None, "x", 1],
        [1.5],
        id="overlapping-oneOf-accepts-shared-null",
    ),
    pytest.param(
        {"type": "object", "properties": {"example": {"type": "integer"}}, "example": {}},
        [{"example": 1}],
        [{"example": "x"}],
        id="property-named-like-an-annotation-is-kept",
    ),
    pytest.param({"type": "integer"}, [1], [None], id="not-nullable-rejects-null"),
]


@pytest.mark.parametrize(("schema", "accepted", "rejected"), NULLABLE)
def test_openapi_schema_becomes_json_schema(
    schema: dict[str, Any], accepted: list[Any], rejected: list[Any]
) -> None:
    validator = Draft7Validator(to_json_schema(schema))
    assert [validator.is_valid(v) for v in accepted] == [True] * len(accepted)
    assert [validator.is_valid(v) for v in rejected] == [False] * len(rejected)


def test_annotations_are_dropped() -> None:
    converted = to_json_schema(
        {"type": "string", "description": "d", "example": "e", "x-github": {}, "title": "t"}
    )
    assert converted == {"type": "string"}


TEMPLATES = sorted({op["path"] for op in default_oracle().operations.values()})
SEGMENT = st.text(
    alphabet=st.characters(categories=("L", "N"), include_characters="-_."), min_size=1
)


@settings(max_examples=60, deadline=None)
@given(template=st.sampled_from(TEMPLATES), values=st.lists(SEGMENT, min_size=6, max_size=6))
def test_path_template_round_trips(template: str, values: list[str]) -> None:
    pattern, names = _template_pattern(template)
    path = template
    for name, value in zip(names, values, strict=False):
        path = path.replace("{" + name + "}", value, 1)
    match = pattern.fullmatch(path)
    assert match is not None
    assert [match[f"p{i}"] for i in range(len(names))] == values[: len(names)]


# --- the cache ------------------------------------------------------------------------------

MINI_OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "paths": {
        "/things/{id}": {
            "get": {
                "operationId": "things/get",
                "tags": ["things"],
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/thing"}}
                        },
                    }
                },
            }
        },
        "/other": {"get": {"operationId": "other/get", "tags": ["other"], "responses": {}}},
    },
    "components": {
        "parameters": {"id": {"name": "id", "in": "path", "required": True, "schema": {}}},
        "schemas": {
            "thing": {
                "type": "object",
                "properties": {"owner": {"$ref": "#/components/schemas/user"}},
            },
            "user": {"type": "object", "nullable": True},
            "unused": {"type": "string"},
        },
    },
}


def write_source(tmp_path: Path, document: dict[str, Any] = MINI_OPENAPI) -> Path:
    source = tmp_path / "api.json"
    source.write_text(json.dumps(document))
    return source


def test_subset_keeps_selected_operations_and_the_schemas_they_reach() -> None:
    subset = extract_subset(MINI_OPENAPI, tags=frozenset({"things"}), operations=frozenset())
    assert sorted(subset["operations"]) == ["things/get"]
    assert sorted(subset["components"]["schemas"]) == ["thing", "user"]
    assert subset["operations"]["things/get"]["parameters"][0]["name"] == "id"
    assert subset["components"]["schemas"]["user"] == {"type": ["object", "null"]}


def test_subset_refuses_an_operation_github_does_not_have() -> None:
    with pytest.raises(ValueError, match="no operation things/frobnicate"):
        extract_subset(MINI_OPENAPI, frozenset(), frozenset({"things/frobnicate"}))


@pytest.mark.parametrize("operation_id", sorted(PROSE_ALLOWANCES))
def test_prose_allowances_quote_githubs_own_description(operation_id: str) -> None:
    document = json.loads(node_file(OPENAPI_FILE).read_bytes())
    (request_body,) = (
        op["requestBody"]
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == operation_id
    )
    assert PROSE_ALLOWANCES[operation_id][0] in json.dumps(request_body)


def test_served_operations_all_exist_in_githubs_description() -> None:
    assert default_oracle().operations.keys() >= SERVED_OPERATIONS


def test_cache_is_reused_then_rebuilt_when_the_source_changes(tmp_path: Path) -> None:
    source, cache = write_source(tmp_path), tmp_path / "cache"
    select = {"tags": frozenset({"things"}), "operations": frozenset()}
    first = load_subset(source, cache, **select)
    (entry,) = cache.iterdir()
    entry.write_text(json.dumps({**first, "marker": "served from cache"}))
    assert load_subset(source, cache, **select)["marker"] == "served from cache"

    changed = copy.deepcopy(MINI_OPENAPI)
    changed["components"]["schemas"]["user"]["nullable"] = False
    write_source(tmp_path, changed)
    os.utime(source, ns=(1, 1))
    rebuilt = load_subset(source, cache, **select)
    assert "marker" not in rebuilt
    assert rebuilt["components"]["schemas"]["user"] == {"type": "object"}
    assert len(list(cache.iterdir())) == 2


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    source, cache = write_source(tmp_path), tmp_path / "cache"
    select = {"tags": frozenset({"things"}), "operations": frozenset()}
    load_subset(source, cache, **select)
    (entry,) = cache.iterdir()
    entry.write_text('{"operations": ')
    assert sorted(load_subset(source, cache, **select)["operations"]) == ["things/get"]


def test_concurrent_builders_leave_one_whole_cache_file(tmp_path: Path) -> None:
    source, cache = write_source(tmp_path), tmp_path / "cache"
    results: list[dict[str, Any]] = []

    def build() -> None:
        results.append(load_subset(source, cache, frozenset({"things"}), frozenset()))

    threads = [threading.Thread(target=build) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(r == results[0] for r in results)
    (entry,) = cache.iterdir()
    assert json.loads(entry.read_text()) == results[0]


def test_oracle_over_a_small_description_checks_references(tmp_path: Path) -> None:
    oracle = OpenApiOracle(
        load_subset(write_source(tmp_path), tmp_path / "c", frozenset({"things"}), frozenset())
    )
    ok = exchange(operation_id="things/get", path="/things/1", response_body={"owner": None})
    bad = exchange(operation_id="things/get", path="/things/1", response_body={"owner": 3})
    assert oracle.check(ok) == []
    assert [v.location for v in oracle.check(bad)] == ["$.owner"]


# --- the fidelity fixture fails the test that caused a violation ---------------------------


def test_fidelity_fixture_fails_the_offending_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("from tests.conftest import fidelity, pytest_runtest_call\n")
    pytester.makepyfile(
        """
        import pytest
        from warroom.sandbox.observe import Exchange

        class FakeSandbox:
            def add_exchange_listener(self, fn):
                self.exchange = fn
            def add_delivery_listener(self, fn):
                self.delivery = fn

        def send(sandbox, status):
            sandbox.exchange(Exchange(
                method="GET", path="/repos/o/r/issues/1", query={}, request_headers={},
                request_body=None, raw_request_body=b"", status=status,
                response_headers={"X-GitHub-Request-Id": "1"}, response_body=None,
                operation_id="issues/get"))

        @pytest.fixture
        def sandbox(fidelity):  # as tests/e2e/conftest.py does: the test never names fidelity
            sandbox = FakeSandbox()
            fidelity.attach(sandbox)
            return sandbox

        def test_sends_undocumented_status(sandbox):
            send(sandbox, 299)

        def test_expects_its_violation(sandbox, fidelity):
            with fidelity.expect_violation("issues/get", match="299"):
                send(sandbox, 299)
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:playwright")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_sends_undocumented_status _*",
            "*issues/get [[]GET /repos/o/r/issues/1 -> 299[]] response status at 299*",
            "FAILED *::test_sends_undocumented_status*",
        ]
    )


def test_violation_on_failed_test_is_added_to_its_report(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("from tests.conftest import fidelity, pytest_runtest_call\n")
    pytester.makepyfile(
        """
        from warroom.sandbox.observe import Delivery

        def test_fails_anyway(fidelity):
            fidelity.observe_delivery(Delivery("issues", {"action": "frobbed"}))
            assert False, "own failure"
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:playwright")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*own failure*", "*issues$frobbed*no such event/action*"])


def test_oracle_crash_is_recorded_not_raised_into_the_server() -> None:
    recorder = Fidelity(default_oracle(), default_webhook_oracle())
    broken = exchange(response_body=issue())
    object.__setattr__(broken, "query", None)  # what a buggy server might hand over
    recorder.observe_exchange(broken)
    (violation,) = recorder.take()
    assert violation.part == "oracle"
    assert "crashed" in violation.message
