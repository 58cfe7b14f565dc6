"""At most ``holds_per_address`` numbers being installed at one address (the unique index on the address's slots):
the form says so beside the street, the same address typed differently counts, a hold that ends frees its slot,
and many customers applying for one address at the same moment get at most the limit (with HALL_TEST_DB=postgres,
each on its own connection)."""

from __future__ import annotations

import asyncio

from test_selection_and_install import _form, customer

from core.api.db import tenant_scope
from core.api.web import FieldErrors
from plugins.phone import addresses, holds
from plugins.phone.tables import NumberHold

ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "street": "文三路 100 号"}


def _hold(world, number, account):
    settings = world.harness.tenant("alpha").plugin_settings("phone")
    return world.run(
        holds.take, settings, number=number, kind="mobile", account_id=account, customer_id=f"C{account}", identity=""
    )


def test_the_address_key_ignores_how_it_is_typed():
    wide = {**ADDRESS, "street": "文三路１００号"}  # full-width digits, no blanks
    assert addresses.address_key(wide) == addresses.address_key(ADDRESS)
    assert addresses.address_key({**ADDRESS, "street": "文三路 101 号"}) != addresses.address_key(ADDRESS)


def test_a_full_address_is_refused_beside_the_street_and_freed_when_a_hold_ends(world):
    first, second = _hold(world, "13911112222", 301), _hold(world, "13911113333", 302)
    assert world.run(addresses.claim, first, ADDRESS, 1).endswith(":1")
    assert world.run(addresses.claim, first, ADDRESS, 1).endswith(":1")  # its own slot, kept
    try:
        world.run(addresses.claim, second, {**ADDRESS, "street": "文三路１００号"}, 1)
    except FieldErrors as exc:
        assert exc.errors["street"][0] == addresses.FULL
    else:
        raise AssertionError("a second number at a full address")
    assert world.run(holds.release, 301, first["id"])
    assert world.run(addresses.claim, second, ADDRESS, 1).endswith(":1")


def test_the_application_form_shows_the_limit(world):
    world.run(addresses.claim, _hold(world, "13911113333", 401), ADDRESS, 1)
    world.run(addresses.claim, _hold(world, "13911114444", 402), ADDRESS, 2)  # the tenant's limit is 2: both taken
    a = customer(world)
    a.post("/phone/numbers", {"number": "13911112222"})
    r = a.post("/phone/apply", _form())
    assert r.status_code == 400 and 'id="street-error"' in r.text
    ok = a.post("/phone/apply", _form(street="文三路 102 号", token="t2"))
    assert ok.status_code == 303, ok.text[:1500]


def test_concurrent_applications_for_one_address_get_at_most_the_limit(world):
    h = world.harness
    tenant = h.tenant("alpha")
    numbers = ["13911110000", "13911110168", "13911112222", "13911113333", "13911114444", "13911115888"]
    taken = [_hold(world, n, 500 + i) for i, n in enumerate(numbers)]

    async def scenario():
        started = asyncio.Event()

        async def one(hold):
            await started.wait()
            with tenant_scope(tenant):
                return await addresses.claim(hold, ADDRESS, 2)

        tasks = [asyncio.create_task(one(hold)) for hold in taken]
        await asyncio.sleep(0)
        started.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = h.run(scenario())
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if isinstance(r, FieldErrors)]
    assert len(won) == 2 and len(lost) == 4, results
    assert sorted(w.rsplit(":", 1)[1] for w in won) == ["1", "2"]
    assert world.run(lambda: NumberHold.count().where(NumberHold.live_address.is_not_null())) == 2
