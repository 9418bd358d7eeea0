"""Pre-tax deductions, in a fixed order, and the wage base each one reduces.

Order (each is capped at the gross pay still left): 1. Section 125 health premium,
2. HSA (through the cafeteria plan), 3. traditional 401(k) deferral.

Which wage bases each reduces (REDUCES below):
- Section 125: federal income tax, Social Security, Medicare, FUTA, state PIT, SDI and UI wages.
- HSA: the same except California PIT: California does not follow IRC §223, so HSA money stays
  CA-taxable (outside the 2026 reference; see the engine notes).
- Traditional 401(k): federal and state income tax wages only; FICA, FUTA, SDI and UI still apply.
- Roth 401(k) is post-tax and reduces nothing (see retirement.py).

Reductions come out of regular (non-supplemental) wages first, then supplemental wages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from payrun.domain.earnings import GrossPay
from payrun.domain.money import ZERO_MONEY, Money, not_below_zero

ZERO = Decimal(0)

FIT = "fit"
SOCIAL_SECURITY = "social_security"
MEDICARE = "medicare"
FUTA = "futa"
STATE_PIT = "state_pit"
STATE_SDI = "state_sdi"
STATE_UI = "state_ui"

WAGE_BASES = (FIT, SOCIAL_SECURITY, MEDICARE, FUTA, STATE_PIT, STATE_SDI, STATE_UI)

# code -> (description, YTD key, wage bases it reduces); the dict order is the deduction order.
PRETAX: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "SEC125": ("Section 125 health premium", "section125", WAGE_BASES),
    "HSA": (
        "HSA contribution",
        "hsa",
        (FIT, SOCIAL_SECURITY, MEDICARE, FUTA, STATE_SDI, STATE_UI),
    ),
    "401K": ("401(k) traditional deferral", "deferral_401k_pretax", (FIT, STATE_PIT)),
}


@dataclass(frozen=True, slots=True)
class DeductionLine:
    code: str
    amount: Money
    reduces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WageBases:
    """Taxable wages for this period, before any annual wage-base ceiling."""

    fit: Money
    fit_supplemental: Money
    social_security: Money
    medicare: Money
    futa: Money
    state_pit: Money
    state_pit_supplemental: Money
    state_sdi: Money
    state_ui: Money


@dataclass(frozen=True, slots=True)
class PretaxDeductions:
    """Stage 2 result. ``deferral_401k`` is the traditional (pre-tax) deferral only.

    ``total`` is summed once, on first use (every later stage reads it).
    """

    lines: tuple[DeductionLine, ...]
    wages: WageBases
    deferral_401k: Money
    catch_up_401k: Money
    _total: Money | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def total(self) -> Money:
        total = self._total
        if total is None:
            amount = ZERO
            for line in self.lines:
                amount += line.amount.amount
            total = Money(amount) if self.lines else ZERO_MONEY
            _set_field(self, "_total", total)
        return total


def _groups() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Wage bases grouped by the deductions that reduce them (computed once from PRETAX)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for base in WAGE_BASES:
        codes = tuple(code for code, (_, _, reduces) in PRETAX.items() if base in reduces)
        groups.setdefault(codes, []).append(base)
    return tuple((codes, tuple(bases)) for codes, bases in groups.items())


_GROUPS = _groups()
_set_field = object.__setattr__  # how a frozen dataclass fills its own memo field


def apply_pretax(
    gross: GrossPay,
    section125: Decimal,
    hsa: Decimal,
    deferral: Decimal,
    catch_up: Decimal = ZERO,
) -> PretaxDeductions:
    """Take the deductions in order, each capped at the pay left, and reduce the wage bases."""
    left = total = gross.total.amount
    lines: list[DeductionLine] = []
    taken: dict[str, Decimal] = {}
    for code, wanted in (("SEC125", section125), ("HSA", hsa), ("401K", deferral)):
        amount = min(wanted, left)
        if amount > 0:
            left -= amount
            taken[code] = amount
            lines.append(DeductionLine(code, Money(amount), PRETAX[code][2]))
    reduced: dict[str, Decimal] = {}
    wages: dict[str, Money] = {}
    for codes, bases in _GROUPS:
        reduction = ZERO
        for code in codes:
            if code in taken:
                reduction += taken[code]
        money = Money(total - reduction) if reduction else gross.total
        for base in bases:
            reduced[base] = reduction
            wages[base] = money
    regular = gross.regular.amount
    supplemental = total - regular
    fit_supplemental = supplemental - not_below_zero(reduced[FIT] - regular)
    pit_supplemental = supplemental - not_below_zero(reduced[STATE_PIT] - regular)
    # If the deferral was cut to the pay left, the catch-up part is the first to go.
    taken_deferral = taken.get("401K", ZERO)
    catch_up_taken = not_below_zero(catch_up - (deferral - taken_deferral))
    return PretaxDeductions(
        tuple(lines),
        WageBases(
            fit=wages[FIT],
            fit_supplemental=Money(fit_supplemental),
            social_security=wages[SOCIAL_SECURITY],
            medicare=wages[MEDICARE],
            futa=wages[FUTA],
            state_pit=wages[STATE_PIT],
            state_pit_supplemental=Money(pit_supplemental),
            state_sdi=wages[STATE_SDI],
            state_ui=wages[STATE_UI],
        ),
        Money(taken_deferral) if taken_deferral else ZERO_MONEY,
        Money(catch_up_taken),
    )
