"""``Sandbox``: a local GitHub for one repository (and, on request, more of its owner's), with an
Actions dispatcher and a clock.

Start it, point PyGithub at ``api_url`` with one of ``tokens``, and it behaves
like GitHub where warroom touches it; give it a command and every event runs
that command the way a workflow run would. Tests observe it through listeners
(every exchange, every webhook delivery), drills steer it through the clock
and fault injection. It binds to loopback only and imports nothing from the
rest of warroom, which in turn never imports it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from warroom.sandbox import repos, rest_pulls
from warroom.sandbox.access import RateLimits, Tokens
from warroom.sandbox.cache import RunStateCache
from warroom.sandbox.clock import Clock, format_timestamp, parse_timestamp
from warroom.sandbox.dispatcher import Dispatcher, RunContext
from warroom.sandbox.faults import Faults
from warroom.sandbox.graphql import Board, GraphQLRoom, Repo
from warroom.sandbox.observe import Delivery, DeliveryListener, Exchange, ExchangeListener
from warroom.sandbox.records import Comment, GitCommit, Issue
from warroom.sandbox.render import Renderer
from warroom.sandbox.rest import ROUTES, RestApi
from warroom.sandbox.seed import (
    BOT_LOGIN,
    DEFAULT_BRANCH,
    LEVEL_LOGINS,
    OWNER,
    REPO,
    REPO_ID,
    commit_sha,
    extra_users,
)
from warroom.sandbox.server import API_PREFIX, CONTROL_PREFIX, SandboxServer
from warroom.sandbox.state import PendingDelivery, State
from warroom.sandbox.store import Store
from warroom.sandbox.web.drill_panel import DrillPanel

log = logging.getLogger("warroom.sandbox")


@dataclass
class DeliveryRecord:
    """One delivery in the event log, and what the dispatcher did with it."""

    id: str
    event: str
    action: str | None
    issue: int | None
    sender: str | None
    at: str
    payload: dict[str, Any]
    injected: bool = False
    run_id: int | None = None
    suppressed: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event": self.event,
            "action": self.action,
            "issue": self.issue,
            "sender": self.sender,
            "at": self.at,
            "injected": self.injected,
            "run_id": self.run_id,
            "suppressed": self.suppressed,
            "payload": self.payload,
        }


class Sandbox:
    """The local GitHub. See the module docstring; every public method is thread-safe.

    ``users`` adds accounts by login -> level (``{"mara": "write"}``) beside the
    seeded ``admin``, ``maintainer``, ``writer``, ``triager``, ``reader``,
    ``outsider`` and ``github-actions[bot]``; each gets a token in ``tokens``.

    ``dispatch`` is the command run for each event (a string split like a shell
    would, or an argv list; it never goes through a shell). ``dispatch_on``
    limits which events start runs (``"issues"`` or ``"issues.opened"``), like
    a workflow's ``on:``; ``env`` adds variables to every run and ``workspace``
    is the directory runs start in (the checked-out repository; default: a
    fresh empty one per run). ``rate_limit=None`` keeps GitHub's rate-limit
    headers but never refuses a request.

    Runs wait in their concurrency group as GitHub makes them wait (one
    running, one pending, a newer pending run replaces the older, which ends
    ``cancelled``), and ``rerun`` gives a completed run its next attempt.
    ``state_dir`` keeps the runs' ``WARROOM_STATE_DIR`` between sandbox starts
    (default: a temporary directory, removed at ``stop()``).
    """

    def __init__(
        self,
        *,
        port: int = 0,
        data: str | Path | None = None,
        dispatch: str | Sequence[str] | None = None,
        dispatch_on: Collection[str] | None = None,
        env: Mapping[str, str] | None = None,
        users: Mapping[str, str] | None = None,
        teams: Mapping[str, Sequence[str]] | None = None,
        workspace: str | Path | None = None,
        now: datetime | None = None,
        frozen: bool = False,
        clock_rate: float = 1.0,
        private: bool = False,
        rate_limit: int | None = 5000,
        run_timeout: float = 300.0,
        max_parallel_runs: int = 4,
        fault_seed: int = 0,
        request_log_size: int = 20000,
        state_dir: str | Path | None = None,
        repositories: Sequence[str] = (),
    ) -> None:
        self.port = port
        self.private = private
        self.store = Store(Path(data)) if data is not None else None
        self.clock = Clock(now, frozen=frozen, rate=clock_rate)
        self.state = State(self.clock, self.store, extra_users(users or {}))
        saved_clock = self.state.meta.get("clock")
        if now is None and isinstance(saved_clock, dict) and "now" in saved_clock:
            self.clock.set(
                parse_timestamp(saved_clock["now"]), frozen=bool(saved_clock.get("frozen"))
            )
        self.access = Tokens(self.state.users, self.state.meta.get("tokens"))
        self.tokens: dict[str, str] = dict(self.access.by_login)
        self.state.meta["tokens"] = dict(self.tokens)
        self.state.save_meta()
        self.repo_full_name = f"{OWNER}/{REPO}"
        self.bot_login = BOT_LOGIN
        self.logins_by_level: dict[str, str] = dict(LEVEL_LOGINS)
        self.faults = Faults(
            seed=fault_seed,
            operations=frozenset((*(route.operation_id for route in ROUTES), "graphql")),
        )
        self.limits = RateLimits(enforce=rate_limit is not None, user_limit=rate_limit or 5000)
        self.dispatch_on = set(dispatch_on) if dispatch_on is not None else None
        self.dispatcher = (
            Dispatcher(dispatch, timeout=run_timeout, max_parallel=max_parallel_runs)
            if dispatch is not None
            else None
        )
        self.run_state = RunStateCache(state_dir)
        self._env = dict(env or {})
        self._workspace = Path(workspace) if workspace is not None else None
        self._exchange_listeners: list[ExchangeListener] = []
        self._delivery_listeners: list[DeliveryListener] = []
        self._log_lock = threading.Lock()
        self._requests: deque[dict[str, Any]] = deque(maxlen=request_log_size)
        self._request_counts: dict[str, int] = {}
        self._request_seq = 0
        self._deliveries: list[DeliveryRecord] = []
        self._pending = threading.local()
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        self.state.commit_hook = self._on_commit
        self.teams = {
            slug.lower(): {x.lower() for x in members} for slug, members in (teams or {}).items()
        }
        # Further repositories of the owner (a backlog repository): rooms of their own.
        self.repo_states = {
            name: repos.room_state(self.clock, index, self.state)
            for index, name in enumerate(repositories, start=1)
        }
        self.board = Board()
        self.drill_panel: DrillPanel | None = None
        """A drill playing on this sandbox (``warroom drill``), shown by the web view."""
        self._build_rooms()

    def _build_rooms(self) -> None:
        """The REST handlers of every repository, and the GraphQL room, under ``base_url``."""
        self.renderer = Renderer(self.state, self.base_url, private=self.private)
        self.rest = RestApi(self.state, self.renderer, self.limits, private=self.private)
        self.rest.teams = self.teams
        self.rooms = {
            name: repos.new_room(name, state, self.base_url, self.limits, private=self.private)
            for name, state in self.repo_states.items()
        }
        repos.connect([self.rest, *self.rooms.values()])
        self.graphql = GraphQLRoom(self.board, self._graphql_repos, self.base_url)

    def _graphql_repos(self) -> list[Repo]:
        return [
            Repo(room.r.full_name, room.state, room.r.repo_html)
            for room in (self.rest, *self.rooms.values())
        ]

    def set_run_env(self, **values: str) -> None:
        """Add variables to every later run's environment (a token minted after start, say)."""
        self._env.update(values)

    def room(self, repo: str) -> RestApi | None:
        """The handlers serving repository ``repo`` (a name of the owner), if the sandbox has it."""
        if repo.lower() == REPO.lower():
            return self.rest
        return next((r for n, r in self.rooms.items() if n.lower() == repo.lower()), None)

    def seed_project(
        self,
        number: int,
        *,
        title: str = "Backlog",
        owner: str = OWNER,
        owner_type: str = "Organization",
        fields: Sequence[tuple[str, str, Sequence[str]]] | None = None,
    ) -> dict[str, Any]:
        """A GitHub Project (``projectV2``) of ``owner``; warroom's fields unless ``fields``."""
        project = self.board.seed_project(
            owner=owner,
            owner_type=owner_type,
            number=number,
            title=title,
            **({"fields": fields} if fields is not None else {}),
        )
        return {"id": project.id, "number": project.number, "owner": project.owner}

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Self:
        """Bind to 127.0.0.1 and serve in a background thread."""
        if self._server is not None:
            return self
        self._server = SandboxServer(self, self.port)
        self.port = self._server.server_address[1]
        self._build_rooms()
        if self.dispatcher is not None:
            self.dispatcher.context = RunContext(
                repository=self.repo_full_name,
                repository_id=REPO_ID,
                owner=OWNER,
                api_url=self.api_url,
                server_url=self.base_url,
                schedule_actor=LEVEL_LOGINS["admin"],
                now=lambda: format_timestamp(self.clock.now()),
                mint_token=self.access.mint_run_token,
                revoke_token=self.access.revoke,
                extra_env=self._env,
                workspace=self._workspace,
                state=self.run_state,
            )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="warroom-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop runs and the server; keep the data file consistent."""
        if self.dispatcher is not None:
            self.dispatcher.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.store is not None:
            self.state.save_meta()
            self.store.close()
            self.store = None
            self.state.store = None
        self.run_state.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """GitHub Enterprise-style API root: give it to PyGithub as ``base_url``."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def control_url(self) -> str:
        return f"{self.base_url}{CONTROL_PREFIX}"

    @property
    def bot_token(self) -> str:
        return self.tokens[BOT_LOGIN]

    def token_for_level(self, level: str) -> str:
        """The token of the seeded user holding ``level`` (``admin`` ... ``none``)."""
        return self.tokens[self.logins_by_level[level]]

    def info(self) -> dict[str, Any]:
        """What ``warroom sandbox serve`` prints: where to connect and as whom."""
        return {
            "api_url": self.api_url,
            "repo": self.repo_full_name,
            "tokens": dict(self.tokens),
            "control_url": self.control_url,
            "web_url": self.base_url,
            "bot": BOT_LOGIN,
            "users": {u.login: u.permission for u in self.state.users.values() if u.type == "User"},
        }

    # -- observers -------------------------------------------------------------------------

    def add_exchange_listener(self, fn: ExchangeListener) -> None:
        """Call ``fn`` once for every REST request, after its answer is decided."""
        self._exchange_listeners.append(fn)

    @property
    def observed(self) -> bool:
        """Whether anyone listens to exchanges (else a reply's body need not be parsed for them)."""
        return bool(self._exchange_listeners)

    def add_delivery_listener(self, fn: DeliveryListener) -> None:
        """Call ``fn`` for every webhook payload the sandbox emits or is handed."""
        self._delivery_listeners.append(fn)

    def record_exchange(self, parts: dict[str, Any], request_id: str, started: float) -> int:
        """Log one REST exchange, show it to the listeners; its ``seq`` in the request log."""
        exchange = Exchange(**parts)
        op = exchange.operation_id or "unknown"
        with self._log_lock:
            self._request_seq += 1
            seq = self._request_seq
            self._request_counts[op] = self._request_counts.get(op, 0) + 1
            self._requests.append(
                {
                    "seq": seq,
                    "at": format_timestamp(self.clock.now()),
                    "request_id": request_id,
                    "method": exchange.method,
                    "path": exchange.path,
                    "operation_id": exchange.operation_id,
                    "status": exchange.status,
                    "login": exchange.login,
                    "run_id": exchange.run_id,
                    "run_attempt": exchange.run_attempt,
                    "fault": exchange.fault,
                    "fault_rule": exchange.fault_rule,
                    "duration_ms": round((time.monotonic() - started) * 1000, 2),
                }
            )
        if exchange.run_id is not None and self.dispatcher is not None:
            run = self.dispatcher.run(exchange.run_id)
            if run is not None and run.attempt == exchange.run_attempt:
                with self._log_lock:
                    run.requests[op] = run.requests.get(op, 0) + 1
        for listener in list(self._exchange_listeners):
            try:
                listener(exchange)
            except Exception:
                log.exception("sandbox: exchange listener %r failed", listener)
        return seq

    # -- deliveries and runs -------------------------------------------------------------------

    def _on_commit(self, deliveries: list[PendingDelivery]) -> None:
        """Record and dispatch a transaction's deliveries (under the state lock, in order)."""
        for pending in deliveries:
            self._record_delivery(
                pending.event, pending.payload, by_workflow_token=pending.by_workflow_token
            )

    def _record_delivery(
        self,
        event: str,
        payload: dict[str, Any],
        *,
        by_workflow_token: bool,
        injected: bool = False,
        webhook: bool = True,
    ) -> DeliveryRecord:
        action = payload.get("action")
        issue = payload.get("issue")
        if not isinstance(issue, dict):
            issue = payload.get("pull_request")
        sender = payload.get("sender")
        record = DeliveryRecord(
            id=str(uuid.uuid4()),
            event=event,
            action=action if isinstance(action, str) else None,
            issue=issue.get("number") if isinstance(issue, dict) else None,
            sender=sender.get("login") if isinstance(sender, dict) else None,
            at=format_timestamp(self.clock.now()),
            payload=payload,
            injected=injected,
        )
        if self.dispatcher is None:
            record.suppressed = "no dispatch command"
        elif by_workflow_token:
            record.suppressed = "made with the workflow token"
        elif self.dispatch_on is not None and not (
            event in self.dispatch_on or f"{event}.{record.action}" in self.dispatch_on
        ):
            record.suppressed = "not in dispatch_on"
        else:
            actor = record.sender or LEVEL_LOGINS["admin"]
            user = self.state.user(actor)
            actor_id = (
                user.id if user else int(sender.get("id", 0)) if isinstance(sender, dict) else 0
            )
            run = self.dispatcher.submit(event, payload, record.id, actor, actor_id)
            record.run_id = run.id
        with self._log_lock:
            self._deliveries.append(record)
        if not webhook:
            return record
        pending: list[Delivery] = getattr(self._pending, "items", None) or []
        pending.append(Delivery(event=event, payload=payload))
        self._pending.items = pending
        return record

    def flush_notifications(self) -> None:
        """Show this thread's new deliveries to the listeners, outside the state lock."""
        items: list[Delivery] = getattr(self._pending, "items", None) or []
        self._pending.items = []
        for delivery in items:
            for listener in list(self._delivery_listeners):
                try:
                    listener(delivery)
                except Exception:
                    log.exception("sandbox: delivery listener %r failed", listener)

    def deliver(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Hand the sandbox a webhook delivery as if GitHub had sent it, and dispatch it."""
        with self.state.lock:
            record = self._record_delivery(event, payload, by_workflow_token=False, injected=True)
        self.flush_notifications()
        return record.to_json()

    def schedule(self, cron: str = "*/15 * * * *") -> dict[str, Any]:
        """Trigger the scheduled workflow now (a ``schedule`` event)."""
        with self.state.lock:
            payload = {
                "schedule": cron,
                "repository": self.renderer.repository(private=self.private),
                "organization": self.renderer.organization(),
                "workflow": ".github/workflows/warroom.yml",
            }
            # A schedule is an Actions trigger, not a webhook: no delivery to observe.
            record = self._record_delivery(
                "schedule", payload, by_workflow_token=False, webhook=False
            )
        return record.to_json()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until no dispatched run is queued or running."""
        return True if self.dispatcher is None else self.dispatcher.wait_idle(timeout)

    @property
    def pending_runs(self) -> int:
        return 0 if self.dispatcher is None else self.dispatcher.pending

    def runs(self) -> list[dict[str, Any]]:
        """Every run so far, oldest first: event, payload, status, exit code, outputs, requests."""
        if self.dispatcher is None:
            return []
        with self._log_lock:
            return [run.to_json(payload=True) for run in self.dispatcher.runs()]

    def rerun(self, run_id: int) -> dict[str, Any]:
        """Re-run a completed run, like GitHub's "Re-run jobs": same event and payload.

        ``GITHUB_RUN_ID`` stays, ``GITHUB_RUN_ATTEMPT`` goes up by one, and the
        new attempt waits in the run's concurrency group like any run. Raises
        ``KeyError`` for an unknown run and ``RunBusy`` for one not completed.
        """
        if self.dispatcher is None:
            raise KeyError(f"no run {run_id}: the sandbox has no dispatch command")
        run = self.dispatcher.rerun(run_id, actor=LEVEL_LOGINS["admin"])
        with self._log_lock:
            return run.to_json()

    def rerun_failed(
        self, *, sequential: bool = False, timeout: float = 300.0
    ) -> list[dict[str, Any]]:
        """Re-run once every run whose latest attempt failed, in the order they were first queued.

        Failed means ``failure``, ``timed_out`` or ``startup_failure`` (a run
        cancelled by a newer one in its group is not failed). ``sequential``
        waits for each re-run to complete before the next, so none replaces
        another in their group; ``TimeoutError`` if one outlasts ``timeout``.
        """
        if self.dispatcher is None:
            return []
        runs = self.dispatcher.rerun_failed(
            actor=LEVEL_LOGINS["admin"], sequential=sequential, timeout=timeout
        )
        with self._log_lock:
            return [run.to_json() for run in runs]

    def run(self, run_id: int) -> dict[str, Any] | None:
        if self.dispatcher is None:
            return None
        found = self.dispatcher.run(run_id)
        if found is None:
            return None
        with self._log_lock:
            return found.to_json(payload=True)

    def deliveries(self) -> list[dict[str, Any]]:
        """The event log, oldest first."""
        with self._log_lock:
            return [d.to_json() for d in self._deliveries]

    def requests(
        self,
        *,
        run_id: int | None = None,
        operation_id: str | None = None,
        after: int = 0,
        run_attempt: int | None = None,
    ) -> dict[str, Any]:
        """The request log (newest ``request_log_size`` kept) and counts per operation."""
        with self._log_lock:
            rows = [
                r
                for r in self._requests
                if r["seq"] > after
                and (run_id is None or r["run_id"] == run_id)
                and (run_attempt is None or r["run_attempt"] == run_attempt)
                and (operation_id is None or r["operation_id"] == operation_id)
            ]
            totals = dict(self._request_counts)
        counts: dict[str, int] = {}
        for row in rows:
            op = row["operation_id"] or "unknown"
            counts[op] = counts.get(op, 0) + 1
        return {"requests": rows, "counts": counts, "total_counts": totals}

    # -- pull requests and branches, as people with git make them ----------------------------

    def _acting(self, login: str) -> str:
        user = self.state.user(login)
        if user is None or user.type != "User":
            people = (u.login for u in self.state.users.values() if u.type == "User")
            known = ", ".join(sorted(people))
            raise KeyError(f"no user {login!r}; use one of {known}")
        return user.login

    def open_pull(
        self,
        *,
        title: str,
        head: str,
        files: Sequence[str | Mapping[str, Any]],
        body: str | None = None,
        user: str = "writer",
        labels: Sequence[str] = (),
        base: str | None = None,
        draft: bool = False,
    ) -> dict[str, Any]:
        """Push branch ``head`` changing ``files`` and open a pull request from it.

        As ``user`` (a seeded login) with git and the web UI: the branch is created
        (or moved) to a new commit, the pull request takes the next issue number,
        and ``pull_request.opened`` (then ``labeled`` per label) is delivered and
        dispatched. ``files`` are paths or diff entries (see ``rest_pulls.file_entries``).
        Raises ``KeyError`` for an unknown user, ``ValueError`` for bad files, and
        ``ApiError`` (422) where GitHub would refuse the pull request.
        """
        sender = self._acting(user)
        entries = rest_pulls.file_entries(files)
        base = base or DEFAULT_BRANCH
        with self.state.transaction() as tx:
            if base not in self.state.branches:
                raise ValueError(f"base {base!r} is not a branch; POST /_sandbox/branches first")
            self.rest.check_can_open(head, base, entries)  # before the push changes anything
            sha = commit_sha("branch", head, "open", *(e["filename"] for e in entries))
            self.state.set_branch(tx, head, sha, entries)
            issue, _ = self.rest.open_pull(
                tx,
                sender,
                title=title,
                body=body,
                head=head,
                base=base,
                files=entries,
                draft=draft,
                labels=labels,
            )
            out = self._pull_json(issue.number)
        self.flush_notifications()
        return out

    def push_pull(
        self, number: int, files: Sequence[str | Mapping[str, Any]], *, user: str = "writer"
    ) -> dict[str, Any]:
        """Push one commit changing ``files`` to pull request ``number``'s head branch.

        Delivers ``pull_request.synchronize`` with ``before`` and ``after``. Raises
        ``KeyError`` for no such pull request or user, ``ValueError`` for bad files
        or a closed pull request.
        """
        sender = self._acting(user)
        entries = rest_pulls.file_entries(files)
        if not entries:
            raise ValueError("a push changes at least one file: give files")
        with self.state.transaction() as tx:
            before, after = self.rest.push_pull(tx, number, sender, entries)
            out = self._pull_json(number)
        out.update({"before": before, "after": after})
        self.flush_notifications()
        return out

    def change_pull(
        self,
        number: int,
        *,
        user: str = "writer",
        title: str | None = None,
        body: str | None = None,
        body_given: bool = False,
        state: str | None = None,
    ) -> dict[str, Any]:
        """Edit a pull request's title or body, or close or reopen it, as ``user`` would.

        Delivers ``edited`` (with ``changes``), ``closed`` or ``reopened``.
        """
        sender = self._acting(user)
        if state not in (None, "open", "closed"):
            raise ValueError(f"state {state!r}: use open or closed")
        with self.state.transaction() as tx:
            self.rest.change_pull(
                tx, number, sender, title=title, body=body, body_given=body_given, state=state
            )
            out = self._pull_json(number)
        self.flush_notifications()
        return out

    def _pull_json(self, number: int) -> dict[str, Any]:
        issue, pull = self.rest.pull_of(number)
        return {
            "number": number,
            "id": pull.id,
            "state": issue.state,
            "title": issue.title,
            "head": {"ref": pull.head_ref, "sha": pull.head_sha},
            "base": {"ref": pull.base_ref, "sha": pull.base_sha},
            "files": [f["filename"] for f in pull.files],
            "url": self.renderer.pull_url(number),
        }

    def set_branch(self, name: str, sha: str | None = None) -> dict[str, Any]:
        """Create branch ``name`` or move it to ``sha`` (default: a new commit of its own)."""
        if not name.strip() or name.startswith(("/", "refs/")) or name.endswith("/"):
            raise ValueError(f"branch name {name!r}: give a name such as 'incident/12/hotfix'")
        if sha is not None and not re.fullmatch(r"[0-9a-f]{40}", sha):
            raise ValueError(f"sha {sha!r} is not 40 lower-case hex digits")
        with self.state.transaction() as tx:
            known = self.state.branches.get(name)
            count = len(self.state.branches)
            new_sha = sha or commit_sha("branch", name, known.sha if known else "", count)
            branch = self.state.set_branch(tx, name, new_sha)
            return {"name": branch.name, "sha": branch.sha}

    def add_commit(
        self,
        message: str,
        files: Sequence[str | Mapping[str, Any]] = (),
        *,
        user: str = "writer",
        branch: str = DEFAULT_BRANCH,
        sha: str | None = None,
        pulls: Sequence[int] = (),
        tags: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Push one commit onto ``branch`` (created if new) in the seeded git history.

        Its parent is the branch's head; ``sha`` picks its id (40 hex digits, so a
        story can name it by a short prefix), ``pulls`` the pull requests it belongs
        to, ``tags`` names that resolve to it. Delivers no webhook (a push event is
        not one warroom listens to). Raises ``KeyError`` for an unknown user,
        ``ValueError`` for a bad sha, file or pull request number.
        """
        author = self._acting(user)
        entries = rest_pulls.file_entries(files)
        if sha is not None and not re.fullmatch(r"[0-9a-f]{40}", sha):
            raise ValueError(f"sha {sha!r} is not 40 lower-case hex digits")
        if not message.strip():
            raise ValueError("message: give the commit a message")
        with self.state.transaction() as tx:
            unknown = [n for n in pulls if n not in self.state.pulls]
            if unknown:
                raise ValueError(f"pulls: no pull request #{unknown[0]}; open it first")
            if sha is not None and self.state.known_sha(sha):
                raise ValueError(f"sha {sha} is already a commit")
            head = self.state.branches.get(branch)
            parents = [head.sha] if head is not None else []
            new_sha = sha or commit_sha(
                "commit", branch, *parents, message, len(self.state.git_commits)
            )
            commit = GitCommit(
                id=0,
                sha=new_sha,
                parents=parents,
                message=message,
                author=author,
                date=self.state.now(),
                files=entries,
                pulls=list(pulls),
                tags=list(tags),
            )
            self.state.add_git_commit(tx, commit)
            self.state.set_branch(tx, branch, new_sha)
        return {"sha": new_sha, "parents": parents, "branch": branch}

    def branches(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [
                {"name": b.name, "sha": b.sha}
                for b in sorted(self.state.branches.values(), key=lambda b: b.name)
            ]

    # -- the clock ----------------------------------------------------------------------------

    def set_clock(
        self,
        *,
        now: datetime | None = None,
        advance: timedelta | None = None,
        frozen: bool | None = None,
    ) -> dict[str, Any]:
        """Set and/or advance "now" (and freeze or release it); persisted with ``data``."""
        if now is not None:
            self.clock.set(now, frozen=frozen)
        elif frozen is not None:
            self.clock.freeze(frozen)
        if advance is not None:
            self.clock.advance(advance)
        self.state.save_meta()
        return self.clock.snapshot()

    # -- bulk seeding ---------------------------------------------------------------------------

    def seed_comments(
        self,
        number: int,
        count: int,
        *,
        author: str = "reader",
        body: str = "Seeded comment {c} on issue {n}.",
    ) -> list[int]:
        """Add many comments to issue ``number`` directly, without HTTP or webhooks.

        Returns the new comment ids; raises ``KeyError`` for an unknown issue.
        """
        if number not in self.state.issues:
            raise KeyError(f"issue #{number} does not exist; create it first")
        ids: list[int] = []
        with self.state.transaction() as tx:
            now = self.state.now()
            first = self.state.issues[number].comments + 1
            for c in range(first, first + count):
                comment = self.state.add_comment(
                    tx,
                    Comment(
                        id=0,
                        issue=number,
                        user=author,
                        body=body.format(c=c, n=number),
                        created_at=now,
                        updated_at=now,
                    ),
                )
                ids.append(comment.id)
        return ids

    def seed_issues(
        self,
        count: int,
        *,
        comments_per_issue: int = 0,
        author: str = "writer",
        commenter: str = "reader",
        labels: Sequence[str] = (),
        title: str = "Seeded issue {n}",
        body: str = "Seeded body for issue {n}.",
        comment_body: str = "Seeded comment {c} on issue {n}.",
    ) -> list[int]:
        """Create many issues and comments directly, without HTTP or webhooks (benchmarks).

        Returns the new issue numbers. Labels must exist or are created.
        """
        numbers: list[int] = []
        with self.state.transaction() as tx:
            label_ids = []
            for name in labels:
                label = self.state.label_named(name) or self.state.add_label(
                    tx, name, "ededed", None
                )
                label_ids.append(label.id)
            now = self.state.now()
            for _ in range(count):
                issue = self.state.add_issue(
                    tx,
                    Issue(
                        id=0, user=author, labels=list(label_ids), created_at=now, updated_at=now
                    ),
                )
                issue.title = title.format(n=issue.number)
                issue.body = body.format(n=issue.number)
                for c in range(1, comments_per_issue + 1):
                    self.state.add_comment(
                        tx,
                        Comment(
                            id=0,
                            issue=issue.number,
                            user=commenter,
                            body=comment_body.format(c=c, n=issue.number),
                            created_at=now,
                            updated_at=now,
                        ),
                    )
                numbers.append(issue.number)
        return numbers
