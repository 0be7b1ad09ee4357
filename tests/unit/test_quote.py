"""Text quoted from people stays inert in warroom's comments: no ping, link, image or heading.

Each hostile input is quoted and placed where warroom's templates place
people's text (a paragraph, a list item, a table cell, the status heading, a
block quote, a line of its own), rendered by cmarkgfm (GitHub's fork of
cmark, with its extensions: autolinks, tables, the tag filter) with raw HTML
allowed, and the HTML is checked: no ``<a href>``, no ``<img>``, no heading
but the template's own, and none of the things GitHub links after rendering
(mentions, ``#123`` and ``GH-123`` references). Then the visible text is
checked to still say what the person wrote.
"""

from __future__ import annotations

import html
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.markers import decode_state, encode_state, quote

WORD_JOINER = "\u2060"
CONTEXTS = {
    "paragraph": "{q}",
    "list-item": "- **Field**: {q}",
    "table-cell": "| what | due |\n|---|---|\n| {q} | soon |",
    "status-heading": "## 🚨 Incident: {q}",
    "block-quote": "> {q}",
    "own-line": "### Acceptance criteria\n\n{q}\n\n<sub>Opened by warroom.</sub>",
}
ONE_LINE = {"table-cell", "status-heading"}
"""Contexts warroom fills with one line (the status heading joins the summary's lines)."""
OWN_HEADINGS = {"status-heading": 1, "own-line": 1}
"""Headings the template itself has, in each context (and "table-cell" has one two-cell row)."""

# GitHub links these in the rendered text (html-pipeline's mention and reference filters).
MENTION = re.compile(r"(?<![A-Za-z0-9_.+\-/`])[@＠﹫][A-Za-z0-9]")
REFERENCE = re.compile(r"(?<![A-Za-z0-9_/])#[0-9]|\bGH-[0-9]", re.I)

HOSTILE = [
    pytest.param("![x](https://track.example/p.gif)", id="image-pixel"),
    pytest.param("![x][p]\n\n[p]: https://track.example/p.gif", id="image-by-reference"),
    pytest.param("[click](javascript:alert(1))", id="javascript-link"),
    pytest.param("[docs](https://phish.example/login)", id="link"),
    pytest.param("[docs][1]\n\n[1]: https://phish.example", id="reference-link"),
    pytest.param("see [^1]\n\n[^1]: https://phish.example", id="footnote"),
    pytest.param('<img src="https://track.example/p.gif">', id="html-image"),
    pytest.param('<a href="https://phish.example">x</a>', id="html-link"),
    pytest.param("<https://phish.example>", id="angle-autolink"),
    pytest.param("see https://track.example/p.gif now", id="bare-url"),
    pytest.param("see HTTP://track.example now", id="bare-url-upper-case"),
    pytest.param("ftp://files.example/x", id="bare-ftp"),
    pytest.param("www.phish.example/login", id="bare-www"),
    pytest.param("(www.phish.example)", id="bare-www-in-parentheses"),
    pytest.param("mail ops@phish.example", id="bare-email"),
    pytest.param("mailto:ops@phish.example xmpp:ops@phish.example", id="mailto-xmpp"),
    pytest.param("# Closure gate", id="heading"),
    pytest.param("###### small", id="heading-6"),
    pytest.param("   # indented", id="heading-indented"),
    pytest.param("first line\n# second", id="heading-on-a-later-line"),
    pytest.param("- # in a list", id="heading-in-a-list-item"),
    pytest.param("> # in a quote", id="heading-in-a-quote"),
    pytest.param("1. # numbered", id="heading-in-a-numbered-item"),
    pytest.param("Owners\n======", id="setext-h1"),
    pytest.param("Owners\n------", id="setext-h2"),
    pytest.param("Owners\r# carriage return", id="heading-after-cr"),
    pytest.param("ping @alice and @org/team", id="mention"),
    pytest.param("ping &#64;alice", id="mention-decimal-entity"),
    pytest.param("ping &#x40;alice &#X40;bob", id="mention-hex-entity"),
    pytest.param("ping &commat;alice", id="mention-named-entity"),
    pytest.param("ping ＠alice ﹫bob", id="mention-fullwidth"),
    pytest.param("ping \\@alice", id="mention-after-backslash"),
    pytest.param("fixes #12, GH-13 and acme/other#14", id="issue-references"),
    pytest.param("a | b | c\n---|---|---\n1 | 2 | 3", id="table"),
    pytest.param("`code` and [x](https://phish.example) `more`", id="link-between-code-spans"),
]


