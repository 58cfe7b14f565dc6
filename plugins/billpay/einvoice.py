"""E-invoice providers (电子发票服务平台): the interface, the registry billpay declares, and how a tenant's is chosen.

A provider issues the invoices the hall has numbered and fixed: ``issue`` (蓝字),
``red_letter`` (红字, reversing part or all of an issued one) and ``query``
(what it issued for a request, if anything). The hall's invoice number is the
request number, and every call must be idempotent on it: asking twice for the
same request gives the same provider number, never a second invoice. A
provider that cannot answer raises :class:`ProviderError`; the document stays
pending and the ``billpay.issue_invoices`` job asks again (``query`` first).

Providers come from plugins through the hook ``register_invoice_providers``,
which billpay declares (see :mod:`plugins.billpay.hookspecs`); billpay itself
registers ``local``, the stand-in (:mod:`plugins.billpay.einvoice_local`). A
tenant picks one with ``[plugins.billpay] invoice_provider``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable

STATE_KEY = "billpay.einvoice"


class ProviderError(Exception):
    """The provider refused or could not be reached; the document stays pending and is asked for again later."""


@dataclass(frozen=True)
class InvoiceDoc:
    """What the provider is asked to issue: everything printed on the invoice, fixed when the hall numbered it."""

    request_no: str  # the hall's invoice number: the idempotency key
    doc_type: str  # blue | red
    buyer_kind: str  # personal | company
    buyer_name: str
    buyer_tax_number: str
    seller_name: str
    seller_tax_number: str
    seller_address_phone: str
    seller_bank_account: str
    amount_fen: int  # 价税合计 (negative on a red-letter note)
    net_fen: int
    tax_fen: int
    lines: list[dict] = field(default_factory=list)  # [{"code", "name", "rate", "amount_fen", "net_fen", "tax_fen"}]
    original_request_no: str = ""  # red: the hall's number of the invoice reversed
    original_provider_no: str = ""  # red: the provider's number of the invoice reversed
    reason: str = ""


@dataclass(frozen=True)
class Issued:
    provider_no: str  # the invoice number the tax platform gave (发票号码)
    verify_code: str  # 校验码


class EInvoiceProvider(ABC):
    """One tenant's connection to an e-invoice platform. Do not keep state in memory: every worker builds its own."""

    name = ""

    @abstractmethod
    async def issue(self, doc: InvoiceDoc) -> Issued:
        """Issue a (blue) invoice; the same ``doc.request_no`` again returns what was issued the first time."""

    @abstractmethod
    async def red_letter(self, doc: InvoiceDoc) -> Issued:
        """Issue a red-letter note reversing ``doc.original_provider_no`` by ``doc.amount_fen`` (negative); idempotent as ``issue``."""

    @abstractmethod
    async def query(self, request_no: str) -> Issued | None:
        """What was issued for ``request_no``, or None if nothing was (then asking again is safe)."""

    async def pdf(self, doc: InvoiceDoc, issued: Issued) -> bytes | None:
        """The platform's own PDF (版式文件) of an issued document, or None: the hall renders its layout instead."""
        return None


Factory = Callable[..., EInvoiceProvider]  # factory(hall, tenant, settings) -> EInvoiceProvider


def ensure_hookspecs(hall) -> None:
    """Declare billpay's hooks on this hall's plugin manager (once); implementations use ``hookimpl(optionalhook=True)``."""
    from plugins.billpay import hookspecs

    pm = hall.plugins.pm
    caller = getattr(pm.hook, "register_invoice_providers", None)
    if caller is None or caller.spec is None:
        pm.add_hookspecs(hookspecs)


def registered(hall) -> dict[str, Factory]:
    """Every e-invoice provider the loaded plugins register: {name: factory}; a name registered twice is an error."""
    cached = hall.state.get(STATE_KEY)
    if cached is not None:
        return cached
    ensure_hookspecs(hall)
    out: dict[str, Factory] = {}
    for plugin, offered in hall.plugins.per_plugin("register_invoice_providers", hall=hall).items():
        for name, factory in (offered or {}).items():
            if name in out:
                raise ValueError(f"e-invoice provider {name!r} is registered twice (again by plugin {plugin!r})")
            out[name] = factory
    hall.state[STATE_KEY] = out
    return out


def provider_for(hall, tenant, name: str = "") -> EInvoiceProvider:
    """Provider ``name`` (default: the tenant's ``invoice_provider``); raises ProviderError when no plugin registers it any more.

    A document goes to the provider it was numbered for, so a note reaches the platform that issued its invoice.
    """
    settings = tenant.plugin_settings("billpay")
    name = name or settings.invoice_provider
    factory = registered(hall).get(name)
    if factory is None:
        raise ProviderError(f"no e-invoice provider {name!r} is registered")
    return factory(hall, tenant, settings)
