"""What the scenario's script says next, given what the team has done so far.

Pure: the runner reads the sandbox, folds it into ``Observed`` with
``observe`` (the incident read the way the Action reads it, so the script
reacts to the same records warroom counts), and asks ``plan`` for the beats
that are due. Each beat has a stable key; the runner remembers the keys it
posted, so a beat is said once however often it asks, and a missed tick is
skipped rather than replayed in a burst.

The script's beats, as issue 11 lists them:

* the monitoring bot's numbers every ``monitor.every_minutes``: worsening until
  a mitigating decision is recorded, easing after it, settled once a green
  rerun is on record;
* the stakeholder's ask when the comms cadence slips (once per missed due time);
* the second owner's contradictory decision, ``after_minutes`` after the
  team's first decision;
* a red rerun after a premature "looks stable" (or a close) before any green
  rerun;
* the answer to each ``/drill run <command>``: the evidence's output, or the
  list of commands when the command is unknown.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from warroom.config import Config
from warroom.drill.scenario import Scenario, Series, fill
from warroom.incident import Incident
from warroom.markers import fence_for
from warroom.model import Decision, RerunResult
from warroom.parsing.commands import prose_lines
from warroom.records.models import DecisionRecord, StakeholderUpdate, VerificationRecord

PREFIX = "/drill"
VERB = "run"
SHOWN = 80
"""At most this many characters of an unknown command are repeated back."""
DEFAULT_CADENCE_MINUTES = 60

OPPOSITE: Mapping[Decision, Decision] = {
    Decision.ROLLBACK: Decision.CONTINUE,
    Decision.CONTINUE: Decision.ROLLBACK,
    Decision.ESCALATE: Decision.CONTINUE,
}
"""The contradictory recommendation to each first decision."""

Kind = Literal["monitor", "stakeholder", "contradiction", "red-rerun", "evidence"]
Where = Literal["signal", "incident"]


@dataclass(frozen=True)
class Said:
    """A comment as the script sees it."""

    id: int
    author: str
    body: str
    at: datetime
    is_bot: bool = False
    issue: int = 0
    """The issue it is on (the signal's or the incident's)."""


@dataclass(frozen=True)
class Asked:
    """A ``/drill run <command>`` line in a player's comment."""

    comment_id: int
    author: str
    command: str
    """What follows ``/drill run``, spacing and backticks tidied; ``""`` when the verb is wrong."""
    at: datetime
    issue: int = 0
    written: str = ""
    """What followed ``/drill`` as written (cut), to echo back a mistake."""


@dataclass(frozen=True)
class Observed:
    """What the team has done, as far as the script cares."""

    now: datetime
    incident: int | None
    incident_at: datetime | None
    first_decision: tuple[datetime, Decision] | None
    mitigating_at: datetime | None
    """The first decision to mitigate (continue mitigation or rollback)."""
    green_at: datetime | None
    """The first green rerun on record."""
    revision: str
    """The revision a rerun would test now: the latest rerun's, else the form's first bad deploy."""
    update_due: datetime | None
    """When the next stakeholder update falls due (from the cadence and the last update)."""
    last_update_at: datetime | None
    premature: tuple[tuple[int, datetime], ...]
    """Comments (id, when) that called it stable, and closes, before any green rerun."""
    asked: tuple[Asked, ...]


@dataclass(frozen=True)
class Say:
    """One beat to post: who, where, what, and one line for the drill log."""

    key: str
    kind: Kind
    login: str
    where: Where
    body: str
    summary: str
    """warroom's words only: no people's text (it goes into the log and the debrief)."""
    issue: int | None = None
    """Where to post when it is not ``where``'s issue: an answer goes where it was asked."""
    asked: tuple[Asked, ...] = ()
    """The ``/drill run`` lines an evidence beat answers."""


# -- reading -------------------------------------------------------------------------------


BEAT_MARK = "<!-- warroom-drill:"


def beat_marker(key: str) -> str:
    """The first line of every beat the drill posts: how a rerun knows it was said."""
    return f"{BEAT_MARK}{key} -->"


