"""Reading the values people type into forms and records.

Each reader takes raw text and returns either the canonical value or a
``ValueProblem`` whose message says what to write instead. Readers never raise
on bad input: a responder's typo is a finding, not a crash. A value read from
shorthand that needed a guess (a time written without a date) comes back as
``Inferred``: the value plus a note saying how it was read, which callers turn
into a warning so nobody has to guess what warroom understood.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.model import Confidence, Decision, Phase, Rung, Severity, Status


@dataclass(frozen=True)
class ValueProblem:
    """Why a value was not accepted, phrased as what to write instead."""

    message: str


E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


@dataclass(frozen=True)
class Inferred(Generic[T]):
    """A value read from shorthand, with the note that says how it was read."""

    value: T
    note: str


# GitHub logins: 1-39 alphanumerics or single hyphens, not starting or ending
# with a hyphen. Bots (`name[bot]`) are accepted so a bot can be an owner of
# an automated lane, but never a team (`org/team`): a team is nobody's pager.
_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\[bot\])?"
# Like GitHub, a mention needs a non-word character (or nothing) before the
# ``@``: ``ops@example.com`` mentions nobody.
LOGIN_RE = re.compile(rf"(?<![A-Za-z0-9_.+-])@({_LOGIN})(?![A-Za-z0-9/-])")


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


RUNG_ALIASES: dict[str, Rung] = {
    "1": Rung.FLAG,
    "flag": Rung.FLAG,
    "config": Rung.FLAG,
    "flag disable": Rung.FLAG,
    "feature flag": Rung.FLAG,
    "kill switch": Rung.FLAG,
    "disable risky path via flag/config": Rung.FLAG,
    "2": Rung.PATCH,
    "patch": Rung.PATCH,
    "hotfix": Rung.PATCH,
    "targeted hotfix": Rung.PATCH,
    "bounded patch": Rung.PATCH,
    "targeted patch with bounded scope": Rung.PATCH,
    "3": Rung.ROLLBACK,
    "rollback": Rung.ROLLBACK,
    "full rollback to last known-good revision": Rung.ROLLBACK,
}
"""The ladder's rungs as people write them: the playbook's words, a short form, the number."""


def read_rung(raw: str) -> Rung | ValueProblem:
    """``flag/config``, ``flag``, ``1`` or the playbook's whole line all mean the first rung."""
    return read_enum(Rung, raw, aliases=RUNG_ALIASES)


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


LOGINS_FORM = '"@login" or "Name (@login)", e.g. "@octocat" or "Mona Lisa (@octocat)"'
"""The accepted ways to name an owner, as messages show them."""

# One token per match, each alternative over its own characters: a parenthetical
# (no nesting), a list separator, or a run of anything else up to a space.
_OWNER_TOKEN = re.compile(r"\([^()]*\)|[,;&+/]|[^\s,;&+/()]+|[()]")
_OWNER_LOGIN = re.compile(rf"@({_LOGIN})[.,;:]?")
_OWNER_SEPARATORS = frozenset(",;&+/")


def read_logins(raw: str) -> tuple[str, ...] | ValueProblem:
    """One or more owners, each a GitHub ``@login`` or ``Name (@login)``.

    Ownership without a pageable person is how continuity is lost, so a bare
    name such as "Nadia" or "the SRE team" is refused with the accepted forms
    spelled out. People write who someone is as well as their login:
    ``Priya Shah (@priya-s)`` and ``@priya-s (Priya Shah)`` both name
    @priya-s, and a parenthetical after a login is commentary (``@alice (IC)``).
    """
    text = raw.strip()
    if not text:
        return ValueProblem(f"must name an owner as a GitHub @login, written {LOGINS_FORM}")
    logins: list[str] = []
    seen: set[str] = set()  # a set, not a scan of `logins`: bodies are untrusted and long
    leftovers: list[str] = []
    name: list[str] = []  # words since the last owner: a name, if a "(@login)" follows
    after_login = False

    def add(login: str) -> None:
        if login.lower() not in seen:
            seen.add(login.lower())
            logins.append(login)

    for match in _OWNER_TOKEN.finditer(text):
        token = match.group()
        if token[0] == "(" and len(token) > 1:
            inner = [_OWNER_LOGIN.fullmatch(word) for word in token[1:-1].split()]
            found = [m.group(1) for m in inner if m]
            if len(found) == 1 and len(inner) == 1 and (name or not after_login):
                add(found[0])  # "Priya Shah (@priya-s)", or a lone "(@priya-s)"
                name, after_login = [], True
            elif not after_login or name:
                leftovers.append(token)  # "Nadia (SRE)": a name, no login
            continue  # after a login, "(IC)" or "(Priya Shah)" is commentary
        # "and" separates only as a whole token: ``@and-co`` is one login.
        if token in _OWNER_SEPARATORS or token.lower() == "and":
            leftovers.extend(name)
            name, after_login = [], False
            continue
        login = _OWNER_LOGIN.fullmatch(token)
        if login and not name:
            add(login.group(1))
            after_login = True
        else:
            name.append(token)
            after_login = False
    leftovers.extend(name)
    if leftovers or not logins:
        return ValueProblem(
            f'must be one or more GitHub @logins, each written {LOGINS_FORM}; got "{_short(raw)}"'
        )
    return tuple(logins)


