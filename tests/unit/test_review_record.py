"""The Post-Closure Review record and the actions under its answers, as people write them.

Playbook: the "30-minute post-closure review" asks five questions; "turn
answers into backlog items before context fades". Each row names the case;
hypothesis holds the action reader to never raising and to reading back
what it is given.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.model import Level
from warroom.parsing.records import read_records
from warroom.parsing.values import ValueProblem
from warroom.records.actions import (
    ACTION_FORM,
    MAX_ACTIONS,
    Action,
    action_lines,
    action_text,
    read_action,
)
from warroom.records.models import PostClosureReview, ReviewAction
from warroom.records.spec import REVIEW, REVIEW_QUESTIONS

PLAYBOOK_QUESTIONS = (
    "what signal was first but ignored?",
    "which decision checkpoint took longest?",
    "where did ownership become ambiguous?",
    "what one guardrail would have reduced resolution time most?",
    "what one metric should be added or redefined?",
)

ANSWERS = {
    "signal": "the rejection rate rose first",
    "checkpoint": "the rollback call",
    "ownership": "comms at the handoff",
    "guardrail": "a token round trip",
    "metric": "success per audience",
}


def _review(lines: dict[str, str] | None = None, *, after: dict[str, str] | None = None) -> str:
    """A review block: each answer on its label's line, then what ``after`` adds under it."""
    given_lines = {**ANSWERS, **(lines or {})}
    out = ["### Post-Closure Review"]
    for spec in REVIEW.fields:
        out.append(f"- {spec.label}: {given_lines[spec.key]}")
        if after and spec.key in after:
            out.append(after[spec.key])
    return "\n".join(out) + "\n"


def test_the_questions_are_the_playbooks_verbatim_in_order() -> None:
    assert tuple(REVIEW_QUESTIONS.values()) == PLAYBOOK_QUESTIONS
    assert [f.key for f in REVIEW.fields] == list(REVIEW_QUESTIONS)
    playbook_words = [f.why for f in REVIEW.fields]
    assert playbook_words == [f'the playbook asks "{q}"' for q in PLAYBOOK_QUESTIONS]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Page on p99, @alice, due 2026-12-08",
            Action("Page on p99", ("alice",), date(2026, 12, 8)),
            id="title-owner-due",
        ),
        pytest.param(
            "Page on p99, due 2026-12-08, @alice",
            Action("Page on p99", ("alice",), date(2026, 12, 8)),
            id="due-before-owner",
        ),
        pytest.param(
            "Unmute the alert, and page on it, @alice, due 2026-12-08",
            Action("Unmute the alert, and page on it", ("alice",), date(2026, 12, 8)),
            id="commas-in-the-title-stay",
        ),
        pytest.param(
            "Canary on audience (@bob, due 2026-12-10)",
            Action("Canary on audience", ("bob",), date(2026, 12, 10)),
            id="owner-and-due-in-a-trailing-parenthesis",
        ),
        pytest.param(
            "define the metric — @carol @dave — due by 2026-12-12",
            Action("define the metric", ("carol", "dave"), date(2026, 12, 12)),
            id="spaced-dashes-and-two-owners",
        ),
        pytest.param(
            "Runbook for flag-off; owner: @erin; deadline: 2026-12-01",
            Action("Runbook for flag-off", ("erin",), date(2026, 12, 1)),
            id="semicolons-owner-and-deadline-words",
        ),
        pytest.param(
            "Probe, @frank, 2026-12-03",
            Action("Probe", ("frank",), date(2026, 12, 3)),
            id="a-bare-date",
        ),
        pytest.param(
            "Priya's probe, Priya Shah (@priya-s), due 2026-12-03",
            Action("Priya's probe, Priya Shah (@priya-s)", (), date(2026, 12, 3)),
            id="a-name-before-the-login-is-not-an-owner-part",
        ),
    ],
)
def test_read_action(text: str, expected: Action) -> None:
    read = read_action(text)
    if expected.owner:
        assert read == expected
    else:
        assert isinstance(read, ValueProblem)
        assert read.message == f'lacks an owner; write "{ACTION_FORM}"'


