"""The model of ``.github/warroom.yml``.

Defaults live here and only here: the README's config table is these defaults,
and tests build configs from this model rather than repeating values. Every
model forbids unknown keys, so a typo in the file fails the run with its key
path instead of being silently ignored during an outage.
"""

from __future__ import annotations

import re
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from warroom import safe_yaml
from warroom.errors import ConfigError
from warroom.model import Confidence, Decision, DependencyClass, Phase, Severity

Permission = Literal["admin", "maintain", "write", "triage", "read"]
_E = TypeVar("_E", Severity, Phase, Confidence)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LabelNames(_Strict):
    """Label names warroom manages; rename them to fit a repository's scheme."""

    incident: str = "incident"
    hardening: str = "hardening"
    severity: dict[Severity, str] = Field(
        default_factory=lambda: {s: s.value for s in Severity},
    )
    phase: dict[Phase, str] = Field(
        default_factory=lambda: {p: f"phase: {p.value}" for p in Phase},
    )
    confidence: dict[Confidence, str] = Field(
        default_factory=lambda: {c: f"confidence: {c.value}" for c in Confidence},
    )
    gate_blocked: str = "gate: blocked"
    gate_met: str = "gate: met"
    decision_contested: str = "decision: contested"
    """Two owners' decisions conflict and no record has settled them (contradiction protocol)."""
    checkpoint_overdue: str = "checkpoint: overdue"
    """The latest next-checkpoint time passed without a new checkpoint."""
    freeze_held: str = "freeze: held"
    """On a pull request the merge freeze holds."""

    @field_validator(
        "incident",
        "hardening",
        "gate_blocked",
        "gate_met",
        "decision_contested",
        "checkpoint_overdue",
        "freeze_held",
    )
    @classmethod
    def _label_name(cls, value: str) -> str:
        return _checked_label(value)

    @field_validator("severity", "phase", "confidence", mode="before")
    @classmethod
    def _over_defaults(cls, value: object, info: ValidationInfo) -> object:
        """A map names only the labels it renames; the rest keep their defaults."""
        if not isinstance(value, dict):
            return value
        defaults = cls.model_fields[str(info.field_name)].get_default(call_default_factory=True)
        return {**{k.value: v for k, v in defaults.items()}, **value}

    @field_validator("severity", "phase", "confidence")
    @classmethod
    def _map_names(cls, value: dict[_E, str]) -> dict[_E, str]:
        return {key: _checked_label(name) for key, name in value.items()}


def _checked_label(name: str) -> str:
    if not name.strip() or len(name) > 50:
        raise ValueError(f"a label name has 1 to 50 characters; got {name!r}")
    return name


class Responders(_Strict):
    """Who may change an incident by posting a record."""

    permissions: tuple[Permission, ...] = ("admin", "maintain", "write")
    logins: tuple[str, ...] = ()
    """Extra logins allowed whatever their permission (an on-call contractor, say)."""
    teams: tuple[str, ...] = ()
    """Teams whose members are allowed (``org/slug``, or a slug in the repository's
    organisation). Reading teams needs a token with read:org, not the workflow token."""


_CADENCE_MINUTES = {Severity.SEV1: 30, Severity.SEV2: 60, Severity.SEV3: 240}


class Clock(_Strict):
    """The playbook's clock, in minutes unless named otherwise."""

    first_response_minutes: int = Field(15, ge=1)
    comms_cadence_minutes: dict[Severity, int] = Field(
        default_factory=lambda: dict(_CADENCE_MINUTES),
    )

    @field_validator("comms_cadence_minutes", mode="before")
    @classmethod
    def _cadence_over_defaults(cls, value: object) -> object:
        """Naming one severity's cadence keeps the others' defaults."""
        if not isinstance(value, dict):
            return value
        return {**{k.value: v for k, v in _CADENCE_MINUTES.items()}, **value}

    @field_validator("comms_cadence_minutes")
    @classmethod
    def _cadence_positive(cls, value: dict[Severity, int]) -> dict[Severity, int]:
        for severity, minutes in value.items():
            if minutes < 1:
                raise ValueError(f"{severity.value}: write a number of minutes of 1 or more")
        return value

    watch_hours: int = Field(24, ge=1)
    hardening_within_hours: int = Field(24, ge=1)
    reassess_minutes: int = Field(10, ge=1, le=10)
    """Contradiction protocol: a rapid reassessment checkpoint within this many minutes
    (the playbook says "<=10 minutes", so a team may shorten it, never lengthen it)."""
    review_minutes: int = Field(30, ge=1)
    """The post-closure review is held within this many minutes of the closure, or reminded once."""


