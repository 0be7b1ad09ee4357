"""Benchmark: does the sandbox stay responsive with 100 clients and 10,000 issues x 50 comments?

The goal (issue 3) is that listing a page stays under 50 ms on this machine;
here it is read as "p95 latency of a page, as 100 concurrent clients see it".
Timings live here, not in the test suite, because they depend on the machine.

The sandbox runs in a child process, seeded through ``Sandbox.seed_issues``
(no HTTP, no webhooks), so the clients' threads do not share its interpreter
lock. Each of the clients makes a bounded number of plain ``urllib`` requests
to 127.0.0.1 (proxies disabled), picking random pages; a deadline stops
everything regardless. A single-client run first gives the unloaded cost of a
page, to tell the server's own work from queueing.

Two more runs put the goal's number in context, and neither changes the
verdict: the same clients against a server that does no work at all (a bare
``http.server`` answering the same number of bytes; "floor"), which is the
best this client and this machine can measure, and the same clients paced
like PyGithub's default (0.25 s between requests) instead of back to back.

    python bench/run.py                      # the goal's numbers
    python bench/run.py --pause 0.25         # clients paced like PyGithub's default
    python bench/run.py --issues 1000 --comments 5 --clients 10 --requests 5   # a quick look

Exit status: 0 when every scenario meets the goal under load (100 clients
back to back), 1 when one does not, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import multiprocessing
import random
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import ProxyHandler, Request, build_opener

GOAL_MS = 50.0
LOOPBACK = "127.0.0.1"
REPO = "/repos/acme/service"
PYGITHUB_PAUSE = 0.25
"""PyGithub's default ``seconds_between_requests``."""


def serve(conn: Connection, issues: int, comments: int, lifetime: float) -> None:
    """Child process: seed, serve on loopback, report where, and stop when told (or at lifetime)."""
    from warroom.sandbox import Sandbox

    sandbox = Sandbox(rate_limit=None, request_log_size=1000)
    started = time.perf_counter()
    sandbox.seed_issues(issues, comments_per_issue=comments)
    seeded = time.perf_counter() - started
    sandbox.start()
    try:
        conn.send({"api_url": sandbox.api_url, "token": sandbox.tokens["admin"], "seed_s": seeded})
        conn.poll(lifetime)
    finally:
        sandbox.stop()


def serve_nothing(conn: Connection, lifetime: float) -> None:
    """Child process: the floor. Answers ``GET /<n>`` with n bytes at once and does nothing else.

    The same stdlib server the sandbox is built on (thread per connection,
    HTTP/1.1, no Nagle), so the clients meet the same accept queue, threads
    and interpreter lock, only without any work behind them.
    """
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Nothing(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            data = b"x" * int(self.path.strip("/") or 0)
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    server = Server((LOOPBACK, 0), Nothing)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        conn.send({"api_url": f"http://{LOOPBACK}:{server.server_address[1]}"})
        conn.poll(lifetime)
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Scenario:
    """One kind of page request; ``path`` picks a random page of it."""

    name: str
    path: Callable[[random.Random], str]


@dataclass
class Result:
    scenario: str
    clients: int
    latencies_ms: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0

    def percentile(self, p: int) -> float:
        """The p-th percentile in ms (100 is the maximum); NaN when nothing answered."""
        if not self.latencies_ms:
            return math.nan
        if p >= 100 or len(self.latencies_ms) < 2:
            return max(self.latencies_ms)
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]

    def line(self, label: str = "") -> str:
        done = len(self.latencies_ms)
        rate = done / self.wall_s if self.wall_s else 0.0
        failed = ", ".join(f"{k}x{v}" for k, v in sorted(self.failures.items())) or "none"
        return (
            f"{label or self.scenario:<14} clients={self.clients:<4} requests={done:<6} "
            f"p50={self.percentile(50):7.1f} ms  p95={self.percentile(95):7.1f} ms  "
            f"p99={self.percentile(99):7.1f} ms  max={self.percentile(100):7.1f} ms  "
            f"{rate:6.0f} req/s  failures: {failed}"
        )


def measure(
    api_url: str,
    token: str,
    scenario: Scenario,
    clients: int,
    requests_per_client: int,
    deadline: float,
    pause: float = 0.0,
) -> Result:
    """Run ``clients`` threads, each making ``requests_per_client`` requests, released together.

    With ``pause`` 0 each client sends its next request as soon as it has the
    answer (a closed loop: the latency includes all the queueing the server
    allows); otherwise it waits a random 0..2x``pause`` seconds in between.
    """
    result = Result(scenario.name, clients)
    lock = threading.Lock()
    gate = threading.Barrier(clients + 1)
    headers = {"Authorization": f"token {token}", "Accept": "application/vnd.github+json"}

    def client(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - picks pages, guards nothing
        opener = build_opener(ProxyHandler({}))  # never via a proxy: loopback only
        gate.wait()
        for _ in range(requests_per_client):
            if time.monotonic() > deadline:
                with lock:
                    result.failures["deadline"] += 1
                return
            url = api_url + scenario.path(rng)
            began = time.perf_counter()
            try:
                request = Request(url, headers=headers)  # noqa: S310 - http://127.0.0.1 only
                with opener.open(request, timeout=30) as answer:
                    size = len(answer.read())
                    status = answer.status
            except HTTPError as error:
                status, size = error.code, 0
            except OSError as error:
                with lock:
                    result.failures[type(error).__name__] += 1
                continue
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                result.latencies_ms.append(elapsed)
                result.sizes.append(size)
                if status != 200:
                    result.failures[str(status)] += 1
            if pause:
                time.sleep(rng.uniform(0, 2 * pause))

    threads = [
        threading.Thread(target=client, args=(seed,), daemon=True) for seed in range(clients)
    ]
    for thread in threads:
        thread.start()
    gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + 35)
    result.wall_s = time.perf_counter() - began
    return result