def said_beats(comments: Iterable[Said], scripted: Collection[str]) -> set[str]:
    """The keys of beats already on the issues, posted by the scripted accounts.

    A write the sandbox applied and then failed (a dropped answer) is found here on the
    next reading, so the beat is not posted twice. Only the scripted accounts' comments
    count: a player quoting a marker does not silence the script.
    """
    mine = {login.lower() for login in scripted}
    keys: set[str] = set()
    for comment in comments:
        if comment.author.lower() not in mine or not comment.body.startswith(BEAT_MARK):
            continue
        end = comment.body.find(" -->", len(BEAT_MARK))
        if 0 < end <= len(BEAT_MARK) + 80:
            keys.add(comment.body[len(BEAT_MARK) : end])
    return keys


def visible_lines(body: str) -> Iterator[str]:
    """The comment's lines a reader sees as prose, quotes left out (``parsing.commands``)."""
    for _, line in prose_lines(body):
        if not line.startswith(">"):
            yield line


def read_asks(comment: Said) -> list[Asked]:
    """Every ``/drill run <command>`` line of a comment (a quoted or fenced one is not asked)."""
    found: list[Asked] = []
    for line in visible_lines(comment.body):
        if line[: len(PREFIX)].lower() != PREFIX:
            continue
        rest = line[len(PREFIX) :]
        words = rest.replace("`", " ").split()
        if not rest[:1].isspace() or not words:
            continue
        command = " ".join(words[1:]) if words[0].lower() == VERB else ""
        written = " ".join(rest.split())[:SHOWN]
        found.append(Asked(comment.id, comment.author, command, comment.at, comment.issue, written))
    return found


def calls_it_stable(comment: Said, phrases: Collection[str]) -> bool:
    """Whether the comment says a phrase such as "looks stable" in its own words (not quoted)."""
    for line in visible_lines(comment.body):
        folded = " ".join(line.lower().split())
        if any(phrase in folded for phrase in phrases):
            return True
    return False


_REVISION_CHARS = frozenset(
    "0123456789abcdefABCDEF" + "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ._/-"
)


def _revision(text: str) -> str:
    """A revision people wrote, if it looks like one (a sha, a tag, a branch): the scripted
    verifier repeats it in a record, so anything else becomes ``HEAD``, never their words."""
    text = text.strip()
    return text if 0 < len(text) <= 40 and set(text) <= _REVISION_CHARS else "HEAD"


def observe(
    scenario: Scenario,
    config: Config,
    *,
    now: datetime,
    started_at: datetime,
    incident: Incident | None,
    comments: Sequence[Said],
    scripted: Collection[str],
    closes: Sequence[datetime] = (),
) -> Observed:
    """Fold the incident (as the Action derives it) and the comments into what the script needs.

    ``comments`` are the signal issue's and the incident's comments; every person's but the
    ``scripted`` characters' count as asks and claims, and only their records move the script
    (the second owner's decision is the script's own, not the team's). ``closes`` are the
    times the incident was closed (warroom's reopen notices, and a close that stands).
    """
    cast = {login.lower() for login in scripted}
    mine = [c for c in comments if not c.is_bot and c.author.lower() not in cast]
    asked = tuple(a for c in mine for a in read_asks(c))
    first_decision: tuple[datetime, Decision] | None = None
    mitigating_at = green_at = last_update_at = update_due = None
    revision = ""
    number = incident_at = None
    if incident is not None:
        number, incident_at = incident.number, incident.issue.created_at
        decisions = [
            (a, r) for a, r in incident.records(DecisionRecord) if a.author.lower() not in cast
        ]
        if decisions:
            first_decision = (decisions[0][0].at, decisions[0][1].decision)
        mitigating_at = next(
            (a.at for a, r in decisions if r.decision in (Decision.CONTINUE, Decision.ROLLBACK)),
            None,
        )
        reruns = [
            (a, r) for a, r in incident.records(VerificationRecord) if a.author.lower() not in cast
        ]
        green_at = next((a.at for a, r in reruns if r.result is RerunResult.GREEN), None)
        if reruns:
            revision = reruns[-1][1].revision
        elif incident.declaration is not None:
            revision = incident.declaration.first_bad_deploy or ""
        revision = _revision(revision)
        severity = incident.severity
        cadence = timedelta(
            minutes=config.clock.comms_cadence_minutes[severity]
            if severity is not None
            else DEFAULT_CADENCE_MINUTES
        )
        update_due = incident.issue.created_at + cadence
        for applied, update in incident.records(StakeholderUpdate):
            last_update_at = applied.at
            update_due = min(update.next_update, applied.at + cadence)
    premature: list[tuple[int, datetime]] = []
    if green_at is None:
        premature = [(c.id, c.at) for c in mine if calls_it_stable(c, scenario.premature.phrases)]
        premature += [(0, when) for when in closes]
    return Observed(
        now=now,
        incident=number,
        incident_at=incident_at,
        first_decision=first_decision,
        mitigating_at=mitigating_at,
        green_at=green_at,
        revision=revision or "HEAD",
        update_due=update_due,
        last_update_at=last_update_at,
        premature=tuple(sorted(premature, key=lambda p: p[1])),
        asked=asked,
    )


