"""How amounts read on documents: dollars from integer cents, hours and rates from exact strings."""

from __future__ import annotations

from decimal import Decimal

_HUNDREDTH = Decimal("0.01")


def money(cents: int) -> str:
    """12345 -> '123.45', grouped; exact (Decimal), never through float."""
    return f"{Decimal(cents).scaleb(-2):,.2f}"


def hours(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(_HUNDREDTH):,}"


def rate(value: Decimal | None) -> str:
    """An hourly rate with its cents, and more places only where it has them (37.6875)."""
    if value is None:
        return ""
    exact = value.normalize()
    return f"{exact:,.2f}" if exact == exact.quantize(_HUNDREDTH) else f"{exact:,f}"
