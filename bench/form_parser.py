"""Benchmark: does checking an issue-form body stay under 50 ms at GitHub's 65,536-character limit?

Issues 2 and 7 ask that any body up to the limit, hostile ones included, parse
within 50 ms. The bodies come in families: the shapes that cost a line-based
parser the most (thousands of headings, fences, line breaks, checkbox lines,
choices and logins), and the hostile families the adversarial tests read
(``tests/support/hostile.py``: runs of spaces, colons, backticks, ``#``,
``>``, ``|``, list markers, 16k empty headings, fences that never close).
Each body is checked against the incident form (the larger one) with
``check_form``, which parses and then reads the typed values; each family
prints its worst body beside the goal. Timings live here, not in the test
suite, because they depend on the machine.

    python bench/form_parser.py                 # every family, best of 7 runs per body
    python bench/form_parser.py --runs 3 --family spaces

Each body counts its best CPU time (the parse's own cost; on a shared machine
the wall clock also counts other processes, so it is shown beside it). A body
still running after ``--timeout`` seconds (a backtracking pattern can take
days) is stopped and counted as a miss.

Exit status: 0 when every family meets the goal, 1 when one does not.
"""

from __future__ import annotations

import argparse
import random
import sys
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the hostile families live with the tests that assert them

from tests.support.hostile import LIMIT, bodies  # noqa: E402
from timing import best_ms, shown  # noqa: E402

from warroom.config import DEFAULT_CONFIG  # noqa: E402
from warroom.parsing.forms import bundled_form, check_form  # noqa: E402

GOAL_MS = 50.0
EXAMPLE = ROOT / "examples" / "incident-form.md"


def shapes() -> dict[str, str]:
    """The costly shapes for a form parser (issue 2's scenarios), one family each."""
    example = EXAMPLE.read_text("utf-8")
    noise = random.Random(2).choices(  # noqa: S311 (noise, not secrets)
        "#` \n-[]x,@a\r~", k=LIMIT
    )
    found = {
        "example x N": example * (LIMIT // len(example) + 1),
        "random syntax": "".join(noise),
        "unknown headings": "### a\n" * LIMIT,
        "near-miss headings": "### summary\nx\n" * LIMIT,
        "repeated field": "### Summary\n\nx\n" * LIMIT,
        "line feeds": "\n" * LIMIT,
        "carriage returns": "\r" * LIMIT,
        "checkbox lines": "### Rollback readiness\n\n" + "- [x] a\n" * LIMIT,
        "many choices": "### Dependency classes\n\n" + "other, " * LIMIT,
        "distinct choices": "### Dependency classes\n\n"
        + ", ".join(f"o{i}" for i in range(LIMIT // 4)),
        "distinct logins": "### Deputy\n\n" + " ".join(f"@a{i}" for i in range(LIMIT // 4)),
        "surfaces": "### Impacted surfaces\n\n" + "a/**\n" * LIMIT,
        "one long line": "### Summary\n\n" + "x" * LIMIT,
    }
    return {name: body[:LIMIT] for name, body in found.items()}


def families() -> dict[str, dict[str, str]]:
    grouped: dict[str, dict[str, str]] = {name: {name: text} for name, text in shapes().items()}
    for body in bodies():
        grouped.setdefault(body.family, {})[body.name] = body.text
    return grouped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per body; the best counts")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a body stops")
    parser.add_argument("--family", action="append", help="only these families (repeatable)")
    args = parser.parse_args()
    form = bundled_form("incident")
    slow = []
    print(f"{'family':22} {'bodies':>6} {'worst body':28} {'cpu ms':>8} {'wall ms':>8} {'goal':>5}")
    for family, members in families().items():
        if args.family and family not in args.family:
            continue
        worst_name, worst, worst_wall = "", -1.0, -1.0
        for name, text in members.items():
            work = partial(check_form, text, form, DEFAULT_CONFIG)
            ms, wall = best_ms(work, args.runs, args.timeout)
            if ms > worst:
                worst_name, worst, worst_wall = name, ms, wall
        late = worst > GOAL_MS
        print(
            f"{family:22} {len(members):6} {worst_name[:28]:28} {shown(worst, args.timeout)} "
            f"{shown(worst_wall, args.timeout)} {GOAL_MS:5.0f}{'  SLOW' if late else ''}"
        )
        if late:
            slow.append(family)
    if slow:
        print(f"over {GOAL_MS:.0f} ms: {', '.join(slow)}")
        return 1
    print(f"all under {GOAL_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
