"""The GraphQL warroom sends to keep follow-ups on a GitHub Project, and how it reads the answers.

GitHub's Projects (``projectV2``) have no REST API: adding an issue to a project and
setting its fields is GraphQL only (``addProjectV2ItemById``,
``updateProjectV2ItemFieldValue``). This module holds the documents as constants
(people's text only ever travels in variables, never in a query), reads the
answers into plain data and decides which field writes a follow-up still needs,
so ``adapter.py`` only sends. Pure: no I/O, no ``github`` import.

Per run: one query finds the project, its id and fields (kept for the run); one
query per incident (up to ``BATCH`` follow-ups) reads each follow-up's state and its
item on the project with the values set. Then only what differs is written: an
``addProjectV2ItemById`` for a follow-up not on the board (GitHub answers with the
existing item when it is, so a retry never adds twice) and one
``updateProjectV2ItemFieldValue`` per field whose value differs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from warroom.effects import BoardStatusInStep, PlaceOnBoard
from warroom.errors import GitHubError

BATCH = 50
"""Follow-ups read per query (aliases ``f0`` ... ``f49``): well under GitHub's node limits."""

_FIELDS = """
      id
      title
      fields(first: 100) {
        nodes {
          ... on ProjectV2FieldCommon { id name dataType }
          ... on ProjectV2SingleSelectField { options { id name } }
        }
      }
"""

PROJECT_QUERIES = {
    "organization": "query($login: String!, $number: Int!) {\n"
    "  organization(login: $login) {\n    projectV2(number: $number) {" + _FIELDS + "    }\n  }\n}",
    "user": "query($login: String!, $number: Int!) {\n"
    "  user(login: $login) {\n    projectV2(number: $number) {" + _FIELDS + "    }\n  }\n}",
}
"""Find a project by owner and number: its id, title and fields (GitHub caps fields at 50)."""

_FOLLOW_UP = """
fragment FollowUp on Issue {
  id
  state
  projectItems(first: 100) {
    nodes {
      id
      project { id }
      fieldValues(first: 100) {
        nodes {
          ... on ProjectV2ItemFieldTextValue { text field { ... on ProjectV2FieldCommon { id } } }
          ... on ProjectV2ItemFieldDateValue { date field { ... on ProjectV2FieldCommon { id } } }
          ... on ProjectV2ItemFieldSingleSelectValue {
            optionId
            field { ... on ProjectV2FieldCommon { id } }
          }
        }
      }
    }
  }
}
"""

_ITEMS = """
      items(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          content { ... on Issue { state } }
          incident: fieldValueByName(name: $incident) {
            ... on ProjectV2ItemFieldTextValue { text }
          }
          status: fieldValueByName(name: $status) {
            ... on ProjectV2ItemFieldSingleSelectValue { optionId }
          }
        }
      }
"""

ITEMS_QUERIES = {
    kind: "query($login: String!, $number: Int!, $after: String, $incident: String!, "
    "$status: String!) {\n"
    f"  {kind}(login: $login) {{\n    projectV2(number: $number) {{" + _ITEMS + "    }\n  }\n}"
    for kind in ("organization", "user")
}
"""One page of a project's items: each item's issue state, Incident text and Status option."""

MAX_PAGES = 50
"""Pages of items a sweep reads at most (5,000 items; GitHub caps a project at 50,000)."""


@dataclass(frozen=True)
class BoardItem:
    id: str
    state: str | None
    """``OPEN``/``CLOSED`` for an issue; ``None`` for a draft or a pull request."""
    incident: str
    option: str | None


def read_items(data: Any, owner_type: str) -> tuple[list[BoardItem], str | None]:
    """The items of one ``ITEMS_QUERIES`` page, and the cursor of the next (``None``: last)."""
    owner = (data or {}).get("data", {}).get(owner_type) or {}
    items = (owner.get("projectV2") or {}).get("items") or {}
    found = [
        BoardItem(
            node["id"],
            (node.get("content") or {}).get("state"),
            str((node.get("incident") or {}).get("text") or ""),
            (node.get("status") or {}).get("optionId"),
        )
        for node in items.get("nodes") or []
        if node
    ]
    page = items.get("pageInfo") or {}
    return found, page.get("endCursor") if page.get("hasNextPage") else None


def status_writes(
    items: Sequence[BoardItem], repository: str, project: Project, effect: BoardStatusInStep
) -> list[tuple[str, str, str]]:
    """(item id, status field id, option id) for each item of an incident of ``repository``
    whose Status is not what its issue's state says."""
    status = _field(project, effect.status_field, "SINGLE_SELECT", "status_field")
    wanted: dict[str, str] = {}
    for state, option, key in (
        ("OPEN", effect.status_open, "status_open"),
        ("CLOSED", effect.status_done, "status_done"),
    ):
        if option not in status.options:
            have = ", ".join(status.options) or "none"
            raise GitHubError(
                f"follow_ups.project.{key}: the project's {status.name!r} field has no option "
                f"{option!r} (it has: {have}); add it, or set {key} to one of those"
            )
        wanted[state] = status.options[option]
    prefix = f"{repository.lower()}#"
    out = []
    for item in items:
        reference = item.incident.strip().lower()
        if not reference.startswith(prefix) or not reference[len(prefix) :].isdigit():
            continue  # not a follow-up of this repository's incidents
        target = wanted.get(item.state or "")
        if target is not None and target != item.option:
            out.append((item.id, status.id, target))
    return out


ADD_ITEM = """mutation($project: ID!, $content: ID!) {
  addProjectV2ItemById(input: {projectId: $project, contentId: $content}) { item { id } }
}"""

