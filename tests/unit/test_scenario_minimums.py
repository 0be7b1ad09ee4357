"""The scenario library's evidence minimums: one decision table per bundled scenario.

Each row declares the incident with one scenario, posts records as people
write them (read by the real parsers) and names the scenario conditions left
unmet; the playbook's own conditions are the closure-gate table's business.
A scenario's minimum is its own rule: auth token failure (failing endpoints,
first bad deploy, rollback safety check), billing state mismatch (sample
size, blast radius estimate, replay boundary, dual sign-off) and permission
leak (minimal case, revocation proof, audit trail; revocation before patch).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.fake_github import START
from tests.unit.incident_support import Post, incident_from
from warroom import story
from warroom.config import BUNDLED_SCENARIOS, Config, config_from_yaml
from warroom.errors import ConfigError
from warroom.incident import Incident
from warroom.model import Scenario
from warroom.parsing.forms import bundled_form
from warroom.rules import closure_gate, revocation_first, scenario_evidence
from warroom.rules.guardrail import Facts

AUTH = "auth token failure after release"
BILLING = "billing state mismatch"
LEAK = "permission leak in edge flow"
DATA_OWNER = "nadia-ferreira"


def _incident(
    scenario: str, posts: Sequence[Post], *, body: str = "", config: Config | None = None
) -> Incident:
    return incident_from(body or story.incident_body(scenario=scenario), posts, config)


def _unmet(incident: Incident, config: Config | None = None) -> list[str]:
    return [c.key for c in scenario_evidence.conditions(incident, config or Config()) if not c.met]


def _evidence(item: str, proof: str = "it is on record", minute: int = 30) -> Post:
    return (story.VERIFICATION, minute, story.evidence(START, item, proof, minute=minute))


def _sign(role: str, who: str, *, author: str = "", minute: int = 60) -> Post:
    return (author or who, minute, story.sign_off(START, role, who, minute=minute))


# --- Scenario A: auth token failure after release ----------------------------------------------

AUTH_ALL = [
    "scenario.failing-endpoints",
    "scenario.first-bad-deploy",
    "scenario.rollback-safety-check",
]
FORM_WITHOUT_DEPLOY = story.incident_body(scenario=AUTH).replace(
    "### First bad deploy\n\n9e0d7b3", "### First bad deploy\n\n_No response_"
)


@pytest.mark.parametrize(
    ("posts", "body", "unmet"),
    [
        pytest.param(
            [], FORM_WITHOUT_DEPLOY, AUTH_ALL, id="auth-nothing-on-record-names-all-three"
        ),
        pytest.param(
            [],
            "",
            ["scenario.failing-endpoints", "scenario.rollback-safety-check"],
            id="auth-first-bad-deploy-from-the-form",
        ),
        pytest.param(
            [_evidence("first bad deploy hash", "9e0d7b3")],
            FORM_WITHOUT_DEPLOY,
            ["scenario.failing-endpoints", "scenario.rollback-safety-check"],
            id="auth-first-bad-deploy-from-a-record",
        ),
        pytest.param(
            [(story.VERIFICATION, 20, story.auth_evidence(START))],
            "",
            [],
            id="auth-all-three-met",
        ),
        pytest.param(
            [_evidence("Failing endpoints"), _evidence("rollback-safety-check")],
            "",
            [],
            id="auth-alias-and-key-spellings-count",
        ),
        pytest.param(
            [_evidence("failing endpoint list", "none"), _evidence("rollback safety check")],
            "",
            ["scenario.failing-endpoints"],
            id="auth-evidence-that-says-none-is-not-evidence",
        ),
        pytest.param(
            [_evidence("endpoint list"), _evidence("rollback safety check")],
            "",
            ["scenario.failing-endpoints"],
            id="auth-an-item-the-minimum-does-not-name-counts-for-nothing",
        ),
    ],
)
def test_auth_token_failure_minimum(posts: list[Post], body: str, unmet: list[str]) -> None:
    assert _unmet(_incident(AUTH, posts, body=body)) == unmet


def test_auth_miss_names_the_record_and_the_words_to_write() -> None:
    incident = _incident(AUTH, [], body=FORM_WITHOUT_DEPLOY)
    by_key = {c.key: c for c in closure_gate.evaluate(incident, Config())}
    failing = by_key["scenario.failing-endpoints"]
    assert failing.group == AUTH
    assert failing.detail == "no failing endpoint list on record"
    assert 'Scenario Evidence record with "Evidence for: failing endpoint list"' in failing.fix
    assert "the issue form's first bad deploy, or" in by_key["scenario.first-bad-deploy"].fix
    assert not closure_gate.is_met(tuple(by_key.values()))


def test_auth_miss_names_evidence_that_was_posted_for_no_item() -> None:
    incident = _incident(AUTH, [_evidence("endpoint list"), _evidence("rollback safety check")])
    (failing,) = [c for c in scenario_evidence.conditions(incident, Config()) if not c.met]
    assert failing.detail == (
        'no failing endpoint list on record (not counted: "Evidence for: endpoint list" '
        "names no item of this minimum)"
    )


# --- Scenario B: billing state mismatch ---------------------------------------------------------

BILLING_EVIDENCE = [
    _evidence("mismatch sample size", "412 of 90,000 events"),
    _evidence("blast radius estimate", "EU invoices 2026-11-28 09:00-14:00"),
    _evidence("safe replay boundary", "ledger offset 88120"),
]
SIGN = "scenario.sign-off"


@pytest.mark.parametrize(
    ("posts", "unmet"),
    [
        pytest.param(
            [],
            [
                "scenario.mismatch-sample-size",
                "scenario.blast-radius-estimate",
                "scenario.safe-replay-boundary",
                SIGN,
            ],
            id="billing-nothing-on-record",
        ),
        pytest.param(BILLING_EVIDENCE, [SIGN], id="billing-evidence-without-sign-off"),
        pytest.param(
            [*BILLING_EVIDENCE, _sign("data owner", DATA_OWNER)],
            [SIGN],
            id="billing-only-the-data-owner-signed",
        ),
        pytest.param(
            [
                *BILLING_EVIDENCE,
                _sign("data owner", DATA_OWNER),
                _sign("incident commander", story.COMMANDER),
            ],
            [],
            id="billing-dual-sign-off-by-two-people",
        ),
        pytest.param(
            [
                *BILLING_EVIDENCE,
                _sign("Data-Owner", DATA_OWNER),
                _sign("**Incident Commander**", story.COMMANDER),
            ],
            [],
            id="billing-roles-in-any-case-and-markup",
        ),
        pytest.param(
            [
                *BILLING_EVIDENCE,
                _sign("data owner", DATA_OWNER),
                _sign("finance lead", story.COMMANDER),
            ],
            [SIGN],
            id="billing-a-role-the-scenario-does-not-name",
        ),
        pytest.param(
            [
                *BILLING_EVIDENCE,
                _sign("Data Owner", story.COMMANDER),
                _sign("incident commander", story.COMMANDER),
            ],
            [SIGN],
            id="billing-one-person-signing-both-roles-is-not-dual",
        ),
        pytest.param(
            [
                *BILLING_EVIDENCE,
                _sign("data owner", DATA_OWNER),
                _sign("incident commander", story.DEPUTY),
            ],
            [SIGN],
            id="billing-commander-sign-off-by-someone-else",
        ),
        pytest.param(
            [
                *BILLING_EVIDENCE,
                _sign("data owner", DATA_OWNER, author=story.COMMANDER),
                _sign("incident commander", story.COMMANDER),
            ],
            [SIGN],
            id="billing-a-sign-off-posted-for-someone-else-does-not-count",
        ),
        pytest.param(
            [
                *BILLING_EVIDENCE,
                _sign("data owner", story.COMMANDER),
                _sign("incident commander", story.COMMANDER),
                _sign("data owner", DATA_OWNER),
            ],
            [],
            id="billing-a-second-data-owner-makes-it-dual",
        ),
    ],
)
def test_billing_state_mismatch_minimum(posts: list[Post], unmet: list[str]) -> None:
    assert _unmet(_incident(BILLING, posts)) == unmet


def test_billing_sign_off_miss_says_who_is_missing_and_what_did_not_count() -> None:
    incident = _incident(
        BILLING,
        [*BILLING_EVIDENCE, _sign("incident commander", story.DEPUTY, author=story.DEPUTY)],
    )
    (sign,) = [c for c in scenario_evidence.conditions(incident, Config()) if c.key == SIGN]
    assert sign.detail.startswith("no sign-off by the data owner or the incident commander")
    assert (
        f"@{story.DEPUTY} signed off as incident commander but is not the commander" in sign.detail
    )
    assert '"Role: data owner"' in sign.fix
    assert "one person signing twice is not a dual sign-off" in sign.fix


def test_billing_met_sign_off_names_who_signed_each_role() -> None:
    incident = _incident(
        BILLING,
        [
            *BILLING_EVIDENCE,
            _sign("data owner", DATA_OWNER),
            _sign("incident commander", story.COMMANDER),
        ],
    )
    (sign,) = [c for c in scenario_evidence.conditions(incident, Config()) if c.key == SIGN]
    assert sign.detail == f"data owner @{DATA_OWNER}, incident commander @{story.COMMANDER}"


# --- Scenario C: permission leak in edge flow ---------------------------------------------------


def _decision(minute: int, why: str, decision: str = "continue mitigation") -> Post:
    text = story.decision(START, minute=minute).replace(
        "- Decision: rollback", f"- Decision: {decision}"
    )
    lines = [
        f"- Why this decision now: {why}" if line.startswith("- Why this decision now:") else line
        for line in text.splitlines()
    ]
    return (story.MITIGATION, minute, "\n".join(lines) + "\n")


LEAK_EVIDENCE = [
    _evidence("reproducible minimal case", "curl -H 'X-Edge: 1' /admin -> 200"),
    _evidence("revocation completion proof", "revoked 41 edge tokens at 14:12"),
    _evidence("audit trail snapshot", "audit-2026-11-28.tar.gz sha256 9f..."),
]


@pytest.mark.parametrize(
    ("posts", "unmet"),
    [
        pytest.param(
            [],
            [
                "scenario.minimal-repro",
                "scenario.revocation-proof",
                "scenario.audit-trail-snapshot",
            ],
            id="leak-nothing-on-record",
        ),
        pytest.param(
            LEAK_EVIDENCE[:1],
            ["scenario.revocation-proof", "scenario.audit-trail-snapshot"],
            id="leak-only-the-minimal-case",
        ),
        pytest.param(LEAK_EVIDENCE, [], id="leak-all-three-met"),
    ],
)
def test_permission_leak_minimum(posts: list[Post], unmet: list[str]) -> None:
    assert _unmet(_incident(LEAK, posts)) == unmet


@pytest.mark.parametrize(
    ("posts", "flagged"),
    [
        pytest.param(
            [_decision(10, "ship the hotfix for the edge header check")],
            [1],
            id="leak-hotfix-before-revocation-is-flagged",
        ),
        pytest.param(
            [_decision(10, "Patch the edge flow now"), _decision(12, "patched; fix forward")],
            [1, 2],
            id="leak-each-patch-decision-is-its-own-occurrence",
        ),
        pytest.param(
            [_decision(10, "the dispatcher is healthy, keep mitigating")],
            [],
            id="leak-a-word-containing-patch-is-not-a-patch",
        ),
        pytest.param(
            [_decision(10, "roll back first, patch later", decision="rollback")],
            [],
            id="leak-a-rollback-decision-is-the-safe-order",
        ),
        pytest.param(
            [LEAK_EVIDENCE[1], _decision(40, "ship the hotfix")],
            [],
            id="leak-patch-after-revocation-proof-is-the-order",
        ),
        pytest.param(
            [_decision(10, "ship the hotfix"), LEAK_EVIDENCE[1]],
            [],
            id="leak-revocation-proof-settles-an-earlier-flag",
        ),
    ],
)
def test_revocation_comes_before_the_patch(posts: list[Post], flagged: list[int]) -> None:
    incident = _incident(LEAK, posts)
    found = list(revocation_first.rule(incident, Config(), Facts(now=START)))
    assert [int(g.key) for g in found] == flagged
    for guardrail in found:
        assert guardrail.rule == "revocation-first"
        assert guardrail.playbook == (
            "Decision branch: emergency rollback and access revocation first, then patch."
        )
        assert "Evidence for: revocation completion proof" in guardrail.fix
        assert guardrail.label is None


@pytest.mark.parametrize("scenario", [AUTH, BILLING])
def test_other_scenarios_never_flag_a_patch(scenario: str) -> None:
    incident = _incident(scenario, [_decision(10, "ship the hotfix")])
    assert list(revocation_first.rule(incident, Config(), Facts(now=START))) == []


# --- scenarios are data -------------------------------------------------------------------------


def test_the_bundled_scenarios_are_the_forms_options_but_other() -> None:
    assert set(BUNDLED_SCENARIOS) == {s.value for s in Scenario} - {"other"}
    form = bundled_form("incident").get("scenario")
    assert form is not None
    assert {o for o in form.options if o != "other"} == set(BUNDLED_SCENARIOS)


def test_other_sets_no_minimum() -> None:
    assert scenario_evidence.conditions(_incident("other", []), Config()) == ()


TEAM_CONFIG = """
scenarios:
  disk full on primary:
    evidence:
      - key: df-output
        label: df output
        aliases: [disk usage]
      - key: last-good
        label: last known-good revision
        form_field: last_known_good
