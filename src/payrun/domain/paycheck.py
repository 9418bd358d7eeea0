"""One paycheck as five pure stages: gross, pre-tax deductions, taxes, retirement, net pay.

Each stage is a pure function of the request, the tables and the earlier stages' results, so
the pay-run workflow can run them as separate activities and persist each result as JSON.
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from payrun.domain.deductions import PretaxDeductions, apply_pretax
from payrun.domain.earnings import GrossPay, compute_gross
from payrun.domain.errors import InvalidInput, LimitExceeded, UnknownTable
from payrun.domain.money import ZERO_MONEY, Money, cents, not_below_zero
from payrun.domain.paystub import EmployerAmounts, PayStub, StubLine
from payrun.domain.request import PayRequest
from payrun.domain.retirement import DeferralPlan, Retirement, employer_match, plan_deferrals
from payrun.domain.tables import TaxTables
from payrun.domain.taxes import Taxes
from payrun.domain.taxes.compute import compute_taxes

__all__ = [
    "GrossPay",
    "PayStub",
    "PretaxDeductions",
    "Retirement",
    "StubLine",
    "Taxes",
    "calculate",
    "gross_pay",
    "net_pay",
    "pretax_deductions",
    "retirement",
    "taxes",
]

ZERO = Decimal(0)
_FOUR_CENTS = Decimal("0.04")
_CENT = Decimal("0.01")
# Every stage computes in this context, never the ambient one: 28 digits, errors trap.
_CONTEXT = Context(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)


def calculate(request: PayRequest, tables: TaxTables, explain: bool = False) -> PayStub:
    """The whole paycheck: the five stages in order (in one decimal context)."""
    with localcontext(_CONTEXT):
        gross = _gross_pay(request, tables)
        plan = _deferral_plan(request, gross, tables)
        pretax = _pretax_deductions(request, gross, plan)
        tax = compute_taxes(request, gross, pretax, tables, explain)
        deferrals = _retirement(request, gross, pretax, tables, plan, tax)
        return net_pay(request, gross, pretax, tax, deferrals)


def gross_pay(request: PayRequest, tables: TaxTables) -> GrossPay:
    """Stage 1: earnings lines (salary, regular, overtime, double time, supplemental)."""
    with localcontext(_CONTEXT):
        return _gross_pay(request, tables)


def _gross_pay(request: PayRequest, tables: TaxTables) -> GrossPay:
    _check_tables(request, tables)
    _check_period(request)
    return compute_gross(request.earnings, california=request.work_state == "CA")


def pretax_deductions(request: PayRequest, gross: GrossPay, tables: TaxTables) -> PretaxDeductions:
    """Stage 2: §125, HSA, traditional 401(k) within the annual limit, and reduced wage bases."""
    with localcontext(_CONTEXT):
        return _pretax_deductions(request, gross, _deferral_plan(request, gross, tables))


def _pretax_deductions(
    request: PayRequest, gross: GrossPay, plan: DeferralPlan
) -> PretaxDeductions:
    employee = request.employee
    return apply_pretax(gross, employee.section125, employee.hsa, plan.pretax, plan.pretax_catch_up)


def taxes(
    request: PayRequest,
    gross: GrossPay,
    pretax: PretaxDeductions,
    tables: TaxTables,
    explain: bool = False,
) -> Taxes:
    """Stage 3: employee FIT, FICA, state PIT and SDI; employer FICA, FUTA, SUI and ETT."""
    with localcontext(_CONTEXT):
        return compute_taxes(request, gross, pretax, tables, explain)


def retirement(
    request: PayRequest,
    gross: GrossPay,
    pretax: PretaxDeductions,
    tables: TaxTables,
    taxes: Taxes | None = None,
) -> Retirement:
    """Stage 4: Roth deferral (post-tax), catch-up parts, employer match. ``taxes`` is stage
    3's result for the same request, gross and pre-tax deductions, when the caller has it."""
    with localcontext(_CONTEXT):
        plan = _deferral_plan(request, gross, tables)
        # Roth is after tax: withholding is needed only when there is a Roth election.
        tax = None
        if plan.roth:
            tax = (
                taxes if taxes is not None else compute_taxes(request, gross, pretax, tables, False)
            )
        return _retirement(request, gross, pretax, tables, plan, tax)


