"""Reading the values people type into forms and records.

Each reader takes raw text and returns either the canonical value or a
``ValueProblem`` whose message says what to write instead. Readers never raise
on bad input: a responder's typo is a finding, not a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.model import Confidence, Decision, Phase, Severity, Status


@dataclass(frozen=True)
class ValueProblem:
    """Why a value was not accepted, phrased as what to write instead."""

    message: str


E = TypeVar("E", bound=StrEnum)

# GitHub logins: 1-39 alphanumerics or single hyphens, not starting or ending
# with a hyphen. Bots (`name[bot]`) are accepted so a bot can be an owner of
# an automated lane, but never a team (`org/team`): a team is nobody's pager.
_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\[bot\])?"
# Like GitHub, a mention needs a non-word character (or nothing) before the
# ``@``: ``ops@example.com`` mentions nobody.
LOGIN_RE = re.compile(rf"(?<![A-Za-z0-9_.+-])@({_LOGIN})(?![A-Za-z0-9/-])")
# Separators between logins. "and" is a separator only as a whole token (see
# ``read_logins``): splitting on ``\band\b`` would cut ``@and-co`` in two.
_LOGIN_LIST_SPLIT = re.compile(r"[\s,;&+/]+")


def _fold(text: str) -> str:
    """Lower-case and drop everything but letters and digits, for loose matching."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _options(enum: type[StrEnum]) -> str:
    return ", ".join(f'"{member.value}"' for member in enum)


