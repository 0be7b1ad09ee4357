"""Scenario C's order: "emergency rollback and access revocation first, then patch".

A scenario whose minimum names ``before_patch`` (the bundled permission leak
names its revocation completion proof) flags every patch decision recorded
before that evidence. A patch decision is a Checkpoint Decision Record that
continues mitigation and whose ``Why this decision now`` names a patch word
(``config.scenarios.<name>.patch_words``: patch, hotfix, fix forward).

The flag stands while the proof is missing, once per decision (its key is the
decision's comment id, so a sweep never repeats it), and settles when the
proof is posted: the access is revoked, which is what the order protects.
"""

from __future__ import annotations

from collections.abc import Iterator

from warroom.config import Config
from warroom.incident import Incident
from warroom.model import Decision
from warroom.records.models import DecisionRecord
from warroom.rules.guardrail import Facts, Guardrail
from warroom.rules.scenario_evidence import minimum, proof

RULE = "revocation-first"
PLAYBOOK = "Decision branch: emergency rollback and access revocation first, then patch."


def _patch_word(text: str, words: tuple[str, ...]) -> str | None:
    """The first patch word ``text`` starts a word with (``hotfixes`` counts, ``dispatch`` not).

    Plain string search, no pattern: each word is found at most once per start.
    """
    folded = " ".join(text.lower().split())
    for word in words:
        at = folded.find(word)
        while at >= 0:
            if at == 0 or not folded[at - 1].isalnum():
                return word
            at = folded.find(word, at + 1)
    return None


def rule(incident: Incident, config: Config, facts: Facts) -> Iterator[Guardrail]:
    """Every patch decision recorded while the scenario's before-patch evidence is missing."""
    found = minimum(incident, config)
    if found is None or found.rules.before_patch is None:
        return
    rules = found.rules
    item = next(i for i in rules.evidence if i.key == rules.before_patch)
    done = proof(item, incident)
    if done is not None:
        return  # revoked: what the order protects is in place, so nothing stands
    for applied, record in incident.records(DecisionRecord):
        if record.decision is not Decision.CONTINUE:
            continue
        word = _patch_word(record.why_now, rules.patch_words)
        if word is None:
            continue
        yield Guardrail(
            rule=RULE,
            key=str(applied.comment_id),
            title=f"Patch decided before the {item.label}",
            playbook=PLAYBOOK,
            detail=(
                f"the decision of {record.timestamp:%Y-%m-%d %H:%M %Z} by @{applied.author} "
                f'continues mitigation with a {word} ("{record.why_now[:80]}"), and no '
                f"{item.label} is on record"
            ),
            fix=(
                "revoke the leaked access first (or roll back), then post a Scenario Evidence "
                f'record with "Evidence for: {item.label}" (`warroom template evidence`); '
                "patch after that"
            ),
            source=applied.url,
        )
