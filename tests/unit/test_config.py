"""``.github/warroom.yml``: partial maps rename only what they name; bad values name their key."""

from __future__ import annotations

import pytest

from warroom.config import DEFAULT_CONFIG, config_from_yaml
from warroom.errors import ConfigError
from warroom.model import Confidence, Phase, Severity
from warroom.plan import label_catalog


def test_a_partial_label_map_renames_only_what_it_names() -> None:
    config = config_from_yaml("labels:\n  severity: {SEV-1: sev-one}\n  phase: {hardening: hard}")

    assert config.labels.severity == {
        Severity.SEV1: "sev-one",
        Severity.SEV2: "SEV-2",
        Severity.SEV3: "SEV-3",
    }
    assert config.labels.phase[Phase.HARDENING] == "hard"
    assert config.labels.phase[Phase.DETECTION] == DEFAULT_CONFIG.labels.phase[Phase.DETECTION]
    assert config.labels.confidence[Confidence.L2] == "confidence: L2"
    # Every label warroom manages still has a name, so planning never meets a missing key.
    assert "SEV-2" in label_catalog(config)


def test_a_partial_cadence_map_keeps_the_other_defaults() -> None:
    config = config_from_yaml("clock:\n  comms_cadence_minutes: {SEV-1: 15}")

    assert config.clock.comms_cadence_minutes == {
        Severity.SEV1: 15,
        Severity.SEV2: 60,
        Severity.SEV3: 240,
    }


@pytest.mark.parametrize(
    ("text", "path"),
    [
        pytest.param(
            "clock: {reassess_minutes: 30}", "clock.reassess_minutes", id="reassess-past-ten"
        ),
        pytest.param("labels: {incident: ''}", "labels.incident", id="empty-label"),
        pytest.param("labels: {gate_met: '" + "x" * 51 + "'}", "labels.gate_met", id="long-label"),
        pytest.param("labels: {severity: {SEV-2: ''}}", "labels.severity", id="empty-map-label"),
        pytest.param(
            "clock: {comms_cadence_minutes: {SEV-1: 0}}",
            "clock.comms_cadence_minutes",
            id="zero-cadence",
        ),
    ],
)
def test_a_bad_value_names_its_key(text: str, path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_yaml(text)
    assert f".github/warroom.yml: {path}" in str(caught.value)


def test_own_messages_come_without_pydantics_prefix() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_yaml("timezone: Mars/Base\n")
    assert str(caught.value) == (
        ".github/warroom.yml: timezone: unknown time zone 'Mars/Base'; "
        "write an IANA name such as 'UTC' or 'Europe/Berlin'"
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param(
            "recovery_branches: {prefix: 'incident/*/'}", "holding {number} once", id="glob-prefix"
        ),
        pytest.param(
            "recovery_branches: {prefix: 'incident/'}", "holding {number}", id="no-number"
        ),
        pytest.param("recovery_branches: {hotfix: 'hot/fix'}", 'without "/"', id="slash-in-name"),
        pytest.param(
            "postures: {severity: {SEV-1: {name: x, against: [roll]}}}",
            "postures.severity.SEV-1.against.0",
            id="unknown-decision",
        ),
        pytest.param("postures: {severity: {SEV-1: {against: []}}}", "name", id="posture-unnamed"),
        pytest.param(
            "postures: {dependency: {billing: {name: x}}}", "dependency", id="unknown-class"
        ),
    ],
)
def test_posture_and_branch_settings_name_the_key_and_what_to_write(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_yaml(text)
    assert says in str(caught.value)


def test_postures_default_to_the_playbooks_words() -> None:
    postures = DEFAULT_CONFIG.postures
    assert [p.name for p in postures.severity.values()] == [
        "rollback-first evaluation",
        "bounded hotfix with tight verification",
        "scheduled corrective release",
    ]
    assert [p.name for p in postures.dependency.values()] == [
        "rollback-first + audit capture",
        "write freeze + reconciliation boundary",
        "flow throttling + replay guard",
        "conservative rollback threshold",
    ]
