"""The pay request: one employee, one pay period, everything the calculation reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from payrun.domain.certificates import NO_CERTIFICATES, NOWHERE, Place, StateCertificates
from payrun.domain.money import Money
from payrun.domain.periods import PayFrequency
from payrun.domain.state_codes import STATE_YTD_KEYS

ZERO = Decimal(0)


class FederalFilingStatus(StrEnum):
    """Form W-4 (2020+) Step 1(c)."""

    SINGLE = "single"
    MARRIED_FILING_JOINTLY = "married_filing_jointly"
    MARRIED_FILING_SEPARATELY = "married_filing_separately"
    HEAD_OF_HOUSEHOLD = "head_of_household"


class Pre2020Marital(StrEnum):
    """Form W-4 (2019 or earlier) line 3."""

    SINGLE = "single"
    MARRIED = "married"
    MARRIED_SINGLE_RATE = "married_single_rate"


class CaFilingStatus(StrEnum):
    """DE 4 line 1: single (or married with two incomes), married one income, head of household."""

    SINGLE = "single"
    MARRIED = "married"
    HEAD_OF_HOUSEHOLD = "head_of_household"


class SupplementalMethod(StrEnum):
    FLAT = "flat"
    AGGREGATE = "aggregate"


class CaPitMethod(StrEnum):
    """EDD Method B per period (Examples A–D) or its annualized variant (Examples E–F)."""

    PER_PERIOD = "per_period"
    ANNUALIZED = "annualized"


@dataclass(frozen=True, slots=True)
class W4:
    """A 2020-or-later Form W-4. Steps 3, 4(a), 4(b) are annual; 4(c) is per period."""

    filing_status: FederalFilingStatus = FederalFilingStatus.SINGLE
    step2_checked: bool = False
    step3_credits: Decimal = ZERO
    step4a_other_income: Decimal = ZERO
    step4b_deductions: Decimal = ZERO
    step4c_extra: Decimal = ZERO
    exempt: bool = False


@dataclass(frozen=True, slots=True)
class W4Pre2020:
    """A 2019-or-earlier Form W-4: marital status, allowances, line 6 additional amount."""

    marital_status: Pre2020Marital
    allowances: int = 0
    additional_withholding: Decimal = ZERO
    exempt: bool = False


@dataclass(frozen=True, slots=True)
class DE4:
    """California DE 4. No DE 4 on file: single, zero allowances (EDD)."""

    filing_status: CaFilingStatus = CaFilingStatus.SINGLE
    regular_allowances: int = 0
    estimated_deduction_allowances: int = 0
    additional_withholding: Decimal = ZERO
    exempt: bool = False


@dataclass(frozen=True, slots=True)
class RetirementElection:
    """401(k) elections: percents of gross pay or fixed amounts per period (not both per kind)."""

    pretax_percent: Decimal = ZERO
    roth_percent: Decimal = ZERO
    pretax_amount: Decimal = ZERO
    roth_amount: Decimal = ZERO

    @property
    def elected(self) -> bool:
        """Any deferral at all (a percent or an amount, traditional or Roth)."""
        return bool(
            self.pretax_percent or self.roth_percent or self.pretax_amount or self.roth_amount
        )


@dataclass(frozen=True, slots=True)
class Employee:
    birth_date: date | None = None
    w4: W4 | None = None
    w4_pre2020: W4Pre2020 | None = None
    ca_de4: DE4 | None = None
    retirement: RetirementElection = RetirementElection()
    section125: Decimal = ZERO
    hsa: Decimal = ZERO
    prior_year_fica_wages: Decimal = ZERO
    certificates: StateCertificates = NO_CERTIFICATES  # state forms (NY IT-2104, IL-W-4 ...)
    residence: Place = NOWHERE  # state None: lives in the work state
    work_location: Place = NOWHERE  # city / PSD where the work is done


@dataclass(frozen=True, slots=True)
class HourlyWork:
    """Hours per calendar day; ``prior_hours`` were paid last period in a straddling workweek."""

    hourly_rate: Decimal
    hours: tuple[tuple[date, Decimal], ...]
    prior_hours: tuple[tuple[date, Decimal], ...] = ()
    workweek_start: int = 6  # date.weekday(): 0 Monday ... 6 Sunday


@dataclass(frozen=True, slots=True)
class Earnings:
    salary: Decimal = ZERO  # per pay period
    hourly: HourlyWork | None = None
    bonus: Decimal = ZERO
    commission: Decimal = ZERO
    supplemental_method: SupplementalMethod = SupplementalMethod.FLAT


@dataclass(frozen=True, slots=True)
class MatchTier:
    """Match ``match_percent`` of deferrals up to ``up_to_percent`` of pay (cumulative bound)."""

    up_to_percent: Decimal
    match_percent: Decimal


@dataclass(frozen=True, slots=True)
class EmployerConfig:
    ca_ui_rate: Decimal | None = None  # None: the table's new-employer rate
    futa_credit_reduction: Decimal = ZERO
    match: tuple[MatchTier, ...] = ()
    ca_pit_method: CaPitMethod = CaPitMethod.PER_PERIOD
    super_catch_up: bool = True  # plan offers the age 60-63 catch-up
    sui_rate: Decimal | None = None  # states other than CA
    sui_wage_base: Decimal | None = None
    # employee-paid state programs the employer pays itself (NY PFL/DBL, WA PFML): not deducted
    pays_employee_programs: frozenset[str] = frozenset()


YTD_KEYS: tuple[str, ...] = (
    # accumulators that limits and thresholds read
    "gross",
    "social_security_wages",
    "medicare_wages",
    "futa_wages",
    "ca_ui_wages",
    "state_ui_wages",
    "sdi_wages",
    "fit_wages",
    "state_pit_wages",
    "supplemental_wages",
    "deferral_401k",
    "catch_up_401k",
    # one per pay stub line
    "regular_earnings",
    "overtime_earnings",
    "double_time_earnings",
    "salary_earnings",
    "bonus_earnings",
    "commission_earnings",
    "federal_income_tax",
    "social_security_tax",
    "medicare_tax",
    "additional_medicare_tax",
    "state_income_tax",
    "state_disability_tax",
    "section125",
    "hsa",
    "deferral_401k_pretax",
    "roth_401k",
    "employer_social_security_tax",
    "employer_medicare_tax",
    "futa_tax",
    "state_unemployment_tax",
    "ett_tax",
    "match_401k",
    "net_pay",
    # local income taxes and employee-paid state taxes (state_codes.py)
    *STATE_YTD_KEYS,
)

_ZERO_MONEY = Money(ZERO)


@dataclass(frozen=True, slots=True)
class YearToDate:
    """Year-to-date amounts before (or after) a paycheck; missing keys are zero."""

    values: Mapping[str, Money] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Money:
        return self.values.get(key, _ZERO_MONEY)

    def amount(self, key: str) -> Decimal:
        return self.values.get(key, _ZERO_MONEY).amount

    def to_dict(self) -> dict[str, str]:
        return {key: str(self[key]) for key in YTD_KEYS}


@dataclass(frozen=True, slots=True)
class PayRequest:
    pay_date: date
    frequency: PayFrequency
    work_state: str
    employee: Employee
    earnings: Earnings
    ytd: YearToDate = YearToDate()
    employer: EmployerConfig = EmployerConfig()
    period_start: date | None = None
    period_end: date | None = None
    employee_id: str | None = None
