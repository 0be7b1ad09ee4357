"""One folder per case: ``input.md``, what ``warroom check`` prints for it, as JSON and as text.

``options.json`` (optional) holds ``kind`` (as ``--kind``), ``timezone``
(the configured zone) and ``now`` (ISO 8601, as ``WARROOM_NOW``: the time a
time written without a date is read from). Set ``WARROOM_UPDATE_FIXTURES=1`` to rewrite the
expected files after a deliberate change, then review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from warroom.check import check_text, format_text, result_json
from warroom.config import Config

FIXTURES = Path(__file__).parents[1] / "fixtures" / "records"
UPDATE = os.environ.get("WARROOM_UPDATE_FIXTURES") == "1"


@pytest.mark.parametrize("case", sorted(FIXTURES.iterdir()), ids=lambda path: path.name)
def test_fixture(case: Path) -> None:
    options_file = case / "options.json"
    options = json.loads(options_file.read_text()) if options_file.exists() else {}
    config = Config(timezone=options.get("timezone", "UTC"))
    text = (case / "input.md").read_text(encoding="utf-8")
    now = datetime.fromisoformat(options["now"]) if "now" in options else None
    result = check_text(text, kind=options.get("kind", "auto"), config=config, reference=now)
    actual_json = result_json("input.md", result)
    actual_text = format_text("input.md", result)
    if UPDATE:
        (case / "expected.json").write_text(
            json.dumps(actual_json, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (case / "expected.txt").write_text(actual_text, encoding="utf-8")
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert actual_json == expected
    assert actual_text == (case / "expected.txt").read_text(encoding="utf-8")
