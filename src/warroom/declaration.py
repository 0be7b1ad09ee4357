"""Typed incident declarations and hardening items, read from parsed form answers.

``warroom.parsing.forms`` gives the answers as text, exactly as GitHub's parser
does; this layer turns them into values later code can act on (label by
severity, assign the owners, freeze merges on the impacted surfaces) and
reports every value it cannot accept, by the form field's label.

One function per form returns both the model and the findings (a ``Reading``):
an incident can be valid and still deserve warnings (rollback not confirmed),
so "a model or a list of errors" would lose them.

The models' field names are the forms' field ids, and each field carries its
reader in its annotation, so the model is the one list of what is read and how.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from warroom.config import DEFAULT_CONFIG, Config
from warroom.model import (
    DependencyClass,
    Finding,
    FollowUpKind,
    Level,
    Severity,
)
from warroom.parsing.forms import (
    FormField,
    FormTemplate,
    FormValue,
    ParsedForm,
    missing_answer,
    placeholder_answer,
)
from warroom.parsing.values import (
    ValueProblem,
    is_placeholder,
    read_date,
    read_enum,
    read_logins,
    read_severity,
)

Read = Callable[[FormValue, FormField], Any]
"""A reader: an answer and its field in, a typed value or a ``ValueProblem`` out; never raises."""


@dataclass(frozen=True)
class Reader:
    """Annotation metadata naming how a model field is read from its form answer."""

    read: Read


def _text(raw: FormValue, form_field: FormField) -> str | ValueProblem:
    if not isinstance(raw, str):
        return ValueProblem("must be text, not a choice list")
    if is_placeholder(raw):
        return _PLACEHOLDER
    return raw


_PLACEHOLDER = ValueProblem("placeholder")  # turned into ``placeholder_answer``


_LONGEST_OWNER_ANSWER = 400  # a few @logins; a longer answer is not an owner


def _logins(raw: FormValue, form_field: FormField) -> tuple[str, ...] | ValueProblem:
    if not isinstance(raw, str):
        return ValueProblem("must be a GitHub @login")
    if len(raw) > _LONGEST_OWNER_ANSWER:
        return ValueProblem(
            f"is {len(raw):,} characters long: name the owner as one or a few GitHub @logins, "
            'e.g. "@octocat"'
        )
    return read_logins(raw)


def _one_choice(raw: FormValue) -> str | ValueProblem:
    if isinstance(raw, list) and len(raw) == 1:
        return raw[0]
    if isinstance(raw, list):
        shown = ", ".join(f'"{choice}"' for choice in raw)
        return ValueProblem(f"pick exactly one option; got {len(raw)}: {shown}")
    return ValueProblem("must be one of the dropdown's options")


def _option_name(option: str) -> str:
    """Options read ``name — explanation``; the name is the value."""
    return option.split(" — ", 1)[0]


def _severity(raw: FormValue, form_field: FormField) -> Severity | ValueProblem:
    choice = _one_choice(raw)
    return choice if isinstance(choice, ValueProblem) else read_severity(choice)


E = TypeVar("E", bound=StrEnum)


def _choice_of(enum: type[E]) -> Read:
    def read(raw: FormValue, form_field: FormField) -> E | ValueProblem:
        choice = _one_choice(raw)
        return choice if isinstance(choice, ValueProblem) else read_enum(enum, _option_name(choice))

    return read


def _scenario(raw: FormValue, form_field: FormField) -> str | ValueProblem:
    """The option's name; a team's own scenario (in ``config.scenarios``) is any one-line name.

    Whether it is one the form offers or the config knows is checked with the
    config, in ``read_declaration``: an unknown scenario sets no minimum, a warning.
    """
    choice = _one_choice(raw)
    if isinstance(choice, ValueProblem):
        return choice
    name = " ".join(_option_name(choice).split())
    if not name or len(name) > 100:
        return ValueProblem("must be one scenario, as the dropdown names it")
    return name


def _choices_of(enum: type[E]) -> Read:
    def read(raw: FormValue, form_field: FormField) -> tuple[E, ...] | ValueProblem:
        if not isinstance(raw, list):
            return ValueProblem("must be chosen from the dropdown's options")
        chosen: list[E] = []
        for choice in dict.fromkeys(raw):  # each distinct choice once: bodies are untrusted
            value = read_enum(enum, _option_name(choice))
            if isinstance(value, ValueProblem):
                return value
            if value not in chosen:
                chosen.append(value)
        return tuple(chosen)

    return read


_SURFACE_BULLET = re.compile(r"^(?:[-*+]\s++)?`?(.*?)`?$")


def _surfaces(raw: FormValue, form_field: FormField) -> tuple[str, ...] | ValueProblem:
    """One repository path or glob per line; list bullets and backticks are tolerated."""
    if not isinstance(raw, str):
        return ValueProblem("must be paths or globs, one per line")
    surfaces: list[str] = []
    for line in raw.splitlines():
        match = _SURFACE_BULLET.match(line.strip())
        surface = match.group(1).strip() if match else ""
        if not surface:
            continue
        if any(char.isspace() for char in surface):
            return ValueProblem(
                f'must be one path or glob per line, e.g. "services/auth/**"; '
                f'"{surface[:60]}" looks like prose'
            )
        surfaces.append(surface)
    unique = tuple(dict.fromkeys(surfaces))
    if not unique or all(is_placeholder(s) for s in unique):
        return ValueProblem('must list at least one path or glob, e.g. "services/auth/**"')
    return unique


def _ticked(raw: FormValue, form_field: FormField) -> bool | ValueProblem:
    """Ticked means one of the form's own boxes is ticked; an edited box confirms nothing."""
    if not isinstance(raw, dict):
        return ValueProblem("must be a checkbox list")
    for item in raw["selected"]:
        if item not in form_field.options:
            box = form_field.options[0] if form_field.options else ""
            return ValueProblem(
                f'has a ticked box the form does not offer ("{item[:60]}"): '
                f'tick the form\'s own box, "- [x] {box}"'
            )
    return bool(raw["selected"])


