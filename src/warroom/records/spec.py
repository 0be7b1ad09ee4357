"""One table per record kind: the playbook's labels, their keys and how to read them.

Every other module (the scanner, the readers, the rules, the templates, the
docs tests) asks these tables instead of repeating a label, so a label is
spelt once, exactly as the playbook spells it. ``label`` is also the ``field``
of every finding, because a responder fixes what they can see in the block.

Labels as people write them are matched against the same tables
(``RecordSpec.match_label``): the table's spelling and its aliases in any
case, spacing or punctuation are read silently; a near miss (a shortened
label, an abbreviation, a typo) is read as the field it can only mean, with a
note the reader turns into a warning. The matching is dictionary lookups and
a bounded deletion neighbourhood on short labels: linear in the label, and
the same label always reads the same way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum

from warroom.model import (
    Confidence,
    Decision,
    DismissalReason,
    FollowUpKind,
    Phase,
    RerunResult,
    Rung,
    Severity,
    Status,
)
from warroom.parsing.values import When
from warroom.records.models import (
    Closure,
    DecisionRecord,
    Dismissal,
    Escalation,
    FollowUp,
    Handoff,
    LeadershipNote,
    PostClosureReview,
    RecordModel,
    ScenarioEvidence,
    SignOff,
    Snapshot,
    StakeholderUpdate,
    VerificationRecord,
)


class ValueKind(Enum):
    """How a field's text is read into a typed value."""

    TEXT = "text"
    CODE = "code"  # commands or outputs, usually in a fenced block
    LOGINS = "logins"
    TIME = "time"
    DATE = "date"
    SEVERITY = "severity"
    PHASE = "phase"
    DECISION = "decision"
    CONFIDENCE = "confidence"
    STATUS = "status"
    RESULT = "result"
    FOLLOWUP_KIND = "followup kind"
    DISMISSAL_REASON = "dismissal reason"
    RUNG = "ladder rung"
    PATHS = "paths"  # repository paths or globs, comma separated


ENUMS: Mapping[ValueKind, type[StrEnum]] = {
    ValueKind.SEVERITY: Severity,
    ValueKind.PHASE: Phase,
    ValueKind.DECISION: Decision,
    ValueKind.CONFIDENCE: Confidence,
    ValueKind.STATUS: Status,
    ValueKind.RESULT: RerunResult,
    ValueKind.FOLLOWUP_KIND: FollowUpKind,
    ValueKind.DISMISSAL_REASON: DismissalReason,
    ValueKind.RUNG: Rung,
}

_TIME_HINT = 'a date and time such as "2026-11-28 16:20 UTC"'
_LOGINS_HINT = "one or more GitHub @logins, e.g. @octocat"
_PATHS_HINT = 'the repository paths or globs this lane edits, e.g. "services/auth/**, config/a.yml"'


def _choices(kind: ValueKind) -> str:
    return " | ".join(member.value for member in ENUMS[kind])


def _choice_hint(kind: ValueKind) -> str:
    names = [f'"{member.value}"' for member in ENUMS[kind]]
    return "one of " + ", ".join(names)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a block.

    ``required`` fields are the playbook's block: missing, empty or unreadable
    is an error. Optional fields are what the playbook asks beyond the block
    (decision quality, confidence, the evidence packet): leaving one out is a
    warning raised by a rule in ``warroom.records.quality``, and writing one
    unreadably is a warning too, never a reason to refuse the whole record.
    """

    key: str
    label: str
    value: ValueKind
    hint: str
    """What to write, finishing the sentence "write ...". Shown in messages and templates."""
    aliases: tuple[str, ...] = ()
    required: bool = True
    blank: str | None = None
    """What the fillable template shows; defaults to the choices of an enum, else nothing."""
    why: str = ""
    """The playbook's reason, quoted in messages when the field is missing or empty."""
    when: When = When.NEXT
    """For a time: which day a time written without a date falls on (next, or last)."""
    pairs_with: str | None = None
    """For a time: the key of the owner it may carry on its line (``16:40 UTC, @omar``)."""

    @property
    def template_value(self) -> str:
        if self.blank is not None:
            return self.blank
        return _choices(self.value) if self.value in ENUMS else ""


@dataclass(frozen=True)
class LabelMatch:
    """The field (or fields) a label written by a person is read as."""

    fields: tuple[FieldSpec, ...]
    note: str = ""
    """Empty for the table's spelling; else how the label was read, shown as a warning."""

    @property
    def spec(self) -> FieldSpec:
        return self.fields[0]


