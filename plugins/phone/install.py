"""The installation application (申请装机): plan, standard address in the tenant's area, appointment slot, the held
number; checked field by field, then placed as a product order (the core takes the payment and opens the steps)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from core.api import N_, format_fen, zone_of
from core.api.identity import customer_for_account
from core.api.payments import payment_settings
from . import clock
from core.api.products import OrderItem, catalog, place_order
from core.api.web import FieldErrors

from . import addresses, holds
from .offerings import PREFIX
from .process import INSTALL

OUTSIDE = N_("This address is outside our service area.")
PAST = N_("This appointment is in the past. Please choose a later one.")
TOO_FAR = N_("Appointments can be booked at most %(days)s days ahead.")
NOT_COVERED = N_(
    "This plan's monthly fee of ¥%(fee)s does not cover the minimum monthly spend of ¥%(min)s that comes with your number."
)
NO_HOLD = N_("You no longer hold a number: its time ran out. Please choose a number again.")
KIND_GROUP = {"mobile": "mobile", "fixed": "fixed"}
PAYMENT_GRACE = dt.timedelta(minutes=10)  # a payment made at the last moment: its notification may come a little later


@dataclass(frozen=True)
class Customer:
    account_id: int
    legacy_id: str
    identity: str


async def customer_of(account_id: int) -> Customer | None:
    found = await customer_for_account(account_id)
    if not found:
        return None
    person = found[1]
    return Customer(account_id, person["legacy_id"], person.get("id_hash") or "")


async def plans_for(hall, tenant, kind: str) -> list:
    """The line plans sold for a number of this kind (the tenant's ``line`` offerings of the kind's group)."""
    cat = await catalog(hall, tenant)
    return [o for o in cat.orderable("line") if o.group == KIND_GROUP.get(kind, kind)]


def slot_start(tenant, day: dt.date, slot: str) -> dt.datetime:
    hour, minute = (int(x) for x in slot.split("-")[0].split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), zone_of(tenant)).astimezone(dt.timezone.utc)


def check_address(settings, form, problems: FieldErrors) -> dict:
    province, city, district, street = (form.value(k) for k in ("province", "city", "district", "street"))
    for name, value in (("province", province), ("city", city), ("district", district), ("street", street)):
        if not value:
            problems.add(name, N_("This field is required."))
    if province and city and district:
        if district not in settings.area.get(province, {}).get(city, []):
            problems.add("district", OUTSIDE)
    if len(street) > 100:
        problems.add("street", N_("At most %(count)s characters."), count=100)
    return {"province": province, "city": city, "district": district, "street": street[:100]}


def check_slot(tenant, settings, form, problems: FieldErrors) -> dict:
    day_text, slot = form.value("date"), form.value("slot")
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        problems.add("date", N_("Enter a date like 2026-07-01."))
        return {}
    if slot not in settings.slots:
        problems.add("slot", N_("Choose one of the times offered."))
        return {}
    start = slot_start(tenant, day, slot)
    if start <= clock.now():
        problems.add("date", PAST)
    elif start > clock.now() + dt.timedelta(days=settings.booking_days + 1):
        problems.add("date", TOO_FAR, days=settings.booking_days)
    return {"appointment_date": day.isoformat(), "appointment_slot": slot, "appointment_at": start.isoformat()}


async def apply(hall, tenant, settings, customer: Customer, form, title: str, language: str) -> dict:
    """Check the form (FieldErrors next to each field) and place the order; the order's row."""
    problems = FieldErrors()
    hold = await holds.current(customer.account_id)
    if hold is None:
        problems.add("number", NO_HOLD)
    plans = {o.code: o for o in await plans_for(hall, tenant, hold["kind"] if hold else "")}
    plan = plans.get(form.value("plan"))
    if plan is None:
        problems.add("plan", N_("Choose one of the plans offered."))
    elif hold and plan.monthly_fee_fen < hold["min_spend_fen"]:
        problems.add("plan", NOT_COVERED, fee=format_fen(plan.monthly_fee_fen), min=format_fen(hold["min_spend_fen"]))
    address = check_address(settings, form, problems)
    slot = check_slot(tenant, settings, form, problems)
    if problems.errors:
        raise problems
    await addresses.claim(hold, address, settings.holds_per_address)
    params = {**address, **slot, "number_kind": hold["kind"], "hold": hold["id"]}
    items = [OrderItem("add", offering=plan.code, number=hold["number"], params=params)]
    if hold["grade_code"]:
        items.append(OrderItem("add", offering=PREFIX + hold["grade_code"].lower(), number=hold["number"]))
    token = (form.value("token") or secrets.token_urlsafe(8))[:40]
    order = await place_order(
        hall,
        customer_id=customer.legacy_id,
        items=items,
        request_key=f"phone:{customer.account_id}:{hold['id']}:{token}",
        title=title,
        process=INSTALL.code,
        customer_account_id=customer.account_id,
        language=language,
    )
    window = dt.timedelta(minutes=payment_settings(hall, tenant).expire_after_minutes) + PAYMENT_GRACE
    await holds.attach(hold["id"], order["id"], pay_until=clock.now() + window)
    return order
