"""The severity matrix posture as a decision table.

Each row is a story of Checkpoint Decision Records; the id names the severity,
the decision and the boundary: the posture's ``until`` (a rollback decided
earlier), a stated ``Posture exception`` (and one that states nothing), a later
decision that settles an earlier one, and a severity revised with evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.unit.posture_support import Post, decision, facts, incident
from warroom.config import Config, config_from_yaml
from warroom.rules import severity_posture

REASON = "- Posture exception: the rollback drops every minted token; the flag is safer\n"


def _keys(
    posts: Sequence[Post], severity: str = "SEV-1", config: Config | None = None
) -> list[str]:
    found = severity_posture.rule(incident(posts, severity=severity), config or Config(), facts())
    return [g.key for g in found]


@pytest.mark.parametrize(
    ("severity", "posts", "keys"),
    [
        pytest.param("SEV-1", [], [], id="no-decision-yet"),
        pytest.param(
            "SEV-1", [decision(20, "continue mitigation")], ["1"], id="sev1-continue-first"
        ),
        pytest.param("SEV-1", [decision(20, "rollback")], [], id="sev1-rollback"),
        pytest.param("SEV-1", [decision(20, "escalate+pause")], [], id="sev1-escalate"),
        pytest.param(
            "SEV-1",
            [decision(20, "rollback"), decision(30, "continue mitigation")],
            [],
            id="sev1-continue-after-a-rollback",
        ),
        pytest.param(
            "SEV-1",
            [decision(20, "continue mitigation", extra=REASON)],
            [],
            id="sev1-continue-with-a-stated-reason",
        ),
        pytest.param(
            "SEV-1",
            [decision(20, "continue mitigation", extra="- Posture exception: none\n")],
            ["1"],
            id="sev1-exception-that-states-nothing",
        ),
        pytest.param(
            "SEV-1",
            [decision(20, "continue mitigation"), decision(30, "rollback")],
            [],
            id="sev1-a-later-decision-in-line-settles-it",
        ),
        pytest.param(
            "SEV-1",
            [
                decision(20, "continue mitigation"),
                decision(30, "escalate+pause"),
                decision(40, "continue mitigation"),
            ],
            ["3"],
            id="sev1-a-new-decision-against-it-is-a-new-occurrence",
        ),
        pytest.param("SEV-2", [decision(20, "rollback")], ["1"], id="sev2-rollback"),
        pytest.param("SEV-2", [decision(20, "continue mitigation")], [], id="sev2-hotfix"),
        pytest.param(
            "SEV-2", [decision(20, "rollback", extra=REASON)], [], id="sev2-rollback-reasoned"
        ),
        pytest.param("SEV-3", [decision(20, "rollback")], ["1"], id="sev3-rollback"),
        pytest.param("SEV-3", [decision(20, "escalate+pause")], ["1"], id="sev3-escalate"),
        pytest.param("SEV-3", [decision(20, "continue mitigation")], [], id="sev3-corrective"),
        pytest.param(
            "SEV-1",
            [decision(20, "rollback", severity="SEV-2")],
            ["1"],
            id="revised-to-sev2-by-the-decision-itself",
        ),
        pytest.param(
            "SEV-2",
            [decision(20, "escalate+pause", severity="SEV-1"), decision(30, "continue mitigation")],
            ["2"],
            id="revised-to-sev1-by-an-earlier-decision",
        ),
    ],
)
def test_severity_posture(severity: str, posts: list[Post], keys: list[str]) -> None:
    assert _keys(posts, severity) == keys


def test_what_it_says_names_the_posture_and_how_to_settle_it() -> None:
    (said,) = severity_posture.rule(
        incident([decision(20, "continue mitigation")]), Config(), facts()
    )
    assert said.rule == "severity-posture"
    assert "rollback-first evaluation" in said.playbook
    assert '"continue mitigation"' in said.detail
    assert "`- Posture exception: <why not rollback-first evaluation>`" in said.fix
    assert said.source.endswith("#issuecomment-1")
    assert said.label is None


@pytest.mark.parametrize(
    ("yaml", "keys"),
    [
        pytest.param(
            "postures:\n  severity:\n    SEV-2: {name: any fix}\n", [], id="nothing-against"
        ),
        pytest.param(
            "postures:\n  severity:\n"
            "    SEV-2: {name: roll back only, against: [continue mitigation]}\n",
            ["1"],
            id="team-posture",
        ),
    ],
)
def test_a_team_sets_its_own_postures(yaml: str, keys: list[str]) -> None:
    config = config_from_yaml(yaml)
    posts = [decision(20, "continue mitigation")]
    assert _keys(posts, "SEV-2", config) == keys
    # The others keep the playbook's.
    assert config.postures.severity == {**Config().postures.severity, **config.postures.severity}
    assert _keys([decision(20, "continue mitigation")], "SEV-1", config) == ["1"]