@dataclass(frozen=True)
class RecordSpec:
    """A record kind: how its block starts, its fields, its typed model."""

    kind: str
    title: str
    """The heading as the playbook (or warroom, for added kinds) writes it."""
    model: type[RecordModel]
    fields: tuple[FieldSpec, ...]
    start: str = "heading"
    """``heading``, ``subject`` (the escalation's first line) or ``status`` (stakeholder)."""
    headings: tuple[str, ...] = ()
    """Other headings accepted for this kind, besides ``title``."""
    purpose: str = ""
    combined: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Labels that name several fields at once, with their keys: one value read as each."""
    by_key: Mapping[str, FieldSpec] = field(init=False, repr=False, compare=False)
    by_label: Mapping[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {f.key: f for f in self.fields})
        labels: dict[str, FieldSpec] = {}
        for spec in self.fields:
            for name in (spec.label, *spec.aliases):
                labels.setdefault(label_key(name), spec)
        object.__setattr__(self, "by_label", labels)

    @property
    def all_headings(self) -> tuple[str, ...]:
        return (self.title, *self.headings)

    @property
    def required(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.required)

    def field_for(self, label: str) -> FieldSpec | None:
        """The field a label written by a person means, ignoring case, markup and ``(…)``."""
        return self.by_label.get(label_key(label))

    def match_label(self, label: str) -> LabelMatch | None:
        """The field(s) ``label`` is read as: its own spelling, or a near miss with a note."""
        return self._labels.match(label)

    def closest_field(self, label: str) -> FieldSpec | None:
        """The field whose label looks most like ``label``, for a "did you mean"."""
        return self._labels.closest(label)

    @functools.cached_property
    def _labels(self) -> _LabelIndex:
        return _LabelIndex(self)

    @property
    def start_example(self) -> str:
        """The line that starts this block, as a message can tell someone to write it."""
        if self.start == "subject":
            return "[INCIDENT][SEV-1] <short summary>"
        if self.start == "status":
            return "Status: investigating"
        return f"### {self.title}"


_PARENTHETICAL = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


@functools.lru_cache(maxsize=4096)
def label_key(label: str) -> str:
    """Fold a label for matching, ``**Confidence Level (L1/L2/L3):**`` → ``confidencelevel``."""
    return re.sub(r"[^a-z0-9]", "", _PARENTHETICAL.sub("", label).lower())


# --- matching labels as people write them -------------------------------------------------

ABBREVIATIONS: Mapping[str, str] = {
    "alt": "alternative",
    "alts": "alternatives",
    "chkpt": "checkpoint",
    "ckpt": "checkpoint",
    "cmd": "command",
    "cmds": "commands",
    "comms": "communications",
    "conf": "confidence",
    "cp": "checkpoint",
    "exec": "execution",
    "ic": "incident commander",
    "lvl": "level",
    "min": "minutes",
    "mins": "minutes",
    "nxt": "next",
    "rev": "revision",
    "sev": "severity",
    "sys": "systems",
    "ts": "timestamp",
    "verif": "verification",
}
"""Short words people write in labels, and the words the tables spell."""

FILLER_WORDS = frozenset(
    {"a", "an", "and", "at", "by", "for", "if", "in", "is", "of", "on", "the", "this", "to", "we"}
)
"""Words that change nothing in a label: "Owner for execution" is "Execution owner"."""

_WORD = re.compile(r"[a-z0-9]+")
_RESEMBLES = 0.5
"""Share of letter pairs from which an unknown label is worth a "did you mean"."""
_FUZZY_MIN, _FUZZY_LONG, _FUZZY_MAX = 5, 10, 32
"""Folded label lengths a typo is looked for in (shorter ones are too easy to confuse),
and where a label is long enough to allow a second typo."""


def label_words(label: str) -> tuple[str, ...]:
    """``Owner for verif.`` → ``("owner", "verification")``: abbreviations spelt out,
    filler words dropped, plurals made singular, the ``(…)`` left out."""
    words: list[str] = []
    for word in _WORD.findall(_PARENTHETICAL.sub(" ", label.lower())):
        for part in ABBREVIATIONS.get(word, word).split():
            if part in FILLER_WORDS:
                continue
            if len(part) > 3 and part.endswith("s") and not part.endswith(("ss", "us")):
                part = part[:-1]
            words.append(part)
    return tuple(words)


def _typo_limit(key: str) -> int:
    """Edits allowed between a label and the one it means: none when short, else one or two."""
    if not _FUZZY_MIN <= len(key) <= _FUZZY_MAX:
        return 0
    return 1 if len(key) < _FUZZY_LONG else 2


def _within(a: str, b: str, limit: int) -> bool:
    """Optimal string alignment distance (edits and swaps of neighbours) at most ``limit``.

    Only cells within ``limit`` of the diagonal are computed, and the scan stops
    as soon as a row exceeds it: O(limit × length) on labels of at most 32 characters.
    """
    if abs(len(a) - len(b)) > limit:
        return False
    far = limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [far] * (len(b) + 1)
        current[0] = i
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, before[j - 2] + 1)
            current[j] = best
        if min(current[max(0, i - limit) : i + limit + 1]) > limit:
            return False
        before, previous = previous, current
    return previous[len(b)] <= limit


def _bigrams(key: str) -> frozenset[str]:
    return frozenset(key[index : index + 2] for index in range(len(key) - 1)) or frozenset({key})


def _shown(label: str) -> str:
    one_line = " ".join(label.split()).strip(" *_:")
    return one_line if len(one_line) <= 40 else one_line[:39] + "…"


class _LabelIndex:
    """One kind's labels, indexed once for every way a label is matched."""

    _CACHE_LIMIT = 4_096

    def __init__(self, record: RecordSpec) -> None:
        self.record = record
        targets: list[tuple[tuple[FieldSpec, ...], str, bool]] = [
            ((spec,), name, name == spec.label)
            for spec in record.fields
            for name in (spec.label, *spec.aliases)
        ]
        targets += [
            (tuple(record.by_key[key] for key in keys), name, False)
            for name, keys in record.combined
        ]
        self.exact: dict[str, tuple[FieldSpec, ...]] = {}
        self.bags: dict[tuple[str, ...], set[tuple[FieldSpec, ...]]] = {}
        self.heads: list[tuple[tuple[str, ...], tuple[FieldSpec, ...]]] = []
        self.typos: list[tuple[str, frozenset[str], tuple[FieldSpec, ...]]] = []
        self.shapes: list[tuple[frozenset[str], frozenset[str], FieldSpec]] = []
        for fields, name, primary in targets:
            key = label_key(name)
            if not key:
                continue  # the escalation's "[INCIDENT][SEV-X]": read from its line, not a label
            self.exact.setdefault(key, fields)
            words = label_words(name)
            self.bags.setdefault(tuple(sorted(set(words))), set()).add(fields)
            if primary:
                self.heads.append((words, fields))
            self.typos.append((key, _bigrams(key), fields))
            if len(fields) == 1:
                self.shapes.append((_bigrams("".join(words) or key), frozenset(words), fields[0]))
        self.cache: dict[str, LabelMatch | None] = {}

    def match(self, label: str) -> LabelMatch | None:
        if label not in self.cache:
            if len(self.cache) >= self._CACHE_LIMIT:
                self.cache.clear()
            self.cache[label] = self._match(label)
        return self.cache[label]

    def _match(self, label: str) -> LabelMatch | None:
        key = label_key(label)
        if not key:
            return None
        fields = self.exact.get(key)
        if fields is not None:
            return LabelMatch(fields, self._note(label, fields) if len(fields) > 1 else "")
        words = label_words(label)
        found = self.bags.get(tuple(sorted(set(words))), set()) if words else set()
        if not found and words:
            # A shortened label: the start of exactly one field's own label.
            found = {
                f
                for head, f in self.heads
                if len(words) < len(head) and head[: len(words)] == words
            }
        if not found and _typo_limit(key):
            found = self._typo_of(key)
        if len(found) != 1:
            return None  # nothing, or more than one field it could mean: no guess
        [fields] = found
        return LabelMatch(fields, self._note(label, fields))

    def _typo_of(self, key: str) -> set[tuple[FieldSpec, ...]]:
        """Fields a typo away; a bigram count filters candidates before the distance.

        One edit changes at most three distinct bigrams (a swap of neighbours
        does), so a label ``limit`` edits away shares all but ``3 * limit``.
        """
        limit = _typo_limit(key)
        shape = _bigrams(key)
        return {
            fields
            for other, grams, fields in self.typos
            if abs(len(other) - len(key)) <= limit
            and len(shape & grams) >= max(len(shape), len(grams)) - 3 * limit
            and _within(key, other, limit)
        }

    @staticmethod
    def _note(label: str, fields: tuple[FieldSpec, ...]) -> str:
        if len(fields) > 1:
            names = " and ".join(f'"{spec.label}"' for spec in fields)
            return (
                f'read "{_shown(label)}:" as both {names}, one value for each; '
                "write them as separate fields to be exact"
            )
        label_as_written, table = _shown(label), fields[0].label
        return f'read "{label_as_written}:" as "{table}"; write "{table}:" to be exact'

    def closest(self, label: str) -> FieldSpec | None:
        """The most alike field by shared letter pairs, if it shares a word or half its pairs.

        A label that resembles no field (``Notes:``, ``Thanks all:``) gets no
        suggestion: it is a note, not a field someone tried to write.
        """
        words = label_words(label)
        shape = _bigrams("".join(words) or label_key(label))
        wanted = frozenset(words)
        best: tuple[float, FieldSpec | None] = (0.0, None)
        for grams, named, spec in self.shapes:
            score = 2 * len(shape & grams) / (len(shape) + len(grams))
            if score > best[0] and (score >= _RESEMBLES or wanted & named):
                best = (score, spec)
        return best[1]


