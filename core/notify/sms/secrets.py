"""The tenant's SMS secrets (SMPP password, cloud AccessKey secret): secrets file or environment, never tenant.toml.

In ``.secrets.toml`` beside hall.toml (or ``HALL_SECRETS_FILE``)::

    [sms.jiangnan]
    smpp_password = "…"
    aliyun_access_key_secret = "…"
    tencent_secret_key = "…"

or ``HALL_TENANT_<ID>_SMS_SECRET__SMPP_PASSWORD`` (and ``…__ALIYUN_ACCESS_KEY_SECRET``).
"""

from __future__ import annotations

import os
import tomllib

from core.config import ConfigIssue
from core.config.loader import secrets_path

NEEDED = {"smpp": "smpp_password", "aliyun": "aliyun_access_key_secret", "tencent": "tencent_secret_key"}


def env_name(tenant_id: str, key: str) -> str:
    return f"HALL_TENANT_{tenant_id.upper().replace('-', '_')}_SMS_SECRET__{key.upper()}"


def read_secret(hall, tenant_id: str, key: str) -> tuple[str, ConfigIssue | None]:
    """(value, None) or ("", the issue naming file, key and reason)."""
    var = env_name(tenant_id, key)
    if os.environ.get(var):
        return os.environ[var], None
    path = secrets_path(hall.settings.config_file)
    where = f"sms.{tenant_id}.{key}"
    missing = ConfigIssue(
        str(path), where, f"required secret is missing: put {key} under [sms.{tenant_id}] in {path}, or set {var}"
    )
    if not path.exists():
        return "", missing
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return "", ConfigIssue(str(path), "-", f"cannot read the secrets file: {exc}")
    section = (data.get("sms") or {}).get(tenant_id)
    if section is None:
        return "", missing
    if not isinstance(section, dict):
        return "", ConfigIssue(str(path), f"sms.{tenant_id}", "must be a table")
    value = section.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return "", missing
    if not isinstance(value, str):
        return "", ConfigIssue(str(path), where, f"must be text (got {type(value).__name__})")
    return value, None
