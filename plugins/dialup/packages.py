"""The packages of ``[plugins.dialup]`` as product offerings of the ``dialup`` specification, and the reverse look-up."""

from __future__ import annotations

from core.api.products import ProductOffering

from .settings import Package

DESCRIPTIONS = {
    "hours": {"zh_cn": "%(hours)s小时上网，%(days)s天内有效", "en": "%(hours)s hours online, valid %(days)s days"},
    "unlimited": {"zh_cn": "不限时上网，%(days)s天", "en": "Unlimited hours for %(days)s days"},
    "money": {
        "zh_cn": "预存%(yuan)s元，每小时%(rate)s元，%(days)s天内有效",
        "en": "¥%(yuan)s prepaid at ¥%(rate)s an hour, valid %(days)s days",
    },
}


def _yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"


def description(p: Package) -> dict[str, str]:
    values = {"hours": p.hours, "days": p.days, "yuan": _yuan(p.price_fen), "rate": _yuan(p.rate_fen_per_hour)}
    return {lang: text % values for lang, text in DESCRIPTIONS[p.kind].items()}


def packages(tenant) -> list[Package]:
    return list(tenant.plugin_settings("dialup").packages)


def package(tenant, code: str) -> Package | None:
    return next((p for p in packages(tenant) if p.code == code), None)


def offerings(tenant) -> list[ProductOffering]:
    """One offering per package: opening pays its price (a one-off fee); the hall charges nothing monthly."""
    return [
        ProductOffering(
            p.code,
            "dialup",
            name=p.name,
            description=description(p),
            group="dialup",
            one_off_fen=p.price_fen,
            rules=(),
            change_effective="immediate",
        )
        for p in packages(tenant)
    ]
