"""Hooks billpay declares for other plugins (added to the hall's plugin manager when billpay's settings are registered).

Implement them with ``@hookimpl(optionalhook=True)`` (``from core.hookspecs
import hookimpl``): the hall checks every implementation against a spec at
start-up, before billpay has declared its own, and ``optionalhook`` tells
pluggy to wait for it. Documented in docs/billpay.md#e-invoice-providers.
"""

from __future__ import annotations

from core.api import hookspec


@hookspec
def register_invoice_providers(hall):
    """Return ``{name: factory}``: e-invoice providers (电子发票服务平台) this plugin offers to billpay.

    ``factory(hall, tenant, settings)`` returns a
    :class:`plugins.billpay.einvoice.EInvoiceProvider` for one tenant (``settings``
    is the tenant's ``[plugins.billpay]`` model; read your own settings with
    ``tenant.plugin_settings("<your plugin>")``). A tenant chooses a provider
    by name with ``[plugins.billpay] invoice_provider``; ``hall check`` refuses a
    name no loaded plugin registers. Called once per process; the factory is
    called whenever billpay issues, queries or downloads a document, so keep no
    state in the provider object. billpay registers ``local``, its stand-in.
    """
