"""The Actions side: run a command for each event, the way a workflow run would.

Each run gets the environment a GitHub-hosted job gets (``GITHUB_EVENT_NAME``,
``GITHUB_EVENT_PATH``, ``GITHUB_TOKEN``, ``GITHUB_OUTPUT``, ``GITHUB_RUN_ATTEMPT``
...) plus ``WARROOM_NOW`` from the sandbox clock and ``WARROOM_STATE_DIR`` (the
repository's state directory, restored before the run and saved after it, as
``actions/cache`` would), in a fresh working directory (or in a given
``workspace``, standing for the repository a job checks out). The command is an
argv list and never goes through a shell.

Runs wait in the workflow's concurrency group (``warroom-<issue number>``,
``warroom-pr-<number>`` for ``pull_request`` events, or ``warroom-sweep`` for
events without either) the way GitHub's
``concurrency: {group, cancel-in-progress: false}`` makes them: at most one run
of a group runs and at most one waits; a newer waiting run replaces the older
one, which ends ``cancelled``. Different groups run side by side, up to
``max_parallel``. A completed run can be re-run with the same event and
payload: same ``GITHUB_RUN_ID``, ``GITHUB_RUN_ATTEMPT`` + 1, and every attempt
stays in the run log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warroom.sandbox.cache import RunStateCache, SavedBy

log = logging.getLogger("warroom.sandbox")

_OUTPUT_LIMIT = 1_000_000
_STRIPPED_PREFIXES = ("GITHUB_", "RUNNER_", "ACTIONS_", "WARROOM_")

FAILED: frozenset[str] = frozenset({"failure", "timed_out", "startup_failure"})
"""The conclusions "re-run failed" picks up; a run ``cancelled`` by a newer one is not failed."""

_REPLACED = "Canceling since a higher priority waiting request for '{group}' exists"
"""GitHub's annotation on a waiting run that a newer one in its group replaced."""


class RunBusy(Exception):
    """A re-run was asked for a run that has not completed; the message says what to do."""


@dataclass(frozen=True)
class RunContext:
    """What every run's environment is built from; fixed once the server listens."""

    repository: str
    repository_id: int
    owner: str
    api_url: str
    server_url: str
    schedule_actor: str
    now: Callable[[], str]
    mint_token: Callable[[int, int], str]
    revoke_token: Callable[[str], None]
    extra_env: Mapping[str, str] = field(default_factory=dict)
    workspace: Path | None = None
    state: RunStateCache | None = None


@dataclass
class Run:
    """One dispatched run: its event, its current attempt, and the attempts before it."""

    id: int
    number: int
    event: str
    action: str | None
    delivery_id: str
    group: str
    actor: str
    actor_id: int
    payload: dict[str, Any]
    attempt: int = 1
    triggering_actor: str = ""
    status: str = "queued"
    conclusion: str | None = None
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    step_summary: str = ""
    queued_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    now: str | None = None
    cancelled_by: int | None = None
    requests: dict[str, int] = field(default_factory=dict)
    earlier: list[dict[str, Any]] = field(default_factory=list)

    def attempt_json(self) -> dict[str, Any]:
        """The current attempt as the run log lists it."""
        return {
            "attempt": self.attempt,
            "triggering_actor": self.triggering_actor or self.actor,
            "status": self.status,
            "conclusion": self.conclusion,
            "exit_code": self.exit_code,
            "cancelled_by": self.cancelled_by,
            "queued_at": self.queued_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "warroom_now": self.now,
            "outputs": dict(self.outputs),
            "step_summary": self.step_summary,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "requests": dict(self.requests),
            "request_count": sum(self.requests.values()),
        }

    def to_json(self, *, payload: bool = False) -> dict[str, Any]:
        """The run: the latest attempt's fields at the top, every attempt under ``attempts``."""
        current = self.attempt_json()
        out: dict[str, Any] = {
            "id": self.id,
            "run_number": self.number,
            "run_attempt": self.attempt,
            "event": self.event,
            "action": self.action,
            "delivery_id": self.delivery_id,
            "group": self.group,
            "actor": self.actor,
            **{k: v for k, v in current.items() if k != "attempt"},
            "attempts": [*self.earlier, current],
        }
        if payload:
            out["payload"] = self.payload
        return out

    def next_attempt(self, triggering_actor: str, queued_at: str) -> None:
        """Keep the finished attempt in the log and queue the next one, same event and payload."""
        self.earlier.append(self.attempt_json())
        self.attempt += 1
        self.triggering_actor = triggering_actor
        self.status = "queued"
        self.conclusion = None
        self.exit_code = None
        self.stdout = self.stderr = self.step_summary = ""
        self.outputs = {}
        self.queued_at = queued_at
        self.started_at = self.finished_at = self.now = None
        self.cancelled_by = None
        self.requests = {}


