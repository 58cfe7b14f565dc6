"""The plugin's two work-order types: complaints (投诉) and consultations (咨询). See docs/workorders.md."""

from __future__ import annotations

from core.api import N_
from core.api.workorders import State, Transition, WorkOrderType
from plugins.service.settings import CATEGORIES

COMPLAINT_CODE = "service.complaint"
CONSULTATION_CODE = "service.consultation"
MAX_TITLE = 100


def _settings(tenant):
    return tenant.plugin_settings("service")


def _text_errors(data: dict) -> dict:
    errors = {}
    if not str(data.get("text") or "").strip():
        errors["text"] = N_("This field is required.")
    return errors


def validate_complaint(data: dict) -> dict:
    errors = _text_errors(data)
    if data.get("category") not in CATEGORIES:
        errors["category"] = N_("Choose a category.")
    return errors


def route_complaint(tenant, data: dict) -> str:
    """Categories map to departments per tenant ([plugins.service] complaint_departments)."""
    settings = _settings(tenant)
    return settings.complaint_departments.get(data.get("category"), settings.default_department)


COMPLAINT = WorkOrderType(
    code=COMPLAINT_CODE,
    label=N_("Complaint"),
    prefix="TS",
    states=(
        State("new", N_("Received")),
        State("handling", N_("Being handled")),
        State("resolved", N_("Resolved")),
        State("closed", N_("Completed")),
    ),
    transitions=(
        Transition("accept", N_("Accept and handle"), ("new",), "handling"),
        Transition(
            "resolve",
            N_("Record the outcome"),
            ("new", "handling"),
            "resolved",
            permission="service.complaints.resolve",
            needs_comment=True,
        ),
        Transition("reopen", N_("Not solved: reopen"), ("resolved",), "handling", actor="customer", needs_comment=True),
        Transition("close", N_("Solved: close"), ("resolved",), "closed", actor="customer"),
    ),
    initial="new",
    terminal=("closed",),
    resolved=("resolved", "closed"),
    deadline_hours=48,
    category_deadline_hours={"billing": 24, "network": 24},
    deadline_key=lambda data: data.get("category"),
    validate=validate_complaint,
    route=route_complaint,
)

CONSULTATION = WorkOrderType(
    code=CONSULTATION_CODE,
    label=N_("Consultation"),
    prefix="ZX",
    states=(
        State("new", N_("Waiting for an answer")),
        State("answered", N_("Answered")),
        State("closed", N_("Completed")),
    ),
    transitions=(
        Transition("answer", N_("Answer"), ("new",), "answered", needs_comment=True),
        Transition("ask_again", N_("Ask again"), ("answered",), "new", actor="customer", needs_comment=True),
        Transition("close", N_("Thanks, close"), ("answered",), "closed", actor="customer"),
    ),
    initial="new",
    terminal=("closed",),
    resolved=("answered", "closed"),
    deadline_hours=24,
    validate=_text_errors,
    route=lambda tenant, data: _settings(tenant).default_department,
)

TYPES = [COMPLAINT, CONSULTATION]
