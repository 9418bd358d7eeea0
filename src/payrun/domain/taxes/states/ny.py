"""New York: NYS-50-T-NYS (1/26) Method II exact calculation and Method III; the New York City
resident tax (NYS-50-T-NYC) and Yonkers (NYS-50-T-Y) for residents and nonresidents."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.certificates import NyIt2104, NyStatus
from payrun.domain.errors import UnknownTable
from payrun.domain.money import cents, not_below_zero
from payrun.domain.tables import RateSchedule, StateEdition
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.states import ZERO, StatePaycheck, StateWithholding

NO_IT2104 = NyIt2104()  # no IT-2104 on file: Single, 0 allowances (NYS-50)
_PERIODS = ("daily", "weekly", "biweekly", "semimonthly", "monthly", "annual")


def table_status(form: NyIt2104) -> str:
    """Married uses the Married tables; Single and "married, withhold at the higher single
    rate" use the Single tables."""
    return "married" if form.filing_status is NyStatus.MARRIED else "single"


def nys_method_ii(
    wages: Decimal,
    period: str,
    periods: int,
    form: NyIt2104,
    edition: StateEdition,
    explain: Explainer,
) -> Decimal:
    """NYS withholding before the IT-2104 line 3 amount, rounded half-up to the cent."""
    status = table_status(form)
    # Step 1: Table A = Table B + n x Table C (p. 14; above 10 allowances the same rule).
    table_a = edition.figure_for(
        f"nys_table_b_{status}", period
    ) + form.allowances * edition.figure_for("nys_table_c", period)
    net = not_below_zero(wages - table_a)
    if explain.enabled:
        explain("1", f"Wages less Table A ({status}, {form.allowances} allowances: {table_a})", net)
    annualized = net * periods
    if annualized >= edition.figure(f"nys_method_iii_{status}"):
        return _method_iii(annualized, periods, edition, explain)
    return _table_tax(net, edition.schedules[f"nys_{status}_{period}"], explain)


def _table_tax(net: Decimal, schedule: RateSchedule, explain: Explainer) -> Decimal:
    # Steps 2-5: the "at least / but less than" line; (net - column 3) x column 4, rounded
    # to the cent as the printed examples do, plus column 5.
    row = schedule.bracket_for(net)
    tax = cents((net - row.floor) * row.rate) + row.base_tax
    if explain.enabled:
        explain(
            "2-5", f"{schedule.name}: at least {row.floor} at {row.rate} plus {row.base_tax}", tax
        )
    return tax


def _method_iii(annualized: Decimal, periods: int, edition: StateEdition, ex: Explainer) -> Decimal:
    """Method III (p. 22): a flat rate on all annualized net wages, divided by the periods."""
    bands = sorted(
        (Decimal(floor), rate) for floor, rate in edition.figures["nys_method_iii_rates"].items()
    )
    rate = next(rate for floor, rate in reversed(bands) if annualized >= floor) / 100
    tax = cents(annualized * rate / periods)
    if ex.enabled:
        ex("III", f"Method III: annualized net {annualized} x {rate} / {periods}", tax)
    return tax


def nyc_method_ii(
    wages: Decimal, period: str, form: NyIt2104, edition: StateEdition, explain: Explainer
) -> Decimal:
    """NYC resident tax before the IT-2104 line 4 amount: line 2 allowances, one schedule."""
    status = table_status(form)
    table_a = edition.figure_for(
        f"nyc_table_b_{status}", period
    ) + form.nyc_allowances * edition.figure_for("nyc_table_c", period)
    net = not_below_zero(wages - table_a)
    if explain.enabled:
        explain("NYC 1", f"Wages less NYC Table A ({form.nyc_allowances} allowances)", net)
    return _table_tax(net, edition.schedules[f"nyc_{period}"], explain)


def yonkers_nonresident(wages: Decimal, period: str, edition: StateEdition) -> Decimal:
    """Method VII: 0.50% of gross wages less the band's exclusion; nothing below band 1."""
    exclusion = None
    for floor, excluded in edition.figures["yonkers_nonresident_bands"][period]:
        if wages >= floor:
            exclusion = excluded
    if exclusion is None:
        return ZERO
    return cents((wages - exclusion) * edition.figure("yonkers_nonresident_percent") / 100)


def withhold(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> StateWithholding:
    form = paycheck.certificates.ny_it2104 or NO_IT2104
    if form.exempt:
        explain("exempt", "IT-2104 claims exemption: no NYS, NYC or Yonkers tax withheld", ZERO)
        return StateWithholding(ZERO)
    period = paycheck.period
    if period not in _PERIODS:
        raise UnknownTable(
            f"NY: NYS-50-T prints no {period} tables (the p. 23 conversion is not implemented);"
            " pay this employee daily, weekly, biweekly, semimonthly, monthly or annually"
        )
    flat = paycheck.flat_supplemental()
    taxed = paycheck.regular if flat else paycheck.wages
    supplemental = paycheck.supplemental if flat else ZERO
    periods = paycheck.periods
    nys = ZERO
    if taxed > 0:
        nys = nys_method_ii(taxed, period, periods, form, edition, explain)
    nys_supp = cents(supplemental * edition.figure("nys_supplemental_percent") / 100)
    local: dict[str, Decimal] = {}
    city = paycheck.city() if paycheck.lives_in("NY") else None  # a city in NY
    work_city = paycheck.work_city()
    if city == "NYC":
        nyc = nyc_method_ii(taxed, period, form, edition, explain) if taxed > 0 else ZERO
        supp = cents(supplemental * edition.figure("nyc_supplemental_percent") / 100)
        local["NYC"] = nyc + supp + form.additional_nyc
    if city == "YONKERS":
        # Residents: 16.75% of the NYS withholding (NYS-50-T-Y Methods I-II), rounded half-up.
        rate = edition.figure("yonkers_resident_percent") / 100
        supp_rate = edition.figure("yonkers_resident_supplemental_percent") / 100
        local["YONKERS"] = (
            cents(nys * rate) + cents(supplemental * supp_rate) + form.additional_yonkers
        )
    elif work_city == "YONKERS":
        local["YONKERS"] = yonkers_nonresident(paycheck.wages, period, edition)
    withheld = nys + nys_supp + form.additional_nys
    explain("NYS", "NYS withholding (with supplemental and IT-2104 line 3)", withheld)
    return StateWithholding(withheld, local)
