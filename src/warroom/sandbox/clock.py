"""The sandbox's settable clock.

Every timestamp the sandbox writes comes from here, and so does the
``WARROOM_NOW`` handed to dispatched runs, so a 24-hour incident can be played
in seconds: set the clock, advance it, and the issue history reads as if the
hours had passed. The clock either runs (real seconds keep passing from the
last setting) or is frozen (time moves only when told to), which tests use for
exact timestamps. A running clock may run faster than real time (``rate``): a
drill at 10x plays a 60-minute incident in 6 real minutes.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"(?P<value>\d+(?:\.\d+)?)(?P<unit>[smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_timestamp(text: str) -> datetime:
    """Read an ISO 8601 timestamp as GitHub writes it (``2024-05-01T12:00:00Z``).

    A timestamp without an offset is taken as UTC, because GitHub's are.
    """
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_duration(value: float | int | str) -> timedelta:
    """Read an advance: seconds as a number, or text such as ``90m``, ``1h30m``, ``2d``.

    Raises ``ValueError`` naming the accepted forms, so the control API can say
    what to send instead.
    """
    if isinstance(value, bool):
        raise ValueError("advance must be seconds or a duration such as '90m' or '1h30m'")
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    text = value.strip().replace(" ", "")
    try:
        return timedelta(seconds=float(text))
    except ValueError:
        pass
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    pos = 0
    seconds = 0.0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        seconds += float(match.group("value")) * _UNIT_SECONDS[match.group("unit")]
        pos = match.end()
    if not text or pos != len(text):
        raise ValueError(
            f"advance {value!r} is not a duration: "
            "write seconds (3600) or units s/m/h/d/w ('1h30m')"
        )
    return timedelta(seconds=sign * seconds)


def format_timestamp(value: datetime) -> str:
    """GitHub's timestamp form: UTC, whole seconds, ``Z`` suffix."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """A thread-safe "now" that can be set, advanced and frozen.

    ``now()`` is ``anchor + rate x (monotonic elapsed since anchoring)`` while
    running and exactly ``anchor`` while frozen. Times are truncated to whole
    seconds, as GitHub's are.
    """

    def __init__(
        self, start: datetime | None = None, *, frozen: bool = False, rate: float = 1.0
    ) -> None:
        if not rate > 0:
            raise ValueError(f"the clock's rate must be above 0; got {rate}")
        self._lock = threading.Lock()
        self._anchor = (start or datetime.now(UTC)).astimezone(UTC)
        self._mono = time.monotonic()
        self._frozen = frozen
        self._rate = float(rate)

    def now(self) -> datetime:
        """The sandbox's current time, UTC, whole seconds."""
        with self._lock:
            value = self._current()
        return value.replace(microsecond=0)

    def _current(self) -> datetime:
        if self._frozen:
            return self._anchor
        return self._anchor + timedelta(seconds=(time.monotonic() - self._mono) * self._rate)

    @property
    def frozen(self) -> bool:
        """Whether time stands still between settings."""
        return self._frozen

    @property
    def rate(self) -> float:
        """Sandbox seconds per real second while the clock runs (1.0: real time)."""
        return self._rate

    def set(self, value: datetime, *, frozen: bool | None = None) -> datetime:
        """Move "now" to ``value`` (backwards too); optionally freeze or unfreeze."""
        with self._lock:
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            self._anchor = value.astimezone(UTC)
            self._mono = time.monotonic()
            if frozen is not None:
                self._frozen = frozen
            return self._anchor.replace(microsecond=0)

    def advance(self, delta: timedelta) -> datetime:
        """Move "now" forward by ``delta`` (a negative delta moves it back)."""
        with self._lock:
            self._anchor = self._current() + delta
            self._mono = time.monotonic()
            return self._anchor.replace(microsecond=0)

    def freeze(self, frozen: bool = True) -> datetime:
        """Stop (or restart) the clock at the current time."""
        with self._lock:
            self._anchor = self._current()
            self._mono = time.monotonic()
            self._frozen = frozen
            return self._anchor.replace(microsecond=0)

    def snapshot(self) -> dict[str, object]:
        """What the control API and the data file show: the time and whether it runs."""
        return {"now": format_timestamp(self.now()), "frozen": self._frozen}