_NEXT_CHECKPOINT_ALIASES = (
    "Next checkpoint",
    "Next checkpoint time",
    "Next checkpoint time + owner",
    "Next checkpoint and owner",
)
"""The playbook pairs them ("next checkpoint time + owner"): the owner may follow the time."""

_COMMANDS_AND_OUTPUTS = (
    ("Commands executed and outputs", ("commands", "outputs")),
    ("Commands executed + outputs", ("commands", "outputs")),
    ("Commands and outputs", ("commands", "outputs")),
    ("Commands + outputs", ("commands", "outputs")),
)
"""The evidence packet's "commands executed and outputs", written as one field."""

# Postures, merge owner and branch owner: optional fields several records may carry.
_MERGE_OWNER = FieldSpec(
    "merge_owner",
    "Merge owner",
    ValueKind.LOGINS,
    "the one GitHub @login who merges when lanes edit the same files",
    required=False,
    why='the playbook: "if lanes edit the same files, define one merge owner immediately"',
)
_BRANCH_OWNER = FieldSpec(
    "branch_owner",
    "Branch owner",
    ValueKind.LOGINS,
    "the one GitHub @login who owns the hotfix, rollback and containment branches",
    aliases=("Recovery branch owner",),
    required=False,
    why='the playbook: "do not maintain all three branches active without one branch owner"',
)
_SURFACES = FieldSpec(
    "surfaces",
    "Surfaces",
    ValueKind.PATHS,
    _PATHS_HINT,
    aliases=("Files", "Files touched", "Touched files", "Changed files", "Lane surfaces"),
    required=False,
)