class Closure(_Strict):
    """The closure gate's tunable parts; the conditions themselves are the playbook's."""

    min_confidence: Confidence = Confidence.L3
    required_follow_up_kinds: tuple[str, ...] = ("guardrail automation", "regression test")


_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
_REPO_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")


class Board(_Strict):
    """The GitHub Project (the new Projects) each follow-up is added to, and its fields.

    The defaults are a new project's ``Status`` field and its options; ``Owner`` and
    ``Incident`` are text fields and ``Due date`` a date field the team adds once.
    """

    number: int
    """The project's number, as in ``github.com/orgs/acme/projects/7``."""
    owner: str | None = None
    """The organisation or user the project belongs to (default: the repository's owner)."""
    owner_type: Literal["organization", "user"] = "organization"
    owner_field: str = "Owner"
    """A text field: the follow-up's owners' logins."""
    due_field: str = "Due date"
    """A date field: the follow-up's due date."""
    incident_field: str = "Incident"
    """A text field: the incident, as ``owner/repo#N``."""
    status_field: str = "Status"
    """A single-select field, kept in step with the follow-up issue's state."""
    status_open: str = "Todo"
    """The Status option of an open follow-up."""
    status_done: str = "Done"
    """The Status option of a closed follow-up."""

    @model_validator(mode="before")
    @classmethod
    def _numbered(cls, value: object) -> object:
        if isinstance(value, dict):
            number = value.get("number")
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise ValueError(
                    "number: write the project's number from its address "
                    f"(github.com/orgs/acme/projects/7 -> 7); got {number!r}"
                )
        return value

    @field_validator("owner")
    @classmethod
    def _login(cls, value: str | None) -> str | None:
        if value is not None and not _LOGIN.fullmatch(value):
            raise ValueError(
                "write the organisation's or user's login, e.g. 'acme' (letters, digits and "
                f"single dashes, at most 39); got {value!r}"
            )
        return value

    @field_validator(
        "owner_field",
        "due_field",
        "incident_field",
        "status_field",
        "status_open",
        "status_done",
    )
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip() or len(value) > 100:
            raise ValueError(
                "write the name of the project's field or option as the project shows it "
                "(1 to 100 characters)"
            )
        return value.strip()

    @model_validator(mode="after")
    def _distinct(self) -> Board:
        names = [self.owner_field, self.due_field, self.incident_field, self.status_field]
        if len({n.lower() for n in names}) != len(names):
            raise ValueError(
                "owner_field, due_field, incident_field and status_field name four different "
                "fields of the project"
            )
        if self.status_open == self.status_done:
            raise ValueError("status_open and status_done name two different Status options")
        return self


class FollowUps(_Strict):
    """How hardening follow-ups are filed."""

    milestone: bool = False
    """Also put each follow-up in a milestone named after its due date (``due 2026-12-05``)."""
    title_prefix: str = "[hardening]"
    project: Board | None = None
    """Add each follow-up to this GitHub Project, with its owner, due date and incident."""
    repository: str | None = None
    """File follow-ups in this repository of the same owner (a team's backlog), by name."""

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str | None) -> str | None:
        if value is None:
            return None
        name = value.rpartition("/")[2]
        if not _REPO_NAME.fullmatch(name) or name in {".", ".."} or value.count("/") > 1:
            raise ValueError(
                "write the name of a repository of the same owner, e.g. 'backlog' "
                f"(or 'acme/backlog'); got {value!r}"
            )
        return value


