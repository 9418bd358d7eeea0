"""The work state's income tax, local taxes, employee-paid programs and SUI for one paycheck,
for the states with a rule file (``StateRules``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from payrun.domain.deductions import DeductionLine
from payrun.domain.money import cents, not_below_zero
from payrun.domain.request import PayRequest
from payrun.domain.state_codes import PROGRAM_WAGE_KEYS
from payrun.domain.tables import StateEdition, StateRules
from payrun.domain.taxes import ZERO, Explainer, taxable_under_base
from payrun.domain.taxes.states import (
    StatePaycheck,
    StateWithholding,
    ga,
    il,
    ma,
    mi,
    nc,
    nj,
    ny,
    oh,
    pa,
    va,
)
from payrun.domain.taxes.states.programs import program_tax

Rule = Callable[[StatePaycheck, StateEdition, Explainer], StateWithholding]
RULES: dict[str, Rule] = {
    "ny": ny.withhold,
    "il": il.withhold,
    "pa": pa.withhold,
    "nj": nj.withhold,
    "ga": ga.withhold,
    "nc": nc.withhold,
    "mi": mi.withhold,
    "oh": oh.withhold,
    "ma": ma.withhold,
    "va": va.withhold,
}


@dataclass(frozen=True, slots=True)
class StateTaxes:
    pit_wages: Decimal
    pit: Decimal
    local: dict[str, Decimal]
    employee: dict[str, Decimal]
    accumulators: dict[str, Decimal]  # YTD key -> wages charged / amount subtracted
    sui_taxable: Decimal
    sui: Decimal


def pit_wages(
    gross: Decimal, regular: Decimal, lines: tuple[DeductionLine, ...], excludes: frozenset[str]
) -> tuple[Decimal, Decimal]:
    """(the state's income-tax wages, of which supplemental): gross less the pre-tax deductions
    its table file excludes; reductions come out of regular wages first."""
    reduction = sum((line.amount.amount for line in lines if line.code in excludes), ZERO)
    supplemental = gross - regular
    return gross - reduction, supplemental - not_below_zero(reduction - regular)


def state_taxes(
    request: PayRequest,
    gross: Decimal,
    regular: Decimal,
    state_ui_wages: Decimal,
    lines: tuple[DeductionLine, ...],
    fica: Decimal,
    rules: StateRules,
    explain: Explainer,
) -> StateTaxes:
    ytd = {key: money.amount for key, money in request.ytd.values.items()}
    wages, supplemental = pit_wages(gross, regular, lines, rules.pit_excludes)
    withheld = StateWithholding(ZERO)
    rule = RULES.get(rules.method)
    if rule is not None:
        on = request.pay_date
        if rules.edition_date == "period_end" and request.period_end is not None:
            on = request.period_end
        employee = request.employee
        paycheck = StatePaycheck(
            wages,
            supplemental,
            request.earnings.supplemental_method.value == "flat",
            request.frequency,
            request.pay_date,
            employee.certificates,
            employee.residence,
            employee.work_location,
            fica,
            ytd.get("state_income_tax", ZERO),
            ytd,
        )
        withheld = rule(paycheck, rules.edition_on(on), explain)
    accumulators = dict(withheld.accumulators)
    employee_taxes: dict[str, Decimal] = {}
    for program in rules.programs:
        if program.code == "WA_CARES" and request.employee.certificates.wa_cares_exempt:
            continue
        if program.code in request.employer.pays_employee_programs:
            explain(program.code, "Paid by the employer for the employee: not deducted", ZERO)
            continue
        base = gross if program.wages == "gross" else state_ui_wages
        charged, tax = program_tax(program, base, request.frequency, ytd)
        employee_taxes[program.code] = tax
        key = PROGRAM_WAGE_KEYS.get(program.code)
        if key is not None:
            accumulators[key] = charged
        if explain.enabled:
            explain(program.code, f"{program.code} at {program.rate} on {charged}", tax)
    sui_taxable, sui = _sui(request, state_ui_wages, rules)
    explain("SUI", "SUI (employer) on wages under the base", sui)
    return StateTaxes(
        wages,
        withheld.state_income_tax,
        dict(withheld.local),
        employee_taxes,
        accumulators,
        sui_taxable,
        sui,
    )


def _sui(request: PayRequest, wages: Decimal, rules: StateRules) -> tuple[Decimal, Decimal]:
    """SUI on the employer's rate and wage base, else the table file's new-employer defaults."""
    employer = request.employer
    rate = rules.sui_new_employer_rate if employer.sui_rate is None else employer.sui_rate
    base = rules.sui_wage_base if employer.sui_wage_base is None else employer.sui_wage_base
    if rate is None or base is None:
        return ZERO, ZERO
    taxable = taxable_under_base(wages, request.ytd.amount("state_ui_wages"), base)
    return taxable, cents(taxable * rate)
