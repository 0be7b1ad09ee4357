"""A team playing a drill through the API, the way people would: for the drill's tests.

The drill runs with a frozen clock; ``Team.at(minute)`` moves it to a drill
minute and lets the script and the Action catch up (tick, wait for the runs,
tick again), so each step sees what a person at that minute would see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from github import Github

from warroom import sandbox_people, story
from warroom.drill.runner import Drill
from warroom.drill.scenario import Scenario

DEPENDENCY = {
    "auth-token-failure": "auth/identity",
    "billing-state-mismatch": "billing/ledger",
    "permission-leak": "auth/identity",
}
DEPENDENCY_OPTION = {
    "auth/identity": "auth/identity — access denial or bypass",
    "billing/ledger": "billing/ledger — transaction mismatch",
}


def incident_body(scenario: Scenario) -> str:
    """The incident form as the commander fills it for this scenario."""
    team = scenario.team
    body = story.incident_body(
        commander=team.commander.login,
        deputy=team.deputy.login,
        mitigation=team.mitigation.login,
        verification=team.verification.login,
        comms=team.comms.login,
        severity=str(scenario.severity),
        scenario=scenario.form_scenario,
    )
    dependency = DEPENDENCY.get(scenario.name, "auth/identity")
    return body.replace("\nauth/identity\n", f"\n{dependency}\n")


def evidence_record(drill: Drill, label: str, proof: str, minute: int, by: str) -> str:
    return story.evidence(drill.started_at, label, proof, minute=minute, by=by)


@dataclass
class Team:
    """The players' hands on a running drill."""

    drill: Drill
    incident: int = 0
    said: dict[str, Any] = field(default_factory=dict)

    @property
    def scenario(self) -> Scenario:
        return self.drill.scenario

    def client(self, login: str) -> Github:
        return sandbox_people.client(self.drill.sandbox.api_url, self.drill.sandbox.tokens[login])

    def repo(self, login: str) -> Any:
        return self.client(login).get_repo(self.drill.sandbox.repo_full_name)

    def settle(self) -> None:
        for _ in range(3):
            self.drill.sandbox.wait_idle(120)
            self.drill.tick()
        self.drill.sandbox.wait_idle(120)

    def at(self, minute: int) -> None:
        self.drill.sandbox.set_clock(now=self.drill.started_at + timedelta(minutes=minute))
        self.settle()

    def file(self, minute: int) -> int:
        self.at(minute)
        commander = self.scenario.team.commander.login
        issue = self.repo(commander).create_issue(
            title=f"[incident] {self.scenario.title}",
            body=incident_body(self.scenario),
            labels=["incident"],
        )
        self.incident = issue.number
        self.settle()
        return issue.number

    def post(self, login: str, body: str, *, on: int | None = None) -> Any:
        created = self.repo(login).get_issue(on or self.incident).create_comment(body)
        self.settle()
        return created

    def comments(self, on: int | None = None) -> list[Any]:
        return list(
            self.repo(self.scenario.team.commander.login)
            .get_issue(on or self.incident)
            .get_comments()
        )

    def by(self, login: str, on: int | None = None) -> list[str]:
        return [c.body for c in self.comments(on) if c.user.login == login]

    def close(self) -> None:
        self.repo(self.scenario.team.commander.login).get_issue(self.incident).edit(
            state="closed", state_reason="completed"
        )
        self.settle()

    def reply_to(self, comment_id: int) -> str | None:
        """warroom's reply to a comment whose records it refused, if it stands."""
        marker = f"<!-- warroom:reply:{comment_id} -->"
        return next((c.body for c in self.comments() if c.body.startswith(marker)), None)

    def state(self) -> str:
        return str(self.repo(self.scenario.team.commander.login).get_issue(self.incident).state)


class Hands(Protocol):
    """How the players act: through the API (``ApiHands``) or through the pages (a browser)."""

    def file(self, team: Team, minute: int) -> int: ...
    def post(self, team: Team, login: str, body: str) -> int: ...
    def edit(self, team: Team, comment_id: int, login: str, body: str) -> None: ...
    def close(self, team: Team, login: str) -> None: ...


class ApiHands:
    """The players' hands through PyGithub, as an API client's."""

    def file(self, team: Team, minute: int) -> int:
        return team.file(minute)

    def post(self, team: Team, login: str, body: str) -> int:
        return int(team.post(login, body).id)

    def edit(self, team: Team, comment_id: int, login: str, body: str) -> None:
        issue = team.repo(login).get_issue(team.incident)
        issue.get_comment(comment_id).edit(body)
        team.settle()

    def close(self, team: Team, login: str) -> None:
        team.repo(login).get_issue(team.incident).edit(state="closed", state_reason="completed")
        team.settle()


def play_to_the_gate(team: Team, hands: Hands | None = None) -> None:
    """A whole drill, played as a team would: file, triage, hit the script's beats, meet the gate.

    On the way it asks for every piece of evidence with ``/drill run``, gets a
    contradictory recommendation and a red rerun after a premature "looks stable",
    has a refused record fixed by editing it, and closes once too early.
    """
    act = hands or ApiHands()
    drill, scenario = team.drill, team.scenario
    t = scenario.team
    start = drill.started_at
    act.file(team, 3)
    team.at(6)
    act.post(team, t.commander.login, story.snapshot(start, next_in=20, owner=t.deputy.login))
    team.at(7)
    for evidence in scenario.evidence:
        act.post(team, t.verification.login, f"/drill run {evidence.command}")
    # The comms owner is busy: the first update slips past the cadence (the stakeholder asks).
    team.at(12)
    bad = act.post(
        team,
        t.mitigation.login,
        story.decision(start, minute=12).replace(
            "- Decision: rollback", "- Decision: roll it back"
        ),
    )
    team.said["error reply"] = team.reply_to(bad)
    team.at(13)
    act.edit(team, bad, t.mitigation.login, story.decision(start, minute=13))
    team.said["reply after the fix"] = team.reply_to(bad)
    team.at(18)
    act.post(team, t.deputy.login, "Numbers are dropping, looks stable to me.")
    team.at(24)
    for evidence in scenario.evidence:
        if evidence.reveals and evidence.reveals != "first bad deploy hash":
            proof = evidence.output.splitlines()[-1]
            record = evidence_record(drill, evidence.reveals, proof, 24, t.verification.login)
            act.post(team, t.verification.login, record)
    minimum = drill.config.scenario(scenario.form_scenario)
    if minimum is not None and minimum.sign_off:
        signers = (t.mitigation.login, t.commander.login)
        for role, who in zip(minimum.sign_off, signers, strict=False):
            act.post(team, who, story.sign_off(start, role, who, minute=25))
    team.at(35)
    act.post(team, t.verification.login, story.verification(start, minute=35, revision="4f2c1a9"))
    team.at(38)
    act.post(team, t.comms.login, story.stakeholder(start, status="recovered", next_in=120))
    team.at(40)
    act.close(team, t.commander.login)
    team.said["state after the early close"] = team.state()
    team.at(48)
    for author, record in story.follow_ups():
        act.post(team, author, record)
    act.post(team, t.commander.login, story.leadership(confidence="L3"))
    act.post(team, t.commander.login, story.closure())
    team.at(52)
    act.close(team, t.commander.login)
