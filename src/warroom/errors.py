"""One error tree for warroom.

The CLI turns every ``WarroomError`` into a one-line message and an exit code;
anything else escaping is a bug. Keeping the tree small means the shell can
tell usage mistakes (exit 2) from findings (exit 1) without string matching.
"""

from __future__ import annotations


class WarroomError(Exception):
    """Base of every error warroom reports to a person instead of a traceback."""

    exit_code = 2


class UsageError(WarroomError):
    """The command was called wrongly: a bad option, an unreadable file."""


class ConfigError(WarroomError):
    """The configuration file is invalid; the message names the key path."""


class FormTemplateError(WarroomError):
    """An issue-form YAML file cannot be used to parse a body."""


class GitHubError(WarroomError):
    """GitHub (or the sandbox) refused or failed after retries.

    ``status`` is GitHub's HTTP status when it answered with a refusal (404 for an
    issue that does not exist), so a command can tell "no such thing" (a usage
    mistake) from a failure without reading the message."""

    exit_code = 1

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
