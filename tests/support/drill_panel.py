"""A stand-in for a running drill, for the web view's tests: a plain ``DrillPanel``.

The drill runner (``warroom.drill``) is what hands a sandbox its panel in
real use; the web view's tests need only the protocol
(``warroom.sandbox.web.drill_panel``), so they set ``Sandbox.drill_panel`` to
this class and say exactly what the drill shows: its clock, its page, its end.
``AUTH_TOKEN_FAILURE`` is the playbook's first scenario as a team would see it
half-way through, for the pages a person looks at.
"""

from __future__ import annotations

import json
import threading
from copy import deepcopy
from typing import Any

DEBRIEF_MARKDOWN = """\
## Debrief: Auth token failure after release

Ended with the **gate met** at T+48:10, against the playbook's 60-minute command timeline.

### Times

| Milestone | Drill time | Timeline | Kept |
|---|---|---|---|
| Owner named | T+03:40 | by T+05:00 | yes |
| First checkpoint | T+14:55 | by T+15:00 | yes |
| Mitigation decided | T+27:30 | by T+30:00 | yes |
| Closure | T+48:10 | by T+60:00 | yes |

### Checkpoints

- [x] T+15:00 kept (T+14:55)
- [ ] T+30:00 missed: the next checkpoint came at T+36:20
- [x] T+45:00 kept (T+44:05)

### Anti-patterns hit

- **Closure without rerun proof**: a close at T+41:30 was refused until the rerun was green.

### Gate conditions

| Condition | Met at |
|---|---|
| Owner, mitigation and verification owners named | T+27:30 |
| Evidence minimum: failing endpoints, first bad deploy hash, rollback check | T+33:15 |
| Green rerun after the mitigation | T+46:50 |

### The five post-closure questions

1. **What failed first?** The token audience check in auth-gateway after release 2026.11.28-2.
2. **What signal was missed?** The canary's 401 rate, above threshold for 6 minutes.
3. **Which decision was slow?** Rollback vs hotfix: two owners recommended both.
4. **What will change?** A canary gate on the 401/403 rate.
5. **Who owns the follow-ups?** #7 and #8, each with an owner.
"""

AUTH_TOKEN_FAILURE: dict[str, Any] = {
    "name": "auth-token-failure",
    "title": "Auth token failure after release",
    "summary": (
        "Sudden spike in 401/403 from one service after deployment. Risk: a support load "
        "surge and customer trust. Decide between a feature-flag rollback and a targeted "
        "hotfix, with the evidence the scenario's minimum asks for."
    ),
    "signal": {
        "title": "[alert] auth-gateway: 401/403 rate 38% (threshold 2%)",
        "body": (
            "**auth-gateway** answers 401/403 to 38% of authenticated calls since "
            "release `2026.11.28-2`.\n\n"
            "| Window | 401/403 rate | Requests |\n|---|---|---|\n"
            "| 13:50–13:55 | 0.4% | 182,114 |\n| 13:55–14:00 | 38.2% | 179,402 |\n"
        ),
        "url": "/acme/service/issues/1",
    },
    "team": [
        {"login": "mara-okafor", "role": "incident commander", "level": "write"},
        {"login": "devi-raman", "role": "investigation owner", "level": "write"},
        {"login": "tomas-lindqvist", "role": "mitigation owner", "level": "write"},
        {"login": "aiko-tanaka", "role": "verification owner", "level": "write"},
        {"login": "sam-whitfield", "role": "communications", "level": "write"},
    ],
    "cast": [
        {"login": "monitor-bot", "role": "monitoring: posts the error rate", "level": "read"},
        {"login": "priya-support", "role": "support lead: asks for updates", "level": "read"},
        {"login": "leo-platform", "role": "platform owner: a second opinion", "level": "write"},
    ],
    "commands": [
        {"command": "failing-endpoints", "reveals": "failing endpoint list"},
        {"command": "deploy-history", "reveals": "first bad deploy hash"},
        {"command": "rollback-check", "reveals": "rollback safety check output"},
    ],
    "incident": None,
    "log": [
        {"at": "T+00:00", "what": "monitoring opened the alert #1: 401/403 rate 38%"},
        {"at": "T+05:00", "what": "monitoring: 401/403 rate 41%, 12 services affected"},
        {"at": "T+10:00", "what": "monitoring: 401/403 rate 44%"},
        {"at": "T+12:00", "what": "support lead asked for an update: no update for 12 minutes"},
    ],
    "debrief_markdown": None,
}


class StandInPanel:
    """A ``DrillPanel`` whose clock, page and end the test sets; thread-safe like the real one."""

    def __init__(
        self,
        page: dict[str, Any] | None = None,
        *,
        elapsed: str = "T+12:30",
        limit: str = "60:00",
        speed: float = 10.0,
        elapsed_seconds: int | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._page = deepcopy(page if page is not None else AUTH_TOKEN_FAILURE)
        self._banner: dict[str, Any] = {
            "scenario": self._page["title"],
            "elapsed": elapsed,
            "limit": limit,
            "speed": speed,
            "state": "running",
            "ended_by": None,
        }
        if elapsed_seconds is not None:
            self._banner["elapsed_seconds"] = elapsed_seconds
        self._debrief_json: str | None = None

    def banner(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._banner)

    def page(self) -> dict[str, Any]:
        with self._lock:
            return deepcopy(self._page)

    def debrief_json(self) -> str | None:
        with self._lock:
            return self._debrief_json

    def file(self, incident_url: str) -> None:
        """The players filed the incident at ``incident_url``."""
        with self._lock:
            self._page["incident"] = incident_url

    def end(
        self,
        by: str = "gate",
        *,
        at: str = "T+48:10",
        markdown: str = DEBRIEF_MARKDOWN,
        debrief: dict[str, Any] | None = None,
    ) -> None:
        """The drill ended (``gate`` or ``time``) at ``at``, with its debrief."""
        with self._lock:
            self._banner.update({"state": "ended", "ended_by": by, "elapsed": at})
            self._page["debrief_markdown"] = markdown
            self._page["log"].append({"at": at, "what": f"the drill ended: {by}"})
            self._debrief_json = json.dumps(
                debrief if debrief is not None else {"scenario": self._page["name"], "ended_by": by}
            )
