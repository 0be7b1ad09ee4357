"""The drill in the web view: the clock bar on every page, ``/_drill`` and the debrief.

A running drill hands the sandbox a ``DrillPanel`` (``Sandbox.drill_panel``);
this module turns what the panel says into what the templates show, and
nothing else. It promises three things:

- the bar's clock ticks in the browser without asking the server: the
  elapsed drill seconds, the limit, the speed and the state go into data
  attributes that ``static/web.js`` advances, and every page load re-syncs;
- whatever the panel passes on from a scenario file or from people (titles,
  log lines, logins) stays text for the autoescaping templates, and a link
  is kept only when it points at this site or at ``http(s)``;
- the clock is written one way (``T+MM:SS``) on the server and in the script,
  so a tick never changes the format a page loaded with.

Pure: mappings in, mappings out. ``pages`` routes and renders.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

DRILL_PATH = "/_drill"
DEBRIEF_PATH = "/_drill/debrief"
DEBRIEF_JSON_PATH = "/_drill/debrief.json"
INCIDENT_FORM = "incident.yml"
"""The issue form the players file the incident from (``?template=incident.yml``)."""

NO_DRILL = "no drill runs on this sandbox; start one with `warroom drill SCENARIO`"
DEBRIEF_PENDING = "the debrief appears when the gate is met or the time is up"

_OUTCOME = {"gate": "gate met", "time": "time out"}
_MAX_PART = 6


def clock_seconds(text: object) -> int | None:
    """Seconds in a drill time as the panel writes it (``T+12:30``, ``60:00``, ``1:02:03``).

    ``None`` for anything else: the bar then shows the text as given and does not tick.
    """
    if not isinstance(text, str):
        return None
    parts = text.strip().removeprefix("T+").split(":")
    if not 2 <= len(parts) <= 3:
        return None
    if not all(p.isascii() and p.isdigit() and len(p) <= _MAX_PART for p in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


def clock_text(seconds: int) -> str:
    """``MM:SS`` with minutes past the hour kept as minutes (``75:00``), as ``web.js`` writes it."""
    minutes, rest = divmod(max(0, seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


def speed_text(speed: float) -> str:
    """``10×``, ``2.5×``: how much faster drill time runs than real time; ``frozen`` at 0."""
    if speed <= 0:
        return "frozen"
    shown = f"{speed:.2f}".rstrip("0").rstrip(".")
    return f"{shown}×"


def _speed(value: object) -> float:
    """The panel's speed; 0 (the clock does not tick) when it is 0 or unreadable."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0.0
    try:
        speed = float(value)
    except ValueError:
        return 0.0
    return speed if math.isfinite(speed) and speed > 0 else 0.0


def bar(banner: Mapping[str, Any]) -> dict[str, Any]:
    """The clock bar's view of ``DrillPanel.banner()``.

    ``elapsed`` and ``limit`` are seconds (``None`` when the panel's text is not a
    drill time); the optional banner key ``elapsed_seconds`` is used when given.
    ``limit`` is the playbook's command timeline, not the end: a drill may run past
    it (``over``) until its own time limit ends it.
    """
    given = banner.get("elapsed_seconds")
    elapsed = (
        int(given)
        if isinstance(given, int | float) and not isinstance(given, bool) and math.isfinite(given)
        else clock_seconds(banner.get("elapsed"))
    )
    limit = clock_seconds(banner.get("limit"))
    state = "ended" if banner.get("state") == "ended" else "running"
    ended_by = banner.get("ended_by")
    ended_by = ended_by if ended_by in _OUTCOME and state == "ended" else None
    speed = _speed(banner.get("speed"))
    progress = 0.0
    if elapsed is not None and limit:
        progress = min(100.0, 100.0 * elapsed / limit)
    return {
        "scenario": str(banner.get("scenario") or "drill"),
        "elapsed": elapsed,
        "elapsed_text": "T+" + clock_text(elapsed)
        if elapsed is not None
        else str(banner.get("elapsed") or ""),
        "limit": limit,
        "limit_text": clock_text(limit) if limit is not None else str(banner.get("limit") or ""),
        "speed": speed,
        "speed_text": speed_text(speed),
        "state": state,
        "ended_by": ended_by,
        "outcome": _OUTCOME.get(ended_by or "", ""),
        "progress": f"{progress:.1f}",
        "over": elapsed is not None and limit is not None and elapsed >= limit > 0,
    }


def safe_href(url: object) -> str | None:
    """``url`` if a link may go there (this site's paths, ``http(s)``), else ``None``."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    return None


def acting_as(url: str, login: str) -> str:
    """``url`` opened as ``login`` (the web view's ``?as=``), the fragment kept last."""
    base, hash_, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}as={quote(login, safe='')}{hash_}{fragment}"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _people(entries: object) -> list[dict[str, str]]:
    if not isinstance(entries, list | tuple):
        return []
    return [
        {
            "login": _text(e.get("login")),
            "role": _text(e.get("role")),
            "level": _text(e.get("level")),
        }
        for e in entries
        if isinstance(e, Mapping) and e.get("login")
    ]


def _command(text: str) -> str:
    """The argument of a ``/drill run`` command, whether the panel wrote the command or not."""
    bare = text.strip()
    prefix = "/drill run "
    return bare[len(prefix) :].strip() if bare.lower().startswith(prefix) else bare


def _pairs(entries: object, first: str, second: str) -> list[dict[str, str]]:
    if not isinstance(entries, list | tuple):
        return []
    return [
        {first: _text(e.get(first)), second: _text(e.get(second))}
        for e in entries
        if isinstance(e, Mapping)
    ]


def page(panel_page: Mapping[str, Any], incident_form: str) -> dict[str, Any]:
    """The ``/_drill`` page's view of ``DrillPanel.page()``, links checked.

    ``incident_form`` is the form page the incident is filed from; while no
    incident is filed, each team account's link opens it as that account, after
    that the incident itself.
    """
    signal = panel_page.get("signal")
    signal = signal if isinstance(signal, Mapping) else {}
    incident = safe_href(panel_page.get("incident"))
    team = _people(panel_page.get("team"))
    target = incident or incident_form
    for person in team:
        person["href"] = acting_as(target, person["login"])
    debrief = panel_page.get("debrief_markdown")
    return {
        "name": _text(panel_page.get("name")),
        "title": _text(panel_page.get("title")),
        "summary": _text(panel_page.get("summary")),
        "signal": {
            "title": _text(signal.get("title")),
            "body": _text(signal.get("body")),
            "url": safe_href(signal.get("url")),
        },
        "team": team,
        "cast": _people(panel_page.get("cast")),
        "commands": [
            {"command": _command(c["command"]), "reveals": c["reveals"]}
            for c in _pairs(panel_page.get("commands"), "command", "reveals")
        ],
        "incident": incident,
        "incident_form": incident_form,
        "log": _pairs(panel_page.get("log"), "at", "what"),
        "debrief_markdown": debrief if isinstance(debrief, str) else None,
    }
