"""The GraphQL oracle: every GraphQL request judged against GitHub's public schema.

The sandbox answers GraphQL without knowing GitHub's schema (``warroom.sandbox.graphql``
only parses and resolves), so this oracle is what keeps warroom's queries honest:
each request is parsed and validated with graphql-core against
``@octokit/graphql-schema`` (GitHub's published schema, from npm), its variables
coerced to their declared types, and each answer's ``data`` walked against the
query's selection: every key a selected field, every selected field of a type
that surely applies present, every scalar of its type, no null where the schema
says non-null unless an error at that path explains it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    get_named_type,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from tests.support import Violation, node_file
from warroom.sandbox.observe import Exchange

SCHEMA_FILE = "@octokit/graphql-schema/schema.graphql"

_SCALARS: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "ID": (str,),
    "Boolean": (bool,),
    "Int": (int,),
    "Float": (int, float),
}
"""Built-in scalars by the JSON types they come as; GitHub's own (Date, URI, ...) are strings."""


@cache
def github_schema() -> GraphQLSchema:
    """GitHub's schema, built once per process (a second or two)."""
    # GitHub's published SDL breaks two of graphql-core's rules about the schema itself (a few
    # enterprise fields defined twice; deprecated implementations of non-deprecated interface
    # fields). Neither touches the types warroom queries, so the schema is taken as valid and
    # queries are still validated against it in full.
    schema = build_schema(node_file(SCHEMA_FILE).read_text(encoding="utf-8"), assume_valid_sdl=True)
    schema._validation_errors = []  # what graphql-core's own check records for a valid schema
    return schema


