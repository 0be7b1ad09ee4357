"""Fault injection as a client sees it: failure answers, drops, writes that fail after applying."""

from __future__ import annotations

import http.client
import json
import sys
import textwrap
from collections import Counter
from datetime import timedelta

import pytest
import requests
from github import GithubException, RateLimitExceededException

from tests.e2e.conftest import START, MakeSandbox, TestSandbox

pytestmark = [pytest.mark.e2e, pytest.mark.npm]

ISSUE = "/repos/acme/service/issues/1"


@pytest.fixture
def faulty(sandbox: TestSandbox) -> TestSandbox:
    sandbox.repo().create_issue("Target")
    return sandbox


def _inject(sandbox: TestSandbox, **rule: object) -> None:
    answer = sandbox.control("POST", "/faults", rule)
    assert answer.status == 201, answer.body


@pytest.mark.parametrize(
    ("kind", "status", "message"),
    [
        pytest.param("500", 500, "Server Error", id="500"),
        pytest.param("502", 502, "Server Error", id="502"),
        pytest.param("503", 503, "Service Unavailable", id="503"),
    ],
)
def test_server_errors(faulty: TestSandbox, kind: str, status: int, message: str) -> None:
    _inject(faulty, kind=kind, operation_id="issues/get")

    with pytest.raises(GithubException) as raised:
        faulty.repo().get_issue(1)

    assert raised.value.status == status
    assert raised.value.data["message"] == message
    assert faulty.repo().get_issue(1).title == "Target"


def test_secondary_rate_limit_is_403_with_retry_after(faulty: TestSandbox) -> None:
    _inject(faulty, kind="secondary-rate-limit", retry_after=42)

    answer = faulty.http("GET", ISSUE)

    assert answer.status == 403
    assert answer.header("Retry-After") == "42"
    assert "secondary rate limit" in answer.body["message"]
    assert answer.header("X-GitHub-Request-Id") in answer.body["message"]


def test_secondary_rate_limit_through_pygithub(faulty: TestSandbox) -> None:
    _inject(faulty, kind="secondary-rate-limit", operation_id="issues/create-comment")

    with pytest.raises(RateLimitExceededException) as raised:
        faulty.repo().get_issue(1).create_comment("too fast")

    assert raised.value.status == 403
    assert raised.value.headers is not None
    assert raised.value.headers["retry-after"] == "60"


def test_primary_rate_limit_is_403_with_nothing_remaining(faulty: TestSandbox) -> None:
    _inject(faulty, kind="primary-rate-limit", reset_in=600)

    answer = faulty.http("GET", ISSUE, login="writer")

    assert answer.status == 403
    assert answer.header("X-RateLimit-Remaining") == "0"
    assert answer.header("X-RateLimit-Reset") == str(
        int((START + timedelta(minutes=10)).timestamp())
    )
    assert answer.body["message"] == "API rate limit exceeded for user ID 1003."


@pytest.mark.parametrize(
    ("kind", "retry_after"),
    [
        pytest.param("429", None, id="without-retry-after"),
        pytest.param("429-retry-after", "7", id="with"),
    ],
)
def test_429(faulty: TestSandbox, kind: str, retry_after: str | None) -> None:
    _inject(faulty, kind=kind, retry_after=7)

    answer = faulty.http("GET", ISSUE)

    assert answer.status == 429
    assert answer.header("Retry-After") == retry_after
    assert answer.body["message"]


def test_added_latency_still_answers_normally(faulty: TestSandbox) -> None:
    _inject(faulty, kind="latency", latency_ms=50)

    answer = faulty.http("GET", ISSUE)

    assert (answer.status, answer.body["title"]) == (200, "Target")
    (logged,) = faulty.control("GET", "/requests?operation_id=issues/get").body["requests"]
    assert logged["fault"] == "latency"


def test_a_dropped_connection_changes_nothing(faulty: TestSandbox) -> None:
    _inject(faulty, kind="drop", method="POST", times=2)

    with pytest.raises(http.client.RemoteDisconnected):
        faulty.http("POST", f"{ISSUE}/comments", {"body": "lost"})
    with pytest.raises(requests.exceptions.ConnectionError):
        faulty.repo().get_issue(1).create_comment("lost")

    assert list(faulty.repo().get_issue(1).get_comments()) == []


