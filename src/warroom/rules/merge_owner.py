"""Merge owner: lanes that edit the same files need one named merge owner.

The playbook: "If lanes edit the same files, define one merge owner
immediately." A lane is whoever edits: the author of a pull request linked to
the incident (``Facts.pulls``), the execution owner of a Checkpoint Decision
Record that declares ``Surfaces`` (the paths or globs it edits), or the new
owner of a Handoff Record that declares them. A handoff hands the old owner's
surfaces to the new one, and a lane's latest declaration replaces its earlier
one. Two lanes (no owner in common) whose files overlap stand until a snapshot
or decision names one ``Merge owner``; naming two people is not one owner.

Surfaces overlap when equal, when one lies under the other (a directory, or a
``dir/`` or ``dir/**`` entry), or when one is a glob that matches the other as
written. Globs are people's text, so they are never compiled into a regular
expression: ``_glob_match`` is a two-pointer wildcard scan bounded by the
product of the lengths, and literal paths (a pull request's files) are compared
by set look-ups, so a large pull request costs one pass over its files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from warroom.config import Config
from warroom.incident import Incident
from warroom.records.models import DecisionRecord, Handoff, Snapshot
from warroom.records.spec import SPECS
from warroom.rules.guardrail import Facts, Guardrail
from warroom.rules.merge_freeze import glob_match

RULE = "merge-owner"
PLAYBOOK = "If lanes edit the same files, define one merge owner immediately."
_WILD = frozenset("*?")
_SHOWN_FILES = 5


@dataclass(frozen=True)
class Lane:
    """Who edits which surfaces, and where they said so."""

    owners: frozenset[str]
    """Lower-case logins: lanes with a login in common are one lane."""
    who: tuple[str, ...]
    surfaces: tuple[str, ...]
    where: str
    """Where they said so, in warroom's words: "pull request #12", "a decision record"."""
    url: str = ""


# --- paths -----------------------------------------------------------------------------------


def _split(surfaces: Sequence[str]) -> tuple[set[str], list[str]]:
    """(literal paths, directories and globs): literals meet by set look-ups."""
    literal: set[str] = set()
    broad: list[str] = []
    for surface in surfaces:
        clean = surface.strip().strip("/")
        if not clean:
            continue
        if _WILD & set(clean) or surface.rstrip().endswith("/"):
            broad.append(clean)
        else:
            literal.add(clean)
    return literal, broad


def _parents(path: str) -> Iterator[str]:
    """``a/b/c`` → ``a``, ``a/b``: the directories a path lies under."""
    cut = path.find("/")
    while cut != -1:
        yield path[:cut]
        cut = path.find("/", cut + 1)


def shared(a: Sequence[str], b: Sequence[str]) -> list[str]:
    """Where ``a`` and ``b`` meet: the files or globs one side names within the other's."""
    a_literal, a_broad = _split(a)
    b_literal, b_broad = _split(b)
    found: set[str] = set(a_literal & b_literal)
    for mine, theirs in ((a_literal, b_literal), (b_literal, a_literal)):
        found |= {path for path in theirs if any(p in mine for p in _parents(path))}
    for broad, other_literal, other_broad in (
        (a_broad, b_literal, b_broad),
        (b_broad, a_literal, a_broad),
    ):
        for glob in broad:
            found |= {path for path in other_literal if glob_match(glob, path)}
            found |= {g for g in other_broad if glob_match(glob, g) or glob_match(g, glob)}
    return sorted(found)


# --- lanes -----------------------------------------------------------------------------------


def _fold(logins: Sequence[str]) -> frozenset[str]:
    return frozenset(login.lower() for login in logins)


