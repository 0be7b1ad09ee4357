"""Benchmark: does checking a comment stay under 50 ms at GitHub's 65,536-character limit?

Issue 2 asks that any comment up to the limit, hostile ones included, be read
within 50 ms. The bodies here are the shapes that cost the record scanner the
most: thousands of headings, start lines, fields, fences, HTML comments, line
breaks and nested bullets. Each is checked with ``check_text`` in ``auto``
mode (records, then forms when the body has ``###`` headings), the way
``warroom check`` does it. Timings live here, not in the test suite, because
they depend on the machine.

    python bench/record_parser.py            # every scenario, best of 7 runs
    python bench/record_parser.py --runs 3

Exit status: 0 when every scenario meets the goal, 1 when one does not.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from warroom.check import check_text
from warroom.parsing.records import read_records

GOAL_MS = 50.0
LIMIT = 65_536
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def scenarios() -> dict[str, str]:
    decision = (EXAMPLES / "decision.md").read_text("utf-8")
    noise = random.Random(3).choices(  # noqa: S311 (noise, not secrets)
        "#`*-_:[]()@<!->\n\r\t aSx|", k=LIMIT
    )
    bodies = {
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
        "nested bullets": "### Checkpoint Decision Record\n- Evidence reviewed: x\n"
        + "".join(" " * (i % 40) + "- y\n" for i in range(LIMIT // 8)),
        "fence lines": "```\n" * LIMIT,
        "fenced output": "### Verification Rerun Record\n- Outputs:\n" + "```\nx\n```\n" * LIMIT,
        "html comments": "<!-- a -->\n" * LIMIT,
        "unclosed comment": "### Handoff Record\n<!--" + "\n" * LIMIT,
        "one long value": "### Checkpoint Decision Record\n- Timestamp: " + "1" * LIMIT,
        "spaces in a value": "### Checkpoint Decision Record\n- Severity: sev" + " " * LIMIT,
        "tabs": "### Checkpoint Decision Record\n- Evidence reviewed: x\n" + "\t" * LIMIT,
        "form headings": "### Summary\n\nx\n" * LIMIT,
    }
    return {name: body[:LIMIT] for name, body in bodies.items()}


def best_ms(body: str, runs: int) -> tuple[float, float]:
    """Best of ``runs`` for reading records alone and for the whole ``auto`` check."""
    read, check = [], []
    for _ in range(runs):
        started = time.perf_counter()
        read_records(body)
        middle = time.perf_counter()
        check_text(body)
        read.append((middle - started) * 1000)
        check.append((time.perf_counter() - middle) * 1000)
    return min(read), min(check)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per scenario; the best counts")
    args = parser.parse_args()
    slow = []
    print(f"{'scenario':22} {'chars':>6} {'records ms':>10} {'check ms':>9}")
    for name, body in scenarios().items():
        read_ms, check_ms = best_ms(body, args.runs)
        late = max(read_ms, check_ms) > GOAL_MS
        print(f"{name:22} {len(body):6} {read_ms:10.1f} {check_ms:9.1f}{'  SLOW' if late else ''}")
        if late:
            slow.append(name)
    if slow:
        print(f"over {GOAL_MS:.0f} ms: {', '.join(slow)}")
        return 1
    print(f"all under {GOAL_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