def _date(raw: FormValue, form_field: FormField) -> date | ValueProblem:
    return read_date(raw) if isinstance(raw, str) else ValueProblem("must be a date, YYYY-MM-DD")


class IssueRef(BaseModel):
    """A link to an issue: ``#123`` in the same repository, or ``owner/repo#123``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int
    repo: str | None = None

    def __str__(self) -> str:
        return f"{self.repo or ''}#{self.number}"


_ISSUE_REF = re.compile(
    r"(?:(?P<repo>[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}))?#(?P<number>[0-9]{1,9})"
    r"|https://github\.com/(?P<url_repo>[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100})"
    r"/issues/(?P<url_number>[0-9]{1,9})/?(?:#.*)?",
    re.A,
)


def _issue_ref(raw: FormValue, form_field: FormField) -> IssueRef | ValueProblem:
    text = raw.strip() if isinstance(raw, str) else ""
    match = _ISSUE_REF.fullmatch(text)
    if match is None or int(match.group("number") or match.group("url_number")) == 0:
        shown = " ".join(text.split())[:60]
        return ValueProblem(
            'must link the incident issue as "#123", "owner/repo#123" or its URL '
            f'"https://github.com/owner/repo/issues/123"; got "{shown}"'
        )
    return IssueRef(
        number=int(match.group("number") or match.group("url_number")),
        repo=match.group("repo") or match.group("url_repo"),
    )


Text = Annotated[str, Reader(_text)]
Logins = Annotated[tuple[str, ...], Reader(_logins)]


class IncidentDeclaration(BaseModel):
    """An incident as declared by the incident form: what the first 15 minutes need."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    summary: Text
    severity: Annotated[Severity, Reader(_severity)]
    severity_unclear: Annotated[bool, Reader(_ticked)] = False
    """Severity is a hypothesis: the 60-minute command timeline applies."""
    impacted: Text
    dependency_classes: Annotated[tuple[DependencyClass, ...], Reader(_choices_of(DependencyClass))]
    scenario: Annotated[str, Reader(_scenario)]
    """The form's option (a ``Scenario`` for the bundled form); ``config.scenarios`` sets its
    evidence minimum."""
    detection_signal: Text
    incident_commander: Logins
    deputy: Logins
    mitigation_owner: Logins
    verification_owner: Logins
    communications_owner: Logins
    last_known_good: Text
    first_bad_deploy: Annotated[str | None, Reader(_text)] = None
    impacted_surfaces: Annotated[tuple[str, ...], Reader(_surfaces)]
    baseline_evidence: Text
    blast_radius: Text
    rollback_ready: Annotated[bool, Reader(_ticked)] = False

    @property
    def commander(self) -> str:
        """The login that owns the incident (the first if several were named)."""
        return self.incident_commander[0]

    @property
    def owners(self) -> dict[str, tuple[str, ...]]:
        """The owner graph, role by role, in the form's order."""
        return {
            "incident commander": self.incident_commander,
            "deputy": self.deputy,
            "mitigation owner": self.mitigation_owner,
            "verification owner": self.verification_owner,
            "communications owner": self.communications_owner,
        }

    @property
    def assignees(self) -> tuple[str, ...]:
        """Everyone in the owner graph, once each, commander first: who to assign."""
        seen: dict[str, str] = {}
        for logins in self.owners.values():
            for login in logins:
                seen.setdefault(login.lower(), login)
        return tuple(seen.values())


