"""Stage 3: every tax on one paycheck, employee and employer, from the reduced wage bases."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.deductions import PretaxDeductions, WageBases
from payrun.domain.earnings import GrossPay
from payrun.domain.money import Money, not_below_zero
from payrun.domain.request import CaPitMethod, PayRequest, SupplementalMethod
from payrun.domain.tables import CaliforniaTables, TaxTables
from payrun.domain.taxes import (
    SILENT,
    ZERO,
    EmployeeTaxes,
    EmployerTaxes,
    Explainer,
    ExplainLine,
    TaxableWages,
    Taxes,
    cents,
    explainer,
    taxable_under_base,
)
from payrun.domain.taxes.california import (
    method_b,
    method_b_annualized,
    sdi,
    supplemental_flat,
    unemployment,
)
from payrun.domain.taxes.federal import federal_income_tax
from payrun.domain.taxes.fica import additional_medicare, medicare, social_security
from payrun.domain.taxes.futa import futa
from payrun.domain.taxes.states.dispatch import state_taxes


def compute_taxes(
    request: PayRequest, gross: GrossPay, pretax: PretaxDeductions, tables: TaxTables, explain: bool
) -> Taxes:
    wages, ytd, employee = pretax.wages, request.ytd, request.employee
    fit_explain = explainer(explain, "Pub 15-T Worksheet 1A")
    fit = federal_income_tax(
        wages.fit.amount,
        wages.fit_supplemental.amount,
        ytd.amount("supplemental_wages"),
        request.earnings.supplemental_method,
        request.frequency.periods_per_year,
        employee.w4,
        employee.w4_pre2020,
        tables.federal,
        fit_explain,
    )
    ss_taxable, ss = social_security(
        wages.social_security.amount, ytd.amount("social_security_wages"), tables.fica
    )
    med_wages = wages.medicare.amount
    med = medicare(med_wages, tables.fica)
    addl_wages, addl = additional_medicare(med_wages, ytd.amount("medicare_wages"), tables.fica)
    futa_taxable, futa_tax = futa(
        wages.futa.amount,
        ytd.amount("futa_wages"),
        request.employer.futa_credit_reduction,
        tables.futa,
    )
    fica_lines: list[ExplainLine] = []
    if explain:
        fica_explain = explainer(explain, "FICA and FUTA")
        fica_explain("SS", "Social Security wages under the wage base", ss_taxable)
        fica_explain("SS", "Social Security tax (each of employee and employer)", ss)
        fica_explain("MED", "Medicare wages", med_wages)
        fica_explain("MED", "Medicare tax (each of employee and employer)", med)
        fica_explain("ADDL", "Medicare wages over the Additional Medicare threshold", addl_wages)
        fica_explain("ADDL", "Additional Medicare tax (employee only)", addl)
        fica_explain("FUTA", "FUTA wages under the wage base", futa_taxable)
        fica_explain("FUTA", "FUTA tax", futa_tax)
        fica_lines = fica_explain.lines
    rules = tables.state.rules if tables.state is not None else None
    local: dict[str, Decimal] = {}
    programs: dict[str, Decimal] = {}
    accumulators: dict[str, Decimal] = {}
    pit_wages = wages.state_pit
    if rules is not None:
        st_explain = (
            explainer(explain, f"{request.work_state} state and local taxes") if explain else SILENT
        )
        st = state_taxes(
            request,
            gross.total.amount,
            gross.regular.amount,
            wages.state_ui.amount,
            pretax.lines,
            ss + med + addl,
            rules,
            st_explain,
        )
        pit, sdi_taxable, sdi_tax, ui_taxable, ui, ett = (
            st.pit,
            ZERO,
            ZERO,
            st.sui_taxable,
            st.sui,
            ZERO,
        )
        local, programs, accumulators = st.local, st.employee, st.accumulators
        pit_wages = _same(wages.state_pit, st.pit_wages)
        state_lines = st_explain.lines
    else:
        state = _state_taxes(request, gross, wages, tables, explain)
        pit, sdi_taxable, sdi_tax, ui_taxable, ui, ett, state_lines = state
    # Withholding can only come out of the pay there is: FICA, SDI and the state programs
    # first, then local, state and federal income tax (a Step 4(c) or DE 4 extra on a tiny
    # check is cut, never negative).
    left = gross.total.amount - pretax.total.amount - ss - med - addl - sdi_tax
    programs = _taken_in_order(programs, left)
    left -= sum(programs.values(), ZERO)
    local = _taken_in_order(local, left)
    left -= sum(local.values(), ZERO)
    if pit + fit > left:
        pit, fit = _fit_within(left, pit, fit, fit_explain)
    ss_money, med_money = Money(ss), Money(med)
    return Taxes(
        employee=EmployeeTaxes(
            Money(fit),
            ss_money,
            med_money,
            Money(addl),
            Money(pit),
            Money(sdi_tax),
            _monies(local),
            _monies(programs),
        ),
        employer=EmployerTaxes(ss_money, med_money, Money(futa_tax), Money(ui), Money(ett)),
        taxable=TaxableWages(
            federal_income_tax=wages.fit,
            supplemental=wages.fit_supplemental,
            social_security=_same(wages.social_security, ss_taxable),
            medicare=wages.medicare,
            additional_medicare=Money(addl_wages),
            futa=_same(wages.futa, futa_taxable),
            state_income_tax=pit_wages,
            state_disability=_same(wages.state_sdi, sdi_taxable),
            state_unemployment=_same(wages.state_ui, ui_taxable),
            state_accumulators=_monies(accumulators),
        ),
        explain=tuple(fit_explain.lines + fica_lines + state_lines) if explain else (),
    )


def _fit_within(
    left: Decimal, pit: Decimal, fit: Decimal, explain: Explainer
) -> tuple[Decimal, Decimal]:
    pit_paid = min(pit, not_below_zero(left))
    fit_paid = min(fit, not_below_zero(left - pit_paid))
    explain("cap", "Income tax withholding cut to the pay left after FICA and SDI", fit_paid)
    return pit_paid, fit_paid


def _taken_in_order(amounts: dict[str, Decimal], left: Decimal) -> dict[str, Decimal]:
    """Each amount in order, cut to the pay still left (a premium on a check the pre-tax
    deductions emptied is not taken; the employer owes it)."""
    if sum(amounts.values(), ZERO) <= left:
        return amounts
    taken: dict[str, Decimal] = {}
    for code, amount in amounts.items():
        taken[code] = min(amount, not_below_zero(left))
        left -= taken[code]
    return taken


def _monies(amounts: dict[str, Decimal]) -> dict[str, Money]:
    return {code: Money(amount) for code, amount in amounts.items()}


def _same(money: Money, amount: Decimal) -> Money:
    """Reuse the wage-base Money when no ceiling cut it (no new object on the fast path)."""
    return money if money.amount == amount else Money(amount)


_StateResult = tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, list[ExplainLine]]


def _state_taxes(
    request: PayRequest, gross: GrossPay, wages: WageBases, tables: TaxTables, explain: bool
) -> _StateResult:
    state = tables.state
    assert state is not None
    if state.california is None:
        return _other_state(request, wages, explain)
    ca = state.california
    pit_explain = explainer(explain, "EDD Method B (DE 44)")
    pit = _california_pit(request, gross, wages, ca, pit_explain)
    ytd = request.ytd
    sdi_taxable, sdi_tax = sdi(wages.state_sdi.amount, ytd.amount("sdi_wages"), ca)
    ui_taxable, ui, ett = unemployment(
        wages.state_ui.amount, ytd.amount("ca_ui_wages"), request.employer.ca_ui_rate, ca
    )
    if not explain:
        return pit, sdi_taxable, sdi_tax, ui_taxable, ui, ett, []
    other = explainer(explain, "California SDI, UI, ETT")
    other("SDI", "SDI wages (no ceiling)", sdi_taxable)
    other("SDI", "SDI", sdi_tax)
    other("UI", "UI/ETT wages under the $7,000 base", ui_taxable)
    other("UI", "UI (employer)", ui)
    other("ETT", "ETT (employer)", ett)
    return pit, sdi_taxable, sdi_tax, ui_taxable, ui, ett, pit_explain.lines + other.lines


def _california_pit(
    request: PayRequest, gross: GrossPay, wages: WageBases, ca: CaliforniaTables, explain: Explainer
) -> Decimal:
    de4 = request.employee.ca_de4
    supplemental = wages.state_pit_supplemental.amount
    separate = not gross.regular and supplemental > 0
    if separate and request.earnings.supplemental_method is SupplementalMethod.FLAT:
        bonus = min(gross.bonus.amount, supplemental)
        tax = supplemental_flat(bonus, supplemental - bonus, ca)
        explain("supp", "Supplemental wages paid separately at the DE 44 flat rates", supplemental)
        explain("supp", "California PIT on supplemental wages", tax)
        return tax
    pit_wages = wages.state_pit.amount
    if request.employer.ca_pit_method is CaPitMethod.ANNUALIZED:
        return method_b_annualized(pit_wages, request.frequency, de4, ca, explain)
    return method_b(pit_wages, request.frequency, de4, ca, explain)


def _other_state(request: PayRequest, wages: WageBases, explain: bool) -> _StateResult:
    """A state with no wage income tax: no PIT or SDI; SUI only if the employer configured it."""
    employer = request.employer
    lines = explainer(True, f"{request.work_state} (no state income tax)") if explain else SILENT
    if employer.sui_rate is None or employer.sui_wage_base is None:
        lines("SUI", "No state unemployment rate configured for this employer", ZERO)
        return ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, lines.lines
    taxable = taxable_under_base(
        wages.state_ui.amount, request.ytd.amount("state_ui_wages"), employer.sui_wage_base
    )
    sui = cents(taxable * employer.sui_rate)
    lines("SUI", "SUI wages under the employer's wage base", taxable)
    lines("SUI", "SUI (employer)", sui)
    return ZERO, ZERO, ZERO, taxable, sui, ZERO, lines.lines