# --- the playbook's blocks ----------------------------------------------------------------

SNAPSHOT = RecordSpec(
    kind="snapshot",
    title="Incident Command Snapshot",
    model=Snapshot,
    headings=("Command Snapshot",),
    purpose="Who commands the incident, which phase it is in and when the next checkpoint is.",
    fields=(
        FieldSpec("incident_id", "Incident ID", ValueKind.TEXT, "the incident's ID, e.g. #123"),
        FieldSpec(
            "severity",
            "Severity",
            ValueKind.SEVERITY,
            'one of "SEV-1", "SEV-2", "SEV-3"',
            blank="",
        ),
        FieldSpec(
            "incident_commander",
            "Incident commander",
            ValueKind.LOGINS,
            _LOGINS_HINT,
            aliases=("Commander", "Incident owner"),
        ),
        FieldSpec(
            "phase",
            "Current phase",
            ValueKind.PHASE,
            _choice_hint(ValueKind.PHASE),
            aliases=("Phase",),
        ),
        FieldSpec(
            "latest_stable_revision",
            "Latest stable revision",
            ValueKind.TEXT,
            "the last known-good revision (commit, tag or deploy id)",
            aliases=("Last known-good revision",),
        ),
        FieldSpec(
            "candidate_mitigation_path",
            "Candidate mitigation path",
            ValueKind.TEXT,
            "the mitigation being prepared: flag disable, bounded patch or rollback",
        ),
        FieldSpec(
            "risk_if_we_wait",
            "Risk if we wait 30 minutes",
            ValueKind.TEXT,
            "what gets worse if nothing changes for 30 minutes",
            aliases=("Risk if we wait",),
        ),
        FieldSpec(
            "next_checkpoint_at",
            "Next checkpoint at",
            ValueKind.TIME,
            _TIME_HINT,
            aliases=_NEXT_CHECKPOINT_ALIASES,
            pairs_with="next_owner",
        ),
        FieldSpec(
            "next_owner",
            "Next owner",
            ValueKind.LOGINS,
            _LOGINS_HINT,
            aliases=("Next checkpoint owner",),
            why='the playbook: "no next owner means no reliable continuity"',
        ),
        _MERGE_OWNER,
        _BRANCH_OWNER,
    ),
)

