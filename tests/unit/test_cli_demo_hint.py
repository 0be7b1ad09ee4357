"""The demo's closing line names a command that works as printed, also after `make demo`."""

from __future__ import annotations

import sys

import pytest

from warroom.demo import _program


@pytest.mark.parametrize(
    ("argv0", "shown"),
    [
        pytest.param(".venv/bin/warroom", ".venv/bin/warroom", id="make-demo"),
        pytest.param("/usr/local/bin/warroom", "/usr/local/bin/warroom", id="installed"),
        pytest.param(
            "/tmp/my dir/.venv/bin/warroom", "'/tmp/my dir/.venv/bin/warroom'", id="space"
        ),
        pytest.param("/src/warroom/__main__.py", "warroom", id="python-m"),
        pytest.param("", "warroom", id="no-argv"),
    ],
)
def test_the_keep_hint_names_the_program_as_started(
    monkeypatch: pytest.MonkeyPatch, argv0: str, shown: str
) -> None:
    monkeypatch.setattr(sys, "argv", [argv0, "demo"])
    assert _program() == shown
