"""`warroom demo` plays the whole incident: the early close is reopened, the gate is then met."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from warroom import story
from warroom.demo import Demo, play

pytestmark = pytest.mark.e2e


GOLDEN = Path(__file__).parents[1] / "fixtures" / "bot" / "package-demo.md"
UPDATE = os.environ.get("WARROOM_UPDATE_FIXTURES") == "1"


def test_demo_plays_the_incident_to_a_met_gate() -> None:
    lines: list[str] = []
    played: list[Demo] = []
    assert play(lines.append, done=played.append) == 0
    text = "\n".join(lines)
    # The invalid decision record got a reply naming the field, and the fix removed it.
    assert (
        '**Decision**: must be one of "continue mitigation", "rollback", "escalate+pause"' in text
    )
    assert "bot reply removed" in text
    assert "    bot: Status: recovered" in text  # the reply to /warroom status-update
    # The early close was reopened by the gate and its run failed with an annotation.
    assert "workflow run for issues.closed: FAILED (exit 1)" in text
    assert "gate: blocked" in text
    # The second close stood, with the follow-ups opened and assigned.
    assert "issue #1 is closed; labels:" in text
    assert "gate: met" in text
    assert "phase: hardening" in text
    assert text.count("follow-up #") == 2
    assert "(1 red: the blocked closure)" in text
    # It ends with the closure review package posted: one comment, compared with the reviewed
    # golden file (the sandbox's port aside).
    assert "closure review package posted on #1:" in text
    assert "      2. Mitigation diff summary" in text
    package = re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:PORT", played[0].package)
    if UPDATE:
        GOLDEN.write_text(package, encoding="utf-8")
    assert package == GOLDEN.read_text(encoding="utf-8")
    # It ends by saying how to look at the result: the demo kept running, and a curl line.
    assert lines[-8:] == [
        "To look at the result yourself, run the demo again with its sandbox kept running:",
        "  warroom demo --keep",
        "It ends by printing the sandbox's PORT in its API URL, a TOKEN, and this command,",
        "which shows the incident's comments (the bot's status comment among them):",
        '  curl -s -H "Authorization: token $TOKEN" '
        "http://127.0.0.1:PORT/api/v3/repos/acme/service/issues/1/comments",
        "",
        "To practise the playbook yourselves, in a browser, on a compressed clock:",
        "  warroom drill --list",
    ]


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
            if line.startswith("  curl "):
                break
        text = "".join(seen)
        assert "The sandbox keeps running" in text
        assert "  API:    http://127.0.0.1:" in text
        web = re.search(r"  web:    (http://127\.0\.0\.1:\d+/acme/service/issues/1)  ", text)
        assert web, text
        with urllib.request.urlopen(web[1], timeout=30) as answer:
            page = answer.read().decode()
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "[incident] 401s on every authenticated API call" in page
        assert f"  token for {story.COMMANDER}: " in text
        assert process.poll() is None, "the sandbox should still be serving"
        comments = _run_printed_curl(seen)
    finally:
        process.terminate()
        process.wait(timeout=30)
    # The printed lines, pasted, show the incident's comments: the status comment first.
    assert comments[0]["body"].startswith("<!-- warroom:status:1 -->")
    assert comments[0]["user"]["login"] == "github-actions[bot]"


def _run_printed_curl(seen: list[str]) -> list[dict[str, Any]]:
    """Do what the printed ``TOKEN=...`` and ``curl`` lines do, as a shell would."""
    token_line, curl_line = (line.strip() for line in seen[-2:])
    assert token_line.startswith("TOKEN=")
    words = shlex.split(curl_line.replace("$TOKEN", token_line.removeprefix("TOKEN=")))
    assert words[:3] == ["curl", "-s", "-H"]
    name, _, value = words[3].partition(": ")
    assert name == "Authorization"
    assert re.fullmatch(
        r"http://127\.0\.0\.1:\d+/api/v3/repos/acme/service/issues/1/comments", words[4]
    )
    request = urllib.request.Request(words[4], headers={name: value})
    with urllib.request.urlopen(request, timeout=30) as answer:
        found = json.load(answer)
    assert isinstance(found, list)
    return found
