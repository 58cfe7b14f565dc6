"""The tenant's Alipay keys (PEM) from the secrets file or the environment, checked before anything is signed.

Secrets never go in tenant.toml. Per tenant, in ``.secrets.toml`` beside hall.toml
(or ``HALL_SECRETS_FILE``)::

    [alipay.jiangnan]
    app_private_key = '''-----BEGIN PRIVATE KEY-----…'''          # the merchant's (application's) private key
    alipay_public_key_file = "/etc/hall/jiangnan-alipay-public.pem"  # or a file: *_file, relative to hall.toml

or ``HALL_TENANT_<ID>_ALIPAY__APP_PRIVATE_KEY`` / ``…__ALIPAY_PUBLIC_KEY`` (PEM text).
Every problem is a ConfigIssue naming the file and the key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.api import ConfigError, ConfigIssue, secrets_path
from plugins.alipay.signing import load_private, load_public

KEYS = ("app_private_key", "alipay_public_key")
BARE_BASE64_HINT = (
    "Alipay's console shows keys as bare base64: put the text between '-----BEGIN {kind}-----' and "
    "'-----END {kind}-----' lines"
)


@dataclass(frozen=True)
class AlipayKeys:
    app_private_key: str  # PEM: signs requests to Alipay
    alipay_public_key: str  # PEM: verifies Alipay's notifications and responses (the sandbox's key in the demo)


def env_name(tenant_id: str, key: str) -> str:
    return f"HALL_TENANT_{tenant_id.upper().replace('-', '_')}_ALIPAY__{key.upper()}"


def load_keys(hall, tenant_id: str) -> AlipayKeys:
    """The tenant's keys, validated; raises ConfigError listing every missing or unusable key."""
    path = secrets_path(hall.settings.config_file)
    section, issues = _secrets_section(path, tenant_id)
    found: dict[str, str] = {}
    for key in KEYS:
        where = f"alipay.{tenant_id}.{key}"
        text, origin, problem = _read_one(hall, path, section, tenant_id, key)
        if problem:
            issues.append(ConfigIssue(origin, where, problem))
            continue
        problem = _check_pem(text, key)
        if problem:
            issues.append(ConfigIssue(origin, where, problem))
        found[key] = text
    if issues:
        raise ConfigError(issues)
    return AlipayKeys(**found)


def _secrets_section(path: Path, tenant_id: str) -> tuple[dict, list[ConfigIssue]]:
    if not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return {}, [ConfigIssue(str(path), "-", f"cannot read the secrets file: {exc}")]
    section = data.get("alipay", {}).get(tenant_id, {})
    return (
        (section, [])
        if isinstance(section, dict)
        else ({}, [ConfigIssue(str(path), f"alipay.{tenant_id}", "must be a table")])
    )


def _read_one(hall, path: Path, section: dict, tenant_id: str, key: str) -> tuple[str, str, str]:
    """(PEM text, where it came from, problem)."""
    var = env_name(tenant_id, key)
    if os.environ.get(var):
        return os.environ[var], f"environment variable {var}", ""
    if isinstance(section.get(key), str) and section[key].strip():
        return section[key], str(path), ""
    file_name = section.get(f"{key}_file")
    if isinstance(file_name, str) and file_name:
        key_file = hall.settings.path(file_name)
        try:
            return key_file.read_text(encoding="ascii"), str(path), ""
        except (OSError, UnicodeDecodeError) as exc:
            return "", str(path), f"cannot read key file {key_file}: {exc}"
    return (
        "",
        str(path),
        (
            f"required secret is missing: put the PEM under [alipay.{tenant_id}] as {key} (or {key}_file = a path) "
            f"in {path}, or set {var}"
        ),
    )


def _check_pem(text: str, key: str) -> str:
    private = key == "app_private_key"
    if "-----BEGIN" not in text:
        return "not a PEM key. " + BARE_BASE64_HINT.format(kind="PRIVATE KEY" if private else "PUBLIC KEY")
    try:
        loaded = load_private(text) if private else load_public(text)
    except (ValueError, TypeError) as exc:
        return f"not a usable RSA {'private' if private else 'public'} key in PEM: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    if loaded.key_size < 2048:
        return f"RSA2 needs a key of at least 2048 bits (this one has {loaded.key_size})"
    return ""