# Matched against stripped text with one ``\s*`` only: two adjacent ``\s*``
# backtrack quadratically on hostile runs of spaces. ASCII digits only. The
# fields are read from the groups: ``strptime`` costs ~100 µs a call, and a
# comment full of records holds hundreds of times.
_ZONE = r"""(?:\s*(?P<zone>Z|UTC|GMT|(?P<sign>[+-])(?P<zh>\d{2}):?(?P<zm>\d{2})
                        |[A-Za-z_]+/[A-Za-z0-9_/+-]+))?"""
_TIME_RE = re.compile(
    r"""(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt\ ]
        (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"""
    + _ZONE,
    re.X | re.I | re.A,
)
# A time of day without a date: ``16:40``, ``16:40 UTC``, ``6:40 PM UTC``, ``6pm``.
_CLOCK_RE = re.compile(
    r"""(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?
        (?:\ ?(?P<half>[ap])\.?m\.?)?"""
    + _ZONE,
    re.X | re.I | re.A,
)
_TIME_HINT = 'write a date and time such as "2026-11-28 16:20 UTC" or "2026-11-28T16:20:00Z"'

DATELESS_GRACE = timedelta(hours=1)
"""How far a time without a date may lie on the "wrong" side of the reference.

A snapshot drafted at 16:38 for a 16:40 checkpoint and posted at 16:41 means
16:40 today (now overdue), not 16:40 tomorrow: a day's silence on a SEV-1 is
worse than a reminder that fires at once. The same hour of slack applies to a
timestamp a little after the reference (clocks and drafts differ).
"""


class When(StrEnum):
    """Which day a time written without a date falls on, seen from the reference time."""

    NEXT = "next"
    """Something to come (a checkpoint, an update): the next such time."""
    LAST = "last"
    """Something that happened (a record's timestamp): the last such time."""


def _zone(match: re.Match[str], default_zone: tzinfo) -> tzinfo | ValueProblem:
    zone_text = match.group("zone")
    if zone_text is None:
        return default_zone
    if zone_text.upper() in {"Z", "UTC", "GMT"}:
        return ZoneInfo("UTC")
    if match.group("sign"):
        hours, minutes = int(match.group("zh")), int(match.group("zm"))
        sign = -1 if match.group("sign") == "-" else 1
        try:
            if minutes >= 60:
                raise ValueError("minutes")
            return timezone(sign * timedelta(hours=hours, minutes=minutes))
        except ValueError:
            return ValueProblem(f'has an invalid UTC offset "{zone_text}": {_TIME_HINT}')
    try:
        return ZoneInfo(zone_text)
    except (ZoneInfoNotFoundError, ValueError):
        return ValueProblem(f'has an unknown time zone "{zone_text}": {_TIME_HINT}')


def format_moment(moment: datetime) -> str:
    """``2026-11-28 16:40 UTC``: a resolved time as messages show it, in its own zone."""
    zone = moment.tzinfo
    if isinstance(zone, ZoneInfo):
        label = "UTC" if zone.key in {"UTC", "Etc/UTC"} else zone.key
    elif moment.utcoffset() == timedelta(0):
        label = "UTC"
    else:
        label = _offset(moment)
    pattern = "%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M"
    return f"{moment.strftime(pattern)} {label}"


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def read_time(
    raw: str,
    default_zone: tzinfo,
    *,
    reference: datetime | None = None,
    when: When = When.NEXT,
) -> datetime | Inferred[datetime] | ValueProblem:
    """ISO 8601 or ``2026-11-28 16:20 UTC``; a time without a zone is in ``default_zone``.

    A time of day without a date (``16:40 UTC``, ``6:40 PM UTC``, ``16:40``) is
    read relative to ``reference`` (when the comment was posted, or now): the
    next such time for ``When.NEXT``, the last for ``When.LAST``, with
    ``DATELESS_GRACE`` of slack. It comes back as ``Inferred`` with a note that
    shows the resolved date, since the writer never saw it. Without a
    reference it is a problem: the day cannot be known.
    """
    text = raw.strip()
    match = _TIME_RE.fullmatch(text)
    if not match:
        clock = _CLOCK_RE.fullmatch(text)
        if clock is not None and (clock.group("minute") or clock.group("half")):
            return _read_clock(raw, clock, default_zone, reference, when)
        return ValueProblem(f'is not a time: {_TIME_HINT}; got "{_short(raw)}"')
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
        return ValueProblem(f'is not a valid date and time: {_TIME_HINT}; got "{_short(raw)}"')
    zone = _zone(match, default_zone)
    if isinstance(zone, ValueProblem):
        return zone
    return parsed.replace(tzinfo=zone)


