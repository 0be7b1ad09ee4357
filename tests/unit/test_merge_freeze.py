"""The merge freeze's pure rule: globs, ``Incident: #N`` references, which incidents freeze
what, and which hold a pull request. One decision per row; the glob matcher is also held
against a regular-expression oracle (tests only: the matcher itself never builds one) by
hypothesis, and timed against hostile patterns by its step count, not the clock."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.fake_github import START, make_issue
from tests.unit.test_closure_gate_table import _incident
from warroom import story
from warroom.config import Config
from warroom.model import PullSnapshot, Severity
from warroom.rules import merge_freeze
from warroom.rules.merge_freeze import (
    Freeze,
    Hold,
    freeze_of,
    glob_match,
    hinted,
    holds,
    listed_freeze,
    normalize_glob,
    references,
)

# -- globs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surface", "path", "matched"),
    [
        pytest.param("services/auth/**", "services/auth/token.py", True, id="double-star-one-deep"),
        pytest.param("services/auth/**", "services/auth/a/b/c.py", True, id="double-star-deep"),
        pytest.param("services/auth/**", "services/authz/x.py", False, id="double-star-not-prefix"),
        pytest.param("services/auth", "services/auth/x.py", True, id="directory-covers-under"),
        pytest.param("services/auth/", "services/auth/x.py", True, id="trailing-slash-directory"),
        pytest.param("services/auth", "services/authz", False, id="directory-whole-segment"),
        pytest.param("config/x.yml", "config/x.yml", True, id="exact-file"),
        pytest.param("config/x.yml", "config/y.yml", False, id="other-file"),
        pytest.param("config/x.yml", "deploy/config/x.yml", False, id="slash-anchors-to-root"),
        pytest.param("/config/x.yml", "config/x.yml", True, id="leading-slash-anchors"),
        pytest.param("*.md", "README.md", True, id="no-slash-at-root"),
        pytest.param("*.md", "docs/guide/setup.md", True, id="no-slash-any-depth"),
        pytest.param("*.md", "docs/guide/setup.mdx", False, id="star-then-suffix"),
        pytest.param("services/*/main.go", "services/a/main.go", True, id="star-one-segment"),
        pytest.param(
            "services/*/main.go", "services/a/b/main.go", False, id="star-not-across-slash"
        ),
        pytest.param("a/**/b.py", "a/b.py", True, id="double-star-zero-dirs"),
        pytest.param("a/**/b.py", "a/x/y/b.py", True, id="double-star-many-dirs"),
        pytest.param("s?c/x", "src/x", True, id="question-one-char"),
        pytest.param("s?c/x", "sc/x", False, id="question-not-zero"),
        pytest.param("s?c/x", "s/c/x", False, id="question-not-slash"),
        pytest.param("[ab].py", "a.py", False, id="brackets-are-literal"),
        pytest.param("[ab].py", "[ab].py", True, id="brackets-match-themselves"),
        pytest.param("", "anything.py", False, id="empty-freezes-nothing"),
        pytest.param("/", "anything.py", False, id="slash-freezes-nothing"),
        pytest.param("**", "any/thing.py", True, id="everything"),
    ],
)
def test_glob_match(surface: str, path: str, matched: bool) -> None:
    assert glob_match(surface, path) is matched


def _oracle(surface: str, path: str) -> bool:
    """The same semantics as a regular expression, for tests only."""
    segments = normalize_glob(surface)
    parts: list[str] = []
    for segment in segments:
        if segment == "**":
            parts.append("(?:[^/]+/)*")
            continue
        body = "".join(
            "[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in segment
        )
        parts.append(body + "/")
    pattern = "".join(parts)
    return re.fullmatch(pattern, path.strip("/") + "/") is not None


_SEGMENT = st.text(alphabet="ab*?", min_size=1, max_size=4)
_PATH_SEGMENT = st.text(alphabet="ab.", min_size=1, max_size=4)


@settings(max_examples=400, deadline=None)
@given(
    pattern=st.lists(st.one_of(_SEGMENT, st.just("**")), min_size=1, max_size=4).map("/".join),
    path=st.lists(_PATH_SEGMENT, min_size=1, max_size=5).map("/".join),
)
def test_glob_match_agrees_with_a_regex_oracle(pattern: str, path: str) -> None:
    assert glob_match(pattern, path) is _oracle(pattern, path)


@settings(max_examples=200, deadline=None)
@given(path=st.lists(_PATH_SEGMENT, min_size=1, max_size=6).map("/".join))
def test_a_path_matches_itself_and_its_directories(path: str) -> None:
    assert glob_match(path, path)
    parts = path.split("/")
    for depth in range(1, len(parts)):
        assert glob_match("/".join(parts[:depth]) + "/**", path)


def test_hostile_globs_take_bounded_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """``*a*a*a*...b`` against ``aaaa...``: the scan is bounded by the product of lengths."""
    steps = 0
    real = merge_freeze._same_char

    def counting(pattern: str, text: str) -> bool:
        nonlocal steps
        steps += 1
        return real(pattern, text)

    monkeypatch.setattr(merge_freeze, "_same_char", counting)
    surface, path = "*a" * 50 + "b", "a" * 200
    assert not glob_match(surface, path)
    assert 0 < steps <= len(surface) * len(path)


# -- references -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "numbers"),
    [
        pytest.param("Incident: #12", {12}, id="plain"),
        pytest.param("incident:#12", {12}, id="any-case-no-space"),
        pytest.param("Fixes the gateway.\n\nIncident: #12, #14", {12, 14}, id="several"),
        pytest.param("- Incident: #3\n> Incident: #4", {3, 4}, id="list-and-quote"),
        pytest.param("See Incident: #12", set(), id="not-at-line-start"),
        pytest.param("Incident: 12", set(), id="needs-hash"),
        pytest.param("Incident: #12a #x #", set(), id="not-numbers"),
        pytest.param("Incident: #1234567890", set(), id="too-long"),
        pytest.param("", set(), id="empty"),
    ],
)
def test_references(body: str, numbers: set[int]) -> None:
    assert references(body) == numbers


# -- which incidents freeze -------------------------------------------------------------


def _stakeholder(status: str) -> tuple[str, int, str]:
    return (story.COMMS, 20, story.stakeholder(START, status=status))


def _snapshot(phase: str) -> tuple[str, int, str]:
    return (story.DEPUTY, 10, story.snapshot(START, phase=phase))


SURFACES = ("services/auth/**", "config/auth-gateway.yaml")


@pytest.mark.parametrize(
    ("severity", "posts", "state", "frozen"),
    [
        pytest.param("SEV-1", [], "open", SURFACES, id="sev1-open-freezes"),
        pytest.param("SEV-2", [], "open", SURFACES, id="sev2-open-freezes"),
        pytest.param("SEV-3", [], "open", None, id="sev3-freezes-nothing"),
        pytest.param("SEV-1", [_stakeholder("recovered")], "open", None, id="recovered-update"),
        pytest.param("SEV-1", [_stakeholder("degraded")], "open", SURFACES, id="degraded-update"),
        pytest.param("SEV-1", [_snapshot("recovery")], "open", None, id="recovery-phase"),
        pytest.param("SEV-1", [_snapshot("containment")], "open", SURFACES, id="containment"),
        pytest.param("SEV-1", [], "closed", None, id="closed"),
    ],
)
def test_freeze_of(
    severity: str, posts: list[tuple[str, int, str]], state: str, frozen: tuple[str, ...] | None
) -> None:
    incident = _incident(posts, severity=severity, state=state)
    found = freeze_of(incident, Config())
    assert (found.surfaces if found else None) == frozen


def test_freeze_severities_are_config() -> None:
    incident = _incident([], severity="SEV-3")
    config = Config.model_validate({"freeze": {"severities": ["SEV-3"]}})
    found = freeze_of(incident, config)
    assert found is not None
    assert found.severity is Severity.SEV3


@pytest.mark.parametrize(
    ("labels", "state", "frozen"),
    [
        pytest.param(("incident", "SEV-1"), "open", True, id="sev1-label"),
        pytest.param(("incident", "SEV-3"), "open", False, id="sev3-label"),
        pytest.param(("incident",), "open", False, id="no-severity-label"),
        pytest.param(("incident", "SEV-3", "SEV-2"), "open", True, id="graver-label-counts"),
        pytest.param(("incident", "SEV-1", "phase: recovery"), "open", False, id="recovery-label"),
        pytest.param(("incident", "SEV-1", "phase: hardening"), "open", False, id="hardening"),
        pytest.param(("incident", "SEV-1"), "closed", False, id="closed"),
    ],
)
def test_listed_freeze(labels: tuple[str, ...], state: str, frozen: bool) -> None:
    issue = make_issue(story.incident_body(), labels=labels, state=state)
    found = listed_freeze(issue, Config())
    assert (found is not None) is frozen
    if found is not None:
        assert found.surfaces == SURFACES


LISTED = Freeze(1, Severity.SEV1, SURFACES)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        pytest.param({}, LISTED, id="no-hint-keeps-the-listing"),
        pytest.param({"freeze": "x"}, LISTED, id="damaged-hint-ignored"),
        pytest.param({"freeze": []}, None, id="released-by-its-run"),
        pytest.param(
            {"freeze": ["services/auth/**"]},
            replace(LISTED, surfaces=("services/auth/**",)),
            id="its-run-froze-these",
        ),
    ],
)
def test_hinted(state: dict[str, object], expected: Freeze | None) -> None:
    assert hinted(LISTED, state) == expected


# -- which incidents hold a pull request ------------------------------------------------


def _pull(files: tuple[str, ...], body: str = "", labels: tuple[str, ...] = ()) -> PullSnapshot:
    return PullSnapshot(7, "Tighten tokens", "ci-bot", body, labels, "a" * 40, files)


TWO = (
    Freeze(1, Severity.SEV1, ("services/auth/**",)),
    Freeze(2, Severity.SEV2, ("*.md", "config/x.yml")),
)


@pytest.mark.parametrize(
    ("pull", "expected"),
    [
        pytest.param(
            _pull(("services/auth/a.py", "lib/b.py")),
            (Hold(1, Severity.SEV1, ("services/auth/a.py",), ("services/auth/**",)),),
            id="one-incident-its-files-only",
        ),
        pytest.param(
            _pull(("services/auth/a.py", "docs/x.md")),
            (
                Hold(1, Severity.SEV1, ("services/auth/a.py",), ("services/auth/**",)),
                Hold(2, Severity.SEV2, ("docs/x.md",), ("*.md",)),
            ),
            id="two-incidents",
        ),
        pytest.param(_pull(("lib/b.py",)), (), id="unrelated-files"),
        pytest.param(
            _pull(("services/auth/a.py", "docs/x.md"), body="Incident: #1"),
            (Hold(2, Severity.SEV2, ("docs/x.md",), ("*.md",)),),
            id="reference-exempts-from-that-incident-only",
        ),
        pytest.param(
            _pull(("services/auth/a.py",), labels=("Incident-Fix",)), (), id="exempt-label"
        ),
        pytest.param(_pull(()), (), id="no-files"),
    ],
)
def test_holds(pull: PullSnapshot, expected: tuple[Hold, ...]) -> None:
    assert holds(pull, TWO, Config()) == expected
