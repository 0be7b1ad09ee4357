"""``warroom drill``: play a scenario against the local GitHub, on a compressed clock.

The shell of the drill. It starts the sandbox with ``warroom action`` dispatched
on every event (as ``warroom demo`` does), seeds the scenario's people and
history, opens the signal, and then ticks: it reads the signal issue and the
incident the players filed, derives the incident the way the Action does,
asks the pure script (``script.plan``) what is due, posts each beat as its
character over the REST API (so every beat is a real event the Action sees),
triggers the scheduled sweep on the workflow's beat, and ends when the
incident is closed with the gate met or the time limit passes. At the end it
posts the debrief (``debrief.py``) on the incident and keeps serving, so the
team can read it in the browser.

Reads go to the sandbox only when something happened (a webhook delivery) or
a timed beat may be due, so an idle drill costs nothing. Tests drive it with
a frozen clock: ``Drill(..., frozen=True)``, advance the clock, call
``tick()``; ``run_in_background()`` does the same on a thread for pages.
"""

from __future__ import annotations

import json
import logging
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import yaml
from github import Github

from warroom import sandbox_people
from warroom.config import Config
from warroom.drill import debrief as debriefing
from warroom.drill import script
from warroom.drill.facts import Beat, DrillFacts, EndedBy, EvidenceRun
from warroom.drill.scenario import Scenario, ScenarioError, available, fill, find
from warroom.errors import UsageError
from warroom.github.adapter import comment_snapshot, issue_snapshot
from warroom.incident import Incident, from_issue, people_records
from warroom.markers import oldest_own
from warroom.model import CommentSnapshot, IssueSnapshot
from warroom.report.reading import blocked_closure
from warroom.rules import closure_gate
from warroom.sandbox import Sandbox
from warroom.sandbox.serve import RunLog
from warroom.sandbox_people import SANDBOX_CONFIG

log = logging.getLogger("warroom.drill")

REFEREE = "drill[bot]"
"""The drill's own account: it answers ``/drill run`` and posts the debrief (a bot, so
warroom never reads its comments as records)."""
DEBRIEF_MARKER = "<!-- warroom:drill-debrief"
SWEEP_MINUTES = 5
"""The scheduled sweep's beat in drill minutes (GitHub's shortest cron)."""
BEAT_KINDS = ("monitor", "stakeholder", "contradiction", "red-rerun", "evidence")
DISMISSED = frozenset({"not_planned", "duplicate"})
"""GitHub's close reasons for an issue that was no incident."""
DEFAULT_SPEED = 10.0
MAX_SPEED = 120.0
TICK_SECONDS = 0.5
"""Real seconds between ticks while serving."""


def drill_config() -> Config:
    """The config the dispatched Action runs with, read the same way."""
    return Config.model_validate(yaml.safe_load(SANDBOX_CONFIG))


@dataclass
class _Read:
    """The last reading of the sandbox."""

    incident: Incident | None = None
    issue: IssueSnapshot | None = None
    comments: list[CommentSnapshot] = field(default_factory=list)
    said: list[script.Said] = field(default_factory=list)
    closes: tuple[datetime, ...] = ()
    """When the incident was closed: each close warroom undid, and a close that stands."""


