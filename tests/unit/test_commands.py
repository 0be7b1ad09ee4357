"""Reading slash commands: a table of what is and is not a command, and hostile text at size."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import hostile
from warroom.parsing.commands import KINDS, SHOWN, Command, read_command

LIMIT = 65_536
"""GitHub's longest comment body."""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("/warroom escalate", Command("escalate", 1, "escalate"), id="alone"),
        pytest.param(
            "Bridge is open.\n/warroom status-update\nthanks",
            Command("status-update", 2, "status-update"),
            id="among-other-lines",
        ),
        pytest.param(
            "   /warroom leadership-note  ",
            Command("leadership-note", 1, "leadership-note"),
            id="three-spaces-and-trailing-blanks",
        ),
        pytest.param(
            "/warroom\tHANDOFF\r\n", Command("handoff", 1, "HANDOFF"), id="tab-upper-case-crlf"
        ),
        pytest.param("/warroom escalte", Command(None, 1, "escalte"), id="unknown-word"),
        pytest.param("/warroom", Command(None, 1, ""), id="no-word"),
        pytest.param(
            "/warroom escalate now please",
            Command(None, 1, "escalate now please"),
            id="words-after-a-known-one",
        ),
        pytest.param(
            "/warroom escalate\n/warroom handoff\n/warroom x",
            Command("escalate", 1, "escalate", others=2),
            id="first-of-several",
        ),
        pytest.param(
            "/warroom " + "x" * 100, Command(None, 1, "x" * SHOWN), id="long-word-cut-when-shown"
        ),
        pytest.param("> /warroom escalate", None, id="quoted"),
        pytest.param("    /warroom escalate", None, id="indented-code"),
        pytest.param("\t/warroom escalate", None, id="tab-indented-code"),
        pytest.param("  \t/warroom escalate", None, id="spaces-then-tab-indented-code"),
        pytest.param("<!--\n/warroom escalate\n-->", None, id="in-an-html-comment"),
        pytest.param("<!-- /warroom escalate -->", None, id="one-line-html-comment"),
        pytest.param(
            "<!-- note -->\n/warroom escalate",
            Command("escalate", 2, "escalate"),
            id="after-a-closed-html-comment",
        ),
        pytest.param(
            "<!--\nhidden\n-->\n/warroom handoff",
            Command("handoff", 4, "handoff"),
            id="after-a-multi-line-html-comment",
        ),
        pytest.param("```\n/warroom escalate\n```", None, id="in-a-fence"),
        pytest.param(
            "~~~~\n/warroom escalate\n~~~\n/warroom handoff\n~~~~\n",
            None,
            id="shorter-fence-does-not-close",
        ),
        pytest.param(
            "```\ncode\n```\n/warroom handoff",
            Command("handoff", 4, "handoff"),
            id="after-a-closed-fence",
        ),
        pytest.param("```\n/warroom escalate", None, id="unclosed-fence-runs-to-the-end"),
        pytest.param("/warroomx escalate", None, id="longer-word"),
        pytest.param("please /warroom escalate", None, id="mid-line"),
        pytest.param("`/warroom escalate`", None, id="code-span"),
        pytest.param("", None, id="empty"),
    ],
)
def test_read_command(body: str, expected: Command | None) -> None:
    assert read_command(body) == expected


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_read(kind: str) -> None:
    assert read_command(f"/warroom {kind}") == Command(kind, 1, kind)


PIECES = st.sampled_from(
    [
        "/warroom ",
        "/warroom",
        "escalate",
        "handoff",
        "\n",
        "\r",
        " ",
        "\t",
        "`",
        "```",
        "~~~",
        ">",
        "x",
        "/",
        "\u2028",
    ]
)


@st.composite
def hostile_bodies(draw: st.DrawFn) -> str:
    """A few runs, each of one hostile piece repeated up to thousands of times, up to 64 KiB."""
    pieces = draw(st.lists(st.tuples(PIECES, st.integers(1, 20_000)), min_size=1, max_size=6))
    return "".join(piece * count for piece, count in pieces)[:LIMIT]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_bodies())
def test_any_body_reads_without_crashing_and_within_bounds(body: str) -> None:
    """One pass over the lines with string operations only (no pattern to backtrack)."""
    found = read_command(body)
    if found is None:
        return
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert 1 <= found.line <= len(lines)
    assert lines[found.line - 1].strip().startswith("/warroom")
    assert len(found.written) <= SHOWN
    assert found.kind is None or found.kind in KINDS
    assert 0 <= found.others < len(lines)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(KINDS))
def test_a_command_line_after_any_plain_line_is_read(text: str, kind: str) -> None:
    """Text without fences before a command line never hides it."""
    before = text.replace("`", "").replace("~", "")
    body = f"{before}\n/warroom {kind}"
    found = read_command(body)
    assert found is not None
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next(i for i, line in enumerate(lines, 1) if _is_command(line))
    assert found.line == first


def _is_command(line: str) -> bool:
    stripped = line.strip()
    indent = len(line) - len(line.lstrip(" "))
    rest = stripped[len("/warroom") :]
    return indent <= 3 and stripped.startswith("/warroom") and (not rest or rest[0].isspace())


@pytest.mark.parametrize("body", hostile.bodies(), ids=lambda b: f"{b.family}-{b.name}")
def test_the_hostile_families_read_without_a_command(body: hostile.Body) -> None:
    """The bodies the record and form parsers are held to hold no command line."""
    assert read_command(body.text) is None


@pytest.mark.parametrize(
    "unit",
    [
        pytest.param("/warroom escalate\n", id="command-lines"),
        pytest.param("/warroom \t \t", id="one-long-line"),
        pytest.param("```\n/warroom x\n", id="fences"),
        pytest.param("   /warroom\r", id="carriage-returns"),
    ],
)
def test_a_body_of_commands_at_the_limit_reads_one(unit: str) -> None:
    body = (unit * (LIMIT // len(unit) + 1))[:LIMIT]
    found = read_command(body)
    assert found is not None
    assert found.line == (4 if unit.startswith("```") else 1)  # the fence closes on line 3
    assert found.others <= body.count("/warroom")
