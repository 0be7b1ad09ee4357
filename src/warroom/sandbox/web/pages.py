"""The sandbox's web view: HTML pages next to its API, where its ``html_url``s point.

``/`` and ``/{owner}/{repo}/issues`` list the issues; ``/{owner}/{repo}/issues/{n}``
(and ``/pull/{n}``) shows one as GitHub would, comments and timeline events in
order, with ``#issuecomment-{id}`` anchors so the links in warroom's comments
land; ``/_sandbox/runs`` (asked for as HTML) shows the dispatched runs and their
logs. Every page shows the sandbox clock, is rendered by autoescaping Jinja2
templates from records read under the state lock, and carries a
Content-Security-Policy that allows nothing from another origin. ``GET`` only
reads; the forms ``POST`` to ``forms``, which goes through the REST handlers.
Each person's comment has an Edit form that posts to
``/{owner}/{repo}/issues/comments/{id}`` (the REST path's shape) and becomes
``PATCH .../issues/comments/{id}``, as a responder fixes a refused record on GitHub.
While a drill runs (``Sandbox.drill_panel``) every page also shows its clock
bar, and ``/_drill``, ``/_drill/debrief`` and ``/_drill/debrief.json`` show the
drill (``drill_pages`` shapes what the panel says); without one they answer 404.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from warroom.sandbox.records import Comment, Issue, IssueEvent, Label
from warroom.sandbox.rest import TITLE_LIMIT
from warroom.sandbox.rest_core import BODY_LIMIT
from warroom.sandbox.seed import LEVEL_LOGINS, OWNER, REPO
from warroom.sandbox.web import assets, drill_pages, forms, markdown
from warroom.sandbox.web.issue_forms import IssueForm, load_forms

if TYPE_CHECKING:
    from warroom.sandbox.sandbox import Sandbox

RUNS_PATH = "/_sandbox/runs"
log = logging.getLogger(__name__)
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_COLOR = re.compile(r"[0-9a-fA-F]{6}")
_LOG_LIMIT = 200_000
RUNS_SHOWN = 100
"""The newest runs the runs page shows; the control API's JSON has them all."""
_ISSUE_PATH = re.compile(r"/(?P<owner>[^/]+)/(?P<repo>[^/]+)/(?:issues|pull)/(?P<number>\d{1,9})")
_COMPARE_LIMIT = 1_000
_COMMIT_PATH = re.compile(r"/(?P<owner>[^/]+)/(?P<repo>[^/]+)/commit/(?P<sha>[0-9a-fA-F]{7,40})")
_COMPARE_PATH = re.compile(
    r"/(?P<owner>[^/]+)/(?P<repo>[^/]+)/compare/(?P<base>[^/.][^/]{0,199})\.\.\.(?P<head>[^/.][^/]{0,199})"
)
_ISSUE_POST = re.compile(
    r"/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/(?P<number>\d{1,9})/(?P<what>comments|state|labels)"
)
_COMMENT_POST = re.compile(
    r"/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/comments/(?P<comment_id>\d{1,15})"
)
_NEW_ISSUE = re.compile(
    r"/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues(?P<new>/new(?P<choose>/choose)?)?"
)
_EVENT_TEXT = {
    "closed": "closed this",
    "reopened": "reopened this",
    "labeled": "added the label",
    "unlabeled": "removed the label",
    "assigned": "assigned",
    "unassigned": "unassigned",
    "renamed": "changed the title",
    "milestoned": "added this to a milestone",
    "demilestoned": "removed this from a milestone",
    "locked": "locked this conversation",
    "unlocked": "unlocked this conversation",
    "sub_issue_added": "added a sub-issue",
    "sub_issue_removed": "removed a sub-issue",
    "parent_issue_added": "added a parent issue",
    "parent_issue_removed": "removed a parent issue",
}


