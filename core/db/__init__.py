"""Database: engine set-up, tenant scoping, transactions and per-app migrations (Piccolo)."""

from core.db.scoping import TenantScopeError, TenantTable, all_tenants
from core.db.engine import Database, transaction

__all__ = ["Database", "TenantScopeError", "TenantTable", "all_tenants", "transaction"]
