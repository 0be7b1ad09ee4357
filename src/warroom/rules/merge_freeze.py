"""The merge freeze: which open incidents hold a pull request, and on which files.

The playbook says "freeze unrelated merges in impacted surfaces". An open
incident of a freezing severity (``freeze.severities``, SEV-1 and SEV-2 by
default) that has not recovered freezes the surfaces its form names; a pull
request whose changed files match one of them is held, unless it says it is
part of that incident's response: ``Incident: #N`` on a line of its body, or
one of ``freeze.exempt_labels``.

Everything here is pure. Surfaces are people's globs, so they are never
compiled into a regular expression: ``glob_match`` walks the pattern and the
path with the classic two-pointer wildcard scan (one resume point per star), so
its time is bounded by the product of the two lengths whatever people write,
and a star never re-scans what an earlier one matched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from warroom.config import Config
from warroom.declaration import read_declaration
from warroom.incident import Incident
from warroom.model import IssueSnapshot, Phase, PullSnapshot, Severity, Status
from warroom.parsing.forms import bundled_form, parse_form
from warroom.records.models import StakeholderUpdate

PLAYBOOK = "freeze unrelated merges in impacted surfaces"
"""The playbook's rule, in its own words."""

STATUS_CONTEXT = "warroom/freeze"
"""The commit status a branch protection rule or ruleset requires."""

_RELEASED_PHASES = frozenset({Phase.RECOVERY, Phase.HARDENING})


# --- globs -----------------------------------------------------------------------------------


def _wildcard(
    pattern: Sequence[str],
    text: Sequence[str],
    star: str,
    one: str | None,
    same: Callable[[str, str], bool],
) -> bool:
    """Whether ``text`` matches ``pattern``, where ``star`` matches any run of items and
    ``one`` any single item; every other pattern item must be ``same`` as its text item.

    The two-pointer scan: on a mismatch, resume after the last star with that star
    taking one more item. At most len(pattern) * len(text) steps, never exponential.
    """
    p = t = 0
    resume_p, resume_t = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] == star:
            resume_p, resume_t = p, t
            p += 1
        elif p < len(pattern) and (pattern[p] == one or same(pattern[p], text[t])):
            p += 1
            t += 1
        elif resume_p >= 0:
            resume_t += 1
            p, t = resume_p + 1, resume_t
        else:
            return False
    while p < len(pattern) and pattern[p] == star:
        p += 1
    return p == len(pattern)


def _same_char(pattern: str, text: str) -> bool:
    return pattern == text


def _same_segment(pattern: str, text: str) -> bool:
    """One path segment against one pattern segment: ``*`` and ``?`` stay inside it."""
    return _wildcard(pattern, text, "*", "?", _same_char)


def normalize_glob(surface: str) -> tuple[str, ...]:
    """A surface as segments to match from the repository root.

    Like CODEOWNERS: a pattern without ``/`` (``*.md``) matches at any depth;
    a leading ``/`` anchors to the root (as every pattern with a ``/`` is);
    and a pattern matches everything under a directory it matches
    (``services/auth`` and ``services/auth/`` both freeze ``services/auth/**``).
    """
    text = surface.strip()
    anywhere = "/" not in text.rstrip("/")
    segments = [s for s in text.split("/") if s]
    if anywhere:
        segments.insert(0, "**")
    # Collapse runs of ** (equivalent, and keeps the scan short).
    collapsed: list[str] = []
    for segment in [*segments, "**"]:
        if not (segment == "**" and collapsed and collapsed[-1] == "**"):
            collapsed.append(segment)
    return tuple(collapsed)


def glob_match(surface: str, path: str) -> bool:
    """Whether the changed file ``path`` lies in the surface ``surface``.

    ``**`` matches any number of directories (none included), ``*`` any run
    of characters within one path segment and ``?`` one character; nothing
    else is special. See ``normalize_glob`` for anchoring.
    """
    segments = normalize_glob(surface)
    if segments == ("**",) and not surface.strip().strip("/"):
        return False  # an empty surface freezes nothing
    parts = [p for p in path.split("/") if p]
    return _wildcard(segments, parts, "**", None, _same_segment)


# --- references ------------------------------------------------------------------------------


def references(body: str) -> frozenset[int]:
    """Incidents a pull request body names on an ``Incident: #N`` line (``#12, #14`` too).

    Read line by line with string methods: the key, case-insensitive, at the
    start of a line (after blanks, ``>`` or list markers), then ``#`` numbers.
    """
    found: set[int] = set()
    for raw in body.splitlines():
        line = raw.lstrip(" \t>*-+").lower()
        if not line.startswith("incident:"):
            continue
        for token in line[len("incident:") :].replace(",", " ").split():
            number = token.removeprefix("#")
            if token.startswith("#") and number.isdigit() and len(number) <= 9:
                found.add(int(number))
    return frozenset(found)


