"""Virginia: the Withholding Guide Rev. 05/25 formula (annualized; 2%/3%/5%/5.75% bands, "not
over"), VA-4 exemptions, 5.75% supplemental paid separately."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.certificates import Va4
from payrun.domain.money import cents, not_below_zero
from payrun.domain.tables import StateEdition
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.states import ZERO, StatePaycheck, StateWithholding

NO_VA4 = Va4()  # no VA-4 on file: no exemptions


def periods_per_year(paycheck: StatePaycheck, edition: StateEdition) -> int:
    """P: the Pay Period Conversion Table; daily is 300 (UNCONFIRMED, [OB] only)."""
    if paycheck.period == "daily":
        return int(edition.figure("daily_periods"))
    return paycheck.periods


def formula(
    wages: Decimal, periods: int, form: Va4, edition: StateEdition, explain: Explainer
) -> Decimal:
    """T = G x P - (8,750 + E1 x 930 + E2 x 800), not below 0; W on the bands; W / P carried
    to the cent (the guide's example rounds the 5.75% product to the dollar: see the tests)."""
    deductions = (
        edition.figure("standard_deduction")
        + form.personal_exemptions * edition.figure("personal_exemption")
        + form.age_blind_exemptions * edition.figure("age_blind_exemption")
    )
    taxable = not_below_zero(wages * periods - deductions)
    annual = edition.schedules["annual"].tax(taxable)
    tax = cents(annual / periods)
    if explain.enabled:
        explain("VA", f"T = {taxable}; W = {annual}; / {periods}", tax)
    return tax


def withhold(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> StateWithholding:
    form = paycheck.certificates.va4 or NO_VA4
    if form.exempt:
        explain("exempt", "VA-4 line 3/4: not subject to withholding", ZERO)
        return StateWithholding(ZERO)
    # Supplemental wages paid separately (tax withheld from regular wages): flat 5.75%.
    flat = paycheck.flat_supplemental()
    taxed = paycheck.regular if flat else paycheck.wages
    periods = periods_per_year(paycheck, edition)
    tax = formula(taxed, periods, form, edition, explain) if taxed > 0 else ZERO
    if flat:
        tax += cents(paycheck.supplemental * edition.figure("supplemental_percent") / 100)
    return StateWithholding(tax + form.additional_withholding)
