"""Tax table value objects: rates, brackets and limits for one year, loaded from data files."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from payrun.domain.errors import UnknownTable


@dataclass(frozen=True, slots=True)
class Bracket:
    """One printed row: tax = base_tax + rate × (amount − floor)."""

    floor: Decimal
    ceiling: Decimal | None
    base_tax: Decimal
    rate: Decimal


@dataclass(frozen=True, slots=True)
class RateSchedule:
    """A progressive schedule as printed.

    ``floor_inclusive`` says how the publication reads a row: Pub 15-T rows apply when the
    amount is "at least" the floor (A ≤ x < B); EDD Method B rows apply when it is "over"
    the floor and "not over" the ceiling (lower < x ≤ upper).
    """

    name: str
    brackets: tuple[Bracket, ...]
    floor_inclusive: bool
    floors: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "floors", tuple(b.floor for b in self.brackets))

    def bracket_for(self, amount: Decimal) -> Bracket:
        if self.floor_inclusive:
            index = bisect_right(self.floors, amount) - 1
        else:
            index = bisect_left(self.floors, amount) - 1
        return self.brackets[max(index, 0)]

    def tax(self, amount: Decimal) -> Decimal:
        """Unrounded tax on ``amount``; callers round where their rule says so."""
        row = self.bracket_for(amount)
        return row.base_tax + (amount - row.floor) * row.rate


@dataclass(frozen=True, slots=True)
class FederalWithholdingTables:
    """Pub 15-T Worksheet 1A constants and annual percentage-method schedules."""

    allowance: Decimal
    line_1g: Mapping[str, Decimal]
    standard: Mapping[str, RateSchedule]
    checkbox: Mapping[str, RateSchedule]
    supplemental_rate: Decimal
    supplemental_mandatory_rate: Decimal
    supplemental_mandatory_threshold: Decimal


@dataclass(frozen=True, slots=True)
class FicaTables:
    social_security_rate: Decimal
    social_security_wage_base: Decimal
    medicare_rate: Decimal
    additional_medicare_rate: Decimal
    additional_medicare_threshold: Decimal


@dataclass(frozen=True, slots=True)
class FutaTables:
    gross_rate: Decimal
    max_credit_rate: Decimal
    wage_base: Decimal

    @property
    def net_rate(self) -> Decimal:
        """The rate after the full state-UI credit (0.6% in 2026)."""
        return self.gross_rate - self.max_credit_rate


@dataclass(frozen=True, slots=True)
class RetirementLimits:
    elective_deferral_limit: Decimal
    catch_up_50: Decimal
    catch_up_60_63: Decimal
    roth_catch_up_wage_threshold: Decimal
    compensation_limit: Decimal


@dataclass(frozen=True, slots=True)
class CaliforniaTables:
    """EDD Method B Tables 1–28 plus SDI, UI and ETT.

    Tables 1 and 3 are keyed by frequency, then column: ``single``, ``married_0_1``,
    ``married_2_plus``, ``head_of_household``. Tables 2 and 4 hold the 1..10 allowance
    amounts. Rate tables are keyed by frequency, then ``single``/``married``/``head_of_household``.
    """

    low_income_exemption: Mapping[str, Mapping[str, Decimal]]
    estimated_deduction: Mapping[str, tuple[Decimal, ...]]
    standard_deduction: Mapping[str, Mapping[str, Decimal]]
    exemption_credit: Mapping[str, tuple[Decimal, ...]]
    rates: Mapping[str, Mapping[str, RateSchedule]]
    sdi_rate: Decimal
    sdi_wage_base: Decimal | None
    ui_wage_base: Decimal
    ui_new_employer_rate: Decimal
    ett_rate: Decimal
    ett_wage_base: Decimal
    supplemental_bonus_rate: Decimal
    supplemental_other_rate: Decimal


@dataclass(frozen=True, slots=True)
class EmployeeProgram:
    """An employee-paid state payroll tax (NY PFL, NJ TDI, PA UC ...): ``rate`` of the program's
    wages, under an annual ``wage_base`` and an annual ``annual_max`` (either may be None), and
    at most ``weekly_max`` per week of the pay period (NY DBL)."""

    code: str
    rate: Decimal
    wages: str  # "gross" or "state_ui" (gross less Section 125 and HSA)
    wage_base: Decimal | None
    annual_max: Decimal | None
    weekly_max: Decimal | None


@dataclass(frozen=True, slots=True)
class StateEdition:
    """One edition of a state's withholding publication, in effect ``effective_from`` to
    ``effective_to`` (both included) on the date its state reads (pay date or period end).

    ``figures`` maps a figure's name to a Decimal, or to a mapping of Decimals (by pay
    frequency or by column), as the table file gives it."""

    effective_from: date
    effective_to: date
    figures: Mapping[str, Any]
    schedules: Mapping[str, RateSchedule]

    def figure(self, name: str) -> Decimal:
        value: Decimal = self.figures[name]
        return value

    def figure_for(self, name: str, key: str) -> Decimal:
        """A figure printed per pay frequency (or per column); UnknownTable-safe lookup is the
        caller's job (a frequency the publication has no column for)."""
        value: Decimal = self.figures[name][key]
        return value

    def has(self, name: str, key: str | None = None) -> bool:
        found = self.figures.get(name)
        return found is not None and (key is None or key in found)


@dataclass(frozen=True, slots=True)
class StateRules:
    """A state with an income tax other than California: its rule module (``method``), the
    date field that chooses the edition (``pay_date`` or ``period_end``), the pre-tax
    deductions that reduce its income-tax wages, its SUI defaults and employee programs."""

    method: str
    edition_date: str
    editions: tuple[StateEdition, ...]
    pit_excludes: frozenset[str]
    sui_wage_base: Decimal | None
    sui_new_employer_rate: Decimal | None
    programs: tuple[EmployeeProgram, ...]

    def edition_on(self, day: date) -> StateEdition:
        for edition in self.editions:
            if edition.effective_from <= day <= edition.effective_to:
                return edition
        raise UnknownTable(f"{self.method}: no edition in effect on {day.isoformat()}")


@dataclass(frozen=True, slots=True)
class StateTables:
    """What is on file for the work state.

    ``withholding`` is ``"ca_method_b"``, ``"none"`` (a state with no wage income tax) or a
    state rule module's name (``"ny"``, ``"il"`` ...), whose figures are ``rules``.
    """

    code: str
    withholding: str
    california: CaliforniaTables | None = None
    rules: StateRules | None = None


@dataclass(frozen=True, slots=True)
class TaxTables:
    """Every figure one calculation needs, for one year and one work state."""

    year: int
    version: str
    effective_from: date
    effective_to: date
    federal: FederalWithholdingTables
    fica: FicaTables
    futa: FutaTables
    retirement: RetirementLimits
    state: StateTables | None