class Freeze(_Strict):
    """The merge freeze: which incidents freeze their impacted surfaces, and how a pull
    request says it is part of the response."""

    severities: tuple[Severity, ...] = (Severity.SEV1, Severity.SEV2)
    """Incidents of these severities freeze merges into their impacted surfaces."""
    exempt_labels: tuple[str, ...] = ("incident-fix",)
    """A pull request with one of these labels is never held (besides ``Incident: #N``)."""

    @field_validator("exempt_labels")
    @classmethod
    def _exempt_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_checked_label(name) for name in value)


class Api(_Strict):
    """How hard warroom tries when GitHub is unwell."""

    retry_seconds: float = Field(60.0, ge=0)
    """Total time a run may spend waiting to retry failed requests."""
    max_attempts: int = Field(5, ge=1)
    max_writes: int = Field(50, ge=1)
    """A cap on writes per run, so a bug can never spend the hour's token budget."""
    seconds_between_writes: float = Field(1.0, ge=0)
    """GitHub asks integrations to space writes a second apart to avoid secondary rate limits."""


FormAnswer = Literal[
    "first_bad_deploy",
    "last_known_good",
    "baseline_evidence",
    "blast_radius",
    "detection_signal",
    "impacted",
]
"""Incident form answers that may stand as scenario evidence (the form's field ids)."""

_SCENARIO_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class EvidenceItem(_Strict):
    """One item of a scenario's evidence minimum: what responders post, and where."""

    key: str
    """A short slug (``failing-endpoints``): the item's stable id in markers and outputs."""
    label: str
    """What a Scenario Evidence record's ``Evidence for:`` says, as the playbook names it."""
    aliases: tuple[str, ...] = ()
    """Other ways to write ``Evidence for:`` that mean this item."""
    form_field: FormAnswer | None = None
    """An incident form answer that counts as this evidence when it is filled in."""

    @field_validator("key")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SCENARIO_KEY.fullmatch(value) or len(value) > 40:
            raise ValueError(
                f"write a short slug of lower-case letters, digits and dashes, e.g. "
                f"'failing-endpoints'; got {value!r}"
            )
        return value

    @field_validator("label")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip() or len(value) > 100:
            raise ValueError("write what the evidence is in 1 to 100 characters")
        return value.strip()


class ScenarioMinimum(_Strict):
    """A scenario's extra closure conditions (the scenario library's "Evidence minimum")."""

    evidence: tuple[EvidenceItem, ...] = ()
    sign_off: tuple[str, ...] = ()
    """Roles that each sign off in a Sign-off Record, each by a different person."""
    before_patch: str | None = None
    """The key of an evidence item that must be on record before any patch decision."""
    patch_words: tuple[str, ...] = ("patch", "hotfix", "fix forward")
    """Words in a decision's ``Why this decision now`` that make it a patch decision."""

    @field_validator("sign_off")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        folded = [" ".join(role.lower().split()) for role in value]
        if any(not role for role in folded):
            raise ValueError("a sign-off role is a name such as 'data owner'; got an empty one")
        if len(set(folded)) != len(folded):
            raise ValueError("name each sign-off role once: dual sign-off is by different people")
        if len(folded) > 5:
            raise ValueError("name at most 5 sign-off roles")
        return tuple(folded)

    @field_validator("patch_words")
    @classmethod
    def _words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not word.strip() for word in value):
            raise ValueError("a patch word is a word such as 'hotfix'; got an empty one")
        return tuple(" ".join(word.lower().split()) for word in value)

    @model_validator(mode="after")
    def _consistent(self) -> ScenarioMinimum:
        keys = [item.key for item in self.evidence]
        twice = sorted({key for key in keys if keys.count(key) > 1})
        if twice:
            raise ValueError(
                f"evidence keys must differ; {', '.join(twice)} is used twice: rename one, "
                f"e.g. {twice[0] + '-2'!r}"
            )
        if self.before_patch is not None and self.before_patch not in keys:
            shown = ", ".join(keys) or "none"
            raise ValueError(
                f"before_patch names {self.before_patch!r}, which is not one of this "
                f"scenario's evidence keys; write one of: {shown}"
            )
        return self


