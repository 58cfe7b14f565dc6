"""WeChat Pay (微信支付) payments on API v3: Native (scan), H5 and JSAPI (inside WeChat) orders, and a local WeChat-Pay-protocol sandbox (`hall sandbox wechatpay`)."""

from __future__ import annotations

from core.api import HALL_VERSION, N_, ConfigError, ConfigIssue, Manifest, hookimpl
from plugins.wechatpay.settings import WechatPaySettings

PROVIDER_ID = "wechatpay"

MANIFEST = Manifest(
    name="wechatpay",
    version=HALL_VERSION,
    description="WeChat Pay (微信支付) payments on API v3: Native (scan), H5 and JSAPI (inside WeChat) orders, and a local WeChat-Pay-protocol sandbox (`hall sandbox wechatpay`).",
    settings=WechatPaySettings,
    title=N_("WeChat Pay"),
)


def problems(hall, tenant, settings: WechatPaySettings | None = None) -> tuple[list[ConfigIssue], object]:
    """(every missing or malformed setting and secret, the keys when they are all usable)."""
    from plugins.wechatpay.keys import load_keys

    settings = settings if isinstance(settings, WechatPaySettings) else tenant.plugin_settings(PROVIDER_ID)
    tfile = str(tenant.path / "tenant.toml")
    issues = [
        ConfigIssue(tfile, f"plugins.wechatpay.{key}", f"required for a tenant that takes WeChat Pay payments ({hint})")
        for key, hint in (
            ("mch_id", "the merchant id 商户号, 8-10 digits"),
            ("app_id", "the AppID bound to the merchant, wx…"),
        )
        if not getattr(settings, key)
    ]
    keys = None
    try:
        keys = load_keys(hall, tenant.id)
    except ConfigError as exc:
        issues += exc.issues
    return issues, keys


def build_provider(hall, tenant, settings: WechatPaySettings | None = None):
    """The tenant's WechatPayProvider (the core keeps it per process); ConfigError names the file and key of each problem."""
    from plugins.wechatpay.provider import WechatPayProvider

    settings = settings if isinstance(settings, WechatPaySettings) else tenant.plugin_settings(PROVIDER_ID)
    issues, keys = problems(hall, tenant, settings)
    if issues:
        raise ConfigError(issues)
    return WechatPayProvider(settings, keys)


@hookimpl
def make_payment_provider(hall, tenant, provider_id, settings):
    if provider_id != PROVIDER_ID:
        return None
    return build_provider(hall, tenant, settings)


@hookimpl
def register_commands(hall, cli):
    from plugins.wechatpay.sandbox.command import add_sandbox_command

    add_sandbox_command(cli)


@hookimpl
def demo_services(hall, start, echo):
    """``hall demo``: the sandbox's and the merchants' keys, and (``start``) the sandbox on a thread."""
    from plugins.wechatpay.sandbox.runner import demo_sandbox

    return demo_sandbox(hall, start=start, echo=echo)
