"""Demo content for ``hall demo`` (the demo_data hook): services, tariffs, outlets and departments in the tenant's language."""

from __future__ import annotations

from core.api.identity import operator_id
from core.api.workorders import Department, add_member, save_department
from plugins.service.tables import Outlet, ServicePage

ZH = {
    "pages": [
        (
            "service",
            "宽带新装",
            "光纤入户，最快当天上门安装。",
            "<p>光纤宽带<strong>最快当天</strong>上门安装。</p><ul><li>100M / 300M / 1000M</li><li>免费光猫</li></ul>",
            None,
        ),
        (
            "service",
            "补换卡",
            "携带身份证到任一营业厅办理。",
            "<p>号码不变，携带本人身份证到营业厅办理，<em>立等可取</em>。</p>",
            None,
        ),
        (
            "tariff",
            "畅享 59 元套餐",
            "国内通话 500 分钟，流量 30GB。",
            "<table><tr><th>通话</th><td>500 分钟</td></tr><tr><th>流量</th><td>30GB</td></tr></table>",
            5900,
        ),
        (
            "tariff",
            "融合 129 元套餐",
            "手机 + 300M 宽带 + 固话。",
            "<p>手机、宽带、固话一起用，<strong>每月 129 元</strong>。</p>",
            12900,
        ),
    ],
    "outlets": [
        (
            "江南营业厅（中心店）",
            "上城区",
            "解放路 100 号",
            "每天 08:30-18:00",
            "0571-10000",
            "缴费、开户、宽带、补换卡",
        ),
        ("西湖营业厅", "西湖区", "文三路 200 号", "周一至周六 09:00-17:30", "0571-10001", "缴费、开户、补换卡"),
        ("滨江营业厅", "滨江区", "江南大道 300 号", "每天 09:00-21:00", "0571-10002", "缴费、宽带"),
    ],
    "departments": {"CS": "客服中心", "BILL": "计费中心", "NET": "网络维护部", "TECH": "技术支持部"},
}
EN = {
    "pages": [
        (
            "service",
            "New broadband line",
            "Fibre to your home, installed as soon as the same day.",
            "<p>Fibre broadband, installed <strong>as soon as the same day</strong>.</p><ul><li>100M / 300M / 1000M</li><li>Free router</li></ul>",
            None,
        ),
        (
            "service",
            "Replacement SIM card",
            "Bring your ID card to any outlet.",
            "<p>Same number; bring your ID card to an outlet.</p>",
            None,
        ),
        (
            "tariff",
            "Easy 39",
            "300 minutes and 20 GB a month.",
            "<table><tr><th>Calls</th><td>300 min</td></tr><tr><th>Data</th><td>20 GB</td></tr></table>",
            3900,
        ),
        (
            "tariff",
            "Family 99",
            "Mobile, 300M broadband and a landline.",
            "<p>Everything together for <strong>99 yuan a month</strong>.</p>",
            9900,
        ),
    ],
    "outlets": [
        (
            "Haibin Harbour Store",
            "Harbour District",
            "1 Seaside Road",
            "Daily 09:00-18:00",
            "0532-10086",
            "Payments, new lines, SIM cards",
        ),
        ("Old Town Store", "Old Town", "88 Market Street", "Mon-Sat 09:00-17:00", "0532-10087", "Payments, broadband"),
    ],
    "departments": {"CS": "Customer service", "BILL": "Billing", "NET": "Network", "TECH": "Technical support"},
}


async def seed(hall, tenant) -> None:
    """Idempotent: pages and outlets only when the tenant has none, departments only when their code is missing."""
    content = ZH if tenant.language == "zh_CN" else EN
    if not await ServicePage.exists():
        await ServicePage.insert(
            *[
                ServicePage(kind=k, title=t, summary=s, body=b, monthly_fee=fee, position=n)
                for n, (k, t, s, b, fee) in enumerate(content["pages"])
            ]
        )
    if not await Outlet.exists():
        await Outlet.insert(
            *[
                Outlet(name=n, district=d, address=a, hours=h, phone=p, services=sv)
                for n, d, a, h, p, sv in content["outlets"]
            ]
        )
    settings = tenant.plugin_settings("service")
    admin = await operator_id("admin")
    codes = {settings.default_department, *settings.complaint_departments.values()}
    existing = {d["code"] for d in await Department.select(Department.code)}
    for code in sorted(codes - existing):
        department = await save_department(code, content["departments"].get(code, code), head=admin)
        if admin:
            await add_member(department, admin)
