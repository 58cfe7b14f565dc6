"""The error answers every API route documents (TMF630's body), so a conformance run checks them too."""

from __future__ import annotations

from litestar.openapi.datastructures import ResponseSpec

from core.tmf.models import Error

_TEXT = {
    400: "Bad request",
    401: "No valid access token",
    403: "Missing scope or not a customer's token",
    404: "No such resource",
    409: "Refused in the resource's state",
    429: "Rate limit reached",
}


def errors(*extra: int) -> dict[int, ResponseSpec]:
    return {
        code: ResponseSpec(data_container=Error, description=_TEXT[code]) for code in (400, 401, 403, 404, 429, *extra)
    }
