"""The core's always-on plugins: one per core subsystem, each in its own folder with its routes, templates, jobs,
permissions, menu items and panels (as Datasette registers its own behaviour as plugins).

Each is registered under its package name (``core.payments`` for ``core.payments.plugin``) before the
plugins under ``plugins/``, is enabled for every tenant, and is never listed among the installable plugins.
Its routes keep their own paths (``/pay/...``, ``/console/...``): no ``/<plugin>`` prefix. Its templates are
found in ``<package>/templates/``, after the plugins' and before core/web/templates (core/web/templating.py).
"""

ALWAYS_ON = (
    "core.auth.plugin",  # identity and accounts: sign-up, sign-in, /account, console sign-in, operators, roles
    "core.accounts.plugin",  # billing accounts: the customer's My accounts page (/account/billing) with balances
    "core.console.plugin",  # the console shell: home, customers, messages, audit log, tenants; housekeeping jobs
    "core.home.plugin",  # the public home page and the customer home's panels
    "core.legacy.plugin",  # legacy sync and the outbox to the legacy system: jobs and console pages
    "core.payments.plugin",  # payments: gateway return/notify, My payments, console payments and refunds, reconciliation
    "core.workorders.plugin",  # work orders: queues, departments, the customer's requests, escalation
    "core.products.plugin",  # products: catalog, inventory, product orders and their pages, lifecycle requests
    "core.tmf.plugin",  # the public API in TM Forum's shape: OAuth clients and tokens, resources, OpenAPI, docs page
)


def plugin_name(module: str) -> str:
    """``core.payments.plugin`` → ``core.payments``: the name the plugin manager knows it by."""
    return module.removesuffix(".plugin")