# --- incidents -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Freeze:
    """An open incident's freeze: the surfaces merges must stay out of."""

    incident: int
    severity: Severity
    surfaces: tuple[str, ...]
    title: str = ""
    """The incident's title (people's text: quote it before showing it)."""


def recovered(incident: Incident) -> bool:
    """A Stakeholder Update says recovered, the phase is recovery or hardening, or it closed."""
    update = incident.latest(StakeholderUpdate)
    return (
        incident.issue.state != "open"
        or incident.phase in _RELEASED_PHASES
        or (update is not None and update.status is Status.RECOVERED)
    )


def freeze_of(incident: Incident, config: Config) -> Freeze | None:
    """The freeze the incident holds now, from its derived state; ``None`` when it holds none."""
    severity = incident.severity
    declaration = incident.declaration
    if (
        severity is None
        or severity not in config.freeze.severities
        or declaration is None
        or not declaration.impacted_surfaces
        or recovered(incident)
    ):
        return None
    return Freeze(incident.number, severity, declaration.impacted_surfaces, incident.issue.title)


def listed_freeze(issue: IssueSnapshot, config: Config) -> Freeze | None:
    """The freeze an open incident holds as one listing shows it: its severity label, its
    phase label and the surfaces in its form. The incident's own run knows better
    (a Stakeholder Update saying recovered); see ``hinted``."""
    severity = listed_severity(issue, config)
    if severity is None or severity not in config.freeze.severities:
        return None
    if listed_released(issue, config):
        return None
    declaration = read_declaration(parse_form(issue.body, bundled_form("incident")), config).value
    if declaration is None or not declaration.impacted_surfaces:
        return None
    return Freeze(issue.number, severity, declaration.impacted_surfaces, issue.title)


def hinted(listed: Freeze, state: Mapping[str, Any]) -> Freeze | None:
    """``listed`` as the incident's own last run left it in its status comment's state
    (``freeze``: the surfaces it froze, empty when none); unchanged without that hint."""
    surfaces = state.get("freeze")
    if not isinstance(surfaces, list):
        return listed
    kept = tuple(str(s) for s in surfaces if isinstance(s, str))
    return replace(listed, surfaces=kept) if kept else None


def listed_severity(issue: IssueSnapshot, config: Config) -> Severity | None:
    """The severity label warroom keeps on an incident, as a listing shows it."""
    held = {x.lower() for x in issue.labels}
    found = [s for s, name in config.labels.severity.items() if name.lower() in held]
    return min(found) if found else None  # two labels: the graver counts


def listed_released(issue: IssueSnapshot, config: Config) -> bool:
    """Closed, or labelled with a phase past the freeze, as a listing shows it."""
    held = {x.lower() for x in issue.labels}
    phases = {config.labels.phase[p].lower() for p in _RELEASED_PHASES}
    return issue.state != "open" or bool(held & phases)


# --- pull requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hold:
    """One incident holding a pull request, and the files that put it in the freeze."""

    incident: int
    severity: Severity
    files: tuple[str, ...]
    surfaces: tuple[str, ...]


def exempt(pull: PullSnapshot, config: Config) -> bool:
    """Labelled with one of ``freeze.exempt_labels``."""
    held = {x.lower() for x in pull.labels}
    return any(name.lower() in held for name in config.freeze.exempt_labels)


def could_hold(pull: PullSnapshot, freezes: Iterable[Freeze], config: Config) -> list[Freeze]:
    """The freezes that could hold ``pull`` whatever its files (to skip reading them)."""
    if exempt(pull, config):
        return []
    named = references(pull.body)
    return [f for f in freezes if f.incident not in named]


def holds(pull: PullSnapshot, freezes: Iterable[Freeze], config: Config) -> tuple[Hold, ...]:
    """Every incident that holds ``pull``, lowest number first, with the matching files."""
    found: list[Hold] = []
    for freeze in sorted(could_hold(pull, freezes, config), key=lambda f: f.incident):
        matched = [s for s in freeze.surfaces if any(glob_match(s, f) for f in pull.files)]
        files = tuple(f for f in pull.files if any(glob_match(s, f) for s in freeze.surfaces))
        if files:
            found.append(Hold(freeze.incident, freeze.severity, files, tuple(matched)))
    return tuple(found)
