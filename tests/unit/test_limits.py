"""Every body warroom writes fits GitHub's limits, keeps its marker and state, and says what it cut.

GitHub answers 422 to a body over 65,536 characters, and one such body used
to break every later run on the incident. ``fit_body`` is checked on any
text (hypothesis) and on the shapes warroom really writes; the planner is
checked to pass each body kind through it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.fake_github import START, FakeGitHub, make_comment, make_issue
from tests.unit.test_action_flow import (
    CONFIG,
    RESPONDERS,
    _comment_event,
    _issue_payload,
    _run,
    _user,
)
from warroom import story
from warroom.effects import OpenFollowUp, UpsertComment
from warroom.limits import (
    COMMENT_LIMIT,
    ISSUE_BODY_LIMIT,
    TITLE_LIMIT,
    BodyTooLong,
    fit_body,
    fit_title,
)
from warroom.markers import decode_state, encode_state, marker, quote, read_marker
from warroom.model import IssueSnapshot
from warroom.render import render
from warroom.run import run

SOURCE = "https://github.com/acme/service/issues/7#issuecomment-42"
MARK = marker("reply", 42)
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
"""What HTML reads as a character reference (the longest name has 31 letters)."""
NOTE = re.compile(r"… truncated: ([\d,]+) characters not shown; the full text is in (\S+)")


def _open_fences(text: str) -> str:
    """The fence a body leaves open (CommonMark's rules, enough for these bodies), or ""."""
    fence = ""
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        if len(line) - len(stripped) > 3:
            continue
        run = re.match(r"`{3,}|~{3,}", stripped)
        if run is None:
            continue
        if not fence:
            if not (run.group()[0] == "`" and "`" in stripped[run.end() :]):
                fence = run.group()
        elif (
            run.group()[0] == fence[0]
            and len(run.group()) >= len(fence)
            and not stripped[run.end() :].strip()
        ):
            fence = ""
    return fence


def _note_is_visible(body: str) -> bool:
    """Rendered as GitHub does, the note is a paragraph of its own, not in code or <details>."""
    html = cmarkgfm.github_flavored_markdown_to_html(body, options=Options.CMARK_OPT_UNSAFE)
    at = html.find("<p>… truncated: ")
    before = html[:at]
    return (
        at >= 0
        and before.count("<details") <= before.count("</details>")
        and before.count("<pre") == before.count("</pre>")
    )


# --- any text ------------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        *("x", " ", "\n", "\n\n", "&lt;", "&amp;", "&", ";", "@\u2060alice", "```", "````\n"),
        *("~~~\n", "<details>", "</details>", "<summary>s</summary>", "<!--", "-->", "| a |"),
        *("- ", "é", "😀"),
    ]
)
TEXTS = st.lists(st.tuples(PIECES, st.integers(1, 3_000)), max_size=12).map(
    lambda runs: "".join(piece * count for piece, count in runs)
)
STATES = st.dictionaries(st.text(max_size=10), st.text(max_size=40), max_size=20)


@settings(max_examples=150, deadline=None)
@given(text=TEXTS, state=st.none() | STATES, room=st.integers(0, 20_000))
def test_any_body_fits_and_keeps_its_marker_and_state(
    text: str, state: dict[str, str] | None, room: int
) -> None:
    tail = "\n\n" + encode_state(state) + "\n" if state is not None else ""
    body = f"{MARK}\n{text}{tail}"
    limit = len(MARK) + len(tail) + 200 + room  # 200: the note, with the link
    fitted = fit_body(body, SOURCE, limit)
    assert len(fitted) <= limit
    assert read_marker(fitted) == ("reply", "42")
    assert fitted.split("\n", 1)[0] == MARK
    if state is not None:
        assert fitted.endswith(tail)
        assert decode_state(fitted) == state
    if len(body) <= limit:
        assert fitted == body
        return
    note = NOTE.search(fitted)
    assert note is not None
    assert note.group(2) == SOURCE
    kept = fitted[len(MARK) + 1 : note.start()]
    cut = len(os.path.commonprefix([kept, text]))  # noqa: RUF071 (what follows is closers)
    assert int(note.group(1).replace(",", "")) >= len(text) - cut
    assert _open_fences(kept) == ""
    assert _note_is_visible(fitted)
    for entity in ENTITY.finditer(text):
        assert not entity.start() < cut < entity.end()  # never half an entity such as "&l"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=600), st.integers(2, 300))
