"""Employee-paid state payroll taxes (NY PFL and DBL, NJ UI/WF/TDI/FLI, PA UC, MA PFML,
WA PFML and WA Cares): a rate under an annual wage base, an annual maximum or a weekly maximum."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from payrun.domain.money import cents, not_below_zero
from payrun.domain.periods import PayFrequency
from payrun.domain.state_codes import PROGRAM_WAGE_KEYS, TAX_KEY
from payrun.domain.tables import EmployeeProgram
from payrun.domain.taxes import ZERO, taxable_under_base

# Weeks in one pay period, for a weekly maximum (NY DBL $0.60 a week).
WEEKS = {
    PayFrequency.DAILY: Decimal(1) / 5,
    PayFrequency.WEEKLY: Decimal(1),
    PayFrequency.BIWEEKLY: Decimal(2),
    PayFrequency.SEMIMONTHLY: Decimal(52) / 24,
    PayFrequency.MONTHLY: Decimal(52) / 12,
    PayFrequency.QUARTERLY: Decimal(13),
    PayFrequency.SEMIANNUAL: Decimal(26),
    PayFrequency.ANNUAL: Decimal(52),
}


def program_tax(
    program: EmployeeProgram,
    wages: Decimal,
    frequency: PayFrequency,
    ytd: Mapping[str, Decimal],
) -> tuple[Decimal, Decimal]:
    """(wages charged, tax) for one program this period.

    Wages count up to the annual wage base (``ytd`` of the program's wage key); the tax is
    rounded half-up and never takes the year's total past the annual maximum (the stated one,
    or the wage base x rate, or 52 weekly maximums), so per-period rounding cannot cross a cap.
    """
    wage_key = PROGRAM_WAGE_KEYS.get(program.code)
    ytd_wages = ZERO if wage_key is None else ytd.get(wage_key, ZERO)
    taxable = taxable_under_base(wages, ytd_wages, program.wage_base)
    tax = cents(taxable * program.rate)
    annual_max = program.annual_max
    if program.wage_base is not None:
        annual_max = cents(program.wage_base * program.rate)
    if program.weekly_max is not None:
        tax = min(tax, cents(program.weekly_max * WEEKS[frequency]))
        annual_max = program.weekly_max * 52
    if annual_max is not None:
        tax = min(tax, not_below_zero(annual_max - ytd.get(TAX_KEY[program.code], ZERO)))
    return taxable, tax
