"""Issue-form bodies, read the way GitHub's own parser reads them, driven by the form's YAML.

An issue filed from a form arrives as Markdown: one ``### Label`` heading per
field, a blank line, the answer. GitHub's parser (npm ``@github/issue-parser``)
is the reference for turning that back into data, and the differential test
holds us to it; the few places where we deliberately read differently are
listed in the README (section "Reading issue forms") (D1..D6 below refer to it).

Nothing here knows the incident form's fields: which headings exist, their
types and which are required all come from the form YAML, so editing the form
never needs a matching edit in Python. Typed reading (severity, owners,
dates) is the next layer, in ``warroom.declaration``.

The body is untrusted. It is cut at headings and compared as text; nothing in
it is evaluated, rendered or passed to a shell, and every step is linear in
its length so a 65,536-character hostile body stays fast.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias, TypedDict

import yaml

from warroom import safe_yaml
from warroom.errors import FormTemplateError
from warroom.model import CheckResult, Finding, Level
from warroom.parsing.values import is_placeholder

if TYPE_CHECKING:
    from warroom.config import Config

# JavaScript's whitespace (``\s`` and ``String.prototype.trim``), which GitHub's
# parser uses to cut headings and trim answers. Python's ``str.strip()`` differs
# (it strips U+001C..U+001F and U+0085, keeps U+FEFF), so answers would drift.
JS_WHITESPACE = (
    "\t\n\x0b\x0c\r \xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_WS = r"[\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"

_LINE_BREAK = re.compile(r"\r\n?")
_HEADING_START = re.compile(r"^###", re.M)
# CommonMark fences: up to three spaces of indent, three or more ` or ~. The run is
# possessive (``{3,}+``): it is all fence, and ``.*`` after it never takes part of it.
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}+|~{3,}+)(.*)$", re.M)
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}+|~{3,}+)(.*)")
_FENCE_CLOSE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*")
# GitHub's parser: /^-\s\[x\]\s/im tested on a trimmed line (``^`` also after
# U+2028/U+2029 because of the m flag), then the first match removed.
_CHECKED_AT_LINE_START = re.compile(rf"(?:^|(?<=[\u2028\u2029]))-{_WS}\[[xX]\]{_WS}")
_CHECKED = re.compile(rf"-{_WS}\[[xX]\]{_WS}")
_UNCHECKED = re.compile(rf"-{_WS}\[{_WS}\]{_WS}")
_DROPDOWN_SPLIT = re.compile(r", *")
_ID = re.compile(r"[A-Za-z0-9_-]+")
_EMPTY_ANSWERS = frozenset({"", "none", "_no response_"})

_REPO_ROOT = Path(__file__).resolve().parents[3]


class FieldType(StrEnum):
    """The form element types that produce an answer (``markdown`` produces none)."""

    INPUT = "input"
    TEXTAREA = "textarea"
    DROPDOWN = "dropdown"
    CHECKBOXES = "checkboxes"
    UPLOAD = "upload"


class Checkboxes(TypedDict):
    """A checkboxes answer, shaped as GitHub's parser gives it."""

    selected: list[str]
    unselected: list[str]


FormValue: TypeAlias = str | list[str] | Checkboxes
"""One answer: text, the chosen dropdown options, or ticked/unticked boxes."""


@dataclass(frozen=True)
class FormField:
    """One answerable element of a form.

    ``id`` is the key GitHub's parser uses: the element's ``id``, or its label
    slugified when it has none.
    """

    id: str
    label: str
    type: FieldType
    required: bool = False
    options: tuple[str, ...] = ()
    multiple: bool = False
    render: str | None = None
    required_options: tuple[str, ...] = ()
    description: str = ""

    @property
    def heading(self) -> str:
        return f"### {self.label}"


