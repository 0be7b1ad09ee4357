"""Hostile bodies, in families, each up to GitHub's 65,536-character limit, with what they mean.

Anyone who can comment on an incident can post one of these, and every run on
that incident (and the sweep) reads it. The families are the shapes that make
a line-based parser with regular expressions backtrack or loop: long runs of
one character (spaces, colons, backticks, ``#``, ``>``, ``|``, list markers),
thousands of empty headings, and fences or HTML comments that never close.

Each body states what a reader should make of it: the record kinds
``read_records`` finds, and the answers the incident form's parser reads. The
adversarial tests assert those; ``bench/form_parser.py`` and
``bench/record_parser.py`` time the same bodies against the 50 ms goal (timings
never go in tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LIMIT = 65_536
"""GitHub's limit on an issue or comment body, in characters."""

DECISION = "### Checkpoint Decision Record\n"


@dataclass(frozen=True)
class Body:
    """One hostile body and what reading it must give."""

    family: str
    name: str
    text: str
    records: tuple[str, ...] = ()
    """The kinds ``read_records`` finds, in order."""
    form: dict[str, Any] = field(default_factory=dict)
    """``parse_form(text, incident form).record()``: the answers GitHub's parser would read."""
    filed: bool = False
    """``looks_like_form(text, incident form)``."""

    @property
    def id(self) -> str:
        return f"{self.family}/{self.name}"


