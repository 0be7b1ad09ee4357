"""Benchmark: what `warroom report` costs in requests and time over 1,000 closed incidents.

The sandbox is seeded directly (no workflow runs) with I closed incidents spread
over a year, each as a team would have left it: the records to the gate (nine
people's comments), warroom's status comment, a reopen notice on every fifth
(a closure the gate undid) and two follow-up issues, half of them done. Then the
report reads them through the real adapter and PyGithub over HTTP, and prints
each format.

Goal, and why: the report must cost what its listings cost and nothing per
incident, so that a weekly report over a busy year fits in the workflow token's
1,000 requests an hour beside the Action's own runs. Every read is a listing of
100: ceil(I/100) + ceil(C/100) + ceil(F/100) pages for I incidents, C comments
and F follow-ups, plus the two listings of open issues (incidents and follow-ups),
the one GET that counts the repository's comments (it decides between one listing
and each incident's own) and one listing of collaborators: at most that many. Time is printed,
and held to a generous bound (60 s for I = 1,000 on a shared two-core machine)
only to catch a report that became quadratic.

    python bench/report.py                   # I = 1,000
    python bench/report.py --incidents 100   # a quick look

Exit status: 0 when every goal holds, 1 when one does not.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from warroom import story
from warroom.config import Config
from warroom.github.adapter import GitHubAdapter
from warroom.markers import marker
from warroom.report import metrics
from warroom.run_report import FORMATS, read
from warroom.sandbox import Sandbox

START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
SECONDS_GOAL_PER_THOUSAND = 60.0
TEAM = {
    story.COMMANDER: "write",
    story.DEPUTY: "maintain",
    story.MITIGATION: "write",
    story.VERIFICATION: "write",
    story.COMMS: "admin",
}
STATUS = "<!-- warroom:status:{n} -->\n## Incident status\n\n" + "A line of the status.\n" * 60
NOTICE = (
    "<!-- warroom:reopened:{n}.1 -->\nThis incident was reopened: it was closed before the "
    "closure gate was met.\n\n"
    "- **mitigation executed and verified with fresh rerun evidence** (none): post one\n"
    "- **communications timeline complete and reviewable** (none): post one\n"
)


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _follow_up(incident: int, index: int, due: str) -> str:
    return (
        f"{marker('follow-up', f'{incident}.1.{index}')}\n### Incident\n\n#{incident}\n\n"
        f"### Kind\n\nregression test\n\n### Owner\n\n@{story.VERIFICATION}\n\n"
        f"### Due date\n\n{due}\n\n### Acceptance criteria\n\nruns in CI\n"
    )


def seed(sb: Sandbox, incidents: int) -> tuple[int, int]:
    """I closed incidents over a year; returns (comments, follow-up issues) seeded."""
    comments = follow_ups = 0
    step = timedelta(hours=max(1, 365 * 24 // incidents))
    for i in range(incidents):
        start = START + i * step
        sb.set_clock(now=start, frozen=True)
        (number,) = sb.seed_issues(
            1,
            author=story.COMMANDER,
            labels=["incident"],
            title="[incident] 401s",
            body=_literal(story.incident_body(severity=("SEV-1", "SEV-2", "SEV-3")[i % 3])),
        )
        sb.seed_comments(number, 1, author=sb.bot_login, body=STATUS)
        sb.set_clock(now=start + timedelta(minutes=5), frozen=True)
        sb.seed_comments(number, 1, author=story.COMMANDER, body=_literal(story.snapshot(start)))
        posts = [
            (story.MITIGATION, story.decision(start, minute=20)),
            (story.VERIFICATION, story.verification(start, minute=25)),
            (story.VERIFICATION, story.auth_evidence(start)),
            (story.COMMS, story.stakeholder(start, next_in=120)),
            *story.follow_ups(),
            (story.COMMANDER, story.leadership(confidence="L3")),
            (story.COMMANDER, story.closure()),
        ]
        sb.set_clock(now=start + timedelta(minutes=25), frozen=True)
        for author, body in posts:
            sb.seed_comments(number, 1, author=author, body=_literal(body))
        comments += 2 + len(posts)
        if i % 5 == 0:
            sb.seed_comments(number, 1, author=sb.bot_login, body=NOTICE)
            comments += 1
        sb.set_clock(now=start + timedelta(minutes=40), frozen=True)
        for index, due in enumerate(("2025-06-01", "2026-06-01")):
            (child,) = sb.seed_issues(
                1,
                author=sb.bot_login,
                labels=["hardening"],
                title="[follow-up] a guardrail",
                body=_literal(_follow_up(number, index, due)),
            )
            follow_ups += 1
            if index == 0:
                _close(sb, child)
        _close(sb, number)
    return comments, follow_ups


def _close(sb: Sandbox, number: int) -> None:
    with sb.state.transaction() as tx:
        issue = sb.state.issues[number]
        issue.state, issue.state_reason = "closed", "completed"
        issue.closed_at = issue.updated_at = sb.state.now()
        tx.touch(issue)


def measure(incidents: int) -> bool:
    sb = Sandbox(
        users=TEAM,
        now=START,
        frozen=True,
        rate_limit=None,
        request_log_size=200_000,
    ).start()
    try:
        began = time.perf_counter()
        comments, follow_ups = seed(sb, incidents)
        print(
            f"  seeded I={incidents} closed incidents, C={comments} comments, "
            f"F={follow_ups} follow-ups in {time.perf_counter() - began:.1f}s"
        )
        config = Config()
        adapter = GitHubAdapter(
            api_url=sb.api_url, token=sb.bot_token, repository=sb.repo_full_name, api=config.api
        )
        after = max((r["seq"] for r in sb.requests()["requests"]), default=0)
        began = time.perf_counter()
        found = read(adapter, config)
        now = START + timedelta(days=400)
        report = metrics.build(found.incidents, found.follow_ups, config, now)
        texts = {name: render(report) for name, render in FORMATS.items()}
        seconds = time.perf_counter() - began
        made = sb.requests(after=after)
        requests = len(made["requests"])
    finally:
        sb.stop()
    pages = sum(math.ceil(n / 100) for n in (incidents, comments, follow_ups))
    goal = pages + 4
    overall = report.row(metrics.ALL, metrics.ALL)
    assert overall is not None
    print(f"  requests: {requests} ({', '.join(f'{k} {v}' for k, v in made['counts'].items())})")
    print(f"  time: {seconds:.1f}s to read, derive, count and print 4 formats")
    print(
        "  sizes: " + ", ".join(f"{name} {len(text) // 1024} KiB" for name, text in texts.items())
    )
    counted = (
        overall.incidents == overall.closed == overall.time_to_closure.count == incidents
        and overall.time_to_mitigation.count == incidents
        and overall.closures_blocked == math.ceil(incidents / 5)
        and (overall.follow_ups.done, overall.follow_ups.open) == (incidents, incidents)
    )
    bound = SECONDS_GOAL_PER_THOUSAND * max(1.0, incidents / 1000)
    print(
        f"  goal: requests <= {goal} (ceil(I/100)+ceil(C/100)+ceil(F/100)+4): "
        + ("holds" if requests <= goal else "MISSED")
    )
    print(f"  goal: time <= {bound:.0f}s: " + ("holds" if seconds <= bound else "MISSED"))
    print(
        f"  check: {overall.incidents} incidents, {overall.closed} closed, "
        f"{overall.time_to_mitigation.count} mitigated, {overall.closures_blocked} blocked "
        f"closures, follow-ups {overall.follow_ups.done} done {overall.follow_ups.open} open "
        + ("as seeded" if counted else "NOT as seeded")
    )
    return requests <= goal and seconds <= bound and counted


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=1000, help="closed incidents")
    args = parser.parse_args(argv)
    if args.incidents < 1:
        parser.error("--incidents must be at least 1")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    print("report requests and time, counted at the sandbox")
    return 0 if measure(args.incidents) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