def _read_clock(
    raw: str,
    match: re.Match[str],
    default_zone: tzinfo,
    reference: datetime | None,
    when: When,
) -> Inferred[datetime] | ValueProblem:
    hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
    second = int(match.group("second") or 0)
    half = (match.group("half") or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return ValueProblem(
                "is not a valid time of day: with AM or PM the hour is 1 to 12; "
                f'got "{_short(raw)}"'
            )
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return ValueProblem(f'is not a valid time of day: {_TIME_HINT}; got "{_short(raw)}"')
    zone = _zone(match, default_zone)
    if isinstance(zone, ValueProblem):
        return zone
    if reference is None:
        return ValueProblem(f'has no date: {_TIME_HINT}; got "{_short(raw)}"')
    try:
        moment = _on_day(time(hour, minute, second), zone, reference, when)
    except OverflowError:
        return ValueProblem(f'is too far from today: {_TIME_HINT}; got "{_short(raw)}"')
    written = " ".join(raw.split())
    counted = format_moment(reference.astimezone(zone))
    return Inferred(
        moment,
        f'read "{_short(written)}" as {format_moment(moment)}: no date was written, so the day '
        f"is counted from {counted}; write the date if you meant another day",
    )


def _on_day(clock: time, zone: tzinfo, reference: datetime, when: When) -> datetime:
    """The next (or last) ``clock`` in ``zone`` from ``reference``, with the grace of slack."""
    step = timedelta(days=1)
    if when is When.NEXT:
        anchor = reference - DATELESS_GRACE
        moment = datetime.combine(anchor.astimezone(zone).date(), clock, tzinfo=zone)
        return moment if moment >= anchor else datetime.combine(moment.date() + step, clock, zone)
    anchor = reference + DATELESS_GRACE
    moment = datetime.combine(anchor.astimezone(zone).date(), clock, tzinfo=zone)
    return moment if moment <= anchor else datetime.combine(moment.date() - step, clock, zone)


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
    """Empty, or still the template's hint: ``<time>``, ``_No response_``, ``TBD``, or a blank
    warroom's own messages leave for people (``⟨fill in: immediate ask⟩``), pasted back unfilled."""
    text = raw.strip()
    return (
        not text
        or text in {"_No response_", "-", "—", "..."}
        or bool(re.fullmatch(r"<[^<>]*>", text))
        or bool(re.fullmatch(r"⟨fill in:[^⟨⟩]*⟩", text))
        or (len(text) <= 12 and _fold(text) in {"tbd", "todo", "tba", "xxx"})
    )


_LONGEST_PATH = 300
"""Longer than any repository path worth naming: a value this long is prose, not a path."""


def read_paths(raw: str) -> tuple[str, ...] | ValueProblem:
    """Repository paths or globs, separated by commas or blanks: ``services/auth/**, Makefile``.

    Backticks around an entry and a leading ``./`` are dropped; each entry is
    kept once, in order. One scan of the split text: linear in the value.
    """
    found: dict[str, None] = {}
    for word in raw.replace(",", " ").split():
        entry = word.strip("`'\"")
        entry = entry.removeprefix("./")
        if not entry or entry in {"-", "*", "+"}:
            continue
        if len(entry) > _LONGEST_PATH:
            return ValueProblem(
                f"has an entry of {len(entry):,} characters; write repository paths or globs "
                'separated by commas, e.g. "services/auth/**, config/auth.yml"'
            )
        found.setdefault(entry, None)
    if not found:
        return ValueProblem(
            'must name repository paths or globs, e.g. "services/auth/**, config/auth.yml"'
        )
    return tuple(found)


def mentions(text: str) -> Iterable[str]:
    """The @logins mentioned anywhere in ``text``."""
    return (m.group(1) for m in LOGIN_RE.finditer(text))


__all__ = [
    "DATELESS_GRACE",
    "LOGINS_FORM",
    "LOGIN_RE",
    "Inferred",
    "ValueProblem",
    "When",
    "format_moment",
    "is_placeholder",
    "mentions",
    "read_confidence",
    "read_date",
    "read_decision",
    "read_enum",
    "read_logins",
    "read_paths",
    "read_phase",
    "read_severity",
    "read_status",
    "read_time",
]