def fill(head: str, run: str, tail: str = "") -> str:
    """``head``, then as many whole ``run`` as fit, then ``tail``: at most ``LIMIT`` characters."""
    return head + run * ((LIMIT - len(head) - len(tail)) // len(run)) + tail


def repeat(unit: str) -> str:
    """``unit`` repeated whole as often as fits in ``LIMIT``."""
    return unit * (LIMIT // len(unit))


ANSWER = "### Summary\n\n"
UNCLOSED_ANSWER = "```\n" + "\n".join(["x"] * ((LIMIT - 18) // 2))
"""An answer that opens a fence and never closes it: GitHub keeps it as written (D2)."""
STAKEHOLDER_TAIL = ": mitigating\nCustomer impact: logins fail\n"


def bodies() -> list[Body]:
    """Every hostile body, family by family."""
    return [
        # -- runs of spaces (and tabs): the start lines' old cubic backtracking ----------------
        Body("spaces", "status-then-run", fill("Status", " ", "x")),
        Body("spaces", "status-run-colon", fill("Status", " ", STAKEHOLDER_TAIL), ("stakeholder",)),
        Body("spaces", "emphasis-status-run", fill("**Status", " \t", "** x")),
        Body("spaces", "bullet-run", fill("- ", " ", "Status x")),
        Body(
            "spaces",
            "indent-before-status",
            fill("", " ", "Status: x\nCustomer impact: y\n"),
            ("stakeholder",),
        ),
        Body("spaces", "subject-run", fill("[INCIDENT]", " ", "[SEV-1] x"), ("escalation",)),
        Body("spaces", "subject-run-no-severity", fill("[INCIDENT]", " ", "x")),
        Body("spaces", "bullet-run-before-subject", fill("- ", " ", "[INCIDENT] x")),
        Body("spaces", "heading-run-before-subject", fill("### ", " \t", "**[INCIDENT] x")),
        Body("spaces", "subject-label-run", fill("Subject", " ", "x")),
        Body("spaces", "stakeholder-field-run", fill("Status: x\nCustomer impact", " ", "x")),
        Body("spaces", "label-run", fill(DECISION + "- Decision", " ", "x"), ("decision",)),
        Body("spaces", "value-run", fill(DECISION + "- Severity: sev", " "), ("decision",)),
        Body("spaces", "heading-run", fill("###", " ", "Summary")),
        Body("spaces", "answer-run", fill("### Summary\n\n", " ")),
        Body("spaces", "lines-of-spaces", repeat(" " * 63 + "\n")),
        # -- colons -----------------------------------------------------------------------------
        Body("colons", "only", fill("", ":")),
        Body("colons", "status-then-colons", fill("Status", ":")),
        Body(
            "colons",
            "status-colons-update",
            fill("Status", ":", "\nCustomer impact: y\n"),
            ("stakeholder",),
        ),
        Body("colons", "label-lines", fill(DECISION, "a: b\n"), ("decision",)),
        Body("colons", "value", fill(DECISION + "- Decision", ":"), ("decision",)),
        Body("colons", "answer", ANSWER + ":" * (LIMIT - 13), form={"summary": ":" * (LIMIT - 13)}),
        # -- backticks --------------------------------------------------------------------------
        Body("backticks", "only", fill("", "`")),
        Body("backticks", "fence-lines", repeat("```\n")),
        Body("backticks", "fences-with-info", repeat("````x\n")),
        Body("backticks", "inline-runs", repeat("`" * 40 + " Status: x `\n")),
        Body(
            "backticks",
            "unclosed-fence-in-value",
            fill(DECISION + "- Evidence reviewed: x\n```\n", "`"),
            ("decision",),
        ),
        Body("backticks", "fenced-headings", repeat("```\n" + DECISION + "```\n")),
        Body(
            "backticks",
            "unclosed-fence-in-answer",
            ANSWER + UNCLOSED_ANSWER + "\n",
            form={"summary": UNCLOSED_ANSWER},
        ),
        # -- number signs -----------------------------------------------------------------------
        Body("hashes", "only", fill("", "#")),
        Body("hashes", "h1-lines", repeat("# \n")),
        Body("hashes", "h6-lines", repeat("###### x\n")),
        Body("hashes", "heading-of-hashes", fill("### ", "#")),
        Body("hashes", "hashes-before-title", fill("", "#", " Checkpoint Decision Record")),
        Body(
            "hashes",
            "h2-records",
            repeat("## Checkpoint Decision Record\n- Decision: rollback\n"),
            ("decision",) * 50,
        ),
        # -- block quotes -----------------------------------------------------------------------
        Body("quotes", "only", fill("", ">")),
        Body("quotes", "quoted-records", repeat("> " + DECISION + "> - Decision: rollback\n")),
        Body("quotes", "nested-quote-status", fill("", "> ", "Status: x\nCustomer impact: y\n")),
        Body("quotes", "empty-quote-lines", repeat(">\n")),
        Body("quotes", "quoted-form-headings", repeat("> ### Summary\n> x\n")),
        # -- table pipes ------------------------------------------------------------------------
        Body("pipes", "only", fill("", "|")),
        Body("pipes", "table-rows", repeat("| a | b |\n")),
        Body("pipes", "status-in-cells", repeat("| Status: x |\n| Customer impact: y |\n")),
        Body("pipes", "pipe-spaces-pipe", fill("|", " ", "|")),
        # -- list markers -----------------------------------------------------------------------
        Body("lists", "bullets-then-status", fill("", "- ", "Status: x\nCustomer impact: y\n")),
        Body("lists", "empty-items", repeat("- \n")),
        Body("lists", "mixed-markers", fill("", "* - + ", "x")),
        Body("lists", "numbered", fill("", "1. ", "x")),
        Body(
            "lists",
            "nested-bullets",
            (
                DECISION
                + "- Evidence reviewed: x\n"
                + "".join(" " * (i % 40) + "- y\n" for i in range(3_000))
            )[:LIMIT],
            ("decision",),
        ),
        Body(
            "lists",
            "bulleted-updates",
            repeat("- Status: x\n- Customer impact: y\n"),
            ("stakeholder",) * 50,
        ),
        # -- empty headings ---------------------------------------------------------------------
        Body("empty-headings", "bare", repeat("###\n")),
        Body("empty-headings", "space", repeat("### \n")),
        Body("empty-headings", "tab", repeat("###\t\n")),
        Body("empty-headings", "crlf", repeat("### \r\n")),
        Body("empty-headings", "h1", repeat("#\n")),
        Body("empty-headings", "field-headings", repeat("### Summary\n### Severity\n"), filed=True),
        # -- fences and comments that never close -----------------------------------------------
        Body("unbalanced", "fence-before-records", fill("```\n", DECISION + "- Decision: x\n")),
        Body(
            "unbalanced",
            "fence-before-form",
            fill("```\n", "### Summary\n\nx\n", "### Severity\n\nSEV-1\n"),
            form={"summary": "x", "severity": ["SEV-1"]},
            filed=True,
        ),
        Body("unbalanced", "odd-tilde-fences", repeat("~~~\n") + "~~~"[: LIMIT % 4]),
        Body("unbalanced", "shorter-closers", repeat("````\n```\n")),
        Body("unbalanced", "mixed-fence-chars", repeat("```\n~~~\n")),
        Body(
            "unbalanced", "unclosed-comment", fill("### Handoff Record\n<!--", "\n"), ("handoff",)
        ),
        Body("unbalanced", "comment-before-records", fill("<!--\n", DECISION + "- Decision: x\n")),
    ]


FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(body.family for body in bodies()))