@dataclass(frozen=True)
class FormTemplate:
    """An issue form, as far as parsing and checking a submission need it."""

    name: str
    fields: tuple[FormField, ...]
    description: str = ""
    title: str | None = None
    labels: tuple[str, ...] = ()
    _by_label: Mapping[str, FormField] = dataclasses.field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    _by_id: Mapping[str, FormField] = dataclasses.field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    _folded: Mapping[str, FormField] = dataclasses.field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        by_label: dict[str, FormField] = {}
        folded: dict[str, FormField] = {}
        for form_field in self.fields:
            # GitHub's parser maps a heading to the first field with that label.
            by_label.setdefault(form_field.label, form_field)
            folded.setdefault(_fold_heading(form_field.label), form_field)
        object.__setattr__(self, "_by_label", MappingProxyType(by_label))
        object.__setattr__(self, "_by_id", MappingProxyType({f.id: f for f in self.fields}))
        object.__setattr__(self, "_folded", MappingProxyType(folded))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.fields)

    def field(self, field_id: str) -> FormField:
        """The field with this id; ``KeyError`` names the ids that exist."""
        try:
            return self._by_id[field_id]
        except KeyError:
            raise KeyError(f"no field {field_id!r}; the form has {', '.join(self.ids)}") from None

    def get(self, field_id: str) -> FormField | None:
        return self._by_id.get(field_id)

    def by_label(self, label: str) -> FormField | None:
        return self._by_label.get(label)

    def near_miss(self, heading_text: str) -> FormField | None:
        """The field a heading was probably meant for (case or spacing differs)."""
        return self._folded.get(_fold_heading(heading_text))


