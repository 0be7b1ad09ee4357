"""Golden files for what the post-closure review makes the bot write, from a fixed story.

The notice (the five questions and the fillable record), the one reminder, a
follow-up opened from an action, and the status comment's review section.
Set ``WARROOM_UPDATE_FIXTURES=1`` to rewrite them after a deliberate change,
then review the diff.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.unit.test_review_rule import CLOSED, REVIEW, _closed
from warroom import story
from warroom.config import Config
from warroom.effects import UpsertComment
from warroom.markers import marker
from warroom.plan import evaluate_gate, follow_up_effects, plan_incident, status_context
from warroom.render import render

GOLDEN = Path(__file__).parents[1] / "fixtures" / "bot"
UPDATE = os.environ.get("WARROOM_UPDATE_FIXTURES") == "1"


def _bodies() -> dict[str, str]:
    asked = _closed()
    stamp = str(int(CLOSED.timestamp()))
    plan = plan_incident(
        None,
        asked,
        CLOSED + timedelta(minutes=31),
        Config(),
        render,
        own_markers=(),
        cache={"labels": []},
    )
    posted = {e.marker: e.body for e in plan.effects if isinstance(e, UpsertComment)}
    held = _closed([(story.COMMANDER, 100, REVIEW)])
    follow_up = next(e for e in follow_up_effects(held, Config(), render) if ".r" in e.key)
    gate = evaluate_gate(held, Config())
    known = {follow_up.key: 41}
    status = render("status.md.j2", status_context(held, gate, CLOSED, Config(), known))
    section = status[status.index("### Post-closure review") :].split("\n\n", 2)
    return {
        "review-notice.md": posted[marker("review", f"1.{stamp}")],
        "review-reminder.md": posted[marker("reminder", f"1.review-{stamp}")],
        "review-follow-up.md": follow_up.body,
        "review-status.md": section[0] + "\n",
    }


BODIES = _bodies()


@pytest.mark.parametrize("name", sorted(BODIES))
def test_review_output_matches_its_golden_file(name: str) -> None:
    golden = GOLDEN / name
    text = BODIES[name]
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
