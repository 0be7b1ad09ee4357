"""Markdown as GitHub shows it: GitHub's cmark fork, then GitHub's kind of sanitising.

GitHub renders a comment with ``cmark-gfm`` (tables, task lists, autolinks,
strikethrough, the tag filter) letting raw HTML through, then keeps only an
allow-list of tags and attributes, so ``<details>`` works and ``<script>`` or
``onerror=`` never does. This module does the same with ``cmarkgfm`` (the
optional ``warroom[drill]`` extra, imported only when a page is rendered, so
the Action's runtime never needs it) and a sanitiser over a linear
tokenizer of its own. Whatever people wrote leaves here either as allowed
markup with escaped text and checked URLs, or escaped as plain text.

A fenced ``mermaid`` block becomes ``<pre class="mermaid">`` (its text escaped)
for the page's local copy of Mermaid to draw; without Mermaid it stays a code
block with a one-line note. Pure: text in, HTML out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

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


@dataclass(frozen=True)
class _Start:
    tag: str
    attrs: tuple[tuple[str, str | None], ...]
    closed: bool  # written ``<tag/>``


@dataclass(frozen=True)
class _End:
    tag: str


_Token = str | _Start | _End
"""Text (entities still encoded), a start tag or an end tag."""

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,63}")
_ATTR_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_.:-]{0,127}")
_UNQUOTED = re.compile(r"[^\"'=<>`\x00-\x20]{1,8192}")
_SPACE = re.compile(r"[ \t\n\r\f]*")


def _skip_space(text: str, at: int) -> int:
    found = _SPACE.match(text, at)
    return found.end() if found else at


class _Tokenizer:
    """Splits HTML into text and tags in one forward pass: linear by construction.

    The standard library's ``html.parser`` rescans an unfinished construct from
    its start at every step (seconds for one comment of ``<!--`` repeated) and
    can raise on odd declarations, so people's text does not go through it.
    Tags follow CommonMark's raw-HTML grammar; whatever does not parse as a tag
    is text up to where it stopped parsing, and scanning resumes there, so no
    character is looked at twice. A quote that never closes is remembered, so
    no later search for it scans the rest again.
    """

    def __init__(self, markup: str) -> None:
        self.s = markup
        self.n = len(markup)
        self.no_more: dict[str, int] = {}

    def _find(self, needle: str, start: int) -> int:
        if start >= self.no_more.get(needle, self.n + 1):
            return -1
        found = self.s.find(needle, start)
        if found < 0:
            self.no_more[needle] = start
        return found

    def tokens(self) -> Iterator[_Token]:
        s, i = self.s, 0
        while i < self.n:
            lt = self._find("<", i)
            if lt < 0:
                yield s[i:]
                return
            if lt > i:
                yield s[i:lt]
            if s.startswith("<!--", lt):
                close = self._find("-->", lt + 4)
                if close < 0:
                    yield s[lt:]  # an unclosed comment: the rest is text
                    return
                i = close + 3
                continue
            if s.startswith(("<!", "<?"), lt):
                close = self._find(">", lt + 2)
                if close < 0:
                    yield s[lt:]
                    return
                i = close + 1  # a declaration or processing instruction: dropped
                continue
            i, token = self._tag(lt)
            yield token if token is not None else s[lt:i]

    def _tag(self, lt: int) -> tuple[int, _Start | _End | None]:
        """The tag at ``lt`` and where it ends, or ``None`` and where it stopped parsing."""
        s, n = self.s, self.n
        closing = s.startswith("</", lt)
        name = _NAME.match(s, lt + (2 if closing else 1))
        if name is None:
            return lt + 1, None
        tag, j = name.group().lower(), name.end()
        if closing:
            k = _skip_space(s, j)
            return (k + 1, _End(tag)) if k < n and s[k] == ">" else (max(k, lt + 1), None)
        attrs: list[tuple[str, str | None]] = []
        while True:
            k = _skip_space(s, j)
            if k >= n:
                return k, None
            if s[k] == ">":
                return k + 1, _Start(tag, tuple(attrs), closed=False)
            if s.startswith("/>", k):
                return k + 2, _Start(tag, tuple(attrs), closed=True)
            attr = _ATTR_NAME.match(s, k) if k > j else None
            if attr is None:
                return k, None
            j = attr.end()
            k = _skip_space(s, j)
            if k >= n or s[k] != "=":
                attrs.append((attr.group().lower(), None))
                continue
            v = _skip_space(s, k + 1)
            if v < n and s[v] in "\"'":
                close = self._find(s[v], v + 1)
                if close < 0:
                    return v + 1, None
                value, j = s[v + 1 : close], close + 1
            else:
                bare = _UNQUOTED.match(s, v)
                if bare is None:
                    return v, None
                value, j = bare.group(), bare.end()
            attrs.append((attr.group().lower(), html.unescape(value)))


class _Sanitizer:
    """Rebuilds HTML from an allow-list, escaping every text and attribute it keeps."""

    def __init__(self, *, mermaid: bool) -> None:
        self.mermaid = mermaid
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping: list[str] = []
        self.in_mermaid = False

    def feed(self, markup: str) -> str:
        for token in _Tokenizer(markup).tokens():
            if isinstance(token, str):
                if not self.dropping:
                    self.out.append(html.escape(html.unescape(token), quote=False))
            elif isinstance(token, _End):
                self.end(token.tag)
            else:
                self.start(token.tag, token.attrs)
                if token.closed and token.tag not in _VOID:
                    self.end(token.tag)
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out)

    def start(self, tag: str, attrs: tuple[tuple[str, str | None], ...]) -> None:
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

    def end(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if (tag == "code" and self.in_mermaid) or tag not in self.open:
            return
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == "pre" and self.in_mermaid:
                self.in_mermaid = False
            if top == tag:
                return


def sanitize(markup: str, *, mermaid: bool = True) -> str:
    """Keep only allowed tags, attributes and URLs of ``markup``; escape all text."""
    return _Sanitizer(mermaid=mermaid).feed(markup)


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


@lru_cache(maxsize=256)
def render(text: str | None, *, mermaid: bool = True) -> str:
    """``text`` as GitHub would show it, safe to put in a page.

    Without ``cmarkgfm`` the text is escaped into a ``<pre>`` (the page says
    how to install it). A Mermaid block becomes a drawable element when
    ``mermaid`` is true, else a code block followed by a one-line note. The
    newest 256 renderings are kept: a page shows the same comments again and again.
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
