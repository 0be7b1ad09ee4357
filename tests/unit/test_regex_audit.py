"""Every regular expression that reads untrusted text is linear by construction.

Bodies of up to 65,536 characters come from anyone who can comment, so one
pattern that backtracks on a run of spaces stalls every run on that incident
and the sweep. Timing patterns in tests is not allowed (and would only try the
inputs someone thought of), so ``tests/support/regex_audit.py`` reads each
pattern's parse tree instead. The first tables test the auditor itself, on
patterns known to be bad or fine; the last tests audit every pattern the
parsing, record, rule and marker modules compile or pass to ``re``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType
from typing import Any

import pytest

import warroom.parsing
import warroom.records
import warroom.rules
from tests.support.regex_audit import MODES, Mode, Site, audit, pattern_sites
from warroom.parsing import records

# --- the auditor on known patterns ---------------------------------------------------------

# The three start-line patterns as they were when "Status" + 2000 spaces took 5 s
# (the stakeholder field list shortened to one label).
OLD_STATUS = (
    r"[ \t]{0,3}(?:[-*+][ \t]+)?(?:\*\*|__|\*|_)?[ \t]*status[ \t]*(?:\([^)]{0,60}\))?"
    r"[ \t]*(?:\*\*|__|\*|_)?[ \t]*:"
)
OLD_STAKEHOLDER_FIELD = (
    r"^[ \t]{0,3}(?:[-*+][ \t]+)?(?:\*\*|__|\*|_)?[ \t]*(?:customer[\W_]*impact)"
    r"[ \t]*(?:\([^)\n]{0,60}\))?[ \t]*(?:\*\*|__|\*|_)?[ \t]*:"
)
OLD_SUBJECT = (
    r"[ \t]{0,3}(?:[-*+][ \t]+|\#{1,6}[ \t]+)?[*_`]{0,3}[ \t]*(?:subject[ \t]*:[ \t]*)?"
    r"\[[ \t]*incident[ \t]*\][ \t]*\[(?P<sev>[^\]]{0,40})\](?P<summary>.*)"
)

BAD = [
    pytest.param(OLD_STATUS, "match", re.I, id="old-status"),
    pytest.param(OLD_STAKEHOLDER_FIELD, "search", re.I | re.M, id="old-stakeholder-field"),
    pytest.param(OLD_SUBJECT, "fullmatch", re.I, id="old-subject"),
    pytest.param(r"\s*\s*x", "match", 0, id="two-stars"),
    pytest.param(r"a[ \t]*(?:b)?[ \t]*:", "match", 0, id="stars-around-an-option"),
    pytest.param(r"[ab]*b[ab]*c", "match", 0, id="stars-around-a-shared-literal"),
    pytest.param(r"\d+\w+!", "match", 0, id="plus-then-superset-plus"),
    pytest.param(r"(a+)+c", "match", 0, id="nested-plus"),
    pytest.param(r"(?:\s*x?)*y", "match", 0, id="nested-star-around-option"),
    pytest.param(r"(?:aa?)*c", "match", 0, id="loop-of-variable-length"),
    pytest.param(r"(?:[ \t]{1,3})*x", "match", 0, id="loop-of-bounded-repeat"),
    pytest.param(r"(?:\w|ab)*c", "match", 0, id="overlapping-alternatives-in-a-loop"),
    pytest.param(r"\s*(?:\(|;)", "search", 0, id="searched-leading-star"),
    pytest.param(r"a[^\n]*b", "search", 0, id="searched-scan-for-a-closer"),
    pytest.param(r"(?:\*[ \t]*){3,}$", "search", 0, id="searched-thematic-break-unanchored"),
    pytest.param(r"\s*+\(", "search", 0, id="searched-possessive-still-restarts"),
    pytest.param(r"a*a*", "fullmatch", 0, id="fullmatch-end-can-fail"),
    pytest.param(r"<!-- s (\{.*?\}) -->", "search", re.S, id="searched-lazy-scan-to-a-closer"),
    pytest.param(r'"(?:\\.|[^"\\])*"', "search", 0, id="searched-string-unterminated"),
    pytest.param(r"`{3,}(.*)$", "search", re.M, id="fence-run-then-dot-star"),
    pytest.param(r"(?i:STATUS)[ \t]*(?:x)?[ \t]*:", "match", 0, id="scoped-flags"),
]

GOOD = [
    pytest.param(
        r"[ \t]{0,3}(?:[-*+][ \t]++)?[ \t]*+status[ \t]*+:", "match", re.I, id="possessive"
    ),
    pytest.param(r"(?>[ \t]*)(?:x)?[ \t]*:", "match", 0, id="atomic-group"),
    pytest.param(r"a*b*c", "match", 0, id="disjoint-stars"),
    pytest.param(r"a*ba*c", "match", 0, id="separated-by-a-literal-outside-both"),
    pytest.param(r"[ \t]{0,3}[ \t]*x", "match", 0, id="bounded-then-star"),
    pytest.param(r"\([^()\n]*\)", "search", 0, id="parenthetical"),
    pytest.param(r"\([^()]*\)|\[[^\[\]]*\]", "search", 0, id="either-bracket"),
    pytest.param(r"^(?:-[ \t]*){3,}$", "search", re.M, id="thematic-break-at-line-start"),
    pytest.param(r"^[ \t]*x", "search", re.M, id="line-anchored-search"),
    pytest.param(r"\A\s*x", "search", 0, id="string-anchored-search"),
    pytest.param(r"(?<!\s)\s*+[(;,]", "search", 0, id="lookbehind-stops-restarts"),
    pytest.param(r"_+", "search", 0, id="searched-run-nothing-after"),
    pytest.param(r"[\s,;&+/]+", "search", 0, id="split-on-separators"),
    pytest.param(r"(?:x\s*)+y", "match", 0, id="loop-body-starts-with-a-literal"),
    pytest.param(r"(?:a++)+c", "match", 0, id="loop-of-possessive"),
    pytest.param(r"(?P<b>\*\*|_)x[ \t]*(?P=b)[^\n]*", "match", 0, id="back-reference"),
    pytest.param(r"<!--|^[ \t]*(`{3,}|~{3,})", "search", re.M, id="either-token"),
]


@pytest.mark.parametrize(("pattern", "mode", "flags"), BAD)
def test_auditor_flags_patterns_that_backtrack(pattern: str, mode: Mode, flags: int) -> None:
    assert audit(pattern, mode, flags), f"{pattern!r} ({mode}) should be flagged"


@pytest.mark.parametrize(("pattern", "mode", "flags"), GOOD)
def test_auditor_passes_linear_patterns(pattern: str, mode: Mode, flags: int) -> None:
    assert audit(pattern, mode, flags) == []


def test_auditor_says_which_repeats_meet() -> None:
    (problem,) = audit(r"\d+\w+!", "match")
    assert problem.kind == "adjacent"
    assert "('01234567' and 535 more)+ can take over a run of '01234567'" in problem.message
    (nested, *_) = audit(r"(a+)+c", "match")
    assert nested.kind == "nested"


def test_auditor_tells_modes_apart() -> None:
    leading_star = r"\s*\("
    assert audit(leading_star, "match") == []
    assert audit(leading_star, "search")
    assert audit(r"a*a*", "search") == []  # nothing after the pair can fail
    assert audit(r"a*a*", "fullmatch")


# --- every pattern warroom uses on untrusted text -----------------------------------------


def _modules() -> list[ModuleType]:
    found = [
        importlib.import_module(name)
        for name in (
            "warroom.markers",
            "warroom.limits",
            "warroom.declaration",
            "warroom.pull_plan",
            "warroom.report.reading",
            "warroom.mitigation",  # revisions people wrote
            "warroom.sandbox.graphql",  # GraphQL documents sent to the sandbox
            "warroom.sandbox.web.markdown",  # people's comments, rendered for the web view
            "warroom.sandbox.web.pages",  # request paths
        )
    ]
    for package in (warroom.parsing, warroom.records, warroom.rules):
        found.append(package)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            found.append(importlib.import_module(info.name))
    return found


SITES: list[Site] = [site for module in _modules() for site in pattern_sites(module)]

DYNAMIC: dict[str, list[re.Pattern[str]]] = {
    "warroom.parsing.records:_closer": [records._closer("`", 3), records._closer("~", 5)],
}
"""Samples of the patterns built from a function's arguments, by enclosing function."""