_DECISION_FIELDS = (
    FieldSpec(
        "timestamp", "Timestamp", ValueKind.TIME, _TIME_HINT, aliases=("Time",), when=When.LAST
    ),
    FieldSpec(
        "evidence_reviewed",
        "Evidence reviewed",
        ValueKind.TEXT,
        "the evidence this decision rests on: graphs, logs, command outputs",
    ),
    FieldSpec("decision", "Decision", ValueKind.DECISION, _choice_hint(ValueKind.DECISION)),
    FieldSpec(
        "why_now",
        "Why this decision now",
        ValueKind.TEXT,
        "why this decision is taken at this checkpoint",
        aliases=("Why now",),
    ),
    FieldSpec(
        "rejected_alternatives",
        "Rejected alternatives",
        ValueKind.TEXT,
        "the options you considered and why you did not take them",
        why='the playbook: "document rejected alternatives, not only chosen action"',
    ),
    FieldSpec(
        "execution_owner",
        "Owner for execution",
        ValueKind.LOGINS,
        _LOGINS_HINT,
        aliases=("Execution owner",),
    ),
    FieldSpec(
        "verification_owner",
        "Owner for verification",
        ValueKind.LOGINS,
        _LOGINS_HINT,
        aliases=("Verification owner",),
    ),
    # Decision quality guardrails: three statements, or the decision is below advanced standard.
    FieldSpec(
        "reversibility",
        "Reversibility",
        ValueKind.TEXT,
        "how quickly we can undo this decision, and how",
        aliases=("Reversibility statement",),
        required=False,
    ),
    FieldSpec(
        "blast_radius",
        "Blast radius",
        ValueKind.TEXT,
        "what can get worse if this decision is wrong",
        aliases=("Blast-radius statement", "Blast radius statement"),
        required=False,
    ),
    FieldSpec(
        "verification_signal",
        "Verification signal",
        ValueKind.TEXT,
        "the exact signal that proves this worked",
        aliases=("Verification statement", "Success signal"),
        required=False,
    ),
    FieldSpec(
        "confidence",
        "Confidence level (L1/L2/L3)",
        ValueKind.CONFIDENCE,
        '"L1" (low), "L2" (medium) or "L3" (high)',
        aliases=("Confidence", "Current confidence level"),
        required=False,
        blank="L1 | L2 | L3",
    ),
    # The reversible decision ladder ("Decision: rollback" is its third rung when this is left out).
    FieldSpec(
        "rung",
        "Ladder rung",
        ValueKind.RUNG,
        _choice_hint(ValueKind.RUNG) + ", the rung of the reversible decision ladder",
        aliases=("Rung", "Ladder step"),
        required=False,
    ),
    # The contradiction protocol: one record capturing both conflicting recommendations.
    FieldSpec(
        "recommendation_a",
        "Recommendation A",
        ValueKind.TEXT,
        "one owner's recommendation with its reversibility and blast radius",
        aliases=("First recommendation",),
        required=False,
    ),
    FieldSpec(
        "recommendation_b",
        "Recommendation B",
        ValueKind.TEXT,
        "the other owner's recommendation with its reversibility and blast radius",
        aliases=("Second recommendation",),
        required=False,
    ),
    # The evidence packet.
    FieldSpec(
        "severity",
        "Severity",
        ValueKind.SEVERITY,
        'the current severity, "SEV-1", "SEV-2" or "SEV-3"',
        aliases=("Current severity",),
        required=False,
        blank="",
    ),
    FieldSpec(
        "impact",
        "Impacted systems/users",
        ValueKind.TEXT,
        "which systems and users are affected, and how many",
        aliases=("Impacted systems", "Impacted users", "Impact"),
        required=False,
    ),
    FieldSpec(
        "commands",
        "Commands executed",
        ValueKind.CODE,
        "the commands you ran, in a fenced code block",
        aliases=("Commands",),
        required=False,
    ),
    FieldSpec(
        "outputs",
        "Outputs",
        ValueKind.CODE,
        "what those commands printed, in a fenced code block",
        aliases=("Output", "Command output", "Command outputs"),
        required=False,
    ),
    FieldSpec(
        "residual_risk",
        "Residual risk",
        ValueKind.TEXT,
        "what could still go wrong and how we would notice",
        aliases=("Residual risks", "Residual risk statement"),
        required=False,
    ),
    FieldSpec(
        "next_checkpoint_at",
        "Next checkpoint at",
        ValueKind.TIME,
        _TIME_HINT,
        aliases=_NEXT_CHECKPOINT_ALIASES,
        required=False,
        pairs_with="next_owner",
    ),
    FieldSpec(
        "next_owner",
        "Next owner",
        ValueKind.LOGINS,
        _LOGINS_HINT,
        aliases=("Next checkpoint owner",),
        required=False,
    ),
    # A decision against the severity or dependency posture says why (the postures' rules).
    FieldSpec(
        "posture_exception",
        "Posture exception",
        ValueKind.TEXT,
        "why this decision goes against the default posture of the severity or dependency class",
        aliases=("Why not the posture", "Why against the posture", "Posture reason"),
        required=False,
    ),
    _SURFACES,
    _MERGE_OWNER,
    _BRANCH_OWNER,
    # A readiness check the form may have left open.
    FieldSpec(
        "rollback_ready",
        "Rollback readiness",
        ValueKind.TEXT,
        '"confirmed: " and how you checked, once the rollback path to the last known-good '
        "revision is executable now",
        aliases=("Rollback path executable", "Rollback path confirmed"),
        required=False,
    ),
)

DECISION = RecordSpec(
    kind="decision",
    title="Checkpoint Decision Record",
    model=DecisionRecord,
    headings=("Checkpoint Decision", "Decision Record"),
    purpose=(
        "What was decided at a checkpoint, why now, what was rejected, "
        "and who executes and verifies."
    ),
    fields=_DECISION_FIELDS,
    combined=_COMMANDS_AND_OUTPUTS,
)

LEADERSHIP = RecordSpec(
    kind="leadership",
    title="Incident Leadership Note",
    model=LeadershipNote,
    headings=("Leadership Note", "Leadership Handoff Note"),
    purpose="The short, explicit note for leadership that reduces re-litigation of decisions.",
    fields=(
        FieldSpec(
            "what_happened", "What happened", ValueKind.TEXT, "what happened, in two sentences"
        ),
        FieldSpec(
            "why_this_path",
            "Why this decision path was chosen",
            ValueKind.TEXT,
            "why this path and not the alternatives",
        ),
        FieldSpec(
            "confidence",
            "Current confidence level (L1/L2/L3)",
            ValueKind.CONFIDENCE,
            '"L1" (low), "L2" (medium) or "L3" (high)',
            aliases=("Confidence level", "Confidence"),
            blank="",
        ),
        FieldSpec(
            "uncertainties",
            "What remains uncertain",
            ValueKind.TEXT,
            "what we still do not know",
        ),
        FieldSpec(
            "leadership_ask",
            "What we need from leadership",
            ValueKind.TEXT,
            'the approval or resources you need, or "nothing"',
        ),
        FieldSpec(
            "watch_owner",
            "Owner for next 24h watch",
            ValueKind.LOGINS,
            _LOGINS_HINT,
            aliases=("Owner for 24h watch", "24h watch owner"),
        ),
    ),
)