def _fold_heading(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(":")


# --- reading the form YAML -------------------------------------------------------------------


def format_key(label: str) -> str:
    """GitHub's parser's key for a field without an ``id``: its label, slugified."""
    key = re.sub(r"[^a-z0-9]", "_", label.strip(JS_WHITESPACE).lower())
    return re.sub(r"_+", "_", key.strip("_"))


def load_form(path: Path) -> FormTemplate:
    """Read a form YAML file; the only file access in parsing, kept apart from the parse."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormTemplateError(f"{path}: cannot read the form: {exc}") from exc
    return form_from_yaml(text, source=str(path))


def form_from_yaml(text: str, *, source: str = "form") -> FormTemplate:
    """Build a ``FormTemplate`` from issue-form YAML, refusing what cannot drive a parse.

    Plain YAML safe-loading only: no tags, no code. Values GitHub would show as
    text must be text here too, so an unquoted ``Yes`` or ``14:05`` (a boolean
    and a number to YAML 1.1) is refused with the fix rather than guessed at.
    """
    try:
        data = safe_yaml.load(text)
    except yaml.YAMLError as exc:
        raise FormTemplateError(f"{source}: not valid YAML: {_yaml_problem(exc)}") from exc
    if not isinstance(data, dict):
        raise FormTemplateError(
            f"{source}: an issue form is a YAML mapping with `name`, `description` and `body`"
        )
    body = data.get("body")
    if not isinstance(body, list) or not body:
        raise FormTemplateError(
            f"{source}: `body` must be a non-empty list of form elements "
            "(input, textarea, dropdown, checkboxes, markdown)"
        )
    fields: list[FormField] = []
    for index, item in enumerate(body):
        built = _form_field(item, f"{source}: body[{index}]")
        if built is not None:
            fields.append(built)
    if not fields:
        raise FormTemplateError(f"{source}: the form has no fields to answer, only markdown")
    _refuse_duplicates(fields, source)
    return FormTemplate(
        name=_optional_text(data, "name", source) or "",
        description=_optional_text(data, "description", source) or "",
        title=_optional_text(data, "title", source),
        labels=_labels(data.get("labels"), source),
        fields=tuple(fields),
    )


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{problem} (line {mark.line + 1})" if mark is not None else str(problem)


def _optional_text(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FormTemplateError(f'{where}: `{key}` must be text; quote it: {key}: "{value}"')
    return value


def _labels(value: object, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise FormTemplateError(f'{source}: `labels` must be a list of label names, e.g. ["incident"]')


def _form_field(item: object, where: str) -> FormField | None:
    if not isinstance(item, dict):
        raise FormTemplateError(f"{where}: each element must be a mapping with a `type`")
    kind = item.get("type")
    if kind == "markdown":
        return None
    known = ", ".join(t.value for t in FieldType)
    if not isinstance(kind, str) or kind not in set(FieldType):
        raise FormTemplateError(f"{where}: `type` must be one of markdown, {known}; got {kind!r}")
    attributes = item.get("attributes")
    if not isinstance(attributes, dict):
        raise FormTemplateError(f"{where} ({kind}): needs `attributes` with a `label`")
    label = attributes.get("label")
    if not isinstance(label, str) or not label.strip():
        raise FormTemplateError(
            f'{where} ({kind}): `attributes.label` must be non-empty text, e.g. label: "Summary"'
        )
    where = f"{where} ({kind} {label!r})"
    raw_id = item.get("id")
    if raw_id is not None and (not isinstance(raw_id, str) or not _ID.fullmatch(raw_id)):
        raise FormTemplateError(
            f"{where}: `id` must be letters, digits, `_` or `-`, e.g. id: incident_commander"
        )
    # GitHub's parser: `item.id || formatKey(label)`.
    key = raw_id or format_key(label)
    if not key:
        raise FormTemplateError(f"{where}: give it an `id`; its label has no letters or digits")
    validations = item.get("validations") or {}
    if not isinstance(validations, dict):
        raise FormTemplateError(f"{where}: `validations` must be a mapping, e.g. required: true")
    required = validations.get("required", False)
    if not isinstance(required, bool):
        raise FormTemplateError(f"{where}: `validations.required` must be true or false")
    description = attributes.get("description") or ""
    if not isinstance(description, str):
        raise FormTemplateError(f"{where}: `attributes.description` must be text")
    field_type = FieldType(kind)
    options: tuple[str, ...] = ()
    required_options: tuple[str, ...] = ()
    multiple = False
    render: str | None = None
    if field_type is FieldType.DROPDOWN:
        options = _dropdown_options(attributes.get("options"), where)
        multiple = attributes.get("multiple", False)
        if not isinstance(multiple, bool):
            raise FormTemplateError(f"{where}: `attributes.multiple` must be true or false")
    elif field_type is FieldType.CHECKBOXES:
        options, required_options = _checkbox_options(attributes.get("options"), where)
    elif field_type is FieldType.TEXTAREA and attributes.get("render") is not None:
        render_value = attributes["render"]
        if not isinstance(render_value, str) or not render_value.strip():
            raise FormTemplateError(f"{where}: `attributes.render` must be a language, e.g. shell")
        render = render_value
    return FormField(
        id=key,
        label=label,
        type=field_type,
        required=required,
        options=options,
        multiple=multiple,
        render=render,
        required_options=required_options,
        description=description,
    )


def _dropdown_options(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise FormTemplateError(
            f'{where}: `attributes.options` must list the choices, e.g. options: ["SEV-1", "SEV-2"]'
        )
    for index, option in enumerate(value):
        if not isinstance(option, str) or not option:
            raise FormTemplateError(
                f'{where}: options[{index}] is {option!r}, not text; quote it: - "{option}"'
            )
    return tuple(value)


def _checkbox_options(value: object, where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not isinstance(value, list) or not value:
        raise FormTemplateError(
            f'{where}: `attributes.options` must list the boxes, e.g. options: [{{label: "Done"}}]'
        )
    labels: list[str] = []
    required: list[str] = []
    for index, option in enumerate(value):
        label = option.get("label") if isinstance(option, dict) else None
        if not isinstance(label, str) or not label:
            raise FormTemplateError(
                f"{where}: options[{index}] must be a mapping with a text `label`, "
                'e.g. - label: "Done"'
            )
        flag = option.get("required", False)
        if not isinstance(flag, bool):
            raise FormTemplateError(f"{where}: options[{index}].required must be true or false")
        labels.append(label)
        if flag:
            required.append(label)
    return tuple(labels), tuple(required)


def _refuse_duplicates(fields: list[FormField], source: str) -> None:
    seen_ids: set[str] = set()
    seen_labels: set[str] = set()
    for form_field in fields:
        if form_field.id in seen_ids:
            raise FormTemplateError(
                f"{source}: two fields share the id {form_field.id!r}; give each field its own id"
            )
        if form_field.label in seen_labels:
            raise FormTemplateError(
                f"{source}: two fields share the label {form_field.label!r}; the body's headings "
                "could not tell them apart, so give each its own label"
            )
        seen_ids.add(form_field.id)
        seen_labels.add(form_field.label)


@cache
def bundled_form(name: Literal["incident", "hardening"]) -> FormTemplate:
    """warroom's own forms, so the Action parses without reading the user's repository.

    The wheel ships ``.github/ISSUE_TEMPLATE`` as ``warroom/forms``; from a
    source checkout the repository's copy is read. Either way there is one
    copy of each form in git.
    """
    packaged = resources.files("warroom").joinpath("forms").joinpath(f"{name}.yml")
    if packaged.is_file():
        return form_from_yaml(
            packaged.read_text(encoding="utf-8"), source=f"warroom/forms/{name}.yml"
        )
    return load_form(_REPO_ROOT / ".github" / "ISSUE_TEMPLATE" / f"{name}.yml")


# --- parsing a body --------------------------------------------------------------------------


class Heading(NamedTuple):
    """A ``###`` line outside code fences, as the parser saw it.

    ``field_id`` is set when the text is exactly one of the form's labels.
    ``used`` is false when GitHub's parser skips the section (nothing under it,
    or an empty heading), so its text belongs to no answer. A named tuple, not
    a dataclass: a hostile body can hold thousands of headings.
    """

    line: int
    text: str
    field_id: str | None
    used: bool


@dataclass(frozen=True)
class ParsedForm:
    """The answers in one body, keyed by field id exactly as GitHub's parser gives them.

    A field without an answer is absent from ``values`` for text, ``[]`` for a
    dropdown answered ``None``, and ``{"selected": [], "unselected": []}`` for
    checkboxes answered ``_No response_``: GitHub's parser's shapes, so
    ``record()`` is what ``warroom check --format json`` shows. ``lines`` gives
    the 1-based line of each answered field's heading, for messages.
    """

    form: FormTemplate
    values: Mapping[str, FormValue]
    lines: Mapping[str, int]
    headings: tuple[Heading, ...] = ()

    def value(self, field_id: str) -> FormValue | None:
        return self.values.get(field_id)

    def line(self, field_id: str) -> int | None:
        return self.lines.get(field_id)

    def record(self) -> dict[str, Any]:
        """A JSON-able copy of the answers."""
        copy: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, str):
                copy[key] = value
            elif isinstance(value, list):
                copy[key] = list(value)
            else:
                copy[key] = {
                    "selected": list(value["selected"]),
                    "unselected": list(value["unselected"]),
                }
        return copy


_Cut: TypeAlias = tuple[int, str, bool, str, str]
"""One ``###`` section: its line, heading text, whether GitHub's parser uses it, the
answer its regex captures, and the whole section's text.

