"""First run: the sandbox's key pair, a merchant key pair per demo tenant, sandbox.toml and the tenants' secrets.

Only tenants that take Alipay payments and point ``gateway`` somewhere other
than Alipay's real gateway are registered. A tenant whose keys are already in the
secrets file keeps them (the sandbox learns its public key from the private key);
one without keys gets a fresh pair under the sandbox folder, named in the secrets file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from core.api import ConfigError, drop_secrets_section, sandbox_keys_lost, secrets_path
from plugins.alipay.keys import load_keys
from plugins.alipay.settings import ALIPAY_GATEWAY
from plugins.alipay.signing import load_private, new_key_pair, public_pem

DEFAULT_PORT = 8020


def sandbox_folder(hall) -> Path:
    return hall.settings.path(hall.deployment.hall.var_dir) / "alipay-sandbox"


def sandbox_tenants(hall) -> list:
    """Tenants that take Alipay payments ([payments] providers) through a gateway other than Alipay's real one."""
    from core.api.payments import enabled_providers

    return [
        t
        for t in hall.tenants
        if "alipay" in enabled_providers(hall, t)
        and t.plugin_settings("alipay").gateway != ALIPAY_GATEWAY
        and t.plugin_settings("alipay").app_id
    ]


def ensure_sandbox(hall, folder: Path | None = None, *, retry_scale: float = 1.0) -> tuple[Path, list[str]]:
    """Write what is missing; return (sandbox.toml, what was done, one line each)."""
    folder = folder or sandbox_folder(hall)
    folder.mkdir(parents=True, exist_ok=True)
    done: list[str] = []
    if not (folder / "sandbox-private.pem").exists():
        private, public = new_key_pair()
        _write_secret(folder / "sandbox-private.pem", private)
        (folder / "sandbox-public.pem").write_text(public, encoding="ascii")
        done.append(f"generated the sandbox's RSA2 key pair in {folder}")
    apps = []
    for tenant in sandbox_tenants(hall):
        settings = tenant.plugin_settings("alipay")
        try:
            keys = load_keys(hall, tenant.id)
        except ConfigError:
            if _has_secrets_section(hall, tenant.id):
                if not sandbox_keys_lost(
                    hall.settings.config_file, "alipay", tenant.id, folder, "app_private_key_file"
                ):
                    raise  # the deployer wrote keys and they are wrong: say so, never overwrite
                drop_secrets_section(hall.settings.config_file, "alipay", tenant.id)  # var/ was removed
                done.append(f"the sandbox's keys for tenant {tenant.id} were gone (var/ removed): made new ones")
            done += _give_keys(hall, tenant.id, folder)
            keys = load_keys(hall, tenant.id)
        public_file = f"{tenant.id}-app-public.pem"
        (folder / public_file).write_text(public_pem(load_private(keys.app_private_key)), encoding="ascii")
        apps.append(
            f'[apps."{settings.app_id}"]\ntenant = "{tenant.id}"\nseller_id = "{settings.seller_id}"\npublic_key_file = "{public_file}"\n'
        )
    config = folder / "sandbox.toml"
    config.write_text(
        "# Written by the hall from the tenants that use the sandbox (plugins/alipay/sandbox/prepare.py).\n"
        'private_key_file = "sandbox-private.pem"\npublic_key_file = "sandbox-public.pem"\n'
        f'database = "trades.sqlite3"\nretry_scale = {retry_scale!r}\n\n' + "\n".join(apps),
        encoding="utf-8",
    )
    return config, done


def _has_secrets_section(hall, tenant_id: str) -> bool:
    path = secrets_path(hall.settings.config_file)
    try:
        return tenant_id in tomllib.loads(path.read_text(encoding="utf-8")).get("alipay", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False


def _give_keys(hall, tenant_id: str, folder: Path) -> list[str]:
    """A merchant key pair for the tenant, and its [alipay.<tenant>] section in the secrets file (appended)."""
    private, public = new_key_pair()
    _write_secret(folder / f"{tenant_id}-app-private.pem", private)
    path = secrets_path(hall.settings.config_file)
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Local secrets: never commit this file.\n"
    section = (
        f"\n[alipay.{tenant_id}]  # the demo's keys for the local Alipay sandbox (hall sandbox alipay)\n"
        f'app_private_key_file = "{_from_root(hall, folder / f"{tenant_id}-app-private.pem")}"\n'
        f'alipay_public_key_file = "{_from_root(hall, folder / "sandbox-public.pem")}"\n'
    )
    path.write_text(existing.rstrip("\n") + "\n" + section, encoding="utf-8")
    path.chmod(0o600)
    return [f"generated a merchant key pair for tenant {tenant_id} and named it in {path} [alipay.{tenant_id}]"]


def _from_root(hall, path: Path) -> str:
    """Relative to hall.toml when inside the deployment folder (moves with it), else absolute."""
    try:
        return str(path.resolve().relative_to(hall.root.resolve()))
    except ValueError:
        return str(path)


def _write_secret(path: Path, text: str) -> None:
    path.write_text(text, encoding="ascii")
    path.chmod(0o600)
