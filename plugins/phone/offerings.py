"""What phone adds to the catalog: the premium-number agreement (靓号协议), one offering per tenant grade.

``line_service`` (and its offerings, no longer sold) stays declared for orders placed before service requests
modified the line itself: such an order still carries out its change, and the job ends the record it leaves.

The agreement is a product of its own on the new number: its prepayment (``deposit_fen``) is paid with the
installation order through the order's payment step, and its minimum monthly spend stays on record with it.
"""

from __future__ import annotations

from core.api import N_
from core.api.products import ProductOffering, ProductSpecification

SPECIFICATION = ProductSpecification("premium_number", N_("Premium number agreement"), charged_by="bss")
SERVICE = ProductSpecification("line_service", N_("Line service request"), charged_by="bss")
PREFIX = "phone-grade-"
SERVICES = {
    "suspend": {"zh_CN": "报停", "en": "Suspension"},
    "resume": {"zh_CN": "复机", "en": "Resumption"},
    "move": {"zh_CN": "移机", "en": "Move"},
}


def grade_offerings(tenant) -> list[ProductOffering]:
    settings = tenant.plugin_settings("phone")
    out = []
    for grade in settings.grades:
        out.append(
            ProductOffering(
                code=PREFIX + grade.code.lower(),
                specification=SPECIFICATION.code,
                name={lang: f"{text}" for lang, text in grade.name.items()},
                group="premium_number",
                legacy_code=f"LH{grade.code}",
                deposit_fen=grade.prepay_fen,
                min_spend_fen=grade.min_spend_fen,
                rules=(),
            )
        )
    for code, name in SERVICES.items():
        out.append(
            ProductOffering(
                code=f"phone-{code}",
                specification=SERVICE.code,
                name=name,
                group="line_service",
                orderable=False,
                rules=(),
            )
        )
    return out
