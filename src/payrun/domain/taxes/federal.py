"""Federal income tax withholding: Pub 15-T (2026) Worksheet 1A and Pub 15 §7 supplemental wages."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.money import cents, not_below_zero
from payrun.domain.request import (
    W4,
    FederalFilingStatus,
    Pre2020Marital,
    SupplementalMethod,
    W4Pre2020,
)
from payrun.domain.tables import FederalWithholdingTables, RateSchedule
from payrun.domain.taxes import Explainer

ZERO = Decimal(0)
NO_W4 = W4()  # Pub 15-T: no Form W-4 furnished -> single, no other entries


def worksheet_1a(
    wages: Decimal,
    periods: int,
    w4: W4 | None,
    w4_pre2020: W4Pre2020 | None,
    tables: FederalWithholdingTables,
    explain: Explainer,
) -> Decimal:
    """Line 4b, unrounded: the amount to withhold this period from ``wages`` (line 1a)."""
    line_1b = Decimal(periods)
    line_1c = wages * line_1b
    if explain.enabled:
        explain("1a", "Taxable wages this period", wages)
        explain("1b", "Pay periods per year", periods)
        explain("1c", "Annualized wages (1a x 1b)", line_1c)
    if w4_pre2020 is not None:
        adjusted, schedule = _pre2020_adjusted(line_1c, w4_pre2020, tables, explain)
        credits, extra = ZERO, w4_pre2020.additional_withholding
    else:
        form = w4 or NO_W4
        adjusted, schedule = _adjusted(line_1c, form, tables, explain)
        credits, extra = form.step3_credits, form.step4c_extra
    return _tentative(adjusted, line_1b, schedule, credits, extra, explain)


def _adjusted(
    line_1c: Decimal, w4: W4, tables: FederalWithholdingTables, explain: Explainer
) -> tuple[Decimal, RateSchedule]:
    line_1d = w4.step4a_other_income
    line_1e = line_1c + line_1d
    line_1f = w4.step4b_deductions
    line_1g = ZERO if w4.step2_checked else tables.line_1g[w4.filing_status]
    line_1h = line_1f + line_1g
    line_1i = not_below_zero(line_1e - line_1h)
    if explain.enabled:
        explain("1d", "Step 4(a) other income", line_1d)
        explain("1e", "1c + 1d", line_1e)
        explain("1f", "Step 4(b) deductions", line_1f)
        explain("1g", f"Step 2 {'checked: 0' if w4.step2_checked else 'not checked'}", line_1g)
        explain("1h", "1f + 1g", line_1h)
        explain("1i", "Adjusted Annual Wage Amount (1e - 1h, not below 0)", line_1i)
    schedules = tables.checkbox if w4.step2_checked else tables.standard
    return line_1i, schedules[w4.filing_status]


def _pre2020_adjusted(
    line_1c: Decimal, w4: W4Pre2020, tables: FederalWithholdingTables, explain: Explainer
) -> tuple[Decimal, RateSchedule]:
    line_1k = w4.allowances * tables.allowance
    line_1l = not_below_zero(line_1c - line_1k)
    if explain.enabled:
        explain("1j", "Allowances on the 2019-or-earlier Form W-4", w4.allowances)
        explain("1k", f"1j x {tables.allowance}", line_1k)
        explain("1l", "Adjusted Annual Wage Amount (1c - 1k, not below 0)", line_1l)
    married = w4.marital_status is Pre2020Marital.MARRIED
    status = FederalFilingStatus.MARRIED_FILING_JOINTLY if married else FederalFilingStatus.SINGLE
    return line_1l, tables.standard[status]


def _tentative(
    line_2a: Decimal,
    line_1b: Decimal,
    schedule: RateSchedule,
    credits: Decimal,
    extra: Decimal,
    explain: Explainer,
) -> Decimal:
    row = schedule.bracket_for(line_2a)
    line_2e = line_2a - row.floor
    line_2f = line_2e * row.rate
    line_2g = row.base_tax + line_2f
    line_2h = line_2g / line_1b
    line_3b = credits / line_1b
    line_3c = not_below_zero(line_2h - line_3b)
    line_4b = line_3c + extra
    if not explain.enabled:
        return line_4b
    explain("2a", f"Adjusted Annual Wage Amount ({schedule.name})", line_2a)
    explain("2b", "Column A of the row", row.floor)
    explain("2c", "Column C of the row", row.base_tax)
    explain("2d", "Column D percentage", row.rate)
    explain("2e", "2a - 2b", line_2e)
    explain("2f", "2e x 2d", line_2f)
    explain("2g", "2c + 2f (annual tentative withholding)", line_2g)
    explain("2h", "Tentative Withholding Amount (2g / 1b)", line_2h)
    explain("3a", "Step 3 credits (annual)", credits)
    explain("3b", "3a / 1b", line_3b)
    explain("3c", "2h - 3b, not below 0", line_3c)
    explain("4a", "Additional withholding per period", extra)
    explain("4b", "Amount to withhold (3c + 4a)", line_4b)
    return line_4b


def federal_income_tax(
    wages: Decimal,
    supplemental: Decimal,
    ytd_supplemental: Decimal,
    method: SupplementalMethod,
    periods: int,
    w4: W4 | None,
    w4_pre2020: W4Pre2020 | None,
    tables: FederalWithholdingTables,
    explain: Explainer,
) -> Decimal:
    """Withholding on FIT wages (of which ``supplemental``), rounded half-up to the cent.

    Supplemental wages over $1,000,000 for the year take the mandatory 37%; the rest takes
    the optional flat 22% (``flat``) or is added to regular wages (``aggregate``).
    """
    if (w4 is not None and w4.exempt) or (w4_pre2020 is not None and w4_pre2020.exempt):
        explain("exempt", "Form W-4 claims exemption: no federal income tax withheld", ZERO)
        return ZERO
    threshold = tables.supplemental_mandatory_threshold
    mandatory = not_below_zero(ytd_supplemental + supplemental - threshold) - not_below_zero(
        ytd_supplemental - threshold
    )
    optional = supplemental - mandatory
    if method is SupplementalMethod.FLAT:
        worksheet_wages, flat_wages = wages - supplemental, optional
    else:
        worksheet_wages, flat_wages = wages - mandatory, ZERO
    regular = ZERO
    if worksheet_wages > 0:
        regular = cents(worksheet_1a(worksheet_wages, periods, w4, w4_pre2020, tables, explain))
    supplemental_tax = ZERO
    if supplemental:
        supplemental_tax = cents(
            flat_wages * tables.supplemental_rate + mandatory * tables.supplemental_mandatory_rate
        )
        if explain.enabled:
            explain("supp", f"Supplemental wages at the flat rate ({method.value})", flat_wages)
            explain("supp37", "Supplemental wages over $1,000,000 YTD (mandatory rate)", mandatory)
            explain("supptax", "Supplemental withholding", supplemental_tax)
    return regular + supplemental_tax