A plain tuple: building an object per section costs more than the rest of the
work on a body of thousands of empty headings.
"""


@dataclass(frozen=True)
class FormBody:
    """A body cut at its ``###`` headings (``cut_body``), ready to be read with any form.

    Nothing in the cut depends on the form, so a caller that tries several
    forms on one body (``warroom check`` tries both bundled forms, then checks
    the one that fits) cuts it once and passes this instead of the text: on a
    body of 16,000 empty headings the cut is most of the cost.
    """

    cuts: tuple[_Cut, ...]
    keys: frozenset[str]
    """Every heading's text, for ``looks_like_form``."""


def parse_form(body: str | FormBody, form: FormTemplate) -> ParsedForm:
    """Read a body as GitHub's parser does, with the differences the README lists.

    The steps mirror ``parseIssue``: cut the body at ``###`` headings, skip
    sections with an empty heading or nothing under them, give a section whose
    heading is a form label to that field, append any other section (heading
    included) to the field before it, then shape each answer by field type.
    """
    pieces: dict[str, list[str]] = {}
    heading_lines: dict[str, int] = {}
    headings: list[Heading] = []
    current: str | None = None
    by_label = form.by_label
    for line, key, used, value, raw in cut_body(body).cuts:
        target = by_label(key) if key else None
        field_id = target.id if target is not None else None
        headings.append(Heading(line, key, field_id, used))
        if not used:
            continue
        if field_id is not None:
            current = field_id
            pieces[current] = [value]
            heading_lines[current] = line
        elif current is not None:
            pieces[current].append(raw)
    values: dict[str, FormValue] = {}
    for field_id, parts in pieces.items():
        shaped = _shape("\n".join(parts), form.field(field_id))
        if shaped is not None:
            values[field_id] = shaped
    return ParsedForm(
        form=form,
        values=MappingProxyType(values),
        lines=MappingProxyType(heading_lines),
        headings=tuple(headings),
    )


