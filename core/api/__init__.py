"""The public plugin API: everything a plugin (bundled or outside) may import from the core.

Plugins import only from ``core.api`` and its submodules; a test
(tests/conformance/test_plugin_imports.py) fails when a plugin under ``plugins/``
imports any other core module. Names outside ``core.api`` may change without
notice; these keep their meaning (docs/plugins.md, "The public API").

This module holds what nearly every plugin needs: the hook markers, the manifest, message ids,
menu items and panels, permissions, jobs, money and time display, configuration
errors and the tenant. The submodules group the rest by subject:
``web`` (pages and forms), ``db`` (tenant tables and scoped queries),
``identity``, ``payments``, ``legacy``, ``notify``, ``workorders``, ``products``, ``cli`` and ``testing``.
"""

from core import __version__ as HALL_VERSION
from core.auth.permissions import Permission
from core.config import ConfigError, ConfigIssue
from core.config.loader import secrets_path
from core.config.sandbox_secrets import drop_secrets_section, sandbox_keys_lost
from core.hookspecs import hookimpl, hookspec
from core.i18n import LANGUAGES, N_
from core.jobs.spec import Job
from core.localtime import local, to_local, zone_of
from core.manifest import Manifest
from core.money import format_fen, parse_yuan
from core.privacy import mask_contact, mask_name
from core.tenancy import Tenant
from core.web.menus import GROUP_ACCOUNT, GROUP_APPLY, GROUP_PAY, GROUP_SERVICE, MenuItem, Panel

__all__ = [
    "GROUP_ACCOUNT",
    "GROUP_APPLY",
    "GROUP_PAY",
    "GROUP_SERVICE",
    "HALL_VERSION",
    "LANGUAGES",
    "ConfigError",
    "ConfigIssue",
    "Job",
    "Manifest",
    "MenuItem",
    "N_",
    "Panel",
    "Permission",
    "Tenant",
    "format_fen",
    "hookimpl",
    "hookspec",
    "local",
    "mask_contact",
    "mask_name",
    "parse_yuan",
    "secrets_path",
    "sandbox_keys_lost",
    "drop_secrets_section",
    "to_local",
    "zone_of",
]
