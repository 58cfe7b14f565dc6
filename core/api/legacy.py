"""The tenant's legacy system: the ports a connector offers (and the records they carry), the synced billing
tables and sync state, display names of legacy codes, the outbox of writes back, and reconciliation pages."""

from core.legacy.balances import AccountBalance, balance_of, forget_balance
from core.legacy.billing_tables import Bill, BillItem, CallRecord
from core.legacy.names import display_names, localise_items
from core.legacy.outbox import OutboxPolicy, emit
from core.legacy.outbox_tables import OutboxEvent
from core.legacy.ports import (
    BalanceSource,
    LegacyAccount,
    LegacyBalance,
    LegacyPayment,
    PaymentRecordPage,
    PaymentRecordSource,
    BillBatch,
    BillingSource,
    CallBatch,
    CallRecordSource,
    Connector,
    CustomerBatch,
    CustomerSource,
    LegacyBill,
    LegacyBillItem,
    LegacyCallRecord,
    LegacyCustomer,
    LegacyServiceLine,
    LegacyServiceNumber,
    LegacyWriter,
    NumberPage,
    NumberPoolSource,
    NumberQuery,
    PoolNumber,
    ServiceLineSource,
    UnmappedEvent,
)
from core.legacy.reconcile import IdPage, LegacyIdSource
from core.legacy.settings import legacy_settings, tenant_zone
from core.legacy.tables import SyncState

__all__ = [
    "AccountBalance",
    "BalanceSource",
    "LegacyAccount",
    "LegacyBalance",
    "LegacyPayment",
    "PaymentRecordPage",
    "PaymentRecordSource",
    "Bill",
    "BillBatch",
    "BillItem",
    "BillingSource",
    "CallBatch",
    "CallRecord",
    "CallRecordSource",
    "Connector",
    "CustomerBatch",
    "CustomerSource",
    "IdPage",
    "LegacyBill",
    "LegacyBillItem",
    "LegacyCallRecord",
    "LegacyCustomer",
    "LegacyIdSource",
    "LegacyServiceLine",
    "LegacyServiceNumber",
    "LegacyWriter",
    "NumberPage",
    "NumberPoolSource",
    "NumberQuery",
    "OutboxEvent",
    "OutboxPolicy",
    "PoolNumber",
    "ServiceLineSource",
    "SyncState",
    "UnmappedEvent",
    "balance_of",
    "display_names",
    "emit",
    "forget_balance",
    "legacy_settings",
    "localise_items",
    "tenant_zone",
]
