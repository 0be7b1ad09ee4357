"""GitHub's webhook schemas and real example payloads as the oracle for deliveries.

``@octokit/webhooks-schemas`` names one JSON Schema (draft 7) per event and
action: ``issues$opened``, ``issue_comment$created``; events without actions
are ``push$event``. The file is small enough (0.6 MB) to read whole, so unlike
the OpenAPI description it needs no cache.

``@octokit/webhooks-examples`` holds payloads GitHub really sent. Two of the
``issues``/``issue_comment`` ones and one ``pull_request`` one predate fields the
schemas now require
(``STALE_EXAMPLES``): GitHub sent them, so the sandbox must accept them when
they are replayed, yet a delivery shaped like them is rightly a violation.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from tests.support import Violation, node_file
from tests.support.openapi import FORMATS, schema_errors
from warroom.sandbox.observe import Delivery

SCHEMA_FILE = "@octokit/webhooks-schemas/schema.json"
EXAMPLES_FILE = "@octokit/webhooks-examples/api.github.com/index.json"
_ROOT_URI = "urn:warroom:github-webhooks"

# Example id -> the required fields it lacks under today's schemas (issue, comment, repository).
STALE_EXAMPLES: Mapping[str, frozenset[str]] = {
    "issue_comment.created.0": frozenset(
        {
            "active_lock_reason",
            "reactions",
            "description",
            "performed_via_github_app",
            "is_template",
            "web_commit_signoff_required",
            "topics",
            "visibility",
            "custom_properties",
        }
    ),
    "pull_request.opened.0": frozenset(
        {
            "active_lock_reason",
            "auto_merge",
            "custom_properties",
            "is_template",
            "topics",
            "visibility",
            "web_commit_signoff_required",
        }
    ),
    "issues.edited.0": frozenset(
        {
            "active_lock_reason",
            "reactions",
            "description",
            "is_template",
            "web_commit_signoff_required",
            "topics",
            "visibility",
            "custom_properties",
        }
    ),
}


class Example(NamedTuple):
    """One real payload; ``id`` is ``event.action.n`` (n counts within the action)."""

    id: str
    event: str
    payload: dict[str, Any]


class WebhookOracle:
    """Checks deliveries against the schema GitHub publishes for their event and action."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.definitions: Mapping[str, Any] = schema["definitions"]
        self._registry: Registry[Any] = Registry().with_resource(
            _ROOT_URI, DRAFT7.create_resource(dict(schema))
        )
        self._validators: dict[str, Draft7Validator] = {}

    def schema_name(self, event: str, action: str | None) -> str | None:
        """The definition GitHub's schemas give this delivery, or None if they give none."""
        for name in (f"{event}${action}" if action else None, f"{event}$event"):
            if name is not None and name in self.definitions:
                return name
        return None

    def actions(self, event: str) -> list[str]:
        """Every action the schemas know for an event, to name them in a violation."""
        prefix = f"{event}$"
        return sorted(
            name.removeprefix(prefix) for name in self.definitions if name.startswith(prefix)
        )

    def check(self, delivery: Delivery) -> list[Violation]:
        """Every way this delivery departs from its schema (empty when it conforms)."""
        action = delivery.action
        seen = f"delivery {delivery.event}" + (f".{action}" if action else "")
        name = self.schema_name(delivery.event, action)
        if name is None:
            known = ", ".join(self.actions(delivery.event)) or "none: unknown event"
            return [
                Violation(
                    f"{delivery.event}${action}",
                    seen,
                    "payload",
                    "$.action",
                    f"GitHub's webhook schemas define no such event/action; known actions: {known}",
                )
            ]
        validator = self._validators.get(name)
        if validator is None:
            validator = Draft7Validator(
                {"$ref": f"{_ROOT_URI}#/definitions/{name}"},
                registry=self._registry,
                format_checker=FORMATS,
            )
            self._validators[name] = validator
        return [
            Violation(name, seen, "payload", location, message)
            for location, message in schema_errors(validator, dict(delivery.payload))
        ]


@functools.cache
def default_webhook_oracle() -> WebhookOracle:
    """The oracle for this process, read once from ``@octokit/webhooks-schemas``."""
    return WebhookOracle(json.loads(node_file(SCHEMA_FILE).read_bytes()))


@functools.cache
def _example_index() -> tuple[Mapping[str, Any], ...]:
    return tuple(json.loads(node_file(EXAMPLES_FILE).read_bytes()))


def examples(*events: str) -> list[Example]:
    """Real payloads of the given events from ``@octokit/webhooks-examples``, fresh copies."""
    found: list[Example] = []
    for entry in _example_index():
        if entry["name"] not in events:
            continue
        counts: dict[str, int] = {}
        for payload in entry["examples"]:
            action = str(payload.get("action", "event"))
            index = counts.get(action, 0)
            counts[action] = index + 1
            found.append(
                Example(
                    f"{entry['name']}.{action}.{index}",
                    entry["name"],
                    json.loads(json.dumps(payload)),
                )
            )
    return found
