"""What phone adds to the catalog: the premium-number agreement (靓号协议), one offering per tenant grade.

The agreement is a product of its own on the new number: its prepayment (``deposit_fen``) is paid with the
installation order through the order's payment step, and its minimum monthly spend stays on record with it.
"""

from __future__ import annotations

from core.api import N_
from core.api.products import ProductOffering, ProductSpecification

SPECIFICATION = ProductSpecification("premium_number", N_("Premium number agreement"), charged_by="bss")
PREFIX = "phone-grade-"


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
    return out
