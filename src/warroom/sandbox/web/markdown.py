"""Markdown as GitHub shows it: GitHub's cmark fork, then GitHub's kind of sanitising.

GitHub renders a comment with ``cmark-gfm`` (tables, task lists, autolinks,
strikethrough, the tag filter) letting raw HTML through, then keeps only an
allow-list of tags and attributes, so ``<details>`` works and ``<script>`` or
``onerror=`` never does. This module does the same with ``cmarkgfm`` (the
optional ``warroom[drill]`` extra, imported only when a page is rendered, so
the Action's runtime never needs it) and a sanitiser over the standard
library's HTML tokenizer. Whatever people wrote leaves here either as allowed
markup with escaped text and checked URLs, or escaped as plain text.

A fenced ``mermaid`` block becomes ``<pre class="mermaid">`` (its text escaped)
for the page's local copy of Mermaid to draw; without Mermaid it stays a code
block with a one-line note. Pure: text in, HTML out.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import cache
from html.parser import HTMLParser

INSTALL_HINT = "pip install 'warroom[drill]'"
"""How to get rendered Markdown, for the note a page shows without ``cmarkgfm``."""

NO_MERMAID_NOTE = (
    "Mermaid chart shown as code: the sandbox found no mermaid.min.js "
    "(run npm ci, or set WARROOM_MERMAID_JS)."
)

_ALLOWED: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        (
            *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "b", "i", "strong", "em"),
            *("tt", "div", "ins", "del", "sup", "sub", "ul", "blockquote", "dl", "dt", "dd"),
            *("kbd", "q", "samp", "var", "ruby", "rt", "rp", "s", "strike", "summary", "caption"),
            *("figure", "figcaption", "abbr", "bdo", "cite", "dfn", "mark", "small", "span"),
            *("wbr", "thead", "tbody", "tfoot", "tr", "table"),
        ),
        frozenset[str](),
    ),
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "ol": frozenset({"start"}),
    "li": frozenset(),
    "td": frozenset({"align"}),
    "th": frozenset({"align"}),
    "pre": frozenset({"lang"}),
    "code": frozenset(),
    "details": frozenset({"open"}),
    "input": frozenset({"type", "checked", "disabled"}),
}
"""Tags kept and, per tag, the attributes kept (after GitHub's html-pipeline allow-list)."""

_VOID = frozenset({"br", "hr", "img", "input", "wbr"})
_DROP_CONTENT = frozenset(
    {"script", "style", "iframe", "textarea", "title", "xmp", "noembed", "noframes", "noscript"}
    | {"plaintext", "template", "object", "embed", "svg", "math", "select", "option", "head"}
)
"""Tags whose content goes with them, not only the tag."""

_URL_ATTRS = frozenset({"href", "src"})
_SCHEMES = ("http", "https", "mailto")
_MAX_DEPTH = 64


def safe_url(value: str) -> str | None:
    """``value`` if it is relative or http(s)/mailto, else ``None`` (``javascript:``, ``data:``)."""
    text = "".join(ch for ch in value if ch > " " and ch != "\x7f")
    for index, ch in enumerate(text):
        if ch in "/?#":
            return value.strip()
        if ch == ":":
            return value.strip() if text[:index].lower() in _SCHEMES else None
    return value.strip()


class _Sanitizer(HTMLParser):
    """Rebuilds HTML from an allow-list, escaping every text and attribute it keeps."""

    def __init__(self, *, mermaid: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.mermaid = mermaid
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping: list[str] = []
        self.in_mermaid = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            if tag == self.dropping[-1] and tag not in _VOID:
                self.dropping.append(tag)
            return
        if tag in _DROP_CONTENT:
            self.dropping.append(tag)
            return
        allowed = _ALLOWED.get(tag)
        if allowed is None or len(self.open) >= _MAX_DEPTH:
            return
        kept = {k: v or "" for k, v in attrs if k in allowed}
        if tag == "input" and kept.get("type") != "checkbox":
            return
        if tag == "input":
            kept["disabled"] = ""
        if tag == "pre" and kept.get("lang", "").strip().lower() == "mermaid" and self.mermaid:
            self.in_mermaid = True
            self.out.append('<pre class="mermaid">')
            self.open.append(tag)
            return
        if tag == "code" and self.in_mermaid:
            return
        parts = [tag]
        for name, value in kept.items():
            if name in _URL_ATTRS:
                checked = safe_url(value)
                if checked is None:
                    continue
                value = checked
            parts.append(f'{name}="{html.escape(value, quote=True)}"')
        if tag == "a":
            parts.append('rel="nofollow noopener noreferrer"')
        self.out.append("<" + " ".join(parts) + ">")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.open and self.open[-1] == tag and not self.dropping:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag == "code" and self.in_mermaid:
            return
        if tag not in self.open:
            return
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == "pre" and self.in_mermaid:
                self.in_mermaid = False
            if top == tag:
                return

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(html.escape(data, quote=False))

    def finish(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out)


def sanitize(markup: str, *, mermaid: bool = True) -> str:
    """Keep only allowed tags, attributes and URLs of ``markup``; escape all text."""
    sanitizer = _Sanitizer(mermaid=mermaid)
    sanitizer.feed(markup)
    return sanitizer.finish()


@cache
def _cmark() -> Callable[[str], str] | None:
    """cmarkgfm's GFM renderer with raw HTML let through (to be sanitised), or None."""
    try:
        import cmarkgfm  # type: ignore[import-untyped]  # the drill extra, loaded on use
        from cmarkgfm.cmark import Options  # type: ignore[import-untyped]
    except ImportError:
        return None
    options = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG

    def render(text: str) -> str:
        return str(cmarkgfm.github_flavored_markdown_to_html(text, options))

    return render


def available() -> bool:
    """Whether Markdown can be rendered (``cmarkgfm`` is installed)."""
    return _cmark() is not None


def render(text: str | None, *, mermaid: bool = True) -> str:
    """``text`` as GitHub would show it, safe to put in a page.

    Without ``cmarkgfm`` the text is escaped into a ``<pre>`` (the page says
    how to install it). A Mermaid block becomes a drawable element when
    ``mermaid`` is true, else a code block followed by a one-line note.
    """
    if not text:
        return "<p><em>No description provided.</em></p>"
    renderer = _cmark()
    if renderer is None:
        return f'<pre class="plain">{html.escape(text, quote=False)}</pre>'
    body = sanitize(renderer(text), mermaid=mermaid)
    if not mermaid and '<pre lang="mermaid">' in body:
        body = body.replace(
            '<pre lang="mermaid">',
            f'<p class="note">{html.escape(NO_MERMAID_NOTE)}</p><pre lang="mermaid">',
        )
    return body
