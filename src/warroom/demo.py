"""``warroom demo``: a whole SEV-1 incident, played against the local sandbox.

The sandbox runs ``warroom action`` for every event, exactly as a workflow
would, while this script acts as the response team through PyGithub. It is a
shell program (it starts servers and prints); nothing in the core imports it.
"""

from __future__ import annotations

import secrets
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from github import Github

from warroom import sandbox_people, story
from warroom.errors import WarroomError
from warroom.markers import read_marker
from warroom.sandbox import Sandbox

START = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
TEAM = {
    story.COMMANDER: "write",
    story.DEPUTY: "write",
    story.MITIGATION: "write",
    story.VERIFICATION: "write",
    story.COMMS: "write",
}


@dataclass
class Demo:
    """The team's hands on the sandbox, and what the bot answered."""

    sandbox: Sandbox
    echo: Callable[[str], None]
    number: int = 0
    seen_runs: int = 0
    package: str = ""
    """The closure review package as posted at the end (for its golden file)."""

    def client(self, login: str) -> Github:
        return sandbox_people.client(self.sandbox.api_url, self.sandbox.tokens[login])

    def repo(self, login: str) -> Any:
        return self.client(login).get_repo(self.sandbox.repo_full_name)

    def at(self, minutes: int) -> None:
        self.sandbox.set_clock(now=START + timedelta(minutes=minutes), frozen=True)

    def settle(self) -> list[dict[str, Any]]:
        """Wait for the workflow runs the last step started; report each one."""
        if not self.sandbox.wait_idle(120):
            raise WarroomError("the sandbox's workflow runs did not finish within 120 s")
        runs = self.sandbox.runs()[self.seen_runs :]
        self.seen_runs += len(runs)
        for run in runs:
            verdict = "ok" if run.get("exit_code") == 0 else f"FAILED (exit {run.get('exit_code')})"
            self.echo(f"    ↳ workflow run for {run.get('event')}.{run.get('action')}: {verdict}")
            for line in str(run.get("stdout", "")).splitlines():
                if line.startswith("::error::"):
                    self.echo(f"      error annotation: {line[len('::error::') :][:300]}")
        return runs

    def step(self, title: str) -> None:
        self.echo("")
        self.echo(f"▶ {title}")

    def comment(self, login: str, body: str) -> Any:
        issue = self.repo(login).get_issue(self.number)
        created = issue.create_comment(body)
        self.settle()
        return created

    def bot_reply_to(self, comment_id: int) -> str | None:
        issue = self.repo(story.COMMANDER).get_issue(self.number)
        for comment in issue.get_comments():
            if comment.body.startswith(f"<!-- warroom:reply:{comment_id} -->"):
                return str(comment.body)
        return None

    def show_state(self) -> None:
        issue = self.repo(story.COMMANDER).get_issue(self.number)
        labels = ", ".join(sorted(label.name for label in issue.labels))
        self.echo(f"    issue #{issue.number} is {issue.state}; labels: {labels}")
        status = next(
            (
                c.body
                for c in issue.get_comments()
                if read_marker(c.body) == ("status", str(self.number))
            ),
            "",
        )
        for line in status.splitlines():
            if line.startswith("- [ ] ") and ":" in line and "To meet it" in line:
                self.echo(f"    gate ✗ {line[6:].split('. **To meet it:**')[0]}")

    def show_package(self) -> None:
        """Where the closure review package is, and its sections, as posted on the incident."""
        issue = self.repo(story.COMMANDER).get_issue(self.number)
        found = [
            c for c in issue.get_comments() if read_marker(c.body) == ("package", str(self.number))
        ]
        if len(found) != 1:
            self.echo(f"    closure review package: {len(found)} comment(s), expected one")
            return
        self.package = str(found[0].body)
        self.echo(f"    closure review package posted on #{self.number}: {found[0].html_url}")
        for line in self.package.splitlines():
            if line.startswith("### "):
                self.echo(f"      {line.removeprefix('### ')}")


