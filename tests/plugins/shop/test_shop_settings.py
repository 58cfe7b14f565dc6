"""[plugins.shop]: the code tables of physical delivery and the link address are checked at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from plugins.shop.settings import ShopSettings


def test_a_code_twice_a_bad_code_or_a_relative_link_address_is_refused():
    sf = {"code": "sf", "name_zh": "顺丰", "name_en": "SF"}
    with pytest.raises(ValidationError, match="each code at most once"):
        ShopSettings(couriers=[sf, sf])
    with pytest.raises(ValidationError):
        ShopSettings(shipping_methods=[{"code": "Fast Lane", "name_zh": "快", "name_en": "Fast", "fee_fen": 0}])
    with pytest.raises(ValidationError):
        ShopSettings(shipping_methods=[])
    with pytest.raises(ValidationError, match="http"):
        ShopSettings(public_url="www.example.com")
    ok = ShopSettings(couriers=[sf], public_url="https://hall.example.com/t/alpha")
    assert [c.code for c in ok.couriers] == ["sf"] and ok.shipping_methods[0].code == "standard"