def test_an_applied_write_that_answers_502_is_duplicated_by_a_retry(faulty: TestSandbox) -> None:
    _inject(faulty, kind="applied-502", operation_id="issues/create-comment")
    issue = faulty.repo().get_issue(1)

    with pytest.raises(GithubException) as raised:
        issue.create_comment("Status update")
    assert raised.value.status == 502
    issue.create_comment("Status update")

    bodies = [c.body for c in issue.get_comments()]
    assert bodies == ["Status update", "Status update"]


def test_an_applied_write_then_dropped_connection(faulty: TestSandbox) -> None:
    _inject(faulty, kind="applied-drop", operation_id="issues/create-comment")

    with pytest.raises(requests.exceptions.ConnectionError):
        faulty.repo().get_issue(1).create_comment("Did it land?")

    assert [c.body for c in faulty.repo().get_issue(1).get_comments()] == ["Did it land?"]


def test_scripted_faults_fire_in_order_then_stop(faulty: TestSandbox) -> None:
    faulty.control(
        "POST",
        "/faults",
        {"rules": [{"kind": "502", "times": 2}, {"kind": "503"}]},
    )

    statuses = [faulty.http("GET", ISSUE).status for _ in range(4)]

    assert statuses == [502, 502, 503, 200]
    assert faulty.control("GET", "/faults").body["injected"] == {"502": 2, "503": 1}
    faulty.control("DELETE", "/faults")
    assert faulty.control("GET", "/faults").body["rules"] == []


def test_rules_match_by_method_operation_and_login(faulty: TestSandbox) -> None:
    _inject(faulty, kind="500", method="PATCH", login="writer", times=None)

    assert faulty.http("GET", ISSUE, login="writer").status == 200
    assert faulty.http("PATCH", ISSUE, {"body": "x"}, login="admin").status == 200
    assert faulty.http("PATCH", ISSUE, {"body": "y"}, login="writer").status == 500
    assert faulty.http("PATCH", ISSUE, {"body": "z"}, login="writer").status == 500


def test_rate_based_faults_are_reproducible_from_their_seed(make_sandbox: MakeSandbox) -> None:
    def statuses(seed: int) -> list[int]:
        sandbox = make_sandbox()
        sandbox.control(
            "POST",
            "/faults",
            {"seed": seed, "rules": [{"rate": 0.5, "kinds": ["500", "502", "503"]}]},
        )
        return [sandbox.http("GET", "/repos/acme/service").status for _ in range(30)]

    first, again, other = statuses(7), statuses(7), statuses(8)

    assert first == again
    assert first != other
    assert set(first) == {200, 500, 502, 503}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        pytest.param({"kind": "boom"}, "unknown kind 'boom'", id="unknown-kind"),
        pytest.param({"kind": "500", "rate": 2}, "'rate' must be", id="bad-rate"),
        pytest.param({"kind": "500", "every": 3}, "unknown key(s) every", id="unknown-key"),
        pytest.param({"method": "GET"}, "give 'kind'", id="no-kind"),
        pytest.param(
            {"kinds": ["502"], "weights": {"503": 1}},
            "'weights' names '503', which is not in 'kinds'",
            id="weight-outside-kinds",
        ),
        pytest.param({"weights": {"502": 0}}, "weight of '502' must be a positive", id="zero"),
        pytest.param({"weights": ["502"]}, "'weights' must be an object", id="weights-list"),
        pytest.param({"weights": {"5xx": 1}}, "unknown kind '5xx' in 'weights'", id="weight-kind"),
        pytest.param(
            {"kind": "502", "exclude_operation_ids": "issues/get"},
            "'exclude_operation_ids' must be a list",
            id="exclude-not-a-list",
        ),
        pytest.param(
            {"kind": "502", "exclude_operation_ids": ["issues/list-coments"]},
            "did you mean 'issues/list-comments'?",
            id="exclude-typo",
        ),
        pytest.param(
            {"kind": "502", "operation_id": "issue/create"},
            "'operation_id' 'issue/create' is not an operation the sandbox serves",
            id="operation-typo",
        ),
        pytest.param(
            {"kind": "502", "token": "bot"}, "'token' must be one of workflow", id="token"
        ),
    ],
)
def test_bad_fault_rules_are_refused_with_a_reason(
    sandbox: TestSandbox, rule: dict[str, object], message: str
) -> None:
    answer = sandbox.control("POST", "/faults", rule)

    assert answer.status == 400
    assert message in answer.body["message"]
    assert sandbox.control("GET", "/faults").body["rules"] == []


