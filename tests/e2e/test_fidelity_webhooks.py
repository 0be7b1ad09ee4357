"""GitHub's real ``issues``, ``issue_comment`` and ``pull_request`` payloads replay intact.

Each example from ``@octokit/webhooks-examples`` goes in through the control
API (``POST /_sandbox/events``) or ``Sandbox.deliver``; the sandbox must accept
it, log it with its event, action, issue and sender, hand it unchanged to a
workflow run, and show it to ``fidelity``, which validates it against
``@octokit/webhooks-schemas``. The examples GitHub sent before its schemas
gained fields (``STALE_EXAMPLES``) are accepted but flagged, as they must be.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import pytest

from tests.e2e.conftest import MakeSandbox, TestSandbox
from tests.support.fidelity import Fidelity
from tests.support.webhooks import STALE_EXAMPLES, Example, examples

pytestmark = [pytest.mark.e2e, pytest.mark.npm]

EXAMPLES = examples("issues", "issue_comment")

# The workflow command: print what a job would read from its event file.
READ_EVENT = (
    "import hashlib, json, os\n"
    "payload = json.load(open(os.environ['GITHUB_EVENT_PATH'], encoding='utf-8'))\n"
    "canonical = json.dumps(payload, sort_keys=True, separators=(',', ':'))\n"
    "print(os.environ['GITHUB_EVENT_NAME'], payload['action'],"
    " hashlib.sha256(canonical.encode()).hexdigest())\n"
)


def digest(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def judged(fidelity: Fidelity, case: Example) -> AbstractContextManager[None]:
    """Expect the schema violation a stale example rightly causes; nothing for the others."""
    if case.id not in STALE_EXAMPLES:
        return nullcontext()
    return fidelity.expect_violation(
        f"{case.event}${case.payload['action']}", match="is a required property"
    )


@pytest.mark.parametrize("case", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_is_accepted_and_recorded(
    sandbox: TestSandbox, fidelity: Fidelity, case: Example
) -> None:
    with judged(fidelity, case):
        answer = sandbox.control("POST", "/events", {"event": case.event, "payload": case.payload})
    assert answer.status == 201, answer.body

    (logged,) = sandbox.control("GET", "/events").body["events"]
    assert logged["id"] == answer.body["id"]
    assert (logged["event"], logged["action"]) == (case.event, case.payload["action"])
    assert logged["injected"] is True
    assert logged["issue"] == case.payload["issue"]["number"]
    assert logged["sender"] == case.payload["sender"]["login"]
    assert logged["payload"] == case.payload
    assert fidelity.deliveries_checked == 1


def test_examples_reach_a_workflow_run_unchanged(
    make_sandbox: MakeSandbox, fidelity: Fidelity
) -> None:
    sandbox = make_sandbox(dispatch=[sys.executable, "-c", READ_EVENT])
    for case in EXAMPLES:
        with judged(fidelity, case):
            sandbox.deliver(case.event, case.payload)
        # One at a time: events of one issue delivered together would share a concurrency
        # group, where GitHub keeps only the newest waiting run.
        assert sandbox.wait_idle(timeout=120)

    runs = sandbox.runs()
    assert [(r["event"], r["action"]) for r in runs] == [
        (e.event, e.payload["action"]) for e in EXAMPLES
    ]
    for run, case in zip(runs, EXAMPLES, strict=True):
        assert run["exit_code"] == 0, (case.id, run["stderr"])
        event, action, seen = run["stdout"].split()
        assert (event, action, seen) == (case.event, case.payload["action"], digest(case.payload))
    assert fidelity.deliveries_checked == len(EXAMPLES)


PULL_EXAMPLES = examples("pull_request")


@contextmanager
def judged_pull(fidelity: Fidelity, case: Example) -> Iterator[None]:
    """``judged``; a stale pull request's head repository also misses what ``oneOf`` needs."""
    with judged(fidelity, case):
        if case.id not in STALE_EXAMPLES:
            yield
            return
        subject = f"{case.event}${case.payload['action']}"
        with fidelity.expect_violation(subject, match=r"at \$\.pull_request\.head\.repo: "):
            yield


@pytest.mark.parametrize("case", PULL_EXAMPLES, ids=[e.id for e in PULL_EXAMPLES])
def test_pull_request_example_is_accepted_and_recorded(
    sandbox: TestSandbox, fidelity: Fidelity, case: Example
) -> None:
    with judged_pull(fidelity, case):
        answer = sandbox.control("POST", "/events", {"event": case.event, "payload": case.payload})
    assert answer.status == 201, answer.body

    (logged,) = sandbox.control("GET", "/events").body["events"]
    assert (logged["event"], logged["action"]) == (case.event, case.payload["action"])
    assert logged["issue"] == case.payload["pull_request"]["number"]
    assert logged["sender"] == case.payload["sender"]["login"]
    assert logged["payload"] == case.payload


def test_pull_request_examples_reach_runs_in_their_pull_requests_group(
    make_sandbox: MakeSandbox, fidelity: Fidelity
) -> None:
    sandbox = make_sandbox(dispatch=[sys.executable, "-c", READ_EVENT])
    for case in PULL_EXAMPLES:
        with judged_pull(fidelity, case):
            sandbox.deliver(case.event, case.payload)
        assert sandbox.wait_idle(timeout=120)

    runs = sandbox.control("GET", "/runs").body["runs"]
    assert [(r["event"], r["action"], r["group"]) for r in runs] == [
        (e.event, e.payload["action"], f"warroom-pr-{e.payload['pull_request']['number']}")
        for e in PULL_EXAMPLES
    ]
    for run, case in zip(runs, PULL_EXAMPLES, strict=True):
        assert run["exit_code"] == 0, (case.id, run["stderr"])
        assert run["payload"] == case.payload
        assert run["stdout"].split()[2] == digest(case.payload)
