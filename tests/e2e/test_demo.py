"""`warroom demo` plays the whole incident: the early close is reopened, the gate is then met."""

from __future__ import annotations

import subprocess
import sys

import pytest

from warroom.demo import play

pytestmark = pytest.mark.e2e


def test_demo_plays_the_incident_to_a_met_gate() -> None:
    lines: list[str] = []
    assert play(lines.append) == 0
    text = "\n".join(lines)
    # The invalid decision record got a reply naming the field, and the fix removed it.
    assert (
        '**Decision**: must be one of "continue mitigation", "rollback", "escalate+pause"' in text
    )
    assert "bot reply removed" in text
    # The early close was reopened by the gate and its run failed with an annotation.
    assert "workflow run for issues.closed: FAILED (exit 1)" in text
    assert "gate: blocked" in text
    # The second close stood, with the follow-ups opened and assigned.
    assert "issue #1 is closed; labels:" in text
    assert "gate: met" in text
    assert "phase: hardening" in text
    assert text.count("follow-up #") == 2
    assert "(1 red: the blocked closure)" in text


def test_demo_keep_prints_the_url_and_tokens_then_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "warroom", "demo", "--keep"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        seen: list[str] = []
        for line in process.stdout:
            seen.append(line)
            if line.startswith("  token for github-actions[bot]"):
                break
        text = "".join(seen)
        assert "The sandbox keeps running" in text
        assert "  API:    http://127.0.0.1:" in text
        assert process.poll() is None, "the sandbox should still be serving"
    finally:
        process.terminate()
        process.wait(timeout=30)
