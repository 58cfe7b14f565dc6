"""Tables of the recurring charge run (定期划帐): one charge per product and month, the runs, the notices sent.

``core_charge`` has a unique (tenant, product_id, period) key: the charge of a
product for a month is inserted with ``ON CONFLICT DO NOTHING`` in the
transaction that has its effect (the outbox event to the BSS), so however many
workers run and wherever one is killed, a month is charged once. Money is
integer fen, always a debit; times are UTC.
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.db.scoping import TenantTable


class Charge(TenantTable, tablename="core_charge"):
    """The monthly fee of one hall-charged product for one period (a calendar month of the tenant).

    ``state``: ``posted`` (pushed to the BSS as ``charge.posted``), ``debited``
    (taken from the prepaid balance, ``charge.debited``), ``arrears`` (the balance
    did not cover it; ``suspend_at`` is when the product is suspended unless it is
    paid), ``paid`` (arrears settled later, ``charge.debited``), ``skipped`` (nothing
    to charge: ``reason`` says why; never a zero charge).
    """

    product_id = Integer()
    period = Varchar(length=7)  # YYYY-MM in the tenant's zone
    period_start = Timestamptz()
    period_end = Timestamptz()
    account_legacy_id = Varchar(length=64, default="")
    customer_legacy_id = Varchar(length=64, default="")
    number = Varchar(length=64, default="")
    amount_fen = BigInt(default=0)
    settle = Varchar(length=8, default="bss")  # bss | balance
    state = Varchar(length=12)
    reason = Varchar(length=200, default="")
    event_id = Varchar(length=36, default="")  # the outbox event that carried it
    run_id = Integer(null=True, default=None)  # ChargeRun.id of the run that made it
    suspend_at = Timestamptz(null=True, default=None)  # arrears: the end of the grace period
    suspend_change_id = Integer(null=True, default=None)  # the ProductChange booking that suspension
    created_at = Timestamptz(default=TimestamptzNow())
    settled_at = Timestamptz(null=True, default=None)
    intent_id = Varchar(
        length=32, default=""
    )  # paid by automatic payment (代扣): the agreement charge's payment intent
    UNIQUE_TOGETHER = (("tenant", "product_id", "period"),)
    INDEX_TOGETHER = (("tenant", "state", "account_legacy_id"), ("tenant", "run_id"), ("tenant", "period"))


class ChargeRun(TenantTable, tablename="core_charge_run"):
    """One run of the charge job: what it did (each count its own), and why products failed (retried next run)."""

    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    state = Varchar(length=12, default="running")  # running | done | interrupted
    periods = Varchar(length=100, default="")  # the months it looked at, "2026-01 2026-02"
    charged = Integer(default=0)
    skipped = Integer(default=0)
    arrears = Integer(default=0)
    settled = Integer(default=0)  # arrears paid since
    failed = Integer(default=0)
    failures = JSON(default=[])  # [{"product": id, "period": "YYYY-MM", "reason": "..."}], at most 50
    autopaid = Integer(default=0)  # charges paid by automatic payment (代扣)
    autopay_refused = JSON(default=[])  # [{"product", "period", "reason"}]: agreement charges refused or timed out
    INDEX_TOGETHER = (("tenant", "started_at"),)


class ChargeNotice(TenantTable, tablename="core_charge_notice"):
    """A message about a product's month (reminder, arrears, final warning, suspended, resumed), sent once."""

    product_id = Integer()
    period = Varchar(length=7)
    kind = Varchar(length=16)  # reminder | arrears | warning | suspended | resumed
    message_id = Integer(null=True, default=None)  # core.notify Message.id ("": nobody to tell)
    sent_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "product_id", "period", "kind"),)


class BalanceCredit(TenantTable, tablename="core_balance_credit"):
    """A payment the hall took for an account (a bill paid, a top-up), kept so arrears are settled at once (复机).

    The BSS's balance shows a payment only once the ``payment.posted`` event has
    reached it; until then (and for a credit made after the BSS's figure,
    ``as_of``) the hall adds it to the figure itself, as it takes off its own
    debits (core/products/spending.py). One row per payment intent.
    """

    account_legacy_id = Varchar(length=64)
    intent_id = Varchar(length=64)  # the payment intent's public id
    amount_fen = BigInt(default=0)  # always > 0: money that came in
    event_id = Varchar(length=36, default="")  # its payment.posted outbox event
    credited_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "intent_id"),)
    INDEX_TOGETHER = (("tenant", "account_legacy_id"),)


TABLES = [Charge, ChargeRun, ChargeNotice, BalanceCredit]
