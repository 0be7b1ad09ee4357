"""markers.py to the character: what a marker is called, the exact state cache, quoting's line ends.

The round-trip tests in ``test_markers.py`` hold for many wrong encodings (JSON
reads ``\\u002D`` and ``\\u002d`` alike, and any key order); these tables pin the
exact text warroom writes, so a changed escape, key order or separator shows,
and each row names what it guards.
"""

from __future__ import annotations

from typing import Any

import pytest

from warroom.markers import decode_state, describe_marker, encode_state, marker, quote


@pytest.mark.parametrize(
    ("mark", "words"),
    [
        pytest.param(marker("status", 12), "the status comment", id="status"),
        pytest.param(marker("reply", 4021), "the reply to comment 4021", id="reply-names-comment"),
        pytest.param(
            marker("reminder", "cadence.2026-11-28T16:30"),
            "the reminder 2026-11-28T16:30",
            id="reminder-drops-its-kind-prefix",
        ),
        pytest.param(
            marker("reminder", "checkpoint.a.b"),
            "the reminder a.b",
            id="reminder-splits-at-the-first-dot-only",
        ),
        pytest.param(marker("reminder", "plain"), "the reminder plain", id="reminder-without-dot"),
        pytest.param(marker("severity-guard", 3), "the severity note", id="severity-guard"),
        pytest.param(marker("reopened", 12), "the reopen notice", id="reopened"),
        pytest.param(marker("follow-up", "12.3"), "follow-up 12.3", id="follow-up-names-its-key"),
        pytest.param(marker("handoff", 7), "the handoff comment", id="unknown-kind-by-name"),
        pytest.param("just a person's comment", "a warroom comment", id="not-a-marker"),
        pytest.param("> " + marker("status", 12), "a warroom comment", id="quoted-marker"),
    ],
)
def test_describe_marker_says_what_it_names(mark: str, words: str) -> None:
    assert describe_marker(mark) == words


@pytest.mark.parametrize(
    ("state", "text"),
    [
        pytest.param({}, "<!-- warroom-state {} -->", id="empty"),
        pytest.param(
            {"b": 1, "a": [1, 2]},
            '<!-- warroom-state {"a":[1,2],"b":1} -->',
            id="sorted-keys-no-spaces",
        ),
        pytest.param(
            {"k": "a-b>c"},
            '<!-- warroom-state {"k":"a\\u002db\\u003ec"} -->',
            id="dash-and-gt-in-a-string-lowercase-escapes",
        ),
        pytest.param(
            {"a-b": "x"},
            '<!-- warroom-state {"a\\u002db":"x"} -->',
            id="dash-in-a-key",
        ),
        pytest.param({"n": -1}, '<!-- warroom-state {"n":-1} -->', id="negative-number-untouched"),
        pytest.param(
            {"k": "\\-"},
            '<!-- warroom-state {"k":"\\\\\\u002d"} -->',
            id="dash-after-an-escaped-backslash-is-escaped",
        ),
        pytest.param(
            {"k": 'say "hi" -->'},
            '<!-- warroom-state {"k":"say \\"hi\\" \\u002d\\u002d\\u003e"} -->',
            id="escaped-quote-does-not-end-the-string",
        ),
        pytest.param(
            {"k": "x", "m": -2, "z": ">"},
            '<!-- warroom-state {"k":"x","m":-2,"z":"\\u003e"} -->',
            id="strings-end-and-start-again",
        ),
    ],
)
def test_encode_state_writes_exactly(state: dict[str, Any], text: str) -> None:
    assert encode_state(state) == text
    assert decode_state(text) == state


@pytest.mark.parametrize(
    ("body", "state"),
    [
        pytest.param(encode_state({"a": 1}), {"a": 1}, id="state-at-the-very-start"),
        pytest.param(
            encode_state({"a": 1}) + "\n<!-- a note -->",
            {"a": 1},
            id="a-later-html-comment-does-not-extend-the-state",
        ),
        pytest.param(
            encode_state({"a": 1}) + "\n" + encode_state({"a": 2}),
            {"a": 2},
            id="the-last-state-wins",
        ),
        pytest.param("<!-- warroom-state [1, 2] -->", {}, id="not-an-object"),
        pytest.param('<!-- warroom-state "text" -->', {}, id="a-string"),
        pytest.param('<!-- warroom-state {"a": 1}', {}, id="never-closed"),
        pytest.param("", {}, id="empty-body"),
    ],
)
def test_decode_state_finds_the_cache(body: str, state: dict[str, Any]) -> None:
    assert decode_state(body) == state


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        pytest.param("a\r\nb", "a\nb", id="crlf-is-one-line-end"),
        pytest.param("a\rb", "a\nb", id="lone-cr-is-a-line-end"),
        pytest.param("a\r\n\r\nb", "a\n\nb", id="blank-line-in-crlf"),
        pytest.param("Q & A <b>", "Q &amp; A &lt;b>", id="ampersand-and-lt-as-entities"),
        pytest.param("Title\n===", "Title\n\\===", id="setext-equals-underline"),
        pytest.param("Title\n  ---", "Title\n  \\---", id="setext-dash-keeps-indent"),
        pytest.param("# Heading", "\\# Heading", id="atx-heading"),
        pytest.param("> - # deep", "> - \\# deep", id="heading-after-quote-and-list"),
        pytest.param("[x](y) |", "\\[x\\](y) \\|", id="brackets-and-pipe"),
        pytest.param("a\\b", "a\\\\b", id="backslash"),
        pytest.param("@alice", "@\u2060alice", id="mention"),
        pytest.param("see #12", "see #\u206012", id="issue-reference"),
        pytest.param("https://x.io", "https\u2060://x.io", id="url-scheme"),
        pytest.param("mailto:a", "mailto\u2060:a", id="mailto"),
        pytest.param("www.x.io", "www\u2060.x.io", id="www"),
        pytest.param("GH-7", "GH-\u20607", id="gh-reference"),
        pytest.param("plain words", "plain words", id="plain-text-unchanged"),
    ],
)
def test_quote_exactly(text: str, quoted: str) -> None:
    assert quote(text) == quoted
