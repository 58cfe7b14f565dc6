"""The sqlbss connector class for a mapping: every port its sections support.

:func:`plugins.sqlbss.billing.connector_class` composes customers, bills,
calls and writeback; this adds the ``lines``, ``number_pool``, ``payment_records`` and
``balances`` and tariff ``catalog`` mixins when ``[connector.lines]`` / ``[connector.number_pool]`` /
``[connector.payment_records]`` / ``[connector.balances]`` / ``[connector.catalog]`` are mapped, so the start-up
port check (``required_ports``) sees exactly what the mapping supports. A DB
agent process rebuilds its connector with the billing composition alone: it
only syncs bills and calls.
"""

from __future__ import annotations

from plugins.sqlbss import billing

_CLASSES: dict[tuple, type] = {}


def connector_class(mapping) -> type:
    from plugins.sqlbss.balances import BalancesPort
    from plugins.sqlbss.catalog import CatalogPort
    from plugins.sqlbss.lines import LinesPort
    from plugins.sqlbss.payments import PaymentsPort
    from plugins.sqlbss.pool import PoolPort

    base = billing.connector_class(mapping)
    wanted = (
        base,
        mapping.lines is not None,
        mapping.number_pool is not None,
        getattr(mapping, "payment_records", None) is not None,
        mapping.balances is not None,
        getattr(mapping, "catalog", None) is not None,
    )
    if not any(wanted[1:]):
        return base
    if wanted not in _CLASSES:
        mixins = [m for m, on in zip((LinesPort, PoolPort, PaymentsPort, BalancesPort, CatalogPort), wanted[1:]) if on]
        _CLASSES[wanted] = type(base.__name__, (*mixins, base), {})
    return _CLASSES[wanted]
