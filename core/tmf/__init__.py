"""The public REST API in TM Forum's shape (docs/api.md): OAuth 2.0 clients and tokens, the resources under
``/api/tmf/v4/``, each tenant's OpenAPI document and its documentation page.

An always-on core plugin (core/builtin.py): the API needs the sign-in page and sessions (core.auth) for the
authorization-code grant and reads the core's own tables (bills, payments, work orders, products); plugins add
resources through the ``register_api_routes`` hook. ``core.api`` is the plugin-facing Python API, hence ``tmf``.
"""

PREFIX = "/api/tmf/v4"
