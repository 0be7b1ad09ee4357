"""Records as responders write them at 16:40 during an outage (issue 8, §2).

Times without a date, a checkpoint's time and owner on one line, near-miss
labels, owners written as names, unreadable optional fields, quoted records:
each is read for what it means, and every guess is said in a warning. The
playbook's rules still refuse what they refused before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.fake_github import START, FakeGitHub, make_comment, make_issue
from warroom import story
from warroom.check import check_files, check_text
from warroom.config import Config
from warroom.effects import UpsertComment
from warroom.errors import UsageError
from warroom.model import Level
from warroom.parsing.records import read_records, unread_starts
from warroom.records.models import Snapshot
from warroom.records.spec import SPECS, label_key
from warroom.records.types import ParsedRecord
from warroom.run import process_incident

POSTED = datetime(2024, 5, 1, 9, 12, tzinfo=UTC)

SNAPSHOT = """### Incident Command Snapshot
- Incident ID: #42
- Severity: SEV-1
- Incident commander: @mara
- Current phase: containment
- Latest stable revision: 4f2c1a9
- Candidate mitigation path: flag off
- Risk if we wait 30 minutes: everyone logged out
- Next checkpoint at: 2024-05-01 16:40 UTC
- Next owner: @omar
"""

DECISION = """### Checkpoint Decision Record
- Timestamp: 2024-05-01 09:00 UTC
- Evidence reviewed: 401 graph by deploy hash
- Decision: rollback
- Why this decision now: the flag did not clear the 401s
- Rejected alternatives: targeted hotfix, slower to verify
- Owner for execution: @tomas
- Owner for verification: @aiko
"""

VERIFICATION = """### Verification Rerun Record
- Timestamp: 2024-05-01 09:05 UTC
- Revision under test: 4f2c1a9
- Commands executed:
  ```
  ./scripts/health auth-gateway
  ```
- Outputs:
  ```
  401 rate 0.2%
  ```
