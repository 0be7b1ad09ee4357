"""The form-body parser and checker: fixture folders, decision tables, and hostile input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.config import DEFAULT_CONFIG
from warroom.errors import FormTemplateError
from warroom.model import Level
from warroom.parsing.forms import (
    FieldType,
    FormTemplate,
    bundled_form,
    check_form,
    form_from_yaml,
    load_form,
    looks_like_form,
    parse_form,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "forms"
INCIDENT = bundled_form("incident")
HARDENING = bundled_form("hardening")
BODY_LIMIT = 65_536  # GitHub's limit on an issue body


def _fixture_form(folder: Path) -> FormTemplate:
    named = folder / "template.name"
    if named.exists():
        name = named.read_text("utf-8").strip()
        assert name in ("incident", "hardening")
        return bundled_form(name)  # type: ignore[arg-type]
    return load_form(folder / "template.yml")


@pytest.mark.parametrize("folder", sorted(FIXTURES.iterdir()), ids=lambda p: p.name)
def test_fixture(folder: Path) -> None:
    expected = json.loads((folder / "expected.json").read_text("utf-8"))
    body = (folder / "body.md").read_bytes().decode("utf-8")
    result = check_form(body, _fixture_form(folder), DEFAULT_CONFIG)
    assert result.kind == "form"
    assert json.loads(json.dumps(dict(result.record))) == expected["record"]
    findings = [
        {"field": f.field, "level": f.level.value, "line": f.line, "message": f.message}
        for f in result.findings
    ]
    assert findings == expected["findings"]


def _body(*sections: tuple[str, str]) -> str:
    return "\n\n".join(f"### {label}\n\n{answer}" for label, answer in sections)


SMALL_FORM = form_from_yaml(
    """
name: Small
description: One of each field type.
body:
  - type: markdown
    attributes: {value: "Intro, never in the body."}
  - type: input
    id: name
    attributes: {label: Name}
    validations: {required: true}
  - type: textarea
    id: notes
    attributes: {label: Notes}
  - type: textarea
    id: log
    attributes: {label: Log, render: shell}
  - type: dropdown
    id: colour
    attributes: {label: Colour, options: [red, green, blue], multiple: true}
  - type: checkboxes
    id: agree
    attributes:
      label: Agree
      options: [{label: "Yes, I do", required: true}, {label: Later}]