def play(
    echo: Callable[[str], None],
    *,
    keep: bool = False,
    done: Callable[[Demo], None] | None = None,
) -> int:
    """Play the incident; with ``keep``, leave the sandbox running for a person to carry on.

    ``done`` sees the played demo (its sandbox still up) before anything is torn down.
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="warroom-demo-") as scratch:
        config = Path(scratch) / "warroom.yml"
        config.write_text(sandbox_people.SANDBOX_CONFIG, encoding="utf-8")
        sandbox = Sandbox(
            dispatch=[sys.executable, "-m", "warroom", "action"],
            env={"WARROOM_CONFIG": str(config), "WARROOM_STATE_KEY": secrets.token_hex(16)},
            users=TEAM,
            now=START,
            frozen=True,
        )
        with sandbox:
            demo = Demo(sandbox, echo)
            _script(demo)
            if done is not None:
                done(demo)
            echo("")
            echo(
                f"Done in {time.monotonic() - started:.1f} s of wall time for 3 hours of incident."
            )
            if keep:
                _keep(sandbox, echo, demo.number)
            else:
                _where_to_look(echo, sandbox.repo_full_name, demo.number)
    return 0


def _script(demo: Demo) -> None:
    echo, s = demo.echo, START
    echo(f"warroom demo: a SEV-1 auth incident on a local GitHub at {demo.sandbox.api_url}")

    # The repository's history before the incident: the last good release, then the bad deploy.
    demo.at(-24 * 60)
    demo.sandbox.add_commit(
        "Release 2026.11.27",
        ["services/auth/gateway.py"],
        user=story.MITIGATION,
        sha=story.KNOWN_GOOD_SHA,
        tags=["v2026.11.27"],
    )
    demo.at(-30)
    demo.sandbox.add_commit(
        "Enforce the strict token audience in the auth gateway",
        list(story.ROLLBACK_FILES),
        user=story.MITIGATION,
        sha=story.BAD_DEPLOY_SHA,
    )

    demo.step(f"14:00 @{story.COMMANDER} files the incident from the issue form")
    demo.at(0)
    issue = demo.repo(story.COMMANDER).create_issue(
        title="[incident] 401s on every authenticated API call",
        body=story.incident_body(),
        labels=["incident"],
    )
    demo.number = issue.number
    demo.settle()
    demo.show_state()

    demo.step(f"14:08 @{story.COMMANDER} posts the Incident Command Snapshot")
    demo.at(8)
    demo.comment(story.COMMANDER, story.snapshot(s, phase="containment", next_in=30))
    demo.show_state()

    demo.step(f"14:20 @{story.MITIGATION} posts a decision record with a typo in Decision")
    demo.at(20)
    bad = story.decision(s, minute=20).replace("- Decision: rollback", "- Decision: roll it back")
    posted = demo.comment(story.MITIGATION, bad)
    reply = demo.bot_reply_to(posted.id) or "(no reply)"
    for line in reply.splitlines()[1:]:
        if line.strip():
            echo(f"    bot: {line}")

    demo.step(f"14:22 @{story.MITIGATION} fixes it by editing the comment")
    demo.at(22)
    posted.edit(story.decision(s, minute=20))
    demo.settle()
    echo(f"    bot reply {'still there' if demo.bot_reply_to(posted.id) else 'removed'}")
    demo.show_state()

    demo.step(f"14:30 @{story.MITIGATION} ships the rollback as a pull request for the incident")
    demo.at(30)
    pull = demo.sandbox.open_pull(
        title="Roll back the strict token audience check",
        head=story.ROLLBACK_BRANCH,
        files=list(story.ROLLBACK_FILES),
        body=f"Incident: #{demo.number}\n\nReverts the audience check of the bad deploy.",
        user=story.MITIGATION,
    )
    demo.settle()
    demo.sandbox.change_pull(pull["number"], state="closed", user=story.MITIGATION)
    demo.sandbox.add_commit(
        f"Roll back the strict token audience check (#{pull['number']})",
        list(story.ROLLBACK_FILES),
        user=story.MITIGATION,
        sha=story.FIX_SHA,
        pulls=[pull["number"]],
    )
    demo.settle()
    echo(
        f"    pull request #{pull['number']} merged as {story.FIX_SHA[:7]} "
        "(the merge freeze lets it through: it names the incident)"
    )

    demo.step(f"14:45 @{story.VERIFICATION} reruns the checks; @{story.COMMS} tells stakeholders")
    demo.at(45)
    demo.comment(
        story.VERIFICATION,
        story.verification(s, minute=45, revision=story.FIX_SHA[:7])
        + "\n"
        + story.auth_evidence(s),
    )
    demo.comment(story.COMMS, story.stakeholder(s, status="recovered", next_in=120))
    demo.comment(story.COMMANDER, story.snapshot(s, phase="recovery", next_in=90))
    asked = demo.comment(story.COMMANDER, "/warroom status-update")
    echo(f"    @{story.COMMANDER} asks for the stakeholder update: /warroom status-update")
    for comment in demo.repo(story.COMMANDER).get_issue(demo.number).get_comments():
        if comment.body.startswith(f"<!-- warroom:message:{asked.id} -->"):
            fenced = comment.body.split("```text\n", 1)[-1].split("\n```", 1)[0]
            for line in fenced.splitlines():
                echo(f"    bot: {line}")

    demo.step(f'15:00 @{story.COMMANDER} closes the incident: "looks stable"')
    demo.at(60)
    demo.repo(story.COMMANDER).get_issue(demo.number).edit(state="closed", state_reason="completed")
    demo.settle()
    demo.show_state()

    demo.step(
        "15:20 the team posts the hardening follow-ups, a leadership note and the closure record"
    )
    demo.at(80)
    for author, record in story.follow_ups():
        demo.comment(author, record)
    demo.comment(story.COMMANDER, story.leadership(confidence="L3"))
    demo.comment(story.COMMANDER, story.closure())

    demo.step("15:30 the commander closes the incident again")
    demo.at(90)
    demo.repo(story.COMMANDER).get_issue(demo.number).edit(state="closed", state_reason="completed")
    demo.settle()
    demo.show_state()

    demo.step("Final state")
    demo.show_package()
    repo = demo.repo(story.COMMANDER)
    for follow_up in sorted(
        repo.get_issues(state="open", labels=["hardening"]), key=lambda i: i.number
    ):
        who = ", ".join(f"@{a.login}" for a in follow_up.assignees)
        echo(f"    follow-up #{follow_up.number}: {follow_up.title} (assigned {who})")
    runs = demo.sandbox.runs()
    failed = sum(1 for r in runs if r.get("exit_code") not in (0, None))
    counts = demo.sandbox.requests()["total_counts"]
    echo(
        f"    {len(runs)} workflow runs ({failed} red: the blocked closure), "
        f"{sum(counts.values())} API requests in all"
    )


def _comments_curl(api_url: str, repo: str, number: int) -> str:
    """The command that shows an incident's comments, the bot's status comment among them."""
    return (
        f'curl -s -H "Authorization: token $TOKEN" {api_url}/repos/{repo}/issues/{number}/comments'
    )


def _program() -> str:
    """How this command was started, so the line to run next works as printed.

    ``make demo`` runs ``.venv/bin/warroom``, which is not on the PATH.
    """
    started = sys.argv[0] if sys.argv else ""
    return shlex.quote(started) if Path(started).name == "warroom" else "warroom"


def _where_to_look(echo: Callable[[str], None], repo: str, number: int) -> None:
    """The closing lines of a demo that did not keep its sandbox: how to see the result."""
    echo("")
    echo("To look at the result yourself, run the demo again with its sandbox kept running:")
    echo(f"  {_program()} demo --keep")
    echo("It ends by printing the sandbox's PORT in its API URL, a TOKEN, and this command,")
    echo("which shows the incident's comments (the bot's status comment among them):")
    echo("  " + _comments_curl("http://127.0.0.1:PORT/api/v3", repo, number))
    echo("")
    echo("To practise the playbook yourselves, in a browser, on a compressed clock:")
    echo(f"  {_program()} drill --list")


def _keep(sandbox: Sandbox, echo: Callable[[str], None], number: int) -> None:
    info = sandbox.info()
    echo("")
    echo("The sandbox keeps running; carry on by hand (Ctrl-C to stop):")
    echo(f"  web:    {info['web_url']}/{info['repo']}/issues/{number}  (open it in a browser)")
    echo(f"  API:    {info['api_url']}")
    echo(f"  repo:   {info['repo']}")
    for login, token in info["tokens"].items():
        echo(f"  token for {login}: {token}")
    echo("")
    echo(f"The incident's comments, as @{story.COMMANDER}:")
    echo(f"  TOKEN={info['tokens'][story.COMMANDER]}")
    echo("  " + _comments_curl(info["api_url"], info["repo"], number))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        echo("stopped")
