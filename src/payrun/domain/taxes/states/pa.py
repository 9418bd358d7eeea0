"""Pennsylvania: 3.07% of PA compensation (REV-415), REV-419 reciprocity; Philadelphia wage tax
by pay date, Act 32 local EIT (higher of resident and work rates) and the Local Services Tax."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from payrun.domain.certificates import PaLocal
from payrun.domain.errors import InvalidInput
from payrun.domain.money import CENT, cents, not_below_zero
from payrun.domain.tables import StateEdition
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.states import ZERO, StatePaycheck, StateWithholding, check_reciprocity

PHILADELPHIA = "PHILADELPHIA"
_REASONS = ("reciprocal_state", "tax_forgiveness")


def state_tax(wages: Decimal, edition: StateEdition) -> Decimal:
    """Flat 3.07% of PA compensation, no allowances; supplemental pay is added to the
    period's compensation at the same rate."""
    return cents(wages * edition.figure("rate_percent") / 100)


def eit_rate(local: PaLocal, higher_of: bool = True) -> Decimal:
    """Act 32: the higher of the resident total rate and the work location's nonresident rate
    (the table file's act32_higher_of; otherwise the resident rate)."""
    if not higher_of:
        return local.resident_eit_percent / 100
    return max(local.resident_eit_percent, local.work_nonresident_eit_percent) / 100


def lst_per_period(annual: Decimal, periods: int, ytd: Decimal, truncate: bool = True) -> Decimal:
    """LST prorated per pay period and truncated to the cent (DCED; the table file's
    lst_truncate_to_cent, else half-up), never past the year's amount."""
    share = annual / periods
    share = share.quantize(CENT, ROUND_DOWN) if truncate else cents(share)
    return min(share, not_below_zero(annual - ytd))


def _reciprocal(paycheck: StatePaycheck, edition: StateEdition) -> bool:
    rev419 = paycheck.certificates.pa_rev419
    if rev419 is None:
        return False
    if rev419.reason not in _REASONS:
        raise InvalidInput("employee.pa_rev419.reason", f"must be one of {', '.join(_REASONS)}")
    if rev419.reason == "tax_forgiveness":
        return True
    states = tuple(edition.figures["reciprocal_states"])
    return check_reciprocity(True, paycheck, states, "employee.pa_rev419")


def local_taxes(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> dict[str, Decimal]:
    """Philadelphia wage tax (residents anywhere in PA, nonresidents working there) or Act 32
    EIT; LST at the work location. Reciprocity never relieves these."""
    wages, local = paycheck.wages, paycheck.certificates.pa_local
    higher_of = bool(edition.figure("act32_higher_of"))
    taxes: dict[str, Decimal] = {}
    resident_phl = paycheck.lives_in("PA") and paycheck.city() == PHILADELPHIA
    if resident_phl or paycheck.work_city() == PHILADELPHIA:
        kind = "resident" if resident_phl else "nonresident"
        rate = edition.figure(f"philadelphia_{kind}_percent")
        taxes["PHL_WAGE"] = cents(wages * rate / 100)
        if explain.enabled:
            explain("PHL", f"Philadelphia wage tax, {kind} {rate}%", taxes["PHL_WAGE"])
    elif local is not None and eit_rate(local, higher_of) > 0:
        taxes["PA_EIT"] = cents(wages * eit_rate(local, higher_of))
        if explain.enabled:
            explain("EIT", f"Act 32 EIT at {eit_rate(local, higher_of)}", taxes["PA_EIT"])
    if local is not None and local.lst_annual > 0 and not local.lst_exempt:
        ytd = paycheck.ytd.get("pa_lst_tax", ZERO)
        truncate = bool(edition.figure("lst_truncate_to_cent"))
        lst = lst_per_period(local.lst_annual, paycheck.periods, ytd, truncate)
        if lst > 0:
            taxes["PA_LST"] = lst
    return taxes


def withhold(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> StateWithholding:
    local = local_taxes(paycheck, edition, explain)
    if _reciprocal(paycheck, edition):
        explain("REV-419", "REV-419 on file: no PA income tax withheld", ZERO)
        return StateWithholding(ZERO, local)
    tax = state_tax(paycheck.wages, edition)
    explain("PA", "3.07% of PA compensation", tax)
    return StateWithholding(tax, local)