def looks_like_form(body: str | FormBody, form: FormTemplate) -> bool:
    """Whether a body was filed from this form: two of its headings (one for a one-field form)."""
    keys = cut_body(body).keys
    found = {f.id for f in form.fields if f.label in keys and form.by_label(f.label) is f}
    return len(found) >= min(2, len(form.fields))


def cut_body(body: str | FormBody) -> FormBody:
    """Cut the body at each line starting with ``###`` (D3) outside a fenced block (D2).

    Works on offsets found by regular expressions rather than on a list of
    lines, and keeps the per-heading work small: a hostile body can hold
    16,000 headings.
    """
    if isinstance(body, FormBody):
        return body
    text = _LINE_BREAK.sub("\n", body)  # D4: CR, LF and CRLF all end a line
    fences = _fence_spans(text)
    starts: list[int] = []
    fence = 0
    for match in _HEADING_START.finditer(text):
        at = match.start()
        while fence < len(fences) and fences[fence][1] < at:
            fence += 1
        if fence == len(fences) or at < fences[fence][0]:
            starts.append(at)
    cuts: list[_Cut] = []
    count, find, size = text.count, text.find, len(text)
    line, previous = 1, 0
    for position, start in enumerate(starts):
        line += count("\n", previous, start)
        previous = start
        line_end = find("\n", start)
        if line_end == -1:
            line_end = size
        # `### *(?<key>.*?)\s*[\r\n]+`: spaces after ###, then the text, trailing whitespace cut.
        key = text[start + 3 : line_end].lstrip(" ").rstrip(JS_WHITESPACE)
        if not key or "\u2028" in key or "\u2029" in key:
            # Skipped by GitHub's parser with everything up to the next heading.
            cuts.append((line, key, False, "", ""))
            continue
        last = position + 1 == len(starts)
        # The text under the heading, without the line break before the next heading.
        after = text[line_end + 1 : size if last else starts[position + 1] - 1]
        value, value_end = _github_value(after, last)
        raw = text[start:line_end] + "\n" + after[:value_end] if value else ""
        cuts.append((line, key, bool(value), value, raw))
    return FormBody(tuple(cuts), frozenset(cut[1] for cut in cuts if cut[1]))