def test_any_title_fits(title: str, limit: int) -> None:
    fitted = fit_title(title, limit)
    assert len(fitted) <= limit
    assert fitted == title if len(title) <= limit else fitted.endswith("…")


# --- the cut, case by case -----------------------------------------------------------------


def _cut(text: str, limit: int = 1_000) -> str:
    fitted = fit_body(f"{MARK}\n{text}", SOURCE, limit)
    note = NOTE.search(fitted)
    assert note is not None
    return fitted[len(MARK) + 1 : note.start()]


@pytest.mark.parametrize(
    ("text", "expected_end"),
    [
        pytest.param("line\n" * 400, "line", id="at-a-line-break"),
        pytest.param("&lt;" * 400, "&lt;", id="between-entities"),
        pytest.param("a" * 998 + "&lt;" * 10, "a", id="not-inside-an-entity"),
        pytest.param("```\n" + "code\n" * 300, "```", id="open-fence-closed"),
        pytest.param("~~~~ sh\n" + "code\n" * 300, "~~~~", id="open-tilde-fence-closed"),
        pytest.param(
            "<details><summary>s</summary>\n\n" + "row\n" * 300, "</details>", id="details"
        ),
        pytest.param("text\n<!-- hint\n" + "x\n" * 600, "text", id="not-inside-an-html-comment"),
    ],
)
def test_the_cut_is_at_a_safe_place(text: str, expected_end: str) -> None:
    kept = _cut(text)
    assert kept.rstrip("\n").endswith(expected_end)


def test_a_body_that_fits_is_unchanged() -> None:
    body = f"{MARK}\nshort\n\n{encode_state({'a': 1})}\n"
    assert fit_body(body, SOURCE) is body


def test_a_quoted_summary_of_60000_angle_brackets_fits_with_its_state() -> None:
    summary = quote("<" * 60_000)
    state = encode_state({"labels": ["incident"], "permissions": {"a": {"p": "write"}}})
    body = f"{marker('status', 7)}\n## Incident #7: {summary}\n\nmore\n\n{state}\n"
    assert len(body) > 4 * 60_000
    fitted = fit_body(body, SOURCE)
    assert len(fitted) <= COMMENT_LIMIT
    assert fitted.endswith(f"\n\n{state}\n")
    assert decode_state(fitted) == {"labels": ["incident"], "permissions": {"a": {"p": "write"}}}
    note = NOTE.search(fitted)
    assert note is not None
    assert int(note.group(1).replace(",", "")) == len(body) - len(fitted) + len(note.group()) + 4


def test_a_state_too_large_to_fit_is_a_bug_not_a_cut() -> None:
    state = encode_state({"x": "y" * COMMENT_LIMIT})
    with pytest.raises(BodyTooLong, match="please report it"):
        fit_body(f"{marker('status', 7)}\ntext\n\n{state}\n", SOURCE)


def test_a_body_without_a_marker_is_cut_from_its_start() -> None:
    fitted = fit_body("x" * 2_000, SOURCE, 500)
    assert len(fitted) <= 500
    assert fitted.startswith("xxx")


def test_a_title_is_cut_with_an_ellipsis() -> None:
    assert fit_title("t" * 300) == "t" * (TITLE_LIMIT - 1) + "…"


# --- the planner fits every body kind ------------------------------------------------------

INVALID = "### Checkpoint Decision Record\n- Decision: " + "<" * 60 + "\n- Timestamp: soon\n\n"
"""An invalid record whose reply lists nine problems, two of them quoting "<" as "&lt;"."""


def _opened(gh: FakeGitHub, issue: IssueSnapshot) -> None:
    payload = {"action": "opened", "issue": _issue_payload(issue), "sender": _user(story.COMMANDER)}
    assert not _run(gh, "issues", payload, minutes=1).failures


def _written(gh: FakeGitHub, prefix: str) -> str:
    (body,) = [c.body for c in gh.comments_by_issue.get(1, []) if c.body.startswith(prefix)]
    return body


