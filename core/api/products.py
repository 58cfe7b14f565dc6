"""Products (docs/products.md): declaring specifications, offerings and the work-order steps of orders; the
lifecycle hooks' arguments and errors; placing orders; the customer's products and the offerings open to them;
lifecycle steps and dated changes outside orders; and what the charge run reads."""

from core.products.api import change_takes_effect, offers_for, products_on_numbers
from core.products.catalog import (
    Catalog,
    LegacyTariff,
    ProductOffering,
    ProductSpecification,
    TariffCatalogSource,
    catalog,
    specifications,
)
from core.products.changes import cancel_scheduled, schedule
from core.products.charging import chargeable, fee_at
from core.products.dates import effective_at, month_start, period_of
from core.products.eligibility import EligibilityContext
from core.products.lifecycle import act
from core.products.model import Conflict as ProductConflict
from core.products.model import LifecycleCall, LifecycleFailed, NotEligible, ProductError, ProductView
from core.products.model import NotFound as ProductNotFound
from core.products.orders import OrderItem, place_order
from core.products.orders import get_order as get_product_order
from core.products.process import OrderProcess, Step, order_steps
from core.products.readback import ProductOrderStateSource
from core.products.resumption import balance_credited, settle_arrears_of
from core.products.states import (
    ACTIVE,
    CLOSED_ORDER,
    LIVE,
    OPEN_ORDER,
    ORDER_STATES,
    PRODUCT_STATES,
    SUSPEND_REASONS,
    SUSPENDED,
    TERMINATED,
)
from core.products.tables import Product, ProductChange, ProductOrder, ProductOrderItem

__all__ = [
    "balance_credited",
    "settle_arrears_of",
    "ACTIVE",
    "CLOSED_ORDER",
    "LIVE",
    "OPEN_ORDER",
    "ORDER_STATES",
    "PRODUCT_STATES",
    "SUSPENDED",
    "SUSPEND_REASONS",
    "TERMINATED",
    "Catalog",
    "EligibilityContext",
    "LegacyTariff",
    "LifecycleCall",
    "LifecycleFailed",
    "NotEligible",
    "OrderItem",
    "OrderProcess",
    "Product",
    "ProductChange",
    "ProductConflict",
    "ProductError",
    "ProductNotFound",
    "ProductOffering",
    "ProductOrder",
    "ProductOrderItem",
    "ProductOrderStateSource",
    "ProductSpecification",
    "ProductView",
    "Step",
    "TariffCatalogSource",
    "act",
    "cancel_scheduled",
    "catalog",
    "change_takes_effect",
    "chargeable",
    "effective_at",
    "fee_at",
    "get_product_order",
    "month_start",
    "offers_for",
    "order_steps",
    "period_of",
    "place_order",
    "products_on_numbers",
    "schedule",
    "specifications",
]