def _retirement(
    request: PayRequest,
    gross: GrossPay,
    pretax: PretaxDeductions,
    tables: TaxTables,
    plan: DeferralPlan,
    taxes: Taxes | None,
) -> Retirement:
    """``taxes`` (stage 3's result) is needed only when the plan has a Roth deferral."""
    pretax_deferral = pretax.deferral_401k.amount
    roth, roth_catch = plan.roth, plan.roth_catch_up
    if roth:
        assert taxes is not None, "a Roth deferral needs the withholding it comes after"
        # Roth is after tax: it can only take what withholding leaves (catch-up part first).
        left = not_below_zero(gross.total.amount - pretax.total.amount - taxes.employee.total)
        if roth > left:
            roth_catch = not_below_zero(roth_catch - (roth - left))
            roth = left
    match = employer_match(
        request.employer.match,
        pretax_deferral + roth,
        gross.total.amount,
        request.ytd.amount("gross"),
        tables.retirement.compensation_limit,
    )
    roth_catch_up = Money(roth_catch)
    catch_up = pretax.catch_up_401k.amount + roth_catch
    return Retirement(
        pretax_deferral=pretax.deferral_401k,
        roth_deferral=Money(roth),
        catch_up=roth_catch_up if not pretax.catch_up_401k else Money(catch_up),
        roth_catch_up=roth_catch_up,
        employer_match=Money(match),
        annual_limit=Money(plan.annual_limit),
        roth_catch_up_required=plan.roth_catch_up_required,
    )


def net_pay(
    request: PayRequest,
    gross: GrossPay,
    pretax: PretaxDeductions,
    taxes: Taxes,
    retirement: Retirement,
) -> PayStub:
    """Stage 5: net = gross − employee taxes − deductions; the stub with current and YTD."""
    employee, employer = taxes.employee, taxes.employer
    by_code = {line.code: line.amount for line in pretax.lines}
    zero = ZERO_MONEY
    deductions = pretax.total.amount + retirement.roth_deferral.amount
    net = gross.total.amount - employee.total - deductions
    if net < 0:
        raise LimitExceeded(
            f"net_pay: deductions and withholding ({employee.total + deductions}) exceed gross "
            f"pay ({gross.total}); lower the Roth election or the additional withholding"
        )
    return PayStub(
        pay_date=request.pay_date,
        frequency=request.frequency,
        work_state=request.work_state,
        employee_id=request.employee_id,
        earnings=gross.lines,
        gross=gross.total,
        federal_income_tax=employee.federal_income_tax,
        social_security=employee.social_security,
        medicare=employee.medicare,
        additional_medicare=employee.additional_medicare,
        state_income_tax=employee.state_income_tax,
        state_disability=employee.state_disability,
        section125=by_code.get("SEC125", zero),
        hsa=by_code.get("HSA", zero),
        deferral_401k_pretax=pretax.deferral_401k,
        roth_401k=retirement.roth_deferral,
        catch_up_401k=retirement.catch_up,
        net_pay=Money(net),
        employer=EmployerAmounts(
            employer.social_security,
            employer.medicare,
            employer.futa,
            employer.state_unemployment,
            employer.ett,
            retirement.employer_match,
        ),
        wages=taxes.taxable,
        ytd_before=request.ytd,
        explain=taxes.explain,
        local_income_tax=employee.local_income_tax,
        state_employee_taxes=employee.state_employee_taxes,
    )


def _deferral_plan(request: PayRequest, gross: GrossPay, tables: TaxTables) -> DeferralPlan:
    employee = request.employee
    pay = gross.total.amount
    return plan_deferrals(
        election=employee.retirement,
        pay=pay,
        available=_deferrable(pay - employee.section125 - employee.hsa, tables),
        ytd_deferrals=request.ytd.amount("deferral_401k"),
        birth_date=employee.birth_date,
        year=request.pay_date.year,
        prior_year_fica_wages=employee.prior_year_fica_wages,
        limits=tables.retirement,
        super_catch_up=request.employer.super_catch_up,
    )


def _deferrable(fica_wages: Decimal, tables: TaxTables) -> Decimal:
    """Pay a deferral may take: what is left after §125/HSA, less the FICA and SDI due on it
    (401(k) money is still FICA/SDI wages), with a cent per tax for rounding."""
    if fica_wages <= 0:
        return ZERO
    fica = tables.fica
    rate = fica.social_security_rate + fica.medicare_rate + fica.additional_medicare_rate
    state = tables.state
    cushion = _FOUR_CENTS
    if state is not None and state.california is not None:
        rate += state.california.sdi_rate
    if state is not None and state.rules is not None:
        # Employee-paid state programs (NY PFL, WA PFML ...) are due on 401(k) money too.
        for program in state.rules.programs:
            rate += program.rate
            cushion += _CENT
    return not_below_zero(fica_wages - cents(fica_wages * rate) - cushion)


def _check_tables(request: PayRequest, tables: TaxTables) -> None:
    if request.pay_date.year != tables.year:
        raise UnknownTable(
            f"pay date {request.pay_date} needs the {request.pay_date.year} tables,"
            f" not {tables.year}"
        )
    state = tables.state
    if state is None or state.code != request.work_state:
        raise UnknownTable(f"the tables passed are not for work state {request.work_state!r}")


def _check_period(request: PayRequest) -> None:
    start, end, hourly = request.period_start, request.period_end, request.earnings.hourly
    if start is not None and end is not None and start > end:
        raise InvalidInput("period_end", f"{end} is before period_start {start}")
    if hourly is None:
        return
    for day, _ in hourly.hours:
        if (start is not None and day < start) or (end is not None and day > end):
            raise InvalidInput(f"earnings.hours.{day.isoformat()}", "is outside the pay period")
