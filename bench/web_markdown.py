"""Benchmark: does the web view render one comment at GitHub's 65,536-character limit in 500 ms?

A page renders every comment on the issue, and anyone who may comment can post
a hostile body, so one comment must never hold a page up: cmarkgfm is linear,
and the sanitiser after it must be too (the standard library's ``html.parser``
took 79 s on ``<a\\n`` repeated, which is why the web view has its own
tokenizer). Each shape is a raw-HTML construct left unfinished many times over,
inside and outside an HTML block, plus the hostile families the adversarial
tests read (``tests/support/hostile.py``). The slowest is 65,536 ``>``: cmarkgfm
makes 1.7 MB of nested ``<blockquote>`` of it, which the sanitiser reads once and
cuts at 64 levels; a page keeps what it rendered, so that is paid once per
comment text. Timings live here, not in the suite.

    python bench/web_markdown.py            # every shape, best of 5 runs
    python bench/web_markdown.py --runs 3

Exit status: 0 when every shape meets the goal, 1 when one does not.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the hostile families live with the tests that assert them

from tests.support.hostile import LIMIT, bodies  # noqa: E402
from timing import best_ms, shown  # noqa: E402

from warroom.sandbox.web import markdown  # noqa: E402

GOAL_MS = 500.0
UNITS = (
    "<!--",
    "<!-- ",
    "<![CDATA[",
    "<![",
    "<?",
    "<!",
    "</",
    "</a ",
    "<a b='",
    '<a b="',
    "<a\n",
    "<x:y ",
    "<a/",
    "&#x",
    "<details>",
    "<b>",
    "|a",
    "- [ ] ",
    "```mermaid\n",
    "[x](javascript:",
)


def shapes() -> dict[str, str]:
    found: dict[str, str] = {}
    for unit in UNITS:
        run = unit * (LIMIT // len(unit) + 1)
        found[f"{unit!r} x N"] = run[:LIMIT]
        found[f"html block + {unit!r} x N"] = ("<div>\n" + run)[:LIMIT]
    for body in bodies():
        found[f"{body.family}/{body.name}"] = body.text
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per body; the best counts")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a body stops")
    args = parser.parse_args()
    if not markdown.available():
        print("cmarkgfm is not installed: pip install 'warroom[drill]'")
        return 1
    slow = []
    print(f"{'shape':48} {'cpu':>8} {'wall':>8} {'goal':>5}   (ms)")
    for name, text in shapes().items():
        # render() keeps its results; time the work itself, every run.
        uncached = markdown.render.__wrapped__
        cpu, wall = best_ms(partial(uncached, text), args.runs, args.timeout)
        late = cpu > GOAL_MS
        print(
            f"{name[:48]:48} {shown(cpu, args.timeout)} {shown(wall, args.timeout)} "
            f"{GOAL_MS:5.0f}{'  SLOW' if late else ''}"
        )
        if late:
            slow.append(name)
    if slow:
        print(f"over {GOAL_MS:.0f} ms: {', '.join(slow)}")
        return 1
    print(f"all under {GOAL_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
