"""``warroom sandbox serve --repository backlog --project 7``: a drill with a backlog board.

The served sandbox holds a second repository of the owner, whose issues can be
sub-issues of the main repository's, and a GitHub Project answered over GraphQL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from github import Auth, Github

from warroom.sandbox.serve import ServeError, parse_repositories, serve

pytestmark = pytest.mark.e2e


@pytest.fixture
def served() -> Iterator[dict[str, Any]]:
    lines: list[str] = []
    ready, stop = threading.Event(), threading.Event()

    def announce(line: str) -> None:
        lines.append(line)
        ready.set()

    thread = threading.Thread(
        target=serve,
        kwargs={
            "repositories": ["backlog"],
            "projects": [7],
            "announce": announce,
            "stop": stop,
        },
        daemon=True,
    )
    thread.start()
    assert ready.wait(30), "the sandbox did not announce itself"
    yield json.loads(lines[0])
    stop.set()
    thread.join(30)


def test_a_backlog_issue_is_a_sub_issue_and_goes_on_the_project(served: dict[str, Any]) -> None:
    github = Github(base_url=served["api_url"], auth=Auth.Token(served["tokens"]["admin"]))
    incident = github.get_repo("acme/service").create_issue("Outage")
    follow_up = github.get_repo("acme/backlog").create_issue("Replay old tokens in CI")

    incident.add_sub_issue(follow_up.id)
    _, found = github.requester.graphql_query(
        'query { organization(login: "acme") { projectV2(number: 7) { id title } } }', {}
    )
    project = found["data"]["organization"]["projectV2"]["id"]
    _, added = github.requester.graphql_query(
        "mutation($p: ID!, $c: ID!) { addProjectV2ItemById(input: {projectId: $p, contentId: $c})"
        " { item { id content { ... on Issue { number repository { nameWithOwner } } } } } }",
        {"p": project, "c": follow_up.node_id},
    )

    assert [s.id for s in incident.get_sub_issues()] == [follow_up.id]
    assert added["data"]["addProjectV2ItemById"]["item"]["content"] == {
        "number": follow_up.number,
        "repository": {"nameWithOwner": "acme/backlog"},
    }


@pytest.mark.parametrize(
    ("values", "says"),
    [
        pytest.param(["back log"], "write a repository name such as backlog", id="space"),
        pytest.param(["service"], "service is there already", id="the-main-one"),
        pytest.param(["backlog", "Backlog"], "Backlog is there already", id="twice"),
    ],
)
def test_a_bad_repository_name_is_refused_with_what_to_write(values: list[str], says: str) -> None:
    with pytest.raises(ServeError, match=says):
        parse_repositories(values)
