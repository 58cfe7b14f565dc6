"""First run: the sandbox's platform key pair, per demo tenant a merchant key pair, serial and APIv3 key, sandbox.toml and the secrets.

Only tenants that take WeChat Pay payments through a gateway other than WeChat
Pay's real one are registered. A tenant whose secrets are already there keeps them
(wrong ones are reported, never overwritten); one without gets fresh ones under the
sandbox folder, named in the secrets file.
"""

from __future__ import annotations

import secrets
import tomllib
from pathlib import Path

from core.api import ConfigError, drop_secrets_section, sandbox_keys_lost, secrets_path
from plugins.wechatpay.crypto import new_key_pair, public_pem
from plugins.wechatpay.keys import load_keys
from plugins.wechatpay.settings import WECHATPAY_GATEWAY

DEFAULT_PORT = 8030
PUBLIC_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000"  # the sandbox platform key's id (微信支付公钥ID)


def sandbox_folder(hall) -> Path:
    return hall.settings.path(hall.deployment.hall.var_dir) / "wechatpay-sandbox"


def sandbox_tenants(hall) -> list:
    from core.api.payments import enabled_providers

    return [
        t
        for t in hall.tenants
        if "wechatpay" in enabled_providers(hall, t)
        and t.plugin_settings("wechatpay").gateway != WECHATPAY_GATEWAY
        and t.plugin_settings("wechatpay").mch_id
    ]


def ensure_sandbox(hall, folder: Path | None = None, *, retry_scale: float = 1.0) -> tuple[Path, list[str]]:
    """Write what is missing; return (sandbox.toml, what was done, one line each)."""
    folder = folder or sandbox_folder(hall)
    folder.mkdir(parents=True, exist_ok=True)
    done: list[str] = []
    if not (folder / "platform-private.pem").exists():
        private, public = new_key_pair()
        _write_secret(folder / "platform-private.pem", private)
        (folder / "platform-public.pem").write_text(public, encoding="ascii")
        done.append(f"generated the sandbox's platform key pair in {folder}")
    merchants = []
    for tenant in sandbox_tenants(hall):
        settings = tenant.plugin_settings("wechatpay")
        try:
            keys = load_keys(hall, tenant.id)
        except ConfigError:
            if _has_secrets_section(hall, tenant.id):
                if not sandbox_keys_lost(
                    hall.settings.config_file, "wechatpay", tenant.id, folder, "merchant_private_key_file"
                ):
                    raise  # the deployer wrote keys and they are wrong: say so, never overwrite
                drop_secrets_section(hall.settings.config_file, "wechatpay", tenant.id)  # var/ was removed
                done.append(f"the sandbox's keys for tenant {tenant.id} were gone (var/ removed): made new ones")
            done += _give_keys(hall, tenant.id, folder)
            keys = load_keys(hall, tenant.id)
        public_file = f"{tenant.id}-merchant-public.pem"
        (folder / public_file).write_text(public_pem(keys.merchant_private_key), encoding="ascii")
        merchants.append(
            f'[merchants."{settings.mch_id}"]\ntenant = "{tenant.id}"\napp_id = "{settings.app_id}"\n'
            f'serial_no = "{keys.merchant_serial_no}"\npublic_key_file = "{public_file}"\n'
            f'apiv3_key = "{keys.apiv3_key.decode()}"\n'
            + (f'app_secret = "{keys.app_secret}"\n' if keys.app_secret else "")
        )
    config = folder / "sandbox.toml"
    config.write_text(
        "# Written by the hall from the tenants that use the sandbox (plugins/wechatpay/sandbox/prepare.py).\n"
        'private_key_file = "platform-private.pem"\npublic_key_file = "platform-public.pem"\n'
        f'public_key_id = "{PUBLIC_KEY_ID}"\ndatabase = "trades.sqlite3"\nretry_scale = {retry_scale!r}\n\n'
        + "\n".join(merchants),
        encoding="utf-8",
    )
    config.chmod(0o600)  # it holds the merchants' APIv3 keys
    return config, done


def _has_secrets_section(hall, tenant_id: str) -> bool:
    path = secrets_path(hall.settings.config_file)
    try:
        return tenant_id in tomllib.loads(path.read_text(encoding="utf-8")).get("wechatpay", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False


def _give_keys(hall, tenant_id: str, folder: Path) -> list[str]:
    private, _ = new_key_pair()
    _write_secret(folder / f"{tenant_id}-merchant-private.pem", private)
    path = secrets_path(hall.settings.config_file)
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Local secrets: never commit this file.\n"
    section = (
        f"\n[wechatpay.{tenant_id}]  # the demo's secrets for the local WeChat Pay sandbox (hall sandbox wechatpay)\n"
        f'merchant_private_key_file = "{_from_root(hall, folder / f"{tenant_id}-merchant-private.pem")}"\n'
        f'merchant_serial_no = "{secrets.token_hex(20).upper()}"\n'
        f'apiv3_key = "{secrets.token_hex(16)}"\n'
        f'app_secret = "{secrets.token_hex(16)}"\n'
        f'platform_public_key_file = "{_from_root(hall, folder / "platform-public.pem")}"\n'
        f'platform_public_key_id = "{PUBLIC_KEY_ID}"\n'
    )
    path.write_text(existing.rstrip("\n") + "\n" + section, encoding="utf-8")
    path.chmod(0o600)
    return [f"generated WeChat Pay secrets for tenant {tenant_id} and named them in {path} [wechatpay.{tenant_id}]"]


def _from_root(hall, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(hall.root.resolve()))
    except ValueError:
        return str(path)


def _write_secret(path: Path, text: str) -> None:
    path.write_text(text, encoding="ascii")
    path.chmod(0o600)
