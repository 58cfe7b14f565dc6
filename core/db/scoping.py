"""Central tenant scoping: every query on a TenantTable is filtered by the current tenant.

A tenant-owned table derives from :class:`TenantTable`. Its ``select``,
``objects``, ``count``, ``exists``, ``update`` and ``delete`` add
``WHERE tenant = <current>``; ``insert`` stamps the current tenant on new rows and
refuses rows of another. With no current tenant they raise, so forgetting the
tenant is an error, not a leak. Cross-tenant work (super-admin reports,
migrations) must say so explicitly with :func:`all_tenants`.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import Iterator

from piccolo.columns import Varchar
from piccolo.table import Table

from core.tenancy import current_tenant

_unscoped: contextvars.ContextVar[bool] = contextvars.ContextVar("hall_unscoped", default=False)


class TenantScopeError(RuntimeError):
    """A tenant-owned table was queried with no current tenant."""


@contextmanager
def all_tenants() -> Iterator[None]:
    """Deliberately query across tenants (super-admin reports, maintenance)."""
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


def _tenant_id(table: type[Table]) -> str | None:
    if _unscoped.get():
        return None
    tenant = current_tenant()
    if tenant is None:
        raise TenantScopeError(
            f"{table.__name__} is tenant-owned: query it inside a request or core.tenancy.tenant_scope()"
        )
    return tenant.id


class TenantTable(Table):
    """Base of every tenant-owned table: carries ``tenant`` and scopes every query to it."""

    tenant = Varchar(length=32, null=False, index=True, default="")

    @classmethod
    def _scope(cls, query):
        tid = _tenant_id(cls)
        return query if tid is None else query.where(cls.tenant == tid)

    @classmethod
    def select(cls, *columns, exclude_secrets=False):
        # JSON columns come back as Python values, not strings, on both engines.
        return cls._scope(super().select(*columns, exclude_secrets=exclude_secrets)).output(load_json=True)

    @classmethod
    def objects(cls, *prefetch):
        return cls._scope(super().objects(*prefetch))

    @classmethod
    def count(cls, column=None, distinct=None):
        return cls._scope(super().count(column=column, distinct=distinct))

    @classmethod
    def exists(cls):
        return cls._scope(super().exists())

    @classmethod
    def update(cls, values=None, force=False, use_auto_update=True, **kwargs):
        return cls._scope(super().update(values, force=force, use_auto_update=use_auto_update, **kwargs))

    @classmethod
    def delete(cls, force=False):
        return cls._scope(super().delete(force=force))

    @classmethod
    def insert(cls, *rows):
        tid = _tenant_id(cls)
        for row in rows:
            if tid is None:
                if not row.tenant:
                    raise TenantScopeError(f"{cls.__name__} row inserted across tenants without a tenant")
            elif not row.tenant:
                row.tenant = tid
            elif row.tenant != tid:
                raise TenantScopeError(
                    f"refusing to insert a {cls.__name__} row of tenant {row.tenant!r} while serving {tid!r}"
                )
        return super().insert(*rows)

    @classmethod
    def raw(cls, sql, *args):
        raise TenantScopeError(
            f"{cls.__name__}.raw() bypasses tenant scoping; use the query builder (it adds the tenant filter)"
        )


def tenant_tables() -> list[type[TenantTable]]:
    """Every tenant-owned table class known now (for isolation checks and maintenance)."""
    out, todo = [], list(TenantTable.__subclasses__())
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(out, key=lambda t: t._meta.tablename)
