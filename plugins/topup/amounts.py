"""The amount of a top-up: one of the tenant's presets, or an amount typed in yuan within its bounds."""

from __future__ import annotations

from core.api import N_, format_fen, parse_yuan
from core.api.web import FieldErrors, parse_int

CUSTOM = "custom"
CHOOSE = N_("Choose an amount.")
NOT_OFFERED = N_("Choose one of the amounts shown, or type another amount.")
ENTER_AMOUNT = N_("Type the amount in yuan.")
NOT_AN_AMOUNT = N_("Enter an amount in yuan, e.g. 50 or 50.00.")
TOO_LITTLE = N_("The least you can top up is ¥%(amount)s.")
TOO_MUCH = N_("The most you can top up at once is ¥%(amount)s.")


def chosen_amount(settings, choice: str, custom: str) -> int:
    """Fen to pay: ``choice`` is a preset (fen, as the buttons post it) or "custom" with ``custom`` in yuan.

    FieldErrors on ``amount`` (the choice) or ``custom_amount`` (the typed amount).
    """
    problems = FieldErrors()
    choice, custom = str(choice or "").strip(), str(custom or "").strip()
    if not choice and custom and settings.custom_amount:  # typed an amount without ticking "Other amount"
        choice = CUSTOM
    if not choice:
        problems.add("amount", CHOOSE)
    elif choice == CUSTOM and settings.custom_amount:
        fen = parse_yuan(custom) if custom else None
        if not custom:
            problems.add("custom_amount", ENTER_AMOUNT)
        elif fen is None or fen <= 0:
            problems.add("custom_amount", NOT_AN_AMOUNT)
        elif fen < settings.min_fen:
            problems.add("custom_amount", TOO_LITTLE, amount=format_fen(settings.min_fen))
        elif fen > settings.max_fen:
            problems.add("custom_amount", TOO_MUCH, amount=format_fen(settings.max_fen))
        else:
            return fen
    else:
        fen = parse_int(choice, low=1, high=2**62)
        if fen in settings.presets_fen:
            return fen
        problems.add("amount", NOT_OFFERED)
    raise problems