class Drill:
    """One play of a scenario. ``start()``, then ``tick()`` (or ``serve``) until ``ended``."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        port: int = 0,
        speed: float = DEFAULT_SPEED,
        seed: int = 0,
        frozen: bool = False,
        start: datetime | None = None,
        report: Callable[[str], None] | None = None,
    ) -> None:
        if not 0 < speed <= MAX_SPEED:
            raise ScenarioError(
                f"--speed {speed}: write a factor above 0 and at most {MAX_SPEED:g} "
                "(10 plays a 60-minute drill in 6 minutes)"
            )
        self.scenario = scenario
        self.speed = speed
        self.seed = seed
        self.config = drill_config()
        self.report = report or (lambda line: None)
        self._scratch = tempfile.TemporaryDirectory(prefix="warroom-drill-")
        config_path = Path(self._scratch.name) / "warroom.yml"
        config_path.write_text(SANDBOX_CONFIG, encoding="utf-8")
        accounts = {
            **scenario.accounts(),
            scenario.monitoring_login(): "read",
            REFEREE: "read",
        }
        self.start_at = (start or datetime.now(UTC)).replace(microsecond=0)
        self.sandbox = Sandbox(
            port=port,
            dispatch=[sys.executable, "-m", "warroom", "action"],
            env={"WARROOM_CONFIG": str(config_path), "WARROOM_STATE_KEY": secrets.token_hex(16)},
            users=accounts,
            now=self.start_at,
            frozen=True,
            clock_rate=speed,
        )
        self._frozen = frozen
        self._lock = threading.RLock()
        self._dirty = threading.Event()
        self._dirty.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._clients: dict[str, Github] = {}
        self.started_at = self.start_at
        self.signal = 0
        self.signal_body = ""
        self.fired: set[str] = set()
        self.beats: list[Beat] = []
        self.evidence_runs: list[EvidenceRun] = []
        self.log: list[tuple[datetime, str]] = []
        self.ended_at: datetime | None = None
        self.ended_by: EndedBy | None = None
        self.debrief_markdown: str | None = None
        self.debrief_json_text: str | None = None
        self._last_sweep: datetime | None = None
        self._failures = 0
        self._retry_at = 0.0
        self._read = _Read()

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        """Serve the sandbox, seed the history, open the signal; the one JSON line's content."""
        self.sandbox.start()
        self.sandbox.add_delivery_listener(lambda delivery: self._dirty.set())
        for commit in self.scenario.history:
            self.sandbox.set_clock(now=self.start_at - timedelta(minutes=commit.minutes_before))
            self.sandbox.add_commit(
                commit.message,
                list(commit.files),
                user=self.scenario.team.mitigation.login,
                sha=commit.sha,
                tags=[commit.tag] if commit.tag else [],
            )
        self.sandbox.set_clock(now=self.start_at, frozen=self._frozen)
        self.started_at = self.sandbox.clock.now()
        numbers = script.numbers_at(
            self.scenario, 0, self._observed(self.started_at), self.started_at, self.seed
        )
        body = fill(self.scenario.signal.body, {**self._values(), **numbers})
        issue = self._repo(self.scenario.monitoring_login()).create_issue(
            title=self.scenario.signal.title, body=body
        )
        self.signal = issue.number
        self.signal_body = body
        self._note(self.started_at, f"the signal opened as #{self.signal}")
        self.beats.append(
            Beat(
                "signal",
                "signal",
                self.started_at,
                self.scenario.monitoring_login(),
                self.signal,
                None,
                "the opening signal",
            )
        )
        self._last_sweep = self.started_at
        self.sandbox.drill_panel = self
        return self.info()

    def info(self) -> dict[str, Any]:
        """What ``warroom drill`` prints: where to look, and as whom to post."""
        return {
            "url": f"{self.sandbox.base_url}/_drill",
            "api_url": self.sandbox.api_url,
            "repo": self.sandbox.repo_full_name,
            "tokens": {
                login: token
                for login, token in self.sandbox.tokens.items()
                if login in self.scenario.players()
            },
            "scenario": self.scenario.name,
        }

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.sandbox.stop()
        self._scratch.cleanup()

    def __enter__(self) -> Drill:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve(self, stop: threading.Event) -> None:
        """Tick until ``stop`` is set; after the end, keep serving the pages."""
        while not stop.wait(TICK_SECONDS) and not self._stop.is_set():
            self.safe_tick()

    def safe_tick(self) -> list[str]:
        """``tick``, but a failure is logged and the next tick tries again.

        A drill is a long-running session: one refused request (the sandbox's rate
        limit, an injected fault) must not end it silently. Nothing is lost: a beat
        that was not posted is not marked said, so the next tick posts it.
        """
        if time.monotonic() < self._retry_at:
            return []
        try:
            done = self.tick()
        except Exception as exc:  # the drill goes on; the log says why
            log.debug("drill: a tick failed", exc_info=True)
            self._failures += 1
            # Back off while it keeps failing (0.5 s doubling to 30 s), and say so less often.
            self._retry_at = time.monotonic() + min(30.0, TICK_SECONDS * 2**self._failures)
            self._dirty.set()
            if self._failures & (self._failures - 1):
                return []  # said at 1, 2, 4, 8 ... failures in a row
            line = (
                f"a tick failed ({exc.__class__.__name__}: {str(exc)[:200]}); "
                f"trying again ({self._failures} in a row)"
            )
            return [self._note(self.sandbox.clock.now(), line)]
        self._failures, self._retry_at = 0, 0.0
        return done

    def run_in_background(self) -> None:
        """Tick on a thread (a test or a page drives the clock)."""
        self._thread = threading.Thread(
            target=self.serve, args=(self._stop,), name="warroom-drill", daemon=True
        )
        self._thread.start()

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    # -- one tick ------------------------------------------------------------------------

    def tick(self) -> list[str]:
        """Post what is due, sweep on the beat, end when the gate is met or time is up.

        Returns the log lines of what it did (also kept for the page)."""
        with self._lock:
            if self.ended:
                return []
            now = self.sandbox.clock.now()
            done: list[str] = []
            if self._dirty.is_set() or self.sandbox.pending_runs:
                self._dirty.clear()
                self._read = self._read_sandbox()
                self._recover_beats()
            observed = self._observed(now)
            for say in script.plan(
                self.scenario,
                observed,
                started_at=self.started_at,
                signal=self.signal,
                fired=self.fired,
                seed=self.seed,
            ):
                done.append(self._post(say, now))
            if self._last_sweep is not None and now - self._last_sweep >= timedelta(
                minutes=SWEEP_MINUTES
            ):
                self._last_sweep = now
                self.sandbox.schedule()
            ended_by = self._ending(now)
            if ended_by is not None:
                done.append(self._end(now, ended_by))
            return done

    def _recover_beats(self) -> None:
        """Beats on the issues that this drill did not see posted (applied, then the answer
        failed): marked said, and kept for the log and the debrief like any other."""
        found = script.said_beats(self._read.said, self.scripted())
        for key in sorted(found - self.fired):
            cast = {login.lower() for login in self.scripted()}
            comment = next(
                c
                for c in self._read.said
                if c.author.lower() in cast and c.body.startswith(script.beat_marker(key))
            )
            kind = next((k for k in BEAT_KINDS if key == k or key.startswith(k + "-")), "monitor")
            self.beats.append(
                Beat(
                    key,
                    kind,
                    comment.at,
                    comment.author,
                    comment.issue,
                    comment.id,
                    "posted; found on the issue after its answer failed",
                )
            )
            self._note(comment.at, f"found beat {key} on #{comment.issue} after a failed answer")
        self.fired |= found

    def _observed(self, now: datetime) -> script.Observed:
        read = self._read
        return script.observe(
            self.scenario,
            self.config,
            now=now,
            started_at=self.started_at,
            incident=read.incident,
            comments=read.said,
            scripted=self.scripted(),
            closes=read.closes,
        )

    def _ending(self, now: datetime) -> EndedBy | None:
        if now - self.started_at >= timedelta(minutes=self.scenario.time_limit_minutes):
            return "time"
        read = self._read
        if (
            read.issue is not None
            and read.issue.state == "closed"
            and read.incident is not None
            and self.sandbox.pending_runs == 0
            and not self._dirty.is_set()
            and closure_gate.is_met(closure_gate.evaluate(read.incident, self.config))
        ):
            return "gate"
        return None

    # -- reading -------------------------------------------------------------------------

    def _read_sandbox(self) -> _Read:
        repo = self._repo(REFEREE)
        said: list[script.Said] = []
        alert = repo.get_issue(self.signal)
        for comment in alert.get_comments():
            said.append(_said(comment_snapshot(comment), self.signal))
        found = [
            issue
            for issue in repo.get_issues(
                state="all", labels=[self.config.labels.incident], sort="created", direction="asc"
            )
            if issue.number > self.signal and issue.pull_request is None
        ]
        if not found:
            return _Read(said=said)
        # The drill's incident: the first one filed that was not dismissed (a false start
        # closed as not planned or a duplicate gives way to the one filed after it).
        chosen = next(
            (i for i in found if not (i.state == "closed" and i.state_reason in DISMISSED)),
            found[-1],
        )
        issue = issue_snapshot(chosen)
        comments = [comment_snapshot(c) for c in chosen.get_comments()]
        said.extend(_said(c, issue.number) for c in comments)
        people = people_records(comments, self.config)
        incident = from_issue(issue, people, permissions=self.levels(), config=self.config)
        closes = [b.at for c in comments if (b := blocked_closure(c)) is not None]
        if issue.state == "closed" and issue.closed_at is not None:
            closes.append(issue.closed_at)
        return _Read(incident, issue, comments, said, tuple(closes))

    # -- writing -------------------------------------------------------------------------

    def _client(self, login: str) -> Github:
        if login not in self._clients:
            token = self.sandbox.tokens[login]
            self._clients[login] = sandbox_people.client(self.sandbox.api_url, token)
        return self._clients[login]

    def _repo(self, login: str) -> Any:
        return self._client(login).get_repo(self.sandbox.repo_full_name)

    def _values(self) -> dict[str, str]:
        team = self.scenario.team
        return {
            "now": script.people_time(self.sandbox.clock.now()),
            "minute": "T+00",
            "incident": str(self.signal),
            "signal": str(self.signal),
            "commander": team.commander.login,
            "comms": team.comms.login,
            "mitigation": team.mitigation.login,
            "verification": team.verification.login,
        }

    def _post(self, say: script.Say, now: datetime) -> str:
        login = say.login or REFEREE
        number = say.issue or (
            self._read.issue.number
            if say.where == "incident" and self._read.issue is not None
            else self.signal
        )
        body = f"{script.beat_marker(say.key)}\n{say.body}"
        created = self._repo(login).get_issue(number).create_comment(body)
        self.fired.add(say.key)
        self._dirty.set()
        self.beats.append(Beat(say.key, say.kind, now, login, number, created.id, say.summary))
        for asked in say.asked:
            found = self.scenario.command(asked.command) if asked.command else None
            if found is not None:
                self.evidence_runs.append(
                    EvidenceRun(found.command, asked.author, now, found.reveals)
                )
        return self._note(now, f"{say.summary} (#{number})")

    def _note(self, when: datetime, what: str) -> str:
        line = f"{script.drill_time(self.started_at, when)} {what}"
        self.log.append((when, what))
        self.report(line)
        return line

    # -- the end -------------------------------------------------------------------------

    def levels(self) -> dict[str, str]:
        """Every seeded account's permission (lower-case login): the web view lets a player
        post as any of them, and warroom counts their records by it, so the drill does too."""
        with self.sandbox.state.lock:
            return {u.login.lower(): u.permission for u in self.sandbox.state.users.values()}

    def scripted(self) -> tuple[str, ...]:
        """The accounts the script posts as."""
        cast = self.scenario.cast
        return (
            self.scenario.monitoring_login(),
            cast.stakeholder.login,
            cast.second_owner.login,
            cast.verifier.login,
            REFEREE,
        )

    def facts(self, now: datetime, ended_by: EndedBy) -> DrillFacts:
        return DrillFacts(
            scenario=self.scenario.name,
            title=self.scenario.title,
            started_at=self.started_at,
            ended_at=now,
            ended_by=ended_by,
            speed=self.speed,
            timeline_minutes=self.scenario.timeline_minutes,
            time_limit_minutes=self.scenario.time_limit_minutes,
            signal_issue=self.signal,
            incident=self._read.issue.number if self._read.issue is not None else None,
            players=self.scenario.players(),
            scripted=self.scripted(),
            beats=tuple(self.beats),
            evidence_runs=tuple(self.evidence_runs),
        )

    def _end(self, now: datetime, ended_by: EndedBy) -> str:
        self.sandbox.wait_idle(120)
        self._read = self._read_sandbox()
        facts = self.facts(now, ended_by)
        built = debriefing.build(
            self._read.issue,
            self._read.comments,
            permissions=self.levels(),
            config=self.config,
            facts=facts,
        )
        markdown = debriefing.render_markdown(built)
        text = debriefing.render_json(built)
        number = self._read.issue.number if self._read.issue is not None else self.signal
        target = self._repo(REFEREE).get_issue(number)
        # Posted once: a post the sandbox applied and then failed is found, not repeated.
        there = [comment_snapshot(c) for c in target.get_comments()]
        if oldest_own(there, debriefing.KIND, number) is None:
            target.create_comment(markdown)
        # Only now is the drill over: the page, --output and the clock see it ended.
        self.debrief_markdown, self.debrief_json_text = markdown, text
        self.ended_at, self.ended_by = now, ended_by
        how = "the gate was met" if ended_by == "gate" else "the time limit passed"
        return self._note(now, f"the drill ended: {how}; the debrief is on #{number}")

    # -- the web view's panel (``sandbox.web.drill_panel.DrillPanel``) ----------------------

    # The panel reads without the tick's lock (a tick may wait for runs): attribute reads
    # are atomic and lists are copied, so a page shows a consistent-enough moment.

    def banner(self) -> dict[str, Any]:
        until = self.ended_at or self.sandbox.clock.now()
        return {
            "scenario": self.scenario.title,
            "elapsed": script.drill_time(self.started_at, until),
            "elapsed_seconds": max(0, int((until - self.started_at).total_seconds())),
            "limit": f"{self.scenario.timeline_minutes:02d}:00",
            "speed": self.speed if not self.sandbox.clock.frozen else 0.0,
            "state": "ended" if self.ended else "running",
            "ended_by": self.ended_by,
        }

    def page(self) -> dict[str, Any]:
        base = self.sandbox.base_url
        repo = self.sandbox.repo_full_name
        scenario = self.scenario
        issue = self._read.issue

        def person(login: str, role: str, level: str) -> dict[str, str]:
            return {"login": login, "role": role, "level": level}

        cast = scenario.cast
        return {
            "name": scenario.name,
            "title": scenario.title,
            "summary": scenario.summary,
            "signal": {
                "title": scenario.signal.title,
                "body": self.signal_body,
                "url": f"{base}/{repo}/issues/{self.signal}",
            },
            "team": [person(p.login, p.role, p.level) for p in scenario.team.people()],
            "cast": [
                person(scenario.monitoring_login(), "monitoring", "bot"),
                person(cast.stakeholder.login, cast.stakeholder.role, cast.stakeholder.level),
                person(cast.second_owner.login, cast.second_owner.role, cast.second_owner.level),
                person(cast.verifier.login, cast.verifier.role, cast.verifier.level),
            ],
            "commands": [
                {"command": f"/drill run {e.command}", "reveals": e.reveals}
                for e in scenario.evidence
            ],
            "incident": f"{base}/{repo}/issues/{issue.number}" if issue is not None else None,
            "log": [
                {"at": script.drill_time(self.started_at, when), "what": what}
                for when, what in list(self.log)
            ],
            "debrief_markdown": self.debrief_markdown,
        }

    def debrief_json(self) -> str | None:
        return self.debrief_json_text