def _github_value(after: str, last: bool) -> tuple[str, int]:
    """The answer GitHub's regex captures from the text under a heading, and where it ends.

    ``\\s*[\\r\\n]+`` eats whitespace up to the last line break before the
    first non-blank character, so a blank-only section is empty, except that
    trailing spaces at the very end of the body are kept (and trimmed later).
    The answer stops before the line break that precedes the next heading or
    ends the body.
    """
    first = len(after) - len(after.lstrip(JS_WHITESPACE))
    if first == len(after) and not last:
        return "", len(after)
    start = after.rfind("\n", 0, first) + 1 if first < len(after) else after.rfind("\n") + 1
    end = len(after)
    if last and after.endswith("\n") and end - 1 >= start:
        end -= 1
    return after[start:end], end


def _fence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of fenced code blocks, fence lines included, in order.

    A fence counts only once it is closed (D2): an unclosed ``````` would
    otherwise swallow every later heading. Closers are indexed up front, with
    the longest closer from each one on, so a hostile body of unclosed fences
    stays linear instead of scanning to the end once per fence.
    """
    closers: dict[str, tuple[list[int], list[int], list[int]]] = {
        "`": ([], [], []),
        "~": ([], [], []),
    }
    openers: list[tuple[int, str, int]] = []
    for match in _FENCE_LINE.finditer(text):
        run, rest = match.groups()
        char = run[0]
        if not rest or not rest.strip(" \t"):
            starts, lengths, ends = closers[char]
            starts.append(match.start())
            lengths.append(len(run))
            ends.append(match.end())
        if char == "~" or "`" not in rest:
            openers.append((match.start(), char, len(run)))
    longest_from = {char: _suffix_max(lengths) for char, (_, lengths, _) in closers.items()}
    spans: list[tuple[int, int]] = []
    resume = 0
    for start, char, length in openers:
        if start < resume:
            continue
        starts, lengths, ends = closers[char]
        candidate = bisect.bisect_right(starts, start)
        if candidate < len(starts) and longest_from[char][candidate] >= length:
            while lengths[candidate] < length:
                candidate += 1
            spans.append((start, ends[candidate]))
            resume = ends[candidate] + 1
    return spans


def _suffix_max(values: list[int]) -> list[int]:
    result = [0] * len(values)
    running = 0
    for index in range(len(values) - 1, -1, -1):
        running = max(running, values[index])
        result[index] = running
    return result


def _is_empty_answer(value: str) -> bool:
    return value.lower() in _EMPTY_ANSWERS


def _shape(raw: str, form_field: FormField) -> FormValue | None:
    """``formatValue``: trim, then shape by type; ``None`` means GitHub's ``undefined``."""
    value = raw.strip(JS_WHITESPACE)
    if form_field.type is FieldType.DROPDOWN:
        return [] if _is_empty_answer(value) else _dropdown_choices(value, form_field)
    if form_field.type is FieldType.CHECKBOXES:
        return _checkboxes(value)
    if _is_empty_answer(value):
        return None
    if form_field.type is FieldType.TEXTAREA and form_field.render is not None:
        return _unfence(value)  # D1
    return value  # input, textarea, and upload (D6)


def _dropdown_choices(value: str, form_field: FormField) -> list[str]:
    """GitHub joins choices with ", " and splits on ``/, */``; D5 keeps comma options whole."""
    if any("," in option for option in form_field.options):
        if value in form_field.options:
            return [value]
        if form_field.multiple:
            chosen = _partition(value, form_field.options)
            if chosen is not None:
                return chosen
    return _DROPDOWN_SPLIT.split(value)


def _partition(value: str, options: tuple[str, ...]) -> list[str] | None:
    """Split ``value`` into options joined by ", ", if it is exactly that.

    Each start position is visited once, so this stays linear in the answer's
    length for a fixed form.
    """
    came_from: dict[int, tuple[int, str]] = {0: (-1, "")}
    for start in range(len(value)):
        if start not in came_from:
            continue
        for option in options:
            if not value.startswith(option, start):
                continue
            end = start + len(option)
            if end == len(value):
                chosen = [option]
                while start > 0:
                    start, option = came_from[start]
                    chosen.append(option)
                return chosen[::-1]
            if value.startswith(", ", end):
                came_from.setdefault(end + 2, (start, option))
    return None