ESCALATION = RecordSpec(
    kind="escalation",
    title="Internal Engineering Escalation",
    model=Escalation,
    start="subject",
    headings=("Engineering Escalation",),
    purpose="The message that pulls in engineering help: severity and summary in its first line.",
    fields=(
        FieldSpec(
            "severity",
            "[INCIDENT][SEV-X]",
            ValueKind.SEVERITY,
            'the severity in the first line, e.g. "[INCIDENT][SEV-1] Login fails"',
            blank="SEV-X",
        ),
        FieldSpec(
            "summary",
            "short summary",
            ValueKind.TEXT,
            'a short summary after "[INCIDENT][SEV-1]" on the first line',
            blank="<short summary>",
        ),
        FieldSpec(
            "impact",
            "Impact",
            ValueKind.TEXT,
            "the users and systems affected",
            blank="<users/systems>",
        ),
        FieldSpec(
            "current_decision",
            "Current decision",
            ValueKind.TEXT,
            "the mitigation path currently decided",
            blank="<path>",
        ),
        FieldSpec(
            "immediate_ask",
            "Immediate ask",
            ValueKind.TEXT,
            "the approval or resource you need now",
            blank="<approval/resource>",
        ),
        FieldSpec("next_update", "Next update", ValueKind.TIME, _TIME_HINT, blank="<time>"),
        FieldSpec(
            "owner",
            "Owner",
            ValueKind.LOGINS,
            _LOGINS_HINT,
            blank="<@login>",
            why='the playbook: "no next owner means no reliable continuity"',
        ),
    ),
)

STAKEHOLDER = RecordSpec(
    kind="stakeholder",
    title="Stakeholder Update",
    model=StakeholderUpdate,
    start="status",
    purpose="The plain-language update for stakeholders, with the time of the next one.",
    fields=(
        FieldSpec(
            "status",
            "Status",
            ValueKind.STATUS,
            _choice_hint(ValueKind.STATUS),
            blank="investigating/mitigating/recovered",
        ),
        FieldSpec(
            "customer_impact",
            "Customer impact",
            ValueKind.TEXT,
            "the impact on customers, in plain language",
            blank="<plain language>",
        ),
        FieldSpec(
            "current_mitigation",
            "Current mitigation",
            ValueKind.TEXT,
            "what is being done, in plain language",
            blank="<plain language>",
        ),
        FieldSpec(
            "known_unknowns",
            "Known unknowns",
            ValueKind.TEXT,
            "the top one or two things we do not know yet",
            blank="<top 1-2>",
        ),
        FieldSpec(
            "next_update",
            "Next committed update time",
            ValueKind.TIME,
            _TIME_HINT,
            aliases=("Next update", "Next update time"),
            blank="<time>",
        ),
    ),
)

# --- kinds the playbook implies -------------------------------------------------------------

VERIFICATION = RecordSpec(
    kind="verification",
    title="Verification Rerun Record",
    model=VerificationRecord,
    headings=("Verification Record", "Rerun Record"),
    purpose="Fresh rerun evidence: the commands, their outputs and whether the result is green.",
    combined=_COMMANDS_AND_OUTPUTS,
    fields=(
        FieldSpec(
            "timestamp", "Timestamp", ValueKind.TIME, _TIME_HINT, aliases=("Time",), when=When.LAST
        ),
        FieldSpec(
            "revision",
            "Revision under test",
            ValueKind.TEXT,
            "the revision or deploy the rerun ran against",
            aliases=("Revision",),
        ),
        FieldSpec(
            "commands",
            "Commands executed",
            ValueKind.CODE,
            "the commands you ran, in a fenced code block",
            aliases=("Commands",),
            why='the playbook: "confidence language cannot replace command evidence"',
        ),
        FieldSpec(
            "outputs",
            "Outputs",
            ValueKind.CODE,
            "what those commands printed, in a fenced code block",
            aliases=("Output", "Command output", "Command outputs"),
        ),
        FieldSpec("result", "Result", ValueKind.RESULT, _choice_hint(ValueKind.RESULT)),
        FieldSpec(
            "residual_risk",
            "Residual risk",
            ValueKind.TEXT,
            "what this rerun does not prove, and how we would notice it failing",
            aliases=("Residual risks",),
        ),
        FieldSpec(
            "owner",
            "Owner for verification",
            ValueKind.LOGINS,
            _LOGINS_HINT,
            aliases=("Verification owner", "Owner"),
        ),
    ),
)

