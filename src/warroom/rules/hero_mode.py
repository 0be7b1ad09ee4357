"""Hero mode: one person holding three or more of the incident's roles.

The playbook lists "Hero mode in one lane" among its anti-patterns: "Fast
initially, fragile during handoff and fatigue windows." The roles counted are
the commander, the deputy and the mitigation, verification and comms lanes, as
the form declares them and as later records move them (``owner_timeline``):
handoffs, snapshots naming a commander, decisions naming execution and
verification owners.

An occurrence is the moment the roles came to stand so: ``declared`` for the
form, or the comment id of the handoff after which a hero still stands (each
handoff is a new chance to spread the load, so each is told). A record that is
not a handoff starts a new occurrence only when it changes who holds what, so
a decision restating the same owners is not told twice. The rule promises
nothing about the deputy moving: handoffs move lanes, not the deputy.
"""

from __future__ import annotations

from collections.abc import Iterable

from warroom.config import Config
from warroom.incident import Incident, Lane, Owners, owner_timeline
from warroom.records.models import Handoff
from warroom.rules.guardrail import Facts, Guardrail

RULE = "hero-mode"
HERO_ROLES = 3
"""Roles held by one person that make it hero mode (issue 9 says three)."""
PLAYBOOK = "Hero mode in one lane — Fast initially, fragile during handoff and fatigue windows."

Heroes = tuple[tuple[str, tuple[str, ...]], ...]
"""Each person holding too many roles (lower-case login) and the roles they hold, sorted."""


def roles(owners: Owners) -> dict[str, tuple[str, ...]]:
    """Every role and who holds it: the commander is whoever holds the triage lane."""
    lanes = owners.lanes  # every lane is present, empty when nobody holds it
    return {
        "commander": lanes[Lane.TRIAGE],
        "deputy": owners.deputy,
        "mitigation": lanes[Lane.MITIGATION],
        "verification": lanes[Lane.VERIFICATION],
        "comms": lanes[Lane.COMMS],
    }


def heroes(owners: Owners) -> Heroes:
    """The people holding ``HERO_ROLES`` or more roles, each with those roles."""
    held: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    for role, logins in roles(owners).items():
        for login in logins:
            key = login.lower()
            shown.setdefault(key, login)
            if role not in held.setdefault(key, []):
                held[key].append(role)
    return tuple(
        (shown[key], tuple(names))
        for key, names in sorted(held.items())
        if len(names) >= HERO_ROLES
    )


def evaluate(incident: Incident, config: Config, facts: Facts) -> Iterable[Guardrail]:
    """Hero mode as it stands now, keyed by the declaration or the handoff that left it so."""
    declared, moves = owner_timeline(incident)
    before = heroes(declared)
    key, source = ("declared", "") if before else ("", "")
    for applied, owners in moves:
        now = heroes(owners)
        if not now:
            key, source = "", ""
        elif isinstance(applied.record, Handoff) or now != before:
            key, source = str(applied.comment_id), applied.url
        before = now
    if not key:
        return []
    said = "; ".join(f"@{login} holds {', '.join(held)}" for login, held in before)
    when = "as declared" if key == "declared" else "after this record"
    return [
        Guardrail(
            rule=RULE,
            key=key,
            title="Hero mode: one person holds three or more roles",
            playbook=PLAYBOOK,
            detail=f"{said} ({when})",
            fix=(
                "name other people until nobody holds more than two of commander, deputy, "
                "mitigation, verification and comms: a Checkpoint Decision Record's Owner for "
                "execution and Owner for verification, an Incident Command Snapshot's Incident "
                "commander, or a Handoff Record to someone who holds no role yet"
            ),
            source=source,
        )
    ]
