"""Build each tenant's SMS channel from its [sms] section, and list every problem with file, key and reason.

Built at start-up (and by ``hall check``), so a missing password or template code is found
before the first customer asks for a code. A tenant in production may not leave its SMS
in the demo outbox.
"""

from __future__ import annotations

import os

from core.config import ConfigError, ConfigIssue
from core.config.loader import secrets_path
from core.notify.channels import OutboxSmsChannel
from core.notify.sms.secrets import env_name, read_secret

BUILT_IN = ("demo", "smpp", "aliyun", "tencent")
CODE_KINDS = (
    "signup",
    "reset",
)  # the core's one-time codes: every cloud template map must cover them (or give `default`)


def build_channel(hall, tenant, tfile: str) -> tuple[object | None, list[ConfigIssue]]:
    """(the tenant's SMS channel, problems)."""
    sms = tenant.sms
    issues: list[ConfigIssue] = []
    if tenant.environment == "production" and sms.provider == "demo":
        issues.append(
            ConfigIssue(
                tfile,
                "sms.provider",
                f"tenant {tenant.id!r} is in production but its SMS only reach the demo outbox "
                '(no customer would get a code): set provider = "smpp" or "aliyun" with its settings (docs/sms.md)',
            )
        )
    if sms.provider == "demo":
        return OutboxSmsChannel(), issues
    if sms.provider == "smpp":
        return _smpp(hall, tenant, tfile, issues)
    if sms.provider == "aliyun":
        return _aliyun(hall, tenant, tfile, issues)
    if sms.provider == "tencent":
        return _tencent(hall, tenant, tfile, issues)
    try:
        channel = hall.plugins.hook.make_sms_channel(hall=hall, tenant=tenant, provider=sms.provider, settings=sms)
    except ConfigError as exc:
        return None, issues + exc.issues
    if channel is None:
        issues.append(
            ConfigIssue(
                tfile,
                "sms.provider",
                f"no installed plugin provides SMS provider {sms.provider!r} (built in: {', '.join(BUILT_IN)})",
            )
        )
    return channel, issues


def _secret_origin(hall, tenant_id: str, key: str) -> str:
    var = env_name(tenant_id, key)
    return f"environment variable {var}" if os.environ.get(var) else str(secrets_path(hall.settings.config_file))


def _required(section, name: str, fields: tuple[str, ...], tfile: str) -> list[ConfigIssue]:
    return [
        ConfigIssue(tfile, f"sms.{name}.{f}", f'required value is missing (provider = "{name}")')
        for f in fields
        if not getattr(section, f)
    ]


def _smpp(hall, tenant, tfile, issues):
    from core.notify.sms.smpp import SmppChannel

    settings = tenant.sms.smpp
    if settings is None:
        return None, issues + [
            ConfigIssue(
                tfile, "sms.smpp", 'provider = "smpp" needs an [sms.smpp] table with host, system_id and source_addr'
            )
        ]
    issues += _required(settings, "smpp", ("host", "system_id", "source_addr"), tfile)
    # An SMSC hands an account's receipts to whichever of its sessions is bound: two tenants on one account would
    # receive (and acknowledge) each other's receipts, which then match nothing and are lost.
    accounts = hall.state.setdefault("core.smpp_accounts", {})
    account = (settings.host.lower(), settings.port, settings.system_id)
    owner = accounts.setdefault(account, tenant.id)
    if settings.host and settings.system_id and owner != tenant.id:
        issues.append(
            ConfigIssue(
                tfile,
                "sms.smpp.system_id",
                f"tenant {owner!r} already uses SMSC account {settings.system_id!r} "
                f"on {settings.host}:{settings.port}; each tenant needs its own (delivery receipts go to the account)",
            )
        )
    password, problem = read_secret(hall, tenant.id, "smpp_password")
    if problem:
        issues.append(problem)
    elif len(password.encode()) > 8:  # SMPP 3.4: password is a C-Octet String of at most 9 octets with its NUL
        issues.append(
            ConfigIssue(
                _secret_origin(hall, tenant.id, "smpp_password"),
                f"sms.{tenant.id}.smpp_password",
                "an SMPP 3.4 password has at most 8 characters (ask the SMSC's operator for a shorter one)",
            )
        )
    return (SmppChannel(settings, password) if not issues else None), issues


def _aliyun(hall, tenant, tfile, issues):
    from core.notify.sms.aliyun import AliyunChannel

    settings = tenant.sms.aliyun
    if settings is None:
        return None, issues + [
            ConfigIssue(
                tfile, "sms.aliyun", 'provider = "aliyun" needs an [sms.aliyun] table with access_key_id and templates'
            )
        ]
    issues += _required(settings, "aliyun", ("access_key_id",), tfile)
    if not tenant.sms.signature:
        issues.append(
            ConfigIssue(
                tfile,
                "sms.signature",
                "required for Alibaba Cloud: the SignName approved in the SMS console, e.g. 江南电信",
            )
        )
    lacking = [k for k in CODE_KINDS if k not in settings.templates] if "default" not in settings.templates else []
    if lacking:
        issues.append(
            ConfigIssue(
                tfile,
                "sms.aliyun.templates",
                f"no template code for {', '.join(lacking)} (one-time codes); add them or a `default`",
            )
        )
    bad = [k for k, v in settings.templates.items() if not v.startswith("SMS_")]
    if bad:
        issues.append(
            ConfigIssue(tfile, "sms.aliyun.templates", f"template codes look like SMS_123456789; not: {', '.join(bad)}")
        )
    secret, problem = read_secret(hall, tenant.id, "aliyun_access_key_secret")
    if problem:
        issues.append(problem)
    return (AliyunChannel(settings, secret, tenant.sms.signature) if not issues else None), issues


def _tencent(hall, tenant, tfile, issues):
    from core.notify.sms.tencent import TencentChannel

    settings = tenant.sms.tencent
    if settings is None:
        return None, issues + [
            ConfigIssue(
                tfile,
                "sms.tencent",
                'provider = "tencent" needs an [sms.tencent] table with secret_id, sdk_app_id and templates',
            )
        ]
    issues += _required(settings, "tencent", ("secret_id", "sdk_app_id"), tfile)
    if not tenant.sms.signature:
        issues.append(
            ConfigIssue(
                tfile,
                "sms.signature",
                "required for Tencent Cloud: the SignName approved in the SMS console, e.g. 江南电信",
            )
        )
    lacking = [k for k in CODE_KINDS if k not in settings.templates] if "default" not in settings.templates else []
    if lacking:
        issues.append(
            ConfigIssue(
                tfile,
                "sms.tencent.templates",
                f"no template id for {', '.join(lacking)} (one-time codes); add them or a `default`",
            )
        )
    secret, problem = read_secret(hall, tenant.id, "tencent_secret_key")
    if problem:
        issues.append(problem)
    return (TencentChannel(settings, secret, tenant.sms.signature) if not issues else None), issues