class HardeningItem(BaseModel):
    """A post-incident hardening follow-up, as filed from the hardening form."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident: Annotated[IssueRef, Reader(_issue_ref)]
    kind: Annotated[FollowUpKind, Reader(_choice_of(FollowUpKind))]
    owner: Logins
    due: Annotated[date, Reader(_date)]
    acceptance_criteria: Text


M = TypeVar("M", IncidentDeclaration, HardeningItem)


@dataclass(frozen=True)
class Reading(Generic[M]):
    """What reading one form produced: the model when there are no errors, and every finding.

    ``covered`` lists the field ids this reader owns, so the generic form check
    does not report the same field twice.
    """

    value: M | None
    findings: tuple[Finding, ...]
    covered: frozenset[str]

    @property
    def ok(self) -> bool:
        return self.value is not None


def read_declaration(
    parsed: ParsedForm, config: Config = DEFAULT_CONFIG
) -> Reading[IncidentDeclaration]:
    """Read the incident form's answers into an ``IncidentDeclaration``, with findings.

    The playbook's owner-graph and rollback warnings are given even when other
    fields have errors, so one round of fixes addresses everything.
    """
    reading, values = _read_model(IncidentDeclaration, parsed)
    extra: list[Finding] = []
    if "rollback_ready" in parsed.form.ids and not values.get("rollback_ready", False):
        extra.append(
            _warning(
                "rollback_ready",
                parsed,
                "is not ticked: confirm the rollback path to the last known-good revision "
                "is executable now, and tick it (or say in Blast radius why it is not)",
            )
        )
    commander = {login.lower() for login in values.get("incident_commander", ())}
    shared = commander & {login.lower() for login in values.get("deputy", ())}
    if shared:
        extra.append(
            _warning(
                "deputy",
                parsed,
                f"is also the incident commander (@{sorted(shared)[0]}): name a second person, "
                "so a handoff does not lose the incident",
            )
        )
    scenario = values.get("scenario")
    offered = parsed.form.get("scenario")
    names = {_option_name(o).lower() for o in (offered.options if offered else ())}
    if scenario is not None and scenario.lower() not in names and config.scenario(scenario) is None:
        shown = ", ".join(f'"{_option_name(o)}"' for o in (offered.options if offered else ()))
        extra.append(
            _warning(
                "scenario",
                parsed,
                f'"{scenario[:60]}" is neither one of the form\'s options ({shown}) nor a scenario '
                "in config.scenarios, so it sets no evidence minimum: pick one of the options, "
                "or add it under `scenarios` in .github/warroom.yml",
            )
        )
    return Reading(reading.value, (*reading.findings, *extra), reading.covered)


def read_hardening(parsed: ParsedForm, config: Config = DEFAULT_CONFIG) -> Reading[HardeningItem]:
    """Read the hardening form's answers into a ``HardeningItem``, with findings."""
    return _read_model(HardeningItem, parsed)[0]


