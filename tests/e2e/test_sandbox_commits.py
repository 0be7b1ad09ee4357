"""The sandbox's git history: seeded through ``POST /_sandbox/commits``, read by compare.

The closure review package asks GitHub what changed between two revisions
(``GET /compare/{base}...{head}``) and which pull requests each commit belongs
to (``GET /commits/{sha}/pulls``). ``fidelity`` checks every exchange against
GitHub's OpenAPI description; these rows check what the answers say.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import MakeSandbox, TestSandbox
from tests.support.fidelity import Fidelity

pytestmark = [pytest.mark.e2e, pytest.mark.npm]

REPO = "/repos/acme/service"


def _commit(sandbox: TestSandbox, **body: Any) -> str:
    answer = sandbox.control("POST", "/commits", body)
    assert answer.status == 201, answer.body
    return str(answer.body["sha"])


@pytest.fixture
def history(sandbox: TestSandbox, fidelity: Fidelity) -> dict[str, str]:
    """main: good (tag v1) -> bad -> fix; side branch ``hotfix`` forks from good."""
    good = _commit(sandbox, message="Release", files=["src/app.py"], tags=["v1"])
    bad = _commit(sandbox, message="Bad deploy", files=["src/auth.py", "src/app.py"])
    fix = _commit(sandbox, message="Fix\n\nLonger body", files=["src/auth.py"], user="admin")
    sandbox.control("POST", "/branches", {"name": "hotfix", "sha": good})
    side = _commit(sandbox, message="Side", files=["src/side.py"], branch="hotfix")
    return {"good": good, "bad": bad, "fix": fix, "side": side}


def _compare(sandbox: TestSandbox, basehead: str, status: int = 200) -> Any:
    answer = sandbox.http("GET", f"{REPO}/compare/{basehead}")
    assert answer.status == status, answer.body
    return answer.body


@pytest.mark.parametrize(
    ("base", "head", "status", "ahead", "behind", "commits", "fork"),
    [
        pytest.param("good", "fix", "ahead", 2, 0, ["bad", "fix"], "good", id="ahead-oldest-first"),
        pytest.param("fix", "good", "behind", 0, 2, [], "good", id="behind"),
        pytest.param("fix", "fix", "identical", 0, 0, [], "fix", id="identical"),
        pytest.param("fix", "side", "diverged", 1, 2, ["side"], "good", id="diverged-at-fork"),
    ],
)
def test_compare_walks_the_history_as_github_does(
    sandbox: TestSandbox,
    history: dict[str, str],
    base: str,
    head: str,
    status: str,
    ahead: int,
    behind: int,
    commits: list[str],
    fork: str,
) -> None:
    found = _compare(sandbox, f"{history[base]}...{history[head]}")
    assert (found["status"], found["ahead_by"], found["behind_by"]) == (status, ahead, behind)
    assert [c["sha"] for c in found["commits"]] == [history[k] for k in commits]
    assert found["merge_base_commit"]["sha"] == history[fork]


def test_refs_are_tags_branches_and_short_shas(
    sandbox: TestSandbox, history: dict[str, str]
) -> None:
    found = _compare(sandbox, f"v1...{history['fix'][:7]}")
    assert found["total_commits"] == 2
    assert [f["filename"] for f in found["files"]] == ["src/auth.py", "src/app.py"]
    assert found["commits"][1]["commit"]["message"] == "Fix\n\nLonger body"
    assert found["commits"][1]["author"]["login"] == "admin"
    assert _compare(sandbox, "v1...main")["total_commits"] == 2
    assert "No commit found" in _compare(sandbox, "v1...nope", 404)["message"]
    _compare(sandbox, "v1..main", 404)


def test_a_commit_lists_the_pull_requests_it_belongs_to(
    sandbox: TestSandbox, history: dict[str, str]
) -> None:
    opened = sandbox.control(
        "POST", "/pulls", {"title": "Roll back", "head": "incident/1/rollback", "files": ["a"]}
    ).body
    merged = _commit(sandbox, message="Roll back (#1)", files=["a"], pulls=[opened["number"]])
    listed = sandbox.http("GET", f"{REPO}/commits/{merged}/pulls").body
    assert [p["number"] for p in listed] == [opened["number"]]
    # The pull request's own pushed head belongs to it too; an older commit to none.
    head = sandbox.http("GET", f"{REPO}/commits/{opened['head']['sha']}/pulls").body
    assert [p["number"] for p in head] == [opened["number"]]
    assert sandbox.http("GET", f"{REPO}/commits/{history['bad']}/pulls").body == []
    assert sandbox.http("GET", f"{REPO}/commits/{'0' * 40}/pulls").status == 422


@pytest.mark.parametrize(
    ("body", "says"),
    [
        pytest.param({"files": ["a"]}, "message must be a non-empty string", id="no-message"),
        pytest.param({"message": "m", "sha": "XYZ"}, "not 40 lower-case hex", id="bad-sha"),
        pytest.param({"message": "m", "pulls": [99]}, "no pull request #99", id="unknown-pull"),
        pytest.param({"message": "m", "pulls": "1"}, "pulls must be a list", id="pulls-not-list"),
        pytest.param({"message": "m", "tags": [""]}, "tags must be a list", id="empty-tag"),
        pytest.param({"message": "m", "user": "nobody"}, "no user 'nobody'", id="unknown-user"),
        pytest.param({"message": "m", "colour": "red"}, "unknown key(s) colour", id="unknown-key"),
    ],
)
def test_seeding_a_commit_says_what_to_write_instead(
    sandbox: TestSandbox, body: dict[str, Any], says: str
) -> None:
    answer = sandbox.control("POST", "/commits", body)
    assert answer.status == 400
    assert says in str(answer.body), answer.body


def test_a_sha_is_seeded_once(sandbox: TestSandbox) -> None:
    sha = _commit(sandbox, message="One", sha="a" * 40)
    again = sandbox.control("POST", "/commits", {"message": "Two", "sha": sha})
    assert again.status == 400
    assert "already a commit" in str(again.body)


def test_the_history_survives_a_restart(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    data = tmp_path / "sandbox.sqlite"
    first = make_sandbox(data=data)
    good = _commit(first, message="Release", files=["src/app.py"], tags=["v1"])
    fix = _commit(first, message="Fix", files=["src/auth.py"])
    first.stop()
    second = make_sandbox(data=data, now=None)
    found = _compare(second, "v1...main")
    assert [c["sha"] for c in found["commits"]] == [fix]
    assert found["base_commit"]["sha"] == good
    # The ids go on where they stopped: a third commit is not a duplicate row.
    third = _commit(second, message="More", files=["src/more.py"])
    assert _compare(second, f"{good}...{third}")["total_commits"] == 2