def _dynamic(site: Site) -> list[re.Pattern[str]]:
    module, rest = site.where.split(":", 1)
    function = rest.split("(", 1)[-1].rstrip(")")
    return DYNAMIC.get(f"{module}:{function}", [])


KNOWN_RESCANS: dict[str, str] = {}
"""Patterns outside this change that the audit finds rescanning: strict xfail, so a fix shows."""


def _site_param(site: Site) -> Any:
    reason = KNOWN_RESCANS.get(site.where)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(site, id=site.where, marks=marks)


@pytest.mark.parametrize("site", [_site_param(site) for site in SITES])
def test_every_pattern_is_linear(site: Site) -> None:
    patterns = [site.pattern] if site.pattern is not None else _dynamic(site)
    assert patterns, f"{site.where} builds a pattern from arguments: add samples to DYNAMIC"
    for pattern in patterns:
        for mode in site.modes:
            problems = audit(pattern, mode)
            assert problems == [], f"{site.where} ({mode}) {pattern.pattern!r}:\n" + "\n".join(
                f"  {p.kind}: {p.message}" for p in problems
            )


def test_the_audit_sees_the_start_line_patterns() -> None:
    where = {site.where: site for site in SITES}
    for name, mode in (("_STATUS", "match"), ("_SUBJECT", "fullmatch")):
        assert mode in where[f"warroom.parsing.records:{name}"].modes
    assert where["warroom.parsing.records:_STAKEHOLDER_FIELD"].modes == ("search",)
    assert {"search"} <= set(where["warroom.parsing.values:LOGIN_RE"].modes) <= set(MODES)
    assert any(site.pattern is None for site in SITES)  # _closer, audited through DYNAMIC