def test_a_summary_of_60000_angle_brackets_leaves_a_status_comment_that_fits() -> None:
    gh = FakeGitHub(perms=dict(RESPONDERS))
    summary = "401s on every authenticated API call since the auth-gateway deploy"
    issue = make_issue(story.incident_body().replace(summary, "<" * 60_000))
    assert len(issue.body) <= COMMENT_LIMIT
    _opened(gh, issue)
    status = _written(gh, "<!-- warroom:status:1 -->")
    assert len(status) <= COMMENT_LIMIT
    heading = status.split("\n")[1]
    assert heading.endswith("&lt;…")  # a title's worth of the summary, quoted
    assert heading.count("&lt;") == TITLE_LIMIT - 1
    assert "### Closure gate" in status  # the rest of the comment is still there
    assert NOTE.search(status) is None
    assert decode_state(status)["labels"]


def test_a_comment_with_50_invalid_records_gets_a_reply_that_fits() -> None:
    gh = FakeGitHub(perms=dict(RESPONDERS))
    issue = make_issue(story.incident_body())
    _opened(gh, issue)
    text = INVALID * 50
    assert len(text) <= COMMENT_LIMIT
    comment = make_comment(text, author=story.MITIGATION)
    assert not _comment_event(gh, issue, comment).failures
    reply = _written(gh, f"<!-- warroom:reply:{comment.id} -->")
    assert len(reply) <= COMMENT_LIMIT
    note = NOTE.search(reply)
    assert note is not None  # 50 records x 9 problems do not fit: the cut says so
    assert note.group(2) == comment.html_url
    assert reply.count("- decision, line") < 50 * 9


def test_a_follow_up_with_a_huge_acceptance_criterion_and_title_fits() -> None:
    gh = FakeGitHub(perms=dict(RESPONDERS))
    issue = make_issue(story.incident_body())
    _opened(gh, issue)
    record = story.follow_up(
        title="t" * 400, kind="regression test", owner=story.MITIGATION, due="2026-12-05"
    ).replace("the check runs in CI on every change under services/auth/**", "<" * 60_000)
    comment = make_comment(record, author=story.MITIGATION)
    assert not _comment_event(gh, issue, comment).failures
    (opened,) = gh.of(OpenFollowUp)
    assert len(opened.title) <= TITLE_LIMIT
    assert len(opened.body) <= ISSUE_BODY_LIMIT
    assert read_marker(opened.body) == ("follow-up", opened.key)
    note = NOTE.search(opened.body)
    assert note is not None
    assert note.group(2) == comment.html_url


def test_every_body_kind_the_planner_writes_is_fitted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each template's output made 120,000 characters longer: every body written still fits."""
    from warroom import run as run_module

    def bloated(name: str, context: Mapping[str, Any]) -> str:
        return render(name, context) + "\n" + "&lt;" * 30_000 + "\n"

    monkeypatch.setattr(run_module, "render", bloated)
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-3", "phase: containment"))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    labeled = {
        "action": "labeled",
        "label": {"name": "SEV-3"},
        "issue": _issue_payload(issue),
        "sender": _user("someone"),
    }
    _run(gh, "issues", labeled, minutes=1)  # the severity note and the status comment
    _comment_event(gh, issue, make_comment(INVALID, author=story.MITIGATION, minutes=2))
    _comment_event(gh, issue, make_comment(story.snapshot(START, next_in=30), minutes=3))
    author, record = story.follow_ups()[0]
    _comment_event(gh, issue, make_comment(record, author=author, minutes=4))
    run(lambda: gh, "schedule", {}, START + timedelta(minutes=90), CONFIG)  # reminders
    kinds = set()
    for effect in gh.of(UpsertComment):
        kind, _ = read_marker(effect.body) or ("?", "")
        kinds.add(kind)
        assert len(effect.body) <= COMMENT_LIMIT, kind
        assert effect.body.startswith(effect.marker + "\n")
        assert NOTE.search(effect.body) is not None, kind
        if kind == "status":
            assert decode_state(effect.body)["labels"]
    assert kinds == {"status", "severity-guard", "reply", "reminder"}
    (follow_up,) = gh.of(OpenFollowUp)
    assert len(follow_up.body) <= ISSUE_BODY_LIMIT
    # The marker line (with the proof that warroom opened it, under a state key) is kept whole.
    assert follow_up.body.startswith(follow_up.marker + follow_up.proof + "\n")
    assert NOTE.search(follow_up.body) is not None
