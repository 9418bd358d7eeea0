"""California: PIT withholding by EDD Method B (DE 44, 2026), SDI, and employer UI and ETT."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.money import cents, not_below_zero
from payrun.domain.periods import PayFrequency
from payrun.domain.request import DE4, CaFilingStatus
from payrun.domain.tables import CaliforniaTables
from payrun.domain.taxes import ZERO, Explainer, taxable_under_base

NO_DE4 = DE4()  # EDD: no DE 4 on file -> single, zero allowances

_RATE_TABLE = {
    CaFilingStatus.SINGLE: "single",
    CaFilingStatus.MARRIED: "married",
    CaFilingStatus.HEAD_OF_HOUSEHOLD: "head_of_household",
}


def column(de4: DE4) -> str:
    """Tables 1 and 3 column; married counts regular + estimated allowances (open point, §4.2)."""
    if de4.filing_status is CaFilingStatus.SINGLE:
        return "single"
    if de4.filing_status is CaFilingStatus.HEAD_OF_HOUSEHOLD:
        return "head_of_household"
    allowances = de4.regular_allowances + de4.estimated_deduction_allowances
    return "married_2_plus" if allowances >= 2 else "married_0_1"


def per_allowance(amounts: tuple[Decimal, ...], count: int) -> Decimal:
    """Tables 2 and 4 by allowance count; over ten, the one-allowance amount times the count."""
    if count <= 0:
        return ZERO
    return amounts[count - 1] if count <= len(amounts) else amounts[0] * count


def method_b(
    wages: Decimal,
    frequency: PayFrequency,
    de4: DE4 | None,
    tables: CaliforniaTables,
    explain: Explainer,
) -> Decimal:
    """Method B, per payroll period (Examples A-D): tax to withhold, rounded half-up to the cent."""
    form = de4 or NO_DE4
    if form.exempt:
        explain("exempt", "DE 4 claims exemption: no California PIT withheld", ZERO)
        return ZERO
    tax = _steps(wages, frequency.value, form, tables, explain)
    return _finish(tax, form, explain)


def method_b_annualized(
    wages: Decimal,
    frequency: PayFrequency,
    de4: DE4 | None,
    tables: CaliforniaTables,
    explain: Explainer,
) -> Decimal:
    """EDD's annualized alternative (Examples E-F): annual tables, then / pay periods."""
    form = de4 or NO_DE4
    if form.exempt:
        explain("exempt", "DE 4 claims exemption: no California PIT withheld", ZERO)
        return ZERO
    periods = Decimal(frequency.periods_per_year)
    explain("0", "Annualized wages (wages x pay periods)", wages * periods)
    annual = _steps(wages * periods, "annual", form, tables, explain)
    per_period = annual / periods
    explain("6", "Annual tax / pay periods", per_period)
    return _finish(per_period, form, explain)


def _finish(tax: Decimal, form: DE4, explain: Explainer) -> Decimal:
    withheld = cents(tax) + form.additional_withholding
    if explain.enabled:
        explain("7", "DE 4 additional withholding", form.additional_withholding)
        explain("8", "California PIT to withhold", withheld)
    return withheld


def _steps(
    wages: Decimal, period: str, form: DE4, tables: CaliforniaTables, ex: Explainer
) -> Decimal:
    col = column(form)
    low_income = tables.low_income_exemption[period][col]
    if wages <= low_income:
        if ex.enabled:
            ex("1", f"Wages vs Table 1 low income exemption ({period}, {col}): {low_income}", wages)
            ex("1", "Wages do not exceed the low income exemption: nothing to withhold", ZERO)
        return ZERO
    estimated = per_allowance(
        tables.estimated_deduction[period], form.estimated_deduction_allowances
    )
    subject = not_below_zero(wages - estimated)
    standard = tables.standard_deduction[period][col]
    taxable = not_below_zero(subject - standard)
    schedule = tables.rates[period][_RATE_TABLE[form.filing_status]]
    row = schedule.bracket_for(taxable)
    computed = row.base_tax + (taxable - row.floor) * row.rate
    credit = per_allowance(tables.exemption_credit[period], form.regular_allowances)
    net = not_below_zero(computed - credit)
    if not ex.enabled:
        return net
    ex("1", f"Wages vs Table 1 low income exemption ({period}, {col}): {low_income}", wages)
    ex(
        "2",
        f"Table 2 estimated deduction ({form.estimated_deduction_allowances} allowances)",
        estimated,
    )
    ex("2", "Wages less estimated deduction", subject)
    ex("3", f"Table 3 standard deduction ({col})", standard)
    ex("3", "Taxable income", taxable)
    ex(
        "4",
        f"Rate table {schedule.name}: over {row.floor} at {row.rate} plus {row.base_tax}",
        computed,
    )
    ex(
        "5",
        f"Table 4 exemption allowance credit ({form.regular_allowances} regular allowances)",
        credit,
    )
    ex("5", "Computed tax less credit, not below 0", net)
    return net


def supplemental_flat(bonus: Decimal, other: Decimal, tables: CaliforniaTables) -> Decimal:
    """DE 44 flat rates for supplemental wages paid separately: bonuses 10.23%, other 6.6%."""
    return cents(bonus * tables.supplemental_bonus_rate + other * tables.supplemental_other_rate)


def sdi(wages: Decimal, ytd_wages: Decimal, tables: CaliforniaTables) -> tuple[Decimal, Decimal]:
    """(taxable, tax): SDI has no wage ceiling from 2024; a table ceiling is honoured if set."""
    taxable = taxable_under_base(wages, ytd_wages, tables.sdi_wage_base)
    return taxable, cents(taxable * tables.sdi_rate)


def unemployment(
    wages: Decimal, ytd_wages: Decimal, ui_rate: Decimal | None, tables: CaliforniaTables
) -> tuple[Decimal, Decimal, Decimal]:
    """(taxable, UI, ETT), both on the first $7,000; UI at the employer's notified rate."""
    rate = tables.ui_new_employer_rate if ui_rate is None else ui_rate
    taxable = taxable_under_base(wages, ytd_wages, tables.ui_wage_base)
    ett_taxable = taxable_under_base(wages, ytd_wages, tables.ett_wage_base)
    return taxable, cents(taxable * rate), cents(ett_taxable * tables.ett_rate)
