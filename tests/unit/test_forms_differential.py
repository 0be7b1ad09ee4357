"""Our form parser against GitHub's own, npm ``@github/issue-parser``, on the same bodies.

Three sources of bodies, all sent to one node process:

* a seeded corpus of generated submissions (incident, hardening and the
  parser's own example form) with the variations people and browsers produce:
  CRLF, empty answers, ``[X]``, multi-select, extra ``###`` sections, blank
  lines, Unicode whitespace at the edges, reordered and repeated sections;
* the example bodies in ``examples/`` and the fixture bodies;
* one case per deliberate difference (D1..D6 in the README),
  which must really differ from GitHub's parser, and only where documented.

Agreement is field by field on the JSON both sides produce. The one
transformation applied to GitHub's side is D1 (strip the fence GitHub wraps
around ``render:`` textareas), because every rendered answer has it.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest

from tests.support import REPO_ROOT, node_file
from warroom.parsing.forms import FieldType, FormField, FormTemplate, form_from_yaml, parse_form

pytestmark = pytest.mark.npm

ORACLE = REPO_ROOT / "tests" / "oracles" / "issue_parser.mjs"
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "forms"
DIFFERENCES_DOC = REPO_ROOT / "README.md"
SEED = 20261128
CORPUS_SIZE = 600


def _template_text(name: str) -> str:
    if name in ("incident", "hardening"):
        return (REPO_ROOT / ".github" / "ISSUE_TEMPLATE" / f"{name}.yml").read_text("utf-8")
    return node_file(f"@github/issue-parser/__fixtures__/{name}/template.yml").read_text("utf-8")


@cache
def form_of(template: str) -> FormTemplate:
    return form_from_yaml(template)


@dataclass(frozen=True)
class Case:
    id: str
    body: str
    template: str
    exempt: dict[str, str] = field(default_factory=dict)  # field id -> difference id


def run_oracle(cases: list[Case]) -> list[dict[str, Any]]:
    """GitHub's parser's answers for a batch, from a single node process."""
    node = shutil.which("node")
    assert node, "node (20+) is needed for the differential test; `make test` documents it"
    node_file("@github/issue-parser/package.json")
    payload = json.dumps([{"body": c.body, "template_yaml": c.template} for c in cases])
    result = subprocess.run(
        [node, str(ORACLE)],
        input=payload,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    answers: list[dict[str, Any]] = json.loads(result.stdout)
    assert len(answers) == len(cases)
    return answers


# --- D1, applied to GitHub's side as the README states it -----------------


def strip_rendered_fence(value: Any) -> Any:
    """GitHub writes a ``render:`` answer as a ``````lang`` block; we read what is inside it..."""
    if not isinstance(value, str):
        return value
    lines = value.split("\n")
    if len(lines) < 2 or not lines[0].startswith("```") or lines[-1].strip() != "```":
        return value
    inner = lines[1:-1]
    while inner and not inner[0].strip():
        inner.pop(0)
    while inner and not inner[-1].strip():
        inner.pop()
    text = "\n".join(inner).rstrip()
    # ...and read the inside like any answer: empty, None or _No response_ is no answer.
    return None if text.strip().lower() in ("", "none", "_no response_") else text


def comparable(github: dict[str, Any], form: FormTemplate) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in github.items():
        form_field = form.get(key)
        if form_field is not None and form_field.render is not None:
            value = strip_rendered_fence(value)
        if value is not None:
            result[key] = value
    return result


def disagreements(case: Case, ours: dict[str, Any], github: dict[str, Any]) -> list[str]:
    form = form_of(case.template)
    theirs = comparable(github, form)
    problems = []
    for key in sorted(set(ours) | set(theirs)):
        if key in case.exempt:
            continue
        if ours.get(key, "<absent>") != theirs.get(key, "<absent>"):
            problems.append(
                f"{case.id}: field {key!r}: ours {ours.get(key, '<absent>')!r} "
                f"!= GitHub's {theirs.get(key, '<absent>')!r}"
            )
    return problems


# --- the seeded generator -----------------------------------------------------------------------

WORDS = (
    "auth-gateway", "token", "audience", "rollback", "canary", "deploy", "queue", "ledger",
    "401", "p99", "eu-west-1", "sessions", "café", "東京", "naïve", "🚨", "—", "<b>bold</b>",
    "{{ 7*7 }}", "${{ github.token }}", "$(reboot)", "`code`", "*emph*", "[link](https://example.com)",
    "50%", "a,b", "C#", "#42", "@octocat", "None", "_No response_", "- [x]",
)  # fmt: skip
# Whitespace where JavaScript and Python disagree: JS trims U+FEFF, not U+0085 or U+001C.
EDGE_WHITESPACE = (" ", "\t", "\u00a0", "\u3000", "\ufeff", "\u2028", "\x85", "\x1c", "\x0b")
LOGINS = ("@mara-okafor", "@devi-raman", "@aiko-tanaka", "@octocat", "@hubot[bot]", "Alice")
FENCE_LANGUAGES = ("", "python", "json", "text")


class BodyGenerator:
    """Bodies as GitHub renders form submissions, then edited the way people edit them.

    Kept clear of the documented differences (no ``###`` mid-line, no known
    label or empty heading inside a fence, fences always closed, no lone CR),
    so every field must agree.
    """

    def __init__(self, rng: random.Random, form: FormTemplate) -> None:
        self.rng = rng
        self.form = form
        self.features: Counter[str] = Counter()

    def sentence(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(1, 9)))

    def unknown_heading(self) -> str:
        text = self.rng.choice(
            ("Notes", "Timeline", "# Details", "Update 14:30 UTC", "", "Summary:", "severity")
        )
        return "###" + self.rng.choice((" ", "", "  ")) + text

    def text_block(self) -> str:
        lines: list[str] = []
        # Both parsers drop a section under an empty `###` heading, but ours drops it up to
        # the next heading outside a fence and GitHub's up to the next `###` anywhere (D2).
        headings_in_fences = True
        for _ in range(self.rng.randint(1, 6)):
            roll = self.rng.random()
            if roll < 0.5:
                lines.append(self.sentence())
            elif roll < 0.6:
                lines.append("")
            elif roll < 0.7:
                lines.append(f"- {self.sentence()}")
            elif roll < 0.78:
                self.features["extra heading"] += 1
                lines.append(self.unknown_heading())
                headings_in_fences &= bool(lines[-1].strip("# "))
                if self.rng.random() < 0.7:
                    lines.extend(["", self.sentence()])
            elif roll < 0.86:
                self.features["fence in text"] += 1
                lines.append("```" + self.rng.choice(FENCE_LANGUAGES))
                lines.extend(self.fence_content(headings_in_fences))
                lines.append("```")
            elif roll < 0.93:
                lines.append("    " + self.sentence())
            else:
                self.features["edge whitespace"] += 1
                edge = self.rng.choice(EDGE_WHITESPACE)
                lines.append(edge + self.sentence() + self.rng.choice(EDGE_WHITESPACE))
        return "\n".join(lines)

    def fence_content(self, headings: bool = True) -> list[str]:
        lines = []
        for _ in range(self.rng.randint(0, 5)):
            if headings and self.rng.random() < 0.2:
                # An unknown `###` line with text under it reads the same to both parsers.
                self.features["heading in fence"] += 1
                lines.extend([f"### step {self.rng.randint(1, 9)}", self.sentence()])
            else:
                lines.append(self.rng.choice(("$ ", "  ", "")) + self.sentence())
        return lines

    def empty(self, form_field: FormField) -> str:
        self.features["empty answer"] += 1
        choices = ["_No response_", "", "  ", "_no response_", "\u00a0"]
        if form_field.type is FieldType.DROPDOWN:
            choices += ["None", "None", "none"]
        return self.rng.choice(choices)

    def answer(self, form_field: FormField) -> str:
        if self.rng.random() < 0.12:
            return self.empty(form_field)
        if form_field.type is FieldType.DROPDOWN:
            return self.dropdown(form_field)
        if form_field.type is FieldType.CHECKBOXES:
            return self.checkboxes(form_field)
        if form_field.type is FieldType.TEXTAREA:
            if form_field.render is not None:
                self.features["rendered"] += 1
                if self.rng.random() < 0.15:
                    return f"```{form_field.render}\n\n```"
                return "\n".join([f"```{form_field.render}", *self.fence_content(), "```"])
            return self.text_block()
        if "owner" in form_field.id or form_field.id in ("incident_commander", "deputy"):
            return self.rng.choice(LOGINS) + self.rng.choice(("", ", @hubot", " "))
        return self.rng.choice((self.sentence(), "2026-12-05", "#42", "4f2c1a9", "  padded  "))

    def dropdown(self, form_field: FormField) -> str:
        options = list(form_field.options)
        roll = self.rng.random()
        if roll < 0.1:
            self.features["edited choice"] += 1
            return self.rng.choice(("sev 1", "SEV-4", "something else", "a, b"))
        if form_field.multiple and roll < 0.6:
            self.features["multi-select"] += 1
            chosen = self.rng.sample(options, self.rng.randint(1, len(options)))
            return self.rng.choice((", ", ",", ",  ")).join(chosen)
        return self.rng.choice(options)

    def checkboxes(self, form_field: FormField) -> str:
        lines = []
        for option in form_field.options:
            box = self.rng.choice(("[x]", "[X]", "[ ]", "[ ]"))
            self.features[f"box {box}"] += 1
            lines.append(f"- {box} {option}")
        if self.rng.random() < 0.15:
            self.features["edited boxes"] += 1
            lines.insert(
                self.rng.randint(0, len(lines)),
                self.rng.choice(("", "* [x] not a box", "- [x]no space", "note: checked by @mara")),
            )
        return "\n".join(lines)

    def body(self) -> str:
        fields = list(self.form.fields)
        if self.rng.random() < 0.1:
            self.features["reordered"] += 1
            self.rng.shuffle(fields)
        sections = []
        if self.rng.random() < 0.1:
            self.features["preamble"] += 1
            sections.append(self.sentence())
        for form_field in fields:
            if self.rng.random() < 0.04:
                self.features["missing section"] += 1
                continue
            spacing = self.rng.choice((" ", " ", " ", "", "  "))
            trailing = self.rng.choice(("", "", "", " ", "\t"))
            sections.append(f"###{spacing}{form_field.label}{trailing}")
            sections.append(self.answer(form_field))
            if self.rng.random() < 0.03:
                self.features["repeated section"] += 1
                sections.extend([form_field.heading, self.answer(form_field)])
        body = "\n\n".join(sections)
        roll = self.rng.random()
        if roll < 0.25:
            self.features["crlf"] += 1
            body = body.replace("\n", "\r\n")
        elif roll < 0.3:
            self.features["mixed line endings"] += 1
            body = re.sub(r"\n", lambda _: self.rng.choice(("\n", "\r\n")), body)
        return body + self.rng.choice(("", "", "\n", "\r\n", "  "))


def corpus() -> tuple[list[Case], Counter[str]]:
    rng = random.Random(SEED)
    names = ("incident", "hardening", "example")
    templates = {name: _template_text(name) for name in names}
    generators = {name: BodyGenerator(rng, form_of(templates[name])) for name in names}
    cases = []
    for index in range(CORPUS_SIZE):
        name = names[index % len(names)] if index % 5 else "incident"
        cases.append(Case(f"{name}-{index}", generators[name].body(), templates[name]))
    features: Counter[str] = Counter()
    for generator in generators.values():
        features.update(generator.features)
    return cases, features


# --- the examples and fixtures ------------------------------------------------------------------


def example_cases() -> list[Case]:
    return [
        Case(
            f"example-{name}",
            (REPO_ROOT / "examples" / f"{name}-form.md").read_text("utf-8"),
            _template_text(name),
        )
        for name in ("incident", "hardening")
    ]


def fixture_cases() -> list[Case]:
    cases = []
    for folder in sorted(FIXTURES.iterdir()):
        expected = json.loads((folder / "expected.json").read_text("utf-8"))
        named = folder / "template.name"
        template = (
            _template_text(named.read_text("utf-8").strip())
            if named.exists()
            else (folder / "template.yml").read_text("utf-8")
        )
        body = (folder / "body.md").read_bytes().decode("utf-8")
        cases.append(
            Case(f"fixture-{folder.name}", body, template, expected.get("differences", {}))
        )
    return cases


# --- one case per deliberate difference ---------------------------------------------------------

_COMMA_FORM = """\
name: Comma options
description: Options that contain commas.
body:
  - type: dropdown
    id: impact
    attributes:
      label: Impact
      options: ["user safety, auth or billing", "one workflow"]
      multiple: true
  - type: upload
    id: screenshot
    attributes:
      label: Screenshot
