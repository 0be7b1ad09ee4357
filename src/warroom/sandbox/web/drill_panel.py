"""What the web view shows of a drill running on this sandbox, without importing the drill.

``warroom drill`` (``warroom.drill``) plays a scenario against the sandbox and
hands the sandbox a ``DrillPanel``: the web view asks it for the banner every
page shows (the drill clock) and for the drill's own pages (``/_drill``, the
debrief). The sandbox stays a product of its own: it knows this protocol, not
the drill.
"""

from __future__ import annotations

from typing import Any, Protocol


class DrillPanel(Protocol):
    """A running drill, as the web view asks about it. Every method is thread-safe."""

    def banner(self) -> dict[str, Any]:
        """The clock line every page shows while a drill runs.

        Keys: ``scenario`` (its title), ``elapsed`` ("T+12:30"), ``limit`` ("60:00"),
        ``speed`` (10.0), ``state`` ("running" or "ended"), ``ended_by`` ("gate",
        "time" or ``None``). Optional: ``elapsed_seconds`` (the drill seconds behind
        ``elapsed``, used as given when present; else ``elapsed`` is read as ``T+MM:SS``).
        The page's script advances the clock from these while ``state`` is "running"
        and ``speed`` is above 0 (0: a frozen clock, shown as such); past ``limit`` (the
        command timeline) it runs on, marked, until the drill ends.
        """
        ...

    def page(self) -> dict[str, Any]:
        """The ``/_drill`` page's context.

        Keys: ``name``, ``title``, ``summary``, ``signal`` (``{"title", "body", "url"}``,
        the opening alert issue; an empty ``body`` shows the issue's own), ``team``
        (list of ``{"login", "role", "level"}``: the accounts the players post as),
        ``cast`` (the scripted characters, same shape), ``commands`` (list of
        ``{"command", "reveals"}``: what ``/drill run`` answers; ``command`` with or
        without its ``/drill run`` prefix, ``reveals`` may be ""), ``incident`` (the
        incident issue's URL or ``None``), ``log`` (list of ``{"at", "what"}``: what the
        script did, drill times), and ``debrief_markdown`` (``str`` once the drill
        ended, else ``None``).
        """
        ...

    def debrief_json(self) -> str | None:
        """The debrief as JSON text once the drill ended, else ``None``."""
        ...
