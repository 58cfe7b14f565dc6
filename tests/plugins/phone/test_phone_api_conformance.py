"""schemathesis over the phone tenant's OpenAPI document (the conformance run of tests/api, whose world has no phone):
number search and holds (read, release), service orders (create, list, read) and the line's product orders, with a
customer's token: no 5xx, no answer that breaks the document."""

from __future__ import annotations

from test_phone_api import API, app
from test_api_conformance import _run  # on the path through test_phone_api


def test_the_phone_operations_are_documented_and_conform(world):
    http, auth = app(world)
    document = http.get("/api/tmf/openapi.json").json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/serviceOrder"]) and "get" in paths["/serviceOrder/{order_id}"]
    assert {"get", "post"} <= set(paths["/phoneNumberHold"])
    assert {"get", "delete"} <= set(paths["/phoneNumberHold/{hold_id}"])
    assert http.get(f"{API}/phoneNumberHold", headers=auth).status_code == 200
    _run(http, document, auth["Authorization"].removeprefix("Bearer "))
