"""Michigan: Form 446 (2026), 4.25% after MI-W4 exemptions ($5,900 a year each), MI-W4 8b
reciprocity; the City of Detroit (Form 5469): 2.4% residents, 1.2% nonresidents."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.certificates import MiW4
from payrun.domain.money import cents, not_below_zero
from payrun.domain.tables import StateEdition
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.states import (
    ZERO,
    StatePaycheck,
    StateWithholding,
    check_reciprocity,
    per_period,
)

NO_MI_W4 = MiW4()  # no MI-W4 on file: no exemptions
DETROIT = "DETROIT"


def state_tax(
    wages: Decimal, periods: int, exemptions: int, edition: StateEdition, explain: Explainer
) -> Decimal:
    """4.25% x (wages - exemptions x round_cent(5,900 / periods)), not below 0."""
    each = edition.figure("exemption") / periods
    if edition.figure("exemption_rounded_per_period"):  # UNCONFIRMED: as Detroit's table does
        each = cents(each)
    taxable = not_below_zero(wages - exemptions * each)
    tax = cents(taxable * edition.figure("rate_percent") / 100)
    if explain.enabled:
        explain("MI", f"({wages} - {exemptions} x {each}) x 4.25%", tax)
    return tax


def detroit_tax(
    wages: Decimal, exemption_value: Decimal, exemptions: int, resident: bool, edition: StateEdition
) -> Decimal:
    """Form 5469: (gross - exemptions x the printed per-period value) x 2.4% or 1.2%."""
    kind = "resident" if resident else "nonresident"
    rate = edition.figure(f"detroit_{kind}_percent") / 100
    return cents(not_below_zero(wages - exemptions * exemption_value) * rate)


def _detroit(paycheck: StatePaycheck, edition: StateEdition) -> dict[str, Decimal]:
    resident = paycheck.lives_in("MI") and paycheck.city() == DETROIT
    if not resident and paycheck.work_city() != DETROIT:
        return {}
    form = paycheck.certificates.detroit_5527
    exemptions = 0 if form is None else form.exemptions
    # Bonuses and other pay outside the regular payroll take no exemption.
    regular = paycheck.regular
    value = per_period(edition, "detroit_exemption", paycheck, "Detroit") if regular > 0 else ZERO
    tax = detroit_tax(regular, value, exemptions, resident, edition) if regular > 0 else ZERO
    tax += detroit_tax(paycheck.supplemental, ZERO, 0, resident, edition)
    return {"DETROIT": tax}


def withhold(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> StateWithholding:
    local = _detroit(paycheck, edition)
    form = paycheck.certificates.mi_w4 or NO_MI_W4
    states = tuple(edition.figures["reciprocal_states"])
    if form.exempt or check_reciprocity(
        form.reciprocal_nonresident, paycheck, states, "employee.mi_w4.reciprocal_nonresident"
    ):
        explain("exempt", "MI-W4 line 8: no Michigan income tax withheld", ZERO)
        return StateWithholding(ZERO, local)
    # Supplemental pay separately at a flat rate: 4.25% without a second exemption.
    flat = paycheck.flat_supplemental()
    taxed = paycheck.regular if flat else paycheck.wages
    tax = (
        state_tax(taxed, paycheck.periods, form.exemptions, edition, explain) if taxed > 0 else ZERO
    )
    if flat:
        tax += cents(paycheck.supplemental * edition.figure("rate_percent") / 100)
    return StateWithholding(tax + form.additional_withholding, local)
