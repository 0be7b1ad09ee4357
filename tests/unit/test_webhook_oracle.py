"""The webhook oracle passes GitHub's real payloads and names where a mutilated one breaks."""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.fidelity import Fidelity
from tests.support.openapi import default_oracle
from tests.support.webhooks import STALE_EXAMPLES, default_webhook_oracle, examples
from warroom.sandbox.observe import Delivery

pytestmark = pytest.mark.npm

EXAMPLES = examples("issues", "issue_comment", "pull_request")


def example(example_id: str) -> dict[str, Any]:
    (found,) = (e.payload for e in EXAMPLES if e.id == example_id)
    return found


def test_examples_cover_the_actions_warroom_reacts_to() -> None:
    actions = {e.id.rsplit(".", 1)[0] for e in EXAMPLES}
    assert {"issues.opened", "issues.edited", "issues.labeled", "issues.reopened"} <= actions
    assert {"issue_comment.created", "issue_comment.edited", "issue_comment.deleted"} <= actions
    assert {"pull_request.opened", "pull_request.synchronize", "pull_request.reopened"} <= actions


@pytest.mark.parametrize("case", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_real_example_validates_unless_known_stale(case: Any) -> None:
    found = default_webhook_oracle().check(Delivery(case.event, case.payload))
    missing = {m[1] for v in found if (m := re.match(r"'(\w+)' is a required property", v.message))}
    assert missing == set(STALE_EXAMPLES.get(case.id, ())), "\n".join(map(str, found))
    assert all(v.subject == f"{case.event}${case.payload['action']}" for v in found)


def mutilate(change: Callable[[dict[str, Any]], None], source: str) -> dict[str, Any]:
    payload = copy.deepcopy(example(source))
    change(payload)
    return payload


OPENED = "issues.opened.0"
CREATED = "issue_comment.created.1"

MUTILATED = [
    pytest.param(
        "issues",
        mutilate(lambda p: p["issue"].pop("number"), OPENED),
        "issues$opened",
        "$.issue",
        "'number' is a required property",
        id="opened-issue-without-number",
    ),
    pytest.param(
        "issues",
        mutilate(lambda p: p["issue"].update(number="1"), OPENED),
        "issues$opened",
        "$.issue.number",
        "'1' is not of type 'integer'",
        id="opened-issue-number-as-string",
    ),
    pytest.param(
        "issues",
        mutilate(lambda p: p["issue"].update(state="closed"), OPENED),
        "issues$opened",
        "$.issue.state",
        "'closed' is not one of ['open']",
        id="opened-issue-already-closed",
    ),
    pytest.param(
        "issues",
        mutilate(lambda p: p.pop("sender"), OPENED),
        "issues$opened",
        "$",
        "'sender' is a required property",
        id="opened-without-sender",
    ),
    pytest.param(
        "issues",
        mutilate(lambda p: p.update(sandbox_note="x"), OPENED),
        "issues$opened",
        "$",
        "Additional properties are not allowed ('sandbox_note' was unexpected)",
        id="opened-with-extra-top-level-field",
    ),
    pytest.param(
        "issues",
        mutilate(lambda p: p["issue"].update(created_at="15 May 2019"), OPENED),
        "issues$opened",
        "$.issue.created_at",
        "is not a 'date-time'",
        id="opened-issue-bad-timestamp",
    ),
    pytest.param(
        "issue_comment",
        mutilate(lambda p: p["comment"].update(body=42), CREATED),
        "issue_comment$created",
        "$.comment.body",
        "42 is not of type 'string'",
        id="comment-body-not-string",
    ),
    pytest.param(
        "issue_comment",
        mutilate(lambda p: p["comment"]["user"].pop("login"), CREATED),
        "issue_comment$created",
        "$.comment.user",
        "'login' is a required property",
        id="comment-author-without-login",
    ),
    pytest.param(
        "issues",
        mutilate(lambda p: p.update(action="frobbed"), OPENED),
        "issues$frobbed",
        "$.action",
        "no such event/action",
        id="unknown-action",
    ),
    pytest.param(
        "issue_comments",
        example(CREATED),
        "issue_comments$created",
        "$.action",
        "none: unknown event",
        id="misspelt-event",
    ),
]


@pytest.mark.parametrize(("event", "payload", "subject", "location", "fragment"), MUTILATED)
def test_mutilated_payload_fails_naming_schema_and_place(
    event: str, payload: dict[str, Any], subject: str, location: str, fragment: str
) -> None:
    found = default_webhook_oracle().check(Delivery(event, payload))
    assert len(found) == 1, "\n".join(map(str, found))
    (violation,) = found
    assert (violation.subject, violation.location) == (subject, location)
    assert fragment in violation.message


def test_event_without_actions_uses_its_event_schema() -> None:
    assert default_webhook_oracle().schema_name("push", None) == "push$event"
    assert default_webhook_oracle().schema_name("issues", "opened") == "issues$opened"


# --- the recorder ---------------------------------------------------------------------------


def recorder() -> Fidelity:
    return Fidelity(default_oracle(), default_webhook_oracle())


def test_listeners_called_from_many_threads_lose_nothing() -> None:
    fidelity = recorder()
    good = Delivery("issues", example(OPENED))
    bad = Delivery("issues", mutilate(lambda p: p["issue"].pop("number"), OPENED))

    def deliver() -> None:
        for _ in range(10):
            fidelity.observe_delivery(good)
            fidelity.observe_delivery(bad)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fidelity.deliveries_checked == 160
    assert len(fidelity.violations) == 80
    assert {v.location for v in fidelity.take()} == {"$.issue"}
    assert fidelity.violations == ()


def test_expect_violation_consumes_only_the_expected_one() -> None:
    fidelity = recorder()
    with fidelity.expect_violation("issues$opened", match=r"'number' is a required"):
        fidelity.observe_delivery(
            Delivery("issues", mutilate(lambda p: p["issue"].pop("number"), OPENED))
        )
        fidelity.observe_delivery(Delivery("issues", {"action": "frobbed"}))
    assert [v.subject for v in fidelity.violations] == ["issues$frobbed"]


def test_expect_violation_waits_for_a_listener_running_late() -> None:
    fidelity = recorder()
    late = threading.Timer(
        0.05, fidelity.observe_delivery, [Delivery("issues", {"action": "frobbed"})]
    )
    with fidelity.expect_violation("issues$frobbed"):
        late.start()
    late.join()
    assert fidelity.violations == ()


def test_expect_violation_fails_when_the_oracle_stays_quiet() -> None:
    fidelity = recorder()
    with (
        pytest.raises(pytest.fail.Exception, match=r"expected a violation of issues\$opened"),
        fidelity.expect_violation("issues$opened", timeout=0.01),
    ):
        fidelity.observe_delivery(Delivery("issues", example(OPENED)))


def test_assert_clean_lists_every_violation() -> None:
    fidelity = recorder()
    fidelity.observe_delivery(Delivery("issues", {"action": "frobbed"}))
    fidelity.observe_delivery(Delivery("issue_comments", {"action": "created"}))
    with pytest.raises(pytest.fail.Exception) as failure:
        fidelity.assert_clean()
    message = str(failure.value)
    assert "2 departure(s)" in message
    assert "issues$frobbed [delivery issues.frobbed] payload at $.action" in message
    assert "issue_comments$created" in message
