"""Recovery branches: all three branch types active need one branch owner.

The playbook's recovery branch strategy matrix has a hotfix, a rollback and a
containment branch, and says "Do not maintain all three branches active
without one branch owner." The shell reads the incident's branches with one
request (``git/matching-refs/heads/<prefix>``, the prefix from
``config.recovery_branches``) and passes them as ``Facts.branches``; a branch
is of a type when the rest of its name is the type's name, or starts with it
and ``-`` or ``/`` (``incident/12/hotfix-token``). Active means the branch
exists. It stands while a branch of every type exists and no Incident Command
Snapshot or Checkpoint Decision Record names one ``Branch owner``; it is told
once per incident (the key ``all-three``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from warroom.config import Config
from warroom.incident import Incident
from warroom.records.models import DecisionRecord, Snapshot
from warroom.records.spec import SPECS
from warroom.rules.guardrail import Facts, Guardrail

RULE = "recovery-branches"
PLAYBOOK = "Do not maintain all three branches active without one branch owner."
TYPES = ("hotfix", "rollback", "containment")


def by_type(branches: Sequence[str], number: int, config: Config) -> dict[str, list[str]]:
    """The incident's recovery branches by type (``hotfix``, ``rollback``, ``containment``)."""
    names = config.recovery_branches
    prefix = names.prefix_for(number)
    found: dict[str, list[str]] = {kind: [] for kind in TYPES}
    for branch in sorted(branches):
        if not branch.startswith(prefix):
            continue
        rest = branch[len(prefix) :]
        for kind in TYPES:
            name = getattr(names, kind)
            if rest == name or (rest.startswith(name) and rest[len(name) : len(name) + 1] in "-/"):
                found[kind].append(branch)
                break
    return found


def branch_owner(incident: Incident) -> tuple[str, ...] | None:
    """The branch owner the latest snapshot or decision naming one names."""
    found: tuple[str, ...] | None = None
    for applied in incident.applied:
        named = getattr(applied.record, "branch_owner", None)
        if isinstance(applied.record, (Snapshot, DecisionRecord)) and named:
            found = named
    return found


def rule(incident: Incident, config: Config, facts: Facts) -> Iterator[Guardrail]:
    """A branch of every type exists, and no one branch owner is named."""
    if facts.branches is None:
        return
    found = by_type(facts.branches, incident.number, config)
    if not all(found.values()):
        return
    named = branch_owner(incident)
    if named is not None and len(named) == 1:
        return
    label = SPECS["decision"].by_key["branch_owner"].label
    fix = (
        f"name one branch owner: add `- {label}: @login` to an Incident Command Snapshot or a "
        "Checkpoint Decision Record, or delete the branches you no longer need"
    )
    if named is not None:
        fix = f"{len(named)} people are named as branch owner: name one; {fix}"
    shown = ", ".join(f"`{found[kind][0]}`" for kind in TYPES)
    yield Guardrail(
        rule=RULE,
        key="all-three",
        title="Hotfix, rollback and containment branches all active without one branch owner",
        playbook=PLAYBOOK,
        detail=f"{shown} are all active",
        fix=fix,
    )
