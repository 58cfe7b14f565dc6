"""The tenant's WeChat Pay secrets from the secrets file or the environment, checked before anything is signed.

Secrets never go in tenant.toml. Per tenant, in ``.secrets.toml`` beside hall.toml
(or ``HALL_SECRETS_FILE``)::

    [wechatpay.jiangnan]
    merchant_private_key_file = "/etc/hall/jiangnan-apiclient_key.pem"  # 商户API私钥 (or merchant_private_key = PEM text)
    merchant_serial_no = "3775B6A45ACD588826D15E583A95F5DD********"  # 商户API证书序列号
    apiv3_key = "…32 characters…"                                       # APIv3密钥
    platform_public_key_file = "/etc/hall/wechatpay-public.pem"        # 微信支付公钥 (or platform_public_key)
    platform_public_key_id = "PUB_KEY_ID_0114232134912410000000000000"  # 微信支付公钥ID (Wechatpay-Serial)
    app_secret = "…32 hex characters…"  # optional: the AppID's AppSecret, for JSAPI (paying inside WeChat)

or ``HALL_TENANT_<ID>_WECHATPAY__<KEY>``. Every problem is a ConfigIssue naming the file and the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from core.api import ConfigError, ConfigIssue, secrets_path
from plugins.wechatpay.crypto import load_private, load_public

PEM_KEYS = ("merchant_private_key", "platform_public_key")
TEXT_KEYS = ("merchant_serial_no", "apiv3_key", "platform_public_key_id")
OPTIONAL_KEYS = ("app_secret",)  # without it, a payer inside WeChat pays by H5 instead of JSAPI


@dataclass(frozen=True)
class WechatPayKeys:
    merchant_private_key: rsa.RSAPrivateKey  # signs requests
    merchant_serial_no: str  # names the merchant certificate in the Authorization header
    apiv3_key: bytes  # 32 bytes: decrypts notifications
    platform_public_key: rsa.RSAPublicKey  # verifies answers and notifications
    platform_public_key_id: str  # the Wechatpay-Serial that key signs with
    app_secret: str = ""  # the AppID's AppSecret: turns a WeChat sign-in code into the payer's openid (JSAPI)


def env_name(tenant_id: str, key: str) -> str:
    return f"HALL_TENANT_{tenant_id.upper().replace('-', '_')}_WECHATPAY__{key.upper()}"


def load_keys(hall, tenant_id: str) -> WechatPayKeys:
    """The tenant's secrets, validated; raises ConfigError listing every missing or unusable one."""
    path = secrets_path(hall.settings.config_file)
    section, issues = secrets_section(path, tenant_id)
    found: dict = {}
    for key in PEM_KEYS + TEXT_KEYS:
        text, origin, problem = _read_one(hall, path, section, tenant_id, key)
        if not problem:
            value, problem = _check(key, text)
            found[key] = value
        if problem:
            issues.append(ConfigIssue(origin, f"wechatpay.{tenant_id}.{key}", problem))
    for key in OPTIONAL_KEYS:
        text, origin, problem = _read_one(hall, path, section, tenant_id, key)
        if problem:
            continue  # not given: no JSAPI
        value, problem = _check(key, text)
        if problem:
            issues.append(ConfigIssue(origin, f"wechatpay.{tenant_id}.{key}", problem))
        found[key] = value
    if issues:
        raise ConfigError(issues)
    return WechatPayKeys(**found)


def secrets_section(path: Path, tenant_id: str) -> tuple[dict, list[ConfigIssue]]:
    if not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return {}, [ConfigIssue(str(path), "-", f"cannot read the secrets file: {exc}")]
    section = data.get("wechatpay", {}).get(tenant_id, {})
    if not isinstance(section, dict):
        return {}, [ConfigIssue(str(path), f"wechatpay.{tenant_id}", "must be a table")]
    return section, []


def _read_one(hall, path: Path, section: dict, tenant_id: str, key: str) -> tuple[str, str, str]:
    """(text, where it came from, problem)."""
    var = env_name(tenant_id, key)
    if os.environ.get(var):
        return os.environ[var], f"environment variable {var}", ""
    if isinstance(section.get(key), str) and section[key].strip():
        return section[key], str(path), ""
    file_name = section.get(f"{key}_file") if key in PEM_KEYS else None
    if isinstance(file_name, str) and file_name:
        key_file = hall.settings.path(file_name)
        try:
            return key_file.read_text(encoding="ascii"), str(path), ""
        except (OSError, UnicodeDecodeError) as exc:
            return "", str(path), f"cannot read key file {key_file}: {exc}"
    also = f" (or {key}_file = a path)" if key in PEM_KEYS else ""
    return (
        "",
        str(path),
        f"required secret is missing: put it under [wechatpay.{tenant_id}] as {key}{also} in {path}, or set {var}",
    )


def _check(key: str, text: str):
    """(value, problem)."""
    text = text.strip()
    if key == "apiv3_key":
        if len(text.encode("utf-8")) != 32:
            return None, f"the APIv3 key (APIv3密钥) is exactly 32 characters, this one has {len(text)}"
        return text.encode("utf-8"), ""
    if key == "app_secret":
        if not re.fullmatch(r"[0-9a-f]{32}", text):
            return None, "the AppSecret (开发者密码) of the AppID is 32 lowercase hex characters"
        return text, ""
    if key == "merchant_serial_no":
        if not re.fullmatch(r"[0-9A-Fa-f]{8,64}", text):
            return None, "the merchant certificate serial number (证书序列号) is hexadecimal, e.g. 3775B6A45ACD5888…"
        return text.upper(), ""
    if key == "platform_public_key_id":
        if not re.fullmatch(r"[0-9A-Za-z_]{8,64}", text):
            return (
                None,
                "the platform public key id (微信支付公钥ID) looks like PUB_KEY_ID_0114232134912410000000000000",
            )
        return text, ""
    private = key == "merchant_private_key"
    if "-----BEGIN" not in text:
        kind = "PRIVATE KEY" if private else "PUBLIC KEY"
        return None, f"not a PEM key: put the text between '-----BEGIN {kind}-----' and '-----END {kind}-----' lines"
    try:
        loaded = load_private(text) if private else load_public(text)
    except (ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, f"not a usable RSA {'private' if private else 'public'} key in PEM: {reason}"
    if loaded.key_size < 2048:
        return None, f"WeChat Pay uses RSA keys of 2048 bits (this one has {loaded.key_size})"
    return loaded, ""
