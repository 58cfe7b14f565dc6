"""schemathesis over the dial-up tenant's OpenAPI document (tests/api's world has no dial-up): the renewal and the
product orders with a customer's token: no 5xx, no answer that breaks the document."""

from __future__ import annotations

import sys
from pathlib import Path

from dialup_support import PHONE

sys.path.insert(0, str(Path(__file__).parents[2] / "api"))
from app_client import app_http  # noqa: E402
from test_api_conformance import _run  # noqa: E402


def test_the_dialup_operations_are_documented_and_conform(world):
    harness, _, _ = world
    http, auth = app_http(harness, PHONE)
    document = http.get("/api/tmf/openapi.json").json()
    assert "post" in document["paths"]["/dialupRenewal"]
    assert document["paths"]["/dialupRenewal"]["post"]["responses"]["201"]
    _run(http, document, auth["Authorization"].removeprefix("Bearer "))
