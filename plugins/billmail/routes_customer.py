"""Customer pages: subscribe a linked number to the monthly bill e-mail; the unsubscribe link from the mail (no log-in).

The address is the customer's e-mail on file in the legacy system - the one
the hall already sends its sign-up and reset codes to - so no second
verification flow is needed; a customer with none on file is told where to
add one. The link from the mail shows a confirmation page on GET (mail
clients and scanners prefetch links) and unsubscribes on POST, including
RFC 8058 one-click POSTs from mail clients, which carry no CSRF token: the
signed token is the proof.
"""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_, mask_contact
from core.api.identity import customer_for_account, linked_numbers
from core.api.web import Form, info, redirect_to, render
from plugins.billmail.subscriptions import of_numbers, subscribe, unsubscribe
from plugins.billmail.tables import Subscription
from plugins.billmail.tokens import read_token

PUBLIC = {"auth": "public"}


async def _mine(request: Request) -> tuple[dict, dict, list[str]]:
    account, customer = await customer_for_account(info(request).customer.id)
    return account, customer, await linked_numbers(account["id"])


async def _posted_number(request: Request) -> tuple[Form, dict, dict, str]:
    """The form, account, customer and the number it names; 404 unless the number is one of the customer's."""
    form = await Form.from_request(request)
    account, customer, numbers = await _mine(request)
    number = form.value("number")
    if number not in numbers:
        raise NotFoundException()
    return form, account, customer, number


async def _page(request: Request, form: Form | None = None, status: int = 200) -> Response:
    account, customer, numbers = await _mine(request)
    subs = await of_numbers(numbers)
    rows = [
        {
            "number": n,
            "active": bool(subs.get(n, {}).get("active")),
            "email_masked": mask_contact(subs[n]["email"]) if n in subs else "",
        }
        for n in numbers
    ]
    return await render(
        request,
        "billmail/customer.html",
        {
            "rows": rows,
            "email_masked": mask_contact(customer["email"]) if customer["email"] else "",
            "form": form or Form(),
            "saved": request.query_params.get("saved", ""),
        },
        status=status,
    )


@get("/", name="billmail:subscription")
async def billmail_page(request: Request) -> Response:
    return await _page(request)


@post("/subscribe", name="billmail:subscribe")
async def billmail_subscribe(request: Request) -> Response:
    form, account, customer, number = await _posted_number(request)
    if not customer["email"]:
        form.error(
            "number",
            N_("There is no e-mail address on file for you. Add one at an outlet or through the hotline first."),
        )
        return await _page(request, form, status=400)
    await subscribe(
        number=number,
        account_id=account["id"],
        email=customer["email"].strip().lower(),
        language=info(request).language,
    )
    return redirect_to(request, "billmail:subscription", query={"saved": "on"})


@post("/stop", name="billmail:stop")
async def billmail_stop(request: Request) -> Response:
    _form, _account, _customer, number = await _posted_number(request)
    sub = await Subscription.select(Subscription.id).where(Subscription.number == number).first()
    if sub:
        await unsubscribe(sub["id"])
    return redirect_to(request, "billmail:subscription", query={"saved": "off"})


async def _by_token(request: Request, token: str) -> dict:
    sid = read_token(request.app.state.hall.secret, info(request).tenant.id, token)
    row = await Subscription.select().where(Subscription.id == sid).first() if sid else None
    if row is None:
        raise NotFoundException()
    return row


async def _unsubscribe_page(request: Request, token: str, row: dict, *, done: bool) -> Response:
    return await render(
        request,
        "billmail/unsubscribe.html",
        {
            "token": token,
            "number": mask_contact(row["number"]),
            "email_masked": mask_contact(row["email"]),
            "active": row["active"] and not done,
            "done": done,
        },
    )


@get("/unsubscribe/{token:str}", opt=PUBLIC, name="billmail:unsubscribe")
async def unsubscribe_confirm(request: Request, token: FromPath[str]) -> Response:
    return await _unsubscribe_page(request, token, await _by_token(request, token), done=False)


@post("/unsubscribe/{token:str}", opt={**PUBLIC, "exclude_from_csrf": True}, name="billmail:unsubscribe.confirm")
async def unsubscribe_post(request: Request, token: FromPath[str]) -> Response:
    """The confirmation form's POST and RFC 8058's one-click POST (``List-Unsubscribe=One-Click``) alike."""
    row = await _by_token(request, token)
    await unsubscribe(row["id"])
    return await _unsubscribe_page(request, token, row, done=True)


HANDLERS = [billmail_page, billmail_subscribe, billmail_stop, unsubscribe_confirm, unsubscribe_post]
