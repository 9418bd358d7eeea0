"""Massachusetts: Circular M (Rev. 12/25) percentage method (p. 12) with the 4% surtax above
$1,107,750, the $2,000 FICA subtraction, M-4 boxes, and section G supplemental wages."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.certificates import MaM4
from payrun.domain.money import cents, not_below_zero
from payrun.domain.state_codes import MA_FICA_SUBTRACTED
from payrun.domain.tables import StateEdition
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.states import ZERO, StatePaycheck, StateWithholding, per_period

NO_M4 = MaM4()  # no M-4 on file: no exemptions


def _figure(edition: StateEdition, name: str, paycheck: StatePaycheck) -> Decimal:
    daily = f"daily_{name}"
    if paycheck.period == "daily" and edition.has(daily, "daily"):
        return edition.figure_for(daily, "daily")
    return per_period(edition, name, paycheck, "MA")


def annual_tax(annual: Decimal, edition: StateEdition) -> Decimal:
    """Step 4: 5% up to the surtax threshold and 9% above it."""
    threshold = edition.figure("surtax_threshold")
    base = min(annual, threshold) * edition.figure("rate_percent") / 100
    return base + not_below_zero(annual - threshold) * edition.figure("surtax_rate_percent") / 100


def fica_subtraction(
    fica: Decimal, periods: int, ytd_subtracted: Decimal, edition: StateEdition
) -> Decimal:
    """Step 1: this period's Social Security and Medicare, at most the period's share of the
    $2,000 (step 3 annualizes it: $2,000 / 52 = 38.46 a week, which is what reproduces the
    reference's $49.58 for weekly $1,115), and never past $2,000 for the year."""
    cap = edition.figure("fica_subtraction_cap")
    return min(fica, cents(cap / periods), not_below_zero(cap - ytd_subtracted))


def percentage_method(
    wages: Decimal,
    subtracted: Decimal,
    paycheck: StatePaycheck,
    form: MaM4,
    edition: StateEdition,
    explain: Explainer,
) -> Decimal:
    """Circular M p. 12 steps 1-7, before the line 5 amount."""
    exemptions = form.exemptions
    if exemptions >= 1 and wages < _figure(edition, "low_wage_floor", paycheck):
        explain("MA", "Wages below the low-wage floor with an exemption: nothing withheld", ZERO)
        return ZERO
    factor = ZERO
    if exemptions >= 1:
        factor = exemptions * _figure(edition, "exemption_per", paycheck) + _figure(
            edition, "exemption_base", paycheck
        )
    periods = paycheck.periods
    annual = not_below_zero(wages - subtracted - factor) * periods
    tax = annual_tax(annual, edition) / periods
    if form.head_of_household:
        tax -= _figure(edition, "head_of_household", paycheck)
    tax -= (int(form.blind) + int(form.spouse_blind)) * _figure(edition, "blind", paycheck)
    result = cents(not_below_zero(tax))
    if explain.enabled:
        explain(
            "MA",
            f"(wages - FICA {subtracted} - factor {factor}) x {periods}: 5%/9%, / periods",
            result,
        )
    return result


def supplemental(
    payment: Decimal, annual_regular: Decimal, prior: Decimal, edition: StateEdition
) -> Decimal:
    """Section G: X = payment + annualized regular wages (net of steps 1-2) + prior supplemental
    this year. X not over the threshold: 5%; otherwise the lesser of 9% x payment and 9% of the
    part of X above the threshold (capped at the payment) + 5% of the rest."""
    threshold = edition.figure("surtax_threshold")
    low, high = edition.figure("rate_percent") / 100, edition.figure("surtax_rate_percent") / 100
    x = payment + annual_regular + prior
    if x <= threshold:
        return cents(payment * low)
    above = min(x - threshold, payment)
    return cents(min(payment * high, above * high + (payment - above) * low))


def withhold(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> StateWithholding:
    form = paycheck.certificates.ma_m4 or NO_M4
    if form.full_time_student:
        explain("exempt", "M-4 box D: full-time student, do not withhold", ZERO)
        return StateWithholding(ZERO)
    ytd = paycheck.ytd.get(MA_FICA_SUBTRACTED, ZERO)
    subtracted = fica_subtraction(paycheck.fica, paycheck.periods, ytd, edition)
    flat = paycheck.flat and paycheck.supplemental > 0
    regular = paycheck.regular if flat else paycheck.wages
    tax = ZERO
    if regular > 0:
        tax = percentage_method(regular, subtracted, paycheck, form, edition, explain)
    if flat:
        annual_regular = not_below_zero(paycheck.regular - subtracted) * paycheck.periods
        prior = paycheck.ytd.get("supplemental_wages", ZERO)
        tax += supplemental(paycheck.supplemental, annual_regular, prior, edition)
    return StateWithholding(tax + form.additional_withholding, {}, {MA_FICA_SUBTRACTED: subtracted})