def scenarios(issues: int, comments: int, per_page: int) -> list[Scenario]:
    issue_pages = max(1, math.ceil(issues / per_page))
    comment_pages = max(1, math.ceil(comments / per_page))
    return [
        Scenario(
            "list-issues",
            lambda rng: (
                f"{REPO}/issues?state=open&per_page={per_page}&page={rng.randint(1, issue_pages)}"
            ),
        ),
        Scenario(
            "list-comments",
            lambda rng: (
                f"{REPO}/issues/{rng.randint(1, issues)}/comments?per_page={per_page}"
                f"&page={rng.randint(1, comment_pages)}"
            ),
        ),
    ]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=50, help="comments per issue")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--requests", type=int, default=20, help="requests per client")
    parser.add_argument("--per-page", type=int, default=30)
    parser.add_argument("--baseline", type=int, default=100, help="single-client requests")
    parser.add_argument(
        "--pause", type=float, default=0.0, help="mean seconds a client waits between requests"
    )
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds for everything")
    args = parser.parse_args(argv)
    if min(args.issues, args.clients, args.requests, args.per_page, args.baseline) < 1:
        parser.error("--issues, --clients, --requests, --per-page and --baseline must be >= 1")
    if args.comments < 0 or args.pause < 0:
        parser.error("--comments and --pause cannot be negative")
    return args


def start_child(
    context: Any, target: Callable[..., None], args: tuple[Any, ...], name: str, deadline: float
) -> tuple[Any, Connection, dict[str, Any] | None]:
    """Start a server process; its ready message, or ``None`` if it did not start in time."""
    ours, theirs = context.Pipe()
    process = context.Process(target=target, args=(theirs, *args), daemon=True, name=name)
    process.start()
    if not ours.poll(max(1.0, deadline - time.monotonic())):
        return process, ours, None
    ready: dict[str, Any] = ours.recv()
    if urlsplit(ready["api_url"]).hostname != LOOPBACK:
        print(f"refusing to load anything but {LOOPBACK}: {ready['api_url']}", file=sys.stderr)
        return process, ours, None
    return process, ours, ready


def stop_child(process: Any, conn: Connection) -> None:
    with contextlib.suppress(OSError):
        conn.send("stop")
    process.join(30)
    if process.is_alive():
        process.terminate()
        process.join(5)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    deadline = time.monotonic() + args.deadline
    context = multiprocessing.get_context("spawn")
    children: list[tuple[Any, Connection]] = []
    try:
        process, conn, ready = start_child(
            context,
            serve,
            (args.issues, args.comments, args.deadline + 60),
            "warroom-bench-sandbox",
            deadline,
        )
        children.append((process, conn))
        process, conn, nothing = start_child(
            context, serve_nothing, (args.deadline + 60,), "warroom-bench-floor", deadline
        )
        children.append((process, conn))
        if ready is None or nothing is None:
            print("a server did not start before the deadline", file=sys.stderr)
            return 2
        print(
            f"seeded {args.issues:,} issues x {args.comments} comments "
            f"({args.issues * args.comments:,} comments) in {ready['seed_s']:.1f} s; "
            f"pages of {args.per_page}"
        )
        met = True
        for scenario in scenarios(args.issues, args.comments, args.per_page):
            api, token = ready["api_url"], ready["token"]
            alone = measure(api, token, scenario, 1, args.baseline, deadline)
            loaded = measure(
                api, token, scenario, args.clients, args.requests, deadline, args.pause
            )
            print(alone.line())
            print(loaded.line())
            held = [f"1 client p95 {alone.percentile(95):.1f} ms"] if _ok(alone) else []
            if not args.pause:
                paced = measure(
                    api, token, scenario, args.clients, args.requests, deadline, PYGITHUB_PAUSE
                )
                print(paced.line("  paced") + f"  ({PYGITHUB_PAUSE:g} s mean pause, as PyGithub)")
                if _ok(paced):
                    p95 = paced.percentile(95)
                    held.append(f"{args.clients} clients paced as PyGithub p95 {p95:.1f} ms")
            size = int(statistics.median(loaded.sizes)) if loaded.sizes else 0
            floor = measure(
                nothing["api_url"],
                token,
                Scenario("floor", _always(f"/{size}")),
                args.clients,
                args.requests,
                deadline,
                args.pause,
            )
            print(floor.line("  floor") + f"  (a server doing no work, {size:,}-byte answers)")
            ok = _ok(loaded)
            met = met and ok
            print(
                f"  goal p95 < {GOAL_MS:.0f} ms with {args.clients} clients: "
                + ("holds" if ok else "MISSED")
                + ("" if not loaded.failures else " (some requests failed)")
                + f"; the floor's own p95 is {floor.percentile(95):.1f} ms"
            )
            print(f"  under {GOAL_MS:.0f} ms: " + ("; ".join(held) or "nothing"))
        return 0 if met else 1
    finally:
        for process, conn in children:
            stop_child(process, conn)


def _always(path: str) -> Callable[[random.Random], str]:
    return lambda _rng: path


def _ok(result: Result) -> bool:
    return result.percentile(95) < GOAL_MS and not result.failures


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
