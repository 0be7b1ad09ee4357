"""Benchmark: does checking a comment stay under 50 ms at GitHub's 65,536-character limit?

Issues 2 and 7 ask that any comment up to the limit, hostile ones included, be
read within 50 ms. The bodies come in families: the shapes that cost the
record scanner the most (thousands of headings, start lines, fields, fences,
HTML comments, line breaks and nested bullets), and the hostile families the
adversarial tests read (``tests/support/hostile.py``: runs of spaces, colons,
backticks, ``#``, ``>``, ``|``, list markers, 16k empty headings, fences and
comments that never close). Each body is read with ``read_records`` and
checked with ``check_text`` in ``auto`` mode (records, then forms when the
body has ``###`` headings), the way ``warroom check`` does it; each family
prints its worst body beside the goal. Timings live here, not in the test
suite, because they depend on the machine.

    python bench/record_parser.py               # every family, best of 7 runs per body
    python bench/record_parser.py --runs 3 --family spaces

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

from warroom.check import check_text  # noqa: E402
from warroom.parsing.records import read_records  # noqa: E402

GOAL_MS = 50.0
EXAMPLES = ROOT / "examples"


def shapes() -> dict[str, str]:
    """The costly shapes for the record scanner (issue 2's scenarios), one family each."""
    decision = (EXAMPLES / "decision.md").read_text("utf-8")
    noise = random.Random(3).choices(  # noqa: S311 (noise, not secrets)
        "#`*-_:[]()@<!->\n\r\t aSx|", k=LIMIT
    )
    found = {
        "example x N": decision * (LIMIT // len(decision) + 1),
        "random syntax": "".join(noise),
        "line feeds": "\n" * LIMIT,
        "carriage returns": "\r" * LIMIT,
        "headings": "### Checkpoint Decision Record\n" * LIMIT,
        "bundles": "### Incident Command Snapshot\n- Severity: SEV-1\n- Next owner: @a\n" * LIMIT,
        "subject lines": "[INCIDENT][SEV-1] x\n" * LIMIT,
        "status lines": "Status: x\n" * LIMIT,
        "stakeholder updates": "Status: mitigating\nCustomer impact: x\n" * LIMIT,
        "known fields": "### Checkpoint Decision Record\n" + "- Decision: rollback\n" * LIMIT,
        "unknown fields": "### Checkpoint Decision Record\n" + "- a: b\n" * LIMIT,
        "near-miss labels": "".join(
            f"### Checkpoint Decision Record\n- Owner for verificatoin{i}: @a\n"
            f"- Verification signa{i}: x\n- Next checkpoint: 16:40 UTC, Ann Lee (@a{i})\n"
            for i in range(LIMIT // 120)
        ),
        "quoted records": "> ### Incident Command Snapshot\n> - Severity: SEV-1\n" * LIMIT,
        "prose in a block": "### Checkpoint Decision Record\n- Evidence reviewed: x\n"
        + "word\n" * LIMIT,
        "fenced output": "### Verification Rerun Record\n- Outputs:\n" + "```\nx\n```\n" * LIMIT,
        "html comments": "<!-- a -->\n" * LIMIT,
        "one long value": "### Checkpoint Decision Record\n- Timestamp: " + "1" * LIMIT,
        "tabs": "### Checkpoint Decision Record\n- Evidence reviewed: x\n" + "\t" * LIMIT,
        "form headings": "### Summary\n\nx\n" * LIMIT,
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
    slow = []
    print(
        f"{'family':22} {'bodies':>6} {'worst body':28} {'records':>8} {'check':>8} "
        f"{'wall':>8} {'goal':>5}   (cpu ms; wall ms of the slower)"
    )
    for family, members in families().items():
        if args.family and family not in args.family:
            continue
        worst: tuple[float, str, float, float, float] = (-1.0, "", 0.0, 0.0, 0.0)
        for name, text in members.items():
            read, read_wall = best_ms(partial(read_records, text), args.runs, args.timeout)
            check, check_wall = best_ms(partial(check_text, text), args.runs, args.timeout)
            wall = read_wall if read >= check else check_wall
            if max(read, check) > worst[0]:
                worst = (max(read, check), name, read, check, wall)
        late = worst[0] > GOAL_MS
        print(
            f"{family:22} {len(members):6} {worst[1][:28]:28} {shown(worst[2], args.timeout)} "
            f"{shown(worst[3], args.timeout)} {shown(worst[4], args.timeout)} {GOAL_MS:5.0f}"
            f"{'  SLOW' if late else ''}"
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
