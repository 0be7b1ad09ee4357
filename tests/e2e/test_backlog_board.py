"""Follow-ups where the team keeps its backlog: a GitHub Project, and a backlog repository.

Played end to end: the sandbox runs ``warroom action`` for each event, the
follow-up record opens its issue, and the run puts it on the project (GraphQL,
judged against GitHub's schema by ``fidelity``) with Owner, Due date and Incident
set and a Status that follows the issue when it closes and reopens. A rerun
reads and writes nothing new on the board; the GraphQL requests each run may
spend are counted at the sandbox.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.action_support import FAST, MakeSandbox, dispatching_sandbox, settle
from tests.e2e.conftest import TestSandbox
from warroom import story
from warroom.config import Api
from warroom.effects import PlaceOnBoard
from warroom.github import projects
from warroom.github.adapter import GitHubAdapter
from warroom.sandbox.observe import Exchange

BOARD = "follow_ups:\n  project:\n    number: 7\n"
RECORD = story.follow_up(
    title="Replay old tokens in CI",
    kind="regression test",
    owner=story.VERIFICATION,
    due="2026-12-05",
)


def _sandbox(make_sandbox: MakeSandbox, tmp_path: Path, config: str, **options: Any) -> TestSandbox:
    sb = dispatching_sandbox(make_sandbox, tmp_path, FAST + config, **options)
    # The backlog token: a person's token with Projects read/write (here the org's admin).
    sb.set_run_env(WARROOM_BACKLOG_TOKEN=sb.token_for_level("admin"))
    sb.seed_project(7)
    return sb


def _incident(sb: TestSandbox) -> int:
    (number,) = sb.seed_issues(
        1,
        author=story.COMMANDER,
        labels=["incident"],
        title="[incident] 401s on every authenticated call",
        body=story.incident_body().replace("{", "{{").replace("}", "}}"),
    )
    return number


def _act(sb: TestSandbox, act: Any) -> list[dict[str, Any]]:
    """Do ``act``; the runs it started, each finished."""
    before = len(settle(sb))
    act()
    return settle(sb)[before:]


class _GraphQL:
    """Every GraphQL request the sandbox answers, as ``query`` or the mutation's name."""

    def __init__(self, sb: TestSandbox) -> None:
        self.seen: list[str] = []
        sb.add_exchange_listener(self._observe)

    def _observe(self, exchange: Exchange) -> None:
        if exchange.operation_id != "graphql":
            return
        text = str((exchange.request_body or {}).get("query", ""))
        self.seen.append(
            next(
                (m for m in ("addProjectV2ItemById", "updateProjectV2ItemFieldValue") if m in text),
                "query",
            )
        )

    def since(self, mark: int) -> list[str]:
        return self.seen[mark:]


def _on_board(sb: TestSandbox, repo: str = "service") -> dict[int, dict[str, str]]:
    """Follow-up number -> its field values on project 7, by field name."""
    issues = sb.github().get_repo(f"acme/{repo}").get_issues(state="all")
    numbers = {i.node_id: i.number for i in issues}
    (project,) = [p for p in sb.board.snapshot() if p["number"] == 7]
    return {numbers[item["content"]]: item["values"] for item in project["items"]}


