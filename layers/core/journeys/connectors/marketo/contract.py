"""A small Swagger 2.0 request (and response) validator for the official Marketo contracts.

It checks what a client controls: the path and method exist, path/query/header/form parameters
are declared, required ones are present and their values have the declared type, format and enum,
and JSON bodies match their schema under the declared content type. Undeclared query parameters
are violations too: that is how `access_token` in a URL gets caught.

One deliberate reading of the spec: the files are generated from Spring controllers, whose
`@RequestParam` arguments (documented as `in: query`) are also bound from an
application/x-www-form-urlencoded POST body. That is what lets the identity call keep the client
secret out of the URL while still matching the contract.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from jsonschema import Draft4Validator, FormatChecker

CONTRACT_DIR = Path(__file__).parent / "contracts"
CONTRACT_FILES = ("swagger-identity.json", "swagger-mapi.json", "swagger-user.json", "swagger-asset.json")
_FORM = "application/x-www-form-urlencoded"
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _in_range(fmt: str) -> Any:
    low, high = _INT_RANGES[fmt]
    return lambda value: not isinstance(value, int) or low <= value <= high


_formats = FormatChecker()
for _fmt in _INT_RANGES:
    _formats.checks(_fmt)(_in_range(_fmt))


class ContractViolation(AssertionError):
    """A request that the official contract does not allow."""

    def __init__(self, method: str, path: str, problems: list[str]) -> None:
        super().__init__(f"{method} {path} violates the Marketo contract: " + "; ".join(problems))
        self.method = method
        self.path = path
        self.problems = problems


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict[str, Any]
    definitions: dict[str, Any]
    _validators: dict[str, Draft4Validator] = field(default_factory=dict, compare=False, repr=False)

    @property
    def parameters(self) -> list[dict[str, Any]]:
        params: list[dict[str, Any]] = self.spec.get("parameters", [])
        return params

    def schema_validator(self, key: str, schema: dict[str, Any]) -> Draft4Validator:
        """A validator for `schema`, built once: $refs inlined because resolving them per item
        made a 300-record body take ~50 ms."""
        found = self._validators.get(key)
        if found is None:
            inlined = _inline(schema, self.definitions, ())
            found = Draft4Validator({**inlined, "definitions": self.definitions}, format_checker=_formats)
            self._validators[key] = found
        return found


@dataclass(frozen=True)
class MatchedRequest:
    operation: Operation
    path_params: dict[str, str]


class SwaggerContract:
    """The union of the Marketo Swagger files, able to judge one request at a time."""

    def __init__(self, files: tuple[str, ...] = CONTRACT_FILES, directory: Path = CONTRACT_DIR) -> None:
        self._routes: list[tuple[re.Pattern[str], str, dict[str, Operation]]] = []
        for name in files:
            doc = json.loads((directory / name).read_text())
            if doc.get("swagger") != "2.0":
                raise ValueError(f"{name} is not a Swagger 2.0 document")
            base = doc.get("basePath", "/").rstrip("/")
            for template, item in doc["paths"].items():
                shared = item.get("parameters", [])
                ops = {
                    m.upper(): Operation(
                        m.upper(),
                        base + template,
                        {**op, "parameters": [*shared, *op.get("parameters", [])]},
                        doc.get("definitions", {}),
                    )
                    for m, op in item.items()
                    if m != "parameters"
                }
                self._routes.append((_compile(base + template), base + template, ops))
        # Literal segments win over templated ones (e.g. /leads/partitions.json over /leads/{id}.json).
        self._routes.sort(key=lambda r: r[1].count("{"))

    def operations(self) -> list[tuple[str, str]]:
        return [(m, template) for _, template, ops in self._routes for m in ops]

    def match(self, method: str, path: str) -> MatchedRequest | None:
        for pattern, _, ops in self._routes:
            m = pattern.fullmatch(path)
            if m and method.upper() in ops:
                return MatchedRequest(ops[method.upper()], m.groupdict())
        return None

    def check_request(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes,
    ) -> list[str]:
        """Every way the request departs from the contract (empty when it conforms)."""
        matched = self.match(method, path)
        if matched is None:
            known = any(p.fullmatch(path) for p, _, _ in self._routes)
            return [f"{'method not allowed' if known else 'unknown path'}: {method} {path}"]
        op = matched.operation
        problems: list[str] = []
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        declared = {(p["in"], p["name"]): p for p in op.parameters if "in" in p}
        body_param = next((p for p in op.parameters if p.get("in") == "body"), None)
        form_params = {n for (where, n) in declared if where == "formData"}

        query_values: dict[str, list[str]] = {}
        for key, value in query:
            query_values.setdefault(key, []).append(value)
        form_values: dict[str, list[str]] = {}
        if body and ctype == _FORM:
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                form_values.setdefault(key, []).append(value)
            if not form_params and method.upper() == "POST":
                # Servlet binding: form fields of a POST feed @RequestParam (`in: query`) params.
                for key, values in form_values.items():
                    query_values.setdefault(key, []).extend(values)
                form_values = {}
            elif not form_params:
                problems.append("form body not accepted by this operation")

        for key in query_values:
            if ("query", key) not in declared:
                problems.append(f"undeclared query parameter {key!r}")
        for key in form_values:
            if ("formData", key) not in declared:
                problems.append(f"undeclared form parameter {key!r}")

        for (where, name), param in declared.items():
            if where == "path":
                problems += _check_values(param, [matched.path_params.get(name, "")])
            elif where == "query":
                problems += _check_param(param, query_values.get(name))
            elif where == "formData":
                problems += _check_param(param, form_values.get(name))
            elif where == "header":
                header = headers.get(name.lower())
                problems += _check_param(param, None if header is None else [header])

        if body_param is not None:
            problems += self._check_body(op, body_param, ctype, body)
        elif body and ctype != _FORM:
            problems.append("a request body is not accepted by this operation")
        return problems

    def _check_body(self, op: Operation, param: dict[str, Any], ctype: str, body: bytes) -> list[str]:
        if not body:
            return ["required body is missing"] if param.get("required") else []
        consumes = [c.lower() for c in op.spec.get("consumes", ["application/json"])]
        if ctype not in consumes:
            return [f"content type {ctype or 'none'!r} not in {consumes}"]
        try:
            document = json.loads(body)
        except ValueError:
            return ["body is not valid JSON"]
        validator = op.schema_validator("body", param.get("schema", {}))
        return [f"body{_where(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]

    def check_response(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """How a response body departs from the declared schema of that status (for the embedded)."""
        matched = self.match(method, path)
        if matched is None:
            return [f"no operation {method} {path}"]
        response = matched.operation.spec.get("responses", {}).get(str(status))
        if not response or "schema" not in response:
            return []
        validator = matched.operation.schema_validator(f"response:{status}", response["schema"])
        return [f"response{_where(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]


@cache
def official_contract() -> SwaggerContract:
    """The bundled official contracts, loaded once per process."""
    return SwaggerContract()


def _inline(schema: Any, definitions: dict[str, Any], stack: tuple[str, ...]) -> Any:
    """`schema` with local #/definitions refs replaced by their targets (recursive refs kept)."""
    if isinstance(schema, list):
        return [_inline(s, definitions, stack) for s in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        name = ref.removeprefix("#/definitions/")
        if name in stack or name not in definitions:
            return schema
        return _inline(definitions[name], definitions, (*stack, name))
    return {k: _inline(v, definitions, stack) for k, v in schema.items()}


def _compile(template: str) -> re.Pattern[str]:
    out = ""
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{") and part.endswith("}"):
            out += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            out += re.escape(part)
    return re.compile(out)


def _where(path: Any) -> str:
    return "".join(f"[{p!r}]" for p in path)


def _check_param(param: dict[str, Any], values: list[str] | None) -> list[str]:
    if not values:
        return (
            [f"missing required {param['in']} parameter {param['name']!r}"] if param.get("required") else []
        )
    if param.get("type") == "array":
        fmt = param.get("collectionFormat", "csv")
        items: list[str] = []
        for v in values:
            items += v.split(",") if fmt == "csv" else [v]
        if fmt != "multi" and len(values) > 1:
            return [f"parameter {param['name']!r} repeated but collectionFormat is {fmt}"]
        return _check_values({**param.get("items", {}), "name": param["name"]}, items)
    if len(values) > 1:
        return [f"parameter {param['name']!r} given {len(values)} times"]
    return _check_values(param, values)


def _check_values(param: dict[str, Any], values: list[str]) -> list[str]:
    problems: list[str] = []
    kind, fmt, name = param.get("type", "string"), param.get("format"), param.get("name", "?")
    for raw in values:
        if kind == "integer":
            if not re.fullmatch(r"-?\d+", raw):
                problems.append(f"{name}={raw!r} is not an integer")
                continue
            low, high = _INT_RANGES.get(fmt or "int64", _INT_RANGES["int64"])
            if not low <= int(raw) <= high:
                problems.append(f"{name}={raw!r} out of {fmt} range")
        elif kind == "number":
            try:
                float(raw)
            except ValueError:
                problems.append(f"{name}={raw!r} is not a number")
        elif kind == "boolean" and raw not in ("true", "false"):
            problems.append(f"{name}={raw!r} is not a boolean")
        if "enum" in param and raw not in [str(e) for e in param["enum"]]:
            problems.append(f"{name}={raw!r} not one of {param['enum']}")
    return problems