@pytest.mark.parametrize(
    ("text", "lacks"),
    [
        pytest.param("Page on p99, @alice", "a due date", id="no-date"),
        pytest.param("Page on p99, due 2026-12-08", "an owner", id="no-owner"),
        pytest.param("Page on p99", "an owner and a due date", id="title-only"),
        pytest.param("@alice, due 2026-12-08", "a title", id="no-title"),
        pytest.param("", "a title, an owner and a due date", id="empty"),
        pytest.param(
            "Page on p99 @alice due 2026-12-08", "an owner and a due date", id="no-separators"
        ),
    ],
)
def test_an_incomplete_action_says_what_to_write(text: str, lacks: str) -> None:
    read = read_action(text)
    assert isinstance(read, ValueProblem)
    assert read.message == f'lacks {lacks}; write "{ACTION_FORM}"'


@pytest.mark.parametrize(
    "written",
    [
        pytest.param("due 2026-13-40", id="impossible-date"),
        pytest.param("due 12/08/2026", id="date-not-iso"),
        pytest.param("by Friday", id="a-day-name"),
        pytest.param("12/08/2026", id="a-bare-date-not-iso"),
    ],
)
def test_a_due_date_that_is_no_date_is_named(written: str) -> None:
    read = read_action(f"Page, @alice, {written}")
    assert isinstance(read, ValueProblem)
    assert read.message == (
        f'has "{written}" for its due date, not a date written YYYY-MM-DD; write "{ACTION_FORM}"'
    )


@pytest.mark.parametrize(
    ("line", "text"),
    [
        pytest.param("Action: x, @a, 2026-12-01", "x, @a, 2026-12-01", id="plain"),
        pytest.param("  - Action: x", "x", id="nested-bullet"),
        pytest.param("* **Action:** x", "x", id="bold-label"),
        pytest.param("1. action item: x", None, id="numbered-is-not-a-bullet-we-strip"),
        pytest.param("- TODO: x", "x", id="todo"),
        pytest.param("- Action item: x", "x", id="action-item"),
        pytest.param("- Actions were slow: x", None, id="prose-with-a-colon"),
        pytest.param("the action: was late", None, id="prose-starting-lower"),
        pytest.param("- Action x", None, id="no-colon"),
    ],
)
def test_action_text(line: str, text: str | None) -> None:
    assert action_text(line) == text


def test_action_lines_keep_their_place_in_the_answer() -> None:
    answer = "first\n  - Action: a, @x, 2026-12-01\nmore\n- Action: b, @y, 2026-12-02"
    assert [(a.text, a.offset) for a in action_lines(answer)] == [
        ("a, @x, 2026-12-01", 1),
        ("b, @y, 2026-12-02", 3),
    ]


_TITLE = st.text(
    alphabet=st.characters(
        whitelist_categories=("L", "N", "Zs"), whitelist_characters="'.!?/&+", max_codepoint=0x2FF
    ),
    min_size=1,
    max_size=60,
).filter(lambda t: t.strip() and t == t.strip() and "@" not in t)
_LOGIN = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)


@given(
    title=_TITLE,
    owners=st.lists(_LOGIN, min_size=1, max_size=3, unique=True),
    due=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    due_first=st.booleans(),
)
def test_a_well_formed_action_reads_back(
    title: str, owners: list[str], due: date, due_first: bool
) -> None:
    who = " ".join(f"@{x}" for x in owners)
    when = f"due {due.isoformat()}"
    tail = f"{when}, {who}" if due_first else f"{who}, {when}"
    read = read_action(f"{title}, {tail}")
    if " ".join(title.split()) != title or title.lower().startswith(("due", "by", "owner")):
        return  # blanks are normalised, and a title may itself look like a lead word
    assert read == Action(title, tuple(owners), due)


@given(st.text(max_size=400))
def test_any_text_reads_as_an_action_or_a_problem(text: str) -> None:
    read = read_action(text)
    assert isinstance(read, Action | ValueProblem)
    if isinstance(read, ValueProblem):
        assert read.message.endswith(f'write "{ACTION_FORM}"')
    assert all(a.offset >= 0 for a in action_lines(text))


# --- the whole record -----------------------------------------------------------------------


def _one(text: str) -> tuple[PostClosureReview | None, list[tuple[Level, str, str, int | None]]]:
    [record] = read_records(text)
    assert record.kind == "review"
    findings = [(f.level, f.field, f.message, f.line) for f in record.findings]
    model = record.model
    assert model is None or isinstance(model, PostClosureReview)
    return model, findings