def _item(
    key: str, label: str, *aliases: str, form_field: FormAnswer | None = None
) -> EvidenceItem:
    return EvidenceItem(key=key, label=label, aliases=aliases, form_field=form_field)


BUNDLED_SCENARIOS: dict[str, ScenarioMinimum] = {
    "auth token failure after release": ScenarioMinimum(
        evidence=(
            _item("failing-endpoints", "failing endpoint list", "failing endpoints"),
            _item(
                "first-bad-deploy",
                "first bad deploy hash",
                "first bad deploy",
                form_field="first_bad_deploy",
            ),
            _item(
                "rollback-safety-check",
                "rollback safety check output",
                "rollback safety check",
            ),
        ),
    ),
    "billing state mismatch": ScenarioMinimum(
        evidence=(
            _item("mismatch-sample-size", "mismatch sample size", "sample size"),
            _item("blast-radius-estimate", "blast radius estimate"),
            _item("safe-replay-boundary", "safe replay boundary", "replay boundary"),
        ),
        sign_off=("data owner", "incident commander"),
    ),
    "permission leak in edge flow": ScenarioMinimum(
        evidence=(
            _item("minimal-repro", "reproducible minimal case", "minimal reproducible case"),
            _item(
                "revocation-proof",
                "revocation completion proof",
                "revocation proof",
                "access revocation proof",
            ),
            _item("audit-trail-snapshot", "audit trail snapshot", "audit trail"),
        ),
        before_patch="revocation-proof",
    ),
}
"""The scenario library's three patterns and their evidence minimums, as the playbook names them."""


class Posture(_Strict):
    """A default response posture, and which decisions go against it.

    A decision record whose ``Decision`` is one of ``against`` goes against the
    posture, unless ``until`` names a decision an earlier record already took
    (rollback-first: once a rollback was decided, continuing mitigation is in
    line). Going against it is allowed with a stated reason: the record's
    ``Posture exception`` field.
    """

    name: str = Field(min_length=1, max_length=80)
    """The posture in the playbook's words, shown in the status comment."""
    against: tuple[Decision, ...] = ()
    until: Decision | None = None


def _posture(name: str, *against: Decision, until: Decision | None = None) -> Posture:
    return Posture(name=name, against=against, until=until)


_SEVERITY_POSTURES = {
    Severity.SEV1: _posture(
        "rollback-first evaluation", Decision.CONTINUE, until=Decision.ROLLBACK
    ),
    Severity.SEV2: _posture("bounded hotfix with tight verification", Decision.ROLLBACK),
    Severity.SEV3: _posture("scheduled corrective release", Decision.ROLLBACK, Decision.ESCALATE),
}
_DEPENDENCY_POSTURES = {
    DependencyClass.AUTH: _posture(
        "rollback-first + audit capture", Decision.CONTINUE, until=Decision.ROLLBACK
    ),
    DependencyClass.BILLING: _posture(
        "write freeze + reconciliation boundary",
        Decision.CONTINUE,
        Decision.ROLLBACK,
        until=Decision.ESCALATE,
    ),
    DependencyClass.MESSAGING: _posture("flow throttling + replay guard", Decision.ROLLBACK),
    DependencyClass.OBSERVABILITY: _posture(
        "conservative rollback threshold", Decision.CONTINUE, until=Decision.ROLLBACK
    ),
}


class Postures(_Strict):
    """The severity matrix's and the dependency risk matrix's default postures.

    A map names only the postures it changes; the rest keep the playbook's.
    """

    severity: dict[Severity, Posture] = Field(default_factory=lambda: dict(_SEVERITY_POSTURES))
    dependency: dict[DependencyClass, Posture] = Field(
        default_factory=lambda: dict(_DEPENDENCY_POSTURES)
    )

    @field_validator("severity", "dependency", mode="before")
    @classmethod
    def _over_defaults(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, dict):
            return value
        defaults = cls.model_fields[str(info.field_name)].get_default(call_default_factory=True)
        return {**{k.value: v for k, v in defaults.items()}, **value}


