"""Fault injection: the failures a client of GitHub must survive, on demand, with a record.

A rule matches requests (by method, operation id, path pattern, login, the kind
of token, minus excluded operation ids) and fires either for the next ``times``
matches (scripted) or with a seeded probability (``rate``). What fires is one
of ``KINDS``, picked evenly from the rule's kinds or by their ``weights``; the
``applied-*`` kinds apply the write first and then fail, which is how a retried
POST duplicates a comment on the real GitHub.

Every firing is remembered (a bounded history per rule and overall) with the
request it hit, including its sequence number in the request log, so a test
can prove through the control API that its fault fired and where.
"""

from __future__ import annotations

import difflib
import fnmatch
import math
import random
import threading
from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS: tuple[str, ...] = (
    "500",
    "502",
    "503",
    "secondary-rate-limit",
    "primary-rate-limit",
    "429",
    "429-retry-after",
    "latency",
    "drop",
    "applied-502",
    "applied-drop",
)
"""Every fault the sandbox can inject."""

TOKENS: tuple[str, ...] = ("workflow", "personal", "anonymous")
"""What ``token`` selects: a dispatched run's ``GITHUB_TOKEN``, a seeded user's (or the
bot's own) personal token, or no token."""

RULE_HITS_KEPT = 200
"""The newest firings each rule lists."""

HISTORY_KEPT = 2000
"""The newest firings the whole history keeps, across rules (cleared ones too)."""

_RULE_KEYS = {
    "kind",
    "kinds",
    "weights",
    "method",
    "operation_id",
    "exclude_operation_ids",
    "path",
    "login",
    "token",
    "times",
    "rate",
    "retry_after",
    "reset_in",
    "latency_ms",
}


class FaultSpecError(ValueError):
    """A fault rule that cannot be used; the message says what to write instead."""


@dataclass(frozen=True)
class Target:
    """One REST request as a rule sees it; ``auth`` is how it authenticated (one of ``TOKENS``)."""

    method: str
    operation_id: str | None
    path: str
    login: str | None = None
    auth: str = "personal"
    run_id: int | None = None
    run_attempt: int | None = None


@dataclass
class Hit:
    """One firing: the rule, the kind and the request; ``seq`` once the request is logged."""

    rule: int
    kind: str
    target: Target
    seq: int | None = None

    def to_json(self) -> dict[str, Any]:
        t = self.target
        return {
            "rule": self.rule,
            "kind": self.kind,
            "seq": self.seq,
            "method": t.method,
            "operation_id": t.operation_id,
            "path": t.path,
            "login": t.login,
            "token": t.auth,
            "run_id": t.run_id,
            "run_attempt": t.run_attempt,
        }


@dataclass
class FaultRule:
    """Which requests fail, how, and which ones it has failed."""

    kinds: list[str]
    id: int = 0
    weights: dict[str, float] | None = None
    method: str | None = None
    operation_id: str | None = None
    exclude_operation_ids: list[str] = field(default_factory=list)
    path: str | None = None
    login: str | None = None
    token: str | None = None
    times: int | None = 1
    rate: float = 1.0
    retry_after: int = 60
    reset_in: int = 60
    latency_ms: int = 1000
    fired: int = 0
    hits: deque[Hit] = field(default_factory=lambda: deque(maxlen=RULE_HITS_KEPT))

    def matches(self, target: Target) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method is not None and self.method.upper() != target.method.upper():
            return False
        if self.operation_id is not None and self.operation_id != target.operation_id:
            return False
        if target.operation_id in self.exclude_operation_ids:
            return False
        if self.token is not None and self.token != target.auth:
            return False
        if self.path is not None and not fnmatch.fnmatchcase(target.path, self.path):
            return False
        login = target.login
        return self.login is None or (login is not None and self.login.lower() == login.lower())

    def choose(self, rng: random.Random) -> str:
        """The kind to fire: the only one, one at random, or one by weight."""
        if len(self.kinds) == 1:
            return self.kinds[0]
        if self.weights is None:
            return rng.choice(self.kinds)
        weights = [self.weights.get(kind, 1.0) for kind in self.kinds]
        return rng.choices(self.kinds, weights=weights)[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kinds": list(self.kinds),
            "weights": None if self.weights is None else dict(self.weights),
            "method": self.method,
            "operation_id": self.operation_id,
            "exclude_operation_ids": list(self.exclude_operation_ids),
            "path": self.path,
            "login": self.login,
            "token": self.token,
            "times": self.times,
            "rate": self.rate,
            "retry_after": self.retry_after,
            "reset_in": self.reset_in,
            "latency_ms": self.latency_ms,
            "fired": self.fired,
            "remaining": None if self.times is None else max(0, self.times - self.fired),
            "hits": [hit.to_json() for hit in self.hits],
        }