def test_an_answer_with_no_action_is_fine() -> None:
    model, findings = _one(_review())
    assert findings == []
    assert model is not None
    assert model.actions == ()
    assert model.signal == ANSWERS["signal"]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        pytest.param(
            {"signal": "  - Action: Page on p99, @alice, due 2026-12-08"},
            (
                ReviewAction(
                    question="signal", title="Page on p99", owner=("alice",), due=date(2026, 12, 8)
                ),
            ),
            id="nested-under-its-answer",
        ),
        pytest.param(
            {"guardrail": "- Action: Canary (@bob, due 2026-12-10)"},
            (
                ReviewAction(
                    question="guardrail", title="Canary", owner=("bob",), due=date(2026, 12, 10)
                ),
            ),
            id="a-field-line-after-its-answer-belongs-to-it",
        ),
        pytest.param(
            {
                "metric": "  - Action: one, @a, 2026-12-01\n  - Action: two, @b, 2026-12-02",
                "signal": "  * **Action:** zero, @c, 2026-11-30",
            },
            (
                ReviewAction(question="signal", title="zero", owner=("c",), due=date(2026, 11, 30)),
                ReviewAction(question="metric", title="one", owner=("a",), due=date(2026, 12, 1)),
                ReviewAction(question="metric", title="two", owner=("b",), due=date(2026, 12, 2)),
            ),
            id="several-in-order-of-the-record",
        ),
    ],
)
def test_actions_are_read_under_their_answers(
    after: dict[str, str], expected: tuple[ReviewAction, ...]
) -> None:
    model, findings = _one(_review(after=after))
    assert findings == []
    assert model is not None
    assert model.actions == expected


@pytest.mark.parametrize(
    ("after", "field", "message", "line"),
    [
        pytest.param(
            {"checkpoint": "  - Action: Faster rollback, @alice"},
            "Longest decision checkpoint",
            'the action "Faster rollback, @alice" lacks a due date; write "' + ACTION_FORM + '"',
            4,
            id="nested-without-a-date-names-its-line",
        ),
        pytest.param(
            {"metric": "- Action: Define it, due 2026-12-01"},
            "Metric to add or redefine",
            'the action "Define it, due 2026-12-01" lacks an owner; write "' + ACTION_FORM + '"',
            7,
            id="field-line-without-an-owner",
        ),
        pytest.param(
            {"signal": "  - Action:"},
            "Signal first but ignored",
            'the action lacks a title, an owner and a due date; write "' + ACTION_FORM + '"',
            3,
            id="empty-action",
        ),
    ],
)
def test_an_incomplete_action_refuses_the_record_with_what_to_write(
    after: dict[str, str], field: str, message: str, line: int
) -> None:
    model, findings = _one(_review(after=after))
    assert model is None
    assert findings == [(Level.ERROR, field, message, line)]


@pytest.mark.parametrize(
    "label",
    [
        pytest.param("What signal was first but ignored?", id="the-question-itself"),
        pytest.param("what signal was first but ignored", id="the-question-lower-case"),
        pytest.param("**Signal first but ignored**", id="bold"),
        pytest.param("First signal ignored", id="alias"),
    ],
)
def test_labels_people_write_read_silently(label: str) -> None:
    text = _review().replace("- Signal first but ignored:", f"- {label}:")
    model, findings = _one(text)
    assert findings == []
    assert model is not None
    assert model.signal == ANSWERS["signal"]


def test_a_missing_answer_names_the_question() -> None:
    text = _review().replace("- Metric to add or redefine: success per audience\n", "")
    model, findings = _one(text)
    assert model is None
    [(level, field, message, _)] = findings
    assert (level, field) == (Level.ERROR, "Metric to add or redefine")
    assert message.endswith('(the playbook asks "what one metric should be added or redefined?")')


def test_more_actions_than_a_review_files_are_refused_at_the_first_one_past() -> None:
    many = "\n".join(f"  - Action: item {i}, @a, due 2026-12-01" for i in range(MAX_ACTIONS + 2))
    model, findings = _one(_review(after={"metric": many}))
    assert model is None
    [(level, field, message, line)] = findings
    assert (level, field) == (Level.ERROR, "Metric to add or redefine")
    assert message.startswith(f"is past the review's {MAX_ACTIONS} actions ({MAX_ACTIONS + 2} ")
    assert line == 7 + MAX_ACTIONS  # the metric answer is line 6; its actions follow