class MergeOwner(_Strict):
    """Where the merge-owner rule looks for lanes editing the same files."""

    read_pull_requests: bool = False
    """Also count the open pull requests linked to the incident (``Incident: #N`` in their
    description) as lanes. Off by default: it costs every open incident's run one listing of
    open pull requests and one read of the files of each linked one. The lanes' declared
    ``Surfaces:`` always count, at no cost."""


class RecoveryBranches(_Strict):
    """The recovery branch strategy matrix: where each branch type lives.

    A branch ``<prefix><name>`` (or ``<prefix><name>-…`` / ``<prefix><name>/…``)
    is that type's branch; ``{number}`` in the prefix is the incident's number.
    """

    prefix: str = "incident/{number}/"
    hotfix: str = "hotfix"
    rollback: str = "rollback"
    containment: str = "containment"

    @field_validator("prefix")
    @classmethod
    def _one_number(cls, value: str) -> str:
        if value.count("{number}") != 1 or any(c in value for c in "*?[]\\ ~^:"):
            raise ValueError(
                "write a branch name prefix holding {number} once and no wildcard, "
                f'e.g. "incident/{{number}}/"; got {value!r}'
            )
        return value

    @field_validator("hotfix", "rollback", "containment")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value or any(c in value for c in "/-*?[]\\ ~^:"):
            raise ValueError(f'write one word without "/" or "-", e.g. "hotfix"; got {value!r}')
        return value

    def prefix_for(self, number: int) -> str:
        return self.prefix.replace("{number}", str(number))


class Config(_Strict):
    """warroom's settings; every key optional."""

    timezone: str = "UTC"
    """Zone for times written without one (``2026-11-28 16:20``)."""
    labels: LabelNames = LabelNames()
    responders: Responders = Responders()
    clock: Clock = Clock()
    closure: Closure = Closure()
    follow_ups: FollowUps = FollowUps()
    freeze: Freeze = Freeze()
    api: Api = Api()
    postures: Postures = Postures()
    recovery_branches: RecoveryBranches = RecoveryBranches()
    merge_owner: MergeOwner = MergeOwner()
    scenarios: dict[str, ScenarioMinimum] = Field(default_factory=lambda: dict(BUNDLED_SCENARIOS))
    """Each form Scenario's extra closure conditions; a name not here sets none."""

    @field_validator("scenarios", mode="before")
    @classmethod
    def _scenarios_over_bundled(cls, value: object) -> object:
        """Naming a scenario adds it or replaces a bundled one; the others stay."""
        if not isinstance(value, dict):
            return value
        return {
            **BUNDLED_SCENARIOS,
            **{" ".join(str(k).lower().split()): v for k, v in value.items()},
        }

    def scenario(self, name: str | None) -> ScenarioMinimum | None:
        """The minimum of the form's Scenario ``name`` (spacing and case ignored), if any."""
        if name is None:
            return None
        return self.scenarios.get(" ".join(name.lower().split()))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}; write an IANA name such as 'UTC' or 'Europe/Berlin'"
            ) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


DEFAULT_CONFIG = Config()


def config_from_yaml(text: str, *, source: str = ".github/warroom.yml") -> Config:
    """Parse the config file; every problem names its key path and what is allowed.

    An empty file is the default config: adopting warroom should need no config.
    """
    try:
        data = safe_yaml.load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{source}{where}: not valid YAML ({exc.__class__.__name__})") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: must be a mapping of settings, e.g. 'timezone: UTC'")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"]) or "(top level)"
            message = error["msg"]
            if error["type"] == "value_error" and "error" in error.get("ctx", {}):
                message = str(error["ctx"]["error"])  # our own sentence, without pydantic's prefix
            if error["type"] == "extra_forbidden":
                message = "unknown key; see the README's config table for the keys allowed"
            lines.append(f"{source}: {path}: {message}")
        raise ConfigError("\n".join(lines)) from exc
