"""A fake payment gateway for tests: HMAC-signed notifications, scripted query answers, and an outage switch.

    plugin = FakePaymentPlugin()
    harness = hall_factory([TenantSpec("alpha", plugins=["testshop"], payments={"providers": ["fake"]})],
                           extra_plugins={"fakepay": plugin, "testshop": shop})
    gateway = plugin.gateway("alpha")
    gateway.pay(intent_id)                       # the customer pays at the gateway
    form = gateway.notification(intent_id)       # the signed notification it would send
    client.post("/pay/notify/fake", form, csrf=False)

The signing key and app id are derived from the tenant id, so a child
process (core.testing.crash) verifies what the test process signed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from core.hookspecs import hookimpl
from core.i18n import N_
from core.payments.providers import Checkout, CheckoutRequest, GatewayResult, InvalidNotification, ProviderUnavailable
from core.web.numbers import parse_int

PROVIDER_ID = "fake"
STATUS_CODES = {
    "pending": "WAIT_BUYER_PAY",
    "succeeded": "TRADE_SUCCESS",
    "canceled": "TRADE_CLOSED",
    "failed": "TRADE_FAILED",
}
CODE_STATUS = {v: k for k, v in STATUS_CODES.items()}


def signing_key(tenant_id: str) -> bytes:
    return f"fake-gateway-key-{tenant_id}".encode()


def sign(params: dict[str, str], key: bytes) -> str:
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


@dataclass
class Trade:
    intent_id: str
    amount_fen: int
    status: str = "pending"
    trade_no: str = ""
    refunds: dict[str, int] = field(default_factory=dict)  # refund id -> fen


@dataclass
class FakeGateway:
    """One tenant's account at the fake gateway. ``down = True``: every call raises ProviderUnavailable."""

    tenant_id: str
    app_id: str = ""
    down: bool = False
    trades: dict[str, Trade] = field(default_factory=dict)
    checkouts: list[CheckoutRequest] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.app_id = self.app_id or f"fake-app-{self.tenant_id}"

    @property
    def key(self) -> bytes:
        return signing_key(self.tenant_id)

    def pay(self, intent_id: str, amount_fen: int | None = None) -> Trade:
        """The customer pays at the gateway (a trade the gateway never saw is created as paid)."""
        trade = self.trades.get(intent_id) or self.trades.setdefault(intent_id, Trade(intent_id, amount_fen or 0))
        trade.status, trade.trade_no = "succeeded", trade.trade_no or "T" + secrets.token_hex(8)
        if amount_fen is not None:
            trade.amount_fen = amount_fen
        return trade

    def notification(
        self,
        intent_id: str,
        *,
        status: str | None = None,
        amount_fen: int | None = None,
        app_id: str | None = None,
        key: bytes | None = None,
        trade_no: str | None = None,
    ) -> dict[str, str]:
        """The signed notification the gateway would post about ``intent_id`` (override fields to forge one)."""
        trade = self.trades.get(intent_id) or Trade(intent_id, amount_fen or 0)
        params = {
            "app_id": app_id or self.app_id,
            "out_trade_no": intent_id,
            "trade_no": trade_no or trade.trade_no or "T0",
            "trade_status": STATUS_CODES[status or trade.status],
            "total_fen": str(trade.amount_fen if amount_fen is None else amount_fen),
            "notify_id": secrets.token_hex(6),
        }
        params["sign"] = sign(params, key or self.key)
        return params


class FakeProvider:
    """A PaymentProvider against a :class:`FakeGateway`, shaped like Alipay (``success`` / ``fail`` answers)."""

    id = PROVIDER_ID
    label = N_("Test payment")

    def __init__(self, gateway: FakeGateway):
        self.gateway = gateway

    def _up(self, call: str) -> None:
        self.gateway.calls.append(call)
        if self.gateway.down:
            raise ProviderUnavailable("fake gateway down")

    async def create_checkout(self, request: CheckoutRequest) -> Checkout:
        self._up(f"checkout:{request.intent_id}")
        self.gateway.checkouts.append(request)
        self.gateway.trades.setdefault(request.intent_id, Trade(request.intent_id, request.amount_fen))
        return Checkout(redirect_url=f"https://fakepay.test/{request.channel}/{request.intent_id}")

    async def verify_notification(self, form: dict[str, str]) -> GatewayResult:
        given = form.get("sign", "")
        if not given or not hmac.compare_digest(given, sign(form, self.gateway.key)):
            raise InvalidNotification("bad signature")
        if form.get("app_id") != self.gateway.app_id:
            raise InvalidNotification(f"wrong app_id {form.get('app_id')!r}")
        status = CODE_STATUS.get(form.get("trade_status", ""))
        if status is None or parse_int(form.get("total_fen", ""), low=0, high=2**62) is None:
            raise InvalidNotification("malformed notification")
        return GatewayResult(
            form["out_trade_no"],
            form.get("trade_no", ""),
            status,
            parse_int(form["total_fen"], low=0, high=2**62),
            {k: v for k, v in form.items() if k != "sign"},
        )

    def notification_response(self, handled: bool) -> tuple[int, str, str]:
        return 200, "text/plain", "success" if handled else "fail"

    async def query(self, intent_id: str) -> GatewayResult:
        self._up(f"query:{intent_id}")
        trade = self.gateway.trades.get(intent_id)
        if trade is None:
            return GatewayResult(intent_id, "", "unknown", None, {})
        return GatewayResult(intent_id, trade.trade_no, trade.status, trade.amount_fen, {"status": trade.status})

    async def refund(self, intent_id: str, refund_id: str, amount_fen: int, reason: str) -> str:
        self._up(f"refund:{refund_id}")
        trade = self.gateway.trades.get(intent_id)
        if trade is None or trade.status != "succeeded":
            raise ValueError("TRADE_NOT_PAID")
        if refund_id not in trade.refunds:  # idempotent by refund id
            if sum(trade.refunds.values()) + amount_fen > trade.amount_fen:
                raise ValueError("REFUND_AMT_NOT_EQUAL_TOTAL")
            trade.refunds[refund_id] = amount_fen
        return f"R{refund_id}"

    async def close(self, intent_id: str) -> None:
        self._up(f"close:{intent_id}")
        trade = self.gateway.trades.get(intent_id)
        if (
            trade is not None and trade.status == "succeeded"
        ):  # as Alipay's ACQ.TRADE_STATUS_ERROR: a paid trade cannot be closed
            raise ValueError("TRADE_STATUS_ERROR: the trade is paid")
        if trade is not None and trade.status == "pending":
            trade.status = "canceled"


class FakePaymentPlugin:
    """Answers ``make_payment_provider`` for provider ``fake`` with one FakeGateway per tenant."""

    def __init__(self):
        self.gateways: dict[str, FakeGateway] = {}

    def gateway(self, tenant_id: str) -> FakeGateway:
        return self.gateways.setdefault(tenant_id, FakeGateway(tenant_id))

    @hookimpl
    def make_payment_provider(self, hall, tenant, provider_id, settings):
        return FakeProvider(self.gateway(tenant.id)) if provider_id == PROVIDER_ID else None
