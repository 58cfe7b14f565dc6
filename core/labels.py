"""Display names of the codes the hall stores: one map per domain, each name a message id translated where shown.

Pages never show a stored code (``sms``, ``succeeded``, ``operator.create``)
as text: templates call ``label("<domain>", code)``, which looks the code up
here and in what plugins add through the ``register_labels`` hook, and
translates the name into the viewer's language. An unknown code is shown as
it is (a new plugin's action still shows, untranslated, rather than nothing).
"""

from __future__ import annotations

from core.i18n import N_

CORE_LABELS: dict[str, dict[str, str]] = {
    "message_channel": {"sms": N_("SMS"), "email": N_("E-mail")},
    "message_status": {
        "pending": N_("Waiting to be sent"),
        "sending": N_("Being sent"),
        "sent": N_("Sent"),
        "delivered": N_("Delivered"),
        "failed": N_("Sending failed"),
    },
    "customer_status": {"active": N_("In service"), "suspended": N_("Suspended"), "closed": N_("Account closed")},
    "payment_state": {
        "created": N_("Not paid yet"),
        "pending": N_("Waiting for the payment"),
        "succeeded": N_("Paid"),
        "failed": N_("Payment failed"),
        "canceled": N_("Payment canceled"),
        "partially_refunded": N_("Partly refunded"),
        "refunded": N_("Refunded"),
    },
    "refund_state": {"pending": N_("Refund asked for"), "succeeded": N_("Refunded"), "failed": N_("Refund refused")},
    "payment_event": {
        "created": N_("Payment created"),
        "checkout": N_("Sent to the payment service"),
        "state": N_("State changed"),
        "notification": N_("Notification from the payment service"),
        "query": N_("Asked the payment service"),
        "refund": N_("Refund"),
        "fulfilment": N_("Fulfilment"),
        "return": N_("Customer came back"),
    },
    "number_kind": {"phone": N_("Mobile"), "account": N_("Account number"), "broadband": N_("Broadband")},
    "sync_kind": {"customers": N_("Customer data"), "bills": N_("Bills"), "calls": N_("Call records")},
    "actor_kind": {
        "operator": N_("operator"),
        "customer": N_("customer"),
        "super": N_("super-admin"),
        "system": N_("system"),
    },
    "actor": {
        "visitor": N_("visitor"),
        "system": N_("system"),
        "job": N_("scheduled job"),
        "Super admin": N_("Super admin"),
    },
    "role": {"administrator": N_("Administrator")},
    "plugin": {"core": N_("Core")},
    "object_type": {
        "operator": N_("Operator"),
        "role": N_("Role"),
        "department": N_("Department"),
        "payment": N_("Payment"),
        "workorder": N_("Work order"),
        "customer": N_("Customer"),
        "outbox_event": N_("Outbox event"),
        "sync": N_("Sync"),
        "super": N_("Super-admin"),
    },
    "audit_action": {
        "console.login": N_("Logged in to the console"),
        "console.logout": N_("Logged out of the console"),
        "operator.create": N_("Created an operator"),
        "operator.update": N_("Changed an operator"),
        "role.create": N_("Created a role"),
        "role.update": N_("Changed a role"),
        "department.create": N_("Created a department"),
        "department.update": N_("Changed a department"),
        "payment.refund": N_("Refunded a payment"),
        "customer.view": N_("Opened a customer's page"),
        "outbox.replay": N_("Replayed an outbox event"),
        "sync.run": N_("Started a sync"),
        "sync.retry_quarantine": N_("Retried quarantined rows"),
        "workorder.claim": N_("Took a work order"),
        "workorder.act": N_("Moved a work order on"),
        "workorder.comment": N_("Commented on a work order"),
        "workorder.transfer": N_("Transferred a work order"),
    },
}


def merged_labels(hall) -> dict[str, dict[str, str]]:
    """The core's maps with every plugin's ``register_labels`` laid over them (computed once per hall)."""
    cached = hall.state.get("core.labels")
    if cached is None:
        cached = {domain: dict(names) for domain, names in CORE_LABELS.items()}
        for _plugin, extra in sorted(hall.plugins.per_plugin("register_labels", hall=hall).items()):
            for domain, names in (extra or {}).items():
                cached.setdefault(domain, {}).update(names)
        from core.auth.permissions import all_permissions

        cached["permission"] = {p.code: p.label for perms in all_permissions(hall).values() for p in perms}
        hall.state["core.labels"] = cached
    return cached


def label_of(labels: dict[str, dict[str, str]], domain: str, code) -> str | None:
    """The message id naming ``code`` in ``domain``, or None when it has none."""
    return labels.get(domain, {}).get(str(code)) if code not in (None, "") else None
