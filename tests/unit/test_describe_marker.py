"""Markers in words, as dry runs and logs show them (HTML comments are invisible there)."""

from __future__ import annotations

import pytest

from warroom.markers import describe_marker, marker


@pytest.mark.parametrize(
    ("kind", "key", "words"),
    [
        pytest.param("status", 12, "the status comment", id="status"),
        pytest.param("reply", 345, "the reply to comment 345", id="reply"),
        pytest.param(
            "reminder",
            "12.checkpoint-20261128T1630",
            "the reminder checkpoint-20261128T1630",
            id="reminder",
        ),
        pytest.param("severity-guard", "12.1795878000", "the severity note", id="severity-guard"),
        pytest.param("reopened", "12.1795878000", "the reopen notice", id="reopened"),
        pytest.param("follow-up", "12.345.0", "follow-up 12.345.0", id="follow-up"),
        pytest.param(
            "guardrail",
            "12.hero-mode.declared",
            "the guardrail notice hero-mode.declared",
            id="guardrail",
        ),
        pytest.param("message", 345, "the message for command comment 345", id="message"),
        pytest.param("review", "12.1795878000", "the review comment", id="other-kind"),
    ],
)
def test_each_marker_reads_as_words(kind: str, key: str | int, words: str) -> None:
    assert describe_marker(marker(kind, key)) == words


def test_text_that_is_no_marker_is_a_warroom_comment() -> None:
    assert describe_marker("hello") == "a warroom comment"
