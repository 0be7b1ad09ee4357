"""Who may change an incident: decision tables whose ids name the rule they guard.

The rules: a record counts when its author was allowed as it was applied
(losing access later rewrites nothing, an edit is judged again); authority is
read only from warroom's own status comment (the oldest bot comment with the
marker), never from a copy or a future-dated answer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.unit.fake_github import START, make_comment
from warroom import authority
from warroom.config import Config
from warroom.markers import decode_state, encode_state, marker
from warroom.model import CommentSnapshot

STATUS = marker("status", 1)


def _status(body: str = "", *, ident: int, minutes: int = 0, bot: bool = True) -> CommentSnapshot:
    author = "github-actions[bot]" if bot else "mallory"
    return make_comment(f"{STATUS}\n{body}", author=author, bot=bot, minutes=minutes, ident=ident)


@pytest.mark.parametrize(
    ("comments", "expected"),
    [
        pytest.param([], None, id="no-status-comment-yet"),
        pytest.param([(1, True, 0)], 1, id="the-bots-status-comment"),
        pytest.param([(1, True, 0), (2, True, 5)], 1, id="a-later-bot-copy-is-not-warrooms"),
        pytest.param([(2, True, 5), (1, True, 0)], 1, id="oldest-wins-whatever-the-order"),
        pytest.param([(1, False, 0), (2, True, 5)], 2, id="a-persons-marker-comment-is-theirs"),
        pytest.param([(1, False, 0)], None, id="only-a-persons-copy"),
    ],
)
def test_status_comment_is_the_oldest_bot_comment_with_the_marker(
    comments: list[tuple[int, bool, int]], expected: int | None
) -> None:
    found = authority.status_comment(
        [_status(ident=i, bot=bot, minutes=m) for i, bot, m in comments], 1
    )
    assert (found.id if found else None) == expected


def test_status_comment_of_another_issue_does_not_count() -> None:
    other = make_comment(f"{marker('status', 2)}\n", author="github-actions[bot]", bot=True)
    assert authority.status_comment([other], 1) is None


def _entry(minutes: int) -> dict[str, str]:
    return {"p": "write", "team": "", "at": (START + timedelta(minutes=minutes)).isoformat()}


@pytest.mark.parametrize(
    ("entry", "kept"),
    [
        pytest.param(_entry(0), True, id="answer-from-this-hour-reused"),
        pytest.param(_entry(-59), True, id="answer-59-minutes-old-reused"),
        pytest.param(_entry(-60), False, id="answer-exactly-an-hour-old-expired"),
        pytest.param(_entry(1), False, id="answer-dated-in-the-future-is-void"),
        pytest.param(
            {"p": "admin", "team": "", "at": "2099-01-01T00:00:00+00:00"},
            False,
            id="forged-2099-answer-is-void",
        ),
        pytest.param({"p": "admin", "at": "soon"}, False, id="unreadable-time-is-void"),
        pytest.param(
            {"p": "admin", "at": "2024-05-01T12:00:00"}, False, id="time-without-zone-is-void"
        ),
        pytest.param("admin", False, id="not-an-object"),
    ],
)
def test_cached_permissions_are_fresh_and_never_from_the_future(entry: object, kept: bool) -> None:
    found = authority.cached({"permissions": {"Tara": entry}}, START)
    assert ("tara" in found) is kept


def test_cached_permissions_ignore_a_damaged_state() -> None:
    assert authority.cached({"permissions": ["tara"]}, START) == {}
    assert authority.cached({}, START) == {}


@pytest.mark.parametrize(
    ("recorded_at", "edited", "counts"),
    [
        pytest.param("same", False, True, id="applied-unchanged-comment-still-counts"),
        pytest.param("same", True, False, id="edited-after-applied-is-judged-again"),
        pytest.param(None, False, False, id="never-applied-is-judged-now"),
        pytest.param("other", False, False, id="a-different-version-is-judged-now"),
    ],
)
def test_recorded_comments_count_as_they_were_applied(
    recorded_at: str | None, edited: bool, counts: bool
) -> None:
    comment = make_comment("### Incident Command Snapshot", author="tara", minutes=5, ident=7)
    state = {"allowed": authority.remember([comment])} if recorded_at == "same" else {}
    if recorded_at == "other":
        state = {"allowed": {"7": 1}}
    if edited:
        comment = replace(comment, updated_at=comment.updated_at + timedelta(minutes=1))
    assert (7 in authority.recorded(state, [comment])) is counts


def test_recorded_ignores_a_damaged_allowed_map() -> None:
    comment = make_comment("x", author="tara", ident=7)
    assert authority.recorded({"allowed": [7]}, [comment]) == set()


CONFIG = Config.model_validate(
    {"responders": {"logins": ["@Nadia"], "teams": ["incident-responders"]}}
)


@pytest.mark.parametrize(
    ("login", "permission", "allowed"),
    [
        pytest.param("tara", "write", True, id="write-may-change"),
        pytest.param("tara", "maintain", True, id="maintain-may-change"),
        pytest.param("tara", "admin", True, id="admin-may-change"),
        pytest.param("tara", "triage", False, id="triage-may-not"),
        pytest.param("tara", "read", False, id="read-may-not"),
        pytest.param("tara", "none", False, id="none-may-not"),
        pytest.param("nadia", "none", True, id="listed-login-any-permission"),
        pytest.param("NADIA", "read", True, id="listed-login-in-other-case"),
        pytest.param("tara", "team:incident-responders", True, id="member-of-a-named-team"),
        pytest.param("tara", "team:other-team", False, id="member-of-an-unnamed-team"),
    ],
)
def test_authorization(login: str, permission: str, allowed: bool) -> None:
    why_not = authority.authorization(login, permission, CONFIG)
    assert (why_not is None) is allowed
    if not allowed:
        assert f"@{login} has {permission} permission" in (why_not or "")
        assert "responders.permissions" in (why_not or "")


def test_listed_reads_logins_with_or_without_at() -> None:
    assert authority.listed("nadia", CONFIG)
    assert not authority.listed("tara", CONFIG)


def test_effective_names_the_team_that_allows() -> None:
    assert authority.effective({"p": "read", "team": "sre"}) == "team:sre"
    assert authority.effective({"p": "write", "team": ""}) == "write"
    assert authority.effective({}) == "none"


def test_state_round_trip_keeps_verdicts() -> None:
    """What one run remembers, the next one reads back from the status comment."""
    comment = make_comment("x", author="tara", minutes=3, ident=9)
    body = f"{STATUS}\n\n{encode_state({'allowed': authority.remember([comment])})}\n"
    assert authority.recorded(decode_state(body), [comment]) == {9}


SEALED = authority.seal({"permissions": {"tara": _entry(0)}, "labels": ["SEV-1"]}, 1, "k")


@pytest.mark.parametrize(
    ("state", "number", "key", "believed"),
    [
        pytest.param(SEALED, 1, "k", {"permissions", "labels"}, id="sealed-for-this-issue"),
        pytest.param(SEALED, 2, "k", set(), id="sealed-for-another-issue-is-void"),
        pytest.param(SEALED, 1, "other", set(), id="sealed-with-another-key-is-void"),
        pytest.param(
            {**SEALED, "permissions": {"tara": {**_entry(0), "p": "admin"}}},
            1,
            "k",
            set(),
            id="edited-after-sealing-is-void",
        ),
        pytest.param(
            {k: v for k, v in SEALED.items() if k != "seal"}, 1, "k", set(), id="unsealed-is-void"
        ),
        pytest.param({**SEALED, "seal": 7}, 1, "k", set(), id="a-seal-that-is-no-text"),
        pytest.param(SEALED, 1, "", {"labels"}, id="without-a-key-only-hints-count"),
    ],
)
def test_only_a_sealed_state_grants_anything(
    state: dict[str, object], number: int, key: str, believed: set[str]
) -> None:
    assert set(authority.trusted(state, number, key)) == believed


def test_a_state_round_trips_through_its_seal() -> None:
    state = {"allowed": {"7": 1}, "permissions": {}, "labels": ["x"], "v": 2}
    assert authority.trusted(authority.seal(state, 3, "k"), 3, "k") == state
    assert "seal" not in authority.seal(state, 3, "")


def test_proof_is_per_marker_and_needs_a_key() -> None:
    one = authority.proof("k", marker("follow-up", "1.2.0"))
    assert one.startswith("<!-- warroom-proof ")
    assert one != authority.proof("k", marker("follow-up", "1.2.1"))
    assert one != authority.proof("other", marker("follow-up", "1.2.0"))
    assert authority.proof("", marker("follow-up", "1.2.0")) == ""


def test_authorization_refusal_names_the_setting_and_the_permissions_allowed() -> None:
    config = Config.model_validate({"responders": {"permissions": ["admin", "maintain"]}})
    assert authority.authorization("Tara", "write", config) == (
        "@Tara has write permission on this repository; records change an incident only when "
        "posted by someone with admin, maintain permission (responders.permissions in "
        ".github/warroom.yml), so this record was not applied"
    )


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        pytest.param("admin", "not-an-object", id="cached-a-bad-entry-does-not-hide-the-rest"),
        pytest.param({"p": "admin", "at": "soon"}, "unreadable", id="cached-after-unreadable-time"),
        pytest.param(_entry(5), "future", id="cached-after-a-future-answer"),
    ],
)
def test_cached_skips_a_bad_entry_and_reads_the_next(bad: object, why: str) -> None:
    found = authority.cached({"permissions": {"aaron": bad, "tara": _entry(-5)}}, START)
    assert set(found) == {"tara"}, why


@pytest.mark.parametrize(
    ("permissions", "lowest"),
    [
        pytest.param(["admin", "write", "maintain"], "write", id="lowest-role-of-several"),
        pytest.param(["triage", "admin"], "triage", id="lowest-role-triage"),
        pytest.param([], None, id="lowest-role-none-allowed"),
    ],
)
def test_lowest_allowed_role(permissions: list[str], lowest: str | None) -> None:
    config = Config.model_validate({"responders": {"permissions": permissions}})
    assert authority.lowest_allowed_role(config) == lowest
