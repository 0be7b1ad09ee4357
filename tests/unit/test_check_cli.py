"""``warroom check`` and ``warroom template`` through click's runner: outputs and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from warroom.check import INPUT_LIMIT, check_files, check_text
from warroom.cli import cli
from warroom.config import Config
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


# --- bad input fails closed, in one clear line ---------------------------------------------


def _one_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert "Errno" not in err
    assert "Traceback" not in err
    assert "codec" not in err
    return err.rstrip("\n")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        pytest.param(
            lambda p: p / "missing.yml",
            "no such file; name an issue-form YAML file, such as "
            ".github/ISSUE_TEMPLATE/incident.yml",
            id="missing",
        ),
        pytest.param(lambda p: p, "is a directory; name an issue-form YAML file", id="directory"),
        pytest.param(
            lambda p: _write(p / "latin1.yml", "name: Störung\n".encode("latin-1")),
            "not UTF-8 text (byte 0xf6 at offset 8); save the file as UTF-8",
            id="not-utf8",
        ),
        pytest.param(
            lambda p: _write(p / "utf16.yml", "name: x\n".encode("utf-16-le")),
            "not text (a NUL byte at offset 1); give a UTF-8 text file",
            id="utf16",
        ),
    ],
)
def test_an_unusable_form_file_is_one_line_naming_the_option_and_the_file(
    tmp_path: Path, files: dict[str, Path], make: object, reason: str
) -> None:
    assert callable(make)
    form = make(tmp_path)
    code, out, err = run("check", "--kind", "form", "--form", str(form), str(files["valid"]))
    assert (code, out) == (2, "")
    assert _one_line(err) == f"Error: --form {form}: {reason}"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_json_gives_every_input_a_line_unreadable_ones_included(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    missing = tmp_path / "missing.md"
    binary = _write(tmp_path / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    names = [str(files["valid"]), str(missing), str(binary), str(files["invalid"])]
    code, out, err = run("check", "--format", "json", *names)
    assert (code, err) == (2, "")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["file"] for line in lines] == names
    assert [line["valid"] for line in lines] == [True, False, False, False]
    assert lines[1] == {
        "file": str(missing),
        "kind": "unreadable",
        "valid": False,
        "errors": [{"field": "file", "message": "no such file"}],
        "warnings": [],
        "record": {},
    }
    assert lines[2]["errors"] == [
        {"field": "file", "message": "not text (a NUL byte at offset 8); give a UTF-8 text file"}
    ]
    assert lines[3]["kind"] == "decision"


@pytest.mark.parametrize(
    ("names", "code"),
    [
        pytest.param(["valid"], 0, id="valid"),
        pytest.param(["valid", "invalid"], 1, id="an-invalid-one"),
        pytest.param(["invalid", "missing"], 2, id="an-unreadable-one"),
    ],
)
def test_json_exit_codes(
    tmp_path: Path, files: dict[str, Path], names: list[str], code: int
) -> None:
    paths = [str(files.get(name, tmp_path / name)) for name in names]
    got, out, _ = run("check", "--format", "json", *paths)
    assert got == code
    assert len(out.splitlines()) == len(paths)


def test_json_for_a_usage_error_exits_2(files: dict[str, Path]) -> None:
    code, out, err = run(
        "check", "--format", "json", "--form", "nope.yml", "--kind", "form", str(files["valid"])
    )
    assert (code, out) == (2, "")
    assert "--form nope.yml: no such file" in err


TOO_LONG = (
    "longer than 65,536 characters, GitHub's limit for a comment or issue body; "
    "check one comment's text at a time"
)


@pytest.mark.parametrize(
    ("text", "readable"),
    [
        pytest.param(INVALID + "x" * (INPUT_LIMIT - len(INVALID)), True, id="at-the-limit"),
        pytest.param(INVALID + "x" * (INPUT_LIMIT + 1 - len(INVALID)), False, id="one-over"),
        pytest.param("\ufeff" + "🚨" * INPUT_LIMIT, True, id="four-byte-characters-at-the-limit"),
        pytest.param("🚨" * (INPUT_LIMIT + 1), False, id="four-byte-characters-one-over"),
    ],
)
def test_inputs_up_to_githubs_body_limit_are_read(
    tmp_path: Path, text: str, readable: bool
) -> None:
    assert INPUT_LIMIT == 65_536
    path = tmp_path / "comment.md"
    path.write_text(text, encoding="utf-8")
    code, out, err = run("check", str(path))
    if readable:
        assert (code, err) == (1, "")
    else:
        assert (code, out) == (2, "")
        assert _one_line(err) == f"warroom: {path}: {TOO_LONG}"


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "core.dump"
    with huge.open("wb") as handle:
        handle.truncate(855_000_000)  # sparse: no disk, but 855 MB to anyone who reads it all
    code, out, err = run("check", "--format", "json", str(huge))
    assert code == 2
    assert json.loads(out)["errors"] == [{"field": "file", "message": TOO_LONG}]
    assert err == ""


class _Endless(io.RawIOBase):
    """Standard input that never ends, counting what is read of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        view[:] = b"x" * len(view)
        self.read_bytes += len(view)
        return len(view)


def test_endless_stdin_is_refused_after_the_limit() -> None:
    stdin = _Endless()
    report = check_files(["-"], stdin=io.BufferedReader(stdin), config=Config())
    assert report.exit_code == 2
    assert report.stderr == f"warroom: -: {TOO_LONG}\n"
    assert stdin.read_bytes <= 4 * INPUT_LIMIT + 3 + 1 + io.DEFAULT_BUFFER_SIZE


def test_a_nul_byte_means_not_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "record.md", VALID.encode() + b"\x00")
    code, _, err = run("check", str(path))
    assert code == 2
    assert _one_line(err) == (
        f"warroom: {path}: not text (a NUL byte at offset {len(VALID)}); give a UTF-8 text file"
    )


def test_check_help_states_the_limit() -> None:
    _, out, _ = run("check", "--help")
    assert f"{INPUT_LIMIT:,} characters" in out


def test_template_help_lists_the_kinds() -> None:
    code, out, _ = run("template", "--help")
    assert code == 0
    assert f"KIND is one of: {', '.join(RECORD_KINDS)}." in " ".join(out.split())
