"""Amounts of money: rounded to the cent, half up, as money is (not as binary floats round)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from server.domain.errors import InvalidParameter

_CENT = Decimal("0.01")


def money(value) -> float:
    """An amount rounded to the cent, half up. One that cannot be counted in cents (not finite, or of 26 whole
    digits and more, past the precision of decimal arithmetic) is an invalid parameter, not a failure."""
    try:
        return float(Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise InvalidParameter(f"Invalid amount: {value}") from None
