"""WeChat Pay's trade and refund objects as the core's GatewayResult / RefundNotice; amounts are integer fen, checked."""

from __future__ import annotations

from core.api.payments import GatewayResult, RefundNotice

STATUS = {
    "SUCCESS": "succeeded",
    "REFUND": "succeeded",  # paid, then refunded (in part or all): refunds are the core's records
    "NOTPAY": "pending",
    "USERPAYING": "pending",
    "CLOSED": "canceled",
    "REVOKED": "canceled",
    "PAYERROR": "failed",
}
REFUND_STATUS = {"SUCCESS": "succeeded", "PROCESSING": "pending", "ABNORMAL": "failed", "CLOSED": "failed"}


def fen(value, what: str) -> int:
    """WeChat Pay counts in fen: an integer, never a float, a string or a boolean."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} {value!r} is not an integer number of fen")
    return value


def trade_result(data: dict) -> GatewayResult:
    state = data.get("trade_state", "")
    status = STATUS.get(state)
    if status is None:
        raise ValueError(f"unknown trade_state {str(state)[:20]!r}")
    if not data.get("out_trade_no"):
        raise ValueError("no out_trade_no")
    amount = data.get("amount") or {}
    if amount.get("currency", "CNY") != "CNY":
        raise ValueError(f"currency {amount.get('currency')!r}, not CNY")
    total = fen(amount["total"], "amount.total") if "total" in amount else None
    return GatewayResult(
        intent_id=str(data["out_trade_no"]),
        provider_ref=str(data.get("transaction_id", "")),
        status=status,
        amount_fen=total,
        raw=dict(data),
    )


def refund_notice(data: dict) -> RefundNotice:
    status = REFUND_STATUS.get(data.get("refund_status", ""))
    if status is None or not data.get("out_trade_no") or not data.get("out_refund_no"):
        raise ValueError("a refund notification needs refund_status, out_trade_no and out_refund_no")
    amount = data.get("amount") or {}
    return RefundNotice(
        intent_id=str(data["out_trade_no"]),
        refund_id=str(data["out_refund_no"]),
        status=status,
        amount_fen=fen(amount["refund"], "amount.refund") if "refund" in amount else None,
        raw=dict(data),
    )
