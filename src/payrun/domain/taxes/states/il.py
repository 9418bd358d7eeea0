"""Illinois: IL-700-T (R-12/25) automated payroll method, 4.95% after IL-W-4 allowances."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.certificates import IlW4
from payrun.domain.money import cents, not_below_zero
from payrun.domain.tables import StateEdition
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.states import ZERO, StatePaycheck, StateWithholding

NO_IL_W4 = IlW4()  # Pub 130: no IL-W-4 on file -> no allowances


def automated_payroll(
    wages: Decimal, periods: int, form: IlW4, edition: StateEdition, explain: Explainer
) -> Decimal:
    """IL-700-T p. 4, before the line 3 amount: 4.95% x (wages - allowances / periods), the
    per-period exemption rounded to the cent first (Example B: 7,850 / 52 = 150.96)."""
    exemption = cents(
        (
            form.basic_allowances * edition.figure("basic_allowance")
            + form.additional_allowances * edition.figure("additional_allowance")
        )
        / periods
    )
    taxable = not_below_zero(wages - exemption)
    tax = cents(taxable * edition.figure("rate_percent") / 100)
    if explain.enabled:
        explain(
            "1", "Allowances (line 1 x 2,925 + line 2 x 1,000) / periods, to the cent", exemption
        )
        explain("2", "Wages less exemption, not below 0", taxable)
        explain("3", "x 4.95%", tax)
    return tax


def withhold(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> StateWithholding:
    form = paycheck.certificates.il_w4 or NO_IL_W4
    if form.exempt:
        explain("exempt", "IL-W-4 claims exemption", ZERO)
        return StateWithholding(ZERO)
    # Supplemental wages are ordinary compensation at 4.95% (IL-700-T, Pub 130): paid
    # separately at a flat rate they take no second exemption.
    flat = paycheck.flat_supplemental()
    taxed = paycheck.regular if flat else paycheck.wages
    tax = automated_payroll(taxed, paycheck.periods, form, edition, explain) if taxed > 0 else ZERO
    if flat:
        tax += cents(paycheck.supplemental * edition.figure("rate_percent") / 100)
    return StateWithholding(tax + form.additional_withholding)