HANDOFF = RecordSpec(
    kind="handoff",
    title="Handoff Record",
    model=Handoff,
    headings=("Owner Handoff", "Lane Handoff"),
    purpose="The handoff acceptance test, written down before the next owner takes over.",
    fields=(
        FieldSpec("from_owner", "From owner", ValueKind.LOGINS, _LOGINS_HINT, aliases=("From",)),
        FieldSpec(
            "to_owner",
            "To owner",
            ValueKind.LOGINS,
            _LOGINS_HINT,
            aliases=("To", "Next owner"),
            why='the playbook: "no next owner means no reliable continuity"',
        ),
        FieldSpec(
            "scope_boundary",
            "Scope boundary",
            ValueKind.TEXT,
            "what is included in and excluded from the handed-over work",
        ),
        FieldSpec(
            "unresolved_unknowns",
            "Unresolved unknowns",
            ValueKind.TEXT,
            "what is still unknown (not hidden in chat history)",
        ),
        FieldSpec(
            "next_checkpoint_at",
            "Next checkpoint at",
            ValueKind.TIME,
            _TIME_HINT,
            aliases=_NEXT_CHECKPOINT_ALIASES,
            pairs_with="to_owner",
        ),
        FieldSpec(
            "rollback_trigger",
            "Rollback trigger",
            ValueKind.TEXT,
            "the signal that triggers an immediate rollback",
            aliases=("Failure trigger for immediate rollback", "Failure trigger"),
        ),
        _SURFACES,
    ),
)

FOLLOWUP = RecordSpec(
    kind="followup",
    title="Hardening Follow-up",
    model=FollowUp,
    headings=("Follow-up Record", "Hardening Follow-up Record"),
    purpose="One hardening backlog item from the post-incident loop, with an owner and a due date.",
    fields=(
        FieldSpec("title", "Title", ValueKind.TEXT, "what will be built, in one line"),
        FieldSpec(
            "followup_kind",
            "Kind",
            ValueKind.FOLLOWUP_KIND,
            _choice_hint(ValueKind.FOLLOWUP_KIND),
            aliases=("Type",),
        ),
        FieldSpec("owner", "Owner", ValueKind.LOGINS, _LOGINS_HINT),
        FieldSpec(
            "due",
            "Due date",
            ValueKind.DATE,
            'a date written YYYY-MM-DD, e.g. "2026-11-29"',
            aliases=("Due", "Deadline"),
        ),
        FieldSpec(
            "acceptance_criteria",
            "Acceptance criteria",
            ValueKind.TEXT,
            "how we will know it is done",
        ),
    ),
)

CLOSURE = RecordSpec(
    kind="closure",
    title="Incident Closure Record",
    model=Closure,
    headings=("Closure Record", "Incident Closure Review"),
    purpose="The closure review package: one answer per condition of the hard gate.",
    fields=(
        FieldSpec(
            "mitigation",
            "Mitigation executed",
            ValueKind.TEXT,
            "the mitigation that was applied",
        ),
        FieldSpec(
            "verification_evidence",
            "Verification evidence",
            ValueKind.TEXT,
            "a link to the green Verification Rerun Record",
        ),
        FieldSpec(
            "residual_risks",
            "Residual risks",
            ValueKind.TEXT,
            "each risk that remains and how we would notice it",
            aliases=("Residual risk",),
            why='the playbook: residual risks are explicit, not "none" by default',
        ),
        FieldSpec(
            "rollback_trigger",
            "Rollback trigger for 24h watch",
            ValueKind.TEXT,
            "the signal that triggers a rollback during the 24h watch window",
            aliases=("Rollback trigger",),
        ),
        FieldSpec(
            "watch_owner",
            "Owner for 24h watch",
            ValueKind.LOGINS,
            _LOGINS_HINT,
            aliases=("Owner for next 24h watch", "24h watch owner"),
        ),
        FieldSpec(
            "followups",
            "Hardening follow-ups",
            ValueKind.TEXT,
            "the follow-up issues, e.g. #124 (guardrail automation), #125 (regression test)",
            aliases=("Follow-ups", "Hardening backlog"),
        ),
        FieldSpec(
            "comms_timeline",
            "Communications timeline",
            ValueKind.TEXT,
            "the time of each stakeholder update and where it was posted",
            aliases=("Comms timeline",),
        ),
        FieldSpec(
            "confidence",
            "Confidence level (L1/L2/L3)",
            ValueKind.CONFIDENCE,
            '"L2" (medium) or "L3" (high); never close on L1',
            aliases=("Confidence", "Current confidence level"),
            blank="",
        ),
    ),
)

DISMISSAL = RecordSpec(
    kind="dismissal",
    title="Incident Dismissal",
    model=Dismissal,
    headings=("Dismissal Record",),
    purpose="Closing an issue that is not an incident (false alarm) or is one already (duplicate).",
    fields=(
        FieldSpec(
            "reason",
            "Reason",
            ValueKind.DISMISSAL_REASON,
            _choice_hint(ValueKind.DISMISSAL_REASON),
        ),
        FieldSpec(
            "evidence",
            "Evidence",
            ValueKind.TEXT,
            "why you are sure; for a duplicate, the incident it duplicates as #NUMBER",
        ),
        FieldSpec(
            "dismissed_by", "Dismissed by", ValueKind.LOGINS, _LOGINS_HINT, aliases=("Owner",)
        ),
    ),
)