def lanes(incident: Incident, facts: Facts) -> list[Lane]:
    """Every lane that declared surfaces, after handoffs, then the linked pull requests."""
    declared: dict[frozenset[str], Lane] = {}
    for applied in incident.applied:
        record = applied.record
        if isinstance(record, Handoff):
            handed = _fold(record.from_owner)
            for owners, lane in list(declared.items()):
                if owners & handed:
                    del declared[owners]
                    _claim(
                        declared,
                        Lane(
                            _fold(record.to_owner),
                            record.to_owner,
                            lane.surfaces,
                            lane.where,
                            lane.url,
                        ),
                    )
        if isinstance(record, DecisionRecord):
            owner, where = record.execution_owner, "a decision record"
        elif isinstance(record, Handoff):
            owner, where = record.to_owner, "a handoff record"
        else:
            continue
        if record.surfaces:
            owners = _fold(owner)
            declared.pop(owners, None)  # a lane's latest declaration replaces its earlier one
            _claim(declared, Lane(owners, owner, record.surfaces, where, applied.url))
    found = list(declared.values())
    for pull in facts.pulls or ():
        found.append(
            Lane(
                _fold([pull.author]),
                (pull.author,),
                pull.files,
                f"pull request #{pull.number}",
            )
        )
    return found


def _claim(declared: dict[frozenset[str], Lane], lane: Lane) -> None:
    """Add a lane; one sharing an owner with it is the same lane, its surfaces joined."""
    for owners, other in list(declared.items()):
        if owners & lane.owners:
            del declared[owners]
            surfaces = tuple(dict.fromkeys((*other.surfaces, *lane.surfaces)))
            lane = Lane(
                owners | lane.owners,
                tuple(dict.fromkeys((*other.who, *lane.who))),
                surfaces,
                lane.where,
                lane.url,
            )
    declared[lane.owners] = lane


def merge_owner(incident: Incident) -> tuple[str, ...] | None:
    """The merge owner the latest snapshot or decision naming one names."""
    found: tuple[str, ...] | None = None
    for applied in incident.applied:
        named = getattr(applied.record, "merge_owner", None)
        if isinstance(applied.record, (Snapshot, DecisionRecord)) and named:
            found = named
    return found


def _pair_key(first: Lane, second: Lane) -> str:
    """``alice:bob.carol``: the two lanes by their owners (logins are ``[A-Za-z0-9-]``)."""
    return ":".join(sorted(".".join(sorted(lane.owners)) for lane in (first, second)))


def _who(logins: Sequence[str]) -> str:
    return ", ".join(f"@{login}" for login in logins)


def rule(incident: Incident, config: Config, facts: Facts) -> Iterator[Guardrail]:
    """Lanes with no owner in common editing the same files, while no one merge owner is named."""
    named = merge_owner(incident)
    if named is not None and len(named) == 1:
        return
    found = lanes(incident, facts)
    meets: list[tuple[Lane, Lane, list[str]]] = []
    for index, first in enumerate(found):
        for second in found[index + 1 :]:
            if first.owners & second.owners:
                continue
            files = shared(first.surfaces, second.surfaces)
            if files:
                meets.append((first, second, files))
    if not meets:
        return
    # One occurrence per pair of lanes, named by who they are (not by their latest record),
    # so a lane declaring its files again is not told again; the pair shown is stable.
    meets.sort(key=lambda meet: _pair_key(meet[0], meet[1]))
    first, second, files = meets[0]
    shown = ", ".join(f"`{f}`" for f in files[:_SHOWN_FILES])
    more = f" and {len(files) - _SHOWN_FILES} more" if len(files) > _SHOWN_FILES else ""
    others = f"; {len(meets) - 1} more pair(s) of lanes share files" if len(meets) > 1 else ""
    label = SPECS["decision"].by_key["merge_owner"].label
    fix = (
        f"name one merge owner: add `- {label}: @login` to an Incident Command Snapshot "
        "or a Checkpoint Decision Record"
    )
    several = ""
    if named is not None:
        fix = f"{len(named)} people are named as merge owner: name one person; {fix}"
        several = f"; the latest record names {_who(named)} as merge owners"
    yield Guardrail(
        rule=RULE,
        key=_pair_key(first, second),
        title="Lanes edit the same files without one merge owner",
        playbook=PLAYBOOK,
        detail=(
            f"{_who(first.who)} ({first.where}) and {_who(second.who)} ({second.where}) "
            f"both edit {shown}{more}{others}{several}"
        ),
        fix=fix,
        source=second.url or first.url,
    )
