"""Alipay (支付宝) payments: page and WAP pay through python-alipay-sdk, and a local Alipay-protocol sandbox (`hall sandbox alipay`)."""

from __future__ import annotations

from core.api import HALL_VERSION, N_, ConfigError, ConfigIssue, Manifest, hookimpl
from plugins.alipay.settings import AlipaySettings

PROVIDER_ID = "alipay"

MANIFEST = Manifest(
    name="alipay",
    version=HALL_VERSION,
    description="Alipay (支付宝) payments: page and WAP pay through python-alipay-sdk, and a local Alipay-protocol sandbox (`hall sandbox alipay`).",
    settings=AlipaySettings,
    title=N_("Alipay"),
)


@hookimpl
def register_commands(hall, cli):
    from plugins.alipay.sandbox.command import add_sandbox_command

    add_sandbox_command(cli)


def build_provider(hall, tenant, settings: AlipaySettings | None = None):
    """The tenant's AlipayProvider (the core keeps it per process); ConfigError names the file and key of each problem."""
    from plugins.alipay.keys import load_keys
    from plugins.alipay.provider import AlipayProvider

    settings = settings if isinstance(settings, AlipaySettings) else tenant.plugin_settings("alipay")
    tfile = str(tenant.path / "tenant.toml")
    issues = [
        ConfigIssue(tfile, f"plugins.alipay.{key}", f"required for a tenant that takes Alipay payments ({hint})")
        for key, hint in (
            ("app_id", "16 digits, from Alipay's open platform"),
            ("seller_id", "the merchant's PID, 2088…"),
        )
        if not getattr(settings, key)
    ]
    try:
        keys = load_keys(hall, tenant.id)
    except ConfigError as exc:
        issues += exc.issues
    if issues:
        raise ConfigError(issues)
    return AlipayProvider(settings, keys)


@hookimpl
def demo_services(hall, start, echo):
    """``hall demo``: the sandbox's and the merchants' keys, and (``start``) the sandbox on a thread."""
    from plugins.alipay.sandbox.runner import demo_sandbox

    return demo_sandbox(hall, start=start, echo=echo)


@hookimpl
def make_payment_provider(hall, tenant, provider_id, settings):
    if provider_id != PROVIDER_ID:
        return None
    return build_provider(hall, tenant, settings)
