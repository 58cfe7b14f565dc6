"""Which providers a tenant takes money with, built once per process through the ``make_payment_provider`` hook."""

from __future__ import annotations

import logging

from core.payments.providers import PaymentProvider

log = logging.getLogger("hall.payments")
CACHE = "core.payments.providers"


def payment_settings(hall, tenant):
    """The tenant's ``[payments]`` table (core.config.schema.PaymentsSection)."""
    from core.config.schema import PaymentsSection

    raw = hall.settings.tenants.get(tenant.id)
    return raw.data.payments if raw is not None else PaymentsSection()


def enabled_providers(hall, tenant) -> list[str]:
    return list(payment_settings(hall, tenant).providers)


def provider_for(hall, tenant, provider_id: str, *, switched_off_too: bool = False) -> PaymentProvider | None:
    """The tenant's provider ``provider_id``, or None when it is not switched on (or no plugin builds it).

    ``switched_off_too`` is for intents made before the tenant switched the
    provider off: their pages and the reconciliation job still ask the gateway
    when a plugin can still build the provider.
    """
    if not switched_off_too and provider_id not in enabled_providers(hall, tenant):
        return None
    cache = hall.state.setdefault(CACHE, {})
    key = (tenant.id, provider_id)
    if key not in cache:
        provider = hall.plugins.hook.make_payment_provider(
            hall=hall, tenant=tenant, provider_id=provider_id, settings=tenant.plugin_settings(provider_id)
        )
        if provider is None:
            log.warning("tenant %s: no installed plugin builds payment provider %r", tenant.id, provider_id)
        cache[key] = provider
    return cache[key]


def provider_label(hall, tenant, provider_id: str) -> str:
    """A message id naming the provider; its id when no plugin can build it any more (history still renders)."""
    try:
        provider = provider_for(hall, tenant, provider_id, switched_off_too=True)
    except Exception:  # a provider that cannot be built (settings gone) must not break a history page
        log.exception("tenant %s: payment provider %r could not be built", tenant.id, provider_id)
        provider = None
    return getattr(provider, "label", "") or provider_id


def providers_usable_in(hall, tenant, user_agent: str) -> list[str]:
    """The tenant's providers a payer can use in this browser: inside a payment app's own browser, only that app's.

    A provider may name its app's user-agent mark in ``app_agent`` (WeChat Pay: ``micromessenger``); inside
    WeChat an Alipay link goes nowhere, so the choice is not offered there. Elsewhere: all of them.
    """
    agent = user_agent.lower()
    enabled = enabled_providers(hall, tenant)
    inside = [p for p in enabled if (mark := _app_agent(hall, tenant, p)) and mark in agent]
    return inside or enabled


def _app_agent(hall, tenant, provider_id: str) -> str:
    """The provider's app mark; "" when it has none or cannot be built (its own checkout then says why)."""
    from core.config import ConfigError

    try:
        return getattr(provider_for(hall, tenant, provider_id), "app_agent", "")
    except ConfigError:
        log.warning("tenant %s: payment provider %r cannot be built", tenant.id, provider_id)
        return ""
