"""The oracle fails what GitHub would not say, through the real server and its threads.

Each test breaks one thing on purpose (a client's request, a rendered issue,
a webhook payload) and proves ``fidelity`` names it; ``expect_violation``
consumes the expected violation so only an unexpected one fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import TestSandbox
from tests.support.fidelity import Fidelity

pytestmark = [pytest.mark.e2e, pytest.mark.npm]

REPO = "/repos/acme/service"


def test_undocumented_query_parameter_is_caught(sandbox: TestSandbox, fidelity: Fidelity) -> None:
    with fidelity.expect_violation("issues/list-for-repo", match=r"request query at statte"):
        answer = sandbox.http("GET", f"{REPO}/issues?statte=closed")
    assert answer.status == 200  # GitHub ignores it too; only the oracle notices


def test_non_conforming_request_body_is_caught_and_refused(
    sandbox: TestSandbox, fidelity: Fidelity
) -> None:
    with fidelity.expect_violation("issues/create", match=r"request body at \$\.labels"):
        answer = sandbox.http("POST", f"{REPO}/issues", {"title": "x", "labels": "bug"})
    assert answer.status == 422
    assert answer.body["message"]


def without_number(render: Any) -> Any:
    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        body = dict(render(*args, **kwargs))
        del body["number"]
        return body

    return broken


def test_response_missing_a_field_is_caught(
    sandbox: TestSandbox, fidelity: Fidelity, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sandbox.http("POST", f"{REPO}/issues", {"title": "Outage"}).status == 201
    monkeypatch.setattr(sandbox.renderer, "issue", without_number(sandbox.renderer.issue))
    with fidelity.expect_violation(
        "issues/get", match=r"response body at \$: 'number' is a required property"
    ):
        sandbox.http("GET", f"{REPO}/issues/1")


def test_delivery_missing_a_field_is_caught(
    sandbox: TestSandbox, fidelity: Fidelity, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sandbox.http("POST", f"{REPO}/issues", {"title": "Outage"}).status == 201
    monkeypatch.setattr(
        sandbox.renderer, "webhook_issue", without_number(sandbox.renderer.webhook_issue)
    )
    with fidelity.expect_violation(
        "issues$edited", match=r"payload at \$\.issue: 'number' is a required property"
    ):
        answer = sandbox.http("PATCH", f"{REPO}/issues/1", {"title": "Checkout outage"})
    assert answer.status == 200


def without_head(render: Any) -> Any:
    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        body = dict(render(*args, **kwargs))
        del body["head"]
        return body

    return broken


def test_pull_request_missing_its_head_is_caught_in_answers_and_deliveries(
    sandbox: TestSandbox, fidelity: Fidelity, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox.renderer, "pull", without_head(sandbox.renderer.pull))
    with fidelity.expect_violation(
        "pull_request$opened", match=r"payload at \$\.pull_request: 'head' is a required"
    ):
        opened = sandbox.control("POST", "/pulls", {"title": "x", "head": "b", "files": ["a"]})
    assert opened.status == 201
    with fidelity.expect_violation(
        "pulls/get", match=r"response body at \$: 'head' is a required property"
    ):
        sandbox.http("GET", f"{REPO}/pulls/1")


def test_a_combined_status_with_a_wrong_type_is_caught(
    sandbox: TestSandbox, fidelity: Fidelity, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = sandbox.open_pull(title="x", head="b", files=["a"])["head"]["sha"]
    render = sandbox.renderer.combined_status

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {**render(*args, **kwargs), "total_count": "one"}

    monkeypatch.setattr(sandbox.renderer, "combined_status", broken)
    with fidelity.expect_violation(
        "repos/get-combined-status-for-ref", match=r"\$\.total_count: 'one' is not of type"
    ):
        sandbox.http("GET", f"{REPO}/commits/{sha}/status")
