"""``warroom drill``: the command a team runs, as a process: its one JSON line, its refusals."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from github import Auth, Github

pytestmark = pytest.mark.e2e


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warroom", "drill", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_list_names_the_three_scenarios() -> None:
    done = _run("--list")
    assert done.returncode == 0, done.stderr
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names == ["auth-token-failure", "billing-state-mismatch", "permission-leak"]
    assert "SEV-1, 60 min" in done.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(
            ("auth",), "no scenario 'auth'; write one of auth-token-failure", id="unknown"
        ),
        pytest.param((), "name a scenario, such as `warroom drill auth-token-failure`", id="none"),
        pytest.param(
            ("auth-token-failure", "--speed", "0"),
            "--speed 0.0: write a factor above 0",
            id="speed",
        ),
        pytest.param(("missing.yml",), "missing.yml: cannot read it", id="missing-file"),
    ],
)
def test_a_wrong_call_exits_2_with_the_fix_and_no_traceback(
    args: tuple[str, ...], says: str
) -> None:
    done = _run(*args)
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_a_teams_broken_file_is_refused_before_anything_starts(tmp_path: Path) -> None:
    path = tmp_path / "ours.yml"
    path.write_text("name: ours\ntitle: Ours\n", encoding="utf-8")
    done = _run(str(path))
    assert done.returncode == 2
    assert f"{path}: summary: missing; add it" in done.stderr


def test_a_drill_announces_itself_opens_the_signal_and_stops_cleanly() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "warroom",
            "drill",
            "permission-leak",
            "--speed",
            "60",
            "--seed",
            "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert set(info) == {"url", "api_url", "repo", "tokens", "scenario"}
        assert info["scenario"] == "permission-leak"
        assert info["url"].endswith("/_drill")
        assert "mara-okafor" in info["tokens"]
        client = Github(
            base_url=info["api_url"], auth=Auth.Token(info["tokens"]["mara-okafor"]), retry=None
        )
        repo = client.get_repo(info["repo"])
        alert = repo.get_issue(1)
        assert alert.title.startswith("[report] Authorization bypass")
        assert alert.user.login == "edgeguard[bot]"
        # at 60x a monitoring beat (every 5 drill minutes) comes within about 5 real seconds
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and alert.comments == 0:
            time.sleep(0.5)
            alert = repo.get_issue(1)
        assert alert.comments >= 1
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "T+00:00 the signal opened as #1" in err
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_a_short_drill_of_a_teams_own_times_out_and_writes_its_debrief(tmp_path: Path) -> None:
    from warroom.drill.scenario import __file__ as scenario_module

    source = Path(scenario_module).parent / "scenarios" / "auth-token-failure.yml"
    ours = tmp_path / "ours.yml"
    text = source.read_text(encoding="utf-8")
    text = text.replace("name: auth-token-failure", "name: ours-short")
    text = text.replace("timeline_minutes: 60", "timeline_minutes: 10")
    text = text.replace("time_limit_minutes: 90", "time_limit_minutes: 10")
    ours.write_text(text, encoding="utf-8")
    output = tmp_path / "debrief.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "warroom",
            "drill",
            str(ours),
            "--speed",
            "120",
            "--output",
            str(output),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["scenario"] == "ours-short"
        deadline = time.monotonic() + 60  # 10 drill minutes at 120x: about 5 real seconds
        assert output.exists(), "--output is checked (and created) at start-up"
        while time.monotonic() < deadline and not output.read_text(encoding="utf-8"):
            time.sleep(0.5)
        assert output.read_text(encoding="utf-8"), "no debrief written"
        json.loads(output.read_text(encoding="utf-8"))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "the drill ended: the time limit passed" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_output_must_be_a_file_in_an_existing_folder(tmp_path: Path) -> None:
    done = _run("auth-token-failure", "--output", str(tmp_path / "nope" / "d.json"))
    assert done.returncode == 2
    assert "cannot write there" in done.stderr
    assert "Traceback" not in done.stderr
