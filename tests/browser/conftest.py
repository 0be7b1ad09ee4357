"""Browser tests: pages opened in a real headless Chromium, the distribution's own.

Browsers cannot be downloaded here, so Playwright drives the Chromium that
Debian packages (``apt-get install chromium``; ``.ci/run`` installs it)
through ``executable_path``. pytest-playwright's ``page`` fixture is used as
is; only the launch is ours. Without a Chromium the tests are skipped, and
the run's summary says so in one line (see ``tests/conftest.py``); under CI
(``CI`` set) a missing Chromium fails instead, so a green CI never hides
untested pages.

Screenshots go to ``.artifacts/screenshots/`` (ignored by git): the tests
keep them as artefacts for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import SCREENSHOTS, find_chromium

# Chromium as root in a container, with no network: the flags the machine needs.
_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at the distribution's Chromium."""
    executable = find_chromium()
    if executable is None:
        message = "no Chromium found: install it with `apt-get install chromium`"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {message}")
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": executable, "args": _ARGS}


@pytest.fixture
def screenshots() -> Path:
    """Where this test keeps its screenshots (created on demand)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
