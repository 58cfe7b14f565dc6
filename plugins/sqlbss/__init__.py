"""sqlbss: reads an operator's legacy billing database, with its tables and columns mapped in tenant.toml.

The reference connector. Nothing about a particular legacy system is code:
the tenant's ``[connector]`` table (``type = "sqlbss"``) names the database,
the customer and service-line tables, their columns, the status and type code
maps and the change-time format; see ``docs/examples/connector-*.toml``. The
mapping is validated when the hall starts (errors name the tenant file and the
key); ``await connector.check()`` then compares it with the live database.
"""

from __future__ import annotations

from core.api import HALL_VERSION, Manifest, hookimpl

MANIFEST = Manifest(
    name="sqlbss",
    version=HALL_VERSION,
    description="sqlbss: reads an operator's legacy billing database, with its tables and columns mapped in tenant.toml.",
)


@hookimpl
def make_connector(hall, tenant, config):
    """Build an :class:`SqlBssConnector` for tenants whose ``[connector].type`` is ``sqlbss``."""
    if (config or {}).get("type") != "sqlbss":
        return None
    from plugins.sqlbss.mapping import parse_mapping

    tenant_file = tenant.path / "tenant.toml"
    mapping = parse_mapping(config, tenant_file)
    from plugins.sqlbss.compose import connector_class

    # only the ports the mapping supports: bills, calls (billing.py), writeback (writeback.py), lines, number_pool, balances (compose.py)
    return connector_class(mapping)(mapping, root=hall.root, tenant_file=tenant_file)


@hookimpl
def register_commands(hall, cli):
    """``hall connector inspect URL``: a first look at an unknown legacy database (inspect_cli.py)."""
    from plugins.sqlbss.inspect_cli import add_commands

    add_commands(cli)
