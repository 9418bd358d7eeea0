"""Ohio: the Optional Computer Formula (annualized), edition by the payroll period's END date
(1 Oct 2025 edition; 1 Aug 2026 edition), IT 4 exemptions, 2.75% supplemental, IT 4 waivers.

School-district and municipal income taxes are not withheld: their rates are not in the
reference (the employer must enter them; see the README)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from payrun.domain.certificates import OhIt4
from payrun.domain.money import CENT, cents, not_below_zero
from payrun.domain.tables import StateEdition
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.states import ZERO, StatePaycheck, StateWithholding, check_reciprocity

NO_IT4 = OhIt4()  # no IT 4 on file: 0 exemptions


def computer_formula(
    wages: Decimal, periods: int, exemptions: int, edition: StateEdition, explain: Explainer
) -> Decimal:
    """TW = wages x periods - 650 x exemptions (not below 0); annual = base + rate x (TW - floor)
    on the "over / not over" band; / periods, rounded half-up (UNCONFIRMED: [PJ] truncates)."""
    taxable = not_below_zero(wages * periods - exemptions * edition.figure("exemption"))
    annual = edition.schedules["annual"].tax(taxable)
    per_period = annual / periods
    # Rounding of the per-period amount is UNCONFIRMED ([OB][TL] half-up, [PJ] truncates): the
    # table file's round_half_up figure says which.
    if edition.figure("round_half_up"):
        tax = cents(per_period)
    else:
        tax = per_period.quantize(CENT, ROUND_DOWN)
    if explain.enabled:
        explain("OH", f"TW {taxable}: annual {annual} / {periods}", tax)
    return tax


def withhold(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> StateWithholding:
    form = paycheck.certificates.oh_it4 or NO_IT4
    states = tuple(edition.figures["reciprocal_states"])
    if form.exempt or check_reciprocity(
        form.reciprocal_nonresident, paycheck, states, "employee.oh_it4.reciprocal_nonresident"
    ):
        explain("exempt", "IT 4 Section III waiver: no Ohio income tax withheld", ZERO)
        return StateWithholding(ZERO)
    flat = paycheck.flat
    taxed = paycheck.regular if flat else paycheck.wages
    tax = ZERO
    if taxed > 0:
        tax = computer_formula(taxed, paycheck.periods, form.exemptions, edition, explain)
    if flat and paycheck.supplemental > 0:
        # OAC 5703-7-10: supplemental compensation paid after 1 Jan 2026 at 2.75%.
        tax += cents(paycheck.supplemental * edition.figure("supplemental_percent") / 100)
    return StateWithholding(tax + form.additional_withholding)
