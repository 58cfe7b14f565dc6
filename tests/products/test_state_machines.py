"""The two state machines (TMF637 products, TMF622 orders): every move not in the table is refused, naming both states."""

from __future__ import annotations

import itertools

import pytest

from core.products.states import (
    CLOSED_ORDER,
    ORDER_MOVES,
    ORDER_STATES,
    PRODUCT_MOVES,
    PRODUCT_STATES,
    IllegalTransition,
    check_order_move,
    check_product_move,
)

ALLOWED_PRODUCT = {
    ("created", "pending_active"),
    ("created", "terminated"),
    ("pending_active", "active"),
    ("pending_active", "terminated"),
    ("active", "suspended"),
    ("active", "pending_terminate"),
    ("suspended", "active"),
    ("suspended", "pending_terminate"),
    ("pending_terminate", "terminated"),
    ("pending_terminate", "active"),
    ("pending_terminate", "suspended"),
}
ALLOWED_ORDER = {
    ("pending", "acknowledged"),
    ("pending", "cancelled"),
    ("pending", "failed"),
    ("acknowledged", "in_progress"),
    ("acknowledged", "held"),
    ("acknowledged", "completed"),
    ("acknowledged", "cancelled"),
    ("acknowledged", "failed"),
    ("in_progress", "held"),
    ("in_progress", "completed"),
    ("in_progress", "failed"),
    ("held", "in_progress"),
    ("held", "completed"),
    ("held", "failed"),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(PRODUCT_STATES, repeat=2)))
def test_product_moves(current, target):
    if (current, target) in ALLOWED_PRODUCT:
        check_product_move(current, target)
    else:
        with pytest.raises(IllegalTransition, match=f"from '{current}' to '{target}'"):
            check_product_move(current, target)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ORDER_STATES, repeat=2)))
def test_order_moves(current, target):
    if (current, target) in ALLOWED_ORDER:
        check_order_move(current, target)
    else:
        with pytest.raises(IllegalTransition, match=f"from '{current}' to '{target}'"):
            check_order_move(current, target)


def test_the_tables_are_what_the_docs_say():
    assert {(a, b) for a, targets in PRODUCT_MOVES.items() for b in targets} == ALLOWED_PRODUCT
    assert {(a, b) for a, targets in ORDER_MOVES.items() for b in targets} == ALLOWED_ORDER
    assert all(not ORDER_MOVES[s] for s in CLOSED_ORDER) and not PRODUCT_MOVES["terminated"]
    with pytest.raises(IllegalTransition):
        check_product_move("no-such-state", "active")


def test_a_closed_order_cannot_move_in_the_database(world):
    from core.products.api import products_on_numbers
    from core.products.model import Conflict
    from core.products.orders import OrderItem, get_order, place_order, set_state
    from product_support import MOBILE

    h = world.harness
    product = world.run(products_on_numbers, h.hall, h.tenant("alpha"), world.customer, [MOBILE])[0]
    order = world.run(
        place_order,
        h.hall,
        customer_id=world.customer,
        items=[OrderItem("modify", offering="m88", product_id=product["id"])],
        request_key="k",
        title="t",
    )
    assert order["state"] == "completed"  # nothing to do by hand, nothing to call: done at once
    with pytest.raises(IllegalTransition):
        world.run(set_state, order, "in_progress")
    stale = {**world.run(get_order, order["id"]), "state": "acknowledged"}  # as another request read it earlier
    with pytest.raises(Conflict):
        world.run(set_state, stale, "in_progress")
