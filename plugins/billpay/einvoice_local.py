"""The local e-invoice provider: a stand-in for a tax platform that "issues" by storing, for demos, tests and tenants without one.

It numbers what it issues in its own series (20 digits, like a 全电发票 number),
gives each a random 20-digit verification code (校验码), and answers ``query``
from its table, so asking twice for the same request returns the first answer.
Its PDF is the hall's own layout. Nothing it issues is reported to any tax
authority.
"""

from __future__ import annotations

import secrets

from core.api.db import transaction
from plugins.billpay.einvoice import EInvoiceProvider, InvoiceDoc, Issued, ProviderError
from plugins.billpay.numbering import next_value
from plugins.billpay.tables import LocalEInvoice


class LocalProvider(EInvoiceProvider):
    name = "local"

    def __init__(self, hall=None, tenant=None, settings=None):
        self.tenant = tenant

    async def query(self, request_no: str) -> Issued | None:
        row = (
            await LocalEInvoice.select(LocalEInvoice.provider_no, LocalEInvoice.verify_code)
            .where(LocalEInvoice.request_no == request_no)
            .first()
        )
        return Issued(row["provider_no"], row["verify_code"]) if row else None

    async def _store(self, doc: InvoiceDoc) -> Issued:
        done = await self.query(doc.request_no)
        if done:
            return done
        async with transaction():
            number = f"{await next_value('local-einvoice'):020d}"
            code = "".join(secrets.choice("0123456789") for _ in range(20))
            await LocalEInvoice.insert(
                LocalEInvoice(
                    request_no=doc.request_no,
                    provider_no=number,
                    verify_code=code,
                    doc_type=doc.doc_type,
                    original_provider_no=doc.original_provider_no,
                    amount_fen=doc.amount_fen,
                    tax_fen=doc.tax_fen,
                    buyer=doc.buyer_name[:100],
                )
            ).on_conflict(target=(LocalEInvoice.tenant, LocalEInvoice.request_no), action="DO NOTHING")
        return await self.query(doc.request_no)

    async def issue(self, doc: InvoiceDoc) -> Issued:
        return await self._store(doc)

    async def red_letter(self, doc: InvoiceDoc) -> Issued:
        # an invoice from before invoices went through a provider has no provider number: nothing to check it against
        if (
            doc.original_provider_no
            and await LocalEInvoice.count().where(LocalEInvoice.provider_no == doc.original_provider_no) == 0
        ):
            raise ProviderError(
                f"red-letter note {doc.request_no}: the original invoice {doc.original_provider_no!r} was not issued here"
            )
        return await self._store(doc)