def _checkboxes(value: str) -> Checkboxes:
    answer = Checkboxes(selected=[], unselected=[])
    if _is_empty_answer(value):
        return answer
    for raw_line in value.split("\n"):
        line = raw_line.strip(JS_WHITESPACE)
        if _CHECKED_AT_LINE_START.search(line):
            answer["selected"].append(_CHECKED.sub("", line, count=1))
        else:
            answer["unselected"].append(_UNCHECKED.sub("", line, count=1))
    return answer


def _unfence(value: str) -> str | None:
    """Strip the code fence GitHub wraps around a ``render:`` textarea's answer (D1).

    GitHub writes an empty rendered answer as an empty fence, so that reads as
    no answer. Indentation inside the block is kept; blank edge lines are not.
    """
    lines = value.split("\n")
    opener = _FENCE_OPEN.fullmatch(lines[0]) if len(lines) >= 2 else None
    closer = _FENCE_CLOSE.fullmatch(lines[-1]) if opener else None
    if opener is None or closer is None:
        return value
    fence, close = opener.group(1), closer.group(1)
    if (
        close[0] != fence[0]
        or len(close) < len(fence)
        or (fence[0] == "`" and "`" in opener.group(2))
    ):
        return value
    kept = [i for i in range(1, len(lines) - 1) if lines[i].strip(JS_WHITESPACE)]
    inner = lines[kept[0] : kept[-1] + 1] if kept else []
    text = "\n".join(inner).rstrip(JS_WHITESPACE)
    return None if _is_empty_answer(text.strip(JS_WHITESPACE)) else text


# --- checking a body -------------------------------------------------------------------------


def missing_answer(form_field: FormField, line: int | None) -> Finding:
    """The finding for a required field without an answer, shared with the typed readers."""
    if line is None:
        message = f"has no `{form_field.heading}` section: add it back, with the answer under it"
    else:
        message = (
            f"is required but has no answer: write it under `{form_field.heading}` "
            "(issue forms do not enforce required fields in private repositories)"
        )
    return Finding(field=form_field.label, message=message, line=line)


def placeholder_answer(form_field: FormField, line: int | None, value: str) -> Finding:
    """The finding for an answer that is still a template hint such as ``TBD``."""
    shown = " ".join(value.split())[:40]
    return Finding(
        field=form_field.label,
        message=f'still holds a placeholder ("{shown}"): replace it with the real answer',
        line=line,
    )


def check_form(body: str | FormBody, form: FormTemplate, config: Config) -> CheckResult:
    """Parse a body and report every problem by the form field's label and heading line.

    Required answers are checked here because GitHub does not enforce them in
    private repositories. For warroom's own forms (and forms labelled
    ``incident`` or ``hardening``) the typed reader in ``warroom.declaration``
    also checks the values themselves and owns those fields' findings.
    """
    # Imported here: the declaration layer builds on this module's types.
    from warroom import declaration

    parsed = parse_form(body, form)
    typed = declaration.read_typed(parsed, config)
    covered = typed.covered if typed is not None else frozenset()
    findings = [*_heading_findings(parsed)]
    for form_field in form.fields:
        if form_field.id not in covered:
            findings.extend(_field_findings(parsed, form_field))
    if typed is not None:
        findings.extend(typed.findings)
    order = {f.label: index for index, f in enumerate(form.fields)}
    findings.sort(key=lambda f: (order.get(f.field, len(order)), f.line or 0))
    return CheckResult(kind="form", findings=tuple(findings), record=parsed.record())


