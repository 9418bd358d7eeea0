"""Money: an exact amount of US dollars over Decimal, never float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Union

ZERO = Decimal(0)
CENT = Decimal("0.01")
DOLLAR = Decimal("1")

Number = Union["Money", Decimal, int, str]


def cents(amount: Decimal) -> Decimal:
    """Half-up to the cent: the rounding every pay line uses (rounding passed positionally,
    which halves the cost of the call)."""
    return amount.quantize(CENT, ROUND_HALF_UP)


def whole_cents(amount: Decimal) -> int:
    """Integer cents of an amount that is already whole cents (refused otherwise): exact,
    since scaleb only moves the exponent."""
    scaled = amount.scaleb(2)
    whole = int(scaled)
    if whole != scaled:
        raise ValueError(f"{amount} is not a whole number of cents; round it first")
    return whole


def not_below_zero(amount: Decimal) -> Decimal:
    """The worksheets' "if zero or less, enter -0-": ``max(amount, 0)`` (without the cost of
    the builtin on Decimals)."""
    return ZERO if amount < ZERO else amount


def to_decimal(value: object, field: str = "amount") -> Decimal:
    """Convert an exact value (Decimal, int, numeric str) to Decimal; refuse float."""
    from payrun.domain.errors import InvalidInput

    if isinstance(value, Money):
        return value.amount
    if isinstance(value, bool | float):
        raise InvalidInput(field, f"must be an exact decimal string, not {type(value).__name__}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise InvalidInput(field, f"is not a number: {value!r}") from None
    else:
        raise InvalidInput(field, f"must be a decimal string, not {type(value).__name__}")
    if not result.is_finite():
        raise InvalidInput(field, f"must be finite, got {value!r}")
    return result


@dataclass(frozen=True, slots=True, order=True, init=False)
class Money:
    """An amount of dollars. Full precision is kept until a rule rounds explicitly."""

    amount: Decimal

    def __init__(self, amount: Decimal) -> None:
        # One check on the hot path: a Decimal is taken as is; anything else is converted
        # exactly (int, numeric str) or refused (float, bool).
        if type(amount) is not Decimal:
            amount = to_decimal(amount)
        _set_amount(self, amount)

    @classmethod
    def of(cls, value: object, field: str = "amount") -> Money:
        return cls(to_decimal(value, field))

    @classmethod
    def zero(cls) -> Money:
        return ZERO_MONEY

    def cents(self) -> int:
        """Integer cents; the amount must already be whole cents."""
        return whole_cents(self.amount)

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + _amount(other))

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - _amount(other))

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * _factor(factor))

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal | int) -> Money:
        return Money(self.amount / _factor(divisor))

    def __neg__(self) -> Money:
        return Money(-self.amount)

    def __bool__(self) -> bool:
        return self.amount != 0

    def max(self, other: Money) -> Money:
        return self if self >= other else other

    def min(self, other: Money) -> Money:
        return self if self <= other else other

    def __str__(self) -> str:
        return f"{self.amount.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}')"


# The slot's own descriptor: how a frozen slotted class fills its field (as object.__setattr__
# would, one lookup fewer).
_set_amount = Money.__dict__["amount"].__set__
ZERO_MONEY = Money(Decimal(0))  # immutable, so one shared zero serves everyone


def _factor(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"Money factors must be Decimal or int, not {type(value).__name__}")
    return Decimal(value)


def total(amounts: list[Money] | tuple[Money, ...]) -> Money:
    return Money(sum((_amount(amount) for amount in amounts), Decimal(0)))


def _amount(other: object) -> Decimal:
    if not isinstance(other, Money):
        raise TypeError(f"cannot combine Money with {type(other).__name__}")
    return other.amount
