"""`make mutants`: mutation testing of the modules that decide, with a score per module.

Why: a suite can pass with the closure gate's freshness check deleted. A mutant is
a one-token change (``>`` to ``>=``, ``and`` to ``or``, a string emptied); the
unit tests that reach the changed function must fail on it. mutmut (configured
in pyproject.toml's ``[tool.mutmut]``) records which unit tests call each function
and runs only those per mutant, so the whole target takes minutes on 2 cores.

This script picks the mutants (every function of each target module; for the
GitHub adapter only its create, look-up and retry path), runs mutmut, and prints
killed / total per module against the targets of issue 12: 90 % for ``rules/``
and the authority code, 80 % elsewhere. A survivor listed in
``tests/mutants-reviewed.txt`` (one line: id, then why it is equivalent or
harmless) is shown as reviewed, not as a kill. Exit 1 when a module misses its
target or a survivor is neither killed nor reviewed.

Usage: ``python tools/mutants.py [--children N] [--only MODULE ...] [--report-only] [-v]``;
``mutmut show ID`` shows one mutant's diff.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REVIEWED = ROOT / "tests" / "mutants-reviewed.txt"

# The adapter's create, look-up and retry path (functions and methods, mutmut's mangled names).
_ADAPTER_PATH = [
    "x__seconds",
    "x__classify",
    "x__server_now",
    "x__already_exists",
    "x__is_rate_limit",
    "xǁGitHubAdapterǁ_call",
    "xǁGitHubAdapterǁ_marked_issues",
    "xǁGitHubAdapterǁ_ensure_label",
    "xǁGitHubAdapterǁ_follow_up",
    "xǁGitHubAdapterǁ_own_comment",
    "xǁGitHubAdapterǁ_upsert_comment",
    "xǁGitHubAdapterǁ_open_follow_up",
]


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    meta: str
    goal: float
    functions: tuple[str, ...] = ()
    """Only these functions' mutants (all when empty)."""

    def patterns(self) -> list[str]:
        if not self.functions:
            return [f"{self.module}.*"]
        return [f"{self.module}.{f}__mutmut_*" for f in self.functions]

    def wants(self, key: str) -> bool:
        return any(fnmatch.fnmatchcase(key, p) for p in self.patterns())


TARGETS = [
    Target("rules/closure_gate", "warroom.rules.closure_gate", "rules/closure_gate.py", 0.90),
    Target("rules/clock", "warroom.rules.clock", "rules/clock.py", 0.90),
    Target("rules/hero_mode", "warroom.rules.hero_mode", "rules/hero_mode.py", 0.90),
    Target(
        "rules/decision_ladder", "warroom.rules.decision_ladder", "rules/decision_ladder.py", 0.90
    ),
    Target(
        "rules/confidence_ladder",
        "warroom.rules.confidence_ladder",
        "rules/confidence_ladder.py",
        0.90,
    ),
    Target("rules/contradiction", "warroom.rules.contradiction", "rules/contradiction.py", 0.90),
    Target("rules/timeline", "warroom.rules.timeline", "rules/timeline.py", 0.90),
    Target("rules/readiness", "warroom.rules.readiness", "rules/readiness.py", 0.90),
    Target("authority", "warroom.authority", "authority.py", 0.90),
    Target("incident", "warroom.incident", "incident.py", 0.80),
    Target("plan", "warroom.plan", "plan.py", 0.80),
    Target("markers", "warroom.markers", "markers.py", 0.80),
    Target("records/reading", "warroom.records.reading", "records/reading.py", 0.80),
    Target(
        "github/adapter (create, look-up, retry)",
        "warroom.github.adapter",
        "github/adapter.py",
        0.80,
        tuple(_ADAPTER_PATH),
    ),
]


KILLED = frozenset({1, 3, 36, 37, -24, 24, 152, 255})
"""mutmut's exit codes for a mutant the tests caught (failed, errored, timed out)."""
STATUS = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", None: "not run"}


def reviewed() -> dict[str, str]:
    """Mutant id -> why it may survive, from tests/mutants-reviewed.txt."""
    found: dict[str, str] = {}
    if not REVIEWED.exists():
        return found
    for line in REVIEWED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, why = line.partition(" ")
        found[key] = why.strip()
    return found


def results(target: Target) -> dict[str, int | None]:
    meta = ROOT / "mutants" / "src" / "warroom" / f"{target.meta}.meta"
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return {k: v for k, v in codes.items() if target.wants(k)}


def report(targets: list[Target], *, verbose: bool) -> int:
    notes = reviewed()
    failed = False
    print(f"{'module':42} {'killed':>7} {'total':>6} {'score':>7} {'goal':>5}  reviewed  open")
    for target in targets:
        codes = results(target)
        if not codes:
            print(f"{target.name:42} not run")
            failed = True
            continue
        killed = sum(1 for c in codes.values() if c in KILLED)
        # Survived, or no unit test reaches the function: either way no test notices it.
        survivors = sorted(k for k, c in codes.items() if c not in KILLED)
        open_ = [k for k in survivors if k not in notes]
        score = killed / len(codes)
        ok = score >= target.goal and not open_
        failed |= not ok
        flag = "" if ok else "  <- below goal or unreviewed"
        print(
            f"{target.name:42} {killed:7} {len(codes):6} {score:7.1%} {target.goal:5.0%}"
            f"  {len(survivors) - len(open_):8}  {len(open_):4}{flag}"
        )
        if verbose:
            for key in open_:
                print(f"    {STATUS.get(codes[key], codes[key])}, not reviewed: {key}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=[], help="module names, e.g. authority")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true", help="list open survivors")
    args = parser.parse_args()
    targets = [t for t in TARGETS if not args.only or t.name.split(" ")[0] in args.only]
    if not args.report_only:
        mutmut = Path(sys.executable).with_name("mutmut")
        patterns = [p for t in targets for p in t.patterns()]
        cmd = [str(mutmut), "run", "--max-children", str(args.children), *patterns]
        code = subprocess.run(cmd, cwd=ROOT, check=False).returncode
        if code != 0:
            print(f"mutmut run exited {code}", file=sys.stderr)
            return code
    return report(targets, verbose=args.verbose)


if __name__ == "__main__":
    sys.exit(main())