def _short(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def read_enum(enum: type[E], raw: str, *, aliases: dict[str, E] | None = None) -> E | ValueProblem:
    """Match loosely (case, spaces, punctuation ignored) and return the canonical member.

    ``Escalate + Pause`` and ``escalate+pause`` both mean the same decision; a
    responder at 3 a.m. should not lose a record to a space.
    """
    folded = _fold(raw)
    table: dict[str, E] = {_fold(member.value): member for member in enum}
    table.update({_fold(k): v for k, v in (aliases or {}).items()})
    if folded in table:
        return table[folded]
    return ValueProblem(f'must be one of {_options(enum)}; got "{_short(raw)}"')


def read_severity(raw: str) -> Severity | ValueProblem:
    """``SEV-1``, ``sev1``, ``Sev 1``, ``S1`` or ``1`` all mean SEV-1."""
    # Strip first: a leading ``\s*`` next to ``[\s\-_]*`` backtracks quadratically
    # on long runs of spaces, and bodies are untrusted.
    match = re.fullmatch(
        r"(?:sev(?:erity)?|s)?[\s\-_]*([0-9]+)(?:\s*[:(\-–—].*)?", raw.strip(), re.I | re.S
    )
    if match and match.group(1) in {"1", "2", "3"}:
        return Severity(f"SEV-{match.group(1)}")
    return ValueProblem(f'must be one of "SEV-1", "SEV-2", "SEV-3"; got "{_short(raw)}"')


def read_phase(raw: str) -> Phase | ValueProblem:
    return read_enum(Phase, raw)


def read_decision(raw: str) -> Decision | ValueProblem:
    return read_enum(
        Decision,
        raw,
        aliases={
            "continue": Decision.CONTINUE,
            "escalate": Decision.ESCALATE,
            "escalate and pause": Decision.ESCALATE,
            "escalate & pause": Decision.ESCALATE,
        },
    )


def read_confidence(raw: str) -> Confidence | ValueProblem:
    """``L3``, ``l3``, ``L3 (high)`` or ``high`` all mean L3."""
    levels = {level.upper() for level in re.findall(r"\bL[123]\b", raw, re.I)}
    if len(levels) > 1:
        # "L1/L2/L3" is the template's list of choices, not a choice.
        return ValueProblem(f'must be one level, "L1", "L2" or "L3"; got "{_short(raw)}"')
    match = re.fullmatch(r"(L[123])\b.*", raw.strip(), re.I | re.S)
    if match:
        return Confidence(match.group(1).upper())
    return read_enum(
        Confidence,
        raw,
        aliases={"low": Confidence.L1, "medium": Confidence.L2, "high": Confidence.L3},
    )


def read_status(raw: str) -> Status | ValueProblem:
    return read_enum(Status, raw)


def read_logins(raw: str) -> tuple[str, ...] | ValueProblem:
    """One or more ``@login``s; anything else in the value is a problem.

    Ownership without a pageable person is how continuity is lost, so a name
    like "Alice" or "the SRE team" is refused with the fix spelled out.
    """
    text = raw.strip()
    if not text:
        return ValueProblem("must name an owner as a GitHub @login, e.g. @octocat")
    logins: list[str] = []
    seen: set[str] = set()  # a set, not a scan of `logins`: bodies are untrusted and long
    leftovers: list[str] = []
    for token in _LOGIN_LIST_SPLIT.split(text):
        if not token or token.lower() == "and":
            continue
        match = re.fullmatch(rf"@({_LOGIN})[.,;:]?", token)
        if match:
            if match.group(1).lower() not in seen:
                seen.add(match.group(1).lower())
                logins.append(match.group(1))
        else:
            leftovers.append(token)
    if leftovers or not logins:
        return ValueProblem(
            "must be one or more GitHub @logins, e.g. "
            f'"@octocat" or "@octocat, @hubot"; got "{_short(raw)}"'
        )
    return tuple(logins)


# Matched against stripped text with one ``\s*`` only: two adjacent ``\s*``
# backtrack quadratically on hostile runs of spaces. ASCII digits only. The
# fields are read from the groups: ``strptime`` costs ~100 µs a call, and a
# comment full of records holds hundreds of times.
_TIME_RE = re.compile(
    r"""(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt\ ]
        (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?
        (?:\s*(?P<zone>Z|UTC|GMT|(?P<sign>[+-])(?P<zh>\d{2}):?(?P<zm>\d{2})
                        |[A-Za-z_]+/[A-Za-z0-9_/+-]+))?""",
    re.X | re.I | re.A,
)


def read_time(raw: str, default_zone: tzinfo) -> datetime | ValueProblem:
    """ISO 8601 or ``2026-11-28 16:20 UTC``; a time without a zone is in ``default_zone``."""
    hint = 'write a date and time such as "2026-11-28 16:20 UTC" or "2026-11-28T16:20:00Z"'
    match = _TIME_RE.fullmatch(raw.strip())
    if not match:
        return ValueProblem(f'is not a time: {hint}; got "{_short(raw)}"')
    fraction = match.group("fraction") or ""
    try:
        if len(fraction) > 6:
            raise ValueError("more than microseconds")
        parsed = datetime(
            int(match.group("year")),
            int(match.group("month")),
            int(match.group("day")),
            int(match.group("hour")),
            int(match.group("minute")),
            int(match.group("second") or 0),
            int(fraction.ljust(6, "0")),
        )
    except ValueError:
        return ValueProblem(f'is not a valid date and time: {hint}; got "{_short(raw)}"')
    zone_text = match.group("zone")
    zone: tzinfo
    if zone_text is None:
        zone = default_zone
    elif zone_text.upper() in {"Z", "UTC", "GMT"}:
        zone = ZoneInfo("UTC")
    elif match.group("sign"):
        hours, minutes = int(match.group("zh")), int(match.group("zm"))
        sign = -1 if match.group("sign") == "-" else 1
        try:
            if minutes >= 60:
                raise ValueError("minutes")
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        except ValueError:
            return ValueProblem(f'has an invalid UTC offset "{zone_text}": {hint}')
    else:
        try:
            zone = ZoneInfo(zone_text)
        except (ZoneInfoNotFoundError, ValueError):
            return ValueProblem(f'has an unknown time zone "{zone_text}": {hint}')
    return parsed.replace(tzinfo=zone)


def read_date(raw: str) -> date | ValueProblem:
    """A calendar date, ``YYYY-MM-DD``: due dates are days, not moments."""
    text = raw.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.A):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    return ValueProblem(
        f'must be a date written YYYY-MM-DD, e.g. "2026-12-05"; got "{_short(raw)}"'
    )


def is_placeholder(raw: str) -> bool:
    """Empty, or still the template's hint: ``<time>``, ``_No response_``, ``TBD``."""
    text = raw.strip()
    return (
        not text
        or text in {"_No response_", "-", "—", "..."}
        or bool(re.fullmatch(r"<[^<>]*>", text))
        or (len(text) <= 12 and _fold(text) in {"tbd", "todo", "tba", "xxx"})
    )


def mentions(text: str) -> Iterable[str]:
    """The @logins mentioned anywhere in ``text``."""
    return (m.group(1) for m in LOGIN_RE.finditer(text))


__all__ = [
    "LOGIN_RE",
    "ValueProblem",
    "is_placeholder",
    "mentions",
    "read_confidence",
    "read_date",
    "read_decision",
    "read_enum",
    "read_logins",
    "read_phase",
    "read_severity",
    "read_status",
    "read_time",
]
