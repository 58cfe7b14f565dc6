"""``POST /pay/agreement-notify/<provider>``: a provider's agreement notification (signed, cancelled), verified first."""

from __future__ import annotations

from litestar import Request, Response, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.payments.agreements import can_agree, handle_agreement_notification
from core.payments.registry import provider_for
from core.web.context import info
from core.web.render import hall_of


@post(
    "/pay/agreement-notify/{provider_id:str}",
    opt={"auth": "public", "exclude_from_csrf": True},
    include_in_schema=False,
    name="pay:agreement_notify",
)
async def agreement_notify(request: Request, provider_id: FromPath[str]) -> Response:
    hall = hall_of(request)
    provider = provider_for(hall, info(request).tenant, provider_id)
    if not can_agree(provider):
        raise NotFoundException()
    form = {k: str(v) for k, v in (await request.form()).items()}
    status, content_type, body = await handle_agreement_notification(hall, provider, form)
    return Response(content=body, status_code=status, media_type=content_type)


HANDLERS = [agreement_notify]
