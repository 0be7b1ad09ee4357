"""What a guardrail rule says, and the facts beyond the incident's records it may need.

The closure gate answers "may this close?"; guardrails answer "is the response
going the way the playbook says?" (hero mode, a skipped rung of the decision
ladder, contested decisions, frozen merges...). A rule never blocks: it warns,
once per occurrence, in a notice under the incident and in the status comment,
and may hold a label on the incident while it stands (``decision: contested``).

Rules are pure: one module per rule in ``warroom.rules``, registered in
``warroom.rules.guardrails``. What a rule needs from outside the incident's
issue and comments (branches, pull requests) the shell reads once and passes
in as ``Facts``, so a rule that needs nothing costs no request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from warroom.config import Config
from warroom.incident import Incident


@dataclass(frozen=True)
class PullFacts:
    """A pull request as the freeze and merge-owner rules see it."""

    number: int
    author: str
    files: tuple[str, ...]
    held: bool = False
    """Held by the merge freeze of this incident."""


@dataclass(frozen=True)
class Facts:
    """What the shell read for the rules, beyond the incident's issue and comments."""

    now: datetime
    branches: tuple[str, ...] | None = None
    """Branch names under the incident's recovery prefix; ``None`` when not read."""
    pulls: tuple[PullFacts, ...] | None = None
    """Open pull requests linked to the incident; ``None`` when not read."""


@dataclass(frozen=True)
class Guardrail:
    """One guardrail that stands now.

    ``key`` is stable for one occurrence (the comment that triggered it, the
    handoff after which it holds): the notice is posted once per key, so a
    sweep every ten minutes does not repeat it, and a new occurrence is told.
    ``title``, ``playbook`` and ``fix`` are warroom's words; ``detail`` may
    carry people's text, which the planner quotes before showing it.
    """

    rule: str
    key: str
    title: str
    playbook: str
    """The playbook's rule, in its own words."""
    detail: str
    fix: str
    source: str = ""
    """The URL of the comment that triggered it (a GitHub URL), or ``""``."""
    label: str | None = None
    """A label the incident carries while this stands."""


Rule = Callable[[Incident, Config, Facts], Iterable[Guardrail]]
"""A guardrail rule: everything that stands now, given the incident and the facts."""
