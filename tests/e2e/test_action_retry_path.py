"""Every request warroom sends goes through its one retrying path (issue 7 §1).

The whole demo incident is played twice: once on a healthy network, once with
``tests/support/flaky_action.py`` as the workflow's command, which drops the
first attempt of every distinct request (writes after GitHub applied them).
If any request escaped the retrying path — a lazy PyGithub attribute, a bare
look-up — that run would die with a traceback; if a write were retried without
asking whether it happened, something would be there twice.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.e2e.action_support import STATE_KEY, TEAM, MakeSandbox
from tests.e2e.story_state import end_state, play
from tests.support import REPO_ROOT
from warroom import demo, sandbox_people


def _sandbox(
    make_sandbox: MakeSandbox, tmp_path: Path, command: list[str], env: dict[str, str]
) -> Any:
    config = tmp_path / "warroom.yml"
    config.write_text(sandbox_people.SANDBOX_CONFIG, encoding="utf-8")
    return make_sandbox(
        dispatch=command,
        env={"WARROOM_CONFIG": str(config), "WARROOM_STATE_KEY": STATE_KEY, **env},
        users=TEAM,
        now=demo.START,
        frozen=True,
    )


def _verdicts(sb: Any) -> list[tuple[str, str | None, int | None]]:
    return [(r["event"], r["action"], r["exit_code"]) for r in sb.runs()]


def test_every_request_is_retried_through_the_one_path(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    clean = _sandbox(make_sandbox, tmp_path, [sys.executable, "-m", "warroom", "action"], {})
    expected = end_state(clean, play(clean))

    log = tmp_path / "attempts.jsonl"
    flaky = _sandbox(
        make_sandbox,
        tmp_path,
        [sys.executable, "-m", "tests.support.flaky_action"],
        {"FLAKY_LOG": str(log), "PYTHONPATH": str(REPO_ROOT)},
    )
    number = play(flaky)

    for run in flaky.runs():
        assert "Traceback" not in run["stderr"], run["stderr"]
    assert _verdicts(flaky) == _verdicts(clean)
    assert end_state(flaky, number) == expected

    attempts = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    dropped = [a for a in attempts if a["failed"]]
    assert len(dropped) > 50  # the whole story's requests, each dropped once
    # Every dropped read was sent again; a dropped write was sent again or found done.
    for attempt in dropped:
        if attempt["method"] == "GET":
            again = [a for a in attempts if a["url"] == attempt["url"] and not a["failed"]]
            assert again, f"{attempt['method']} {attempt['url']} was never retried"
