"""Amounts of money: rounded to the cent, half up, as money is (not as binary floats round)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def money(value) -> float:
    """An amount rounded to the cent, half up."""
    return float(Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP))
