"""Where the distribution's Chromium is, for the browser tests and the run's summary."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".artifacts" / "screenshots"

_NAMES = ("chromium", "chromium-browser")


def find_chromium() -> str | None:
    """``WARROOM_CHROMIUM`` if set, else the first Chromium on ``PATH``; None when there is none."""
    chosen = os.environ.get("WARROOM_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None
