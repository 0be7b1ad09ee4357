"""Issue forms on the web view: the body the page writes is the one GitHub writes.

The sandbox reads the form YAML itself (it never imports warroom's parser), so
a differential test closes the loop: for every bundled form, answers composed
by the page are read back by warroom's own parser (``parse_form``, which
follows GitHub's) as the same answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.parsing.forms import bundled_form, parse_form
from warroom.sandbox.web import assets
from warroom.sandbox.web.issue_forms import (
    NO_CHOICE,
    NO_RESPONSE,
    IssueForm,
    compose,
    form_from_yaml,
    load_forms,
)

FORMS = Path(__file__).resolve().parents[2] / ".github" / "ISSUE_TEMPLATE"


def _answers(form: IssueForm) -> tuple[dict[str, list[str]], dict[str, object]]:
    """An answer for every field, and what GitHub's parser should read from the body."""
    answers: dict[str, list[str]] = {}
    expected: dict[str, object] = {}
    for field in form.fields:
        if field.kind == "input":
            answers[field.name] = [f"  answer <{field.id}>  "]
            expected[field.id] = f"answer <{field.id}>"
        elif field.kind == "textarea":
            answers[field.name] = [f"first line\r\nsecond {field.id}\r\n"]
            expected[field.id] = f"first line\nsecond {field.id}"
        elif field.kind == "dropdown":
            picked = list(field.options[:2] if field.multiple else field.options[:1])
            answers[field.name] = list(reversed(picked))  # the order of the options counts
            expected[field.id] = picked
        elif field.kind == "checkboxes":
            answers[field.name] = ["0"]
            expected[field.id] = {
                "selected": [field.options[0]],
                "unselected": list(field.options[1:]),
            }
    return answers, expected


@pytest.mark.parametrize("name", ["incident", "hardening"])
def test_what_the_page_writes_is_read_back_by_warrooms_parser(name: str) -> None:
    form = load_forms(FORMS)[f"{name}.yml"]
    answers, expected = _answers(form)
    body, missing = compose(form, answers)
    assert missing == []
    assert parse_form(body, bundled_form(name)).record() == expected


def test_unanswered_fields_are_written_as_github_writes_them() -> None:
    form = form_from_yaml(
        """
name: T
title: "[T] "
labels: [incident, "SEV-1"]
body:
  - type: markdown
    attributes: {value: "Read me"}
  - type: input
    id: summary
    attributes: {label: Summary}
    validations: {required: true}
  - type: textarea
    id: logs
    attributes: {label: Logs, render: shell}
  - type: dropdown
    id: sev
    attributes: {label: Severity, options: [a, b]}
    validations: {required: true}
  - type: checkboxes
    id: ok
    attributes:
      label: Ready
      options: [{label: "yes", required: true}, {label: "later"}]
""",
        "t.yml",
    )
    assert form is not None
    assert (form.title, form.labels) == ("[T] ", ("incident", "SEV-1"))
    body, missing = compose(form, {"field:logs": ["$ run\n1"]})
    assert body == (
        f"### Summary\n\n{NO_RESPONSE}\n\n"
        "### Logs\n\n```shell\n$ run\n1\n```\n\n"
        f"### Severity\n\n{NO_CHOICE}\n\n"
        "### Ready\n\n- [ ] yes\n- [ ] later"
    )
    assert missing == [
        "Summary: required; write an answer",
        "Severity: required; choose one of the options",
        "Ready: tick “yes”",
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("blank_issues_enabled: true\n", id="config"),
        pytest.param("name: x\nbody: [\n", id="bad-yaml"),
        pytest.param("- a\n- b\n", id="a-list"),
    ],
)
def test_what_is_not_a_form_is_left_out(text: str) -> None:
    assert form_from_yaml(text, "x.yml") is None


def test_forms_are_found_from_the_environment_then_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(assets.ISSUE_FORMS_ENV, str(tmp_path))
    assert assets.find_issue_forms() == tmp_path
    monkeypatch.setenv(assets.ISSUE_FORMS_ENV, str(tmp_path / "absent"))
    assert assets.find_issue_forms() is None
    monkeypatch.delenv(assets.ISSUE_FORMS_ENV)
    monkeypatch.chdir(tmp_path)
    found = assets.find_issue_forms()
    assert found is not None
    assert set(load_forms(found)) == {"hardening.yml", "incident.yml"}