"""
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            _body(("Name", "thing"), ("Colour", "red, blue")),
            {"name": "thing", "colour": ["red", "blue"]},
            id="input-and-multi-select",
        ),
        pytest.param(
            "### Name\r\n\r\nthing\r\n\r\n### Notes\r\n\r\nline one\r\nline two\r\n",
            {"name": "thing", "notes": "line one\nline two"},
            id="crlf",
        ),
        pytest.param(
            _body(("Name", "_No response_"), ("Notes", "None"), ("Colour", "None")),
            {"colour": []},
            id="no-response-markers",
        ),
        pytest.param(
            _body(("Agree", "- [X] Yes, I do\n- [ ] Later")),
            {"agree": {"selected": ["Yes, I do"], "unselected": ["Later"]}},
            id="checkbox-upper-x",
        ),
        pytest.param(
            _body(("Agree", "_No response_")),
            {"agree": {"selected": [], "unselected": []}},
            id="checkboxes-no-response",
        ),
        pytest.param(
            _body(("Log", "```shell\n$ make test\n### not a heading\nFAILED\n```"), ("Name", "x")),
            {"log": "$ make test\n### not a heading\nFAILED", "name": "x"},
            id="rendered-textarea-unfenced",
        ),
        pytest.param(
            _body(("Log", "```shell\n\n```"), ("Name", "x")),
            {"name": "x"},
            id="empty-rendered-textarea-is-no-answer",
        ),
        pytest.param(
            _body(("Notes", "```\n### Name\n\nnot the name\n```"), ("Name", "real")),
            {"notes": "```\n### Name\n\nnot the name\n```", "name": "real"},
            id="known-heading-inside-fence-is-text",
        ),
        pytest.param(
            _body(("Notes", "```\nunclosed fence"), ("Name", "still found")),
            {"notes": "```\nunclosed fence", "name": "still found"},
            id="unclosed-fence-hides-nothing",
        ),
        pytest.param(
            _body(("Notes", "first"), ("Timeline", "14:05 deploy"), ("Name", "x")),
            {"notes": "first\n\n### Timeline\n\n14:05 deploy", "name": "x"},
            id="unknown-section-joins-the-one-above",
        ),
        pytest.param(
            "preamble text\n\n" + _body(("Name", "x")),
            {"name": "x"},
            id="text-before-the-first-heading-is-ignored",
        ),
        pytest.param(
            _body(("Name", "first"), ("Name", "second")),
            {"name": "second"},
            id="repeated-section-later-wins",
        ),
        pytest.param(
            "### Name\n\n### Notes\n\nkept",
            {"notes": "kept"},
            id="heading-with-nothing-under-it",
        ),
        pytest.param(
            "###Name\n\ntight\n\n###   Notes   \n\nloose",
            {"name": "tight", "notes": "loose"},
            id="heading-spacing",
        ),
        pytest.param(
            _body(("Name", "\ufeff\u00a0padded\u3000")),
            {"name": "padded"},
            id="javascript-whitespace-trimmed",
        ),
        pytest.param(
            _body(("Name", "\x85kept\x1c")),
            {"name": "\x85kept\x1c"},
            id="python-only-whitespace-kept",
        ),
        pytest.param("", {}, id="empty-body"),
    ],
)
def test_parse_form(body: str, expected: dict[str, Any]) -> None:
    assert parse_form(body, SMALL_FORM).record() == expected


def test_heading_lines_are_one_based_and_survive_crlf() -> None:
    body = _body(("Name", "x"), ("Notes", "a\nb"), ("Colour", "red"))
    for text in (body, body.replace("\n", "\r\n")):
        parsed = parse_form(text, SMALL_FORM)
        assert dict(parsed.lines) == {"name": 1, "notes": 5, "colour": 10}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(_body(("Summary", "x"), ("Severity", "SEV-1")), True, id="two-headings"),
        pytest.param(_body(("Summary", "x")), False, id="one-heading"),
        pytest.param("### Summary\nx\n### summary\n", False, id="near-miss-does-not-count"),
        pytest.param(
            "```\n### Summary\n\nx\n\n### Severity\n\nSEV-1\n```", False, id="inside-a-fence"
        ),
        pytest.param("Rollback looks good, @mara-okafor", False, id="plain-comment"),
    ],
)
def test_looks_like_form(body: str, expected: bool) -> None:
    assert looks_like_form(body, INCIDENT) is expected


def test_a_one_field_form_needs_one_heading() -> None:
    form = form_from_yaml("name: x\nbody:\n  - type: input\n    attributes: {label: Only}\n")
    assert looks_like_form("### Only\n\nyes", form)


def test_bundled_forms_are_the_repositorys_forms() -> None:
    for name, form in (("incident", INCIDENT), ("hardening", HARDENING)):
        path = ROOT / ".github" / "ISSUE_TEMPLATE" / f"{name}.yml"
        assert form == load_form(path)
        assert form.labels == (name,)
    assert INCIDENT.field("baseline_evidence").render == "shell"
    assert INCIDENT.field("dependency_classes").multiple
    assert INCIDENT.field("rollback_ready").type is FieldType.CHECKBOXES


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("name: [unclosed", "not valid YAML", id="yaml-syntax"),
        pytest.param("- just a list", "a YAML mapping", id="not-a-mapping"),
        pytest.param("name: x\nbody: []", "non-empty list", id="empty-body"),
        pytest.param("name: x\nbody:\n  - 42", "body[0]: each element", id="element-not-mapping"),
        pytest.param(
            "name: x\nbody:\n  - type: slider\n    attributes: {label: A}",
            "body[0]: `type` must be one of",
            id="unknown-type",
        ),
        pytest.param(
            "name: x\nbody:\n  - type: input\n    attributes: {description: d}",
            "`attributes.label` must be non-empty text",
            id="no-label",
        ),
        pytest.param(
            "name: x\nbody:\n  - type: markdown\n    attributes: {value: hi}",
            "no fields to answer",
            id="only-markdown",
        ),
        pytest.param(
            "name: x\nbody:\n  - type: dropdown\n    attributes: {label: A}",
            "`attributes.options` must list the choices",
            id="dropdown-without-options",
        ),
        pytest.param(
            "name: x\nbody:\n  - type: dropdown\n    attributes: {label: A, options: [Yes, 'No']}",
            "options[0] is True, not text; quote it",
            id="unquoted-yes",
        ),
        pytest.param(
            "name: x\nbody:\n  - type: checkboxes\n    attributes: {label: A, options: [a]}",
            "options[0] must be a mapping with a text `label`",
            id="checkbox-option-not-mapping",
        ),
        pytest.param(
            "name: x\nbody:\n"
            "  - {type: input, id: a, attributes: {label: A}}\n"
            "  - {type: input, id: a, attributes: {label: B}}",
            "two fields share the id 'a'",
            id="duplicate-id",
        ),
        pytest.param(
            "name: x\nbody:\n"
            "  - {type: input, attributes: {label: A}}\n"
            "  - {type: textarea, id: other, attributes: {label: A}}",
            "two fields share the label 'A'",
            id="duplicate-label",
        ),
        pytest.param(
            "name: x\nbody:\n  - {type: input, id: 'has space', attributes: {label: A}}",
            "`id` must be letters, digits",
            id="bad-id",
        ),
        pytest.param(
            "name: x\nbody:\n"
            "  - {type: input, attributes: {label: A}, validations: {required: yes}}",
            None,
            id="yaml-1.1-yes-is-true",
        ),
    ],
)
def test_form_from_yaml_refuses_unusable_forms(text: str, message: str | None) -> None:
    if message is None:
        assert form_from_yaml(text).fields[0].required
        return
    with pytest.raises(FormTemplateError, match=r"^incident\.yml: ") as caught:
        form_from_yaml(text, source="incident.yml")
    assert message in str(caught.value)


def test_load_form_names_the_file_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(FormTemplateError, match=r"missing\.yml: cannot read the form"):
        load_form(tmp_path / "missing.yml")


def test_fields_without_ids_are_keyed_like_githubs_parser() -> None:
    form = form_from_yaml(
        "name: x\nbody:\n  - {type: input, attributes: {label: '  The Name (of it)! '}}"
    )
    assert form.ids == ("the_name_of_it",)


def test_check_form_reports_generic_problems_by_label_and_line() -> None:
    body = _body(("Name", "TBD"), ("Colour", "red, purple"), ("Agree", "- [ ] Yes, I do"))
    result = check_form(body, SMALL_FORM, DEFAULT_CONFIG)
    assert [(f.field, f.line, f.level) for f in result.findings] == [
        ("Name", 1, Level.ERROR),
        ("Colour", 5, Level.ERROR),
        ("Agree", 9, Level.ERROR),
    ]
    assert '"purple" is not among the options: "red", "green", "blue"' in result.findings[1].message
    assert result.record["colour"] == ["red", "purple"]


def test_check_form_warns_about_near_miss_and_repeated_headings() -> None:
    body = _body(("Name", "a"), ("notes", "b"), ("Name", "c"))
    warnings = check_form(body, SMALL_FORM, DEFAULT_CONFIG).warnings
    assert [(w.field, w.line) for w in warnings] == [("Name", 1), ("Notes", 5)]
    assert "appears again at line 9" in warnings[0].message
    assert "write `### Notes`" in warnings[1].message


# --- hostile and random input -------------------------------------------------------------------

FORM_ALPHABET = st.sampled_from(
    ["#", "###", "### ", "\n", "\r", "\r\n", " ", "\t", "`", "```", "~~~", "-", "[x]", "[ ]",
     "_No response_", "None", ",", ", ", "@", "\u2028", "\ufeff", "\x85", "a", "é", "🚨",
     "{{", "}}", "$(", "Summary", "Severity", "Incident commander", "Baseline evidence",
     "Rollback readiness", "Due date", "- [X] ", "SEV-1", "@octocat"]
)  # fmt: skip


@st.composite
def hostile_bodies(draw: st.DrawFn) -> str:
    """Bodies made of the parser's own syntax, sometimes repeated up to GitHub's body limit."""
    fragment = "".join(draw(st.lists(FORM_ALPHABET, max_size=60)))
    noise = draw(st.text(max_size=200))
    body = fragment + noise
    if body and draw(st.booleans()):
        body = (body * (BODY_LIMIT // len(body) + 1))[:BODY_LIMIT]
    return body


def _check_everything(body: str) -> None:
    for form in (INCIDENT, HARDENING, SMALL_FORM):
        result = check_form(body, form, DEFAULT_CONFIG)
        record = json.loads(json.dumps(dict(result.record)))
        assert set(record) <= set(form.ids)
        assert all(f.field for f in result.findings)
        looks_like_form(body, form)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_bodies())
def test_hostile_bodies_never_raise(body: str) -> None:
    _check_everything(body)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=2_000))
def test_random_text_never_raises(body: str) -> None:
    _check_everything(body)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("#" * BODY_LIMIT, id="hashes"),
        pytest.param("### \n" * (BODY_LIMIT // 5), id="empty-headings"),
        pytest.param("### Summary\n\nx\n" * (BODY_LIMIT // 16), id="repeated-field"),
        pytest.param("```\n" * (BODY_LIMIT // 4), id="fences"),
        pytest.param("````x\n" * (BODY_LIMIT // 6), id="unclosed-fences"),
        pytest.param("- [x] " * (BODY_LIMIT // 6), id="checkbox-run"),
        pytest.param("### Dependency classes\n\n" + "other, " * 9_000, id="huge-multi-select"),
        pytest.param("### Incident commander\n\n" + " " * 65_000 + "@x", id="space-run"),
        pytest.param("\r" * BODY_LIMIT, id="carriage-returns"),
        pytest.param("\u2028" * BODY_LIMIT, id="js-line-separators"),
    ],
)
def test_pathological_bodies_at_the_size_limit(body: str) -> None:
    assert len(body) <= BODY_LIMIT
    _check_everything(body)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["a", "", "### Name", "### Notes", "```", "b c", "- [x] Later"])))
def test_crlf_and_lf_bodies_read_the_same(lines: list[str]) -> None:
    body = "\n".join(lines)
    lf = parse_form(body, SMALL_FORM)
    crlf = parse_form(body.replace("\n", "\r\n"), SMALL_FORM)
    assert lf.record() == crlf.record()
    assert lf.lines == crlf.lines


def test_body_text_is_never_evaluated() -> None:
    payload = "{{ 7*7 }} {% if true %}x{% endif %} ${{ github.token }} $(id) `id` __import__('os')"
    parsed = parse_form(_body(("Name", payload), ("Notes", payload)), SMALL_FORM)
    assert parsed.record() == {"name": payload, "notes": payload}
