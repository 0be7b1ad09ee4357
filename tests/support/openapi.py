"""GitHub's OpenAPI description as the oracle for every exchange the sandbox serves.

Why an extracted subset: ``@octokit/openapi`` ships GitHub's whole REST
description (13 MB, 1,200 operations). We pull out the operations the sandbox
serves plus the component schemas they reach, convert them once to plain JSON
Schema, and keep the result in ``.cache/oracles/`` keyed by the source file's
size and mtime, so each test process reads a small file instead of GitHub's.

Conversion (GitHub publishes OpenAPI 3.0.3, whose schemas are not JSON Schema):

* ``nullable: true`` becomes ``type: [t, "null"]`` (plus ``null`` in an
  ``enum``), or ``anyOf: [{type: null}, ...]`` around composite schemas;
* ``oneOf`` becomes ``anyOf``: GitHub writes ``oneOf`` for "one of these
  shapes", and several of its branches overlap (objects with no required keys,
  nullable alternatives), so exclusive matching would reject GitHub's own
  payloads;
* annotations (``description``, ``example``, ``x-*`` ...) are dropped;
  ``additionalProperties`` is kept as GitHub wrote it;
* a request body shape that an operation's own description text allows but its
  schema omits is added from ``PROSE_ALLOWANCES``, with the sentence quoted.

Status rule: a response must carry a status the operation documents, or one of
``GENERIC_ERROR_STATUSES``, which GitHub can answer to any operation (bad
credentials, rate limits, hidden resources, unparseable JSON, validation, its
edge failing) although the description lists them only here and there; a 304
is accepted for a conditional GET. Every status >= 400 must carry a well-formed
GitHub error body (``{"message": ...}``), whatever the description says. An
injected fault (``Exchange.fault``) is judged only as such an error, never
against the success schema; a dropped connection (status 0) is not judged.
Requests are always judged: path and query parameters (undocumented query
parameters included, since GitHub silently ignores them) and the JSON body.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT7

from tests.support import CACHE_DIR, Violation, json_path, node_file, write_json_atomically
from warroom.sandbox.observe import Exchange

OPENAPI_FILE = "@octokit/openapi/generated/api.github.com.json"

# Bump when extraction or conversion changes, so no stale cache is reused.
SUBSET_FORMAT = 1

# Every operation with one of these tags is extracted ...
SERVED_TAGS = frozenset({"issues", "reactions"})
# ... plus these, which the sandbox serves around the issues API.
SERVED_OPERATIONS = frozenset(
    {
        "meta/root",
        "rate-limit/get",
        "users/get-authenticated",
        "users/get-by-username",
        "repos/get",
        "repos/get-collaborator-permission-level",
        "repos/list-collaborators",
        "search/issues-and-pull-requests",
        "apps/get-repo-installation",
        "teams/get-membership-for-user-in-org",
        "pulls/list",
        "pulls/create",
        "pulls/get",
        "pulls/update",
        "pulls/list-files",
        "repos/create-commit-status",
        "repos/list-commit-statuses-for-ref",
        "repos/get-combined-status-for-ref",
        "repos/list-branches",
        "repos/get-commit",
        "git/list-matching-refs",
        "repos/compare-commits-with-basehead",
        "repos/list-pull-requests-associated-with-commit",
    }
)

# Request shapes an operation's own description text allows but its schema omits, quoted.
# PyGithub's Issue.add_to_labels and Issue.set_labels send exactly these bare arrays.
PROSE_ALLOWANCES: Mapping[str, tuple[str, list[dict[str, Any]]]] = {
    "issues/add-labels": (
        "You can also pass an `array` of labels directly",
        [{"type": "array", "minItems": 1, "items": {"type": "string"}}],
    ),
    "issues/set-labels": (
        "you can pass a single label as a `string` or an `array` of labels directly",
        [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
    ),
}

GENERIC_ERROR_STATUSES = frozenset({400, 401, 403, 404, 422, 429, 500, 502, 503, 504})

# What every GitHub error body has, documented or not.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "documentation_url": {"type": "string", "format": "uri"},
        "status": {"type": "string"},
        "errors": {"type": "array"},
    },
}

_GENERIC = ", ".join(map(str, sorted(GENERIC_ERROR_STATUSES)))

MAX_ERRORS_PER_PART = 20
_ROOT_URI = "urn:warroom:github-openapi-subset"
_METHODS = ("get", "put", "post", "patch", "delete", "head", "options")
_ANNOTATIONS = frozenset(
    {"description", "example", "examples", "externalDocs", "title", "xml", "readOnly", "writeOnly"}
    | {"deprecated", "discriminator", "default"}
)
_LINK_PART = re.compile(r'\s*<([^>]+)>\s*;\s*rel="([a-z]+)"\s*')

# --- formats ---------------------------------------------------------------------------------

# jsonschema checks no format unless given a checker, and its own date-time and uri checks
# need packages we do not install; these are the formats GitHub's schemas use that a
# sandbox can plausibly get wrong (uri-template and int64 are left unchecked).
FORMATS = FormatChecker(formats=())
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or _RFC3339.fullmatch(value) is not None


def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in {"mailto", "urn"})


def _is_email(value: object) -> bool:
    return not isinstance(value, str) or re.fullmatch(r"[^@\s]+@[^@\s]+", value) is not None


FORMATS.checks("date-time")(_is_date_time)
FORMATS.checks("date", raises=ValueError)(_is_date)
FORMATS.checks("uri")(_is_uri)
FORMATS.checks("email")(_is_email)


# --- extraction and conversion (pure) --------------------------------------------------------


def to_json_schema(schema: Any) -> Any:
    """Turn one OpenAPI 3.0 schema object into JSON Schema (draft 7), walking it structurally.

    Structural, because GitHub has properties literally named ``example`` and
    ``description``: only keywords in schema position are rewritten.
    """
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS or key.startswith("x-") or key == "nullable":
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("allOf", "anyOf"):
            out[key] = [to_json_schema(sub) for sub in value]
        elif key == "oneOf":
            branches = {"anyOf": [to_json_schema(sub) for sub in value]}
            if "anyOf" in schema:
                out.setdefault("allOf", []).append(branches)
            else:
                out.update(branches)
        elif key in ("items", "not", "additionalProperties"):
            out[key] = to_json_schema(value)
        else:
            out[key] = value
    return _admit_null(out) if schema.get("nullable") is True else out


def _admit_null(schema: dict[str, Any]) -> dict[str, Any]:
    composite = {"allOf", "anyOf", "$ref", "not"} & schema.keys()
    kind = schema.get("type")
    if composite or isinstance(kind, list):
        return {"anyOf": [{"type": "null"}, schema]}
    widened = dict(schema)
    if isinstance(kind, str):
        widened["type"] = [kind, "null"]
    if "enum" in widened and None not in widened["enum"]:
        widened["enum"] = [*widened["enum"], None]
    return widened


def _deref(document: Mapping[str, Any], node: Any) -> Any:
    """Follow component references for parameters, bodies, responses and headers."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
        if seen > 20:
            raise ValueError(f"reference cycle at {node!r:.80}")
    return node