# -- the numbers ---------------------------------------------------------------------------


def number_at(
    series: Series, tick: int, *, eased_from: int | None, settled_from: int | None, noise: float
) -> float:
    """The series' value at ``tick``: worsening, easing after ``eased_from``, settled after
    ``settled_from``. ``noise`` is in [-1, 1], from the drill's seed."""
    if settled_from is not None and tick >= settled_from:
        return series.recovered

    def worsening(k: int) -> float:
        value = series.start + series.step * k
        if series.limit is not None:
            value = min(value, series.limit) if series.step >= 0 else max(value, series.limit)
        return value

    if eased_from is not None and tick > eased_from:
        peak = worsening(eased_from)
        value = series.recovered + (peak - series.recovered) * 0.5 ** (tick - eased_from)
    else:
        value = worsening(tick)
    value += series.jitter * noise
    if series.limit is not None and series.step >= 0:
        value = min(value, series.limit)
    return max(value, 0.0) if series.start >= 0 and series.recovered >= 0 else value


def _shown(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def numbers_at(
    scenario: Scenario, tick: int, observed: Observed, started_at: datetime, seed: int
) -> dict[str, str]:
    every = timedelta(minutes=scenario.monitor.every_minutes)

    def tick_of(when: datetime | None) -> int | None:
        return None if when is None else int((when - started_at) / every)

    eased, settled = tick_of(observed.mitigating_at), tick_of(observed.green_at)
    if eased is not None:
        eased += 1  # a decision takes a tick to execute: the numbers ease from the one after
    if settled is not None:
        settled += 1  # the tick after the green rerun reads recovered
    values: dict[str, str] = {}
    for name, series in scenario.monitor.numbers.items():
        noise = random.Random(f"{seed}:{name}:{tick}").uniform(-1.0, 1.0)  # noqa: S311 - not crypto
        value = number_at(series, tick, eased_from=eased, settled_from=settled, noise=noise)
        values[name] = _shown(value, series.decimals)
    return values


# -- the plan ------------------------------------------------------------------------------


def people_time(when: datetime) -> str:
    """A time as people write it in records: ``2026-11-30 14:05 UTC``."""
    return when.strftime("%Y-%m-%d %H:%M UTC")


def drill_time(started_at: datetime, when: datetime) -> str:
    """``T+MM:SS`` from the signal (``T+75:00`` past an hour: drills count minutes)."""
    seconds = max(0, int((when - started_at).total_seconds()))
    return f"T+{seconds // 60:02d}:{seconds % 60:02d}"


def _common(
    scenario: Scenario, observed: Observed, started_at: datetime, signal: int
) -> dict[str, str]:
    team = scenario.team
    return {
        "now": people_time(observed.now),
        "minute": drill_time(started_at, observed.now)[:-3],
        "incident": str(observed.incident or signal),
        "signal": str(signal),
        "commander": team.commander.login,
        "comms": team.comms.login,
        "mitigation": team.mitigation.login,
        "verification": team.verification.login,
    }


def _fenced(text: str) -> str:
    fence = fence_for(text)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def evidence_reply(scenario: Scenario, asked: Asked) -> tuple[str, str]:
    """The answer to one ``/drill run``, and its log line."""
    found = scenario.command(asked.command) if asked.command else None
    if found is None:
        shown = (asked.written or asked.command)[:SHOWN].replace("`", "") or "(nothing)"
        listing = "\n".join(f"- `/drill run {e.command}`" for e in scenario.evidence)
        what = "is not a command of this drill" if asked.command else "is not `run <command>`"
        body = (
            f"`/drill {shown}` {what}. Write one of these on a line of its own (edit your "
            f"comment, or post a new one):\n\n{listing}"
        )
        return body, f"answered an unknown /drill command from @{asked.author}"
    body = f"Output of `{found.command}`:\n\n{_fenced(found.output)}\n"
    if found.reveals:
        body += (
            f"\nThis is the **{found.reveals}**. To put it on record, post a `### Scenario "
            f"Evidence` record with `- Evidence for: {found.reveals}` and this output under "
            "`- Evidence:`.\n"
        )
    return body, f"ran {found.command} for @{asked.author}" + (
        f" (reveals the {found.reveals})" if found.reveals else ""
    )


def plan(
    scenario: Scenario,
    observed: Observed,
    *,
    started_at: datetime,
    signal: int,
    fired: Collection[str],
    seed: int = 0,
) -> list[Say]:
    """The beats due now that have not been said (``fired`` holds the keys already posted)."""
    due: list[Say] = []
    values = _common(scenario, observed, started_at, signal)
    where: Where = "incident" if observed.incident is not None else "signal"
    monitor = scenario.monitor
    tick = int((observed.now - started_at) / timedelta(minutes=monitor.every_minutes))
    key = f"monitor-{tick}"
    if tick >= 1 and key not in fired:
        numbers = numbers_at(scenario, tick, observed, started_at, seed)
        due.append(
            Say(
                key,
                "monitor",
                scenario.monitoring_login(),
                where,
                fill(monitor.text, {**values, **numbers}),
                "monitoring posted its numbers",
            )
        )
    if (
        observed.incident is not None
        and observed.update_due is not None
        and observed.now >= observed.update_due
    ):
        key = f"stakeholder-{observed.update_due.strftime('%Y%m%dT%H%M%S')}"
        if key not in fired:
            since_from = observed.last_update_at or observed.incident_at or started_at
            since = int((observed.now - since_from).total_seconds() // 60)
            numbers = numbers_at(scenario, tick, observed, started_at, seed)
            due.append(
                Say(
                    key,
                    "stakeholder",
                    scenario.cast.stakeholder.login,
                    "incident",
                    fill(scenario.stakeholder.text, {**values, **numbers, "since": str(since)}),
                    "the stakeholder asked for an update: the comms cadence slipped",
                )
            )
    if (
        observed.incident is not None
        and observed.first_decision is not None
        and "contradiction" not in fired
    ):
        at, decided = observed.first_decision
        if observed.now >= at + timedelta(minutes=scenario.contradiction.after_minutes):
            text = fill(
                scenario.contradiction.text,
                {**values, "decided": decided.value, "opposite": OPPOSITE[decided].value},
            )
            due.append(
                Say(
                    "contradiction",
                    "contradiction",
                    scenario.cast.second_owner.login,
                    "incident",
                    text,
                    f"the second owner recommended {OPPOSITE[decided].value} against "
                    f"{decided.value}",
                )
            )
    if observed.incident is not None and observed.premature and "red-rerun" not in fired:
        due.append(
            Say(
                "red-rerun",
                "red-rerun",
                scenario.cast.verifier.login,
                "incident",
                fill(scenario.premature.text, {**values, "revision": observed.revision}),
                'a rerun came back red after a premature "looks stable"',
            )
        )
    by_comment: dict[int, list[Asked]] = {}
    for asked in observed.asked:
        by_comment.setdefault(asked.comment_id, []).append(asked)
    for comment_id, asks in by_comment.items():
        key = ask_key(comment_id, asks)
        if key in fired:
            continue
        answers = [evidence_reply(scenario, asked) for asked in asks[:MAX_ASKS]]
        body = "\n\n---\n\n".join(answer for answer, _ in answers)
        if len(asks) > MAX_ASKS:
            more = len(asks) - MAX_ASKS
            body += f"\n\n({more} more `/drill` lines not answered: ask in a new comment.)"
        summary = "; ".join(line for _, line in answers)
        shown = tuple(asks[:MAX_ASKS])
        due.append(
            Say(key, "evidence", "", where, body, summary, issue=asks[0].issue or None, asked=shown)
        )
    return due


MAX_ASKS = 5
"""At most this many ``/drill`` lines of one comment are answered (in one reply)."""


def ask_key(comment_id: int, asks: Sequence[Asked]) -> str:
    """One reply per comment and per wording: editing the command asks again."""
    digest = hashlib.sha256("\n".join(a.written for a in asks).encode()).hexdigest()[:8]
    return f"evidence-{comment_id}-{digest}"
