"""Whatever a client sends, the server answers as GitHub would and keeps serving."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import TestSandbox
from tests.support.fidelity import Fidelity

pytestmark = [pytest.mark.e2e, pytest.mark.npm]

WRITES = [
    ("POST", "/repos/acme/service/issues"),
    ("PATCH", "/repos/acme/service/issues/1"),
    ("POST", "/repos/acme/service/issues/1/comments"),
    ("POST", "/repos/acme/service/issues/1/labels"),
    ("PUT", "/repos/acme/service/issues/1/labels"),
    ("POST", "/repos/acme/service/issues/1/assignees"),
    ("POST", "/repos/acme/service/issues/1/sub_issues"),
    ("PATCH", "/repos/acme/service/issues/1/sub_issues/priority"),
    ("POST", "/repos/acme/service/labels"),
    ("PATCH", "/repos/acme/service/labels/bug"),
    ("POST", "/repos/acme/service/milestones"),
    ("PUT", "/repos/acme/service/issues/1/lock"),
]
KEYS = st.sampled_from(
    [
        "title",
        "body",
        "state",
        "state_reason",
        "labels",
        "assignees",
        "milestone",
        "name",
        "color",
        "description",
        "sub_issue_id",
        "after_id",
        "lock_reason",
        "new_name",
        "due_on",
        "assignee",
        "replace_parent",
        "extra",
    ]
)
SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=80)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
BODIES = st.dictionaries(KEYS, VALUES, max_size=5) | VALUES
RAW = st.binary(max_size=60)
ANSWERS = {200, 201, 204, 400, 403, 404, 422}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    route=st.sampled_from(WRITES),
    body=BODIES,
    raw=st.none() | RAW,
    login=st.sampled_from(["admin", "triager", "outsider", "github-actions[bot]"]),
)
def test_garbage_gets_a_github_answer_and_the_server_lives(
    sandbox: TestSandbox,
    fidelity: Fidelity,
    route: tuple[str, str],
    body: Any,
    raw: bytes | None,
    login: str,
) -> None:
    if 1 not in sandbox.state.issues:
        sandbox.repo().create_issue("Target")
    method, path = route
    data = raw if raw is not None else json.dumps(body).encode()

    answer = sandbox.http(method, path, raw=data, login=login)

    assert answer.status in ANSWERS, answer.body
    if answer.status >= 400:
        assert isinstance(answer.body["message"], str)
    assert sandbox.http("GET", "/repos/acme/service/issues/1").status == 200
    # The client's garbage breaks the request schema on purpose; the answers must not.
    blamed = [v for v in fidelity.take() if not v.part.startswith("request")]
    assert blamed == []
