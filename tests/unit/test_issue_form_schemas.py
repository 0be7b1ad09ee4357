"""The issue forms pass GitHub's schemas (check-jsonschema's vendored copies, offline)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from warroom.declaration import HardeningItem, IncidentDeclaration
from warroom.parsing.forms import bundled_form

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / ".github" / "ISSUE_TEMPLATE"


def _check(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("schema", "name"),
    [
        pytest.param("vendor.github-issue-forms", "incident.yml", id="incident"),
        pytest.param("vendor.github-issue-forms", "hardening.yml", id="hardening"),
        pytest.param("vendor.github-issue-config", "config.yml", id="chooser"),
    ],
)
def test_form_matches_githubs_schema(schema: str, name: str) -> None:
    result = _check(schema, TEMPLATES / name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_form_in_the_folder_is_checked() -> None:
    assert {p.name for p in TEMPLATES.glob("*.yml")} == {
        "incident.yml",
        "hardening.yml",
        "config.yml",
    }


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\ndescription: y\nbody:\n  - type: dropdown\n    attributes: {}\n")
    assert _check("vendor.github-issue-forms", broken).returncode != 0


@pytest.mark.parametrize(
    ("name", "model"),
    [
        pytest.param("incident", IncidentDeclaration, id="incident"),
        pytest.param("hardening", HardeningItem, id="hardening"),
    ],
)
def test_each_form_field_feeds_the_typed_model(name: str, model: type) -> None:
    """The forms' ids are the models' fields, both ways, so nothing is read by a second list."""
    form = bundled_form(name)  # type: ignore[arg-type]
    assert set(form.ids) == set(model.model_fields)


def test_incident_form_says_what_the_playbook_asks() -> None:
    form = bundled_form("incident")
    assert form.labels == ("incident",)
    severity = form.field("severity")
    assert [o.split(" — ")[0] for o in severity.options] == ["SEV-1", "SEV-2", "SEV-3"]
    assert "data correctness" in severity.options[0]
    assert "major workflow degradation" in severity.options[1]
    assert "isolated non-critical regression" in severity.options[2]
    for owner in (
        "incident_commander",
        "deputy",
        "mitigation_owner",
        "verification_owner",
        "communications_owner",
    ):
        assert form.field(owner).required, owner
    assert not form.field("first_bad_deploy").required
    assert form.field("baseline_evidence").render == "shell"
