"""North Carolina: NC-30 (2026) percentage method at 4.09%, rounded to the whole dollar; the
annualized method for periods NC-30 prints no table for."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from payrun.domain.certificates import Nc4, NcStatus
from payrun.domain.money import DOLLAR, cents, not_below_zero
from payrun.domain.tables import StateEdition
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.states import ZERO, StatePaycheck, StateWithholding

NO_NC4 = Nc4()  # NC-30 §13: no NC-4 on file -> Single, no allowances


def dollars(amount: Decimal) -> Decimal:
    return amount.quantize(DOLLAR, ROUND_HALF_UP)


def _schedule(form: Nc4) -> str:
    head = form.filing_status is NcStatus.HEAD_OF_HOUSEHOLD
    return "standard_head_of_household" if head else "standard"


def percentage_method(
    wages: Decimal, period: str, form: Nc4, edition: StateEdition, explain: Explainer
) -> Decimal:
    """NC-30 pp. 17-18: (wages - standard deduction - allowances x value) x 4.09%, to the dollar."""
    standard = edition.figure_for(_schedule(form), period)
    allowances = form.allowances * edition.figure_for("allowance", period)
    net = not_below_zero(wages - standard - allowances)
    tax = dollars(net * edition.figure("rate_percent") / 100)
    if explain.enabled:
        explain("NC", f"({wages} - {standard} - {allowances}) x 4.09%, to the dollar", tax)
    return tax


def annualized_method(
    wages: Decimal, periods: int, form: Nc4, edition: StateEdition, explain: Explainer
) -> Decimal:
    """NC-30 p. 19: annual net x 4.09% rounded to the cent, / periods rounded to the dollar."""
    standard = edition.figure_for(_schedule(form), "annual")
    net = not_below_zero(
        wages * periods - standard - form.allowances * edition.figure_for("allowance", "annual")
    )
    annual = cents(net * edition.figure("rate_percent") / 100)
    tax = dollars(annual / periods)
    if explain.enabled:
        explain("NC", f"Annualized: {net} x 4.09% = {annual} / {periods}, to the dollar", tax)
    return tax


def withhold(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> StateWithholding:
    form = paycheck.certificates.nc4 or NO_NC4
    if form.exempt:
        explain("exempt", "NC-4 EZ / military spouse exempt", ZERO)
        return StateWithholding(ZERO)
    # Supplemental: flat 4.09% to the dollar, or aggregated (mandatory if nothing was withheld
    # from regular wages).
    flat = paycheck.flat_supplemental()
    taxed = paycheck.regular if flat else paycheck.wages
    tax = ZERO
    if taxed > 0:
        if edition.has("standard", paycheck.period):
            tax = percentage_method(taxed, paycheck.period, form, edition, explain)
        else:
            tax = annualized_method(taxed, paycheck.periods, form, edition, explain)
    if flat:
        tax += dollars(paycheck.supplemental * edition.figure("rate_percent") / 100)
    return StateWithholding(tax + dollars(form.additional_withholding))
