"""Hidden markers and state in warroom's own comments, and quoting without pinging.

Every comment and issue warroom writes starts with ``<!-- warroom:KIND:KEY -->``
so the next run finds and edits it instead of posting a second one (as
bedevere does). The status comment also carries a small JSON cache; it is only
ever a hint, checked against what the issue and its comments say.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_MARKER_RE = re.compile(r"\A<!-- warroom:([a-z-]+):([A-Za-z0-9._:-]+) -->")
_STATE_RE = re.compile(r"<!-- warroom-state (\{.*?\}) -->", re.S)
_MENTION_RE = re.compile(r"@(?=[A-Za-z0-9])")
_JSON_STRING_RE = re.compile(r'"(?:\\.|[^"\\])*"')


def marker(kind: str, key: str | int) -> str:
    """``<!-- warroom:status:12 -->``: the first line of what warroom writes."""
    return f"<!-- warroom:{kind}:{key} -->"


def read_marker(body: str) -> tuple[str, str] | None:
    """(kind, key) when ``body`` is something warroom wrote, else ``None``."""
    match = _MARKER_RE.match(body)
    return (match.group(1), match.group(2)) if match else None


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
    }.get(kind, f"the {kind} comment")


def encode_state(state: Mapping[str, Any]) -> str:
    """The cache as an HTML comment that no JSON value can close early.

    ``--`` cannot appear inside an HTML comment, and ``>`` after it would end
    it; escaping ``-`` and ``>`` as JSON unicode escapes keeps the JSON exact.
    """
    text = json.dumps(state, sort_keys=True, separators=(",", ":"))
    # Only strings can hold "--" or ">" (numbers have at most one "-"), so escape inside them.
    text = _JSON_STRING_RE.sub(
        lambda m: m.group(0).replace("-", "\\u002d").replace(">", "\\u003e"), text
    )
    return f"<!-- warroom-state {text} -->"


def decode_state(body: str) -> dict[str, Any]:
    """The cache in one of warroom's bodies; an empty dict if absent or damaged."""
    # warroom writes its state last; anything earlier came from quoted text.
    matches = list(_STATE_RE.finditer(body))
    if not matches:
        return {}
    match = matches[-1]
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def quote(text: str) -> str:
    """Text from people, safe to repeat in a bot comment: mentions do not ping again.

    A word joiner after ``@`` keeps ``@alice`` readable but not a mention, and
    ``<`` as an entity keeps quoted text from opening an HTML comment that
    could hide the rest of the comment or pose as warroom's state.
    """
    return _MENTION_RE.sub("@\u2060", text.replace("<", "&lt;"))
