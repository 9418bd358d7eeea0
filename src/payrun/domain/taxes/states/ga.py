"""Georgia: Employer's Tax Guide 2026 percentage method (Table E), edition by pay date:
5.19% to 10 May 2026, 4.99% (HB 463) from 11 May 2026."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.certificates import GaG4, GaStatus
from payrun.domain.money import cents, not_below_zero
from payrun.domain.tables import StateEdition
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.states import ZERO, StatePaycheck, StateWithholding, per_period

NO_G4 = GaG4()  # no G-4 on file: single, zero allowances
# G-4 line 3 letter -> Table E column: A and D single/HOH (2), B married separate (3),
# C married filing joint, one spouse working (1).
COLUMN = {
    GaStatus.A_SINGLE: "single",
    GaStatus.B_MARRIED_SEPARATE_OR_BOTH_WORKING: "mfs",
    GaStatus.C_MARRIED_JOINT_ONE_WORKING: "mfj",
    GaStatus.D_HEAD_OF_HOUSEHOLD: "single",
}


def percentage_method(
    wages: Decimal, paycheck: StatePaycheck, form: GaG4, edition: StateEdition, explain: Explainer
) -> Decimal:
    """taxable = wages - standard deduction (column) - allowance x G-4 line 7 (lines 4 + 5);
    x rate, rounded half-up."""
    column = COLUMN[form.marital_status]
    standard = per_period(edition, column, paycheck, "GA")
    allowances = form.dependent_allowances + form.additional_allowances
    allowance = per_period(edition, "allowance", paycheck, "GA")
    taxable = not_below_zero(wages - standard - allowances * allowance)
    tax = cents(taxable * edition.figure("rate_percent") / 100)
    if explain.enabled:
        explain("1", f"Table E column {column} standard deduction", standard)
        explain("2", f"{allowances} allowances x {allowance}", allowances * allowance)
        explain("3", f"Taxable x {edition.figure('rate_percent')}%", tax)
    return tax


def withhold(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> StateWithholding:
    form = paycheck.certificates.ga_g4 or NO_G4
    if form.exempt:
        explain("exempt", "G-4 line 8 exempt", ZERO)
        return StateWithholding(ZERO)
    # Supplemental wages: the rate in effect when paid (guide p. 14).
    flat = paycheck.flat_supplemental()
    taxed = paycheck.regular if flat else paycheck.wages
    tax = percentage_method(taxed, paycheck, form, edition, explain) if taxed > 0 else ZERO
    if flat:
        tax += cents(paycheck.supplemental * edition.figure("rate_percent") / 100)
    return StateWithholding(tax + form.additional_withholding)
