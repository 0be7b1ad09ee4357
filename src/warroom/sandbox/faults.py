"""Fault injection: the failures a client of GitHub must survive, on demand.

A rule matches requests (by method, operation id, path pattern, login) and
fires either for the next ``times`` matches (scripted) or with a seeded
probability (``rate``). What fires is one of ``KINDS``; the ``applied-*``
kinds apply the write first and then fail, which is how a retried POST
duplicates a comment on the real GitHub.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
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

_RULE_KEYS = {
    "kind",
    "kinds",
    "method",
    "operation_id",
    "path",
    "login",
    "times",
    "rate",
    "retry_after",
    "reset_in",
    "latency_ms",
}


class FaultSpecError(ValueError):
    """A fault rule that cannot be used; the message says what to write instead."""


@dataclass
class FaultRule:
    """Which requests fail and how."""

    kinds: list[str]
    method: str | None = None
    operation_id: str | None = None
    path: str | None = None
    login: str | None = None
    times: int | None = 1
    rate: float = 1.0
    retry_after: int = 60
    reset_in: int = 60
    latency_ms: int = 1000
    fired: int = 0

    def matches(self, method: str, operation_id: str | None, path: str, login: str | None) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.operation_id is not None and self.operation_id != operation_id:
            return False
        if self.path is not None and not fnmatch.fnmatchcase(path, self.path):
            return False
        return self.login is None or (login is not None and self.login.lower() == login.lower())

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["remaining"] = None if self.times is None else max(0, self.times - self.fired)
        return out


@dataclass(frozen=True)
class Fault:
    """One fault to apply to one request."""

    kind: str
    retry_after: int = 60
    reset_in: int = 60
    latency_ms: int = 1000

    @property
    def applies_first(self) -> bool:
        """Whether the request is carried out before the failure is shown."""
        return self.kind.startswith("applied-") or self.kind == "latency"


def parse_rule(spec: Mapping[str, Any]) -> FaultRule:
    """Read one rule from the control API's JSON; raise ``FaultSpecError`` if unusable."""
    unknown = sorted(set(spec) - _RULE_KEYS)
    if unknown:
        raise FaultSpecError(
            f"fault rule: unknown key(s) {', '.join(unknown)}; use {', '.join(sorted(_RULE_KEYS))}"
        )
    kinds: list[str]
    if "kinds" in spec:
        raw = spec["kinds"]
        if not isinstance(raw, list) or not raw or not all(isinstance(k, str) for k in raw):
            raise FaultSpecError("fault rule: 'kinds' must be a non-empty list of fault kinds")
        kinds = list(raw)
    elif isinstance(spec.get("kind"), str):
        kinds = [spec["kind"]]
    else:
        raise FaultSpecError("fault rule: give 'kind' (one fault) or 'kinds' (chosen at random)")
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise FaultSpecError(f"fault rule: unknown kind {bad[0]!r}; use one of {', '.join(KINDS)}")
    rate = spec.get("rate", 1.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.0 <= rate <= 1.0:
        raise FaultSpecError("fault rule: 'rate' must be a number from 0 to 1")
    default_times = None if "rate" in spec else 1
    times = spec.get("times", default_times)
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise FaultSpecError("fault rule: 'times' must be a positive integer or null (no limit)")
    rule = FaultRule(kinds=kinds, times=times, rate=float(rate))
    for key in ("method", "operation_id", "path", "login"):
        value = spec.get(key)
        if value is not None and not isinstance(value, str):
            raise FaultSpecError(f"fault rule: {key!r} must be a string")
        setattr(rule, key, value)
    for key in ("retry_after", "reset_in", "latency_ms"):
        if key in spec:
            value = spec[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise FaultSpecError(f"fault rule: {key!r} must be a non-negative integer")
            setattr(rule, key, value)
    return rule


@dataclass
class Faults:
    """The active rules, consulted once per REST request, in order."""

    seed: int = 0
    rules: list[FaultRule] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)  # noqa: S311 - reproducible faults, not secrets

    def configure(self, specs: Sequence[Mapping[str, Any]], *, seed: int | None = None) -> None:
        """Add rules (all or none: a bad rule adds nothing); reseed if asked."""
        parsed = [parse_rule(s) for s in specs]
        with self._lock:
            if seed is not None:
                self.seed = seed
                self._rng = random.Random(seed)  # noqa: S311
            self.rules.extend(parsed)

    def add(self, kind: str, **match: Any) -> None:
        """Python shorthand: ``faults.add("502", operation_id="issues/create-comment")``."""
        self.configure([{"kind": kind, **match}])

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def pick(
        self, method: str, operation_id: str | None, path: str, login: str | None
    ) -> Fault | None:
        """The fault for this request, if a rule fires."""
        with self._lock:
            for rule in self.rules:
                if not rule.matches(method, operation_id, path, login):
                    continue
                if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                    continue
                rule.fired += 1
                kind = rule.kinds[0] if len(rule.kinds) == 1 else self._rng.choice(rule.kinds)
                self.injected[kind] = self.injected.get(kind, 0) + 1
                return Fault(kind, rule.retry_after, rule.reset_in, rule.latency_ms)
        return None

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "seed": self.seed,
                "rules": [r.to_json() for r in self.rules],
                "injected": dict(self.injected),
                "kinds": list(KINDS),
            }