def parse_output_file(text: str) -> dict[str, str]:
    """Read ``GITHUB_OUTPUT``: ``name=value`` lines and ``name<<DELIM`` blocks."""
    outputs: dict[str, str] = {}
    # Only "\n" ends a line, as for the runner: str.splitlines() would also split values
    # at characters such as U+2028 that are ordinary text to GitHub.
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block: list[str] = []
            while i < len(lines) and lines[i] != delimiter:
                block.append(lines[i])
                i += 1
            i += 1
            outputs[name.strip()] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name.strip()] = value
    return outputs


_SAVED = frozenset({"success", "failure"})
"""Conclusions after which the state directory is saved (the command ran to its end)."""


def concurrency_group(payload: Mapping[str, Any]) -> str:
    """The workflow's group: ``warroom-${{ github.event.issue.number || 'sweep' }}``.

    A ``pull_request`` event (the merge-freeze check) waits in
    ``warroom-pr-${{ github.event.pull_request.number }}``, so a pull request's
    checks queue behind each other and never behind an incident's runs.
    """
    issue = payload.get("issue")
    if isinstance(issue, Mapping) and isinstance(issue.get("number"), int) and issue["number"]:
        return f"warroom-{issue['number']}"
    pull = payload.get("pull_request")
    if isinstance(pull, Mapping) and isinstance(pull.get("number"), int) and pull["number"]:
        return f"warroom-pr-{pull['number']}"
    return "warroom-sweep"