def _json_schema_of(content: Mapping[str, Any]) -> tuple[str, Any]:
    if not content:
        return "none", None
    for media_type, entry in content.items():
        if "json" in media_type:
            return "json", to_json_schema(entry.get("schema", {}))
    return "other", None


def _operation(
    document: Mapping[str, Any],
    method: str,
    template: str,
    shared: list[Any],
    op: Mapping[str, Any],
) -> dict[str, Any]:
    parameters: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*shared, *op.get("parameters", [])]:
        param = _deref(document, raw)
        parameters[(param["in"], param["name"])] = {
            "name": param["name"],
            "in": param["in"],
            "required": bool(param.get("required", False)),
            "schema": to_json_schema(param.get("schema", {})),
        }
    request_body = None
    if "requestBody" in op:
        body = _deref(document, op["requestBody"])
        kind, schema = _json_schema_of(body.get("content", {}))
        if op.get("operationId") in PROSE_ALLOWANCES and schema is not None:
            schema = {"anyOf": [schema, *PROSE_ALLOWANCES[op["operationId"]][1]]}
        request_body = {
            "required": bool(body.get("required", False)),
            "body": kind,
            "schema": schema,
        }
    responses: dict[str, Any] = {}
    for status, raw in op.get("responses", {}).items():
        response = _deref(document, raw)
        kind, schema = _json_schema_of(response.get("content", {}))
        responses[str(status)] = {
            "body": kind,
            "schema": schema,
            "headers": sorted(response.get("headers", {})),
        }
    return {
        "method": method,
        "path": template,
        "parameters": list(parameters.values()),
        "requestBody": request_body,
        "responses": responses,
    }