@dataclass(frozen=True)
class Fault:
    """One fault to apply to one request, and the firing it is recorded as."""

    kind: str
    retry_after: int = 60
    reset_in: int = 60
    latency_ms: int = 1000
    hit: Hit | None = field(default=None, compare=False)

    @property
    def applies_first(self) -> bool:
        """Whether the request is carried out before the failure is shown."""
        return self.kind.startswith("applied-") or self.kind == "latency"


def _known_kinds(kinds: Sequence[str], where: str) -> None:
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise FaultSpecError(
            f"fault rule: unknown kind {bad[0]!r} in {where}; use one of {', '.join(KINDS)}"
        )


def _kinds_and_weights(spec: Mapping[str, Any]) -> tuple[list[str], dict[str, float] | None]:
    weights: dict[str, float] | None = None
    if "weights" in spec:
        raw = spec["weights"]
        if not isinstance(raw, dict) or not raw:
            raise FaultSpecError(
                "fault rule: 'weights' must be an object of kind to weight, "
                'such as {"502": 3, "applied-drop": 1}'
            )
        _known_kinds(list(raw), "'weights'")
        for kind, weight in raw.items():
            if (
                isinstance(weight, bool)
                or not isinstance(weight, int | float)
                or not math.isfinite(weight)
                or weight <= 0
            ):
                raise FaultSpecError(
                    f"fault rule: weight of {kind!r} must be a positive number, such as 3"
                )
        weights = {kind: float(weight) for kind, weight in raw.items()}
    if "kinds" in spec:
        raw = spec["kinds"]
        if not isinstance(raw, list) or not raw or not all(isinstance(k, str) for k in raw):
            raise FaultSpecError("fault rule: 'kinds' must be a non-empty list of fault kinds")
        kinds = list(dict.fromkeys(raw))
    elif isinstance(spec.get("kind"), str):
        kinds = [spec["kind"]]
    elif weights is not None:
        kinds = list(weights)
    else:
        raise FaultSpecError(
            "fault rule: give 'kind' (one fault), 'kinds' (chosen evenly) "
            "or 'weights' (chosen by weight)"
        )
    _known_kinds(kinds, "'kinds'" if "kinds" in spec else "'kind'")
    if weights is not None:
        stray = [k for k in weights if k not in kinds]
        if stray:
            raise FaultSpecError(
                f"fault rule: 'weights' names {stray[0]!r}, which is not in 'kinds'; "
                "add it to 'kinds' or leave 'kinds' out (the weighted kinds are used)"
            )
    return kinds, weights


