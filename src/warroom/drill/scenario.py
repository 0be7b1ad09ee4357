"""A drill scenario as data: the signal, the people, the script and the evidence.

The playbook's scenario library is bundled as YAML in ``scenarios/``; a team
adds its own by writing another file in the same shape (``warroom drill
path/to/file.yml``, or a directory given with ``--scenarios``). Reading one is
strict, so a typo in a key or a placeholder is refused at start-up with the
file, the field and what to write, never found in the middle of a drill.

Texts are templates with ``{name}`` placeholders filled by ``fill``: a plain
left-to-right scan that only looks names up, never ``str.format`` (which would
let a file reach attributes), so a scenario file is data, not code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from warroom import safe_yaml
from warroom.errors import UsageError
from warroom.model import Severity

BUNDLED_PACKAGE = "warroom.drill"
BUNDLED_DIR = "scenarios"
SUFFIXES = (".yml", ".yaml")
MAX_FILE_BYTES = 256 * 1024
"""A scenario file larger than this is refused (they are a few kilobytes)."""

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?")
_PLACEHOLDER_NAME = re.compile(r"[a-z_]+")

RESERVED = frozenset({"admin", "maintainer", "writer", "triager", "reader", "outsider"})
"""The sandbox's own seeded people: a scenario's accounts are others."""
RESERVED_BOTS = frozenset({"github-actions", "drill"})
"""Bot names taken: the Action's (``github-actions[bot]``) and the drill's (``drill[bot]``)."""

Level = Literal["admin", "maintain", "write", "triage", "read"]

COMMON_PLACEHOLDERS = frozenset(
    {"now", "minute", "incident", "signal", "commander", "comms", "mitigation", "verification"}
)
"""What every text may name: the drill time as people write it, ``T+MM``, the issues, the team."""


class ScenarioError(UsageError):
    """A scenario that cannot be played; the message names the file, the field and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Person(_Strict):
    """An account in the drill: a player's seat or a scripted character."""

    login: str
    role: str = Field(min_length=1, max_length=60)
    level: Level = "write"

    @field_validator("login")
    @classmethod
    def _login(cls, value: str) -> str:
        if not _LOGIN.fullmatch(value):
            raise ValueError(
                f"write a GitHub login of letters, digits and inner dashes, such as "
                f"'mara-okafor'; got {value!r}"
            )
        return value


class Team(_Strict):
    """The seats the players post as; the incident form names them."""

    commander: Person
    deputy: Person
    mitigation: Person
    verification: Person
    comms: Person

    def people(self) -> tuple[Person, ...]:
        return (self.commander, self.deputy, self.mitigation, self.verification, self.comms)


class Cast(_Strict):
    """The scripted characters. Monitoring is a bot (its comments are never records)."""

    monitoring: str = "pagerwatch"
    """The monitoring integration's name; it posts as ``<name>[bot]``."""
    stakeholder: Person
    second_owner: Person
    """Recommends the contradictory mitigation; needs write so the record counts."""
    verifier: Person
    """Posts the red rerun after a premature "looks stable"; needs write as well."""

    @field_validator("monitoring")
    @classmethod
    def _bot_name(cls, value: str) -> str:
        if not _LOGIN.fullmatch(value):
            raise ValueError(
                f"write a name such as 'pagerwatch' (it posts as pagerwatch[bot]); got {value!r}"
            )
        return value


class Signal(_Strict):
    """The opening signal: an alert issue the monitoring bot opens at T+0."""

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)


class Series(_Strict):
    """A number that moves: it worsens each tick until a mitigation is decided, then recovers."""

    start: float
    step: float
    """Change per tick before mitigation (positive: it grows)."""
    recovered: float
    """Where it settles once a green rerun is on record."""
    limit: float | None = None
    """It never passes this (a percentage stays at most 100)."""
    jitter: float = Field(0.0, ge=0)
    """At most this much noise either way, from the drill's seed."""
    decimals: int = Field(0, ge=0, le=3)


class Monitor(_Strict):
    """Monitoring comments on a fixed beat, with numbers that move."""

    every_minutes: int = Field(5, ge=1, le=60)
    text: str = Field(min_length=1, max_length=2_000)
    numbers: dict[str, Series] = Field(default_factory=dict)

    @field_validator("numbers")
    @classmethod
    def _names(cls, value: dict[str, Series]) -> dict[str, Series]:
        for name in value:
            if not _PLACEHOLDER_NAME.fullmatch(name):
                raise ValueError(f"a number's name is lower-case letters and '_'; got {name!r}")
        return value


class Ask(_Strict):
    """The stakeholder's question when the comms cadence slips."""

    text: str = Field(min_length=1, max_length=2_000)


class Contradiction(_Strict):
    """The second owner's decision record, contradicting the team's first decision."""

    after_minutes: int = Field(3, ge=0, le=30)
    text: str = Field(min_length=1, max_length=6_000)


