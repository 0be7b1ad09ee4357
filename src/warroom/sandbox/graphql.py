"""The sandbox's GraphQL room: ``POST /api/graphql``, just enough of GitHub's Projects API.

warroom files follow-ups on a GitHub Project (the new Projects), which only GitHub's
GraphQL API can write. This room serves what that needs, over the sandbox's
repositories: an organisation's or user's ``projectV2(number:)`` with its fields
and items, ``repository.issue`` with the issue's project items, and the mutations
``addProjectV2ItemById`` (which, as on GitHub, returns the existing item when the
issue is on the board already) and ``updateProjectV2ItemFieldValue``.

It is a small GraphQL executor, stdlib only: it parses any document (fields,
aliases, arguments, variables, fragments, inline fragments), so an answer holds
exactly what the query selected and nothing else. It does not type-check
queries against GitHub's schema; the test suite does that for every request
(``tests/support/graphql.py``). What it cannot resolve answers as GitHub does:
HTTP 200 with an ``errors`` list (``NOT_FOUND``, ``FORBIDDEN``, ``undefinedField``).
Projects live in memory (seeded through ``POST /_sandbox/projects``); they are
not kept in the data file.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from warroom.sandbox.seed import OWNER, OWNER_ID, node_id

if TYPE_CHECKING:
    from warroom.sandbox.records import Issue
    from warroom.sandbox.state import State

MAX_QUERY_BYTES = 256 * 1024
MAX_DEPTH = 25


# -- the board's data -------------------------------------------------------------------


@dataclass
class Field:
    """A project field: ``TEXT``, ``DATE``, ``NUMBER`` or ``SINGLE_SELECT`` (with options)."""

    id: str
    name: str
    data_type: str
    options: list[tuple[str, str]] = field(default_factory=list)
    """(option id, option name), in order."""


@dataclass
class Item:
    """An issue on a project, with the values set on its fields (by field id)."""

    id: str
    content: str
    """The issue's node id."""
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Project:
    id: str
    owner: str
    owner_type: str
    """``Organization`` or ``User``."""
    number: int
    title: str
    fields: list[Field] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


DEFAULT_FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Title", "TITLE", ()),
    ("Status", "SINGLE_SELECT", ("Todo", "In Progress", "Done")),
    ("Owner", "TEXT", ()),
    ("Due date", "DATE", ()),
    ("Incident", "TEXT", ()),
)
"""What ``seed_project`` makes without ``fields``: a new board's Status and warroom's fields."""


class Board:
    """Every project the sandbox holds; thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.projects: list[Project] = []
        self._next = 1

    def _id(self, prefix: str) -> str:
        self._next += 1
        return node_id(prefix, "project", self._next)

    def _option_id(self) -> str:
        """Eight hex digits, as GitHub names single-select options."""
        self._next += 1
        return f"{self._next * 2654435761 % 2**32:08x}"

    def seed_project(
        self,
        *,
        owner: str,
        owner_type: str,
        number: int,
        title: str,
        fields: Sequence[tuple[str, str, Sequence[str]]] = DEFAULT_FIELDS,
    ) -> Project:
        """A new project (replacing one with the same owner and number)."""
        with self.lock:
            project = Project(self._id("PVT"), owner, owner_type, number, title)
            for name, data_type, options in fields:
                project.fields.append(
                    Field(
                        self._id("PVTF" if not options else "PVTSSF"),
                        name,
                        data_type,
                        [(self._option_id(), option) for option in options],
                    )
                )
            self.projects = [
                p
                for p in self.projects
                if not (p.owner.lower() == owner.lower() and p.number == number)
            ]
            self.projects.append(project)
            return project

    def find(self, owner: str, owner_type: str, number: int) -> Project | None:
        for project in self.projects:
            if (
                project.owner.lower() == owner.lower()
                and project.owner_type == owner_type
                and project.number == number
            ):
                return project
        return None

    def by_id(self, project_id: str) -> Project | None:
        return next((p for p in self.projects if p.id == project_id), None)

    def add_item(self, project: Project, content: str) -> Item:
        """The issue's item on the project: the existing one if it is there already."""
        for item in project.items:
            if item.content == content:
                return item
        item = Item(self._id("PVTI"), content)
        project.items.append(item)
        return item

    def snapshot(self) -> list[dict[str, Any]]:
        """Every project, its fields and items with values by field name, for tests."""
        with self.lock:
            out = []
            for p in self.projects:
                names = {f.id: f for f in p.fields}
                items = []
                for item in p.items:
                    values: dict[str, Any] = {}
                    for fid, value in item.values.items():
                        f = names.get(fid)
                        if f is None:
                            continue
                        if f.data_type == "SINGLE_SELECT":
                            value = dict(f.options).get(value, value)
                        values[f.name] = value
                    items.append({"id": item.id, "content": item.content, "values": values})
                out.append(
                    {"id": p.id, "owner": p.owner, "number": p.number, "title": p.title}
                    | {"items": items}
                )
            return out


