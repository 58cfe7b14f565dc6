"""The conformance run: schemathesis generates requests from each tenant's OpenAPI document and sends them with a
customer's token and a partner's; no answer is a 5xx or breaks the document. Bounded examples keep it quick.
Also: the document holds only the API (never a console or portal route), and the framework's full schema stays
for super-admins."""

from __future__ import annotations

import schemathesis
from api_support import app_token, partner_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance


def _run(http, document, token):
    schema = schemathesis.openapi.from_dict(document)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert operations
    failures = []
    for operation in operations:

        @settings(
            max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
        )
        @given(case=operation.as_strategy(), data=st.data())
        def check(case, data):
            kwargs = case.as_transport_kwargs(base_url="")
            kwargs["url"] = "/api/tmf/v4" + kwargs["url"].split("/api/tmf/v4", 1)[-1]
            headers = {**(kwargs.pop("headers", None) or {}), "Authorization": f"Bearer {token}"}
            response = http.request(
                kwargs.pop("method"),
                kwargs.pop("url"),
                headers=headers,
                params=kwargs.get("params"),
                json=kwargs.get("json"),
            )
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
            if response.status_code != 429:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:800])
    assert not failures, "\n".join(failures)


def test_schema_holds_only_the_api_and_is_public(world):
    harness, plugin, ids = world
    anonymous = harness.client("alpha").http
    document = anonymous.get("/api/tmf/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert document["paths"] and all(
        not p.startswith(("/console", "/account", "/pay/", "/login")) for p in document["paths"]
    )
    assert "/troubleTicket" in document["paths"] and "post" in document["paths"]["/troubleTicket"]
    page = anonymous.get("/api/tmf/docs")
    assert page.status_code == 200 and "/customerBill" in page.text and "cdn" not in page.text.lower()
    customer = harness.client("alpha")
    customer.login_customer(ids["alpha"]["numbers"][0])
    assert customer.get("/console/openapi/openapi.json", follow_redirects=False).status_code in (303, 401, 403)
    assert customer.get("/schema", follow_redirects=False).status_code == 404


def test_schemathesis_with_customer_and_partner_tokens(world):
    harness, plugin, ids = world
    http = harness.client("alpha").http
    document = http.get("/api/tmf/openapi.json").json()
    _run(http, document, app_token(harness, ids))
    _run(http, document, partner_token(harness, ids))