def _tail(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    return text if len(text) <= _OUTPUT_LIMIT else text[-_OUTPUT_LIMIT:]


class Dispatcher:
    """Queues events as runs in their concurrency groups, runs them, and records what they did."""

    def __init__(
        self,
        command: str | Sequence[str],
        *,
        timeout: float = 300.0,
        max_parallel: int = 4,
        first_run_id: int = 8_000_000_001,
    ) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise ValueError("dispatch command is empty: give a command such as 'warroom action'")
        self.timeout = timeout
        self.context: RunContext | None = None
        self._lock = threading.Condition()
        self._slots = threading.Semaphore(max(1, max_parallel))
        self._queues: dict[str, deque[Run]] = {}
        self._active_groups: set[str] = set()
        self._pending = 0
        self._runs: dict[int, Run] = {}
        self._next_id = first_run_id
        self._next_number = 1
        self._stopped = False
        self._procs: set[subprocess.Popen[bytes]] = set()

    def _now(self) -> str:
        return self.context.now() if self.context else ""

    # -- queueing ------------------------------------------------------------------

    def submit(
        self, event: str, payload: dict[str, Any], delivery_id: str, actor: str, actor_id: int
    ) -> Run:
        """Queue a run for an event; call in the order events happened."""
        action = payload.get("action")
        with self._lock:
            run = Run(
                id=self._next_id,
                number=self._next_number,
                event=event,
                action=action if isinstance(action, str) else None,
                delivery_id=delivery_id,
                group=concurrency_group(payload),
                actor=actor,
                actor_id=actor_id,
                payload=payload,
                triggering_actor=actor,
                queued_at=self._now(),
            )
            self._next_id += 1
            self._next_number += 1
            self._runs[run.id] = run
            self._admit(run)
        return run

    def _admit(self, run: Run) -> None:
        """Put a queued run in its group (under the lock): run it now, or let it wait."""
        self._pending += 1
        if self._stopped:
            self._cancel(run)
            return
        if run.group not in self._active_groups:
            self._active_groups.add(run.group)
            threading.Thread(
                target=self._drain, args=(run.group, run), name=f"run-{run.group}", daemon=True
            ).start()
            return
        queue = self._queues.setdefault(run.group, deque())
        while queue:  # at most one waits: the newer replaces it
            self._cancel(queue.popleft(), replaced_by=run)
        queue.append(run)

    def _cancel(self, run: Run, *, replaced_by: Run | None = None) -> None:
        """End a run that never started (under the lock)."""
        run.status = "completed"
        run.conclusion = "cancelled"
        run.finished_at = self._now()
        if replaced_by is not None:
            run.cancelled_by = replaced_by.id
            run.stderr = _REPLACED.format(group=run.group)
        self._pending -= 1
        self._lock.notify_all()

    def _drain(self, group: str, run: Run) -> None:
        """Run a group's admitted run, then each run that waited behind it, until none waits."""
        while True:
            with self._slots:
                with self._lock:
                    stopped = self._stopped
                    if stopped:
                        self._cancel(run)
                if not stopped:
                    try:
                        self._execute(run)
                    except Exception as exc:  # a broken run must not stall its group
                        log.exception("run %s failed to execute", run.id)
                        run.status = "completed"
                        run.conclusion = "startup_failure"
                        run.stderr += f"\nsandbox: {exc}"
            # One step: once no run is pending, no group is still taken.
            with self._lock:
                if not stopped:
                    self._pending -= 1
                    self._lock.notify_all()
                queue = self._queues.get(group)
                if not queue:
                    self._active_groups.discard(group)
                    self._queues.pop(group, None)
                    return
                run = queue.popleft()

    # -- re-running ------------------------------------------------------------------

    def rerun(self, run_id: int, *, actor: str) -> Run:
        """Queue the next attempt of a completed run; ``KeyError`` if unknown, else ``RunBusy``."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None:
                raise KeyError(f"no run {run_id}")
            if run.status != "completed":
                raise RunBusy(
                    f"run {run_id} is {run.status} (attempt {run.attempt}); wait until it "
                    "completes (POST /_sandbox/wait) and re-run it then"
                )
            run.next_attempt(actor, self._now())
            self._admit(run)
            return run

    def failed_runs(self) -> list[Run]:
        """Runs whose latest attempt failed, in the order they were first queued."""
        with self._lock:
            return [
                r
                for r in sorted(self._runs.values(), key=lambda r: r.id)
                if r.status == "completed" and r.conclusion in FAILED
            ]

    def rerun_failed(
        self, *, actor: str, sequential: bool = False, timeout: float = 300.0
    ) -> list[Run]:
        """Re-run once every run whose latest attempt failed, oldest first.

        Queued together, the re-runs meet in their groups as on GitHub (a newer
        one may replace an older waiting one). ``sequential`` queues each only
        when the one before it has completed, so none replaces another; it
        raises ``TimeoutError`` when one takes longer than ``timeout`` seconds.
        """
        if not sequential:
            with self._lock:
                chosen = self.failed_runs()
                for run in chosen:
                    run.next_attempt(actor, self._now())
                    self._admit(run)
                return chosen
        done: list[Run] = []
        for run in self.failed_runs():
            try:
                done.append(self.rerun(run.id, actor=actor))
            except (KeyError, RunBusy):  # re-run by someone else meanwhile
                continue
            if not self.wait_run(run.id, timeout):
                raise TimeoutError(
                    f"run {run.id} (attempt {run.attempt}) did not complete within {timeout:g} s; "
                    f"re-run so far: {', '.join(str(r.id) for r in done)}"
                )
        return done

    def wait_run(self, run_id: int, timeout: float) -> bool:
        """Block until the run's latest attempt has completed; ``False`` on timeout or no run."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None:
                return False
            return self._lock.wait_for(lambda: run.status == "completed", timeout=timeout)

    # -- running -------------------------------------------------------------------

    def _environment(
        self, run: Run, workdir: Path, token: str, state_dir: Path | None
    ) -> dict[str, str]:
        ctx = self.context
        assert ctx is not None
        env = {k: v for k, v in os.environ.items() if not k.startswith(_STRIPPED_PREFIXES)}
        files = {
            "GITHUB_EVENT_PATH": workdir / "event.json",
            "GITHUB_OUTPUT": workdir / "output",
            "GITHUB_STEP_SUMMARY": workdir / "step_summary.md",
            "GITHUB_ENV": workdir / "env",
            "GITHUB_PATH": workdir / "path",
            "GITHUB_STATE": workdir / "state",
        }
        env.update({name: str(path) for name, path in files.items()})
        env.update(
            {
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_EVENT_NAME": run.event,
                "GITHUB_REPOSITORY": ctx.repository,
                "GITHUB_REPOSITORY_ID": str(ctx.repository_id),
                "GITHUB_REPOSITORY_OWNER": ctx.owner,
                "GITHUB_API_URL": ctx.api_url,
                "GITHUB_SERVER_URL": ctx.server_url,
                "GITHUB_GRAPHQL_URL": f"{ctx.api_url}/graphql",
                "GITHUB_TOKEN": token,
                "GITHUB_ACTOR": run.actor,
                "GITHUB_ACTOR_ID": str(run.actor_id),
                "GITHUB_TRIGGERING_ACTOR": run.triggering_actor or run.actor,
                "GITHUB_RUN_ID": str(run.id),
                "GITHUB_RUN_NUMBER": str(run.number),
                "GITHUB_RUN_ATTEMPT": str(run.attempt),
                "GITHUB_WORKFLOW": "warroom",
                "GITHUB_JOB": "warroom",
                "GITHUB_REF": "refs/heads/main",
                "GITHUB_REF_NAME": "main",
                "GITHUB_REF_TYPE": "branch",
                "GITHUB_SHA": "0" * 40,
                "GITHUB_WORKSPACE": str(ctx.workspace or workdir),
                "RUNNER_OS": "Linux",
                "RUNNER_ARCH": "X64",
                "RUNNER_TEMP": str(workdir),
                "WARROOM_NOW": run.now or ctx.now(),
            }
        )
        if state_dir is not None:
            env["WARROOM_STATE_DIR"] = str(state_dir)
        env.update(ctx.extra_env)
        return env

    def _execute(self, run: Run) -> None:
        ctx = self.context
        assert ctx is not None
        run.status = "in_progress"
        run.started_at = ctx.now()
        run.now = run.started_at
        token = ctx.mint_token(run.id, run.attempt)
        workdir = Path(tempfile.mkdtemp(prefix=f"warroom-run-{run.id}-{run.attempt}-"))
        try:
            (workdir / "event.json").write_text(json.dumps(run.payload), encoding="utf-8")
            for name in ("output", "step_summary.md", "env", "path", "state"):
                (workdir / name).touch()
            state_dir = workdir / "warroom-state" if ctx.state is not None else None
            if ctx.state is not None and state_dir is not None:
                ctx.state.restore(state_dir)
            env = self._environment(run, workdir, token, state_dir)
            self._spawn(run, ctx.workspace or workdir, env)
            run.outputs = parse_output_file(
                (workdir / "output").read_text(encoding="utf-8", errors="replace")
            )
            run.step_summary = (workdir / "step_summary.md").read_text(
                encoding="utf-8", errors="replace"
            )
            # Like actions/cache's post step: saved when the job's steps ran to an end.
            if ctx.state is not None and state_dir is not None and run.conclusion in _SAVED:
                ctx.state.save(state_dir, SavedBy(run.id, run.attempt, ctx.now()))
        finally:
            ctx.revoke_token(token)
            shutil.rmtree(workdir, ignore_errors=True)
            run.finished_at = ctx.now()
            run.status = "completed"

    def _spawn(self, run: Run, cwd: Path, env: dict[str, str]) -> None:
        try:
            proc = subprocess.Popen(
                self.argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            run.exit_code = 127
            run.conclusion = "startup_failure"
            run.stderr = f"sandbox: cannot start {self.argv[0]!r}: {exc}"
            return
        with self._lock:
            self._procs.add(proc)
        try:
            out, err = proc.communicate(timeout=self.timeout)
            run.conclusion = "success" if proc.returncode == 0 else "failure"
        except subprocess.TimeoutExpired:
            _kill(proc)
            out, err = proc.communicate()
            run.conclusion = "timed_out"
            err += f"\nsandbox: run exceeded {self.timeout:g}s and was stopped".encode()
        finally:
            with self._lock:
                self._procs.discard(proc)
        run.exit_code = proc.returncode
        run.stdout = _tail(out)
        run.stderr = _tail(err)

    # -- observing -------------------------------------------------------------------

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until no run is queued or running; ``False`` if ``timeout`` passed first."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout=timeout)

    @property
    def pending(self) -> int:
        with self._lock:
            return self._pending

    def runs(self) -> list[Run]:
        with self._lock:
            return list(self._runs.values())

    def run(self, run_id: int) -> Run | None:
        with self._lock:
            return self._runs.get(run_id)

    def stop(self) -> None:
        """Cancel queued runs and stop running ones; used when the sandbox stops."""
        with self._lock:
            self._stopped = True
            for queue in self._queues.values():
                while queue:
                    self._cancel(queue.popleft())
            procs = list(self._procs)
            self._lock.notify_all()
        for proc in procs:
            _kill(proc)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
