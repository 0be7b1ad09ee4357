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