SET_VALUE = """mutation($project: ID!, $item: ID!, $field: ID!, $value: ProjectV2FieldValue!) {
  updateProjectV2ItemFieldValue(
    input: {projectId: $project, itemId: $item, fieldId: $field, value: $value}
  ) { projectV2Item { id } }
}"""


def follow_ups_query(numbers: Sequence[int]) -> tuple[str, dict[str, Any]]:
    """One query reading up to ``BATCH`` follow-ups of one repository, with its variables
    (the repository's ``owner`` and ``name`` are added by the caller)."""
    assert 0 < len(numbers) <= BATCH
    declared = "".join(f", $n{i}: Int!" for i in range(len(numbers)))
    aliases = "".join(
        f"    f{i}: issue(number: $n{i}) {{ ...FollowUp }}\n" for i in range(len(numbers))
    )
    text = (
        f"query($owner: String!, $name: String!{declared}) {{\n"
        f"  repository(owner: $owner, name: $name) {{\n{aliases}  }}\n}}\n{_FOLLOW_UP}"
    )
    return text, {f"n{i}": n for i, n in enumerate(numbers)}


@dataclass(frozen=True)
class Field:
    id: str
    name: str
    data_type: str
    options: Mapping[str, str] = field(default_factory=dict)
    """Option name -> option id (single-select fields)."""


@dataclass(frozen=True)
class Project:
    """A project as one run knows it."""

    id: str
    fields: Mapping[str, Field]
    """By name."""


@dataclass(frozen=True)
class FollowUpOnBoard:
    """What the project holds of one follow-up: its issue, and its item if it has one."""

    content: str
    """The issue's node id."""
    state: str
    """``OPEN`` or ``CLOSED``."""
    item: str | None
    values: Mapping[str, str]
    """Field id -> the value set (text, ISO date or option id)."""


def read_project(data: Any, owner_type: str) -> Project | None:
    """The project in a ``PROJECT_QUERIES`` answer; ``None`` when GitHub has none."""
    owner = (data or {}).get("data", {}).get(owner_type) or {}
    found = owner.get("projectV2")
    if not found:
        return None
    fields = {}
    for node in found.get("fields", {}).get("nodes") or []:
        if not node or "name" not in node:
            continue
        options = {o["name"]: o["id"] for o in node.get("options") or []}
        fields[node["name"]] = Field(node["id"], node["name"], node["dataType"], options)
    return Project(found["id"], fields)


def read_follow_ups(
    data: Any, numbers: Sequence[int], project_id: str
) -> dict[int, FollowUpOnBoard | None]:
    """Each follow-up of a ``follow_ups_query`` answer (``None``: no such issue)."""
    repository = (data or {}).get("data", {}).get("repository") or {}
    out: dict[int, FollowUpOnBoard | None] = {}
    for i, number in enumerate(numbers):
        issue = repository.get(f"f{i}")
        if not issue:
            out[number] = None
            continue
        item, values = None, {}
        for node in issue.get("projectItems", {}).get("nodes") or []:
            if node and (node.get("project") or {}).get("id") == project_id:
                item = node["id"]
                for value in node.get("fieldValues", {}).get("nodes") or []:
                    field_id = ((value or {}).get("field") or {}).get("id")
                    held = next(
                        (value[k] for k in ("text", "date", "optionId") if value.get(k)), None
                    )
                    if field_id and held is not None:
                        values[field_id] = str(held)
        out[number] = FollowUpOnBoard(issue["id"], issue["state"], item, values)
    return out


def _field(project: Project, name: str, kind: str, key: str) -> Field:
    found = project.fields.get(name)
    if found is None:
        have = ", ".join(sorted(project.fields)) or "none"
        raise GitHubError(
            f"follow_ups.project.{key}: the project has no field named {name!r} (it has: {have}); "
            f"add a {kind.replace('_', '-').lower()} field of that name to the project, or set "
            f"{key} to the name of yours"
        )
    if found.data_type != kind:
        raise GitHubError(
            f"follow_ups.project.{key}: the project's field {name!r} is a "
            f"{found.data_type.replace('_', '-').lower()} field; warroom needs a "
            f"{kind.replace('_', '-').lower()} field: point {key} at one"
        )
    return found


def wanted_values(
    effect: PlaceOnBoard, project: Project, state: str
) -> list[tuple[Field, dict[str, str], str]]:
    """Every (field, GraphQL value, plain value) the follow-up's item should hold."""
    out: list[tuple[Field, dict[str, str], str]] = []
    for name, key, text in effect.texts:
        out.append((_field(project, name, "TEXT", key), {"text": text}, text))
    for name, key, day in effect.dates:
        out.append((_field(project, name, "DATE", key), {"date": day}, day))
    status = _field(project, effect.status_field, "SINGLE_SELECT", "status_field")
    option = effect.status_done if state == "CLOSED" else effect.status_open
    option_key = "status_done" if state == "CLOSED" else "status_open"
    option_id = status.options.get(option)
    if option_id is None:
        have = ", ".join(status.options) or "none"
        raise GitHubError(
            f"follow_ups.project.{option_key}: the project's {status.name!r} field has no option "
            f"{option!r} (it has: {have}); add it, or set {option_key} to one of those"
        )
    out.append((status, {"singleSelectOptionId": option_id}, option_id))
    return out


def graphql_errors(data: Any) -> str:
    """GitHub's GraphQL error messages, one line (for a ``GitHubError``)."""
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return ""
    return "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict))


def only_not_found(data: Any) -> bool:
    """Whether a GraphQL answer carries data and only ``NOT_FOUND`` errors."""
    if not isinstance(data, dict) or "data" not in data:
        return False
    errors = data.get("errors")
    return (
        isinstance(errors, list)
        and bool(errors)
        and all(isinstance(e, dict) and e.get("type") == "NOT_FOUND" for e in errors)
    )
