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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.action_support import STATE_KEY, TEAM
from tests.e2e.conftest import TestSandbox
from tests.e2e.story_state import end_state, play

from warroom import demo

GOAL = 1.10
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
CHAOS_CONFIG = "api:\n  seconds_between_writes: 0\n  retry_seconds: 8\n  max_attempts: 4\n"


def _sandbox(scratch: Path, config: str) -> TestSandbox:
    path = scratch / "warroom.yml"
    path.write_text(config, encoding="utf-8")
    return TestSandbox(
        dispatch=[sys.executable, "-m", "warroom", "action"],
        env={"WARROOM_CONFIG": str(path), "WARROOM_STATE_KEY": STATE_KEY},
        users=TEAM,
        now=demo.START,
        frozen=True,
    ).start()


def floor() -> bool:
    with tempfile.TemporaryDirectory() as scratch:
        sb = _sandbox(Path(scratch), demo.DEMO_CONFIG)
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
    rule: dict[str, Any] = {
        "rate": 0.3,
        "token": "workflow",
        "kinds": [
            "500",
            "502",
            "503",
            "secondary-rate-limit",
            "primary-rate-limit",
            "429",
            "429-retry-after",
            "latency",
            "drop",
            "applied-502",
            "applied-drop",
        ],
        "retry_after": 1,
        "reset_in": 1,
        "latency_ms": 20,
    }
    ok = True
    with tempfile.TemporaryDirectory() as scratch:
        clean = _sandbox(Path(scratch), CHAOS_CONFIG)
        try:
            number = play(clean)
            _converge(clean)
            expected = end_state(clean, number)
        finally:
            clean.stop()
        for seed in range(1, seeds + 1):
            sb = _sandbox(Path(scratch), CHAOS_CONFIG)
            try:
                sb.faults.configure([rule], seed=seed)
                number = play(sb)
                hits = len(sb.faults.to_json()["history"])
                failed = sum(1 for r in sb.runs() if r["exit_code"] not in (0, None))
                _converge(sb)
                same = end_state(sb, number) == expected
                ok = ok and same
                print(
                    f"chaos seed {seed}: {hits} faults, {failed} red runs before converging; "
                    + ("same end state" if same else "DIFFERENT end state")
                )
            finally:
                sb.stop()
    return ok


def _converge(sb: TestSandbox) -> None:
    sb.faults.clear()
    sb.rerun_failed(sequential=True)
    sb.schedule()
    sb.wait_idle(300)


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
