"""The playbook's messages filled from an incident, and the replies to slash commands.

Golden files under ``tests/fixtures/messages/``: one folder per incident state,
one file per message, and the replies in ``replies/``. Set
``WARROOM_UPDATE_FIXTURES=1`` to rewrite them after a deliberate change, then
read the diff. The tables below pin each line's source (the latest record that
states it wins; the form next; a visible blank last) and when a reply is due.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.fake_github import START, make_comment
from tests.unit.incident_support import Post, incident_from
from warroom import markers, messages, story
from warroom.config import Config
from warroom.effects import DeleteComment, UpsertComment
from warroom.incident import Incident
from warroom.markers import marker
from warroom.model import CommentSnapshot
from warroom.parsing.commands import KINDS, read_command
from warroom.render import render

GOLDEN = Path(__file__).parents[1] / "fixtures" / "messages"
UPDATE = os.environ.get("WARROOM_UPDATE_FIXTURES") == "1"
NOW = START + timedelta(minutes=40)

HANDOFF = f"""### Handoff Record
- From owner: @{story.COMMANDER}
- To owner: @{story.DEPUTY}
- Scope boundary: the auth-gateway rollback; billing is out of scope
- Unresolved unknowns: whether mobile clients cached bad tokens
- Next checkpoint at: {story.at(START, 120)}
- Rollback trigger: 401 rate above 2% for 5 minutes
"""
ESCALATION = f"""[INCIDENT][SEV-1] sign-in down for every user
Impact: every signed-in user
Current decision: rollback to 4f2c1a9
Immediate ask: two more reviewers from identity
Next update: {story.at(START, 60)}
Owner: @{story.COMMANDER}
"""

WORKED: list[Post] = [
    (story.COMMANDER, 5, story.snapshot(START)),
    (story.MITIGATION, 20, story.decision(START, minute=20)),
    (story.COMMS, 25, story.stakeholder(START, status="mitigating")),
    (story.COMMANDER, 30, HANDOFF),
]
CASES: dict[str, list[Post]] = {
    "filed": [],
    "triaged": [(story.COMMANDER, 5, story.snapshot(START))],
    "worked": WORKED,
    "escalated": [*WORKED, (story.COMMANDER, 35, ESCALATION)],
    "closing": [
        *WORKED,
        (story.VERIFICATION, 32, story.verification(START, minute=32)),
        (story.COMMANDER, 34, story.leadership(confidence="L3")),
        (story.COMMANDER, 36, story.closure()),
    ],
}


def _incident(case: str) -> Incident:
    return incident_from(story.incident_body(), CASES[case])


def _check(path: Path, text: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with WARROOM_UPDATE_FIXTURES=1, then read it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_message_golden(case: str, kind: str) -> None:
    message = messages.compose(kind, _incident(case), NOW, Config(), render)
    _check(GOLDEN / case / f"{kind}.md", message.text)


def _value(kind: str, key: str, incident: Incident, now: datetime = NOW) -> messages.Value:
    return dict(messages.compose(kind, incident, now, Config(), render).values)[key]


BLANK = "⟨fill in: "


@pytest.mark.parametrize(
    ("case", "kind", "key", "text"),
    [
        pytest.param("filled", "escalate", "summary", "401s on every", id="summary-from-the-form"),
        pytest.param("escalated", "escalate", "summary", "sign-in down", id="summary-escalation"),
        pytest.param("filed", "escalate", "impact", "auth-gateway in all", id="impact-form"),
        pytest.param("filed", "escalate", "decision", BLANK + "path⟩", id="no-decision-blank"),
        pytest.param("worked", "escalate", "decision", "rollback", id="decision-record"),
        pytest.param(
            "escalated", "escalate", "decision", "rollback to 4f2c1a9", id="later-escalation-wins"
        ),
        pytest.param(
            "escalated", "escalate", "ask", BLANK + "approval/resource⟩", id="ask-never-reused"
        ),
        pytest.param(
            "escalated", "escalate", "next_update", story.at(START, 60), id="next-update-committed"
        ),
        pytest.param("filed", "escalate", "next_update", BLANK + "next update", id="no-update"),
        pytest.param("filed", "escalate", "owner", f"@{story.COMMANDER}", id="owner-from-form"),
        pytest.param(
            "worked", "escalate", "owner", f"@{story.DEPUTY}", id="owner-after-the-handoff"
        ),
        pytest.param(
            "filed", "status-update", "status", BLANK + "investigating", id="status-unknown"
        ),
        pytest.param("worked", "status-update", "status", "mitigating", id="status-stated"),
        pytest.param(
            "triaged", "status-update", "status", "mitigating", id="status-from-phase-if-never-told"
        ),
        pytest.param(
            "filed", "status-update", "customer_impact", BLANK + "customer", id="impact-not-guessed"
        ),
        pytest.param(
            "worked",
            "status-update",
            "unknowns",
            "whether mobile clients cached bad tokens",
            id="handoff-unknowns-are-the-latest",
        ),
        pytest.param("filed", "leadership-note", "confidence", BLANK + "L1", id="no-confidence"),
        pytest.param("closing", "leadership-note", "confidence", "L3", id="confidence-latest"),
        pytest.param(
            "closing",
            "leadership-note",
            "uncertain",
            "whether mobile clients cached bad tokens; residual risk: sessions minted",
            id="unknowns-with-residual-risk",
        ),
        pytest.param(
            "closing", "leadership-note", "watch_owner", f"@{story.DEPUTY}", id="watch-owner"
        ),
        pytest.param(
            "worked", "leadership-note", "watch_owner", BLANK + "owner for", id="no-watch-owner"
        ),
        pytest.param("filed", "handoff", "scope", BLANK + "scope boundary", id="no-scope"),
        pytest.param("worked", "handoff", "trigger", "401 rate above 2%", id="trigger-handoff"),
    ],
)
def test_each_line_comes_from_the_latest_record_else_a_blank(
    case: str, kind: str, key: str, text: str
) -> None:
    value = _value(kind, key, _incident("filed" if case == "filled" else case))
    assert value.text.startswith(text)
    assert value.blank == text.startswith(BLANK)


@pytest.mark.parametrize(
    ("case", "minutes", "missing"),
    [
        pytest.param("filed", 40, ["scope", "unresolved", "next", "failure"], id="filed"),
        pytest.param("worked", 40, [], id="all-met"),
        pytest.param("worked", 130, ["next"], id="checkpoint-passed"),
    ],
)
def test_the_handoff_test_says_which_items_are_missing(
    case: str, minutes: int, missing: list[str]
) -> None:
    message = messages.compose(
        "handoff", _incident(case), START + timedelta(minutes=minutes), Config(), render
    )
    assert [c.item.split()[0] for c in message.missing] == missing
    assert ("Result: 4 of 4 met; ready to hand over" in message.text) == (not missing)


def test_as_of_leaves_out_later_records_and_owner_moves() -> None:
    incident = _incident("escalated")
    earlier = messages.as_of(incident, START + timedelta(minutes=22))
    assert [a.comment_id for a in earlier.applied] == [1, 2]
    assert _value("escalate", "decision", earlier).text == "rollback"
    assert earlier.owners.commander == (story.COMMANDER,)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("`~ \nab@<{$"), max_size=80))
def test_no_text_closes_the_fence(text: str) -> None:
    fence = markers.fence_for(text)
    assert len(fence) >= 3
    assert fence not in text


# --- replies --------------------------------------------------------------------------------


def _reply(to: CommentSnapshot, *, minutes: int, body: str = "") -> CommentSnapshot:
    return make_comment(
        body or marker("message", to.id) + "\nold",
        author="github-actions[bot]",
        minutes=minutes,
        ident=to.id + 1,
        bot=True,
    )


def _plan(comments: Sequence[CommentSnapshot], permission: str = "write") -> list[object]:
    authors = {c.author.lower(): permission for c in comments}
    return list(messages.plan_replies(comments, _incident("worked"), authors, Config(), render))


ASKED = make_comment("/warroom escalate", author=story.DEPUTY, minutes=40, ident=900)


@pytest.mark.parametrize(
    ("comments", "expected"),
    [
        pytest.param([ASKED], ["upsert"], id="new-command"),
        pytest.param([ASKED, _reply(ASKED, minutes=40)], [], id="answered"),
        pytest.param([ASKED, _reply(ASKED, minutes=41)], [], id="answered-later"),
        pytest.param(
            [
                make_comment("/warroom handoff", author=story.DEPUTY, minutes=39, ident=900),
                _reply(ASKED, minutes=38),
            ],
            ["upsert"],
            id="edited-after-the-reply",
        ),
        pytest.param(
            [make_comment("never mind", minutes=40, ident=900), _reply(ASKED, minutes=40)],
            ["delete"],
            id="command-edited-away",
        ),
        pytest.param([_reply(ASKED, minutes=40)], ["delete"], id="command-deleted"),
        pytest.param(
            [make_comment("/warroom escalate", minutes=40, ident=900, bot=True)],
            [],
            id="a-bot-asks",
        ),
        pytest.param([make_comment("> /warroom escalate", minutes=40, ident=900)], [], id="quoted"),
    ],
)
def test_when_a_reply_is_written(comments: list[CommentSnapshot], expected: list[str]) -> None:
    effects = _plan(comments)
    kinds = ["upsert" if isinstance(e, UpsertComment) else "delete" for e in effects]
    assert kinds == expected
    for effect in effects:
        assert isinstance(effect, UpsertComment | DeleteComment)
        assert effect.marker == marker("message", 900)


@pytest.mark.parametrize(
    ("permission", "answered"),
    [
        pytest.param("admin", True, id="admin"),
        pytest.param("write", True, id="write"),
        pytest.param("team:responders", False, id="team-not-configured"),
        pytest.param("triage", False, id="triage"),
        pytest.param("read", False, id="read"),
        pytest.param("none", False, id="none"),
    ],
)
def test_only_responders_get_the_message(permission: str, answered: bool) -> None:
    (effect,) = _plan([ASKED], permission)
    assert isinstance(effect, UpsertComment)
    assert ("[INCIDENT][SEV-1]" in effect.body) == answered
    assert ("**Not answered.**" in effect.body) == (not answered)


REPLIES = {
    "escalate": "/warroom escalate",
    "handoff-missing": "/warroom handoff",
    "unknown": "please:\n/warroom escalte\n/warroom handoff",
    "refused": "/warroom leadership-note",
}


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_reply_golden(name: str) -> None:
    comment = make_comment(REPLIES[name], author=story.DEPUTY, minutes=40, ident=900)
    command = read_command(comment.body)
    assert command is not None
    refused = messages.refusal("rita-reader", "read", Config()) if name == "refused" else None
    incident = _incident("filed" if name == "handoff-missing" else "worked")
    body = messages.reply_body(comment, command, incident, Config(), render, refused=refused)
    _check(GOLDEN / "replies" / f"{name}.md", body)


@pytest.mark.parametrize("kind", ["escalate", "leadership-note"])
def test_a_message_pasted_back_with_its_blanks_is_refused_field_by_field(kind: str) -> None:
    """A responder who pastes the reply as a record must fill the blanks first: each left
    ``⟨fill in: …⟩`` is an error naming its field, never accepted as text."""
    from warroom.check import check_text

    message = messages.compose(kind, _incident("triaged"), NOW, Config(), render)
    blanks = [value.text for _, value in message.values if value.blank]
    assert blanks, "the triaged incident leaves the asks blank"
    result = check_text(message.text, kind="auto", config=Config())
    refused = [f.message for f in result.findings if f.level == "error"]
    assert len(refused) == len(blanks)
    for text in blanks:
        assert any(f'still holds the template text "{text}"; write ' in m for m in refused), text