class Premature(_Strict):
    """A red rerun after someone says "looks stable" (or closes) before a green rerun."""

    phrases: tuple[str, ...] = ("looks stable", "seems stable", "looks good now", "all clear")
    text: str = Field(min_length=1, max_length=6_000)

    @field_validator("phrases")
    @classmethod
    def _phrases(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        folded = tuple(" ".join(p.lower().split()) for p in value)
        if not folded or any(not p for p in folded):
            raise ValueError("name at least one phrase such as 'looks stable', none empty")
        return folded


class Evidence(_Strict):
    """What ``/drill run <command>`` answers: the output of a command the responders ran."""

    command: str = Field(min_length=1, max_length=120)
    reveals: str = Field("", max_length=100)
    """The evidence item it shows (the scenario minimum's label), or ``""`` for plain context."""
    output: str = Field(min_length=1, max_length=8_000)

    @field_validator("command")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value or "`" in value:
            raise ValueError("write the command on one line, without backticks")
        return " ".join(value.split())


class Commit(_Strict):
    """A commit of the repository's history before the signal (the package's diff needs it)."""

    sha: str
    message: str = Field(min_length=1, max_length=200)
    files: tuple[str, ...] = Field(min_length=1)
    minutes_before: int = Field(ge=1)
    tag: str | None = None

    @field_validator("sha")
    @classmethod
    def _sha(cls, value: str) -> str:
        if len(value) != 40 or any(c not in "0123456789abcdef" for c in value):
            raise ValueError(f"write a full 40-character lower-case hex sha; got {value!r}")
        return value


class Scenario(_Strict):
    """One drill. See the module docstring and the bundled files for the shape."""

    name: str
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field(min_length=1, max_length=2_000)
    form_scenario: str = Field(min_length=1, max_length=100)
    """The incident form's Scenario answer: it sets the evidence minimum the gate asks for."""
    severity: Severity
    timeline_minutes: int = Field(60, ge=10, le=240)
    time_limit_minutes: int = Field(90, ge=10, le=480)
    team: Team
    cast: Cast
    signal: Signal
    monitor: Monitor
    stakeholder: Ask
    contradiction: Contradiction
    premature: Premature
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    history: tuple[Commit, ...] = ()

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value) or len(value) > 60:
            raise ValueError(f"write a slug such as 'auth-token-failure'; got {value!r}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        logins = [
            p.login.lower()
            for p in (
                *self.team.people(),
                self.cast.stakeholder,
                self.cast.second_owner,
                self.cast.verifier,
            )
        ]
        taken = sorted(x for x in logins if x in RESERVED)
        if taken or self.cast.monitoring.lower() in RESERVED_BOTS:
            name = taken[0] if taken else self.cast.monitoring
            raise ValueError(
                f"{name} is an account the sandbox or the drill already has "
                f"({', '.join(sorted(RESERVED | RESERVED_BOTS))}); choose another login"
            )
        twice = sorted({x for x in logins if logins.count(x) > 1})
        if twice:
            raise ValueError(f"each person needs a login of their own; {twice[0]} is used twice")
        for who in (self.cast.second_owner, self.cast.verifier):
            if who.level not in ("write", "maintain", "admin"):
                raise ValueError(
                    f"cast {who.login}: level {who.level} cannot post records warroom counts; "
                    "write level: write"
                )
        commands = [e.command.lower() for e in self.evidence]
        again = sorted({c for c in commands if commands.count(c) > 1})
        if again:
            raise ValueError(f"evidence command {again[0]!r} is given twice; give each once")
        if self.time_limit_minutes < self.timeline_minutes:
            raise ValueError(
                f"time_limit_minutes ({self.time_limit_minutes}) is shorter than "
                f"timeline_minutes ({self.timeline_minutes}); write at least "
                f"{self.timeline_minutes}"
            )
        _check_placeholders("monitor.text", self.monitor.text, set(self.monitor.numbers))
        _check_placeholders(
            "stakeholder.text", self.stakeholder.text, {"since", *self.monitor.numbers}
        )
        _check_placeholders("contradiction.text", self.contradiction.text, {"opposite", "decided"})
        _check_placeholders("premature.text", self.premature.text, {"revision"})
        _check_placeholders("signal.body", self.signal.body, set(self.monitor.numbers))
        return self

    def players(self) -> tuple[str, ...]:
        return tuple(p.login for p in self.team.people())

    def monitoring_login(self) -> str:
        return f"{self.cast.monitoring}[bot]"

    def accounts(self) -> dict[str, str]:
        """Every human account the sandbox needs, login -> permission level."""
        people = (
            *self.team.people(),
            self.cast.stakeholder,
            self.cast.second_owner,
            self.cast.verifier,
        )
        return {p.login: p.level for p in people}

    def command(self, written: str) -> Evidence | None:
        """The evidence ``/drill run <written>`` asks for (case and spacing do not matter)."""
        wanted = " ".join(written.split()).lower()
        return next((e for e in self.evidence if e.command.lower() == wanted), None)


