"""``follow_ups.project`` and ``follow_ups.repository``: defaults, and bad values that name
their key and say what to write instead."""

from __future__ import annotations

import pytest

from warroom.config import DEFAULT_CONFIG, config_from_yaml
from warroom.errors import ConfigError


def test_without_them_follow_ups_stay_in_this_repository_and_off_any_board() -> None:
    assert DEFAULT_CONFIG.follow_ups.project is None
    assert DEFAULT_CONFIG.follow_ups.repository is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "project: {number: 7}",
            {
                "number": 7,
                "owner": None,
                "owner_type": "organization",
                "owner_field": "Owner",
                "due_field": "Due date",
                "incident_field": "Incident",
                "status_field": "Status",
                "status_open": "Todo",
                "status_done": "Done",
            },
            id="defaults-are-a-new-project-s-status-and-warroom-s-fields",
        ),
        pytest.param(
            "project: {number: 2, owner: mara, owner_type: user, due_field: ' Due ',"
            " status_done: Shipped}",
            {"owner": "mara", "owner_type": "user", "due_field": "Due", "status_done": "Shipped"},
            id="a-user-s-project-with-its-own-names",
        ),
    ],
)
def test_a_project_reads_with_its_defaults(text: str, expected: dict[str, object]) -> None:
    board = config_from_yaml(f"follow_ups:\n  {text}\n").follow_ups.project

    assert board is not None
    assert {k: getattr(board, k) for k in expected} == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("backlog", "backlog", id="a-name"),
        pytest.param("acme/team.backlog", "acme/team.backlog", id="owner-and-name"),
    ],
)
def test_a_backlog_repository_reads(text: str, value: str) -> None:
    assert config_from_yaml(f"follow_ups: {{repository: '{text}'}}").follow_ups.repository == value


@pytest.mark.parametrize(
    ("text", "path", "says"),
    [
        pytest.param(
            "{project: {number: 0}}",
            "follow_ups.project",
            "number: write the project's number from its address",
            id="number-zero",
        ),
        pytest.param(
            "{project: {owner: acme}}",
            "follow_ups.project",
            "(github.com/orgs/acme/projects/7 -> 7); got None",
            id="number-missing",
        ),
        pytest.param(
            "{project: {number: true}}",
            "follow_ups.project",
            "got True",
            id="number-a-boolean",
        ),
        pytest.param(
            "{project: {number: 1, owner: '-acme'}}",
            "follow_ups.project.owner",
            "write the organisation's or user's login, e.g. 'acme'",
            id="owner-not-a-login",
        ),
        pytest.param(
            "{project: {number: 1, owner_type: team}}",
            "follow_ups.project.owner_type",
            "'organization' or 'user'",
            id="owner-type-unknown",
        ),
        pytest.param(
            "{project: {number: 1, due_field: '  '}}",
            "follow_ups.project.due_field",
            "as the project shows it",
            id="empty-field-name",
        ),
        pytest.param(
            "{project: {number: 1, incident_field: Owner}}",
            "follow_ups.project",
            "name four different fields",
            id="two-keys-one-field",
        ),
        pytest.param(
            "{project: {number: 1, status_open: Done}}",
            "follow_ups.project",
            "two different Status options",
            id="open-and-done-the-same-option",
        ),
        pytest.param(
            "{project: {number: 1, colour: red}}",
            "follow_ups.project.colour",
            "unknown key; see the README's config table",
            id="unknown-key",
        ),
        pytest.param(
            "{repository: 'acme/team/backlog'}",
            "follow_ups.repository",
            "write the name of a repository of the same owner, e.g. 'backlog'",
            id="repository-path",
        ),
        pytest.param(
            "{repository: 'back log'}",
            "follow_ups.repository",
            "got 'back log'",
            id="repository-with-a-space",
        ),
        pytest.param(
            "{repository: '..'}",
            "follow_ups.repository",
            "got '..'",
            id="repository-dot-dot",
        ),
    ],
)
def test_a_bad_value_names_its_key_and_what_to_write(text: str, path: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_yaml(f"follow_ups: {text}\n")

    message = str(caught.value)
    assert message.startswith(f".github/warroom.yml: {path}"), message
    assert says in message, message