# -- parsing ---------------------------------------------------------------------------


class GraphQLError(Exception):
    """One entry of the answer's ``errors``."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def to_json(self) -> dict[str, Any]:
        return {**self.extra, "message": self.message}


_PUNCT = frozenset("!$():=@[]{}|&")
_HEX = frozenset("0123456789abcdefABCDEF")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
"""GraphQL's IntValue and FloatValue; each part is told apart by the character that starts it."""


@dataclass(frozen=True)
class _Token:
    kind: str
    """``name``, ``int``, ``float``, ``string``, ``punct``, ``spread`` or ``end``."""
    value: str
    line: int
    column: int


def _tokens(text: str) -> list[_Token]:
    """GraphQL's lexical grammar, in one pass over the text."""
    out: list[_Token] = []
    i, line, start = 0, 1, 0
    n = len(text)
    while i < n:
        c = text[i]
        column = i - start + 1
        if c == "\n":
            i, line, start = i + 1, line + 1, i + 1
        elif c in " \t\r,\ufeff":
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c in _PUNCT:
            out.append(_Token("punct", c, line, column))
            i += 1
        elif text.startswith("...", i):
            out.append(_Token("spread", "...", line, column))
            i += 3
        elif c == '"':
            j, chars = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\n":
                    raise _syntax("unterminated string", line, column)
                if text[j] == "\\" and j + 1 < n:
                    escaped = text[j + 1]
                    if escaped == "u":
                        code = text[j + 2 : j + 6]
                        if len(code) != 4 or any(x not in _HEX for x in code):
                            raise _syntax(f'invalid escape "\\u{code}"', line, column)
                        chars.append(chr(int(code, 16)))
                        j += 6
                        continue
                    chars.append(
                        {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(
                            escaped, escaped
                        )
                    )
                    j += 2
                    continue
                chars.append(text[j])
                j += 1
            if j >= n:
                raise _syntax("unterminated string", line, column)
            out.append(_Token("string", "".join(chars), line, column))
            i = j + 1
        elif c.isalpha() or c == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            out.append(_Token("name", text[i:j], line, column))
            i = j
        elif c.isdigit() or c == "-":
            found = _NUMBER.match(text, i)
            if found is None or (
                found.end() < n and (text[found.end()].isalnum() or text[found.end()] in "._")
            ):
                raise _syntax(f'invalid number "{text[i : i + 12]}"', line, column)
            number = found.group()
            kind = "float" if any(x in number for x in ".eE") else "int"
            out.append(_Token(kind, number, line, column))
            i = found.end()
        else:
            raise _syntax(f'unexpected character "{c}"', line, column)
    out.append(_Token("end", "", line, i - start + 1))
    return out


def _syntax(what: str, line: int, column: int) -> GraphQLError:
    return GraphQLError(
        f"Parse error on {what} at [{line}, {column}]",
        locations=[{"line": line, "column": column}],
    )


@dataclass(frozen=True)
class Selected:
    """A field in a selection set."""

    alias: str
    name: str
    arguments: dict[str, Any]
    selections: tuple[Any, ...]
    line: int
    column: int


@dataclass(frozen=True)
class Spread:
    """``...Name`` or ``... on Type { }`` (``condition`` empty: no type condition)."""

    fragment: str
    condition: str
    selections: tuple[Any, ...]


@dataclass(frozen=True)
class Variable:
    name: str


@dataclass(frozen=True)
class Document:
    kind: str
    """``query`` or ``mutation``."""
    variables: dict[str, Any]
    """Declared variables with their defaults (``None`` when none)."""
    selections: tuple[Any, ...]
    fragments: dict[str, tuple[str, tuple[Any, ...]]]


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self, kind: str, value: str | None = None) -> _Token:
        token = self.tokens[self.at]
        if token.kind != kind or (value is not None and token.value != value):
            shown = token.value or "end of file"
            raise _syntax(f'"{shown}" ({token.kind.upper()})', token.line, token.column)
        self.at += 1
        return token

    def is_(self, kind: str, value: str | None = None) -> bool:
        token = self.tokens[self.at]
        return token.kind == kind and (value is None or token.value == value)

    def document(self, operation_name: str | None) -> Document:
        operations: list[Document] = []
        fragments: dict[str, tuple[str, tuple[Any, ...]]] = {}
        names: list[str | None] = []
        while not self.is_("end"):
            if self.is_("name", "fragment"):
                self.take("name")
                fragment = self.take("name").value
                self.take("name", "on")
                condition = self.take("name").value
                self._directives()
                fragments[fragment] = (condition, self.selection_set(0))
                continue
            kind, variables = "query", {}
            name: str | None = None
            if self.is_("name"):
                kind = self.take("name").value
                if kind not in {"query", "mutation"}:
                    token = self.tokens[self.at - 1]
                    raise _syntax(f'"{kind}" (IDENTIFIER)', token.line, token.column)
                if self.is_("name"):
                    name = self.take("name").value
                if self.is_("punct", "("):
                    variables = self._variable_definitions()
                self._directives()
            operations.append(Document(kind, variables, self.selection_set(0), {}))
            names.append(name)
        if not operations:
            raise GraphQLError("No operations in the document")
        if operation_name is not None:
            if operation_name not in names:
                raise GraphQLError(f'No operation named "{operation_name}"')
            chosen = operations[names.index(operation_name)]
        elif len(operations) > 1:
            raise GraphQLError("An operation name is required when the document has several")
        else:
            chosen = operations[0]
        return Document(chosen.kind, chosen.variables, chosen.selections, fragments)

    def _variable_definitions(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        self.take("punct", "(")
        while not self.is_("punct", ")"):
            self.take("punct", "$")
            name = self.take("name").value
            self.take("punct", ":")
            self._type()
            found[name] = self.value(const=True) if self._skip("punct", "=") else None
        self.take("punct", ")")
        return found

    def _type(self) -> None:
        if self._skip("punct", "["):
            self._type()
            self.take("punct", "]")
        else:
            self.take("name")
        self._skip("punct", "!")

    def _skip(self, kind: str, value: str) -> bool:
        if self.is_(kind, value):
            self.at += 1
            return True
        return False

    def _directives(self) -> None:
        while self._skip("punct", "@"):
            self.take("name")
            if self.is_("punct", "("):
                self._arguments()

    def selection_set(self, depth: int) -> tuple[Any, ...]:
        if depth > MAX_DEPTH:
            token = self.peek()
            raise _syntax("a query nested too deep", token.line, token.column)
        self.take("punct", "{")
        out: list[Any] = []
        while not self._skip("punct", "}"):
            if self._skip("spread", "..."):
                if self.is_("name", "on"):
                    self.take("name")
                    condition = self.take("name").value
                    self._directives()
                    out.append(Spread("", condition, self.selection_set(depth + 1)))
                elif self.is_("name"):
                    out.append(Spread(self.take("name").value, "", ()))
                    self._directives()
                else:
                    self._directives()
                    out.append(Spread("", "", self.selection_set(depth + 1)))
                continue
            first = self.take("name")
            alias, name = first.value, first.value
            if self._skip("punct", ":"):
                name = self.take("name").value
            arguments = self._arguments() if self.is_("punct", "(") else {}
            self._directives()
            inner = self.selection_set(depth + 1) if self.is_("punct", "{") else ()
            out.append(Selected(alias, name, arguments, inner, first.line, first.column))
        return tuple(out)

    def _arguments(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        self.take("punct", "(")
        while not self._skip("punct", ")"):
            name = self.take("name").value
            self.take("punct", ":")
            found[name] = self.value(const=False)
        return found

    def value(self, *, const: bool) -> Any:
        token = self.peek()
        if not const and self._skip("punct", "$"):
            return Variable(self.take("name").value)
        if self._skip("punct", "["):
            items = []
            while not self._skip("punct", "]"):
                items.append(self.value(const=const))
            return items
        if self._skip("punct", "{"):
            fields: dict[str, Any] = {}
            while not self._skip("punct", "}"):
                key = self.take("name").value
                self.take("punct", ":")
                fields[key] = self.value(const=const)
            return fields
        self.at += 1
        if token.kind == "int":
            return int(token.value)
        if token.kind == "float":
            return float(token.value)
        if token.kind == "string":
            return token.value
        if token.kind == "name":
            return {"true": True, "false": False, "null": None}.get(token.value, token.value)
        raise _syntax(f'"{token.value}" ({token.kind.upper()})', token.line, token.column)


def parse(text: str, operation_name: str | None = None) -> Document:
    """The operation to run, with the document's fragments; ``GraphQLError`` if unreadable."""
    return _Parser(text).document(operation_name)


# -- executing -------------------------------------------------------------------------


class Node:
    """A GraphQL object: its type, the abstract types it belongs to, and its fields."""

    def __init__(
        self,
        typename: str,
        kinds: Sequence[str],
        fields: Mapping[str, Callable[[dict[str, Any]], Any]],
    ) -> None:
        self.typename = typename
        self.kinds = frozenset((typename, *kinds))
        self.fields = fields


def _constant(value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda _: value


class _Run:
    def __init__(self, document: Document, variables: Mapping[str, Any]) -> None:
        self.document = document
        self.variables = {**document.variables, **variables}
        self.errors: list[dict[str, Any]] = []

    def arguments(self, selected: Selected) -> dict[str, Any]:
        return {k: self._bind(v) for k, v in selected.arguments.items()}

    def _bind(self, value: Any) -> Any:
        if isinstance(value, Variable):
            return self.variables.get(value.name)
        if isinstance(value, list):
            return [self._bind(v) for v in value]
        if isinstance(value, dict):
            return {k: self._bind(v) for k, v in value.items()}
        return value

    def fields_of(self, node: Node, selections: Sequence[Any]) -> list[Selected]:
        """The selection flattened for this object: fragments whose type it has, in order."""
        out: list[Selected] = []
        for selection in selections:
            if isinstance(selection, Selected):
                out.append(selection)
                continue
            condition, inner = selection.condition, selection.selections
            if selection.fragment:
                found = self.document.fragments.get(selection.fragment)
                if found is None:
                    raise GraphQLError(f"Fragment {selection.fragment} was used, but not defined")
                condition, inner = found
            if not condition or condition in node.kinds:
                out += self.fields_of(node, inner)
        return out

    def resolve(self, node: Node, selections: Sequence[Any], path: list[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for selected in self.fields_of(node, selections):
            where = [*path, selected.alias]
            if selected.name == "__typename":
                out[selected.alias] = node.typename
                continue
            fn = node.fields.get(selected.name)
            if fn is None:
                raise GraphQLError(
                    f"Field '{selected.name}' doesn't exist on type '{node.typename}'",
                    path=[self.document.kind, *where],
                    extensions={
                        "code": "undefinedField",
                        "typeName": node.typename,
                        "fieldName": selected.name,
                    },
                    locations=[{"line": selected.line, "column": selected.column}],
                )
            try:
                value = fn(self.arguments(selected))
            except GraphQLError as exc:
                self.errors.append(
                    {
                        **exc.to_json(),
                        "path": where,
                        "locations": [{"line": selected.line, "column": selected.column}],
                    }
                )
                value = None
            if selected.alias in out and isinstance(out[selected.alias], dict):
                merged = self.complete(value, selected.selections, where)
                out[selected.alias] = {**out[selected.alias], **(merged or {})}
            else:
                out[selected.alias] = self.complete(value, selected.selections, where)
        return out

    def complete(self, value: Any, selections: Sequence[Any], path: list[Any]) -> Any:
        if isinstance(value, Node):
            return self.resolve(value, selections, path)
        if isinstance(value, list):
            return [self.complete(v, selections, [*path, i]) for i, v in enumerate(value)]
        return value


# -- GitHub's types, over the sandbox's repositories -------------------------------------


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:{index}".encode()).decode()


def _offset(after: Any) -> int:
    if after is None:
        return 0
    try:
        return int(base64.b64decode(str(after)).decode().split(":", 1)[1]) + 1
    except (ValueError, IndexError, UnicodeDecodeError):
        raise GraphQLError(f"`{after}` does not appear to be a valid cursor.") from None


def _connection(typename: str, values: Sequence[Any], args: dict[str, Any]) -> Node:
    """A Relay connection over ``values`` (``first`` up to 100, ``after``), as GitHub pages."""
    first = args.get("first")
    if first is None:
        raise GraphQLError(
            f"You must provide a `first` or `last` value to properly paginate the `{typename}` "
            "connection.",
            type="MISSING_PAGINATION_BOUNDARIES",
        )
    if not 0 <= int(first) <= 100:
        raise GraphQLError(
            f"Requesting {first} records on the `{typename}` connection exceeds the `first` "
            "limit of 100 records.",
            type="EXCESSIVE_PAGINATION",
        )
    start = _offset(args.get("after"))
    page = list(values[start : start + int(first)])
    end = start + len(page)
    info = Node(
        "PageInfo",
        (),
        {
            "hasNextPage": _constant(end < len(values)),
            "hasPreviousPage": _constant(start > 0),
            "startCursor": _constant(_cursor(start) if page else None),
            "endCursor": _constant(_cursor(end - 1) if page else None),
        },
    )
    edges = [
        Node(
            f"{typename}Edge",
            (),
            {"node": _constant(v), "cursor": _constant(_cursor(start + i))},
        )
        for i, v in enumerate(page)
    ]
    return Node(
        f"{typename}Connection",
        (),
        {
            "nodes": _constant(page),
            "edges": _constant(edges),
            "pageInfo": _constant(info),
            "totalCount": _constant(len(values)),
        },
    )


def _not_found(message: str) -> GraphQLError:
    return GraphQLError(message, type="NOT_FOUND")


@dataclass
class Repo:
    """A repository the room can resolve: its name and its state."""

    name: str
    state: State
    html: str


class GraphQLRoom:
    """Answers ``POST /api/graphql`` over the board and the sandbox's repositories."""

    def __init__(self, board: Board, repos: Callable[[], Sequence[Repo]], web: str) -> None:
        self.board = board
        self.repos = repos
        self.web = web.rstrip("/")

    # -- the request --------------------------------------------------------------

    def handle(self, body: Any, *, viewer: str | None, workflow_token: bool) -> tuple[int, Any]:
        """(HTTP status, answer) for one request body (already parsed JSON)."""
        if viewer is None:
            return 401, {
                "message": "This endpoint requires you to be authenticated.",
                "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
            }
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return 200, {
                "errors": [{"message": "A query attribute must be specified and must be a string."}]
            }
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return 200, {"errors": [{"message": "Variables are invalid JSON."}]}
        operation = body.get("operationName")
        try:
            document = parse(body["query"], operation if isinstance(operation, str) else None)
        except GraphQLError as exc:
            return 200, {"errors": [exc.to_json()]}
        run = _Run(document, variables)
        with self.board.lock:
            self._workflow = workflow_token
            root = self._mutation() if document.kind == "mutation" else self._query()
            try:
                data = run.resolve(root, document.selections, [])
            except GraphQLError as exc:
                return 200, {"errors": [exc.to_json()]}
        answer: dict[str, Any] = {"data": data}
        if run.errors:
            answer["errors"] = run.errors
        return 200, answer

    _workflow = False

    def _forbid_workflow(self) -> None:
        # GitHub: a workflow's GITHUB_TOKEN reaches the repository, never an org's or a user's
        # projects; the answer is FORBIDDEN, not a missing project.
        if self._workflow:
            raise GraphQLError("Resource not accessible by integration", type="FORBIDDEN")

    # -- roots ---------------------------------------------------------------------

    def _query(self) -> Node:
        return Node(
            "Query",
            (),
            {
                "organization": lambda a: self._owner(str(a.get("login", "")), "Organization"),
                "user": lambda a: self._owner(str(a.get("login", "")), "User"),
                "repository": lambda a: self._repository(
                    str(a.get("owner", "")), str(a.get("name", ""))
                ),
                "node": lambda a: self._node(str(a.get("id", ""))),
            },
        )

    def _mutation(self) -> Node:
        return Node(
            "Mutation",
            (),
            {
                "addProjectV2ItemById": self._add_item,
                "updateProjectV2ItemFieldValue": self._update_value,
                "clearProjectV2ItemFieldValue": self._clear_value,
            },
        )

    # -- owners and repositories --------------------------------------------------------

    def _owner(self, login: str, kind: str) -> Node:
        is_org = login.lower() == OWNER.lower()
        if (kind == "Organization") != is_org and not any(
            p.owner.lower() == login.lower() and p.owner_type == kind for p in self.board.projects
        ):
            article = "an" if kind == "Organization" else "a"
            raise _not_found(f"Could not resolve to {article} {kind} with the login of '{login}'.")

        def project(args: dict[str, Any]) -> Node:
            self._forbid_workflow()
            number = int(args.get("number", 0))
            found = self.board.find(login, kind, number)
            if found is None:
                raise _not_found(f"Could not resolve to a ProjectV2 with the number {number}.")
            return self._project(found)

        return Node(
            kind,
            ("ProjectV2Owner", "RepositoryOwner", "Actor", "Node"),
            {
                "login": _constant(login),
                "id": _constant(node_id("O" if is_org else "U", kind.lower(), OWNER_ID)),
                "projectV2": project,
            },
        )

    def _repos(self) -> dict[str, Repo]:
        return {r.name.lower(): r for r in self.repos()}

    def _repository(self, owner: str, name: str) -> Node:
        repo = self._repos().get(f"{owner}/{name}".lower())
        if repo is None:
            raise _not_found(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return self._repo_node(repo)

    def _repo_node(self, repo: Repo) -> Node:
        def issue(args: dict[str, Any]) -> Node:
            number = int(args.get("number", 0))
            with repo.state.lock:
                found = repo.state.issues.get(number)
                if found is None or number in repo.state.pulls:
                    raise _not_found(f"Could not resolve to an Issue with the number of {number}.")
                return self._issue(repo, found)

        return Node(
            "Repository",
            ("Node", "RepositoryInfo"),
            {
                "id": _constant(node_id("R", "repo", zlib.crc32(repo.name.lower().encode()))),
                "name": _constant(repo.name.split("/", 1)[1]),
                "nameWithOwner": _constant(repo.name),
                "url": _constant(repo.html),
                "issue": issue,
            },
        )

    def _find_issue(self, content: str) -> tuple[Repo, Issue] | None:
        """The issue a node id names, in whichever repository holds it (ids are unique)."""
        issue_id = _issue_id(content)
        if issue_id is None:
            return None
        for repo in self.repos():
            with repo.state.lock:
                found = repo.state.issue_by_id(issue_id)
                if found is not None and found.node_id == content:
                    return repo, found
        return None

    def _node(self, node: str) -> Node | None:
        found = self._find_issue(node)
        return self._issue(*found) if found is not None else None

    def _issue(self, repo: Repo, issue: Issue) -> Node:
        def project_items(args: dict[str, Any]) -> Node:
            items = [
                (project, item)
                for project in self.board.projects
                for item in project.items
                if item.content == issue.node_id
            ]
            # A token that may not read a project does not see its items (GitHub hides them).
            shown = [] if self._workflow else items
            return _connection("ProjectV2Item", [self._item(p, i) for p, i in shown], args)

        return Node(
            "Issue",
            ("Node", "ProjectV2ItemContent", "Closable", "Assignable", "UniformResourceLocatable"),
            {
                "id": _constant(issue.node_id),
                "number": _constant(issue.number),
                "title": _constant(issue.title),
                "state": _constant(issue.state.upper()),
                "closed": _constant(issue.state == "closed"),
                "url": _constant(f"{repo.html}/issues/{issue.number}"),
                "repository": _constant(self._repo_node(repo)),
                "projectItems": project_items,
            },
        )

    # -- projects ------------------------------------------------------------------------

    def _project(self, project: Project) -> Node:
        def field_named(args: dict[str, Any]) -> Node | None:
            name = str(args.get("name", ""))
            found = next((f for f in project.fields if f.name == name), None)
            return self._field(found) if found is not None else None

        return Node(
            "ProjectV2",
            ("Node", "Closable", "Updatable"),
            {
                "id": _constant(project.id),
                "number": _constant(project.number),
                "title": _constant(project.title),
                "closed": _constant(False),
                "url": _constant(f"{self.web}/orgs/{project.owner}/projects/{project.number}"),
                "fields": lambda a: _connection(
                    "ProjectV2FieldConfiguration", [self._field(f) for f in project.fields], a
                ),
                "field": field_named,
                "items": lambda a: _connection(
                    "ProjectV2Item", [self._item(project, i) for i in project.items], a
                ),
            },
        )

    def _field(self, f: Field) -> Node:
        common: dict[str, Callable[[dict[str, Any]], Any]] = {
            "id": _constant(f.id),
            "name": _constant(f.name),
            "dataType": _constant(f.data_type),
        }
        kinds = ("ProjectV2FieldCommon", "ProjectV2FieldConfiguration", "Node")
        if f.data_type == "SINGLE_SELECT":
            options = [
                Node(
                    "ProjectV2SingleSelectFieldOption",
                    (),
                    {"id": _constant(oid), "name": _constant(name), "nameHTML": _constant(name)},
                )
                for oid, name in f.options
            ]
            return Node(
                "ProjectV2SingleSelectField",
                kinds,
                {**common, "options": _constant(options)},
            )
        return Node("ProjectV2Field", kinds, common)

    def _item(self, project: Project, item: Item) -> Node:
        fields = {f.id: f for f in project.fields}

        def values(args: dict[str, Any]) -> Node:
            shown = [
                self._value(fields[fid], value, item)
                for fid, value in item.values.items()
                if fid in fields
            ]
            return _connection("ProjectV2ItemFieldValue", shown, args)

        def by_name(args: dict[str, Any]) -> Node | None:
            name = str(args.get("name", ""))
            for fid, value in item.values.items():
                if fid in fields and fields[fid].name == name:
                    return self._value(fields[fid], value, item)
            return None

        def content(_: dict[str, Any]) -> Node | None:
            found = self._find_issue(item.content)
            return self._issue(*found) if found is not None else None

        return Node(
            "ProjectV2Item",
            ("Node",),
            {
                "id": _constant(item.id),
                "type": _constant("ISSUE"),
                "isArchived": _constant(False),
                "project": lambda _: self._project(project),
                "content": content,
                "fieldValues": values,
                "fieldValueByName": by_name,
            },
        )

    def _value(self, f: Field, value: Any, item: Item) -> Node:
        kinds = ("ProjectV2ItemFieldValueCommon", "ProjectV2ItemFieldValue", "Node")
        common: dict[str, Callable[[dict[str, Any]], Any]] = {
            "id": _constant(node_id("PVTFV", f"{item.id}/{f.id}", 0)),
            "field": _constant(self._field(f)),
        }
        if f.data_type == "DATE":
            return Node("ProjectV2ItemFieldDateValue", kinds, {**common, "date": _constant(value)})
        if f.data_type == "SINGLE_SELECT":
            name = dict(f.options).get(value)
            return Node(
                "ProjectV2ItemFieldSingleSelectValue",
                kinds,
                {**common, "optionId": _constant(value), "name": _constant(name)},
            )
        if f.data_type == "NUMBER":
            return Node(
                "ProjectV2ItemFieldNumberValue", kinds, {**common, "number": _constant(value)}
            )
        return Node("ProjectV2ItemFieldTextValue", kinds, {**common, "text": _constant(value)})

    # -- mutations -------------------------------------------------------------------------

    def _input(self, args: dict[str, Any], *keys: str) -> dict[str, Any]:
        given = args.get("input")
        if not isinstance(given, dict):
            raise GraphQLError("Argument 'input' on Field is missing or not an object")
        for key in keys:
            if given.get(key) in (None, ""):
                raise GraphQLError(
                    f"Argument '{key}' on InputObject is required. Expected type ID!"
                )
        return given

    def _project_by_id(self, project_id: str) -> Project:
        self._forbid_workflow()
        project = self.board.by_id(project_id)
        if project is None:
            raise _not_found(f"Could not resolve to a node with the global id of '{project_id}'")
        return project

    def _add_item(self, args: dict[str, Any]) -> Node:
        given = self._input(args, "projectId", "contentId")
        project = self._project_by_id(str(given["projectId"]))
        content = str(given["contentId"])
        if self._find_issue(content) is None:
            raise _not_found(f"Could not resolve to a node with the global id of '{content}'")
        item = self.board.add_item(project, content)
        return Node(
            "AddProjectV2ItemByIdPayload",
            (),
            {
                "item": _constant(self._item(project, item)),
                "clientMutationId": _constant(given.get("clientMutationId")),
            },
        )

    def _target(self, given: dict[str, Any]) -> tuple[Project, Item, Field]:
        project = self._project_by_id(str(given["projectId"]))
        item = next((i for i in project.items if i.id == given["itemId"]), None)
        if item is None:
            raise _not_found(
                f"Could not resolve to a node with the global id of '{given['itemId']}'"
            )
        f = next((x for x in project.fields if x.id == given["fieldId"]), None)
        if f is None:
            raise _not_found(
                f"Could not resolve to a node with the global id of '{given['fieldId']}'"
            )
        return project, item, f

    def _update_value(self, args: dict[str, Any]) -> Node:
        given = self._input(args, "projectId", "itemId", "fieldId", "value")
        project, item, f = self._target(given)
        value = given["value"]
        if not isinstance(value, dict):
            raise GraphQLError("Argument 'value' on InputObject must be an object")
        wanted = {
            "TEXT": "text",
            "DATE": "date",
            "NUMBER": "number",
            "SINGLE_SELECT": "singleSelectOptionId",
        }.get(f.data_type)
        given_keys = [k for k, v in value.items() if v is not None]
        if wanted is None or given_keys != [wanted]:
            raise GraphQLError(
                f"The field of type {f.data_type} requires exactly one value of "
                f"`{wanted}`; got {', '.join(given_keys) or 'none'}."
            )
        new = value[wanted]
        if f.data_type == "SINGLE_SELECT" and new not in dict(f.options):
            raise GraphQLError(f"The single select option Id does not belong to the field {f.name}")
        if f.data_type == "DATE" and not _is_date(str(new)):
            raise GraphQLError(
                f"Argument 'date' on InputObject has an invalid value ({json.dumps(new)})"
            )
        item.values[f.id] = new
        return self._item_payload("UpdateProjectV2ItemFieldValuePayload", project, item, given)

    def _clear_value(self, args: dict[str, Any]) -> Node:
        given = self._input(args, "projectId", "itemId", "fieldId")
        project, item, f = self._target(given)
        item.values.pop(f.id, None)
        return self._item_payload("ClearProjectV2ItemFieldValuePayload", project, item, given)

    def _item_payload(
        self, typename: str, project: Project, item: Item, given: dict[str, Any]
    ) -> Node:
        return Node(
            typename,
            (),
            {
                "projectV2Item": _constant(self._item(project, item)),
                "clientMutationId": _constant(given.get("clientMutationId")),
            },
        )


def _is_date(text: str) -> bool:
    parts = text.split("-")
    return (
        len(parts) == 3 and [len(p) for p in parts] == [4, 2, 2] and all(p.isdigit() for p in parts)
    )


def _issue_id(node: str) -> int | None:
    """The issue id inside a sandbox node id (``seed.node_id("I", "issue", id)``)."""
    prefix, _, encoded = node.partition("_kwDO")
    if prefix != "I" or not encoded:
        return None
    try:
        kind, _, number = (
            base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(number) if kind == "issue" and number.isdigit() else None