@dataclass(frozen=True)
class WebReply:
    """One answer of the web view: status, body bytes and headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def wants_html(method: str, path: str, accept: str) -> bool:
    """Whether a request under ``/_sandbox`` is a person's browser asking for the runs page.

    ``/_sandbox/runs`` stays the control API's JSON for clients; a browser,
    which asks for ``text/html`` first, gets the page.
    """
    return method == "GET" and path.rstrip("/") == RUNS_PATH and "text/html" in accept


def _text_color(color: str) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return "#1f2328" if (0.299 * red + 0.587 * green + 0.114 * blue) > 150 else "#ffffff"


def _label_view(name: str, color: str) -> dict[str, str]:
    color = color if _COLOR.fullmatch(color) else "ededed"
    return {"name": name, "color": color.lower(), "text": _text_color(color)}


class WebView:
    """The pages of one sandbox; ``handle`` answers any non-API request."""

    def __init__(self, sandbox: Sandbox, *, mermaid: Path | None = None) -> None:
        self.sandbox = sandbox
        self.mermaid = mermaid if mermaid is not None else assets.find_mermaid()
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader(str(_TEMPLATES)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    @cached_property
    def issue_forms(self) -> dict[str, IssueForm]:
        """The repository's issue forms, read when a page first needs them (not at start-up)."""
        return load_forms(assets.find_issue_forms())

    # -- routing -------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        raw: bytes,
    ) -> WebReply:
        """The answer to ``method path``: a page, an asset, a redirect after a post, or an error."""
        if path.startswith(assets.ASSET_PREFIX):
            return self._asset(method, path[len(assets.ASSET_PREFIX) :])
        if method == "POST":
            return self._post(path, headers, raw)
        if method not in ("GET", "HEAD"):
            return self._error(405, f"{method} is not served here; pages answer GET, forms POST")
        acting = self._acting(query)
        if path in ("/", f"/{OWNER}/{REPO}", f"/{OWNER}/{REPO}/issues"):
            return self._page("index.html", self._index(query))
        if path.rstrip("/") == RUNS_PATH:
            return self._page("runs.html", self._runs())
        if path.rstrip("/") == drill_pages.DRILL_PATH:
            return self.drill_page()
        if path.rstrip("/") == drill_pages.DEBRIEF_PATH:
            return self.debrief_page()
        if path == drill_pages.DEBRIEF_JSON_PATH:
            return self.debrief_json()
        found = _ISSUE_PATH.fullmatch(path)
        if found and self._ours(found):
            return self.issue_page(int(found["number"]), acting)
        commit = _COMMIT_PATH.fullmatch(path)
        if commit and self._ours(commit):
            return self.commit_page(commit["sha"])
        compare = _COMPARE_PATH.fullmatch(path)
        if compare and self._ours(compare):
            return self.compare_page(compare["base"], compare["head"])
        new = _NEW_ISSUE.fullmatch(path)
        if new and new["choose"] and self._ours(new):
            return self._page("choose.html", {"forms": list(self.issue_forms.values())})
        if new and new["new"] and self._ours(new):
            template = (query.get("template") or [""])[-1]
            if template:
                return self.issue_form_page(template, acting, query)
            return self.new_issue_page(acting, query)
        return self._error(404, f"nothing at {path}; the issues are listed at /")

    def _ours(self, found: re.Match[str]) -> bool:
        return found["owner"].lower() == OWNER.lower() and found["repo"].lower() == REPO.lower()

    def _acting(self, query: Mapping[str, list[str]]) -> str:
        login = (query.get("as") or [""])[-1]
        user = self.sandbox.state.user(login) if login else None
        if user is not None and user.type == "User":
            return user.login
        return LEVEL_LOGINS["admin"]

    # -- answers ---------------------------------------------------------------------

    def _headers(self, content_type: str) -> dict[str, str]:
        return {
            "Content-Type": content_type,
            "Content-Security-Policy": assets.CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cache-Control": "no-store",
        }

    def _common(self) -> dict[str, Any]:
        clock = self.sandbox.clock.snapshot()
        return {
            "repo": f"{OWNER}/{REPO}",
            "clock": {"now": clock["now"], "frozen": bool(clock["frozen"])},
            "markdown_available": markdown.available(),
            "mermaid_available": self.mermaid is not None,
            "install_hint": markdown.INSTALL_HINT,
            "drill": self._drill_bar(),
        }

    def _drill_bar(self) -> dict[str, Any] | None:
        """The drill clock bar's view, or ``None`` without a drill.

        A drill whose banner fails leaves the pages of the local GitHub readable:
        the bar says the clock is unavailable and the failure goes to the log.
        """
        panel = self.sandbox.drill_panel
        if panel is None:
            return None
        try:
            return drill_pages.bar(panel.banner())
        except Exception:
            log.exception("sandbox: the drill's banner failed")
            return drill_pages.bar({"scenario": "drill clock unavailable", "state": "ended"})

    def _page(self, template: str, context: dict[str, Any], status: int = 200) -> WebReply:
        text = self.env.get_template(template).render(**self._common(), **context)
        return WebReply(status, text.encode("utf-8"), self._headers("text/html; charset=utf-8"))

    def _error(self, status: int, message: str) -> WebReply:
        return self._page("error.html", {"status": status, "message": message}, status)

    def _json(self, status: int, text: str) -> WebReply:
        return WebReply(
            status, text.encode("utf-8"), self._headers("application/json; charset=utf-8")
        )

    def _asset(self, method: str, name: str) -> WebReply:
        if method not in ("GET", "HEAD"):
            return self._error(405, "assets are read with GET")
        found = assets.asset(name, self.mermaid)
        if found is None:
            return self._error(404, f"no asset {name!r}")
        headers = self._headers(found.content_type)
        headers["Cache-Control"] = "max-age=3600"
        return WebReply(200, found.data, headers)

    def _md(self, text: str | None) -> Markup:
        return Markup(markdown.render(text, mermaid=self.mermaid is not None))  # noqa: S704 - sanitised

    # -- pages -------------------------------------------------------------------------

    def _labels_of(self, issue: Issue) -> list[dict[str, str]]:
        labels = self.sandbox.state.labels
        return [_label_view(labels[i].name, labels[i].color) for i in issue.labels if i in labels]

    def _issue_url(self, number: int) -> str:
        return f"/{OWNER}/{REPO}/issues/{number}"

    def _index(self, query: Mapping[str, list[str]]) -> dict[str, Any]:
        wanted = (query.get("state") or ["all"])[-1]
        state = self.sandbox.state
        with state.lock:
            issues = sorted(state.issues.values(), key=lambda i: i.number, reverse=True)
            rows = [
                {
                    "number": i.number,
                    "title": i.title,
                    "state": i.state,
                    "user": i.user,
                    "labels": self._labels_of(i),
                    "comments": i.comments,
                    "updated_at": i.updated_at,
                    "url": self._issue_url(i.number),
                    "pull": i.number in state.pulls,
                }
                for i in issues
                if wanted not in ("open", "closed") or i.state == wanted
            ]
            open_count = sum(1 for i in issues if i.state == "open")
        return {
            "new_issue": f"/{OWNER}/{REPO}/issues/new" + ("/choose" if self.issue_forms else ""),
            "issues": rows,
            "open_count": open_count,
            "closed_count": len(issues) - open_count,
        }

    def _reference(self, number: int | None) -> dict[str, Any] | None:
        issue = self.sandbox.state.issues.get(number) if number is not None else None
        if issue is None:
            return None
        return {
            "number": issue.number,
            "title": issue.title,
            "state": issue.state,
            "url": self._issue_url(issue.number),
        }

    def _is_bot(self, login: str) -> bool:
        user = self.sandbox.state.user(login)
        return user is not None and user.type == "Bot"

    def _comment_view(self, comment: Comment) -> dict[str, Any]:
        user = self.sandbox.state.user(comment.user)
        return {
            "kind": "comment",
            "id": comment.id,
            "user": comment.user,
            "bot": user is not None and user.type == "Bot",
            "role": user.permission if user is not None and user.permission != "none" else "",
            "created_at": comment.created_at,
            "edited": comment.updated_at != comment.created_at,
            "body": comment.body,
            "body_html": self._md(comment.body),
        }

    def _event_view(self, event: IssueEvent) -> dict[str, Any]:
        data = event.data
        text = _EVENT_TEXT.get(event.event, event.event.replace("_", " "))
        if event.event == "closed" and data.get("state_reason"):
            text = f"closed this as {str(data['state_reason']).replace('_', ' ')}"
        if event.event in ("assigned", "unassigned") and "assignee" in data:
            text = f"{text} {data['assignee']}"
        if event.event == "renamed" and isinstance(data.get("rename"), dict):
            rename = data["rename"]
            text = f"changed the title from “{rename.get('from', '')}” to “{rename.get('to', '')}”"
        if event.event in ("milestoned", "demilestoned") and "milestone" in data:
            text = f"{text}: {data['milestone']}"
        label = data.get("label")
        link = None
        for key in ("sub_issue", "parent_issue"):
            if key in data:
                link = self._reference(int(data[key]))
        return {
            "kind": "event",
            "id": event.id,
            "event": event.event,
            "actor": event.actor,
            "text": text,
            "created_at": event.created_at,
            "label": _label_view(str(label.get("name", "")), str(label.get("color", "")))
            if isinstance(label, dict)
            else None,
            "link": link,
        }

    def _issue_view(self, number: int) -> dict[str, Any] | None:
        state = self.sandbox.state
        with state.lock:
            issue = state.issues.get(number)
            if issue is None:
                return None
            entries: list[tuple[str, int, Comment | IssueEvent]] = [
                (e.created_at, e.seq, e) for e in state.events_of(number)
            ]
            entries += [(c.created_at, c.seq, c) for c in state.comments_of(number)]
            entries.sort(key=lambda e: (e[0], e[1]))
            timeline = [
                self._comment_view(item) if isinstance(item, Comment) else self._event_view(item)
                for _, _, item in entries
            ]
            on = set(issue.labels)
            all_labels: list[Label] = sorted(state.labels.values(), key=lambda x: x.name.lower())
            state_text = "Open" if issue.state == "open" else "Closed"
            if issue.state == "closed" and issue.state_reason == "not_planned":
                state_text = "Closed as not planned"
            view = {
                "number": issue.number,
                "path": self._issue_url(issue.number),
                "title": issue.title,
                "state": issue.state,
                "state_text": state_text,
                "user": issue.user,
                "user_is_bot": self._is_bot(issue.user),
                "created_at": issue.created_at,
                "labels": self._labels_of(issue),
                "assignees": list(issue.assignees),
                "body_html": self._md(issue.body),
                "comments": [t for t in timeline if t["kind"] == "comment"],
                "parent": self._reference(issue.parent),
                "sub_issues": [
                    ref for ref in (self._reference(n) for n in issue.sub_issues) if ref
                ],
            }
            labels = [{"name": x.name, "on": x.id in on} for x in all_labels]
            users = [
                {"login": u.login, "permission": u.permission}
                for u in forms.people_of(self.sandbox)
            ]
        return {
            "issue": view,
            "timeline": timeline,
            "all_labels": labels,
            "users": users,
            "body_limit": BODY_LIMIT,
        }

    def commit_page(self, ref: str) -> WebReply:
        """A commit of the seeded history, where the closure review package's diff links land."""
        state = self.sandbox.state
        with state.lock:
            sha = state.resolve_ref(ref)
            commit = state.git_commits.get(sha) if sha else None
            if commit is None:
                return self._error(404, f"no commit {ref} in the seeded history")
            view = {
                "sha": commit.sha,
                "message": commit.message,
                "author": commit.author,
                "date": commit.date,
                "parents": list(commit.parents),
                "files": [
                    {
                        "filename": str(f.get("filename", "")),
                        "status": str(f.get("status", "modified")),
                        "additions": f.get("additions", 0),
                        "deletions": f.get("deletions", 0),
                    }
                    for f in commit.files
                ],
                "pulls": [self._reference(n) for n in commit.pulls],
                "tags": list(commit.tags),
                "repo_path": f"/{OWNER}/{REPO}",
            }
        return self._page("commit.html", view)

    def compare_page(self, base_ref: str, head_ref: str) -> WebReply:
        """``base...head`` of the seeded history: the commits head has and base lacks."""
        state = self.sandbox.state
        with state.lock:
            base, head = state.resolve_ref(base_ref), state.resolve_ref(head_ref)
            if base is None or head is None:
                missing = base_ref if base is None else head_ref
                return self._error(404, f"no commit {missing} in the seeded history")
            from_base = set(state.ancestry(base, _COMPARE_LIMIT))
            ahead: list[str] = []
            for sha in state.ancestry(head, _COMPARE_LIMIT):
                if sha in from_base:
                    break
                ahead.append(sha)
            commits = [
                {
                    "sha": sha,
                    "title": commit.message.split("\n")[0] if commit else "",
                    "author": commit.author if commit else "",
                }
                for sha, commit in ((sha, state.git_commits.get(sha)) for sha in reversed(ahead))
            ]
        view = {
            "base": base_ref,
            "head": head_ref,
            "commits": commits,
            "repo_path": f"/{OWNER}/{REPO}",
        }
        return self._page("compare.html", view)

    def issue_page(
        self,
        number: int,
        acting: str,
        *,
        error: str | None = None,
        draft: str = "",
        editing: Mapping[str, Any] | None = None,
        status: int = 200,
    ) -> WebReply:
        """Issue ``number`` as GitHub shows it; with ``error``, a refused post's message.

        ``editing`` (``id``, ``body``, ``login``) is a refused edit: that comment's
        Edit form comes back open with what was written and who tried.
        """
        view = self._issue_view(number)
        if view is None:
            return self._error(404, f"issue #{number} does not exist; the issues are listed at /")
        view.update({"acting": acting, "error": error, "draft": draft, "editing": editing})
        return self._page("issue.html", view, status)

    def new_issue_page(
        self,
        acting: str,
        prefill: Mapping[str, list[str]],
        error: str | None = None,
        status: int = 200,
    ) -> WebReply:
        """A blank issue, prefilled from ``title``, ``body`` and ``labels`` as GitHub's URL allows.

        ``labels`` is comma-separated in a link (``?labels=incident,SEV-1``) and
        repeated in a refused post; either way the boxes come back ticked.
        """
        chosen = {
            name.strip()
            for value in prefill.get("labels", []) + prefill.get("label", [])
            for name in value.split(",")
            if name.strip()
        }
        with self.sandbox.state.lock:
            labels = [
                {"name": x.name, "on": x.name in chosen}
                for x in sorted(self.sandbox.state.labels.values(), key=lambda x: x.name.lower())
            ]
            users = [
                {"login": u.login, "permission": u.permission}
                for u in forms.people_of(self.sandbox)
            ]
        context = {
            "error": error,
            "acting": acting,
            "users": users,
            "all_labels": labels,
            "title": (prefill.get("title") or [""])[-1][:TITLE_LIMIT],
            "draft": (prefill.get("body") or [""])[-1][:BODY_LIMIT],
            "body_limit": BODY_LIMIT,
            "title_limit": TITLE_LIMIT,
            "action": f"/{OWNER}/{REPO}/issues",
        }
        return self._page("new_issue.html", context, status)

    def issue_form_page(
        self,
        template: str,
        acting: str,
        answers: Mapping[str, list[str]],
        error: str | None = None,
        status: int = 200,
    ) -> WebReply:
        """Issue form ``template`` drawn as GitHub draws it, with ``answers`` filled in."""
        form = self.issue_forms.get(template)
        if form is None:
            known = ", ".join(self.issue_forms) or "none"
            return self._error(404, f"no issue form {template!r}; the forms here: {known}")
        fields = []
        for element in form.fields:
            given = [v[:BODY_LIMIT] for v in answers.get(element.name, [])]
            fields.append(
                {
                    "field": element,
                    "markdown": self._md(element.value) if element.kind == "markdown" else "",
                    "help": self._md(element.description) if element.description else "",
                    "value": given[-1] if given else "",
                    "given": given,
                }
            )
        with self.sandbox.state.lock:
            users = [
                {"login": u.login, "permission": u.permission}
                for u in forms.people_of(self.sandbox)
            ]
        context = {
            "form": form,
            "fields": fields,
            "error": error,
            "acting": acting,
            "users": users,
            "title": (answers.get("title") or [form.title])[-1][:TITLE_LIMIT],
            "title_limit": TITLE_LIMIT,
            "body_limit": BODY_LIMIT,
            "action": f"/{OWNER}/{REPO}/issues",
        }
        return self._page("issue_form.html", context, status)

    # -- the drill -------------------------------------------------------------------------

    def drill_page(self) -> WebReply:
        """``/_drill``: what the running drill is, who plays, what it did, and its debrief."""
        panel = self.sandbox.drill_panel
        if panel is None:
            return self._error(404, drill_pages.NO_DRILL)
        form = f"/{OWNER}/{REPO}/issues/new"
        form += (
            f"?template={quote(drill_pages.INCIDENT_FORM)}"
            if drill_pages.INCIDENT_FORM in self.issue_forms
            else "/choose"
        )
        view = drill_pages.page(panel.page(), form)
        signal = view["signal"]
        signal["issue"] = self._linked_issue(signal["url"])
        if not signal["body"] and signal["issue"] is not None:
            # The alert as it was opened here (its numbers filled in), when the panel leaves it out.
            with self.sandbox.state.lock:
                found = self.sandbox.state.issues.get(signal["issue"]["number"])
                signal["body"] = (found.body or "") if found is not None else ""
        signal["body_html"] = self._md(signal["body"])
        view["incident_issue"] = self._linked_issue(view["incident"])
        view["debrief_html"] = (
            self._md(view["debrief_markdown"]) if view["debrief_markdown"] is not None else None
        )
        return self._page("drill.html", view)

    def debrief_page(self) -> WebReply:
        """``/_drill/debrief``: the debrief rendered, or a note that it comes at the end."""
        panel = self.sandbox.drill_panel
        if panel is None:
            return self._error(404, drill_pages.NO_DRILL)
        shown = panel.page()
        debrief = shown.get("debrief_markdown")
        view = {
            "title": str(shown.get("title") or ""),
            "debrief_html": self._md(debrief) if isinstance(debrief, str) else None,
            "pending": drill_pages.DEBRIEF_PENDING,
        }
        return self._page("debrief.html", view)

    def debrief_json(self) -> WebReply:
        """``/_drill/debrief.json``: the panel's JSON text; 404 with a message before the end."""
        panel = self.sandbox.drill_panel
        if panel is None:
            return self._json(404, json.dumps({"message": drill_pages.NO_DRILL}))
        text = panel.debrief_json()
        if text is None:
            return self._json(404, json.dumps({"message": drill_pages.DEBRIEF_PENDING}))
        return self._json(200, text)

    def _linked_issue(self, url: str | None) -> dict[str, Any] | None:
        """The issue of this repository a drill link points at (number, title, state), if any."""
        found = _ISSUE_PATH.fullmatch(urlsplit(url).path) if url else None
        if found is None or not self._ours(found):
            return None
        with self.sandbox.state.lock:
            return self._reference(int(found["number"]))

    def _runs(self) -> dict[str, Any]:
        runs = []
        every = self.sandbox.runs()
        for run in reversed(every[-RUNS_SHOWN:]):
            payload = run.get("payload") or {}
            subject = payload.get("issue") or payload.get("pull_request") or {}
            number = subject.get("number") if isinstance(subject, dict) else None
            attempts = []
            for attempt in run.get("attempts", []):
                attempts.append(
                    {
                        **attempt,
                        "stdout": _tail(str(attempt.get("stdout") or "")),
                        "stderr": _tail(str(attempt.get("stderr") or "")),
                        "summary_html": self._md(attempt.get("step_summary"))
                        if attempt.get("step_summary")
                        else "",
                    }
                )
            runs.append(
                {
                    "id": run["id"],
                    "number": run.get("run_number"),
                    "event": run.get("event"),
                    "action": run.get("action"),
                    "actor": run.get("actor"),
                    "status": run.get("status"),
                    "conclusion": run.get("conclusion"),
                    "exit_code": run.get("exit_code"),
                    "attempt": run.get("run_attempt"),
                    "queued_at": run.get("queued_at"),
                    "finished_at": run.get("finished_at"),
                    "request_count": run.get("request_count", 0),
                    "group": run.get("group"),
                    "issue": {"number": number, "url": self._issue_url(number)}
                    if isinstance(number, int)
                    else None,
                    "attempts": attempts,
                }
            )
        return {
            "runs": runs,
            "total": len(every),
            "dispatching": self.sandbox.dispatcher is not None,
        }

    # -- posts ---------------------------------------------------------------------------

    def _post(self, path: str, headers: Mapping[str, str], raw: bytes) -> WebReply:
        edit = _COMMENT_POST.fullmatch(path)
        if edit and self._ours(edit):
            if not self._same_origin(headers):
                return self._error(403, "forms are posted from the sandbox's own pages only")
            return self._edit_comment(int(edit["comment_id"]), headers, raw)
        new = _NEW_ISSUE.fullmatch(path)
        if new and not new["new"] and self._ours(new):
            if not self._same_origin(headers):
                return self._error(403, "forms are posted from the sandbox's own pages only")
            return self._open_issue(headers, raw)
        found = _ISSUE_POST.fullmatch(path)
        if found is None or not self._ours(found):
            return self._error(404, f"no form posts to {path}")
        if not self._same_origin(headers):
            return self._error(403, "forms are posted from the sandbox's own pages only")
        number = int(found["number"])
        if number not in self.sandbox.state.issues:
            return self._error(404, f"issue #{number} does not exist")
        fields: dict[str, list[str]] = {}
        try:
            fields = forms.parse_form(raw, _header(headers, "Content-Type"))
            action = {
                "comments": forms.post_comment,
                "state": forms.change_state,
                "labels": forms.relabel,
            }[found["what"]]
            outcome = action(self.sandbox, number, fields)
        except forms.FormError as exc:
            return self.issue_page(
                number,
                self._acting(fields),
                error=exc.message,
                draft=_draft(fields),
                status=exc.status,
            )
        acting = self._acting(fields)
        if not outcome.ok:
            return self.issue_page(
                number, acting, error=outcome.error, draft=_draft(fields), status=outcome.status
            )
        target = f"{self._issue_url(number)}?as={quote(acting, safe='')}"
        if found["what"] == "comments" and isinstance(outcome.body, dict):
            target += f"#issuecomment-{int(outcome.body.get('id', 0))}"
        return WebReply(
            303, b"", {**self._headers("text/plain; charset=utf-8"), "Location": target}
        )

    def _edit_comment(self, comment_id: int, headers: Mapping[str, str], raw: bytes) -> WebReply:
        """An Edit form's post: the comment's new body as the chosen user, back to its anchor.

        A refusal (the form's or GitHub's) redraws the issue page with that
        comment's Edit form open, holding what was written.
        """
        with self.sandbox.state.lock:
            comment = self.sandbox.state.comments.get(comment_id)
            number = comment.issue if comment is not None else None
        if number is None:
            return self._error(
                404, f"comment {comment_id} does not exist; the issues are listed at /"
            )
        fields: dict[str, list[str]] = {}
        try:
            fields = forms.parse_form(raw, _header(headers, "Content-Type"))
            outcome = forms.edit_comment(self.sandbox, comment_id, fields)
        except forms.FormError as exc:
            return self._refused_edit(number, comment_id, fields, exc.message, exc.status)
        if not outcome.ok:
            return self._refused_edit(number, comment_id, fields, outcome.error, outcome.status)
        acting = quote(self._acting(fields), safe="")
        target = f"{self._issue_url(number)}?as={acting}#issuecomment-{comment_id}"
        return WebReply(
            303, b"", {**self._headers("text/plain; charset=utf-8"), "Location": target}
        )

    def _refused_edit(
        self,
        number: int,
        comment_id: int,
        fields: Mapping[str, list[str]],
        error: str | None,
        status: int,
    ) -> WebReply:
        acting = self._acting(fields)
        editing = {"id": comment_id, "body": _draft(fields), "login": acting}
        return self.issue_page(number, acting, error=error, editing=editing, status=status)

    def _open_issue(self, headers: Mapping[str, str], raw: bytes) -> WebReply:
        fields: dict[str, list[str]] = {}
        form: IssueForm | None = None
        try:
            fields = forms.parse_form(raw, _header(headers, "Content-Type"))
            template = (fields.get("template") or [""])[-1]
            form = self.issue_forms.get(template) if template else None
            if template and form is None:
                return self._error(404, f"no issue form {template!r}; see the New issue page")
            outcome = forms.open_issue(self.sandbox, fields, form)
        except forms.FormError as exc:
            return self._refill(form, fields, exc.message, exc.status)
        acting = self._acting(fields)
        if not outcome.ok or not isinstance(outcome.body, dict):
            return self._refill(form, fields, outcome.error, outcome.status)
        target = f"{self._issue_url(int(outcome.body['number']))}?as={quote(acting, safe='')}"
        return WebReply(
            303, b"", {**self._headers("text/plain; charset=utf-8"), "Location": target}
        )

    def _refill(
        self,
        form: IssueForm | None,
        fields: Mapping[str, list[str]],
        error: str | None,
        status: int,
    ) -> WebReply:
        """The page a refused new issue came from, with what was written and why it failed."""
        acting = self._acting(fields)
        if form is None:
            return self.new_issue_page(acting, fields, error, status)
        return self.issue_form_page(form.file, acting, fields, error, status)

    def _same_origin(self, headers: Mapping[str, str]) -> bool:
        """Refuse a post another site's page made, as the browser reports it.

        A browser says where a post comes from in ``Sec-Fetch-Site`` (and
        ``Origin``); a client that sends neither (a test, curl) is on loopback anyway.
        """
        site = _header(headers, "Sec-Fetch-Site")
        if site:
            return site in ("same-origin", "none")
        origin = _header(headers, "Origin")
        if not origin:
            return True
        host = urlsplit(origin).netloc
        return host in (f"127.0.0.1:{self.sandbox.port}", f"localhost:{self.sandbox.port}")


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def _draft(fields: Mapping[str, list[str]]) -> str:
    values = fields.get("body") or [""]
    return values[0][:BODY_LIMIT]


def _tail(text: str) -> str:
    if len(text) <= _LOG_LIMIT:
        return text
    return f"… ({len(text) - _LOG_LIMIT} earlier characters not shown)\n" + text[-_LOG_LIMIT:]
