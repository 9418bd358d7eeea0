"""New Jersey: NJ-WT (September 2025) percentage method with Rate tables A-E (October 2020),
NJ-W4 allowances, supplemental wages (p. 11) and NJ-165 (PA residents)."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.certificates import NjStatus, NjW4
from payrun.domain.errors import InvalidInput
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

_RATE_B = frozenset({NjStatus.MARRIED_JOINT, NjStatus.HEAD_OF_HOUSEHOLD, NjStatus.QUALIFYING_WIDOW})
_TABLES = ("A", "B", "C", "D", "E")


def rate_table(form: NjW4 | None, edition: StateEdition) -> str:
    """NJ-W4 line 3 if it names a table; else Rate A for boxes 1 and 3, Rate B for 2, 4, 5.
    No NJ-W4 on file: the table file's default (Rate A, 0 allowances; UNCONFIRMED)."""
    if form is None:
        return str(edition.figures["no_certificate_rate_table"])
    if form.rate_table is not None:
        letter = form.rate_table.strip().upper()
        if letter not in _TABLES:
            raise InvalidInput(
                "employee.nj_w4.rate_table", f"must be one of A-E, got {form.rate_table!r}"
            )
        return letter
    return "B" if form.filing_status in _RATE_B else "A"


def percentage_method(
    wages: Decimal,
    period: str,
    table: str,
    allowances: int,
    allowance: Decimal,
    edition: StateEdition,
    explain: Explainer,
) -> Decimal:
    """NJ-WT p. 24: wages less allowances x the period's value, then the rate table (a row
    covers "over X but not over Y"): base + rate x (taxable - X), rounded half-up."""
    taxable = not_below_zero(wages - allowances * allowance)
    schedule = edition.schedules[f"nj_rate_{table.lower()}_{period}"]
    row = schedule.bracket_for(taxable)
    tax = cents(row.base_tax + (taxable - row.floor) * row.rate)
    if explain.enabled:
        explain("1-2", f"Wages less {allowances} allowances x {allowance}", taxable)
        explain("3", f"Rate {table}: over {row.floor}, {row.base_tax} + {row.rate}", tax)
    return tax


def withhold(
    paycheck: StatePaycheck, edition: StateEdition, explain: Explainer
) -> StateWithholding:
    form = paycheck.certificates.nj_w4
    if form is not None and form.exempt:
        explain("exempt", "NJ-W4 line 6 EXEMPT", ZERO)
        return StateWithholding(ZERO)
    if form is not None and check_reciprocity(
        form.nj165_pa_resident, paycheck, ("PA",), "employee.nj_w4.nj165_pa_resident"
    ):
        explain("NJ-165", "PA resident with NJ-165 on file: no NJ income tax withheld", ZERO)
        return StateWithholding(ZERO)
    table = rate_table(form, edition)
    allowance = per_period(edition, "allowance", paycheck, "NJ")
    allowances = 0 if form is None else form.allowances
    period = paycheck.period
    if paycheck.supplemental > 0 and paycheck.regular <= 0:
        # p. 11: supplemental wages paid separately are withheld on without allowances.
        allowances = 0
    tax = ZERO
    if paycheck.wages > 0:
        tax = percentage_method(
            paycheck.wages, period, table, allowances, allowance, edition, explain
        )
    extra = ZERO if form is None else form.additional_withholding
    return StateWithholding(tax + extra)