EVIDENCE = RecordSpec(
    kind="evidence",
    title="Scenario Evidence",
    model=ScenarioEvidence,
    headings=("Scenario Evidence Record", "Evidence Record"),
    purpose="One item of the scenario's evidence minimum, which the closure gate asks for.",
    fields=(
        FieldSpec(
            "item",
            "Evidence for",
            ValueKind.TEXT,
            "the item of the scenario's evidence minimum, as the status comment names it, e.g. "
            '"failing endpoint list"',
            aliases=("Evidence item", "Item"),
            why="the scenario library names an evidence minimum for each scenario",
        ),
        FieldSpec(
            "evidence",
            "Evidence",
            ValueKind.CODE,
            "the evidence itself: the list, the hash, or the command output in a fenced block",
            aliases=("Output", "Proof"),
        ),
        FieldSpec(
            "collected_by",
            "Collected by",
            ValueKind.LOGINS,
            _LOGINS_HINT,
            aliases=("Owner", "By"),
        ),
        FieldSpec(
            "timestamp", "Timestamp", ValueKind.TIME, _TIME_HINT, aliases=("Time",), when=When.LAST
        ),
    ),
)

SIGNOFF = RecordSpec(
    kind="signoff",
    title="Sign-off Record",
    model=SignOff,
    headings=("Sign-off", "Dual Sign-off"),
    purpose="One person's sign-off in a role the scenario names, posted by that person.",
    fields=(
        FieldSpec(
            "role",
            "Role",
            ValueKind.TEXT,
            'the role you sign off as, e.g. "data owner" or "incident commander"',
            blank="data owner | incident commander",
        ),
        FieldSpec(
            "signed_by",
            "Signed off by",
            ValueKind.LOGINS,
            "your own GitHub @login: a sign-off counts when the person it names posts it",
            aliases=("Signed by", "Signer"),
        ),
        FieldSpec(
            "scope",
            "Scope",
            ValueKind.TEXT,
            "what you sign off on, e.g. the replay boundary and the reconciled ledger range",
        ),
        FieldSpec(
            "timestamp", "Timestamp", ValueKind.TIME, _TIME_HINT, aliases=("Time",), when=When.LAST
        ),
    ),
)

REVIEW_QUESTIONS: Mapping[str, str] = {
    "signal": "what signal was first but ignored?",
    "checkpoint": "which decision checkpoint took longest?",
    "ownership": "where did ownership become ambiguous?",
    "guardrail": "what one guardrail would have reduced resolution time most?",
    "metric": "what one metric should be added or redefined?",
}
"""The playbook's 30-minute post-closure review, its five questions verbatim, by field key."""

_REVIEW_ANSWER_HINT = (
    "the answer in a sentence or two; for each backlog item it names, add a line "
    '"Action: <title>, @owner, due YYYY-MM-DD" under it'
)


def _review_answer(key: str, label: str, *aliases: str) -> FieldSpec:
    question = REVIEW_QUESTIONS[key]
    return FieldSpec(
        key,
        label,
        ValueKind.TEXT,
        _REVIEW_ANSWER_HINT,
        aliases=(question.rstrip("?"), *aliases),
        why=f'the playbook asks "{question}"',
    )


REVIEW = RecordSpec(
    kind="review",
    title="Post-Closure Review",
    model=PostClosureReview,
    headings=("Post-Closure Review Record", "Post-Incident Review"),
    purpose=(
        "The 30-minute review right after closure: five answers, each action in them a "
        "hardening follow-up with an owner and a due date."
    ),
    fields=(
        _review_answer("signal", "Signal first but ignored", "First signal ignored"),
        _review_answer("checkpoint", "Longest decision checkpoint", "Slowest checkpoint"),
        _review_answer(
            "ownership",
            "Where ownership became ambiguous",
            "Ambiguous ownership",
            "Ownership ambiguity",
        ),
        _review_answer("guardrail", "Guardrail that would have helped most", "One guardrail"),
        _review_answer("metric", "Metric to add or redefine", "One metric"),
    ),
)

SPECS: Mapping[str, RecordSpec] = {
    spec.kind: spec
    for spec in (
        SNAPSHOT,
        DECISION,
        LEADERSHIP,
        ESCALATION,
        STAKEHOLDER,
        VERIFICATION,
        HANDOFF,
        FOLLOWUP,
        CLOSURE,
        DISMISSAL,
        EVIDENCE,
        SIGNOFF,
        REVIEW,
    )
}
"""Every record kind, in the order a responder meets them."""

RECORD_KINDS: tuple[str, ...] = tuple(SPECS)

# Keys whose text is a residual-risk statement, wherever they appear.
RESIDUAL_RISK_KEYS = frozenset({"residual_risk", "residual_risks"})