def test_each_rule_lists_the_requests_it_hit(faulty: TestSandbox) -> None:
    _inject(faulty, kind="502", operation_id="issues/get", times=2)

    statuses = [faulty.http("GET", ISSUE, login="writer").status for _ in range(3)]
    faulty.http("GET", "/repos/acme/service")

    assert statuses == [502, 502, 200]
    (rule,) = faulty.control("GET", "/faults").body["rules"]
    assert (rule["fired"], rule["remaining"]) == (2, 0)
    logged = faulty.control("GET", "/requests?operation_id=issues/get").body["requests"]
    failed = [r for r in logged if r["status"] == 502]
    assert [(r["fault"], r["fault_rule"]) for r in failed] == [("502", rule["id"])] * 2
    assert rule["hits"] == [
        {
            "rule": rule["id"],
            "kind": "502",
            "seq": row["seq"],
            "method": "GET",
            "operation_id": "issues/get",
            "path": ISSUE,
            "login": "writer",
            "token": "personal",
            "run_id": None,
            "run_attempt": None,
        }
        for row in failed
    ]


def test_the_history_outlives_the_rules(faulty: TestSandbox) -> None:
    _inject(faulty, kind="503", times=1)
    faulty.http("GET", ISSUE)

    cleared = faulty.control("DELETE", "/faults").body

    assert cleared["rules"] == []
    assert [(h["kind"], h["operation_id"]) for h in cleared["history"]] == [("503", "issues/get")]


def test_weights_pick_kinds_in_proportion(sandbox: TestSandbox) -> None:
    answer = sandbox.control(
        "POST",
        "/faults",
        {"seed": 3, "rules": [{"rate": 1.0, "kinds": ["500", "503"], "weights": {"503": 9}}]},
    )
    assert answer.status == 201, answer.body
    assert answer.body["rules"][0]["weights"] == {"503": 9.0}

    statuses = Counter(sandbox.http("GET", "/repos/acme/service").status for _ in range(100))

    assert set(statuses) == {500, 503}
    assert statuses[503] > 4 * statuses[500], statuses  # 9:1 expected; 1:1 if ignored


def test_excluded_operations_never_fail(faulty: TestSandbox) -> None:
    _inject(
        faulty,
        kind="500",
        rate=1.0,
        exclude_operation_ids=["issues/get", "issues/list-comments"],
    )

    assert faulty.http("GET", ISSUE).status == 200
    assert faulty.http("GET", f"{ISSUE}/comments").status == 200
    assert faulty.http("GET", "/repos/acme/service").status == 500


# Three reads with the run's own token; prints the statuses it got.
_THREE_READS = textwrap.dedent(
    r"""
    import json, os, urllib.error, urllib.request

    statuses = []
    for _ in range(3):
        request = urllib.request.Request(
            f"{os.environ['GITHUB_API_URL']}/repos/{os.environ['GITHUB_REPOSITORY']}/issues/1",
            headers={"Authorization": f"token {os.environ['GITHUB_TOKEN']}"},
        )
        try:
            statuses.append(urllib.request.urlopen(request).status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    print(json.dumps(statuses))
    """
)


def test_a_rule_for_the_workflow_token_hits_only_dispatched_runs(
    make_sandbox: MakeSandbox,
) -> None:
    sb = make_sandbox(dispatch=[sys.executable, "-c", _THREE_READS])
    # The shape a chaos test uses, at a rate that makes the outcome certain.
    _inject(
        sb,
        rate=1.0,
        token="workflow",
        weights={"503": 1},
        exclude_operation_ids=["issues/create"],
    )

    sb.repo("writer").create_issue("Target")
    assert sb.wait_idle(30)
    bots_own = sb.http("GET", ISSUE, login="github-actions[bot]")

    (run,) = sb.runs()
    assert json.loads(run["stdout"]) == [503, 503, 503]
    assert bots_own.status == 200, "the bot's personal token is not a workflow token"
    (rule,) = sb.control("GET", "/faults").body["rules"]
    rows = sb.control("GET", f"/requests?run_id={run['id']}").body["requests"]
    assert [(h["seq"], h["token"], h["run_id"], h["run_attempt"]) for h in rule["hits"]] == [
        (r["seq"], "workflow", run["id"], 1) for r in rows
    ]
    assert {h["login"] for h in rule["hits"]} == {"github-actions[bot]"}
