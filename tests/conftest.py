"""Suite-wide fixtures: ``fidelity``, the judge of everything the sandbox says.

A violation fails the test that caused it: right after the test body runs
(so it shows as that test's failure, not a teardown error), and again at
teardown for anything the sandbox did while shutting down.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

from tests.support.fidelity import Fidelity
from tests.support.openapi import default_oracle
from tests.support.webhooks import default_webhook_oracle


@pytest.fixture
def fidelity() -> Iterator[Fidelity]:
    """Attach with ``fidelity.attach(sandbox)``; violations fail the test, naming each one."""
    recorder = Fidelity(default_oracle(), default_webhook_oracle())
    yield recorder
    recorder.assert_clean()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    recorder = getattr(item, "funcargs", {}).get("fidelity")
    if not isinstance(recorder, Fidelity):
        return (yield)
    try:
        result = yield
    except BaseException as failure:
        found = recorder.take()
        if found:
            failure.add_note(recorder.report(found))
        raise
    recorder.assert_clean()
    return result


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say in one line whether the browser tests ran, and in which Chromium."""
    from tests.support.browser import find_chromium

    found = find_chromium()
    if found is None:
        terminalreporter.write_line(
            "browser tests: SKIPPED, no Chromium found (apt-get install chromium, then make test)",
            yellow=True,
        )
    else:
        terminalreporter.write_line(f"browser tests: run in the distribution's Chromium ({found})")