def _field_findings(parsed: ParsedForm, form_field: FormField) -> list[Finding]:
    value = parsed.value(form_field.id)
    line = parsed.line(form_field.id)
    found: list[Finding] = []
    if form_field.type is FieldType.CHECKBOXES:
        answer = value if isinstance(value, dict) else Checkboxes(selected=[], unselected=[])
        for option in form_field.required_options:
            if option not in answer["selected"]:
                found.append(
                    Finding(form_field.label, f'must be ticked: "- [x] {option}"', line=line)
                )
        strays = [
            item
            for item in (*answer["selected"], *answer["unselected"])
            if item.strip() and item not in form_field.options
        ]
        if strays:
            found.append(
                Finding(
                    form_field.label,
                    f"{_listed(strays)} not among the form's boxes and will be ignored; "
                    f"the boxes are: {_quoted(form_field.options)}",
                    Level.WARNING,
                    line,
                )
            )
        return found
    if value is None or value == []:
        return [missing_answer(form_field, line)] if form_field.required else []
    if isinstance(value, list):
        unknown = [choice for choice in value if choice not in form_field.options]
        if unknown:
            found.append(
                Finding(
                    form_field.label,
                    f"{_listed(unknown)} not among the options: {_quoted(form_field.options)}",
                    line=line,
                )
            )
        if not form_field.multiple and len(value) > 1 and not unknown:
            found.append(
                Finding(
                    form_field.label,
                    f"pick one option, not {len(value)}: keep one of {_quoted(tuple(value))}",
                    line=line,
                )
            )
        return found
    if form_field.required and isinstance(value, str) and is_placeholder(value):
        found.append(placeholder_answer(form_field, line, value))
    return found


def _heading_findings(parsed: ParsedForm) -> list[Finding]:
    """Warnings about headings: one per field, however many times a hostile body repeats one."""
    form = parsed.form
    repeated: dict[str, list[int]] = {}
    near_misses: dict[str, list[Heading]] = {}
    longest = max(len(f.label) for f in form.fields)
    looked_up: dict[str, FormField | None] = {}
    for heading in parsed.headings:
        if heading.field_id is not None:
            if heading.used:
                repeated.setdefault(heading.field_id, []).append(heading.line)
        elif 2 < len(heading.text) <= 3 * longest:
            if heading.text not in looked_up:
                looked_up[heading.text] = form.near_miss(heading.text)
            near = looked_up[heading.text]
            if near is not None:
                near_misses.setdefault(near.id, []).append(heading)
    found: list[Finding] = []
    for field_id, lines in repeated.items():
        if len(lines) < 2:
            continue
        label = form.field(field_id).label
        times = "again" if len(lines) == 2 else f"{len(lines)} times, the last"
        found.append(
            Finding(
                label,
                f"`### {label}` appears {times} at line {lines[-1]} and only that answer "
                "counts: merge them into one section",
                Level.WARNING,
                lines[0],
            )
        )
    for field_id, headings in near_misses.items():
        target = form.field(field_id)
        first = headings[0]
        more = f" ({len(headings)} such headings)" if len(headings) > 1 else ""
        found.append(
            Finding(
                target.label,
                f"heading `### {_short(first.text)}` is not exactly the form's label, so its "
                f"text is read as part of the section above{more}: write `{target.heading}`",
                Level.WARNING,
                first.line,
            )
        )
    return found


def _short(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _listed(items: list[str]) -> str:
    """``"x" is`` or ``"x" (and 2 more) are``: one finding however long a hostile list is."""
    first = f'"{_short(items[0])}"'
    return f"{first} is" if len(items) == 1 else f"{first} (and {len(items) - 1} more) are"


def _quoted(options: tuple[str, ...]) -> str:
    return ", ".join(f'"{option}"' for option in options)


__all__ = [
    "JS_WHITESPACE",
    "Checkboxes",
    "FieldType",
    "FormBody",
    "FormField",
    "FormTemplate",
    "FormValue",
    "Heading",
    "ParsedForm",
    "bundled_form",
    "check_form",
    "cut_body",
    "form_from_yaml",
    "format_key",
    "load_form",
    "looks_like_form",
    "missing_answer",
    "parse_form",
    "placeholder_answer",
]
