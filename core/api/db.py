"""Tenant data: ``TenantTable`` (queries filtered to the current tenant), transactions, scoped raw reads,
bulk upserts, the composite indexes and data steps of a migration, and the current tenant outside a request."""

from core.db import TenantTable, transaction
from core.db.bulk import analyze, bulk_upsert
from core.db.engine import fetch_scoped
from core.db.indexes import add_data_steps, add_unique_indexes
from core.db.url import parse_database_url
from core.tenancy import current_tenant, require_tenant, tenant_scope

__all__ = [
    "TenantTable",
    "add_data_steps",
    "add_unique_indexes",
    "analyze",
    "bulk_upsert",
    "current_tenant",
    "fetch_scoped",
    "parse_database_url",
    "require_tenant",
    "tenant_scope",
    "transaction",
]