class GraphQLOracle:
    """Checks GraphQL exchanges; ``check`` lists every departure (empty when it conforms)."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema

    def check(self, exchange: Exchange) -> list[Violation]:
        seen = f"POST /graphql -> {exchange.status}"
        body = exchange.request_body
        if exchange.status == 401 or exchange.status == 0:
            return []  # refused before it is read, or the connection dropped without an answer
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return [self._violation(seen, "request body", "$", "no query string")]
        try:
            document = parse(body["query"])
        except GraphQLError as error:
            return [self._violation(seen, "query", "$", error.message)]
        found = [
            self._violation(seen, "query", _where(error), error.message)
            for error in validate(self.schema, document)
        ]
        if found:
            return found
        operation = _operation(document, body.get("operationName"))
        if operation is None:
            return [self._violation(seen, "query", "$", "no operation to run")]
        variables = body.get("variables") or {}
        coerced = get_variable_values(self.schema, operation.variable_definitions or (), variables)
        if isinstance(coerced, list):
            return [self._violation(seen, "variables", "$", error.message) for error in coerced]
        return self._check_answer(exchange, document, operation, seen)

    def _check_answer(
        self,
        exchange: Exchange,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        seen: str,
    ) -> list[Violation]:
        answer = exchange.response_body
        if exchange.status != 200:
            # GitHub's edge answered (a 502, a rate limit): a REST error, not a GraphQL answer.
            if isinstance(answer, dict) and isinstance(answer.get("message"), str):
                return []
            return [self._violation(seen, "response", "$", "an error without a message")]
        if not isinstance(answer, dict):
            return [self._violation(seen, "response", "$", "GraphQL answers a JSON object")]
        errors = answer.get("errors") or []
        for error in errors:
            if not isinstance(error, dict) or not isinstance(error.get("message"), str):
                return [self._violation(seen, "response", "$.errors", "an error has no message")]
        if "data" not in answer:
            return (
                []
                if errors
                else [self._violation(seen, "response", "$", "neither data nor errors")]
            )
        root = (
            self.schema.mutation_type
            if operation.operation.value == "mutation"
            else self.schema.query_type
        )
        assert root is not None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        explained = [tuple(e.get("path") or ()) for e in errors if isinstance(e, dict)]
        walker = _Walker(self.schema, fragments, explained)
        walker.walk(GraphQLNonNull(root), operation.selection_set, answer["data"], [])
        return [self._violation(seen, "response", at, what) for at, what in walker.problems]

    @staticmethod
    def _violation(seen: str, part: str, location: str, message: str) -> Violation:
        return Violation("graphql", seen, part, location, message)


def _operation(document: DocumentNode, name: Any) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if isinstance(name, str):
        return next((o for o in operations if o.name and o.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


def _where(error: GraphQLError) -> str:
    if error.locations:
        first = error.locations[0]
        return f"line {first.line}, column {first.column}"
    return "$"


class _Walker:
    """Walks ``data`` against a selection, collecting (path, problem)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        explained: list[tuple[Any, ...]],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.explained = explained
        self.problems: list[tuple[str, str]] = []

    def _say(self, path: list[Any], what: str) -> None:
        self.problems.append(
            ("$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path), what)
        )

    def walk(
        self, kind: Any, selection: SelectionSetNode | None, value: Any, path: list[Any]
    ) -> None:
        if value is None:
            if isinstance(kind, GraphQLNonNull) and not self._explained(path):
                self._say(path, f"null where the schema says {kind}")
            return
        if isinstance(kind, GraphQLNonNull):
            kind = kind.of_type
        if isinstance(kind, GraphQLList):
            if not isinstance(value, list):
                self._say(path, f"expected a list ({kind}), got {type(value).__name__}")
                return
            for index, item in enumerate(value):
                self.walk(kind.of_type, selection, item, [*path, index])
            return
        if isinstance(kind, GraphQLScalarType):
            allowed = _SCALARS.get(kind.name, (str,))
            if not isinstance(value, allowed) or (bool not in allowed and isinstance(value, bool)):
                self._say(path, f"{value!r} is not a {kind.name}")
            return
        if isinstance(kind, GraphQLEnumType):
            if value not in kind.values:
                self._say(path, f"{value!r} is not one of {kind.name}'s values")
            return
        if not isinstance(value, dict):
            self._say(path, f"expected an object ({kind.name}), got {type(value).__name__}")
            return
        assert selection is not None
        expected: dict[str, tuple[Any, SelectionSetNode | None, bool]] = {}
        self._collect(kind, selection, expected, sure=True)
        for key in value:
            if key not in expected:
                self._say([*path, key], "not selected by the query")
        for key, (field_type, inner, sure) in expected.items():
            if key not in value:
                if sure:
                    self._say([*path, key], "selected by the query but missing")
                continue
            self.walk(field_type, inner, value[key], [*path, key])

    def _collect(
        self,
        kind: Any,
        selection: SelectionSetNode,
        out: dict[str, tuple[Any, SelectionSetNode | None, bool]],
        *,
        sure: bool,
    ) -> None:
        for node in selection.selections:
            if isinstance(node, FieldNode):
                key = node.alias.value if node.alias else node.name.value
                if node.name.value == "__typename":
                    field_type: Any = GraphQLNonNull(GraphQLScalarType("String"))
                else:
                    field_type = kind.fields[node.name.value].type
                previous = out.get(key)
                out[key] = (field_type, node.selection_set, sure or bool(previous and previous[2]))
                continue
            if isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                condition, inner = fragment.type_condition.name.value, fragment.selection_set
            else:
                assert isinstance(node, InlineFragmentNode)
                condition = node.type_condition.name.value if node.type_condition else kind.name
                inner = node.selection_set
            target = get_named_type(self.schema.get_type(condition)) or kind
            applies = condition == kind.name or (
                isinstance(kind, GraphQLObjectType)
                and any(i.name == condition for i in kind.interfaces)
            )
            self._collect(target, inner, out, sure=sure and applies)

    def _explained(self, path: list[Any]) -> bool:
        here = tuple(path)
        return any(here[: len(e)] == e or e[: len(here)] == here for e in self.explained)


@cache
def default_graphql_oracle() -> GraphQLOracle:
    """The oracle for this process, over GitHub's schema."""
    return GraphQLOracle(github_schema())
