"""The resources' shapes, for the OpenAPI document (handlers answer plain dicts of these shapes, trimmed by ``fields``).

Every attribute but ``id`` may be left out (``fields``), so only ``id`` is required. Names follow TM Forum:
TMF678 CustomerBill and AppliedCustomerBillingRate, TMF635 Usage, TMF676 Payment and Refund, TMF621 TroubleTicket,
TMF620 ProductOffering, TMF637 Product, TMF622 ProductOrder, TMF632 Individual, TMF629 Customer; the hall's own
Balance and TopUp.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field


class Money(Struct):
    unit: str
    value: float


class Ref(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    name: str | None = None


class Period(Struct, omit_defaults=True):
    startDateTime: str | None = None
    endDateTime: str | None = None


class Characteristic(Struct):
    name: str
    value: Any


class Note(Struct, omit_defaults=True):
    text: str
    date: str | None = None
    author: str | None = None


class StatusChange(Struct, omit_defaults=True):
    status: str
    changeDate: str | None = None


class CustomerBill(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    billNo: str | None = None
    state: str | None = None
    billingPeriod: Period | None = None
    amountDue: Money | None = None
    remainingAmount: Money | None = None
    paymentDueDate: str | None = None
    billingAccount: Ref | None = None
    serviceNumber: str | None = None


class AppliedCustomerBillingRate(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    name: str | None = None
    type: str | None = None
    bill: Ref | None = None
    taxIncludedAmount: Money | None = None
    serviceNumber: str | None = None


class RatedProductUsage(Struct):
    taxIncludedRatingAmount: Money


class Usage(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    usageDate: str | None = None
    usageType: str | None = None
    status: str | None = None
    description: str | None = None
    usageCharacteristic: list[Characteristic] | None = None
    ratedProductUsage: list[RatedProductUsage] | None = None


class Payment(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    status: str | None = None
    description: str | None = None
    paymentDate: str | None = None
    statusDate: str | None = None
    totalAmount: Money | None = None
    channel: Ref | None = None
    purpose: str | None = None
    checkoutUrl: str | None = None


class Refund(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    status: str | None = None
    refundDate: str | None = None
    amount: Money | None = None
    payment: Ref | None = None
    reason: str | None = None


class TroubleTicket(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    name: str | None = None
    description: str | None = None
    ticketType: str | None = None
    status: str | None = None
    creationDate: str | None = None
    lastUpdate: str | None = None
    resolutionDate: str | None = None
    note: list[Note] | None = None
    statusChange: list[StatusChange] | None = None


class Price(Struct):
    priceType: str
    name: str
    price: Money


class ProductOffering(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    name: str | None = None
    description: str | None = None
    lifecycleStatus: str | None = None
    isSellable: bool | None = None
    productSpecification: Ref | None = None
    productOfferingPrice: list[Price] | None = None


class Product(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    name: str | None = None
    status: str | None = None
    startDate: str | None = None
    terminationDate: str | None = None
    productOffering: Ref | None = None
    productSpecification: Ref | None = None
    billingAccount: Ref | None = None
    serviceNumber: str | None = None
    productCharacteristic: list[Characteristic] | None = None


class OrderItem(Struct, omit_defaults=True):
    id: str
    action: str
    state: str | None = None
    productOffering: Ref | None = None
    product: Ref | None = None


class PaymentRef(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    status: str | None = None
    checkoutUrl: str | None = None


class ProductOrder(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    externalId: str | None = None
    description: str | None = None
    state: str | None = None
    orderDate: str | None = None
    completionDate: str | None = None
    channel: list[Ref] | None = None
    productOrderItem: list[OrderItem] | None = None
    payment: list[PaymentRef] | None = None


class ContactMedium(Struct):
    mediumType: str
    characteristic: dict[str, str]


class Individual(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    fullName: str | None = None
    status: str | None = None
    individualIdentification: list[dict[str, str]] | None = None
    contactMedium: list[ContactMedium] | None = None


class Customer(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    name: str | None = None
    status: str | None = None
    engagedParty: Ref | None = None
    account: list[Ref] | None = None


class Balance(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    amount: Money | None = None
    billingType: str | None = None
    asOf: str | None = None
    fresh: bool | None = None
    serviceNumber: list[str] | None = None


class Error(Struct):
    """TMF630's error body."""

    code: str
    reason: str
    message: str
    status: str


__all__ = [name for name, value in dict(globals()).items() if isinstance(value, type) and issubclass(value, Struct)]
