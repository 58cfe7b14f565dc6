"""Layered configuration: hall.toml → tenants/<id>/tenant.toml → HALL_* environment → secrets.

Loading is done with Dynaconf; validation with pydantic models whose field
descriptions also generate the configuration reference in docs/.
"""

from core.config.errors import ConfigError, ConfigIssue
from core.config.loader import HallSettings, load_settings

__all__ = ["ConfigError", "ConfigIssue", "HallSettings", "load_settings"]
