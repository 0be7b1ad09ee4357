"""The web view's Markdown: GitHub's cmark fork, then an allow-list, so people's text is safe.

Each case is a comment someone could post; the rendered HTML must keep what
GitHub keeps (tables, task lists, ``<details>``, autolinks, strikethrough, a
drawable Mermaid block) and neutralise what GitHub neutralises (scripts, event
handlers, ``javascript:`` links, frames, styles). A property test checks that
no input at all yields a tag or attribute outside the allow-list.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.sandbox.web import markdown


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        pytest.param(
            "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
            ["<table>", "<th>a</th>", '<td align="center">2</td>'],
            ["|---|"],
            id="table",
        ),
        pytest.param(
            "- [ ] todo\n- [x] done\n",
            [
                '<input type="checkbox" disabled=""> todo',
                '<input type="checkbox" checked="" disabled=""> done',
            ],
            ["[x]", "[ ]"],
            id="task-list",
        ),
        pytest.param(
            "<details><summary>More</summary>\n\nhidden **bold**\n\n</details>\n",
            ["<details><summary>More</summary>", "<strong>bold</strong>", "</details>"],
            ["&lt;details"],
            id="details",
        ),
        pytest.param(
            "```mermaid\ngraph TD; A-->B\n```\n",
            ['<pre class="mermaid">graph TD; A--&gt;B\n</pre>'],
            ["<code", 'lang="mermaid"'],
            id="mermaid-drawable",
        ),
        pytest.param(
            "```mermaid\ngraph TD; A--><img src=x onerror=alert(1)>\n```\n",
            ['<pre class="mermaid">graph TD; A--&gt;&lt;img src=x onerror=alert(1)&gt;'],
            ["<img"],
            id="mermaid-text-stays-text",
        ),
        pytest.param(
            "<script>alert(1)</script>\n\ntext",
            ["&lt;script&gt;alert(1)&lt;/script&gt;", "<p>text</p>"],
            ["<script"],
            id="script-tag-filtered",
        ),
        pytest.param(
            "<div>\n<SCRIPT SRC=//evil.example/x.js></SCRIPT>\n<ScRiPt>alert(1)</ScRiPt></div>",
            ["<div>", "&lt;SCRIPT SRC=//evil.example/x.js&gt;", "&lt;ScRiPt&gt;alert(1)"],
            ["<script", "<SCRIPT", "<ScRiPt"],
            id="script-any-case-shown-as-text",
        ),
        pytest.param(
            '<img src="x" onerror="alert(1)"> <a href="x" onclick="alert(1)" style="c:r">a</a>',
            ['<img src="x">', 'href="x"'],
            ["onerror", "onclick", "style="],
            id="event-handlers-and-styles-dropped",
        ),
        pytest.param(
            '[click](javascript:alert(1)) <a href="JaVa&#x09;ScRiPt:alert(2)">b</a> '
            '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
            ["<a rel=", ">click</a>", "<img>"],
            ["javascript", "ScRiPt", "data:"],
            id="dangerous-urls-dropped",
        ),
        pytest.param(
            "<iframe src=https://evil.example>inside</iframe><style>p{}</style><form><input>"
            "<textarea>t</textarea></form>",
            ["&lt;iframe src=https://evil.example&gt;"],
            ["<iframe", "<style", "<form", "<input", "<textarea"],
            id="frames-styles-forms-neutralised",
        ),
        pytest.param(
            "<!-- warroom:status:1 -->\nvisible",
            ["visible"],
            ["warroom:status", "<!--"],
            id="html-comments-hidden-like-github",
        ),
        pytest.param(
            "see www.example.com and ~~old~~ <b>bold</b>",
            ['href="http://www.example.com"', "<del>old</del>", "<b>bold</b>"],
            [],
            id="autolink-strikethrough-inline-html",
        ),
        pytest.param(
            "</div></main><h1>x",
            ["<h1>x"],
            ["</main>", "</div>"],
            id="stray-end-tags-cannot-break-the-page",
        ),
    ],
)
def test_render_keeps_what_github_keeps(text: str, present: list[str], absent: list[str]) -> None:
    html = markdown.render(text)
    for part in present:
        assert part in html, html
    for part in absent:
        assert part not in html, html


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        pytest.param(
            "<p>a<script>alert(1)</script>b</p>", "<p>ab</p>", id="script-content-dropped"
        ),
        pytest.param("<svg><g onload=x><script>x</script></g></svg>ok", "ok", id="svg-dropped"),
        pytest.param("<b><i>x</b>", "<b><i>x</i></b>", id="misnested-closed-in-order"),
        pytest.param("<ul><li>open", "<ul><li>open</li></ul>", id="unclosed-closed-at-end"),
        pytest.param("<input type=text value=x>", "", id="non-checkbox-input-dropped"),
        pytest.param("<input type=checkbox>", '<input type="checkbox" disabled="">', id="box"),
        pytest.param('<a title="&quot;><x">t</a>', '<a title="&quot;&gt;&lt;x" rel=', id="attr"),
    ],
)
def test_sanitize(markup: str, expected: str) -> None:
    assert markdown.sanitize(markup).startswith(expected)


@pytest.mark.parametrize(
    "unit",
    ["<![", "<!--", "<?", "<a\n", '<a b="', "<x:y ", "<a/", "</a "],
)
def test_unfinished_markup_repeated_to_the_limit_is_text(unit: str) -> None:
    text = (unit * (65_536 // len(unit) + 1))[:65_536]
    for body in (text, "<div>\n" + text):
        html = markdown.render(body)
        assert "<a" not in html.replace("<a rel", "")
        assert "<x" not in html


def test_mermaid_without_the_package_is_code_with_a_note() -> None:
    html = markdown.render("```mermaid\ngraph TD; A-->B\n```\n", mermaid=False)
    assert '<pre lang="mermaid"><code>graph TD; A--&gt;B' in html
    assert markdown.NO_MERMAID_NOTE in html
    assert 'class="mermaid"' not in html


def test_without_cmarkgfm_text_is_escaped_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "_cmark", lambda: None)
    assert not markdown.available()
    markdown.render.cache_clear()
    html = markdown.render("**not bold** <script>alert(1)</script>")
    markdown.render.cache_clear()
    assert html == ('<pre class="plain">**not bold** &lt;script&gt;alert(1)&lt;/script&gt;</pre>')


def test_empty_body_says_so() -> None:
    assert "No description provided." in markdown.render(None)
    assert "No description provided." in markdown.render("")


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        pytest.param("https://example.com/x", "https://example.com/x", id="https"),
        pytest.param("http://example.com", "http://example.com", id="http"),
        pytest.param("mailto:a@example.com", "mailto:a@example.com", id="mailto"),
        pytest.param("/acme/service/issues/1", "/acme/service/issues/1", id="absolute-path"),
        pytest.param("#issuecomment-5", "#issuecomment-5", id="anchor"),
        pytest.param("docs/page:1", "docs/page:1", id="relative-with-colon-after-slash"),
        pytest.param("javascript:alert(1)", None, id="javascript"),
        pytest.param(" JAVA\tSCRIPT:alert(1)", None, id="javascript-obfuscated"),
        pytest.param("data:text/html,x", None, id="data"),
        pytest.param("vbscript:x", None, id="vbscript"),
    ],
)
def test_safe_url(url: str, kept: str | None) -> None:
    assert markdown.safe_url(url) == kept


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, [name for name, _ in attrs]))
        for name, value in attrs:
            if name in ("href", "src"):
                assert markdown.safe_url(value or "") is not None, (tag, name, value)


_PIECES = st.sampled_from(
    [
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:x">',
        "<details>",
        "<summary>",
        "</details>",
        "<svg onload=x>",
        "```mermaid\n",
        "```\n",
        "<!--",
        "-->",
        "| a |\n|---|\n",
        "- [x] ",
        "<div style=x>",
        "</div>",
        "<iframe>",
        "<pre lang=mermaid>",
        "\n\n",
        "&lt;",
        "<![",
        "<!",
        "<?",
        "</",
        "<a b='",
        "<a\n",
        "<x:y ",
        "<a/",
        "&#x",
        "<",
        ">",
        '"',
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=30).map("".join))
def test_no_input_leaves_a_tag_or_attribute_outside_the_allow_list(text: str) -> None:
    html = markdown.render(text)
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, names in parser.seen:
        allowed = markdown._ALLOWED.get(tag)
        extra = {"a": {"rel"}, "pre": {"class"}}.get(tag, set())
        assert allowed is not None, (tag, html)
        assert set(names) <= allowed | extra, (tag, names, html)
