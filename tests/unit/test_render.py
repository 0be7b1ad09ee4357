"""Templates: one golden file per record template, and the sandbox around rendering.

Set ``WARROOM_UPDATE_FIXTURES=1`` to rewrite the golden files after a
deliberate template change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from warroom.parsing.records import read_records
from warroom.records.spec import RECORD_KINDS, SPECS
from warroom.render import _environment, render, render_record, templates_root

GOLDEN = Path(__file__).parents[1] / "fixtures" / "render"
UPDATE = os.environ.get("WARROOM_UPDATE_FIXTURES") == "1"


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_fillable_template_matches_its_golden_file(kind: str) -> None:
    golden = GOLDEN / f"{kind}.md"
    rendered = render_record(kind)
    if UPDATE:
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_fillable_template_carries_every_field_and_nothing_passes_unfilled(kind: str) -> None:
    [record] = read_records(render_record(kind))
    spec = SPECS[kind]
    assert record.kind == kind
    assert {f.key for f in record.block.fields} == {f.key for f in spec.fields}
    assert record.block.extra == ()
    assert {f.field for f in record.errors} == {f.label for f in spec.required}


def test_every_kind_has_a_template_and_every_template_a_kind() -> None:
    on_disk = {
        path.name.removesuffix(".md.j2") for path in (templates_root() / "records").glob("*.md.j2")
    }
    assert on_disk == set(RECORD_KINDS)


def test_values_are_data_never_template_code() -> None:
    hostile = "{{ 7 * 7 }} {% raw %}{{ config }}{% endraw %} {{ ''.__class__.__mro__ }}"
    text = render_record("followup", {"title": hostile})
    assert f"- Title: {hostile}" in text


def test_the_environment_is_sandboxed() -> None:
    template = _environment().from_string("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        template.render()


def test_undefined_variables_fail_loudly() -> None:
    with pytest.raises(UndefinedError):
        render("records/snapshot.md.j2", {"values": {}})


def test_markdown_is_not_html_escaped() -> None:
    text = render_record(
        "decision", {"decision": "escalate+pause", "evidence_reviewed": "a < b & c"}
    )
    assert "- Decision: escalate+pause" in text
    assert "- Evidence reviewed: a < b & c" in text