def _schema_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.removeprefix("#/components/schemas/").split("/")[0]
        for value in node.values():
            yield from _schema_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schema_refs(value)


def extract_subset(
    document: Mapping[str, Any],
    tags: frozenset[str] = SERVED_TAGS,
    operations: frozenset[str] = SERVED_OPERATIONS,
) -> dict[str, Any]:
    """Keep the selected operations and every component schema they reach, as JSON Schema."""
    found: dict[str, Any] = {}
    for template, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            operation_id = str(op.get("operationId"))
            if operation_id in operations or tags.intersection(op.get("tags", [])):
                found[operation_id] = _operation(document, method, template, shared, op)
    missing = sorted(operations - found.keys())
    if missing:
        raise ValueError(
            f"GitHub's description has no operation {', '.join(missing)}; "
            "correct SERVED_OPERATIONS in tests/support/openapi.py"
        )
    source_schemas = document.get("components", {}).get("schemas", {})
    schemas: dict[str, Any] = {}
    pending = sorted(set(_schema_refs(found)))
    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        schemas[name] = to_json_schema(source_schemas[name])
        pending.extend(ref for ref in _schema_refs(schemas[name]) if ref not in schemas)
    return {
        "openapi": document.get("openapi"),
        "operations": found,
        "components": {"schemas": schemas},
    }


