"""``warroom check``: records and issue-form bodies in, linter-style findings out.

``check_text`` is pure: one text, one ``CheckResult``. ``format_text`` and
``format_json`` turn a result into the two output formats. ``check_files`` is
the thin shell the CLI calls: it reads files (``-`` is stdin), refuses
unreadable input with one line instead of a traceback (missing, not UTF-8,
a NUL byte, longer than GitHub's 65,536-character body limit, which is found
out after reading at most four bytes a character, never the whole file), takes
the reference time for times written without a date (``WARROOM_NOW`` or the
clock), and picks the exit code (0 valid, 1 invalid, 2 unreadable input).

A record that is quoted (``> ### Incident Command Snapshot``) or inside a code
fence is never read, here or in the Action; ``check`` says so for each one and
how to post it so it counts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from warroom.actions_env import DEFAULT_CONFIG_PATH, parse_now
from warroom.config import DEFAULT_CONFIG, Config, config_from_yaml
from warroom.errors import UsageError
from warroom.limits import COMMENT_LIMIT
from warroom.model import CheckResult, Finding, Level
from warroom.parsing.forms import (
    FormTemplate,
    bundled_form,
    check_form,
    cut_body,
    form_from_yaml,
    looks_like_form,
)
from warroom.parsing.records import MAX_RECORDS, read_record_as, read_records, unread_starts
from warroom.records.spec import RECORD_KINDS, SPECS
from warroom.records.types import ParsedRecord

CHECK_KINDS: tuple[str, ...] = ("auto", "form", *RECORD_KINDS)
"""What ``--kind`` accepts."""

BUNDLE = "bundle"
"""The kind reported for an input holding several records (the playbook's artifact bundle)."""
UNKNOWN = "unknown"
"""The kind reported when ``auto`` recognises nothing."""
UNREADABLE = "unreadable"
"""The kind ``--format json`` gives an input it could not read (missing, not text, too long)."""

OutputFormat = Literal["text", "json"]


def _unread(text: str, level: Level, kind: str | None = None) -> tuple[Finding, ...]:
    """One finding per record start that is quoted or fenced, saying how to post it."""
    found = []
    for line, start_kind, why in unread_starts(text):
        if kind is not None and start_kind != kind:
            continue
        spec = SPECS[start_kind]
        if why == "quoted":
            message = (
                'is quoted with ">", so it is not read: a quoted record repeats someone '
                'else\'s and is never applied; to post it as yours, remove the ">" from the '
                "start of its lines"
            )
        else:
            message = (
                "is inside a ``` code block, so it is not read: a record in a fence is an "
                "example and is never applied; to post it so it counts, paste it as plain "
                "text outside the fence"
            )
        found.append(Finding(spec.title, message, level, line))
    return tuple(found)


def _records_result(records: Sequence[ParsedRecord], text: str = "") -> CheckResult:
    findings = tuple(finding for record in records for finding in record.findings)
    findings += _unread(text, Level.WARNING)
    if len(records) >= MAX_RECORDS:
        findings += (
            Finding(
                "record",
                f"warroom reads at most {MAX_RECORDS} records per comment and this input has "
                "that many: split the records over several comments",
                Level.WARNING,
                records[-1].line,
            ),
        )
    if len(records) == 1:
        return CheckResult(records[0].kind, findings, records[0].to_json())
    listed = [
        {"kind": r.kind, "line": r.line, "valid": r.valid, "record": r.to_json()} for r in records
    ]
    return CheckResult(BUNDLE, findings, {"records": listed})


def _recognised_starts() -> str:
    return ", ".join(f'"{spec.start_example}" ({spec.kind})' for spec in SPECS.values())


def _unrecognised(text: str, forms: Sequence[FormTemplate]) -> CheckResult:
    unread = _unread(text, Level.ERROR)
    if unread:
        return CheckResult(UNKNOWN, unread)
    form_hint = " or an issue-form body (its ### headings)" if forms else ""
    message = (
        f"no war-room record recognised; a record starts with one of: "
        f"{_recognised_starts()}{form_hint}; or name the kind with --kind"
    )
    return CheckResult(UNKNOWN, (Finding("record", message, Level.ERROR, 1),))


def _check_kind(text: str, kind: str, config: Config, reference: datetime | None) -> CheckResult:
    records = read_records(text, config, reference=reference)
    wanted = [record for record in records if record.kind == kind]
    if wanted:
        return _records_result(wanted, text)
    spec = SPECS[kind]
    unread = _unread(text, Level.ERROR, kind)
    if unread:
        return CheckResult(kind, unread)
    if records:
        found = ", ".join(f"{SPECS[r.kind].title} on line {r.line}" for r in records)
        message = (
            f'no {spec.title} here (found: {found}); start the block with "{spec.start_example}" '
            "or check with --kind auto"
        )
        return CheckResult(kind, (Finding(spec.title, message, Level.ERROR, 1),))
    return _records_result([read_record_as(text, kind, config, reference=reference)])


def check_text(
    text: str,
    *,
    kind: str = "auto",
    form: FormTemplate | None = None,
    forms: Sequence[FormTemplate] | None = None,
    config: Config = DEFAULT_CONFIG,
    reference: datetime | None = None,
) -> CheckResult:
    """Check one input.

    ``kind`` is ``auto``, ``form`` or a record kind. ``form`` is the form to
    read a body with (``--form``; default the bundled incident form).
    ``forms`` are the forms ``auto`` tries after records (default: the
    bundled incident and hardening forms, after ``form`` when given).
    ``reference`` is the time a time written without a date is read from
    (without one, such a time is an error).
    """
    if kind == "form":
        return check_form(text, form or bundled_form("incident"), config)
    if kind in SPECS:
        return _check_kind(text, kind, config, reference)
    if kind != "auto":
        raise UsageError(f"unknown kind {kind!r}; use one of: {', '.join(CHECK_KINDS)}")
    records = read_records(text, config, reference=reference)
    if records:
        return _records_result(records, text)
    candidates = (
        list(forms) if forms is not None else [bundled_form("incident"), bundled_form("hardening")]
    )
    if form is not None:
        candidates.insert(0, form)
    # A form body is ### headings; without one there is nothing for the form parser to try.
    if "###" in text:
        body = cut_body(text)  # once, whichever forms are tried
        for candidate in candidates:
            if looks_like_form(body, candidate):
                return check_form(body, candidate, config)
    return _unrecognised(text, candidates)


# --- output -----------------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _kinds(result: CheckResult) -> str:
    if result.kind == BUNDLE:
        return " + ".join(str(item["kind"]) for item in result.record.get("records", []))
    return result.kind


def format_text(file: str, result: CheckResult) -> str:
    """Linter lines, ``FILE:LINE: error: Field: message``, then one summary line."""
    lines = []
    for finding in result.findings:
        where = f"{file}:{finding.line}" if finding.line is not None else file
        lines.append(f"{where}: {finding.level.value}: {finding.field}: {finding.message}")
    counts = [
        _plural(len(found), word)
        for found, word in ((result.errors, "error"), (result.warnings, "warning"))
        if found
    ]
    tally = f" ({', '.join(counts)})" if counts else ""
    if result.kind == UNKNOWN:
        lines.append(f"{file}: nothing recognised{tally}")
    else:
        verdict = "valid" if result.valid else "invalid"
        lines.append(f"{file}: {verdict} {_kinds(result)}{tally}")
    return "\n".join(lines) + "\n"


def _findings_json(findings: Sequence[Finding]) -> list[dict[str, str]]:
    return [{"field": f.field, "message": f.message} for f in findings]


def result_json(file: str, result: CheckResult) -> dict[str, Any]:
    """The JSON object ``--format json`` prints for one input."""
    return {
        "file": file,
        "kind": result.kind,
        "valid": result.valid,
        "errors": _findings_json(result.errors),
        "warnings": _findings_json(result.warnings),
        "record": dict(result.record),
    }


def format_json(file: str, result: CheckResult) -> str:
    """One line of JSON for one input."""
    return json.dumps(result_json(file, result), ensure_ascii=False) + "\n"


def unreadable_json(file: str, reason: str) -> str:
    """The JSON line for an input that could not be read, shaped like every other line."""
    line = {
        "file": file,
        "kind": UNREADABLE,
        "valid": False,
        "errors": [{"field": "file", "message": reason}],
        "warnings": [],
        "record": {},
    }
    return json.dumps(line, ensure_ascii=False) + "\n"


# --- the shell --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What ``warroom check`` prints and how it exits; the CLI only writes it out."""

    stdout: str
    stderr: str
    exit_code: int


INPUT_LIMIT = COMMENT_LIMIT
"""Characters in one input: GitHub's limit for an issue or comment body.

Anything that can be posted is read; anything longer cannot be a comment, and
is refused after reading at most ``_input_bytes()`` bytes of it.
"""
YAML_LIMIT = 1_000_000
"""Bytes in a ``--form`` or config file: far above any real one, far below a mistake."""
_BOM = "\ufeff"


def _input_bytes(limit: int) -> int:
    """The most bytes ``limit`` characters of UTF-8 (and a byte order mark) can take."""
    return 4 * limit + len(_BOM.encode("utf-8"))


def read_at_most(handle: BinaryIO, cap: int) -> bytes:
    """At most ``cap + 1`` bytes: enough to tell an input is over ``cap`` without reading it all."""
    chunks: list[bytes] = []
    size = 0
    while size <= cap:
        chunk = handle.read(cap + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def decode(data: bytes, name: str, *, limit: int | None = INPUT_LIMIT) -> str:
    """UTF-8 text of at most ``limit`` characters, or a ``UsageError`` saying what is wrong.

    A NUL byte means the file is not text (an image, an archive, UTF-16), whatever
    else it decodes to. A leading byte order mark is dropped.
    """
    nul = data.find(b"\0")
    if nul >= 0:
        raise UsageError(f"{name}: not text (a NUL byte at offset {nul}); give a UTF-8 text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from None
    text = text.removeprefix(_BOM)
    if limit is not None and len(text) > limit:
        raise UsageError(_too_long(name, limit))
    return text


def _too_long(name: str, limit: int) -> str:
    return (
        f"{name}: longer than {limit:,} characters, GitHub's limit for a comment or issue "
        "body; check one comment's text at a time"
    )


class MissingFile(UsageError):
    """The file named does not exist; the caller knows what to suggest instead."""


def read_file(path: Path, name: str, *, cap: int, directory: str = "name a file") -> bytes:
    """A file's first ``cap + 1`` bytes; a ``UsageError`` naming ``name`` when it cannot be read.

    The message is the reason in words (no ``[Errno 2]``); ``directory`` is
    what to do when ``path`` is a directory.
    """
    try:
        with path.open("rb") as handle:
            return read_at_most(handle, cap)
    except IsADirectoryError:
        raise UsageError(f"{name}: is a directory; {directory}") from None
    except FileNotFoundError:
        raise MissingFile(f"{name}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})") from None


def _read(name: str, stdin: BinaryIO | None, cache: dict[str, str]) -> str:
    if name in cache:
        return cache[name]
    cap = _input_bytes(INPUT_LIMIT)
    if name == "-":
        if stdin is None:
            raise UsageError("-: no standard input to read")
        data = read_at_most(stdin, cap)
    else:
        data = read_file(Path(name), name, cap=cap, directory="name the files to check")
    if len(data) > cap:
        raise UsageError(_too_long(name, INPUT_LIMIT))
    cache[name] = decode(data, name)
    return cache[name]


def read_yaml_file(path: Path, name: str, *, directory: str = "name a YAML file") -> str:
    """A ``--form`` or config file's text; ``name`` is how messages refer to it."""
    data = read_file(path, name, cap=YAML_LIMIT, directory=directory)
    if len(data) > YAML_LIMIT:
        raise UsageError(f"{name}: larger than {YAML_LIMIT:,} bytes; is it the right file?")
    return decode(data, name, limit=None)


def load_form_option(path: Path) -> FormTemplate:
    """The form ``--form PATH`` names; one line naming the option and the file when unusable."""
    name = f"--form {path}"
    try:
        text = read_yaml_file(path, name, directory="name an issue-form YAML file")
    except MissingFile:
        raise UsageError(
            f"{name}: no such file; name an issue-form YAML file, "
            "such as .github/ISSUE_TEMPLATE/incident.yml"
        ) from None
    return form_from_yaml(text, source=name)


def load_config(path: Path = Path(DEFAULT_CONFIG_PATH), *, required: bool | None = None) -> Config:
    """The config at ``path``; the defaults when it is missing and not ``required``.

    A path someone named (``WARROOM_CONFIG``, the action's ``config`` input) is
    required: a typo there must not quietly run the defaults. ``required``
    left as ``None`` means "named unless it is the default path".
    """
    if required is None:
        required = path != Path(DEFAULT_CONFIG_PATH)
    try:
        text = read_yaml_file(path, str(path))
    except MissingFile:
        if not required:
            return DEFAULT_CONFIG
        raise UsageError(
            f"WARROOM_CONFIG: no config file at {path}; correct the path (in a workflow, "
            "the action's `config` input, read from the checked-out repository) or leave "
            f"it unset to use {DEFAULT_CONFIG_PATH}, or the defaults without one"
        ) from None
    return config_from_yaml(text, source=str(path))


def check_files(
    names: Sequence[str],
    *,
    kind: str = "auto",
    form_path: Path | None = None,
    output: OutputFormat = "text",
    config: Config | None = None,
    stdin: BinaryIO | None = None,
    now: datetime | None = None,
) -> Report:
    """Check each named input; unreadable ones are reported and make the exit code 2.

    With ``output="json"`` every input gets its line, an unreadable one too
    (kind ``unreadable``, the reason as its error); as text, the reason goes
    to stderr as ``warroom: FILE: reason``.

    Times written without a date are read from ``now``: by default
    ``WARROOM_NOW`` when set (ISO 8601, to check a drill's records), else the clock.
    Raises ``WarroomError`` only for problems with the command itself (an
    unknown kind, a form YAML that cannot be used, an invalid config, a bad
    ``WARROOM_NOW``).
    """
    if kind not in CHECK_KINDS:
        raise UsageError(f"unknown kind {kind!r}; use one of: {', '.join(CHECK_KINDS)}")
    reference = now if now is not None else parse_now(os.environ.get("WARROOM_NOW"))
    settings = config if config is not None else load_config()
    form = load_form_option(form_path) if form_path is not None else None
    out: list[str] = []
    err: list[str] = []
    exit_code = 0
    cache: dict[str, str] = {}
    for name in names:
        try:
            text = _read(name, stdin, cache)
        except UsageError as exc:
            if output == "json":
                out.append(unreadable_json(name, str(exc).removeprefix(f"{name}: ")))
            else:
                err.append(f"warroom: {exc}\n")
            exit_code = 2
            continue
        result = check_text(text, kind=kind, form=form, config=settings, reference=reference)
        out.append(format_json(name, result) if output == "json" else format_text(name, result))
        if not result.valid:
            exit_code = max(exit_code, 1)
    return Report("".join(out), "".join(err), exit_code)
