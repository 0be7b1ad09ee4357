"""Every route the sandbox serves is a GitHub operation, and answers as GitHub describes it.

The route table is checked against GitHub's description (same operationId,
method and path template), then one sweep calls every route once over HTTP
with ``fidelity`` attached, so each operation's request and response are
validated at least once whatever else the suite happens to exercise.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import TestSandbox
from tests.support.fidelity import Fidelity
from tests.support.openapi import default_oracle
from warroom.sandbox.rest import ROUTES, Route

pytestmark = [pytest.mark.e2e, pytest.mark.npm]

REPO = "/repos/acme/service"


@pytest.mark.parametrize("route", ROUTES, ids=[r.operation_id for r in ROUTES])
def test_route_is_the_github_operation_it_claims(route: Route) -> None:
    operation = default_oracle().operations.get(route.operation_id)
    assert operation is not None, f"{route.operation_id} is not in the oracle's subset"
    assert (route.method.lower(), route.template) == (operation["method"], operation["path"])


class Sweep:
    """Calls in order, each expected to answer ``status``; later calls use earlier answers."""

    def __init__(self, sandbox: TestSandbox) -> None:
        self.sandbox = sandbox

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        answer = self.sandbox.http(method, path, body)
        assert answer.status == status, f"{method} {path}: {answer.status} {answer.body}"
        return answer.body


def test_every_route_answers_as_github_describes(sandbox: TestSandbox, fidelity: Fidelity) -> None:
    s = Sweep(sandbox)
    s.call("GET", "/rate_limit")
    s.call("GET", "/user")
    s.call("GET", "/users/writer")
    s.call("GET", REPO)
    s.call("GET", f"{REPO}/collaborators")
    s.call("GET", f"{REPO}/collaborators/writer/permission")
    sandbox.teams["responders"] = {"writer"}
    s.call("GET", "/orgs/acme/teams/responders/memberships/writer")
    s.call("GET", "/orgs/acme/teams/responders/memberships/reader", status=404)
    s.call("GET", f"{REPO}/assignees")
    s.call("GET", f"{REPO}/assignees/writer", status=204)

    s.call("POST", f"{REPO}/labels", {"name": "sev-1", "color": "b60205"}, status=201)
    s.call("GET", f"{REPO}/labels/sev-1")
    s.call("PATCH", f"{REPO}/labels/sev-1", {"description": "Users are hurt"})
    s.call("GET", f"{REPO}/labels")
    milestone = s.call("POST", f"{REPO}/milestones", {"title": "Recovery"}, status=201)
    number = milestone["number"]
    s.call("GET", f"{REPO}/milestones/{number}")
    s.call("PATCH", f"{REPO}/milestones/{number}", {"description": "Back to green"})
    s.call("GET", f"{REPO}/milestones")

    parent = s.call(
        "POST",
        f"{REPO}/issues",
        {"title": "Outage", "body": "Checkout is down", "labels": ["sev-1"], "milestone": number},
        status=201,
    )
    first = s.call("POST", f"{REPO}/issues", {"title": "Roll back"}, status=201)
    second = s.call("POST", f"{REPO}/issues", {"title": "Hotfix"}, status=201)
    p = f"{REPO}/issues/{parent['number']}"
    s.call("GET", p)
    s.call("PATCH", p, {"title": "Checkout outage", "state": "open"})
    s.call("GET", f"{REPO}/issues?state=all&per_page=2&page=1")

    s.call("POST", f"{p}/assignees", {"assignees": ["writer"]}, status=201)
    s.call("GET", f"{p}/assignees/writer", status=204)
    s.call("DELETE", f"{p}/assignees", {"assignees": ["writer"]})

    s.call("GET", f"{p}/labels")
    s.call("POST", f"{p}/labels", {"labels": ["bug"]})
    s.call("PUT", f"{p}/labels", {"labels": ["bug", "sev-1"]})
    s.call("DELETE", f"{p}/labels/bug")
    s.call("DELETE", f"{p}/labels", status=204)

    comment = s.call("POST", f"{p}/comments", {"body": "Rolling back now"}, status=201)
    c = f"{REPO}/issues/comments/{comment['id']}"
    s.call("GET", c)
    s.call("PATCH", c, {"body": "Rolled back"})
    s.call("GET", f"{p}/comments")
    s.call("GET", f"{REPO}/issues/comments")
    s.call("DELETE", c, status=204)

    s.call("POST", f"{p}/sub_issues", {"sub_issue_id": first["id"]}, status=201)
    s.call("POST", f"{p}/sub_issues", {"sub_issue_id": second["id"]}, status=201)
    s.call("GET", f"{p}/sub_issues")
    s.call(
        "PATCH",
        f"{p}/sub_issues/priority",
        {"sub_issue_id": second["id"], "before_id": first["id"]},
    )
    s.call("GET", f"{REPO}/issues/{first['number']}/parent")
    s.call("DELETE", f"{p}/sub_issue", {"sub_issue_id": second["id"]})

    s.call("PUT", f"{p}/lock", {"lock_reason": "resolved"}, status=204)
    s.call("DELETE", f"{p}/lock", status=204)
    events = s.call("GET", f"{REPO}/issues/events")
    s.call("GET", f"{REPO}/issues/events/{events[0]['id']}")
    s.call("GET", f"{p}/events")
    s.call("GET", f"{p}/timeline")

    s.call("DELETE", f"{REPO}/labels/sev-1", status=204)
    s.call("DELETE", f"{REPO}/milestones/{number}", status=204)

    seeded = sandbox.open_pull(title="Hotfix", head="incident/1/hotfix", files=["src/pay.py"])
    sandbox.change_pull(seeded["number"], state="closed")
    pull = s.call(
        "POST",
        f"{REPO}/pulls",
        {"title": "Hotfix again", "head": "acme:incident/1/hotfix", "base": "main"},
        status=201,
    )
    pr = f"{REPO}/pulls/{pull['number']}"
    s.call("GET", pr)
    s.call("PATCH", pr, {"body": "Incident: #1"})
    s.call("GET", f"{pr}/files?per_page=100")
    s.call("GET", f"{REPO}/pulls?state=all&per_page=1&page=2")
    sha = pull["head"]["sha"]
    s.call("GET", f"{REPO}/commits/{sha}")
    s.call(
        "POST",
        f"{REPO}/statuses/{sha}",
        {"state": "failure", "context": "warroom/freeze", "description": "held"},
        status=201,
    )
    s.call("GET", f"{REPO}/commits/{sha}/statuses")
    s.call("GET", f"{REPO}/commits/incident/1/hotfix/status")
    s.call("GET", f"{REPO}/branches?per_page=100")
    s.call("GET", f"{REPO}/git/matching-refs/heads/incident/1/")
    good = sandbox.add_commit("Release", ["src/app.py"], tags=["v1.0.0"])["sha"]
    sandbox.add_commit("Bad deploy", [{"filename": "src/old.py", "status": "removed"}])
    fix = sandbox.add_commit("Roll back", ["src/app.py"], pulls=[pull["number"]])["sha"]
    s.call("GET", f"{REPO}/compare/v1.0.0...{fix[:7]}?per_page=100")
    s.call("GET", f"{REPO}/compare/{fix}...{good}")
    s.call("GET", f"{REPO}/commits/{fix}/pulls?per_page=100")
    s.call("GET", f"{REPO}/commits/{sha}/pulls")

    reached = set(sandbox.requests()["total_counts"])
    assert {r.operation_id for r in ROUTES} - reached == set()
    assert fidelity.exchanges_checked >= len(ROUTES)
