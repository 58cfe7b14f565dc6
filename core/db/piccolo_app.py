"""The core's Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.audit import AuditLog
from core.auth.tables import (
    AccountNumber,
    BillingAccount,
    Customer,
    CustomerAccount,
    OneTimeCode,
    Operator,
    OperatorRole,
    Role,
    ServiceNumber,
    Session,
    SuperAdmin,
    ThrottleEvent,
)
from core.legacy.billing_tables import Balance, Bill, BillItem, CallRecord, Quarantine
from core.legacy.outbox_tables import OutboxEvent
from core.legacy.tables import ChangeReconcileRun, ReconcileSeen, SyncState
from core.notify.tables import Message, SmsPart, SmsQuota
from core.payments.tables import TABLES as PAYMENT_TABLES
from core.products.charge_tables import TABLES as CHARGE_TABLES
from core.products.tables import TABLES as PRODUCT_TABLES
from core.tmf.tables import TABLES as API_TABLES
from core.db.page_versions import PageVersion
from core.workorders.tables import TABLES as WORKORDER_TABLES

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[
        Customer,
        ServiceNumber,
        BillingAccount,
        CustomerAccount,
        AccountNumber,
        Session,
        OneTimeCode,
        ThrottleEvent,
        Operator,
        Role,
        OperatorRole,
        SuperAdmin,
        AuditLog,
        Message,
        SmsPart,
        SmsQuota,
        SyncState,
        Bill,
        BillItem,
        CallRecord,
        Quarantine,
        Balance,
        OutboxEvent,
        ReconcileSeen,
        ChangeReconcileRun,
        PageVersion,
        *WORKORDER_TABLES,
        *PAYMENT_TABLES,
        *PRODUCT_TABLES,
        *API_TABLES,
        *CHARGE_TABLES,
    ],
)
