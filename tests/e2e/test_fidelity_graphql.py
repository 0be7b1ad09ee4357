"""The GraphQL oracle fails what GitHub's schema would refuse, through the real server.

Each request here is wrong on purpose (a misspelled field, a variable of the wrong
type) and the sandbox answers it the way it answers anything; ``fidelity`` must
name the departure from GitHub's schema, and ``expect_violation`` consumes it. The
sandbox's answers to good queries are checked against each query's selection.
"""

from __future__ import annotations

from typing import Any

import pytest
from github import GithubException

from tests.e2e.conftest import TestSandbox
from tests.support.fidelity import Fidelity
from warroom.github import projects

pytestmark = [pytest.mark.e2e, pytest.mark.npm]


def _send(sandbox: TestSandbox, query: str, variables: dict[str, Any]) -> Any:
    try:
        _, data = sandbox.github().requester.graphql_query(query, variables)
    except GithubException as exc:
        return exc.data
    return data


@pytest.mark.parametrize(
    ("query", "variables", "match"),
    [
        pytest.param(
            'query($number: Int!) { organization(login: "acme") '
            "{ projectV2(number: $number) { id titel } } }",
            {"number": 7},
            r"query at line 1.*Cannot query field 'titel' on type 'ProjectV2'",
            id="misspelled-field",
        ),
        pytest.param(
            'query($number: Int!) { organization(login: "acme") '
            "{ projectV2(number: $number) { id } } }",
            {"number": "seven"},
            r"variables .*Int cannot represent non-integer value: 'seven'",
            id="variable-of-the-wrong-type",
        ),
        pytest.param(
            'query($number: String!) { organization(login: "acme") '
            "{ projectV2(number: $number) { id } } }",
            {"number": "7"},
            r"Variable '\$number' of type 'String!' used in position expecting type 'Int!'",
            id="variable-declared-with-the-wrong-type",
        ),
        pytest.param(
            "mutation($project: ID!, $content: ID!) { addProjectV2ItemById("
            "input: {projectId: $project, contentId: $content, position: 1}) { item { id } } }",
            {"project": "P", "content": "C"},
            r"'AddProjectV2ItemByIdInput' not to include unknown field 'position'",
            id="unknown-input-field",
        ),
    ],
)
def test_a_request_github_s_schema_refuses_is_caught(
    sandbox: TestSandbox, fidelity: Fidelity, query: str, variables: dict[str, Any], match: str
) -> None:
    sandbox.seed_project(7)
    with fidelity.expect_violation("graphql", match=match):
        _send(sandbox, query, variables)


def test_warroom_s_own_queries_conform(sandbox: TestSandbox, fidelity: Fidelity) -> None:
    sandbox.seed_project(7)
    issue = sandbox.repo().create_issue("A follow-up")
    query, variables = projects.follow_ups_query([issue.number, 999])

    found = _send(sandbox, projects.PROJECT_QUERIES["organization"], {"login": "acme", "number": 7})
    read = _send(sandbox, query, {"owner": "acme", "name": "service", **variables})

    project = projects.read_project(found, "organization")
    assert project is not None
    assert set(project.fields) == {"Title", "Status", "Owner", "Due date", "Incident"}
    assert project.fields["Status"].options.keys() == {"Todo", "In Progress", "Done"}
    assert read["data"]["repository"]["f1"] is None
    assert read["errors"][0]["type"] == "NOT_FOUND"
    fidelity.assert_clean()
    assert fidelity.exchanges_checked >= 3
