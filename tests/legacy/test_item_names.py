"""[connector.bill_items.name_map]: names per item code and language, keys as Dynaconf hands them over (lower-cased)."""

from __future__ import annotations

import pytest

from core.legacy.names import localise_items
from plugins.sqlbss.mapping import parse_mapping


def _config(billing, name_map) -> dict:
    cfg = {**billing.config}
    cfg["bill_items"] = {**cfg["bill_items"], "name_map": name_map}
    return cfg


@pytest.mark.parametrize("style", ["haibin"])
async def test_name_map_per_language_and_plain(make_billing, style):
    billing = make_billing(style, subscribers=3, months=1)
    connector = billing.connect(
        bill_items={"name_map": {"YZF": {"zh_cn": "月租费", "EN": "Monthly fee"}, "swf": "流量费"}}
    )
    names = connector.display_names("bill_items")
    assert names == {"yzf": {"zh_CN": "月租费", "en": "Monthly fee"}, "swf": "流量费"}
    assert connector.display_names("calls") == {}
    items = [{"code": "YZF", "name": "月租费(旧)"}, {"code": "SWF", "name": "上网"}, {"code": "XYZ", "name": "其他"}]
    shown = localise_items(items, names, "en", "zh_CN")
    assert [i["name"] for i in shown] == ["Monthly fee", "流量费", "其他"]
    assert [i["name"] for i in items] == ["月租费(旧)", "上网", "其他"], "the rows read are not changed"


async def test_an_unknown_language_is_refused_with_the_key(make_billing):
    billing = make_billing("haibin", subscribers=3, months=1)
    with pytest.raises(Exception) as refused:
        parse_mapping(_config(billing, {"YZF": {"fr": "Frais mensuels"}}), billing.tenant_file)
    assert "bill_items.name_map" in str(refused.value) and "fr" in str(refused.value)
