"""Hidden markers and state in warroom's own comments, and quoting without pinging.

Every comment and issue warroom writes starts with ``<!-- warroom:KIND:KEY -->``
so the next run finds and edits it instead of posting a second one (as
bedevere does). The status comment also carries a small JSON cache; it is only
ever a hint, checked against what the issue and its comments say.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warroom.model import CommentSnapshot

_MARKER_RE = re.compile(r"\A<!-- warroom:([a-z-]+):([A-Za-z0-9._:-]+) -->")
_STATE_OPEN = "<!-- warroom-state "
_STATE_CLOSE = " -->"
_WORD_JOINER = "\u2060"
"""Invisible and unbreakable: keeps ``@alice`` or ``https://`` readable but not live."""
# quote(): what GitHub would turn into a ping, a link, an image or a heading. Each pattern
# is linear (possessive runs; see tests/unit/test_regex_audit.py) and one pass over the text.
_MENTION_RE = re.compile(r"[@\uff20\ufe6b](?=[A-Za-z0-9])")
_MARKDOWN_ESCAPES = str.maketrans({"\\": "\\\\", "[": "\\[", "]": "\\]", "|": "\\|"})
_HEADING_RE = re.compile(r"^([ \t>*+\-.)0-9]*+)#", re.M)
_SETEXT_RE = re.compile(r"^([ \t]*+)(?=(?:=++|-++)[ \t]*+$)", re.M)
_AUTOLINK_RE = re.compile(  # zero-width: where a word joiner goes
    r"(?<=[A-Za-z0-9])(?=://)|(?i:(?<=mailto)|(?<=xmpp))(?=:)|(?i:(?<=www))(?=\.)"
    r"|(?<=#)(?=[0-9])|(?i:(?<=gh-))(?=[0-9])"
)


def marker(kind: str, key: str | int) -> str:
    """``<!-- warroom:status:12 -->``: the first line of what warroom writes."""
    return f"<!-- warroom:{kind}:{key} -->"


def read_marker(body: str) -> tuple[str, str] | None:
    """(kind, key) when ``body`` is something warroom wrote, else ``None``."""
    match = _MARKER_RE.match(body)
    return (match.group(1), match.group(2)) if match else None


def oldest_own(
    comments: Iterable[CommentSnapshot], kind: str, key: str | int
) -> CommentSnapshot | None:
    """warroom's oldest comment marked ``kind:key`` (a bot's: people's text cannot forge it)."""
    own = [c for c in comments if c.author_is_bot and read_marker(c.body) == (kind, str(key))]
    return min(own, key=lambda c: (c.created_at, c.id)) if own else None


def describe_marker(mark: str) -> str:
    """What a marker names, in words: HTML comments are invisible in logs and summaries."""
    found = read_marker(mark)
    if found is None:
        return "a warroom comment"
    kind, key = found
    return {
        "status": "the status comment",
        "reply": f"the reply to comment {key}",
        "reminder": f"the reminder {key.split('.', 1)[-1]}",
        "severity-guard": "the severity note",
        "reopened": "the reopen notice",
        "follow-up": f"follow-up {key}",
        "guardrail": f"the guardrail notice {key.split('.', 1)[-1]}",
        "package": "the closure review package",
        "message": f"the message for command comment {key}",
    }.get(kind, f"the {kind} comment")


def encode_state(state: Mapping[str, Any]) -> str:
    """The cache as an HTML comment that no JSON value can close early.

    ``--`` cannot appear inside an HTML comment, and ``>`` after it would end
    it; escaping ``-`` and ``>`` as JSON unicode escapes keeps the JSON exact.
    """
    text = _escape_in_strings(json.dumps(state, sort_keys=True, separators=(",", ":")))
    return f"<!-- warroom-state {text} -->"


def _escape_in_strings(text: str) -> str:
    """``-`` and ``>`` inside the JSON's strings as unicode escapes, in one pass.

    Only strings can hold ``--`` or ``>`` (a number has at most one ``-``);
    escaping them keeps the JSON exact and the HTML comment unbroken.
    """
    out: list[str] = []
    in_string = escaped = False
    for char in text:
        if in_string and not escaped and char in "->":
            out.append("\\u002d" if char == "-" else "\\u003e")
            continue
        out.append(char)
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = in_string
        elif char == '"':
            in_string = not in_string
    return "".join(out)


def decode_state(body: str) -> dict[str, Any]:
    """The cache in one of warroom's bodies; an empty dict if absent or damaged."""
    # warroom writes its state last; anything earlier came from quoted text. Found from the
    # end with plain string search: one pass, whatever a forged body holds.
    start = body.rfind(_STATE_OPEN)
    if start < 0:
        return {}
    end = body.find(_STATE_CLOSE, start + len(_STATE_OPEN))
    if end < 0:
        return {}
    try:
        data = json.loads(body[start + len(_STATE_OPEN) : end])
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text``: nothing inside closes it.

    Every place that shows people's text as code (messages, the package, the drill's
    evidence) fences it with this, so none of them can be broken out of."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def quote(text: str) -> str:
    """Text from people, safe to repeat in a bot comment: readable, but inert.

    GitHub renders a comment as Markdown and then links mentions, issue
    references and bare URLs. Repeated by warroom, people's text must not
    ping anyone again, load an image (a tracking pixel), turn into a link, or
    start a heading that could pass for one of warroom's sections. So:

    * ``&`` and ``<`` become entities: no HTML, no HTML comment that hides the
      rest or poses as warroom's state, and no ``&#64;alice`` or ``&commat;``
      that decodes into a mention;
    * ``\\``, ``[``, ``]`` and ``|`` are backslash-escaped: no link, image,
      reference definition or footnote (``![x](url)``, ``[x](javascript:..)``),
      and no table cell ends early;
    * a ``#`` that could start a heading (after blanks, ``>`` or list markers)
      and a line of ``=`` or ``-`` that could underline one are escaped;
    * a word joiner (U+2060, invisible) goes after ``@`` (and the fullwidth
      ``＠`` and small ``﹫``, which GitHub does not link but NFKC would turn
      into ``@``), before ``://``, ``mailto:`` and ``xmpp:``, after ``www``
      and after ``#`` or ``GH-`` before a digit: no mention, autolinked URL or
      e-mail, or cross-reference. ``\\@alice`` is covered too, since the
      ``@`` is.

    What people wrote still reads the same; inside a code span the escapes show.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Markdown's line ends, all of them
    text = text.replace("&", "&amp;").replace("<", "&lt;").translate(_MARKDOWN_ESCAPES)
    text = _SETEXT_RE.sub(r"\1\\", _HEADING_RE.sub(r"\1\\#", text))
    text = _AUTOLINK_RE.sub(_WORD_JOINER, text)
    return _MENTION_RE.sub(lambda m: m.group() + _WORD_JOINER, text)