FormKind = Literal["incident", "hardening"]


def form_kind(form: FormTemplate) -> FormKind | None:
    """Which typed reader a form gets: by its issue label, or by carrying all of a model's ids."""
    kinds: tuple[tuple[FormKind, type[BaseModel]], ...] = (
        ("incident", IncidentDeclaration),
        ("hardening", HardeningItem),
    )
    for kind, model in kinds:
        if kind in form.labels or set(model.model_fields) <= set(form.ids):
            return kind
    return None


def read_typed(
    parsed: ParsedForm, config: Config = DEFAULT_CONFIG
) -> Reading[IncidentDeclaration] | Reading[HardeningItem] | None:
    """The typed reading for a form warroom knows, or ``None`` for any other form."""
    kind = form_kind(parsed.form)
    if kind == "incident":
        return read_declaration(parsed, config)
    if kind == "hardening":
        return read_hardening(parsed, config)
    return None


def _read_model(model: type[M], parsed: ParsedForm) -> tuple[Reading[M], dict[str, Any]]:
    """Read every model field from its answer; also return the values that could be read."""
    form = parsed.form
    values: dict[str, Any] = {}
    findings: list[Finding] = []
    covered: set[str] = set()
    for name, info in model.model_fields.items():
        reader = next(m for m in info.metadata if isinstance(m, Reader))
        form_field = form.get(name)
        if form_field is None:
            if info.is_required():
                findings.append(
                    Finding(
                        field=name,
                        message=f"the form has no field with id `{name}`: add it back "
                        "(see warroom's bundled form) so the answer can be read",
                    )
                )
            continue
        covered.add(name)
        line = parsed.line(name)
        raw = parsed.value(name)
        if raw is None or raw == []:
            if info.is_required() or form_field.required:
                findings.append(missing_answer(form_field, line))
            continue
        value = reader.read(raw, form_field)
        if value is _PLACEHOLDER:
            if info.is_required() or form_field.required:
                findings.append(placeholder_answer(form_field, line, str(raw)))
            continue
        if isinstance(value, ValueProblem):
            findings.append(Finding(field=form_field.label, message=value.message, line=line))
            continue
        values[name] = value
    if any(f.level is Level.ERROR for f in findings):
        return Reading(None, tuple(findings), frozenset(covered)), values
    try:
        built = model.model_validate(values)
    except ValidationError as exc:  # a reader let through what the model refuses: report it
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            where = form.get(name)
            findings.append(
                Finding(
                    field=where.label if where else name,
                    message=str(error["msg"]),
                    line=parsed.line(name),
                )
            )
        return Reading(None, tuple(findings), frozenset(covered)), values
    return Reading(built, tuple(findings), frozenset(covered)), values


def _warning(field_id: str, parsed: ParsedForm, message: str) -> Finding:
    form_field = parsed.form.get(field_id)
    label = form_field.label if form_field is not None else field_id
    return Finding(label, message, Level.WARNING, parsed.line(field_id))


__all__ = [
    "HardeningItem",
    "IncidentDeclaration",
    "IssueRef",
    "Reader",
    "Reading",
    "form_kind",
    "read_declaration",
    "read_hardening",
    "read_typed",
]