def _said(comment: CommentSnapshot, issue: int) -> script.Said:
    return script.Said(
        comment.id, comment.author, comment.body, comment.created_at, comment.author_is_bot, issue
    )


def announce_line(info: dict[str, Any]) -> str:
    """The one JSON line ``warroom drill`` prints first."""
    return json.dumps(info, sort_keys=True)


def listing(folder: Path | None) -> list[str]:
    """``warroom drill --list``: one line per scenario, name then title."""
    found = available(folder)
    width = max(len(name) for name in found)
    return [
        f"{name.ljust(width)}  {s.title} ({s.severity}, {s.timeline_minutes} min)"
        for name, s in sorted(found.items())
    ]


def drill_main(
    wanted: str | None,
    *,
    port: int,
    speed: float,
    seed: int,
    folder: Path | None,
    list_only: bool,
    echo: Callable[[str], None],
    report: Callable[[str], None],
    output: Path | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run ``warroom drill``: print the one JSON line, then serve until stopped.

    With ``output``, the debrief's JSON is also written there when the drill ends."""
    if list_only:
        for line in listing(folder):
            echo(line)
        return 0
    if not wanted:
        raise UsageError(
            "name a scenario, such as `warroom drill auth-token-failure`; "
            "`warroom drill --list` shows them"
        )
    scenario = find(wanted, folder)
    check_evidence(scenario, drill_config())
    if output is not None:
        try:
            with output.open("a", encoding="utf-8"):
                pass  # writable now, so the end of a drill does not find out it is not
        except OSError as exc:
            raise UsageError(
                f"--output {output}: cannot write there ({exc.strerror or exc}); give a file "
                "path in a folder you can write, such as debrief.json"
            ) from None
    stop = stop or threading.Event()
    drill = Drill(scenario, port=port, speed=speed, seed=seed, report=report)
    try:
        drill.start()
    except OSError as exc:
        drill.stop()
        raise UsageError(
            f"--port {port}: cannot listen ({exc.strerror or exc}); choose another (0 picks one)"
        ) from None
    if threading.current_thread() is threading.main_thread():

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()
            # A second Ctrl-C while the drill finishes a tick stops at once.
            signal.signal(signal.SIGINT, signal.SIG_DFL)

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    runs = RunLog(drill.sandbox, report)
    try:
        echo(announce_line(drill.info()))
        written = False
        while not stop.wait(TICK_SECONDS):
            drill.safe_tick()
            runs.poll()
            text = drill.debrief_json()
            if output is not None and text is not None and not written:
                written = True
                try:
                    output.write_text(text + "\n", encoding="utf-8")
                    report(f"the debrief is written to {output}")
                except OSError as exc:
                    report(
                        f"--output {output}: cannot write the debrief ({exc.strerror or exc}); "
                        f"it is at {drill.info()['url']}/debrief.json"
                    )
    finally:
        drill.stop()
    return 0


def check_evidence(scenario: Scenario, config: Config) -> None:
    """Every ``reveals`` names an item of the evidence minimum the form's scenario sets."""
    minimum = config.scenario(scenario.form_scenario)
    if minimum is None:
        known = ", ".join(sorted(config.scenarios))
        raise ScenarioError(
            f"scenario {scenario.name}: form_scenario {scenario.form_scenario!r} is not a scenario "
            f"of the incident form or the config; write one of: {known}"
        )
    labels = {item.label.lower(): item for item in (minimum.evidence if minimum else ())}
    for index, evidence in enumerate(scenario.evidence):
        if evidence.reveals and evidence.reveals.lower() not in labels:
            shown = ", ".join(sorted(labels)) or "none: leave reveals empty"
            raise ScenarioError(
                f"scenario {scenario.name}: evidence.{index}.reveals {evidence.reveals!r} is not "
                f"an item of the {scenario.form_scenario!r} evidence minimum; write one of: {shown}"
            )