"""


@dataclass(frozen=True)
class Difference:
    """A body on which we read ``field`` as ``ours`` and GitHub's parser does not.

    ``also`` names the other fields the same difference changes (a heading
    GitHub's parser sees inside a fence takes text from one field to another).
    """

    id: str
    body: str
    template: str
    field: str
    ours: Any
    also: tuple[str, ...] = ()


DIFFERENCES = [
    Difference(
        "D1",
        "### Baseline evidence\n\n```shell\n$ curl -si /healthz\nHTTP/1.1 503\n```",
        _template_text("incident"),
        "baseline_evidence",
        "$ curl -si /healthz\nHTTP/1.1 503",
    ),
    Difference(
        "D1",
        "### Baseline evidence\n\n```shell\n\n```\n\n### Blast radius\n\nnone yet",
        _template_text("incident"),
        "baseline_evidence",
        None,
    ),
    Difference(
        "D2",
        "### Summary\n\nlogin fails\n\n### Baseline evidence\n\n```shell\n### Summary\n\n"
        "pasted from the old issue\n```",
        _template_text("incident"),
        "summary",
        "login fails",
        also=("baseline_evidence",),
    ),
    Difference(
        "D2",
        "### Baseline evidence\n\n```shell\n$ ./health\n###\nall red\n```",
        _template_text("incident"),
        "baseline_evidence",
        "$ ./health\n###\nall red",
    ),
    Difference(
        "D3",
        "### Blast radius\n\nC### and F### builds stop\n\n### Summary\n\nbuilds",
        _template_text("incident"),
        "blast_radius",
        "C### and F### builds stop",
    ),
    Difference(
        "D3",
        "### Summary\n\nx\n\n> ### Deputy\n> quoted\n\n### Scenario\n\nother",
        _template_text("incident"),
        "summary",
        "x\n\n> ### Deputy\n> quoted",
        also=("deputy",),
    ),
    Difference(
        "D4",
        "### Blast radius\r\rline one\rline two\r### Summary\r\rlogin fails",
        _template_text("incident"),
        "blast_radius",
        "line one\nline two",
    ),
    Difference(
        "D5",
        "### Impact\n\nuser safety, auth or billing, one workflow",
        _COMMA_FORM,
        "impact",
        ["user safety, auth or billing", "one workflow"],
    ),
    Difference(
        "D6",
        "### Screenshot\n\n![screenshot](https://example.com/a.png)",
        _COMMA_FORM,
        "screenshot",
        "![screenshot](https://example.com/a.png)",
    ),
]


# --- the tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oracle_answers() -> dict[str, dict[str, Any]]:
    cases, _ = corpus()
    cases += example_cases() + fixture_cases()
    cases += [Case(f"difference-{i}", d.body, d.template) for i, d in enumerate(DIFFERENCES)]
    return {case.id: answer for case, answer in zip(cases, run_oracle(cases), strict=True)}


def _ours(case: Case) -> dict[str, Any]:
    return parse_form(case.body, form_of(case.template)).record()


def test_generated_corpus_agrees_with_githubs_parser(oracle_answers: dict[str, Any]) -> None:
    cases, features = corpus()
    assert len(cases) >= 500
    # The generator must really produce the variations it exists for.
    for feature in (
        "crlf", "mixed line endings", "empty answer", "multi-select", "extra heading",
        "heading in fence", "fence in text", "edge whitespace", "box [X]", "box [x]",
        "edited boxes", "edited choice", "rendered", "missing section", "repeated section",
        "reordered", "preamble",
    ):  # fmt: skip
        assert features[feature] >= 5, f"the corpus has too few cases with {feature!r}"
    problems: list[str] = []
    compared = 0
    for case in cases:
        answer = oracle_answers[case.id]
        assert "parsed" in answer, f"{case.id}: GitHub's parser failed: {answer}"
        ours = _ours(case)
        compared += len(set(ours) | set(answer["parsed"]))
        problems += disagreements(case, ours, answer["parsed"])
    assert not problems, "\n".join(problems[:20])
    assert compared > 5 * len(cases)


@pytest.mark.parametrize("case", example_cases() + fixture_cases(), ids=lambda c: c.id)
def test_examples_and_fixtures_agree_with_githubs_parser(
    case: Case, oracle_answers: dict[str, Any]
) -> None:
    answer = oracle_answers[case.id]
    assert "parsed" in answer, answer
    ours = _ours(case)
    assert not disagreements(case, ours, answer["parsed"])
    for key, difference in case.exempt.items():
        # An exemption must be earned: GitHub's parser really reads this field differently.
        form = form_of(case.template)
        theirs = comparable(answer["parsed"], form)
        assert ours.get(key) != theirs.get(key), f"{key} agrees; drop the {difference} exemption"


@pytest.mark.parametrize(
    ("index", "difference"),
    [pytest.param(i, d, id=f"{d.id}-{d.field}-{i}") for i, d in enumerate(DIFFERENCES)],
)
def test_each_deliberate_difference_is_real_and_the_only_one(
    index: int, difference: Difference, oracle_answers: dict[str, Any]
) -> None:
    form = form_of(difference.template)
    ours = parse_form(difference.body, form).record()
    assert ours.get(difference.field) == difference.ours
    answer = oracle_answers[f"difference-{index}"]
    if difference.id == "D6":
        assert "Unknown field type" in answer.get("error", ""), answer
        return
    # D1 is what `comparable` undoes, so show it on GitHub's raw answer.
    theirs = answer["parsed"] if difference.id == "D1" else comparable(answer["parsed"], form)
    assert theirs.get(difference.field) != difference.ours, "GitHub's parser agrees here"
    exempt = dict.fromkeys((difference.field, *difference.also), difference.id)
    case = Case(difference.id, difference.body, difference.template, exempt)
    assert not disagreements(case, ours, answer["parsed"])
    for other in difference.also:
        assert ours.get(other) != comparable(answer["parsed"], form).get(other)


def test_every_documented_difference_has_a_case_and_every_case_is_documented() -> None:
    documented = set(re.findall(r"^### (D\d+)\b", DIFFERENCES_DOC.read_text("utf-8"), re.M))
    exercised = {d.id for d in DIFFERENCES}
    for case in fixture_cases():
        exercised.update(case.exempt.values())
    assert documented == exercised


@pytest.mark.parametrize(
    "name", ["example", "extra", "missing", "no-ids", "invalid", "header", "blank"]
)
def test_githubs_own_fixtures(name: str) -> None:
    """The parser's published fixtures (issue.md + template.yml -> parsed-issue.json)."""
    folder = f"@github/issue-parser/__fixtures__/{name}"
    expected_file = "parsed-issue-template.json" if name == "extra" else "parsed-issue.json"
    expected = json.loads(node_file(f"{folder}/{expected_file}").read_text("utf-8"))
    form = form_from_yaml(node_file(f"{folder}/template.yml").read_text("utf-8"))
    body = node_file(f"{folder}/issue.md").read_text("utf-8")
    assert parse_form(body, form).record() == expected