def _fill(context: str, text: str, quoted: bool = True) -> str:
    if context in ONE_LINE:
        text = " ".join(text.split())
    return CONTEXTS[context].format(q=quote(text) if quoted else text)


def render(markdown: str) -> str:
    """HTML as GitHub's cmark fork renders a comment (raw HTML passed through, tags filtered)."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def visible(rendered: str) -> str:
    """The text a reader sees: tags dropped, entities decoded, word joiners (invisible) gone."""
    return html.unescape(re.sub(r"<[^>]*>", "", rendered)).replace(WORD_JOINER, "")


def _live(context: str, rendered: str) -> list[str]:
    found = []
    if re.search(r"<a[\s>]", rendered):
        found.append("link")
    if "<img" in rendered:
        found.append("image")
    if len(re.findall(r"<h[1-6][\s>]", rendered)) != OWN_HEADINGS.get(context, 0):
        found.append("heading")
    if rendered.count("<table") != (context == "table-cell") or rendered.count("<td") > 2:
        found.append("table")  # a table, or cells the template did not make
    # GitHub links mentions and references within one text node, never in code.
    nodes = [
        html.unescape(node)
        for node in re.split(
            r"<[^>]*>", re.sub(r"<(code|pre)>.*?</\1>", "<code/>", rendered, flags=re.S)
        )
    ]
    if any(MENTION.search(node) for node in nodes):
        found.append("mention")
    if any(REFERENCE.search(node) for node in nodes):
        found.append("reference")
    return found


@pytest.mark.parametrize("context", CONTEXTS, ids=list(CONTEXTS))
@pytest.mark.parametrize("text", HOSTILE)
def test_quoted_text_renders_inert(text: str, context: str) -> None:
    rendered = render(_fill(context, text))
    assert _live(context, rendered) == [], rendered


@pytest.mark.parametrize("text", HOSTILE)
def test_the_raw_text_would_be_live(text: str) -> None:
    """The table is worth something: unquoted, each input is live somewhere."""
    found = {
        item
        for context, template in CONTEXTS.items()
        for item in _live(context, render(template.format(q=text)))
    }
    assert found


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("rollback <5 min & verify #12 [done] | ok", id="punctuation"),
        pytest.param("see https://status.example/incidents/1", id="url"),
        pytest.param("ping @alice, mail ops@example.com", id="mentions"),
        pytest.param("# not a heading\n\nsecond paragraph", id="lines"),
        pytest.param("C:\\temp\\logs and a\\[b\\]", id="backslashes"),
        pytest.param("&#64;alice &amp; &lt;", id="entities-shown-as-written"),
    ],
)
def test_quoted_text_still_reads_as_written(text: str) -> None:
    shown = visible(render(quote(text)))
    assert " ".join(shown.split()) == " ".join(text.split())


def test_quoted_text_cannot_forge_the_state() -> None:
    forged = 'x <!-- warroom-state {"permissions": {"eve": {"p": "admin"}}} -->'
    assert decode_state(quote(forged) + "\n" + encode_state({"v": 1})) == {"v": 1}
    assert "<!--" not in quote(forged)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *("!", "[", "]", "(", ")", "x", "https://t.example/p.gif", "www.", "@", "a", "#"),
                *("1", "\n", " ", "=", "-", "<", ">", "&", "#64;", "&#x40;", "\\", "|", "`", ":"),
                *("mailto:", "GH-", "*", "_", "img src=", "<a href=", "＠", "www.t.example"),
                *("\r", "```", "~~~\n", "- ", "1. ", "]: ", "^", "ftp://", "xmpp:", "&commat;"),
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_any_mix_of_markup_renders_inert(text: str) -> None:
    for context in CONTEXTS:
        rendered = render(_fill(context, text))
        assert _live(context, rendered) == [], (context, text, rendered)
