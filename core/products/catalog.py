"""The catalog: product specifications (what a product is, who owns its lifecycle) and product offerings (how it is
sold: prices in fen, terms, eligibility), in TM Forum's names (TMF620).

- Specifications come from plugins (``register_product_specifications``); the core declares ``line``,
  a service line mirrored from the BSS whose offering is its tariff.
- Offerings come, per tenant, from ``[[products.offerings]]`` in tenant.toml, from the plugins the tenant
  enables (``register_product_offerings``) and, when ``[products] connector_catalog`` is on, from the
  connector's ``TariffCatalogSource`` port (BSS tariffs, shown but not sold unless tenant.toml lists them).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol, runtime_checkable

from core.i18n import N_

log = logging.getLogger("hall.products")
CODE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
SPEC_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CHARGED_BY = ("bss", "hall")
EFFECTIVE = ("next_month", "immediate")
CONNECTOR_CACHE_SECONDS = 600

Text = str | dict[str, str]  # one text for every language, or {language: text}


def pick(text: Text, language: str, fallback: str = "zh_CN") -> str:
    """A configured text in ``language`` (else the fallback language, else any)."""
    if isinstance(text, str):
        return text
    lowered = {k.lower(): v for k, v in text.items()}  # tenant.toml keys arrive lower-cased (zh_cn)
    return lowered.get(language.lower()) or lowered.get(fallback.lower()) or next(iter(text.values()), "")


@dataclass(frozen=True)
class ProductSpecification:
    """What a kind of product is (TMF620 ProductSpecification). The declaring plugin's lifecycle hooks run for it.

    ``charged_by``: who charges its monthly fee - ``"bss"`` (the BSS bills it, the
    hall only shows it) or ``"hall"`` (the hall's charge run). ``number_kinds``:
    the service-number kinds its products live on (``phone``, ``broadband``,
    ``account``); empty for products without a number of the BSS (a mailbox).
    """

    code: str
    label: str  # message id
    charged_by: str = "bss"
    number_kinds: tuple[str, ...] = ()
    plugin: str = ""  # filled in by the registry: the declaring plugin

    def problems(self) -> list[str]:
        out = []
        if not SPEC_CODE.match(self.code):
            out.append(f"code {self.code!r} must be lower case letters, digits and _ (at most 32)")
        if self.charged_by not in CHARGED_BY:
            out.append(f"charged_by must be one of {', '.join(CHARGED_BY)}")
        return out


@dataclass(frozen=True)
class ProductOffering:
    """How a product is sold (TMF620 ProductOffering): its prices in fen, terms and eligibility rules.

    ``group``: offerings that replace one another (the plans of a mobile line);
    a plan change chooses within the current offering's group. ``legacy_code``:
    the BSS's code (its tariff code), so orders name what the BSS knows.
    ``rules``: named eligibility rules (core/products/eligibility.py);
    ``check(context) -> [message id]`` a plugin's own. ``change_effective``:
    when a change to this offering takes effect (``next_month``, ``immediate``,
    or "" for the tenant's default).
    """

    code: str
    specification: str
    name: Text
    description: Text = ""
    terms: Text = ""
    group: str = ""
    legacy_code: str = ""
    one_off_fen: int = 0
    monthly_fee_fen: int = 0
    deposit_fen: int = 0
    min_spend_fen: int = 0
    number_kinds: tuple[str, ...] = ()
    orderable: bool = True
    rules: tuple[str, ...] = ("covers_min_spend",)
    change_effective: str = ""
    charge_from: str = ""  # bss | balance | "": how the charge run settles its monthly fee ([products.charges] settle)
    check: Callable[[Any], list[str]] | None = field(default=None, compare=False)
    source: str = "plugin"  # config | plugin | connector

    def display_name(self, language: str) -> str:
        return pick(self.name, language) or self.code

    def display_description(self, language: str) -> str:
        return pick(self.description, language)

    def display_terms(self, language: str) -> str:
        return pick(self.terms, language)

    @property
    def due_now_fen(self) -> int:
        """What the payment step of an order for it takes: the one-off fee and the deposit (预存)."""
        return self.one_off_fen + self.deposit_fen

    def problems(self) -> list[str]:
        out = []
        if not CODE.match(self.code):
            out.append(f"offering code {self.code!r}: lower case letters, digits and _.:- (at most 64)")
        for name in ("one_off_fen", "monthly_fee_fen", "deposit_fen", "min_spend_fen"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                out.append(f"offering {self.code!r}: {name} must be a whole number of fen, 0 or more")
        if self.charge_from not in ("", "bss", "balance"):
            out.append(f"offering {self.code!r}: charge_from must be bss or balance")
        if self.change_effective not in ("", *EFFECTIVE):
            out.append(f"offering {self.code!r}: change_effective must be one of {', '.join(EFFECTIVE)}")
        return out


@dataclass(frozen=True)
class LegacyTariff:
    """A tariff (资费) as the BSS's catalog holds it, in hall units."""

    code: str
    name: str
    monthly_fee_fen: int = 0
    number_kind: str = ""  # phone | broadband | account | "" (unknown)
    problem: str = ""
    one_off_fen: int = 0
    deposit_fen: int = 0  # 预存
    min_spend_fen: int = 0  # 最低消费
    sold: bool = True  # False: the BSS no longer sells it (still billed on the lines that have it)


@runtime_checkable
class TariffCatalogSource(Protocol):
    """A connector port: the BSS's tariff catalog, read live (the hall caches it for ten minutes)."""

    async def tariffs(self) -> list[LegacyTariff]:
        """Every tariff the BSS offers or still bills, ordered by code."""
        ...


LINE = ProductSpecification(
    "line", N_("Service line"), charged_by="bss", number_kinds=("phone", "broadband", "account")
)


class CatalogError(ValueError):
    """A broken specification or offering declaration."""


def specifications(hall) -> dict[str, ProductSpecification]:
    """Every declared specification by code, checked; cached on the hall (declarations never change while it runs)."""
    cached = hall.state.get("core.product_specifications")
    if cached is not None:
        return cached
    from core.utils import flatten

    specs: dict[str, ProductSpecification] = {}
    problems: list[str] = []
    for plugin, declared in sorted(hall.plugins.per_plugin("register_product_specifications", hall=hall).items()):
        for spec in flatten([declared]):
            spec = replace(spec, plugin=plugin)
            problems += [f"product specification {spec.code!r} of plugin {plugin!r}: {p}" for p in spec.problems()]
            if spec.code in specs:
                problems.append(
                    f"product specification {spec.code!r} declared by {specs[spec.code].plugin!r} and {plugin!r}"
                )
            specs[spec.code] = spec
    if problems:
        raise CatalogError("; ".join(problems))
    hall.state["core.product_specifications"] = specs
    return specs


def specification(hall, code: str) -> ProductSpecification | None:
    return specifications(hall).get(code)


def _configured(section) -> list[ProductOffering]:
    out = []
    for o in getattr(section, "offerings", None) or []:
        out.append(
            ProductOffering(
                code=o.code,
                specification=o.specification,
                name=o.name,
                description=o.description,
                terms=o.terms,
                group=o.group,
                legacy_code=o.legacy_code,
                one_off_fen=o.one_off_fen,
                monthly_fee_fen=o.monthly_fee_fen,
                deposit_fen=o.deposit_fen,
                min_spend_fen=o.min_spend_fen,
                number_kinds=tuple(o.number_kinds),
                orderable=o.orderable,
                rules=tuple(o.rules),
                change_effective=o.change_effective,
                charge_from=o.charge_from,
                source="config",
            )
        )
    return out


def static_offerings(hall, tenant) -> tuple[dict[str, ProductOffering], list[str]]:
    """The tenant's offerings from tenant.toml and its plugins, by code, and the problems found (cached per tenant)."""
    cache = hall.state.setdefault("core.product_offerings", {})
    if tenant.id in cache:
        return cache[tenant.id]
    from core.products.settings import products_settings
    from core.utils import flatten

    found: dict[str, ProductOffering] = {}
    problems: list[str] = []
    specs = specifications(hall)
    hooks = hall.hooks_for(tenant)
    plugin_offerings = flatten(hooks.register_product_offerings(hall=hall, tenant=tenant))
    for offering in [*_configured(products_settings(hall, tenant)), *plugin_offerings]:
        problems += offering.problems()
        spec = specs.get(offering.specification)
        if spec is None:
            problems.append(
                f"offering {offering.code!r}: no installed plugin declares specification {offering.specification!r}"
            )
        elif not (spec.plugin.startswith("core.") or tenant.enables(spec.plugin)):
            problems.append(
                f"offering {offering.code!r}: specification {offering.specification!r} belongs to plugin "
                f"{spec.plugin!r}, which this tenant does not enable"
            )
        if offering.code in found:
            problems.append(
                f"offering {offering.code!r} is declared twice ({found[offering.code].source}, {offering.source})"
            )
        found.setdefault(offering.code, offering)
    cache[tenant.id] = (found, problems)
    return found, problems


@dataclass
class Catalog:
    """A tenant's offerings by code, with look-ups by the BSS's tariff code."""

    offerings: dict[str, ProductOffering]

    def get(self, code: str) -> ProductOffering | None:
        return self.offerings.get(code) if code else None

    def by_legacy_code(self, specification: str, legacy_code: str) -> ProductOffering | None:
        """The offering the BSS calls ``legacy_code`` (a sold one before one only shown)."""
        if not legacy_code:
            return None
        matches = [
            o for o in self.offerings.values() if o.specification == specification and o.legacy_code == legacy_code
        ]
        return next((o for o in matches if o.orderable), matches[0] if matches else None)

    def orderable(self, specification: str | None = None) -> list[ProductOffering]:
        return sorted(
            (o for o in self.offerings.values() if o.orderable and specification in (None, o.specification)),
            key=lambda o: (o.group, o.monthly_fee_fen, o.code),
        )


async def _connector_tariffs(hall, tenant) -> list[ProductOffering]:
    """The BSS's tariffs as offerings that are shown, not sold (cached); [] when the connector cannot say."""
    connector = hall.connector(tenant)
    if not isinstance(connector, TariffCatalogSource):
        return []
    cache = hall.state.setdefault("core.product_tariffs", {})
    hit = cache.get(tenant.id)
    if hit is not None and time.monotonic() - hit[0] < CONNECTOR_CACHE_SECONDS:
        return hit[1]
    try:
        tariffs = await connector.tariffs()
    except Exception as exc:  # an unreachable BSS must not take the catalog pages down
        log.warning("tenant %s: the BSS's tariff catalog could not be read: %s", tenant.id, exc)
        return hit[1] if hit else []
    offerings = [
        ProductOffering(
            code=f"bss:{t.code}"[:64].lower(),
            specification="line",
            name=t.name,
            legacy_code=t.code,
            monthly_fee_fen=t.monthly_fee_fen,
            one_off_fen=t.one_off_fen,
            deposit_fen=t.deposit_fen,
            min_spend_fen=t.min_spend_fen,
            number_kinds=(t.number_kind,) if t.number_kind else (),
            orderable=False,
            rules=(),
            source="connector",
        )
        for t in tariffs
        if not t.problem
    ]
    cache[tenant.id] = (time.monotonic(), offerings)
    return offerings


async def catalog(hall, tenant) -> Catalog:
    """The tenant's catalog: tenant.toml and plugin offerings, plus the BSS's tariffs when ``connector_catalog`` is on."""
    from core.products.settings import products_settings

    found, _ = static_offerings(hall, tenant)
    offerings = dict(found)
    if products_settings(hall, tenant).connector_catalog:
        listed = {(o.specification, o.legacy_code) for o in found.values() if o.legacy_code}
        for offering in await _connector_tariffs(hall, tenant):
            if (offering.specification, offering.legacy_code) not in listed:
                offerings.setdefault(offering.code, offering)
    return Catalog(offerings)
