"""The plugins' own configuration checks (the ``check_config`` hook), gathered as configuration problems.

The hall adds them to the problems it finds itself, so start-up and ``hall
check`` report everything at once. Each plugin is asked on its own: one whose
check crashes is reported, and the others are still asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.config import ConfigError, ConfigIssue
from core.plugins import ALWAYS_ON

if TYPE_CHECKING:
    from core.hall import Hall
    from core.tenancy import Tenant

HOOK = "check_config"


def plugin_config_issues(hall: Hall) -> list[ConfigIssue]:
    """Every plugin's problems with the deployment (``tenant=None``), then each tenant's enabled plugins' with that tenant."""
    names = hall.plugins.implementers(HOOK)
    issues = [issue for name in names for issue in _ask(hall, name, None)]
    for tenant in hall.tenants:
        for name in names:
            if _applies(hall, name, tenant):
                issues += _ask(hall, name, tenant)
    return issues


def _applies(hall: Hall, name: str, tenant: Tenant) -> bool:
    """The tenant enables the plugin, and the plugin's settings for it validated (else that problem is already listed)."""
    if name not in ALWAYS_ON and not tenant.enables(name):
        return False
    return name not in hall.settings_models or name in tenant.settings


def _ask(hall: Hall, name: str, tenant: Tenant | None) -> list[ConfigIssue]:
    file = str(tenant.path / "tenant.toml") if tenant is not None else str(hall.settings.config_file)
    try:
        answers = hall.plugins.only(name, HOOK)(hall=hall, tenant=tenant)
    except ConfigError as exc:
        return list(exc.issues)
    except Exception as exc:  # noqa: BLE001 - a broken check must not hide the other problems
        return [ConfigIssue(file, f"plugins.{name}", f"the plugin's configuration check failed: {exc!r}")]
    return [_as_issue(item, file, name) for answer in answers for item in (answer or [])]


def _as_issue(item: Any, file: str, name: str) -> ConfigIssue:
    """A ConfigIssue as returned; anything else (a plain message) is filed under the plugin's settings table."""
    return item if isinstance(item, ConfigIssue) else ConfigIssue(file, f"plugins.{name}", str(item))
