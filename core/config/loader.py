"""Read hall.toml, the tenants' tenant.toml files, HALL_* variables and the secrets file via Dynaconf.

Dynaconf does the layering; we then validate with the pydantic schemas and turn
every failure into a ConfigIssue naming the file (or variable) and the key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynaconf import Dynaconf
from pydantic import BaseModel, ValidationError

from core.config.errors import ConfigError, ConfigIssue
from core.config.schema import TENANT_ID, DeploymentSettings, TenantFile

SECRET_KEYS = {("security", "secret_key"), ("mail", "password")}


@dataclass
class RawTenant:
    id: str
    path: Path
    data: TenantFile


@dataclass
class HallSettings:
    """The validated deployment settings plus every tenant's validated file."""

    root: Path
    config_file: Path
    deployment: DeploymentSettings
    tenants: dict[str, RawTenant] = field(default_factory=dict)

    def path(self, relative: str) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.root / p


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def _dynaconf_dict(files: list[Path], prefix: str, secrets: Path | None = None) -> dict:
    kwargs: dict[str, Any] = dict(
        settings_files=[str(f) for f in files],
        envvar_prefix=prefix,
        environments=False,
        load_dotenv=False,
        merge_enabled=False,  # a list from HALL_* replaces the file's list (merging appends: DESIGN's trap)
        core_loaders=["TOML"],
    )
    if secrets is not None and secrets.exists():
        kwargs["secrets"] = str(secrets)
    settings = Dynaconf(**kwargs)
    return _lower_keys(settings.as_dict())


def _read_toml(path: Path) -> tuple[dict, list[ConfigIssue]]:
    try:
        with path.open("rb") as fh:
            return _lower_keys(tomllib.load(fh)), []
    except FileNotFoundError:
        return {}, [ConfigIssue(str(path), "-", "file not found")]
    except tomllib.TOMLDecodeError as exc:
        return {}, [ConfigIssue(str(path), "-", f"not valid TOML: {exc}")]


def _known_only(model: type[BaseModel], data: dict) -> dict:
    """Keep only keys the model declares: environment variables share the HALL_ prefix with unrelated tools."""
    fields = model.model_fields
    return {k: v for k, v in data.items() if k in fields}


def _origin(key: tuple, file_data: dict, file_name: str, env_prefix: str, secrets: Path | None) -> str:
    var = env_prefix + "_" + "__".join(str(k).upper() for k in key if isinstance(k, str))
    if var in os.environ:
        return f"environment variable {var}"
    if secrets is not None and secrets.exists():
        sdata, _ = _read_toml(secrets)
        node: Any = sdata
        for k in key:
            node = node.get(k) if isinstance(node, dict) else None
        if node is not None:
            return str(secrets)
    return file_name


def pydantic_issues(
    exc: ValidationError, file_data: dict, file_name: str, env_prefix: str, secrets: Path | None = None
) -> list[ConfigIssue]:
    issues = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc)
        reason = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            reason = "unknown key (check the spelling against docs/configuration.md)"
        elif err["type"] == "missing":
            reason = "required value is missing"
        if (
            "input" in err
            and loc
            and loc[-1] not in ("password", "secret_key")
            and err["type"] != "missing"
            and not isinstance(err["input"], dict)
        ):
            reason += f" (got {err['input']!r})"
        issues.append(ConfigIssue(_origin(loc, file_data, file_name, env_prefix, secrets), key, reason))
    return issues


def find_config(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit).resolve()
    env = os.environ.get("HALL_CONFIG")
    if env:
        return Path(env).resolve()
    return (Path.cwd() / "hall.toml").resolve()


def secrets_path(config_file: Path) -> Path:
    return Path(os.environ.get("HALL_SECRETS_FILE") or config_file.parent / ".secrets.toml")


def load_settings(config: str | os.PathLike | None = None) -> HallSettings:
    """Load and validate everything that does not depend on plugins or themes; raise ConfigError."""
    config_file = find_config(config)
    root = config_file.parent
    issues: list[ConfigIssue] = []
    file_data, problems = _read_toml(config_file)
    issues += problems
    secrets = secrets_path(config_file)
    if problems:
        raise ConfigError(issues)
    merged = _dynaconf_dict([config_file], "HALL", secrets)
    try:
        deployment = DeploymentSettings.model_validate(_known_only(DeploymentSettings, merged))
    except ValidationError as exc:
        raise ConfigError(issues + pydantic_issues(exc, file_data, str(config_file), "HALL", secrets)) from None
    # Keys in the file that the schema does not know are typos: report them too.
    try:
        DeploymentSettings.model_validate(file_data)
    except ValidationError as exc:
        issues += [i for i in pydantic_issues(exc, file_data, str(config_file), "HALL") if "unknown key" in i.reason]
    if deployment.security.secret_key is None:
        issues.append(
            ConfigIssue(
                str(config_file),
                "security.secret_key",
                f"required secret is missing: set HALL_SECURITY__SECRET_KEY or put it under [security] in {secrets}",
            )
        )
    settings = HallSettings(root=root, config_file=config_file, deployment=deployment)
    tenants_dir = settings.path(deployment.hall.tenants_dir)
    if not tenants_dir.is_dir():
        issues.append(ConfigIssue(str(config_file), "hall.tenants_dir", f"folder {tenants_dir} does not exist"))
    else:
        for tenant_file in sorted(tenants_dir.glob("*/tenant.toml")):
            tid = tenant_file.parent.name
            if not TENANT_ID.match(tid):
                issues.append(
                    ConfigIssue(
                        str(tenant_file),
                        "-",
                        f"tenant folder name {tid!r} must be lower-case letters, digits, - or _, starting with a letter",
                    )
                )
                continue
            raw, problems = _read_toml(tenant_file)
            issues += problems
            if problems:
                continue
            prefix = f"HALL_TENANT_{tid.upper().replace('-', '_')}"
            data = _dynaconf_dict([tenant_file], prefix)
            try:
                parsed = TenantFile.model_validate(_known_only(TenantFile, data))
                TenantFile.model_validate(raw)  # typos in the file itself
            except ValidationError as exc:
                issues += pydantic_issues(exc, raw, str(tenant_file), prefix)
                continue
            settings.tenants[tid] = RawTenant(id=tid, path=tenant_file.parent, data=parsed)
        if not settings.tenants and not issues:
            issues.append(ConfigIssue(str(tenants_dir), "-", "no tenants configured (add tenants/<id>/tenant.toml)"))
    if issues:
        raise ConfigError(issues)
    return settings
