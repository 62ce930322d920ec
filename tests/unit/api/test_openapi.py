"""openapi.json is generated from the resolver, and every route is documented with its errors."""

from __future__ import annotations

import json

from journeys.api.openapi import OPENAPI_PATH, openapi_document, render


def test_committed_openapi_matches_the_resolver() -> None:
    assert OPENAPI_PATH.read_text() == render(), "run: python -m journeys.api.openapi --write"


def test_every_operation_documents_the_error_body_and_requires_the_jwt() -> None:
    document = openapi_document()
    assert document["security"] == [{"jwt": []}]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = [code for code in responses if code[0] in "45"]
            assert {"401", "415", "422", "500"} <= set(errors), (method, path)
            assert [code for code in responses if code[0] == "2"], (method, path)
            for code in errors:
                schema = responses[code]["content"]["application/json"]["schema"]
                # 401 comes from API Gateway's authorizer, in its own shape; every other error is ours.
                model = "GatewayError" if code == "401" else "ErrorBody"
                assert schema == {"$ref": f"#/components/schemas/{model}"}, (method, path, code)
    assert json.loads(OPENAPI_PATH.read_text())["info"]["title"] == "Account Journeys API"