def test_follow_ups_land_on_the_project_and_their_status_follows_the_issue(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = _sandbox(make_sandbox, tmp_path, BOARD)
    graphql = _GraphQL(sb)
    number = _incident(sb)
    start = len(graphql.seen)

    (run,) = _act(sb, lambda: sb.repo(story.VERIFICATION).get_issue(number).create_comment(RECORD))

    assert run["exit_code"] == 0, run["stdout"] + run["stderr"]
    (follow_up,) = sb.repo().get_issues(state="all", labels=["hardening"])
    assert _on_board(sb) == {
        follow_up.number: {
            "Owner": story.VERIFICATION,
            "Incident": f"acme/service#{number}",
            "Due date": "2026-12-05",
            "Status": "Todo",
        }
    }
    # Budget: the project once, the follow-ups once, then one add and one write per field.
    assert (
        graphql.since(start)
        == ["query", "query", "addProjectV2ItemById"] + ["updateProjectV2ItemFieldValue"] * 4
    )

    # A rerun of the same event reads the board and writes nothing on it.
    start = len(graphql.seen)
    (delivery,) = [d for d in sb.deliveries() if d["run_id"] == run["id"]]
    (again,) = _act(sb, lambda: sb.deliver(delivery["event"], delivery["payload"]))
    assert again["exit_code"] == 0, again["stdout"] + again["stderr"]
    assert graphql.since(start) == ["query", "query"]
    assert len(list(sb.repo().get_issues(state="all", labels=["hardening"]))) == 1

    # The owner closes the follow-up: its own event's run moves it to Done, one write.
    start = len(graphql.seen)
    _act(sb, lambda: sb.repo(story.VERIFICATION).get_issue(follow_up.number).edit(state="closed"))
    assert _on_board(sb)[follow_up.number]["Status"] == "Done"
    assert graphql.since(start) == ["query", "query", "updateProjectV2ItemFieldValue"]

    # Reopened: back to Todo.
    _act(sb, lambda: sb.repo(story.VERIFICATION).get_issue(follow_up.number).edit(state="open"))
    assert _on_board(sb)[follow_up.number]["Status"] == "Todo"


def test_follow_ups_are_filed_in_the_backlog_repository_as_sub_issues(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = _sandbox(
        make_sandbox,
        tmp_path,
        BOARD + "  repository: backlog\n",
        repositories=("backlog",),
    )
    graphql = _GraphQL(sb)
    number = _incident(sb)
    comment = lambda: sb.repo(story.VERIFICATION).get_issue(number).create_comment(RECORD)  # noqa: E731

    (run,) = _act(sb, comment)

    assert run["exit_code"] == 0, run["stdout"] + run["stderr"]
    backlog = sb.github().get_repo("acme/backlog")
    (follow_up,) = backlog.get_issues(state="all", labels=["hardening"])
    assert f"#{number}" in (follow_up.body or "")
    assert list(sb.repo().get_issues(state="all", labels=["hardening"])) == []
    (sub,) = sb.repo().get_issue(number).get_sub_issues()
    assert (sub.id, sub.repository_url) == (follow_up.id, backlog.url)
    assert _on_board(sb, "backlog")[follow_up.number]["Status"] == "Todo"

    # Closed in the backlog repository: no event reaches the incident's workflow, so the
    # sweep puts the board in step: the project and one page of items read, one write.
    (first,) = _act(sb, sb.schedule)  # the sweep's memory: the incident is read, then not
    assert first["exit_code"] == 0, first["stdout"] + first["stderr"]
    backlog.get_issue(follow_up.number).edit(state="closed")
    start = len(graphql.seen)
    (sweep,) = _act(sb, sb.schedule)
    assert sweep["exit_code"] == 0, sweep["stdout"] + sweep["stderr"]
    assert _on_board(sb, "backlog")[follow_up.number]["Status"] == "Done"
    assert graphql.since(start) == ["query", "query", "updateProjectV2ItemFieldValue"]

    # A quiet sweep reads the same and writes nothing.
    start = len(graphql.seen)
    (quiet,) = _act(sb, sb.schedule)
    assert quiet["exit_code"] == 0, quiet["stdout"] + quiet["stderr"]
    assert graphql.since(start) == ["query", "query"]

    # A rerun of the record's run files nothing twice and links nothing twice.
    (delivery,) = [d for d in sb.deliveries() if d["run_id"] == run["id"]]
    (again,) = _act(sb, lambda: sb.deliver(delivery["event"], delivery["payload"]))
    assert again["exit_code"] == 0, again["stdout"] + again["stderr"]
    assert len(list(backlog.get_issues(state="all", labels=["hardening"]))) == 1
    assert len(list(sb.repo().get_issue(number).get_sub_issues())) == 1
    assert _on_board(sb, "backlog")[follow_up.number]["Status"] == "Done"


def test_a_project_the_token_cannot_reach_fails_the_run_with_what_to_do(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = _sandbox(make_sandbox, tmp_path, BOARD)
    sb.set_run_env(WARROOM_BACKLOG_TOKEN="")  # the workflow's own token only
    number = _incident(sb)

    (run,) = _act(sb, lambda: sb.repo(story.VERIFICATION).get_issue(number).create_comment(RECORD))

    assert run["exit_code"] == 1
    assert "Resource not accessible by integration" in run["stdout"]
    assert "backlog-token" in run["stdout"]
    # The follow-up and the status comment were written before the board was tried.
    assert len(list(sb.repo().get_issues(state="all", labels=["hardening"]))) == 1
    assert sb.board.snapshot()[0]["items"] == []


def test_a_failed_graphql_request_is_retried_and_a_retried_add_adds_once(
    sandbox: TestSandbox,
) -> None:
    sandbox.seed_project(7)
    issue = sandbox.repo().create_issue("A follow-up")
    adapter = GitHubAdapter(
        api_url=sandbox.api_url,
        token=sandbox.bot_token,
        repository=sandbox.repo_full_name,
        api=Api(seconds_between_writes=0, retry_seconds=20),
        sleep=lambda _: None,
        backlog_token=sandbox.token_for_level("admin"),
    )
    graphql = _GraphQL(sandbox)
    project = sandbox.board.projects[0]

    # The add is carried out, then GitHub answers 502: the retry gets the same item back.
    sandbox.faults.add("applied-502", operation_id="graphql")
    data = adapter._graphql(
        "add", projects.ADD_ITEM, {"project": project.id, "content": issue.node_id}, write=True
    )
    assert data["data"]["addProjectV2ItemById"]["item"]["id"] == project.items[0].id
    assert len(project.items) == 1
    assert graphql.since(0) == ["addProjectV2ItemById"] * 2

    # Two 502s on a read: retried on the same path, and the run's work still gets done.
    sandbox.faults.add("502", operation_id="graphql", times=2)
    effect = PlaceOnBoard(
        incident=1,
        number=issue.number,
        project=7,
        owner=None,
        owner_type="organization",
        texts=(("Owner", "owner_field", "ana"),),
        dates=(),
        status_field="Status",
        status_open="Todo",
        status_done="Done",
    )
    report = adapter.apply([effect])
    assert report.applied == [
        f"#{issue.number}: project Owner set",
        f"#{issue.number}: project Status set",
    ]
    assert graphql.since(2)[:4] == ["query"] * 4  # the project query, twice refused, then the read
