"""Who is calling and how much they may still call: tokens and rate limits.

Each seeded user has a personal token; the bot has one too, and every attempt
of a dispatched run gets its own short-lived token acting as the bot (revoked
when the attempt ends, like ``GITHUB_TOKEN``), so the request log and fault
rules can tell runs and attempts apart, and writes made with a workflow token
can be kept from triggering new runs.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from warroom.sandbox.records import User, level_at_least
from warroom.sandbox.seed import BOT_LOGIN


@dataclass(frozen=True)
class Principal:
    """The caller of one request; ``user`` is ``None`` for an anonymous call."""

    user: User | None
    run_id: int | None = None
    run_attempt: int | None = None

    @property
    def login(self) -> str | None:
        return self.user.login if self.user else None

    @property
    def token_kind(self) -> str:
        """``workflow`` (a dispatched run's ``GITHUB_TOKEN``), ``personal`` or ``anonymous``."""
        if self.user is None:
            return "anonymous"
        return "workflow" if self.run_id is not None else "personal"

    @property
    def workflow_token(self) -> bool:
        """Whether the call used the workflow's own token (the bot's or a run's)."""
        return self.user is not None and self.user.login == BOT_LOGIN

    def level(self, *, public: bool) -> str:
        """The effective permission: on a public repository everyone may read."""
        level = self.user.permission if self.user else "none"
        if public and level == "none":
            return "read"
        return level

    def at_least(self, needed: str, *, public: bool) -> bool:
        return level_at_least(self.level(public=public), needed)


ANONYMOUS = Principal(None)


class Tokens:
    """Token -> identity; personal tokens are stable, run tokens come and go."""

    def __init__(self, users: dict[str, User], saved: dict[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        self._users = users
        self.by_login: dict[str, str] = {}
        self._by_token: dict[str, Principal] = {}
        for user in users.values():
            token = (saved or {}).get(user.login) or self._new(user)
            self.by_login[user.login] = token
            self._by_token[token] = Principal(user)

    @staticmethod
    def _new(user: User) -> str:
        prefix = "ghs" if user.type == "Bot" else "ghp"
        return f"{prefix}_{secrets.token_hex(18)}"

    def resolve(self, token: str) -> Principal | None:
        with self._lock:
            return self._by_token.get(token)

    def mint_run_token(self, run_id: int, attempt: int = 1) -> str:
        """A new ``GITHUB_TOKEN`` for one attempt of a run, acting as the bot."""
        bot = self._users[BOT_LOGIN.lower()]
        token = f"ghs_{secrets.token_hex(18)}"
        with self._lock:
            self._by_token[token] = Principal(bot, run_id, attempt)
        return token

    def revoke(self, token: str) -> None:
        with self._lock:
            principal = self._by_token.get(token)
            if principal is not None and principal.run_id is not None:
                del self._by_token[token]


@dataclass
class Window:
    """One identity's hour: ``start`` and ``reset`` are epoch seconds on the sandbox clock."""

    limit: int
    used: int
    reset: int
    start: int = 0


class RateLimits:
    """GitHub's primary rate limit per identity, an hourly window on the sandbox clock.

    Users get 5,000 requests an hour, the workflow token 1,000 and anonymous
    callers 60, as on GitHub; ``enforce=False`` keeps the headers but never
    refuses (for benchmarks that outrun an hour's budget).
    """

    LIMITS: ClassVar[dict[str, int]] = {"user": 5000, "bot": 1000, "anonymous": 60}

    def __init__(self, *, enforce: bool = True, user_limit: int = 5000) -> None:
        self.enforce = enforce
        self.limits = dict(self.LIMITS, user=user_limit)
        self._lock = threading.Lock()
        self._windows: dict[str, Window] = {}

    @staticmethod
    def key(principal: Principal, client: str) -> tuple[str, str]:
        if principal.user is None:
            return f"ip:{client}", "anonymous"
        if principal.workflow_token:
            return "bot", "bot"
        return f"user:{principal.user.login}", "user"

    def _window(self, key: str, kind: str, now: datetime) -> Window:
        stamp = int(now.timestamp())
        window = self._windows.get(key)
        if window is None or not window.start <= stamp < window.reset:
            window = Window(self.limits[kind], 0, stamp + 3600, stamp)
            self._windows[key] = window
        return window

    def charge(self, principal: Principal, client: str, now: datetime) -> tuple[Window, bool]:
        """Count one request; returns the window after it and whether it was allowed."""
        key, kind = self.key(principal, client)
        with self._lock:
            window = self._window(key, kind, now)
            if self.enforce and window.used >= window.limit:
                return Window(window.limit, window.used, window.reset, window.start), False
            window.used += 1
            return Window(window.limit, window.used, window.reset, window.start), True

    def peek(self, principal: Principal, client: str, now: datetime) -> Window:
        key, kind = self.key(principal, client)
        with self._lock:
            window = self._window(key, kind, now)
            return Window(window.limit, window.used, window.reset, window.start)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
