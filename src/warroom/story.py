"""A realistic SEV-1 incident, as the comments a team would post, for the demo and tests.

Scenario A of the playbook: auth token failures after a release. Each function
returns the Markdown a responder would paste; times are given relative to the
incident's start so the same story plays at any clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

COMMANDER = "mara-okafor"
DEPUTY = "devi-raman"
MITIGATION = "tomas-lindqvist"
VERIFICATION = "aiko-tanaka"
COMMS = "sam-whitfield"


KNOWN_GOOD_SHA = "4f2c1a9" + "0d6e3b5a7c9e1f2a4b6c8d0e2f4a6b8c0"
"""The last known-good release the form and the snapshots name by its short sha."""
BAD_DEPLOY_SHA = "9e0d7b3" + "5c1a2e4f6b8d0a2c4e6f8a0b2c4d6e8f0"
"""The first bad deploy: the strict token audience check."""
FIX_SHA = "b7e4d20" + "9a3c5e7f1b2d4f6a8c0e2a4c6e8a0c2e4"
"""The rollback's merge: the revision the green rerun tests."""
ROLLBACK_BRANCH = "incident/1/rollback"
ROLLBACK_FILES = ("services/auth/audience.py", "config/auth-gateway.yaml")


def at(start: datetime, minutes: int) -> str:
    """A time ``minutes`` after ``start`` as people write it."""
    return (start + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M UTC")


SEVERITY_OPTIONS = {
    "SEV-1": "SEV-1 — user safety / auth / billing / data correctness at risk "
    "(rollback-first evaluation)",
    "SEV-2": "SEV-2 — major workflow degradation (bounded hotfix with tight verification)",
    "SEV-3": "SEV-3 — isolated non-critical regression (scheduled corrective release)",
}


def incident_body(
    *,
    commander: str = COMMANDER,
    deputy: str = DEPUTY,
    mitigation: str = MITIGATION,
    verification: str = VERIFICATION,
    comms: str = COMMS,
    severity: str = "SEV-1",
    scenario: str = "auth token failure after release",
) -> str:
    """The incident form as GitHub renders a submission."""
    return f"""### Summary

401s on every authenticated API call since the auth-gateway deploy

### Severity

{SEVERITY_OPTIONS.get(severity, severity)}

### Impacted systems and users

auth-gateway in all regions; every signed-in web and mobile user

### Dependency classes

auth/identity

### Scenario

{scenario}

### Detection signal

Spike in 401/403 from auth-gateway (alert AUTH-401-RATE, 38% of requests)

### Incident commander

@{commander}

### Deputy

@{deputy}

### Mitigation owner

@{mitigation}

### Verification owner

@{verification}

### Communications owner

@{comms}

### Last known-good revision

4f2c1a9

### First bad deploy

9e0d7b3

### Impacted surfaces

services/auth/**
config/auth-gateway.yaml

### Baseline evidence

```shell
$ curl -s -o /dev/null -w '%{{http_code}}' https://api.example.test/v1/me
401
```

### Blast radius

All authenticated traffic; anonymous pages unaffected

### Rollback readiness

- [x] The rollback path to the last known-good revision is executable now.
"""


def snapshot(
    start: datetime,
    *,
    phase: str = "containment",
    severity: str = "SEV-1",
    next_in: int = 30,
    owner: str = DEPUTY,
) -> str:
    return f"""Snapshot after triage.

### Incident Command Snapshot
- Incident ID: INC-2026-1128
- Severity: {severity}
- Incident commander: @{COMMANDER}
- Current phase: {phase}
- Latest stable revision: 4f2c1a9
- Candidate mitigation path: disable the new audience check with the auth.strict_audience flag
- Risk if we wait 30 minutes: every signed-in user stays locked out
- Next checkpoint at: {at(start, next_in)}
- Next owner: @{owner}
"""


def decision(
    start: datetime,
    *,
    minute: int = 20,
    choice: str = "rollback",
    confidence: str = "L2",
    severity: str | None = None,
    rejected: str = (
        "flag/config only: cached tokens stay rejected; "
        "targeted hotfix of the audience parser: slower to verify"
    ),
) -> str:
    severity_line = f"- Severity: {severity}\n" if severity else ""
    return f"""### Checkpoint Decision Record
- Timestamp: {at(start, minute)}
- Evidence reviewed: 401 rate by deploy hash; the flag-off canary returned 200
- Decision: {choice}
- Why this decision now: rollback-first for SEV-1 auth; the flag path is proven on the canary
- Rejected alternatives: {rejected}
- Owner for execution: @{MITIGATION}
- Owner for verification: @{VERIFICATION}
- Reversibility: re-enable the flag in under a minute
- Blast radius: tokens minted in the last hour need a refresh
- Verification signal: 401 rate under 0.5% for 15 minutes
- Confidence level (L1/L2/L3): {confidence}
{severity_line}"""


def verification(
    start: datetime,
    *,
    minute: int = 45,
    result: str = "green",
    risk: str | None = None,
    revision: str = "4f2c1a9",
) -> str:
    residual = risk or "sessions minted during the bad window may need a forced refresh"
    return f"""### Verification Rerun Record
- Timestamp: {at(start, minute)}
- Revision under test: {revision}
- Commands executed:
  ```
  curl -s -o /dev/null -w '%{{http_code}}' https://api.example.test/v1/me
  ```
- Outputs:
  ```
  200
  ```
- Result: {result}
- Residual risk: {residual}
- Owner for verification: @{VERIFICATION}
"""


def stakeholder(start: datetime, *, status: str = "recovered", next_in: int = 120) -> str:
    return f"""Status: {status}
Customer impact: sign-in failed for most users for about 40 minutes
Current mitigation: the new token check is switched off; sign-in works again
Known unknowns: whether any session needs a forced refresh
Next committed update time: {at(start, next_in)}
"""


def follow_up(*, title: str, kind: str, owner: str, due: str) -> str:
    return f"""### Hardening Follow-up
- Title: {title}
- Kind: {kind}
- Owner: @{owner}
- Due date: {due}
- Acceptance criteria: the check runs in CI on every change under services/auth/**
"""


def leadership(*, confidence: str = "L3") -> str:
    return f"""### Incident Leadership Note
- What happened: a release tightened the token audience check and rejected valid tokens
- Why this decision path was chosen: rollback-first for auth; the flag was fastest to undo
- Current confidence level (L1/L2/L3): {confidence}
- What remains uncertain: whether mobile clients cached bad tokens
- What we need from leadership: nothing now
- Owner for next 24h watch: @{DEPUTY}
"""


def closure() -> str:
    return f"""### Incident Closure Record
- Mitigation executed: auth.strict_audience disabled and the deploy rolled back to 4f2c1a9
- Verification evidence: the green Verification Rerun Record above
- Residual risks: sessions minted during the bad window may need a forced refresh
- Rollback trigger for 24h watch: 401 rate above 2% for 5 minutes
- Owner for 24h watch: @{DEPUTY}
- Hardening follow-ups: opened by warroom, linked below
- Communications timeline: stakeholder updates on this issue, ending recovered
- Confidence level (L1/L2/L3): L3
"""


def evidence(start: datetime, item: str, proof: str, *, minute: int = 15, by: str = "") -> str:
    """One item of the scenario's evidence minimum (``Evidence for: item``)."""
    return f"""### Scenario Evidence
- Evidence for: {item}
- Evidence:
  ```
  {proof}
  ```
- Collected by: @{by or VERIFICATION}
- Timestamp: {at(start, minute)}
"""


def auth_evidence(start: datetime) -> str:
    """Scenario A's evidence minimum beyond the form's first bad deploy, in one comment."""
    endpoints = evidence(
        start, "failing endpoint list", "GET /v1/me 401; POST /v1/token/refresh 401", minute=15
    )
    safety = evidence(
        start,
        "rollback safety check output",
        "$ deployctl rollback --dry-run 4f2c1a9  ->  safe: no schema change",
        minute=18,
        by=MITIGATION,
    )
    return f"{endpoints}\n{safety}"


def sign_off(start: datetime, role: str, who: str, *, minute: int = 60) -> str:
    """One person's Sign-off Record in ``role``."""
    return f"""### Sign-off Record
- Role: {role}
- Signed off by: @{who}
- Scope: the replay boundary and the reconciled ledger range
- Timestamp: {at(start, minute)}
"""


def dismissal() -> str:
    return f"""### Incident Dismissal
- Reason: false alarm
- Evidence: the alert fired on a synthetic probe misconfiguration; user traffic was unaffected
- Dismissed by: @{COMMANDER}
"""


def follow_ups() -> list[tuple[str, str]]:
    """The two follow-ups the gate requires by default, as (author, record) pairs."""
    return [
        (
            MITIGATION,
            follow_up(
                title="Alert when token audience rejections exceed 1%",
                kind="guardrail automation",
                owner=MITIGATION,
                due="2026-12-02",
            ),
        ),
        (
            VERIFICATION,
            follow_up(
                title="Replay pre-release tokens against the audience check in CI",
                kind="regression test",
                owner=VERIFICATION,
                due="2026-12-05",
            ),
        ),
    ]


def review(*, actions: bool = True) -> str:
    """The post-closure review; with ``actions``, two answers name a backlog item each."""
    signal = (
        f"\n  - Action: Page on the audience rejection rate, @{MITIGATION}, due 2026-12-08"
        if actions
        else ""
    )
    guardrail = (
        f"\n  - Action: Post-deploy token round trip in the pipeline, @{VERIFICATION}, "
        "due 2026-12-10"
        if actions
        else ""
    )
    return f"""### Post-Closure Review
- Signal first but ignored: audience rejections rose twenty minutes before the first page{signal}
- Longest decision checkpoint: rollback versus flag-off took 18 minutes
- Where ownership became ambiguous: comms during the handoff; two people drafted one update
- Guardrail that would have helped most: a token round trip before traffic shifts{guardrail}
- Metric to add or redefine: login success rate per token audience
"""