"""


def test_a_team_adds_its_own_scenario_and_form_option() -> None:
    config = config_from_yaml(TEAM_CONFIG)
    assert set(BUNDLED_SCENARIOS) < set(config.scenarios)  # the bundled ones stay
    scenario = "Disk full on primary"
    incident = _incident(scenario, [], config=config)
    assert not [f for f in incident.declaration_findings if f.field == "Scenario"]
    conditions = scenario_evidence.conditions(incident, config)
    assert [(c.key, c.met) for c in conditions] == [
        ("scenario.df-output", False),
        ("scenario.last-good", True),  # the form's Last known-good revision is filled in
    ]
    assert conditions[1].detail == "from the issue form: 4f2c1a9"
    done = _incident(scenario, [_evidence("Disk usage", "/dev/sda1 100%")], config=config)
    assert _unmet(done, config) == []


def test_a_team_drops_a_bundled_minimum_with_an_empty_mapping() -> None:
    config = config_from_yaml("scenarios:\n  Billing State Mismatch: {}\n")
    assert scenario_evidence.conditions(_incident(BILLING, [], config=config), config) == ()
    assert _unmet(_incident(LEAK, [], config=config), config)  # the others stay


def test_a_scenario_nobody_configured_is_warned_and_sets_no_minimum() -> None:
    incident = _incident("cosmic rays", [])
    (warning,) = [f for f in incident.declaration_findings if f.field == "Scenario"]
    assert "sets no evidence minimum" in warning.message
    assert "add it under `scenarios` in .github/warroom.yml" in warning.message
    assert scenario_evidence.conditions(incident, Config()) == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "scenarios:\n  x:\n    evidence:\n      - {key: Bad Key, label: y}\n",
            "scenarios.x.evidence.0.key: write a short slug",
            id="config-key-not-a-slug",
        ),
        pytest.param(
            "scenarios:\n  x:\n    evidence:\n      - {key: a, label: y}\n"
            "      - {key: a, label: z}\n",
            "evidence keys must differ; a is used twice",
            id="config-key-twice",
        ),
        pytest.param(
            "scenarios:\n  x:\n    before_patch: nope\n    evidence:\n      - {key: a, label: y}\n",
            "before_patch names 'nope', which is not one of this scenario's evidence keys; "
            "write one of: a",
            id="config-before-patch-unknown",
        ),
        pytest.param(
            "scenarios:\n  x:\n    sign_off: [data owner, Data  Owner]\n",
            "name each sign-off role once",
            id="config-role-twice",
        ),
        pytest.param(
            "scenarios:\n  x:\n    evidence:\n      - {key: a, label: y, form_field: summary}\n",
            "scenarios.x.evidence.0.form_field:",
            id="config-form-field-not-allowed",
        ),
        pytest.param(
            "scenarios:\n  x:\n    evidense: []\n",
            "scenarios.x.evidense: unknown key",
            id="config-typo",
        ),
    ],
)
def test_scenario_config_errors_name_the_key_and_the_fix(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config_from_yaml(text)
    assert message in str(raised.value)


# --- the patch-word reader, for any text ----------------------------------------------------------

WORDS = ("patch", "hotfix", "fix forward")


@settings(deadline=None)
@given(st.text(max_size=200))
def test_a_patch_word_is_found_only_where_a_word_starts_with_it(text: str) -> None:
    found = revocation_first._patch_word(text, WORDS)
    folded = " ".join(text.lower().split())
    if found is None:
        for word in WORDS:
            assert f" {word}" not in f" {folded}"
    else:
        assert found in folded


@settings(deadline=None)
@given(st.sampled_from(WORDS), st.text(alphabet="abcxyz019", min_size=1, max_size=5))
def test_a_patch_word_inside_another_word_is_not_a_patch(word: str, before: str) -> None:
    assert revocation_first._patch_word(f"{before}{word}", (word,)) is None
    assert revocation_first._patch_word(f"{before} {word}ed", (word,)) == word