- Result: green
- Residual risk: mobile caches
- Owner for verification: @aiko
"""


def only(text: str, config: Config | None = None) -> ParsedRecord:
    records = read_records(text, config or Config(), reference=POSTED)
    assert len(records) == 1, [r.kind for r in records]
    return records[0]


def findings(record: ParsedRecord, level: Level) -> dict[str, str]:
    return {f.field: f.message for f in record.findings if f.level is level}


# --- 1. times without a date --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "zone", "expected"),
    [
        pytest.param("16:40 UTC", "UTC", datetime(2024, 5, 1, 16, 40, tzinfo=UTC), id="utc"),
        pytest.param("6:40 PM UTC", "UTC", datetime(2024, 5, 1, 18, 40, tzinfo=UTC), id="pm"),
        pytest.param(
            "16:40",
            "Europe/Berlin",
            datetime(2024, 5, 1, 16, 40, tzinfo=ZoneInfo("Europe/Berlin")),
            id="configured-zone",
        ),
        pytest.param("08:00 UTC", "UTC", datetime(2024, 5, 2, 8, 0, tzinfo=UTC), id="tomorrow"),
    ],
)
def test_a_checkpoint_time_without_a_date_is_the_next_one_and_says_so(
    written: str, zone: str, expected: datetime
) -> None:
    text = SNAPSHOT.replace("2024-05-01 16:40 UTC", written)
    record = only(text, Config(timezone=zone))
    assert record.valid, record.errors
    assert record.values["next_checkpoint_at"] == expected
    [note] = [f for f in record.warnings if f.field == "Next checkpoint at"]
    assert note.line == 9
    shown = expected.strftime("%Y-%m-%d %H:%M ") + ("UTC" if zone == "UTC" else zone)
    assert note.message.startswith(f'read "{written}" as {shown}: no date was written')


def test_a_timestamp_without_a_date_is_the_last_one() -> None:
    record = only(DECISION.replace("2024-05-01 09:00 UTC", "16:20 UTC"))
    assert record.valid, record.errors
    assert record.values["timestamp"] == datetime(2024, 4, 30, 16, 20, tzinfo=UTC)
    assert "2024-04-30 16:20 UTC" in findings(record, Level.WARNING)["Timestamp"]


def test_without_a_reference_a_time_without_a_date_is_refused_with_the_field_named() -> None:
    [record] = read_records(SNAPSHOT.replace("2024-05-01 16:40 UTC", "16:40 UTC"))
    assert findings(record, Level.ERROR)["Next checkpoint at"].startswith("has no date")


def test_check_reads_times_after_warroom_now(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "snapshot.md"  # type: ignore[operator]
    path.write_text(SNAPSHOT.replace("2024-05-01 16:40 UTC", "16:40 UTC"), encoding="utf-8")
    monkeypatch.setenv("WARROOM_NOW", "2024-05-01T17:00:00Z")
    report = check_files([str(path)], config=Config())
    assert report.exit_code == 0, report.stdout
    # 17:00 is past 16:40 by less than the grace: today's, now overdue, not tomorrow's.
    assert 'read "16:40 UTC" as 2024-05-01 16:40 UTC' in report.stdout
    monkeypatch.setenv("WARROOM_NOW", "2024-05-01T19:00:00Z")
    assert "as 2024-05-02 16:40 UTC" in check_files([str(path)], config=Config()).stdout


def test_check_refuses_a_warroom_now_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_NOW", "soon")
    with pytest.raises(UsageError, match="WARROOM_NOW"):
        check_files(["-"], config=Config())


# --- 2. time and owner on one line --------------------------------------------------------------

_WITHOUT_OWNER = SNAPSHOT.replace("- Next owner: @omar\n", "")


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("- Next checkpoint: 2024-05-01 16:40 UTC, @omar", id="comma"),
        pytest.param("- Next checkpoint at: 2024-05-01 16:40 UTC / @omar", id="slash"),
        pytest.param("- Next checkpoint at: 2024-05-01 16:40 UTC — Omar Haddad (@omar)", id="name"),
        pytest.param("- Next checkpoint at: 2024-05-01 16:40 UTC; owner: @omar", id="owner-word"),
        pytest.param("- Next checkpoint time + owner: 2024-05-01 16:40 UTC, @omar", id="label"),
        pytest.param("- Next checkpoint: 16:40 UTC, @omar", id="without-a-date"),
    ],
)
def test_a_checkpoint_time_and_owner_on_one_line(line: str) -> None:
    text = _WITHOUT_OWNER.replace("- Next checkpoint at: 2024-05-01 16:40 UTC", line)
    record = only(text)
    assert record.valid, record.errors
    assert record.values["next_checkpoint_at"] == datetime(2024, 5, 1, 16, 40, tzinfo=UTC)
    assert record.values["next_owner"] == ("omar",)
    assert record.to_json()["next_owner"] == ["omar"]


@pytest.mark.parametrize(
    ("owner_line", "valid"),
    [
        pytest.param("- Next owner: @Omar", True, id="the-same-owner-twice-agrees"),
        pytest.param("- Next owner:", True, id="an-empty-next-owner-takes-the-one-on-the-line"),
        pytest.param("- Next owner: @nadia", False, id="two-different-owners-are-refused"),
    ],
)
def test_an_owner_on_the_time_line_and_a_next_owner_line(owner_line: str, valid: bool) -> None:
    text = SNAPSHOT.replace("16:40 UTC\n", "16:40 UTC, @omar\n").replace(
        "- Next owner: @omar", owner_line
    )
    record = only(text)
    assert record.valid is valid, record.findings
    if valid:
        assert [o.lower() for o in record.values["next_owner"]] == ["omar"]
    else:
        assert [(f.field, f.line, f.level) for f in record.errors] == [
            ("Next owner", 10, Level.ERROR)
        ]
        assert record.errors[0].message == (
            'names @nadia but line 9 ("Next checkpoint at") names @omar; '
            "write one next owner, in one place"
        )


def test_a_mention_in_a_comment_on_the_time_leaves_the_next_owner_alone() -> None:
    text = SNAPSHOT.replace("16:40 UTC\n", "16:40 UTC (after @tomas deploys)\n")
    record = only(text)
    assert record.valid, record.errors
    assert record.values["next_owner"] == ("omar",)
    assert record.values["next_checkpoint_at"] == datetime(2024, 5, 1, 16, 40, tzinfo=UTC)


def test_a_handoff_pairs_the_checkpoint_with_the_owner_taking_over() -> None:
    text = (
        "### Handoff Record\n"
        "- From owner: @tomas\n"
        "- Scope boundary: flag state in all regions\n"
        "- Unresolved unknowns: mobile token caches\n"
        "- Next checkpoint at: 17:00 UTC, Devi Raman (@devi)\n"
        "- Rollback trigger: 401 rate above 2% for 5 minutes\n"
    )
    record = only(text)
    assert record.valid, record.errors
    assert record.values["to_owner"] == ("devi",)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        pytest.param(
            _WITHOUT_OWNER.replace("16:40 UTC", "16:40 UTC, @omar and Nadia"),
            Level.ERROR,
            id="snapshot-next-owner-is-required",
        ),
        pytest.param(
            DECISION + "- Next checkpoint at: 2024-05-01 16:40 UTC, @omar and Nadia\n",
            Level.WARNING,
            id="decision-next-owner-is-optional",
        ),
    ],
)
def test_an_unreadable_owner_on_the_time_line(text: str, level: Level) -> None:
    record = only(text)
    [problem] = [
        f for f in record.findings if f.field == "Next owner" and "after the time" in f.message
    ]
    assert problem.level is level
    assert '"@login" or "Name (@login)"' in problem.message
    assert record.values["next_checkpoint_at"] == datetime(2024, 5, 1, 16, 40, tzinfo=UTC)


def test_a_decisions_next_owner_on_the_time_line_completes_its_evidence_packet() -> None:
    record = only(DECISION + "- Next checkpoint at: 2024-05-01 16:40 UTC, @omar\n")
    assert record.values["next_owner"] == ("omar",)
    assert "Next owner" not in findings(record, Level.WARNING)


# --- 3. near-miss labels ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "written", "keys", "warned"),
    [
        pytest.param("decision", "Verification", ("verification_signal",), True, id="shortened"),
        pytest.param(
            "decision",
            "Commands executed and outputs",
            ("commands", "outputs"),
            True,
            id="commands-and-outputs",
        ),
        pytest.param("decision", "Commands/outputs", ("commands", "outputs"), True, id="slash"),
        pytest.param("decision", "Exec owner", ("execution_owner",), True, id="abbreviation"),
        pytest.param("decision", "TS", ("timestamp",), True, id="abbreviated-timestamp"),
        pytest.param("decision", "Confidence lvl", ("confidence",), True, id="abbreviated-level"),
        pytest.param("decision", "Owner for verfication", ("verification_owner",), True, id="typo"),
        pytest.param("decision", "Timestmap", ("timestamp",), True, id="swapped-letters"),
        pytest.param(
            "decision", "Rejected alternative", ("rejected_alternatives",), True, id="singular"
        ),
        pytest.param("decision", "Evidence", ("evidence_reviewed",), True, id="first-word"),
        pytest.param("snapshot", "IC", ("incident_commander",), True, id="ic"),
        pytest.param(
            "decision",
            "VERIFICATION  SIGNAL",
            ("verification_signal",),
            False,
            id="case-and-spacing-are-silent",
        ),
        pytest.param("decision", "blast-radius", ("blast_radius",), False, id="punctuation"),
        pytest.param("decision", "Owner", None, False, id="ambiguous-owner-is-no-guess"),
        pytest.param("snapshot", "Next", None, False, id="ambiguous-next-is-no-guess"),
        pytest.param("decision", "Notes", None, False, id="unrelated"),
        pytest.param("decision", "Kind", None, False, id="too-short-for-a-typo"),
    ],
)
def test_label_matching(
    kind: str, written: str, keys: tuple[str, ...] | None, warned: bool
) -> None:
    match = SPECS[kind].match_label(written)
    if keys is None:
        assert match is None
        return
    assert match is not None
    assert tuple(spec.key for spec in match.fields) == keys
    assert bool(match.note) is warned
    if warned:
        assert match.note.startswith(f'read "{written}:" as ')


def test_verification_is_no_longer_dropped_silently() -> None:
    record = only(DECISION + "- Verification: 401 rate under 0.5% for 15 minutes\n")
    assert record.values["verification_signal"] == "401 rate under 0.5% for 15 minutes"
    warnings = findings(record, Level.WARNING)
    assert warnings["Verification signal"] == (
        'read "Verification:" as "Verification signal"; write "Verification signal:" to be exact'
    )
    assert "extra" not in record.to_json()


def test_commands_and_outputs_in_one_field_satisfy_a_rerun() -> None:
    text = VERIFICATION.replace("- Commands executed:", "- Commands executed and outputs:")
    text = text.replace("- Outputs:\n  ```\n  401 rate 0.2%\n  ```\n", "")
    record = only(text)
    assert record.valid, record.errors
    assert record.values["commands"] == record.values["outputs"] == "./scripts/health auth-gateway"
    [note] = [f for f in record.warnings if f.line == 4]
    assert 'as both "Commands executed" and "Outputs"' in note.message


def test_an_unknown_label_names_the_closest_field() -> None:
    record = only(DECISION + "- Blast radios and stuff: small\n- Notes: see thread\n")
    warned = {f.field: f.message for f in record.warnings if f.line in (9, 10)}
    assert warned == {
        "Blast radios and stuff": "is not a field of the Checkpoint Decision Record, so it was "
        'not read; did you mean "Blast radius"?'
    }
    # "Notes" resembles no field: a note kept as written, not a field someone tried to write.
    assert record.to_json()["extra"] == {"Blast radios and stuff": "small", "Notes": "see thread"}


def test_a_missing_field_points_at_the_label_that_looks_like_it() -> None:
    text = DECISION.replace("- Rejected alternatives:", "- Alternatives we turned down:")
    record = only(text)
    message = findings(record, Level.ERROR)["Rejected alternatives"]
    assert message.endswith(
        '(line 6 has "Alternatives we turned down": if that is this field, '
        'write "Rejected alternatives:")'
    )


def test_a_near_miss_and_the_exact_label_are_written_twice() -> None:
    record = only(
        DECISION.replace("- Decision: rollback", "- Decision: rollback\n- Decison: rollback")
    )
    assert "written twice" in findings(record, Level.ERROR)["Decision"]


_LABELS = [
    (kind, spec.key, name)
    for kind, record in SPECS.items()
    for spec in record.fields
    for name in (spec.label, *spec.aliases)
    if label_key(name) and record.by_label[label_key(name)] is spec
]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(_LABELS),
    st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
    st.sampled_from(["", " ", "  ", "-", "_", "."]),
)
def test_every_label_in_any_case_spacing_or_punctuation_is_read_silently(
    case: tuple[str, str, str], change: object, joint: str
) -> None:
    kind, key, name = case
    assert callable(change)
    written = joint.join(str(change(name)).split(" "))
    match = SPECS[kind].match_label(written)
    assert match is not None
    assert [spec.key for spec in match.fields] == [key]
    assert match.note == ""


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(SPECS)), st.text(max_size=80))
def test_label_matching_never_raises_and_always_reads_the_same(kind: str, label: str) -> None:
    first = SPECS[kind].match_label(label)
    assert SPECS[kind].match_label(label) == first
    if first is not None:
        assert first.fields
        assert all(spec in SPECS[kind].fields for spec in first.fields)
    closest = SPECS[kind].closest_field(label)
    assert closest is None or closest in SPECS[kind].fields


# --- 4. owners written as names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param("Priya Shah (@priya-s)", ("priya-s",), id="name-then-login"),
        pytest.param("@priya-s (Priya Shah)", ("priya-s",), id="login-then-name"),
        pytest.param("Nadia", None, id="a-bare-name-is-refused"),
    ],
)
def test_owner_fields_take_a_name_with_its_login(
    written: str, expected: tuple[str, ...] | None
) -> None:
    record = only(
        DECISION.replace("- Owner for execution: @tomas", f"- Owner for execution: {written}")
    )
    if expected is None:
        message = findings(record, Level.ERROR)["Owner for execution"]
        assert '"@login" or "Name (@login)"' in message
        assert f'got "{written}"' in message
    else:
        assert record.valid, record.errors
        assert record.values["execution_owner"] == expected


# --- 5. optional fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "field"),
    [
        pytest.param("- Severity: SEV-9", "Severity", id="severity"),
        pytest.param(
            "- Confidence level (L1/L2/L3): pretty sure",
            "Confidence level (L1/L2/L3)",
            id="confidence",
        ),
        pytest.param("- Next checkpoint at: after lunch", "Next checkpoint at", id="time"),
        pytest.param("- Next owner: Nadia", "Next owner", id="owner"),
    ],
)
def test_an_unreadable_optional_field_is_a_warning_not_a_refusal(line: str, field: str) -> None:
    record = only(DECISION + line + "\n")
    assert record.valid, record.errors
    assert record.model is not None
    message = findings(record, Level.WARNING)[field]
    assert message.endswith("(not read; the rest of the record stands)")


# --- 6. quoted records --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "> " + SNAPSHOT.replace("\n", "\n> "), [(1, "snapshot", "quoted")], id="quoted"
        ),
        pytest.param(
            "Earlier:\n> > ### Checkpoint Decision Record\n> > - Decision: rollback\n",
            [(2, "decision", "quoted")],
            id="nested-quote",
        ),
        pytest.param(
            "> ```\n> ### Checkpoint Decision Record\n> ```\n",
            [(2, "decision", "quoted")],
            id="quoted-fence",
        ),
        pytest.param("```\n" + DECISION + "```\n", [(2, "decision", "fenced")], id="fenced"),
        pytest.param(SNAPSHOT, [], id="a-record-as-posted"),
        pytest.param("> a quoted remark about the Checkpoint Decision Record\n", [], id="prose"),
    ],
)
def test_unread_starts(text: str, expected: list[tuple[int, str, str]]) -> None:
    assert unread_starts(text) == expected


def test_a_quoted_record_is_never_read_so_never_applied() -> None:
    assert read_records("> " + SNAPSHOT.replace("\n", "\n> "), reference=POSTED) == []


def test_check_says_a_quoted_record_was_not_read_and_how_to_post_it() -> None:
    text = DECISION + "\nAs Mara wrote:\n\n" + "> " + SNAPSHOT.replace("\n", "\n> ")
    result = check_text(text, reference=POSTED)
    assert result.valid
    [quoted] = [f for f in result.warnings if f.field == "Incident Command Snapshot"]
    assert quoted.line == 12
    assert quoted.message.startswith('is quoted with ">", so it is not read')
    assert 'remove the ">" from the start of its lines' in quoted.message
    alone = check_text("> " + SNAPSHOT.replace("\n", "\n> "), reference=POSTED)
    assert not alone.valid
    assert [(f.field, f.line) for f in alone.errors] == [("Incident Command Snapshot", 1)]
    named = check_text("> " + SNAPSHOT.replace("\n", "\n> "), kind="snapshot", reference=POSTED)
    assert [(f.field, f.line) for f in named.errors] == [("Incident Command Snapshot", 1)]


# --- 7. the playbook's rules still refuse --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field"),
    [
        pytest.param(_WITHOUT_OWNER, "Next owner", id="missing-next-owner"),
        pytest.param(
            SNAPSHOT.replace("2024-05-01 16:40 UTC", "25:99 UTC"),
            "Next checkpoint at",
            id="nonsense-time",
        ),
        pytest.param(
            SNAPSHOT.replace("2024-05-01 16:40 UTC", "at some point"),
            "Next checkpoint at",
            id="prose-time",
        ),
        pytest.param(
            DECISION.replace("- Rejected alternatives: targeted hotfix, slower to verify\n", ""),
            "Rejected alternatives",
            id="decision-without-rejected-alternatives",
        ),
        pytest.param(
            DECISION.replace("targeted hotfix, slower to verify", ""),
            "Rejected alternatives",
            id="empty-rejected-alternatives",
        ),
        pytest.param(
            DECISION.replace("2024-05-01 09:00 UTC", "soon"), "Timestamp", id="required-time"
        ),
    ],
)
def test_the_playbooks_rules_still_refuse_with_the_field_named(text: str, field: str) -> None:
    record = only(text)
    assert not record.valid
    assert field in findings(record, Level.ERROR)


# --- in the Action: the comment's creation time is the reference --------------------------------


def test_the_action_reads_a_time_without_a_date_from_when_the_comment_was_posted() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms={story.COMMANDER: "write"})
    body = story.snapshot(START).replace(
        f"- Next checkpoint at: {story.at(START, 30)}\n- Next owner: @{story.DEPUTY}\n",
        "- Next checkpoint: 16:40 UTC, Devi Raman (@devi-raman)\n",
    )
    gh.comments_by_issue[1] = [make_comment(body, author=story.COMMANDER, minutes=5)]  # 16:05
    # A sweep three hours later: still 16:40 on the day the comment was posted, now overdue.
    outcome = process_incident(gh, issue, None, START.replace(hour=19), Config(), dry_run=True)
    [applied] = outcome.incident.applied
    assert isinstance(applied.record, Snapshot)
    assert applied.record.next_checkpoint_at == datetime(2026, 11, 28, 16, 40, tzinfo=UTC)
    assert applied.record.next_owner == ("devi-raman",)
    [status] = [
        e
        for e in outcome.plan.effects
        if isinstance(e, UpsertComment) and e.marker.startswith("<!-- warroom:status")
    ]
    assert "2026-11-28 16:40 UTC" in status.body  # the clock shows the resolved date
    assert 'read "16:40 UTC" as 2026-11-28 16:40 UTC' in status.body
    assert "⏰ overdue" in status.body


_LOGIN = st.from_regex(r"[a-z0-9](?:[a-z0-9]|-[a-z0-9]){0,12}", fullmatch=True)
_NAME = st.lists(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8
    ).filter(lambda word: word.lower() not in {"and", "owner", "by", "with", "next", "owned"}),
    min_size=1,
    max_size=2,
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 23),
    st.integers(0, 59),
    st.booleans(),
    st.sampled_from([", ", " / ", "; ", " — ", " - ", " | ", ", owner ", " / owner: "]),
    _LOGIN,
    st.one_of(st.none(), _NAME),
)
def test_any_checkpoint_time_and_owner_on_one_line_read_back(
    hour: int, minute: int, dated: bool, separator: str, login: str, name: str | None
) -> None:
    moment = datetime(2024, 5, 1, hour, minute, tzinfo=UTC)
    written_time = moment.strftime("%Y-%m-%d %H:%M UTC" if dated else "%H:%M UTC")
    owner = f"{name} (@{login})" if name else f"@{login}"
    text = _WITHOUT_OWNER.replace(
        "- Next checkpoint at: 2024-05-01 16:40 UTC",
        f"- Next checkpoint at: {written_time}{separator}{owner}",
    )
    record = only(text)
    assert record.valid, (text, record.errors)
    assert record.values["next_owner"] == (login,)
    at = record.values["next_checkpoint_at"]
    assert (at.hour, at.minute) == (hour, minute)
    if dated:
        assert at == moment
