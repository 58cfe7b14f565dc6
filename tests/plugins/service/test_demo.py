"""`hall demo` seeds services, tariffs, outlets and departments through the demo_data hook, in the tenant's language, once."""

from __future__ import annotations

from service_support import build

from core.api.workorders import Department
from core.cli.demo import seed_demo_data
from plugins.service.tables import Outlet, ServicePage


def test_demo_content_is_seeded_once_per_tenant_in_its_language(hall_factory):
    harness, ids = build(hall_factory)
    for _ in range(2):
        for tid in ("alpha", "beta"):
            harness.run(seed_demo_data(harness.hall, harness.tenant(tid)))
    alpha_titles = [p["title"] for p in harness.in_tenant("alpha", lambda: ServicePage.select())]
    beta_titles = [p["title"] for p in harness.in_tenant("beta", lambda: ServicePage.select())]
    assert "畅享 59 元套餐" in alpha_titles and len(alpha_titles) == 4
    assert "Easy 39" in beta_titles and len(beta_titles) == 4
    assert (
        harness.in_tenant("alpha", lambda: Outlet.count()) == 3
        and harness.in_tenant("beta", lambda: Outlet.count()) == 2
    )
    codes = sorted(d["code"] for d in harness.in_tenant("alpha", lambda: Department.select()))
    assert codes == ["BILL", "CS", "NET"]  # the ones the test support made; nothing doubled
    page = harness.client("beta").get("/service/").text
    assert "Easy 39" in page and "39.00" in page
    district = harness.client("alpha").get("/service/outlets", params={"district": "滨江区"}).text
    assert "滨江营业厅" in district and "西湖营业厅" not in district
