"""Secrets a local sandbox wrote for itself, found stale when its folder is gone (``make clean`` removes var/).

A payment plugin's sandbox writes a tenant's keys under var/ and names them in ``.secrets.toml``. When var/ is
removed the section still names the lost files, and the next ``hall demo`` would stop on an unreadable key. A
section the sandbox wrote (its key file inside the sandbox's folder) whose key file is gone is dropped, so the
sandbox writes a fresh one; a deployer's own keys (anywhere else) are never touched.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from core.config.loader import secrets_path


def sandbox_keys_lost(config_file: Path, group: str, tenant_id: str, folder: Path, key: str) -> bool:
    """Whether ``[group.tenant_id]`` names, under ``key``, a file inside ``folder`` that no longer exists."""
    path = secrets_path(config_file)
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get(group, {}).get(tenant_id, {})
    except (OSError, tomllib.TOMLDecodeError):
        return False
    named = section.get(key)
    if not isinstance(named, str) or not named:
        return False
    file = Path(named) if Path(named).is_absolute() else config_file.parent / named
    try:
        file.resolve().relative_to(folder.resolve())
    except ValueError:
        return False  # the deployer's own key, elsewhere: an error to report, never to repair
    return not file.exists()


def drop_secrets_section(config_file: Path, group: str, tenant_id: str) -> None:
    """Remove the ``[group.tenant_id]`` table (its header to the next header) from the secrets file."""
    path = secrets_path(config_file)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = re.compile(rf"^\s*\[\s*{re.escape(group)}\s*\.\s*{re.escape(tenant_id)}\s*\]")
    out, skipping = [], False
    for line in lines:
        if line.lstrip().startswith("["):
            skipping = bool(header.match(line))
        if not skipping:
            out.append(line)
    path.write_text("".join(out), encoding="utf-8")
    path.chmod(0o600)
