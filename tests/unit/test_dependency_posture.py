"""The dependency risk matrix posture as a decision table.

Rows pick the form's Dependency classes and a story of decisions. The ids name
the class and the boundary: its ``until`` decision taken earlier, a stated
``Posture exception``, several classes at once, ``other`` (no posture).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.unit.posture_support import Post, decision, facts, incident
from warroom.config import Config, config_from_yaml
from warroom.rules import dependency_posture

REASON = "- Posture exception: idempotency keys guard the replay\n"


def _said(posts: Sequence[Post], classes: Sequence[str], config: Config | None = None) -> list[str]:
    found = dependency_posture.rule(
        incident(posts, severity="SEV-2", classes=classes), config or Config(), facts()
    )
    return [f"{g.key}: {g.detail}" for g in found]


def _against(posts: Sequence[Post], classes: Sequence[str]) -> list[str]:
    """The classes each guardrail names, as ``key:class``."""
    said = _said(posts, classes)
    return [
        f"{line.split(':', 1)[0]}:{kind}"
        for line in said
        for kind in ("auth/identity", "billing/ledger", "messaging/queue", "observability")
        if f"{kind}:" in line
    ]


@pytest.mark.parametrize(
    ("classes", "posts", "against"),
    [
        pytest.param(["auth/identity"], [], [], id="no-decision-yet"),
        pytest.param(
            ["auth/identity"],
            [decision(20, "continue mitigation")],
            ["1:auth/identity"],
            id="auth-continue-first",
        ),
        pytest.param(["auth/identity"], [decision(20, "rollback")], [], id="auth-rollback"),
        pytest.param(
            ["auth/identity"],
            [decision(20, "rollback"), decision(30, "continue mitigation")],
            [],
            id="auth-continue-after-a-rollback",
        ),
        pytest.param(
            ["auth/identity"],
            [decision(20, "continue mitigation", extra=REASON)],
            [],
            id="auth-reasoned",
        ),
        pytest.param(
            ["billing/ledger"],
            [decision(20, "continue mitigation")],
            ["1:billing/ledger"],
            id="billing-continue-before-a-freeze",
        ),
        pytest.param(
            ["billing/ledger"],
            [decision(20, "rollback")],
            ["1:billing/ledger"],
            id="billing-rollback-before-a-freeze",
        ),
        pytest.param(
            ["billing/ledger"],
            [decision(20, "escalate+pause")],
            [],
            id="billing-pause-is-the-freeze",
        ),
        pytest.param(
            ["billing/ledger"],
            [decision(20, "escalate+pause"), decision(30, "rollback")],
            [],
            id="billing-rollback-after-the-freeze",
        ),
        pytest.param(
            ["messaging/queue"],
            [decision(20, "rollback")],
            ["1:messaging/queue"],
            id="queue-rollback",
        ),
        pytest.param(
            ["messaging/queue"], [decision(20, "continue mitigation")], [], id="queue-throttle"
        ),
        pytest.param(
            ["observability"],
            [decision(20, "continue mitigation")],
            ["1:observability"],
            id="observability-continue",
        ),
        pytest.param(
            ["observability"], [decision(20, "rollback")], [], id="observability-rollback"
        ),
        pytest.param(["other"], [decision(20, "rollback")], [], id="other-has-no-posture"),
        pytest.param(
            ["auth/identity", "billing/ledger", "messaging/queue"],
            [decision(20, "continue mitigation")],
            ["1:auth/identity", "1:billing/ledger"],
            id="several-classes-one-notice",
        ),
        pytest.param(
            ["auth/identity"],
            [
                decision(20, "continue mitigation"),
                decision(30, "rollback"),
                decision(40, "escalate+pause"),
            ],
            [],
            id="a-later-decision-settles-it",
        ),
    ],
)
def test_dependency_posture(classes: list[str], posts: list[Post], against: list[str]) -> None:
    assert _against(posts, classes) == against


def test_what_it_says_quotes_the_matrix() -> None:
    (said,) = dependency_posture.rule(
        incident([decision(20, "rollback")], classes=["messaging/queue"]), Config(), facts()
    )
    assert said.rule == "dependency-posture"
    assert "This matrix prevents overconfident “single-fix” decisions." in said.playbook
    assert "messaging/queue: flow throttling + replay guard" in said.detail
    assert "Posture exception" in said.fix


def test_a_team_gives_other_a_posture() -> None:
    config = config_from_yaml(
        "postures:\n  dependency:\n    other: {name: ask the owner first, against: [rollback]}\n"
    )
    assert _said([decision(20, "rollback")], ["other"], config) != []
    assert (
        config.postures.dependency["auth/identity"] == Config().postures.dependency["auth/identity"]
    )
