"""The customer menu folds links of one kind under a heading (业务办理, 缴费充值 …); a lone link of a group stays a link."""

from __future__ import annotations

import re

from core.testing import TenantSpec, add_operator
from core.web.menus import GROUP_ACCOUNT, GROUP_PAY, MenuGroup, MenuItem, menu_tree


def test_menu_tree_groups_in_order_of_their_first_link():
    items = [
        MenuItem("Home", path="/", order=0),
        MenuItem("Pay bills", path="/p", order=20, group=GROUP_PAY),
        MenuItem("My bills", path="/b", order=30, group=GROUP_ACCOUNT),
        MenuItem("Notices", path="/n", order=50),
        MenuItem("My payments", path="/m", order=810, group=GROUP_PAY),
        MenuItem("Alone", path="/a", order=5, group="Lonely group"),
    ]
    tree = menu_tree(items)
    assert [e.label for e in tree] == ["Home", "Alone", GROUP_PAY, "My bills", "Notices"]
    pay = tree[2]
    assert isinstance(pay, MenuGroup) and [i.label for i in pay.items] == ["Pay bills", "My payments"]
    assert isinstance(tree[3], MenuItem)  # the only link of its group: no heading for one link


def _nav(html: str) -> str:
    return re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)


def test_the_customer_menu_shows_headings_with_their_links(hall_factory):
    harness = hall_factory(tenants=[TenantSpec("alpha", plugins=["bills", "billpay", "topup", "service", "notices"])])
    page = harness.client("alpha").get("/")
    nav = _nav(page.text)
    groups = re.findall(r"<details data-menu-group><summary[^>]*>([^<]+)</summary>(.*?)</details>", nav, re.S)
    headings = {name: re.findall(r">([^<]+)</a>", links) for name, links in groups}
    assert set(headings) >= {"缴费充值", "客户服务"}, headings
    assert len(headings["缴费充值"]) >= 2 and len(headings["客户服务"]) >= 3, headings
    assert "首页" in re.sub(r"<details.*?</details>", "", nav, flags=re.S)  # Home stands alone


def test_the_current_page_marks_its_heading(hall_factory):
    harness = hall_factory(tenants=[TenantSpec("alpha", plugins=["bills", "billpay", "topup", "service", "notices"])])
    client = harness.client("alpha")
    nav = _nav(client.get("/service/outlets").text)
    current = re.search(r'<summary class="current">([^<]+)</summary>', nav)
    assert current and current.group(1) == "客户服务"
    assert 'aria-current="page"' in nav


def test_operators_menu_stays_flat(hall_factory):
    harness = hall_factory(tenants=[TenantSpec("alpha", plugins=["bills", "billpay", "service"])])
    add_operator(harness, "alpha", "chief")
    staff = harness.client("alpha")
    staff.login_operator("chief")
    assert "data-menu-group" not in _nav(staff.get("/console/").text)