def _known_operation(op: str, where: str, operations: Collection[str] | None) -> None:
    if operations is None or op in operations:
        return
    close = difflib.get_close_matches(op, sorted(operations), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise FaultSpecError(
        f"fault rule: {where} {op!r} is not an operation the sandbox serves{hint} "
        "(use GitHub's operationId, such as 'issues/list-comments')"
    )


def parse_rule(spec: Mapping[str, Any], operations: Collection[str] | None = None) -> FaultRule:
    """Read one rule from the control API's JSON; raise ``FaultSpecError`` if unusable.

    ``operations`` are the operation ids the sandbox serves; when given, a rule
    naming any other is refused (it could never match).
    """
    unknown = sorted(set(spec) - _RULE_KEYS)
    if unknown:
        raise FaultSpecError(
            f"fault rule: unknown key(s) {', '.join(unknown)}; use {', '.join(sorted(_RULE_KEYS))}"
        )
    kinds, weights = _kinds_and_weights(spec)
    rate = spec.get("rate", 1.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.0 <= rate <= 1.0:
        raise FaultSpecError("fault rule: 'rate' must be a number from 0 to 1")
    default_times = None if "rate" in spec else 1
    times = spec.get("times", default_times)
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise FaultSpecError("fault rule: 'times' must be a positive integer or null (no limit)")
    rule = FaultRule(kinds=kinds, weights=weights, times=times, rate=float(rate))
    for key in ("method", "operation_id", "path", "login"):
        value = spec.get(key)
        if value is not None and not isinstance(value, str):
            raise FaultSpecError(f"fault rule: {key!r} must be a string")
        setattr(rule, key, value)
    if rule.operation_id is not None:
        _known_operation(rule.operation_id, "'operation_id'", operations)
    excluded = spec.get("exclude_operation_ids", [])
    if not isinstance(excluded, list) or not all(isinstance(op, str) for op in excluded):
        raise FaultSpecError(
            "fault rule: 'exclude_operation_ids' must be a list of operation ids, "
            'such as ["issues/list-comments"]'
        )
    for op in excluded:
        _known_operation(op, "'exclude_operation_ids' names", operations)
    rule.exclude_operation_ids = list(excluded)
    token = spec.get("token")
    if token is not None and token not in TOKENS:
        raise FaultSpecError(
            f"fault rule: 'token' must be one of {', '.join(TOKENS)} "
            "(workflow: a dispatched run's GITHUB_TOKEN)"
        )
    rule.token = token
    for key in ("retry_after", "reset_in", "latency_ms"):
        if key in spec:
            value = spec[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise FaultSpecError(f"fault rule: {key!r} must be a non-negative integer")
            setattr(rule, key, value)
    return rule


@dataclass
class Faults:
    """The active rules, consulted once per REST request, in order, and what they hit."""

    seed: int = 0
    rules: list[FaultRule] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)
    operations: frozenset[str] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)  # noqa: S311 - reproducible faults, not secrets
        self._next_rule = 1
        self._history: deque[Hit] = deque(maxlen=HISTORY_KEPT)

    def configure(self, specs: Sequence[Mapping[str, Any]], *, seed: int | None = None) -> None:
        """Add rules (all or none: a bad rule adds nothing); reseed if asked."""
        parsed = [parse_rule(s, self.operations) for s in specs]
        with self._lock:
            if seed is not None:
                self.seed = seed
                self._rng = random.Random(seed)  # noqa: S311
            for rule in parsed:
                rule.id = self._next_rule
                self._next_rule += 1
            self.rules.extend(parsed)

    def add(self, kind: str, **match: Any) -> None:
        """Python shorthand: ``faults.add("502", operation_id="issues/create-comment")``."""
        self.configure([{"kind": kind, **match}])

    def clear(self) -> None:
        """Remove every rule; what they hit stays in the history."""
        with self._lock:
            self.rules.clear()

    def pick(
        self,
        method: str,
        operation_id: str | None,
        path: str,
        login: str | None,
        *,
        auth: str = "personal",
        run_id: int | None = None,
        run_attempt: int | None = None,
    ) -> Fault | None:
        """The fault for this request, if a rule fires; the firing is recorded."""
        target = Target(method, operation_id, path, login, auth, run_id, run_attempt)
        with self._lock:
            for rule in self.rules:
                if not rule.matches(target):
                    continue
                if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                    continue
                rule.fired += 1
                kind = rule.choose(self._rng)
                self.injected[kind] = self.injected.get(kind, 0) + 1
                hit = Hit(rule.id, kind, target)
                rule.hits.append(hit)
                self._history.append(hit)
                return Fault(kind, rule.retry_after, rule.reset_in, rule.latency_ms, hit)
        return None

    def logged(self, fault: Fault, seq: int) -> None:
        """Note the request log's sequence number of the request a fault hit."""
        if fault.hit is not None:
            with self._lock:
                fault.hit.seq = seq

    def history(self) -> list[dict[str, Any]]:
        """The newest firings, oldest first, across every rule ever added."""
        with self._lock:
            return [hit.to_json() for hit in self._history]

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "seed": self.seed,
                "rules": [r.to_json() for r in self.rules],
                "injected": dict(self.injected),
                "history": [hit.to_json() for hit in self._history],
                "kinds": list(KINDS),
                "tokens": list(TOKENS),
            }
