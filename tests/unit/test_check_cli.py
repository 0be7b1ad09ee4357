"""``warroom check`` and ``warroom template`` through click's runner: outputs and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from warroom.check import check_text
from warroom.cli import cli
from warroom.model import Level
from warroom.parsing.records import MAX_RECORDS
from warroom.records.spec import RECORD_KINDS
from warroom.render import render_record

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples"
FORMS = ROOT / ".github" / "ISSUE_TEMPLATE"

VALID = """### Checkpoint Decision Record
- Timestamp: 2026-11-28 16:20 UTC
- Evidence reviewed: 401 graph
- Decision: rollback
- Why this decision now: flag failed
- Rejected alternatives: hotfix, slower
- Owner for execution: @tomas
- Owner for verification: @aiko
"""
INVALID = VALID.replace("- Decision: rollback", "- Decision: maybe later")


def run(*args: str, stdin: bytes | str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"valid": tmp_path / "valid.md", "invalid": tmp_path / "invalid.md"}
    paths["valid"].write_text(VALID)
    paths["invalid"].write_text(INVALID)
    return paths


def test_valid_input_exits_0_with_warnings_allowed(files: dict[str, Path]) -> None:
    code, out, _ = run("check", str(files["valid"]))
    assert code == 0
    assert ": warning: Reversibility: " in out
    assert out.endswith(f"{files['valid']}: valid decision (11 warnings)\n")


def test_invalid_input_exits_1_with_a_linter_line(files: dict[str, Path]) -> None:
    code, out, _ = run("check", str(files["invalid"]))
    assert code == 1
    assert (
        f"{files['invalid']}:4: error: Decision: must be one of "
        '"continue mitigation", "rollback", "escalate+pause"; got "maybe later"\n'
    ) in out


def test_any_invalid_input_makes_the_run_fail(files: dict[str, Path]) -> None:
    code, out, _ = run("check", str(files["valid"]), str(files["invalid"]))
    assert code == 1
    assert f"{files['valid']}: valid" in out
    assert f"{files['invalid']}: invalid" in out


def test_json_is_one_object_per_input_per_line(files: dict[str, Path]) -> None:
    code, out, _ = run("check", "--format", "json", str(files["valid"]), str(files["invalid"]))
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    assert set(first) == {"file", "kind", "valid", "errors", "warnings", "record"}
    assert (first["file"], first["kind"], first["valid"]) == (str(files["valid"]), "decision", True)
    assert first["errors"] == []
    assert {"field": "Reversibility"}.items() <= first["warnings"][0].items()
    assert first["record"]["decision"] == "rollback"
    assert first["record"]["execution_owner"] == ["tomas"]
    assert second["valid"] is False
    assert second["errors"] == [
        {
            "field": "Decision",
            "message": 'must be one of "continue mitigation", "rollback", "escalate+pause"; '
            'got "maybe later"',
        }
    ]
    assert second["record"]["decision"] == "maybe later"


def test_dash_reads_stdin() -> None:
    code, out, _ = run("check", "--format", "json", "-", stdin=VALID)
    assert code == 0
    assert json.loads(out)["file"] == "-"


def test_stdin_named_twice_is_read_once() -> None:
    code, out, _ = run("check", "-", "-", stdin=VALID)
    assert code == 0
    assert out.count("-: valid decision") == 2


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda p: p / "missing.md", "no such file", id="missing"),
        pytest.param(lambda p: p, "is a directory", id="directory"),
    ],
)
def test_unreadable_input_exits_2_with_a_message(
    tmp_path: Path, files: dict[str, Path], make: object, message: str
) -> None:
    assert callable(make)
    target = make(tmp_path)
    code, out, err = run("check", str(target), str(files["valid"]))
    assert code == 2
    assert f"warroom: {target}: {message}" in err
    assert "Traceback" not in err + out
    assert f"{files['valid']}: valid" in out


def test_non_utf8_input_exits_2_naming_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("Status: résolu\n".encode("latin-1"))
    code, _, err = run("check", str(path))
    assert code == 2
    assert f"{path}: not UTF-8 text (byte 0xe9 at offset 9)" in err


def test_a_leading_bom_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert run("check", str(path))[0] == 0


def test_unknown_kind_is_a_usage_error(files: dict[str, Path]) -> None:
    code, _, err = run("check", "--kind", "postmortem", str(files["valid"]))
    assert code == 2
    assert "'postmortem' is not one of" in err


def test_no_files_is_a_usage_error() -> None:
    assert run("check")[0] == 2


def test_explicit_kind_checks_only_that_kind(tmp_path: Path) -> None:
    path = tmp_path / "bundle.md"
    path.write_text((EXAMPLES / "snapshot.md").read_text() + "\n" + INVALID)
    assert run("check", "--kind", "snapshot", str(path))[0] == 0
    assert run("check", "--kind", "decision", str(path))[0] == 1
    code, out, _ = run("check", "--format", "json", str(path))
    report = json.loads(out)
    assert (code, report["kind"]) == (1, "bundle")
    assert [(r["kind"], r["valid"]) for r in report["record"]["records"]] == [
        ("snapshot", True),
        ("decision", False),
    ]


def test_auto_says_which_starts_it_looks_for(tmp_path: Path) -> None:
    path = tmp_path / "prose.md"
    path.write_text("Looks stable, closing soon.\n")
    code, out, _ = run("check", str(path))
    assert code == 1
    assert "no war-room record recognised" in out
    for kind in RECORD_KINDS:
        assert f"({kind})" in out


def test_auto_recognises_an_incident_form_body() -> None:
    code, out, _ = run("check", "--format", "json", str(EXAMPLES / "incident-form.md"))
    report = json.loads(out)
    assert (code, report["kind"], report["valid"]) == (0, "form", True)
    assert report["record"]["severity"]
    boxes = [v for v in report["record"].values() if isinstance(v, dict)]
    assert boxes
    assert all(set(box) == {"selected", "unselected"} for box in boxes)


def test_kind_form_with_a_form_path() -> None:
    hardening = str(FORMS / "hardening.yml")
    code, out, _ = run(
        "check", "--kind", "form", "--form", hardening, str(EXAMPLES / "hardening-form.md")
    )
    assert code == 0, out
    code, out, _ = run("check", "--kind", "form", "--form", hardening, "-", stdin=VALID)
    assert code == 1


def test_a_bad_form_file_is_a_usage_error(tmp_path: Path, files: dict[str, Path]) -> None:
    form = tmp_path / "form.yml"
    form.write_text("body: [unclosed\n")
    code, out, err = run("check", "--kind", "form", "--form", str(form), str(files["valid"]))
    assert code == 2
    assert "Traceback" not in out + err
    assert str(form) in err


def test_config_timezone_applies_to_times_without_a_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "warroom.yml").write_text("timezone: Asia/Tokyo\n")
    (tmp_path / "d.md").write_text(VALID.replace("16:20 UTC", "16:20"))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("check", "--format", "json", "d.md")
    assert code == 0
    assert json.loads(out)["record"]["timestamp"] == "2026-11-28T16:20:00+09:00"


def test_a_broken_config_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "warroom.yml").write_text("timezone: Mars/Olympus\n")
    (tmp_path / "d.md").write_text(VALID)
    monkeypatch.chdir(tmp_path)
    code, _, err = run("check", "d.md")
    assert code == 2
    assert "timezone" in err


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_template_prints_the_fillable_record(kind: str) -> None:
    code, out, _ = run("template", kind)
    assert code == 0
    assert out == render_record(kind)


def test_template_pipes_into_check_and_fails_until_filled() -> None:
    _, template, _ = run("template", "snapshot")
    code, out, _ = run("check", "--kind", "snapshot", "-", stdin=template)
    assert code == 1
    assert "Incident ID: is empty" in out


def test_unknown_template_kind_exits_2_listing_the_kinds() -> None:
    code, _, err = run("template", "postmortem")
    assert code == 2
    for kind in RECORD_KINDS:
        assert f"'{kind}'" in err


EXAMPLE_FILES = sorted(EXAMPLES.glob("*.md"))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_examples_are_valid_without_warnings(path: Path) -> None:
    code, out, _ = run("check", "--format", "json", str(path))
    report = json.loads(out)
    assert code == 0, report
    assert report["warnings"] == [], report["warnings"]


def test_every_record_kind_has_an_example() -> None:
    kinds = {json.loads(run("check", "--format", "json", str(p))[1])["kind"] for p in EXAMPLE_FILES}
    assert set(RECORD_KINDS) <= kinds


@pytest.mark.parametrize("path", sorted((EXAMPLES / "invalid").glob("*.md")), ids=lambda p: p.name)
def test_invalid_examples_are_refused(path: Path) -> None:
    assert run("check", str(path))[0] == 1


def test_more_records_than_read_is_a_warning() -> None:
    result = check_text(VALID * (MAX_RECORDS + 3))
    assert result.kind == "bundle"
    assert len(result.record["records"]) == MAX_RECORDS
    [limit] = [f for f in result.findings if f.field == "record"]
    assert limit.level is Level.WARNING
    assert f"at most {MAX_RECORDS} records" in limit.message