def subset_key(
    source: Path,
    tags: frozenset[str] = SERVED_TAGS,
    operations: frozenset[str] = SERVED_OPERATIONS,
) -> str:
    """Name a cache entry by what it was built from, so a new package version rebuilds it."""
    stat = source.stat()
    material = json.dumps(
        {
            "format": SUBSET_FORMAT,
            "allowances": PROSE_ALLOWANCES,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "tags": sorted(tags),
            "operations": sorted(operations),
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def load_subset(
    source: Path | None = None,
    cache_dir: Path = CACHE_DIR,
    tags: frozenset[str] = SERVED_TAGS,
    operations: frozenset[str] = SERVED_OPERATIONS,
) -> dict[str, Any]:
    """Read the cached subset, building it from GitHub's file when the key has changed."""
    source = source if source is not None else node_file(OPENAPI_FILE)
    key = subset_key(source, tags, operations)
    cached = cache_dir / f"openapi-subset-{key}.json"
    try:
        subset: dict[str, Any] = json.loads(cached.read_text(encoding="utf-8"))
        if subset.get("key") == key:
            return subset
    except (FileNotFoundError, json.JSONDecodeError):
        pass
    subset = extract_subset(json.loads(source.read_bytes()), tags, operations)
    subset["key"] = key
    write_json_atomically(cached, subset)
    return subset


# --- checking exchanges ----------------------------------------------------------------------


# Path parameters whose value may hold slashes: a ref is ``heads/incident/12/`` or a
# branch name such as ``incident/12/hotfix``, which clients send unescaped.
SLASHED_PARAMETERS = frozenset({"ref"})


def _template_pattern(template: str) -> tuple[re.Pattern[str], list[str]]:
    names: list[str] = []
    regex = ""
    for literal, name in re.findall(r"([^{]*)(?:\{([^}]+)\})?", template):
        regex += re.escape(literal)
        if name:
            body = ".+" if name in SLASHED_PARAMETERS else "[^/]+"
            regex += f"(?P<p{len(names)}>{body})"
            names.append(name)
    return re.compile(regex), names


def _types(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    return [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []


def coerce(value: str, schema: Mapping[str, Any]) -> Any:
    """Read a path or query string as the type its schema declares, leaving it a string if not."""
    kinds = _types(schema)
    if "integer" in kinds and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "number" in kinds and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value):
        return float(value)
    if "boolean" in kinds and value in {"true", "false"}:
        return value == "true"
    if "array" in kinds:
        items = schema.get("items", {})
        return [coerce(part, items) for part in value.split(",")] if value else []
    return value


def _short(message: str, limit: int = 240) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


class OpenApiOracle:
    """Checks sandbox exchanges against the extracted subset of GitHub's description."""

    def __init__(self, subset: Mapping[str, Any]) -> None:
        self.operations: Mapping[str, Any] = subset["operations"]
        self._registry: Registry[Any] = Registry().with_resource(
            _ROOT_URI, DRAFT7.create_resource(dict(subset))
        )
        self._patterns = {oid: _template_pattern(op["path"]) for oid, op in self.operations.items()}
        self._validators: dict[str, Draft7Validator] = {}
        self._error_validator = Draft7Validator(ERROR_SCHEMA, format_checker=FORMATS)

    def _validator(self, *pointer: str) -> Draft7Validator:
        # Built lazily per schema position; two threads racing build the same one, harmlessly.
        escaped = "/".join(part.replace("~", "~0").replace("/", "~1") for part in pointer)
        validator = self._validators.get(escaped)
        if validator is None:
            validator = Draft7Validator(
                {"$ref": f"{_ROOT_URI}#/{escaped}"},
                registry=self._registry,
                format_checker=FORMATS,
            )
            self._validators[escaped] = validator
        return validator

    def check(self, exchange: Exchange) -> list[Violation]:
        """Every way this exchange departs from GitHub's description (empty when it conforms)."""
        seen = f"{exchange.method} {exchange.path} -> {exchange.status}"
        if exchange.operation_id is None:
            return self._check_unrouted(exchange, seen)
        op = self.operations.get(exchange.operation_id)
        if op is None:
            return [
                Violation(
                    exchange.operation_id,
                    seen,
                    "route",
                    "operationId",
                    "not among the operations extracted from GitHub's description; add it to "
                    "SERVED_OPERATIONS in tests/support/openapi.py if the sandbox serves it, "
                    "or correct the operationId",
                )
            ]
        found = self._check_request(exchange, exchange.operation_id, op, seen)
        found += self._check_response(exchange, exchange.operation_id, op, seen)
        return found

    def _check_unrouted(self, exchange: Exchange, seen: str) -> list[Violation]:
        if exchange.status != 404:
            return [
                Violation(
                    "<no operation>",
                    seen,
                    "route",
                    exchange.path,
                    f"answered {exchange.status} without an operationId; a path GitHub does not "
                    "serve must answer 404 with a GitHub error body",
                )
            ]
        return self._schema_violations(
            self._error_validator, exchange.response_body, "<no operation>", seen, "response body"
        )

    # request -------------------------------------------------------------------------------

    def _check_request(
        self, exchange: Exchange, oid: str, op: Mapping[str, Any], seen: str
    ) -> list[Violation]:
        found: list[Violation] = []
        if exchange.method.lower() != op["method"]:
            found.append(
                Violation(
                    oid,
                    seen,
                    "request method",
                    exchange.method,
                    f"{oid} is {op['method'].upper()} {op['path']}",
                )
            )
        pattern, names = self._patterns[oid]
        match = pattern.fullmatch(exchange.path)
        if match is None:
            found.append(
                Violation(oid, seen, "request path", exchange.path, f"does not match {op['path']}")
            )
            path_values: dict[str, str] = {}
        else:
            path_values = {name: unquote(match[f"p{i}"]) for i, name in enumerate(names)}
        for index, param in enumerate(op["parameters"]):
            if param["in"] == "path" and param["name"] in path_values:
                found += self._check_parameter(
                    oid, seen, index, param, path_values[param["name"]], "request path"
                )
        found += self._check_query(exchange, oid, op, seen)
        found += self._check_request_body(exchange, oid, op, seen)
        return found

    def _check_parameter(
        self,
        oid: str,
        seen: str,
        index: int,
        param: Mapping[str, Any],
        raw: str,
        part: str,
    ) -> list[Violation]:
        validator = self._validator("operations", oid, "parameters", str(index), "schema")
        return [
            Violation(oid, seen, part, param["name"], message)
            for _, message in schema_errors(validator, coerce(raw, param["schema"]))
        ]

    def _check_query(
        self, exchange: Exchange, oid: str, op: Mapping[str, Any], seen: str
    ) -> list[Violation]:
        declared = {p["name"]: (i, p) for i, p in enumerate(op["parameters"]) if p["in"] == "query"}
        found: list[Violation] = []
        for name, values in exchange.query.items():
            if name not in declared:
                found.append(
                    Violation(
                        oid,
                        seen,
                        "request query",
                        name,
                        "GitHub documents no such query parameter for this operation and would "
                        f"ignore it; documented: {', '.join(sorted(declared)) or 'none'}",
                    )
                )
                continue
            index, param = declared[name]
            if len(values) != 1:
                found.append(
                    Violation(
                        oid,
                        seen,
                        "request query",
                        name,
                        f"given {len(values)} times; send it once (comma-separate lists)",
                    )
                )
                continue
            found += self._check_parameter(oid, seen, index, param, values[0], "request query")
        for name, (_, param) in declared.items():
            if param["required"] and name not in exchange.query:
                found.append(Violation(oid, seen, "request query", name, "required but missing"))
        return found

    def _check_request_body(
        self, exchange: Exchange, oid: str, op: Mapping[str, Any], seen: str
    ) -> list[Violation]:
        spec = op["requestBody"]
        raw = exchange.raw_request_body.strip()
        sent_null = raw == b"null"
        if raw and exchange.request_body is None and not sent_null:
            return [
                Violation(
                    oid, seen, "request body", "$", "is not JSON; send a JSON object (or nothing)"
                )
            ]
        if spec is None:
            if raw and exchange.request_body not in ({}, None):
                return [
                    Violation(oid, seen, "request body", "$", f"{oid} takes no body; send none")
                ]
            return []
        if not raw:
            if spec["required"]:
                return [
                    Violation(
                        oid, seen, "request body", "$", "required but missing; send a JSON object"
                    )
                ]
            return []
        if spec["body"] != "json":
            return []
        validator = self._validator("operations", oid, "requestBody", "schema")
        return self._schema_violations(validator, exchange.request_body, oid, seen, "request body")

    # response ------------------------------------------------------------------------------

    def _check_response(
        self, exchange: Exchange, oid: str, op: Mapping[str, Any], seen: str
    ) -> list[Violation]:
        status = exchange.status
        if status < 100:
            return []  # an injected fault dropped the connection: no response to judge
        found: list[Violation] = []
        if status >= 400:
            found += self._schema_violations(
                self._error_validator, exchange.response_body, oid, seen, "response body"
            )
            if exchange.fault is not None:
                return found  # a fault is judged only as a GitHub error, never as a success
        headers = _lower_keys(exchange.response_headers)
        found += self._check_common_headers(exchange, headers, oid, seen)
        documented = op["responses"].get(str(status))
        if documented is None:
            return found + self._check_undocumented_status(exchange, oid, op, seen)
        found += self._check_documented_headers(documented, headers, oid, seen)
        if documented["body"] == "none":
            # An error always carries GitHub's {"message": ...} (checked above), even where
            # the description lists the status without content (teams' membership 404).
            if exchange.response_body is not None and status < 400:
                found.append(
                    Violation(
                        oid,
                        seen,
                        "response body",
                        "$",
                        f"GitHub documents no body for {status}; send none",
                    )
                )
        elif documented["body"] == "json":
            validator = self._validator("operations", oid, "responses", str(status), "schema")
            found += self._schema_violations(
                validator, exchange.response_body, oid, seen, "response body"
            )
        found += self._check_pagination(exchange, headers, oid, op, seen)
        return found

    def _check_undocumented_status(
        self, exchange: Exchange, oid: str, op: Mapping[str, Any], seen: str
    ) -> list[Violation]:
        status = exchange.status
        if status in GENERIC_ERROR_STATUSES:
            return []
        conditional = {"if-none-match", "if-modified-since"} & _lower_keys(
            exchange.request_headers
        ).keys()
        if status == 304 and exchange.method.upper() == "GET" and conditional:
            if exchange.response_body is None:
                return []
            return [Violation(oid, seen, "response body", "$", "a 304 carries no body")]
        documented = ", ".join(sorted(op["responses"]))
        return [
            Violation(
                oid,
                seen,
                "response status",
                str(status),
                f"not documented for {oid} (documented: {documented}) and not an error GitHub "
                f"returns for any operation ({_GENERIC})",
            )
        ]

    def _check_common_headers(
        self, exchange: Exchange, headers: Mapping[str, str], oid: str, seen: str
    ) -> list[Violation]:
        found: list[Violation] = []
        if not headers.get("x-github-request-id"):
            found.append(
                Violation(
                    oid,
                    seen,
                    "response headers",
                    "X-GitHub-Request-Id",
                    "missing; GitHub sends it on every response",
                )
            )
        if exchange.response_body is not None and "json" not in headers.get("content-type", ""):
            found.append(
                Violation(
                    oid,
                    seen,
                    "response headers",
                    "Content-Type",
                    f"{headers.get('content-type')!r} for a JSON body; send "
                    "'application/json; charset=utf-8'",
                )
            )
        return found

    def _check_documented_headers(
        self, documented: Mapping[str, Any], headers: Mapping[str, str], oid: str, seen: str
    ) -> list[Violation]:
        if "location" in {name.lower() for name in documented["headers"]} and not headers.get(
            "location"
        ):
            return [
                Violation(
                    oid,
                    seen,
                    "response headers",
                    "Location",
                    "documented for this status but missing; send the new resource's API URL",
                )
            ]
        return []

    def _check_pagination(
        self,
        exchange: Exchange,
        headers: Mapping[str, str],
        oid: str,
        op: Mapping[str, Any],
        seen: str,
    ) -> list[Violation]:
        body = exchange.response_body
        declared = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
        if "per_page" not in declared or exchange.status != 200 or not isinstance(body, list):
            return []
        default = declared["per_page"]["schema"].get("default", 30)
        per_page = _int_query(exchange, "per_page", default)
        per_page = min(per_page, 100) if per_page > 0 else default
        page = _int_query(exchange, "page", 1)
        found: list[Violation] = []
        if len(body) > per_page:
            found.append(
                Violation(
                    oid,
                    seen,
                    "response body",
                    "$",
                    f"{len(body)} items on a page of per_page={per_page}",
                )
            )
        link = headers.get("link")
        if link is None:
            return found
        rels: dict[str, str] = {}
        for piece in link.split(","):
            matched = _LINK_PART.fullmatch(piece)
            if matched is None:
                found.append(
                    Violation(
                        oid,
                        seen,
                        "response headers",
                        "Link",
                        f'malformed part {piece!r}; write <url>; rel="next"',
                    )
                )
                continue
            rels[matched[2]] = matched[1]
        if "next" in rels and len(body) < per_page:
            found.append(
                Violation(
                    oid,
                    seen,
                    "response headers",
                    "Link",
                    f'rel="next" on a short page ({len(body)} < per_page={per_page}); GitHub '
                    "links a next page only after a full one",
                )
            )
        if page > 1 and body and "prev" not in rels:
            found.append(
                Violation(oid, seen, "response headers", "Link", f'page {page} lacks rel="prev"')
            )
        return found

    # helpers -------------------------------------------------------------------------------

    @staticmethod
    def _schema_violations(
        validator: Draft7Validator, instance: Any, subject: str, seen: str, part: str
    ) -> list[Violation]:
        return [
            Violation(subject, seen, part, location, message)
            for location, message in schema_errors(validator, instance)
        ]


def schema_errors(validator: Draft7Validator, instance: Any) -> list[tuple[str, str]]:
    """(instance path, message with schema path) for each error, most specific branch first."""
    found: list[tuple[str, str]] = []
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.path])
    for error in errors[:MAX_ERRORS_PER_PART]:
        deepest: ValidationError = best_match([error]) or error
        schema_path = "/".join(str(p) for p in deepest.absolute_schema_path)
        found.append(
            (json_path(deepest.absolute_path), f"{_short(deepest.message)} (schema: {schema_path})")
        )
    if len(errors) > MAX_ERRORS_PER_PART:
        found.append(("$", f"... and {len(errors) - MAX_ERRORS_PER_PART} more errors"))
    return found


def _int_query(exchange: Exchange, name: str, default: int) -> int:
    values = exchange.query.get(name) or []
    if len(values) == 1 and re.fullmatch(r"\d+", values[0]):
        return int(values[0])
    return default


@functools.cache
def default_oracle() -> OpenApiOracle:
    """The oracle for this process, built once from the cached subset."""
    return OpenApiOracle(load_subset())
