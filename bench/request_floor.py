"""Benchmark: the demo incident's requests against their floor, and chaos at more seeds.

The floor is what a run cannot do without: every write that changed something,
and one read of the incident's comments for each run that acted on it. The
rest (permission answers, label listings, look-ups before a create, reads of
a stale payload's issue) is overhead, and issue 7 allows at most 10 % of the
floor for it. Requests are counted at the sandbox for the runs' own token, so
the numbers do not depend on the machine.

The chaos part plays the same incident while 30 % of the runs' requests fail
(every fault kind), converges as GitHub would (re-run failed runs once, then a
sweep) and compares the end state with a clean play: the suite runs three
seeds, this runs more.

    python bench/request_floor.py              # floor, and chaos at 10 seeds
    python bench/request_floor.py --seeds 0    # the floor only

Exit status: 0 when the ratio is within the goal and every seed converges, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.conftest import TestSandbox
from tests.e2e.story_state import (
    CHAOS_CONFIG,
    CHAOS_RULE,
    converge,
    end_state,
    play,
    story_sandbox,
)

from warroom import sandbox_people

GOAL = 1.10
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def floor() -> bool:
    with tempfile.TemporaryDirectory() as scratch:
        sb = story_sandbox(Path(scratch), sandbox_people.SANDBOX_CONFIG)
        try:
            play(sb)
            total = needed = 0
            extra: dict[str, int] = {}
            for run in sb.runs():
                rows = sb.requests(run_id=run["id"])["requests"]
                total += len(rows)
                writes = [r for r in rows if r["method"] in WRITES and r["status"] < 400]
                needed += len(writes) + (1 if rows else 0)
                for row in rows:
                    if (
                        row["method"] not in WRITES
                        and row["operation_id"] != "issues/list-comments"
                    ):
                        extra[row["operation_id"]] = extra.get(row["operation_id"], 0) + 1
            ratio = total / needed
            verdict = "ok" if ratio <= GOAL else "MISSED"
            print(f"demo: {len(sb.runs())} runs, {total} requests; floor {needed}")
            print(f"  ratio {ratio:.2f} (goal <= {GOAL:.2f}): {verdict}")
            print("  overhead: " + ", ".join(f"{op} {n}" for op, n in sorted(extra.items())))
            return ratio <= GOAL
        finally:
            sb.stop()


def chaos(seeds: int) -> bool:
    ok = True
    with tempfile.TemporaryDirectory() as scratch:
        clean = story_sandbox(Path(scratch), CHAOS_CONFIG)
        try:
            number = play(clean)
            converge(clean)
            expected = end_state(clean, number)
        finally:
            clean.stop()
        for seed in range(1, seeds + 1):
            sb: TestSandbox = story_sandbox(Path(scratch), CHAOS_CONFIG)
            try:
                sb.faults.configure([CHAOS_RULE], seed=seed)
                number = play(sb)
                hits = len(sb.faults.to_json()["history"])
                failed = sum(1 for r in sb.runs() if r["exit_code"] not in (0, None))
                converge(sb)
                same = end_state(sb, number) == expected
                ok = ok and same
                print(
                    f"chaos seed {seed}: {hits} faults, {failed} red runs before converging; "
                    + ("same end state" if same else "DIFFERENT end state")
                )
            finally:
                sb.stop()
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="chaos seeds to play (0: none)")
    args = parser.parse_args()
    ok = floor()
    if args.seeds:
        ok = chaos(args.seeds) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
