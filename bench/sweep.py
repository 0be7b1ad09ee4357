"""Benchmark: what the scheduled sweep costs in requests, without and with its memory.

Every ten minutes the schedule runs a sweep. Without a memory it reads every
open incident's comments, about I + 2 requests for I incidents: 150 incidents
cost 918 of the workflow token's 1,000 requests an hour. With its memory
(``WARROOM_STATE_DIR``) a repeat sweep in which nothing changed and nothing
fell due must cost at most 2 * ceil(I/100) + 2 requests and no write (issue 7).

For each I the sandbox is seeded with I incidents filed three hours earlier,
and a first sweep brings them up to date (labels, status comments, reminders:
the "bootstrap" line). Then, ten minutes apart as on the schedule and with the
memory removed, a first sweep reads everything as a sweep without a memory
would, and a repeat sweep runs with the memory the first one left.
Requests and writes are counted at the sandbox, per run, so the numbers do not
depend on the machine; they go here rather than in the suite only because
seeding hundreds of incidents takes a while (the suite checks I = 3).

    python bench/sweep.py                  # I = 50, 150, 300
    python bench/sweep.py --incidents 20   # a quick look

Exit status: 0 when every repeat sweep meets the goal, 1 when one does not,
2 when a sweep failed.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from warroom import story
from warroom.sandbox import Sandbox

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
CONFIG = "api:\n  seconds_between_writes: 0\n  max_writes: 100000\n"
"""No pause between writes on the sandbox, and room for the bootstrap's writes."""


def goal(incidents: int) -> int:
    return 2 * math.ceil(incidents / 100) + 2


class Failed(Exception):
    """A sweep did not exit 0."""


def sweep(sb: Sandbox) -> tuple[int, int]:
    """Run one scheduled sweep; (requests, writes) it made."""
    before = len(sb.runs())
    sb.schedule()
    if not sb.wait_idle(1800):
        raise Failed("the sweep did not finish in 30 minutes")
    (run,) = sb.runs()[before:]
    if run["exit_code"] != 0:
        raise Failed(f"the sweep exited {run['exit_code']}: {run['stdout']}{run['stderr']}")
    rows: list[dict[str, Any]] = sb.requests(run_id=run["id"])["requests"]
    return len(rows), sum(1 for r in rows if r["method"] in WRITES)


def measure(incidents: int, workdir: Path) -> dict[str, tuple[int, int]]:
    """Bootstrap, first and repeat sweeps over ``incidents`` open incidents."""
    state = workdir / f"state-{incidents}"
    config = workdir / "warroom.yml"
    config.write_text(CONFIG, encoding="utf-8")
    sb = Sandbox(
        dispatch=[sys.executable, "-m", "warroom", "action"],
        env={"WARROOM_CONFIG": str(config), "WARROOM_STATE_DIR": str(state)},
        users={story.COMMANDER: "write", story.DEPUTY: "maintain"},
        now=START,
        frozen=True,
        rate_limit=None,
        request_log_size=200_000,
        run_timeout=1800,
    ).start()
    try:
        sb.seed_issues(
            incidents,
            author=story.COMMANDER,
            labels=["incident"],
            title="[incident] 401s on every authenticated call ({n})",
            body=story.incident_body().replace("{", "{{").replace("}", "}}"),
        )
        # Filed three hours ago: by now every reminder is out, and nothing more falls due
        # in the next twenty minutes. Sweeps follow ten minutes apart, as on the schedule.
        sb.set_clock(now=START + timedelta(hours=3), frozen=True)
        found = {"bootstrap": sweep(sb)}
        for path in state.glob("*.json"):
            path.unlink()  # the first sweep below starts without a memory
        sb.set_clock(now=START + timedelta(hours=3, minutes=10), frozen=True)
        found["first"] = sweep(sb)
        sb.set_clock(now=START + timedelta(hours=3, minutes=20), frozen=True)
        found["repeat"] = sweep(sb)
        return found
    finally:
        sb.stop()


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--incidents", type=int, nargs="+", default=[50, 150, 300], help="open incidents"
    )
    args = parser.parse_args(argv)
    if min(args.incidents) < 1:
        parser.error("--incidents must be at least 1")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    met = True
    print("sweep requests and writes per run, counted at the sandbox")
    with tempfile.TemporaryDirectory(prefix="warroom-bench-sweep-") as tmp:
        for incidents in args.incidents:
            try:
                found = measure(incidents, Path(tmp))
            except Failed as exc:
                print(f"  I={incidents}: {exc}", file=sys.stderr)
                return 2
            requests, writes = found["repeat"]
            ok = requests <= goal(incidents) and writes == 0
            met = met and ok
            print(f"  I={incidents}")
            for name in ("bootstrap", "first", "repeat"):
                print(f"    {name:<9} {found[name][0]:5} requests {found[name][1]:5} writes")
            print(
                f"    goal: repeat <= {goal(incidents)} requests (2*ceil(I/100)+2) and 0 writes: "
                + ("holds" if ok else "MISSED")
            )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
