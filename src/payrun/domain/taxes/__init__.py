"""Payroll taxes: the stage result and the pieces every tax rule shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from payrun.domain.money import CENT, Money, not_below_zero
from payrun.domain.money import cents as cents  # the tax rules' rounding, re-exported

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ExplainLine:
    """One audited line, e.g. ("Pub 15-T Worksheet 1A", "1c", "Annualized wages", "65000.00")."""

    section: str
    line: str
    text: str
    value: str


class Explainer:
    """Collects explain lines when asked to; a no-op otherwise (the fast path)."""

    __slots__ = ("enabled", "lines", "section")

    def __init__(self, enabled: bool, section: str = "") -> None:
        self.enabled = enabled
        self.section = section
        self.lines: list[ExplainLine] = []

    def __call__(self, line: str, text: str, value: object) -> None:
        if self.enabled:
            shown = str(value) if not isinstance(value, Decimal) else _show(value)
            self.lines.append(ExplainLine(self.section, line, text, shown))


def explainer(enabled: bool, section: str) -> Explainer:
    """A collecting explainer, or the shared silent one (nothing allocated on the fast path)."""
    return Explainer(True, section) if enabled else SILENT


SILENT = Explainer(False)


def _show(value: Decimal) -> str:
    """Up to 6 decimals for display; the calculation keeps full precision."""
    if value == value.quantize(CENT):
        return f"{value:.2f}"
    return f"{value.quantize(Decimal('0.000001'), rounding=ROUND_HALF_UP).normalize():f}"


def taxable_under_base(wages: Decimal, ytd_wages: Decimal, wage_base: Decimal | None) -> Decimal:
    """The part of this period's wages still under an annual wage base (all of it if none):
    ``min(wages, max(wage_base - ytd_wages, 0))``."""
    if wage_base is None:
        return wages
    room = not_below_zero(wage_base - ytd_wages)
    return room if room < wages else wages


@dataclass(frozen=True, slots=True)
class EmployeeTaxes:
    federal_income_tax: Money
    social_security: Money
    medicare: Money
    additional_medicare: Money
    state_income_tax: Money
    state_disability: Money
    # by stable code (state_codes.py): NYC, PHL_WAGE ... and NY_PFL, NJ_FLI, PA_UC ...
    local_income_tax: Mapping[str, Money] = field(default_factory=dict)
    state_employee_taxes: Mapping[str, Money] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        total = (
            self.federal_income_tax.amount
            + self.social_security.amount
            + self.medicare.amount
            + self.additional_medicare.amount
            + self.state_income_tax.amount
            + self.state_disability.amount
        )
        for money in self.local_income_tax.values():
            total += money.amount
        for money in self.state_employee_taxes.values():
            total += money.amount
        return total


@dataclass(frozen=True, slots=True)
class EmployerTaxes:
    social_security: Money
    medicare: Money
    futa: Money
    state_unemployment: Money
    ett: Money


@dataclass(frozen=True, slots=True)
class TaxableWages:
    """Wages each tax was computed on this period, after annual ceilings."""

    federal_income_tax: Money
    supplemental: Money
    social_security: Money
    medicare: Money
    additional_medicare: Money
    futa: Money
    state_income_tax: Money
    state_disability: Money
    state_unemployment: Money
    # state YTD accumulators this check adds to (nj_ui_wages, ma_fica_subtracted ...)
    state_accumulators: Mapping[str, Money] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Taxes:
    """Stage 3 result."""

    employee: EmployeeTaxes
    employer: EmployerTaxes
    taxable: TaxableWages
    explain: tuple[ExplainLine, ...] = ()
