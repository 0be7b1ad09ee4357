"""Every body and title warroom writes fits GitHub's limits, cut where the cut shows.

GitHub refuses (422) an issue or comment body over 65,536 characters and a
title over 256. warroom's bodies repeat text people wrote, and ``quote()``
can make it four times longer (``<`` becomes ``&lt;``): one long summary, a
long acceptance criterion or a comment with 50 invalid records used to make
every later run on the incident fail. So each body is passed through
``fit_body`` where it is built.

What ``fit_body`` promises, for any text:

* the result is at most ``limit`` characters, and is the body itself when it
  already fits;
* the first line, when it is warroom's marker (``<!-- warroom:KIND:KEY -->``),
  and the last line, when it is the state (``<!-- warroom-state {...} -->``),
  are kept whole: the marker is how the next run finds the comment, and the
  state is never cut (a state that cannot fit is a bug: ``BodyTooLong``);
* what is cut is said, with a link to the full text: "… truncated: N
  characters not shown; the full text is in LINK";
* the cut is at a line break when one is near, never inside an HTML entity
  or an HTML comment, and an open code fence or ``<details>`` is closed before
  the note, so the rest of the comment renders as written.

Pure: no I/O, linear in the body's length.
"""

from __future__ import annotations

from warroom.errors import WarroomError
from warroom.markers import read_marker

COMMENT_LIMIT = 65_536
"""Characters in an issue comment's body."""
ISSUE_BODY_LIMIT = 65_536
"""Characters in an issue's body."""
TITLE_LIMIT = 256
"""Characters in an issue's title."""

_STATE_PREFIX = "<!-- warroom-state "
_ENTITY_LONGEST = 32
"""Longer than any HTML entity's name (``&CounterClockwiseContourIntegral;`` is 33 with ``&;``)."""


class BodyTooLong(WarroomError):
    """A body cannot be made to fit without cutting what must stay whole (a warroom bug)."""

    exit_code = 1


def fit_title(title: str, limit: int = TITLE_LIMIT) -> str:
    """``title`` cut to ``limit`` characters with an ellipsis (titles are plain text)."""
    if len(title) <= limit:
        return title
    return title[: limit - 1].rstrip() + "…"


def fit_body(body: str, source: str, limit: int = COMMENT_LIMIT) -> str:
    """``body`` cut to fit ``limit`` characters, saying so and linking ``source``.

    ``source`` is the URL of what the body repeats (the person's comment, or
    the incident issue); it is where a reader finds the text cut here.
    """
    if len(body) <= limit:
        return body
    head = ""
    first = body.split("\n", 1)[0]
    if read_marker(first) is not None and first.endswith("-->"):
        head = first + "\n"
    tail = ""
    state_at = body.rfind("\n" + _STATE_PREFIX) + 1
    if state_at > len(head) and body[state_at:].rstrip("\n").endswith("-->"):
        tail = body[state_at:]
    middle = body[len(head) : len(body) - len(tail)]
    budget = limit - len(head) - len(tail) - len(_note(len(middle), source, bool(tail)))
    if budget < 0:
        raise BodyTooLong(
            f"warroom's own parts of a body ({len(head) + len(tail):,} characters, most of it "
            f"the state) leave no room under GitHub's limit of {limit:,}; this is a warroom "
            "bug, please report it"
        )
    reserve = 0  # room kept back for what closes an open fence or <details>
    while True:
        kept = _safe_prefix(middle, budget - reserve)
        closing = _closing(kept)
        if len(kept) + len(closing) <= budget:
            break
        reserve = len(closing)  # grows each time round; at ``budget`` nothing is kept
    note = _note(len(middle) - len(kept), source, bool(tail))
    return head + kept + closing + note + tail


def _note(cut: int, source: str, before_state: bool) -> str:
    where = source or "the incident issue and its comments"
    note = f"\n\n… truncated: {cut:,} characters not shown; the full text is in {where}\n"
    return note + "\n" if before_state else note


def _safe_prefix(text: str, budget: int) -> str:
    """The longest prefix of ``text`` within ``budget`` that ends at a safe place."""
    if budget <= 0:
        return ""
    if len(text) <= budget:
        return text
    cut = budget
    line_break = text.rfind("\n", 0, cut + 1)
    if line_break >= budget // 2:
        cut = line_break  # keep whole lines when that loses at most half the room
    else:
        amp = text.rfind("&", max(0, cut - _ENTITY_LONGEST), cut)
        if amp >= 0 and ";" not in text[amp:cut]:
            cut = amp  # never leave half an entity such as "&l"
    kept = text[:cut]
    at = kept.find("<!--")
    while at >= 0:
        end = kept.find("-->", at + 4)
        if end < 0:
            return kept[:at]  # an open HTML comment would hide the note and the state
        at = kept.find("<!--", end + 3)
    return kept


def _closing(kept: str) -> str:
    """What closes the code fence and ``<details>`` blocks ``kept`` leaves open."""
    fence = ""  # the open fence's run of ` or ~, if any
    details = 0
    for line in kept.split("\n"):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        run = len(stripped) - len(stripped.lstrip(stripped[:1] or " "))
        is_fence = indent <= 3 and stripped[:1] in ("`", "~") and run >= 3
        if fence:
            closes = is_fence and stripped[0] == fence[0] and run >= len(fence)
            if closes and not stripped[run:].strip(" \t"):
                fence = ""
            continue
        if is_fence and not (stripped[0] == "`" and "`" in stripped[run:]):
            fence = stripped[:run]
            continue
        details += line.count("<details") - line.count("</details>")
    parts = [fence] if fence else []
    parts += ["</details>"] * max(details, 0)
    return "".join("\n" + part for part in parts)
