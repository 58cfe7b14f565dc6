"""The service plugin's changes: service pages, outlets and published answers (audited), and a complaint with its attachment.

The pages (``routes_*.py``) check the forms and render; what they change is written here, with its audit entry
(docs/architecture.md, "The request path").
"""

from __future__ import annotations

from core.api.db import transaction
from core.api.web import Auditor
from core.api.workorders import Actor, open_order
from plugins.service import attachments
from plugins.service.tables import Faq, Outlet, ServicePage
from plugins.service.workorder_types import COMPLAINT_CODE


async def create_page(auditor: Auditor, values: dict) -> int:
    rows = await ServicePage.insert(ServicePage(**values))
    await auditor.record(
        "service.page.create", object_type="service_page", object_id=rows[0]["id"], after={"title": values["title"]}
    )
    return rows[0]["id"]


async def update_page(auditor: Auditor, page: dict, values: dict) -> None:
    await ServicePage.update({getattr(ServicePage, k): v for k, v in values.items()}).where(
        ServicePage.id == page["id"]
    )
    await auditor.record(
        "service.page.update",
        object_type="service_page",
        object_id=page["id"],
        before={"title": page["title"]},
        after={"title": values["title"]},
    )


async def delete_page(auditor: Auditor, page: dict) -> None:
    await ServicePage.delete().where(ServicePage.id == page["id"])
    await auditor.record(
        "service.page.delete", object_type="service_page", object_id=page["id"], before={"title": page["title"]}
    )


async def create_outlet(auditor: Auditor, values: dict) -> int:
    rows = await Outlet.insert(Outlet(**values))
    await auditor.record(
        "service.outlet.create", object_type="service_outlet", object_id=rows[0]["id"], after={"name": values["name"]}
    )
    return rows[0]["id"]


async def update_outlet(auditor: Auditor, outlet: dict, values: dict) -> None:
    await Outlet.update({getattr(Outlet, k): v for k, v in values.items()}).where(Outlet.id == outlet["id"])
    await auditor.record(
        "service.outlet.update",
        object_type="service_outlet",
        object_id=outlet["id"],
        before={"name": outlet["name"]},
        after={"name": values["name"]},
    )


async def delete_outlet(auditor: Auditor, outlet: dict) -> None:
    await Outlet.delete().where(Outlet.id == outlet["id"])
    await auditor.record(
        "service.outlet.delete", object_type="service_outlet", object_id=outlet["id"], before={"name": outlet["name"]}
    )


async def publish_faq(auditor: Auditor, order: dict, *, question: str, answer: str) -> int:
    """Publish a consultation (``order``) as a question and answer the operator de-identified."""
    rows = await Faq.insert(Faq(question=question, answer=answer, source_order=order["id"]))
    await auditor.record(
        "service.faq.publish", object_type="service_faq", object_id=rows[0]["id"], after={"order": order["number"]}
    )
    return rows[0]["id"]


async def delete_faq(auditor: Auditor, faq: dict) -> None:
    await Faq.delete().where(Faq.id == faq["id"])
    await auditor.record(
        "service.faq.delete", object_type="service_faq", object_id=faq["id"], before={"question": faq["question"][:200]}
    )


async def open_complaint(
    hall, actor: Actor, data: dict, *, title: str, language: str, upload: tuple[str, str, bytes] | None
) -> dict:
    """The complaint's work order and its attachment (name, type, bytes), in one transaction: both or neither.

    Raises the work-order errors of ``open_order`` (nothing kept then).
    """
    data = {**data, "attachments": []}
    async with transaction():
        if upload:
            attachment_id = await attachments.store(*upload)
            data["attachments"].append({"id": attachment_id, "name": upload[0]})
        order = await open_order(hall, COMPLAINT_CODE, data, title=title, actor=actor, language=language)
        for item in data["attachments"]:
            await attachments.attach_to(item["id"], order["id"])
    return order
