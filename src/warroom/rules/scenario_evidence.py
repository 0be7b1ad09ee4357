"""The scenario library's evidence minimums, as closure-gate conditions.

The incident form's Scenario names the pressure pattern; the playbook gives
each one an "Evidence minimum" (and Scenario B a dual sign-off). The minimums
are data (``config.scenarios``), so a team adds its own scenario without code;
this module turns whichever minimum applies into gate conditions, one per
evidence item and one for the sign-off, each naming exactly what to post.

Pure, like the rest of the gate: evaluated from applied records and the
declaration alone, so the same comments always give the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from warroom.config import Config, EvidenceItem, ScenarioMinimum
from warroom.incident import Applied, Incident
from warroom.records.models import ScenarioEvidence, SignOff
from warroom.records.reading import says_none
from warroom.records.spec import label_key
from warroom.rules.closure_gate import Condition, excerpt

COMMANDER_ROLE = "incident commander"
"""A sign-off role that must be signed by the incident's commander as the records stand."""


@dataclass(frozen=True)
class Minimum:
    """The incident's scenario and the minimum the config sets for it."""

    scenario: str
    rules: ScenarioMinimum


def minimum(incident: Incident, config: Config) -> Minimum | None:
    """The minimum that applies: the declared Scenario's, when the config names one."""
    declaration = incident.declaration
    if declaration is None:
        return None
    rules = config.scenario(declaration.scenario)
    if rules is None or not (rules.evidence or rules.sign_off):
        return None
    return Minimum(declaration.scenario, rules)


def _names(item: EvidenceItem) -> set[str]:
    return {label_key(name) for name in (item.label, item.key, *item.aliases)}


def matches(item: EvidenceItem, record: ScenarioEvidence) -> bool:
    """The record's ``Evidence for`` names ``item`` (case, spacing and punctuation ignored)."""
    return label_key(record.item) in _names(item)


def proof(item: EvidenceItem, incident: Incident) -> Applied | None:
    """The first record that stands as ``item``'s evidence (one that says "none" does not)."""
    for applied, record in incident.records(ScenarioEvidence):
        if matches(item, record) and not says_none(record.evidence):
            return applied
    return None


def _form_answer(item: EvidenceItem, incident: Incident) -> str | None:
    if item.form_field is None or incident.declaration is None:
        return None
    answer = getattr(incident.declaration, item.form_field, None)
    return answer if isinstance(answer, str) and answer.strip() else None


def _unmatched(incident: Incident, items: Sequence[EvidenceItem]) -> list[str]:
    """What ``Evidence for`` says on records that name no item of this minimum."""
    return [
        record.item
        for _, record in incident.records(ScenarioEvidence)
        if not any(matches(item, record) for item in items)
    ]


def _evidence(
    item: EvidenceItem, incident: Incident, scenario: str, scenario_items: Sequence[EvidenceItem]
) -> Condition:
    title = f"evidence minimum: {item.label}"
    key = f"scenario.{item.key}"
    found = proof(item, incident)
    if found is not None:
        assert isinstance(found.record, ScenarioEvidence)
        return Condition(key, title, True, excerpt(found.record.evidence, 100), group=scenario)
    answer = _form_answer(item, incident)
    if answer is not None:
        return Condition(
            key, title, True, f"from the issue form: {excerpt(answer, 100)}", group=scenario
        )
    unmatched = _unmatched(incident, scenario_items)
    said_none = any(
        matches(item, record) and says_none(record.evidence)
        for _, record in incident.records(ScenarioEvidence)
    )
    where = f"the issue form's {item.form_field.replace('_', ' ')}, or " if item.form_field else ""
    return Condition(
        key,
        title,
        False,
        (f"the {item.label} says none" if said_none else f"no {item.label} on record")
        + (
            " (not counted: "
            + ", ".join(f'"Evidence for: {excerpt(x, 40)}"' for x in unmatched[:3])
            + " names no item of this minimum)"
            if unmatched
            else ""
        ),
        f'{where}post a Scenario Evidence record with "Evidence for: {item.label}" and the '
        "evidence itself (`warroom template evidence`)",
        group=scenario,
    )


def _signers(record: SignOff, author: str) -> set[str]:
    """Who this sign-off is by: the people it names who posted it themselves."""
    named = {login.lower() for login in record.signed_by}
    return named & {author.lower()}


def _assign(options: Sequence[set[str]]) -> list[str] | None:
    """One different person per role, each from that role's signers, if there is a way."""
    chosen: dict[str, int] = {}

    def place(role: int, seen: set[str]) -> bool:
        for person in sorted(options[role]):
            if person in seen:
                continue
            seen.add(person)
            holder = chosen.get(person)
            if holder is None or place(holder, seen):
                chosen[person] = role
                return True
        return False

    for role in range(len(options)):
        if not place(role, set()):
            return None
    by_role = {role: person for person, role in chosen.items()}
    return [by_role[role] for role in range(len(options))]


def _sign_off(roles: tuple[str, ...], incident: Incident, scenario: str) -> Condition:
    title = "dual sign-off: " + " and ".join(roles) + ", by different people"
    commander = {login.lower() for login in incident.owners.commander}
    options: list[set[str]] = [set() for _ in roles]
    problems: list[str] = []
    for applied, record in incident.records(SignOff):
        role = next((r for r in roles if label_key(r) == label_key(record.role)), "")
        if not role:
            problems.append(f'@{applied.author} signed off as "{excerpt(record.role, 40)}"')
            continue
        signers = _signers(record, applied.author)
        if not signers:
            problems.append(
                f"a {role} sign-off naming "
                + ", ".join(f"@{x}" for x in record.signed_by)
                + f" was posted by @{applied.author}"
            )
            continue
        if role == COMMANDER_ROLE and commander and not signers & commander:
            problems.append(f"@{applied.author} signed off as {role} but is not the commander")
            continue
        options[roles.index(role)] |= signers
    assignment = _assign(options)
    if assignment is not None:
        who = ", ".join(f"{role} @{person}" for role, person in zip(roles, assignment, strict=True))
        return Condition("scenario.sign-off", title, True, who, group=scenario)
    unsigned = [role for role, people in zip(roles, options, strict=True) if not people]
    if unsigned:
        detail = "no sign-off by the " + " or the ".join(unsigned)
    else:
        detail = "the same person signed off in more than one role"
    if problems:
        detail += " (not counted: " + "; ".join(problems[:3]) + ")"
    missing = unsigned or list(roles)
    return Condition(
        "scenario.sign-off",
        title,
        False,
        detail,
        "each of the "
        + " and the ".join(missing)
        + ' posts their own Sign-off Record ("Role: '
        + missing[0]
        + '", "Signed off by:" their own @login; `warroom template signoff`); '
        "one person signing twice is not a dual sign-off",
        group=scenario,
    )


def conditions(incident: Incident, config: Config) -> tuple[Condition, ...]:
    """The scenario's extra gate conditions, in the config's order; none without a minimum."""
    found = minimum(incident, config)
    if found is None:
        return ()
    rules, scenario = found.rules, found.scenario
    items: Iterable[Condition] = (
        _evidence(item, incident, scenario, rules.evidence) for item in rules.evidence
    )
    if rules.sign_off:
        return (*items, _sign_off(rules.sign_off, incident, scenario))
    return tuple(items)