# -- templates ---------------------------------------------------------------------------


def placeholders(text: str) -> list[str]:
    """The ``{name}`` placeholders of ``text`` in order; ``{{`` and ``}}`` are literal braces."""
    names: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "{":
            if text.startswith("{{", i):
                i += 2
                continue
            end = text.find("}", i + 1)
            if end == -1:
                raise ValueError(
                    f"a '{{' at character {i} is never closed; write '{{{{' for a brace"
                )
            names.append(text[i + 1 : end])
            i = end + 1
        elif ch == "}" and text.startswith("}}", i):
            i += 2
        else:
            i += 1
    return names


def _check_placeholders(field: str, text: str, allowed: Iterable[str]) -> None:
    known = {*COMMON_PLACEHOLDERS, *allowed}
    try:
        names = placeholders(text)
    except ValueError as exc:
        raise ValueError(f"{field}: {exc}") from None
    for name in names:
        if name not in known:
            raise ValueError(
                f"{field}: unknown placeholder {{{name}}}; write one of "
                + ", ".join("{" + k + "}" for k in sorted(known))
            )


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{name}`` replaced by ``values[name]``; braces doubled stay single.

    The names were checked at load time; a name missing here is left as written.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "{" and text.startswith("{{", i):
            out.append("{")
            i += 2
        elif ch == "}" and text.startswith("}}", i):
            out.append("}")
            i += 2
        elif ch == "{":
            end = text.find("}", i + 1)
            if end == -1:
                out.append(text[i:])
                break
            name = text[i + 1 : end]
            out.append(values.get(name, text[i : end + 1]))
            i = end + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# -- loading -----------------------------------------------------------------------------


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(the file)"


def parse(text: str, source: str) -> Scenario:
    """A scenario from YAML text; ``ScenarioError`` names ``source``, the field and the fix."""
    try:
        data = safe_yaml.load(text)
    except RecursionError:
        raise ScenarioError(f"{source}: nested too deeply to be a scenario; flatten it") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(
            f"{source}: not YAML{where}; fix the indentation or quoting there"
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{source}: write a mapping of keys (name:, title:, ...), not a list or a value"
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "missing":
            message = "missing; add it (see the bundled scenarios for an example)"
        elif first["type"] == "extra_forbidden":
            message = "is not a scenario key; check its spelling against the bundled scenarios"
        more = len(exc.errors()) - 1
        tail = f" (and {more} more)" if more > 0 else ""
        raise ScenarioError(f"{source}: {_where(first['loc'])}: {message}{tail}") from None


def load(path: Path) -> Scenario:
    """A scenario file a team wrote."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"{path}: {size} bytes is too large for a scenario; keep it under 256 KiB"
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise ScenarioError(
            f"{path}: cannot read it ({exc.strerror or exc}); give a readable file"
        ) from None
    return parse(text, str(path))


def bundled() -> dict[str, Scenario]:
    """The playbook's three scenarios, by name."""
    found: dict[str, Scenario] = {}
    folder = resources.files(BUNDLED_PACKAGE).joinpath(BUNDLED_DIR)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(SUFFIXES):
            scenario = parse(entry.read_text(encoding="utf-8"), f"bundled {entry.name}")
            found[scenario.name] = scenario
    return found


def in_directory(folder: Path) -> dict[str, Scenario]:
    """A team's scenario files in ``folder`` (``*.yml``, ``*.yaml``), by name."""
    if not folder.is_dir():
        raise ScenarioError(
            f"--scenarios {folder}: not a directory; give the folder of your scenario files"
        )
    found: dict[str, Scenario] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in SUFFIXES and path.is_file():
            scenario = load(path)
            if scenario.name in found:
                raise ScenarioError(
                    f"{path}: name {scenario.name!r} is taken by another file; rename one"
                )
            found[scenario.name] = scenario
    return found


def available(folder: Path | None = None) -> dict[str, Scenario]:
    """The bundled scenarios, then a team's (a team's file may replace a bundled one by name)."""
    found = bundled()
    if folder is not None:
        found.update(in_directory(folder))
    return found


def find(wanted: str, folder: Path | None = None) -> Scenario:
    """The scenario named ``wanted``, or the file at that path."""
    if wanted.endswith(SUFFIXES):
        return load(Path(wanted))
    found = available(folder)
    if wanted in found:
        return found[wanted]
    raise ScenarioError(
        f"no scenario {wanted!r}; write one of {', '.join(sorted(found))}, or the path of a "
        "scenario file (see `warroom drill --list`)"
    )
