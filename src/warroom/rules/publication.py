"""The hardening loop's "publish incident timeline with key decisions", met by the package.

warroom posts the closure review package (``warroom.package``: the timeline
with every key timestamp and decision, each linked to its record) on the run
that finds the closure gate met on a closed incident. So from then on the
timeline is published, and the hardening loop no longer asks for a "timeline
publication" follow-up. A team may still file one; either satisfies the loop.

Pure: decided from the incident's issue and records alone, like the gate.
"""

from __future__ import annotations

from warroom.config import Config
from warroom.incident import Incident
from warroom.rules import closure_gate

PLAYBOOK = "publish incident timeline with key decisions"
"""The hardening loop's words, as the playbook writes them."""
DISMISSED = frozenset({"not_planned", "duplicate"})


def published(incident: Incident, config: Config) -> bool:
    """Whether warroom has published the package: closed as done, with the gate met."""
    issue = incident.issue
    if issue.state != "closed" or issue.state_reason in DISMISSED:
        return False
    return closure_gate.is_met(closure_gate.evaluate(incident, config))
