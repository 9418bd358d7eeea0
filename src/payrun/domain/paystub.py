"""The pay stub: current amounts, the YTD they were computed from, and derived lines and YTD."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import chain
from operator import attrgetter
from typing import Any

from payrun.domain.earnings import EARNING_CODES, EarningLine
from payrun.domain.money import ZERO_MONEY, Money
from payrun.domain.periods import PayFrequency
from payrun.domain.request import YTD_KEYS, YearToDate
from payrun.domain.serde import money_text, to_jsonable
from payrun.domain.state_codes import EMPLOYEE_TAXES, LOCAL_TAXES
from payrun.domain.taxes import ExplainLine, TaxableWages

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class EmployerAmounts:
    social_security: Money
    medicare: Money
    futa: Money
    state_unemployment: Money
    ett: Money
    match_401k: Money


@dataclass(frozen=True, slots=True)
class StubLine:
    kind: str  # earning | employee_tax | deduction | employer_tax | employer_contribution
    code: str
    description: str
    current: Money
    ytd: Money


# (kind, code, description, stub attribute, YTD key); the order is the stub's order.
_TAX_AND_DEDUCTION_LINES = (
    ("employee_tax", "FIT", "Federal income tax", "federal_income_tax", "federal_income_tax"),
    ("employee_tax", "SS", "Social Security 6.2%", "social_security", "social_security_tax"),
    ("employee_tax", "MED", "Medicare 1.45%", "medicare", "medicare_tax"),
    (
        "employee_tax",
        "ADDL_MED",
        "Additional Medicare 0.9%",
        "additional_medicare",
        "additional_medicare_tax",
    ),
    ("employee_tax", "ST_PIT", "State income tax", "state_income_tax", "state_income_tax"),
    (
        "employee_tax",
        "ST_SDI",
        "State disability insurance",
        "state_disability",
        "state_disability_tax",
    ),
    ("deduction", "SEC125", "Section 125 health premium (pre-tax)", "section125", "section125"),
    ("deduction", "HSA", "HSA contribution (pre-tax)", "hsa", "hsa"),
    (
        "deduction",
        "401K",
        "401(k) traditional (pre-tax)",
        "deferral_401k_pretax",
        "deferral_401k_pretax",
    ),
    ("deduction", "ROTH401K", "401(k) Roth (after tax)", "roth_401k", "roth_401k"),
)
_EMPLOYER_LINES = (
    (
        "employer_tax",
        "ER_SS",
        "Social Security 6.2% (employer)",
        "social_security",
        "employer_social_security_tax",
    ),
    ("employer_tax", "ER_MED", "Medicare 1.45% (employer)", "medicare", "employer_medicare_tax"),
    ("employer_tax", "FUTA", "FUTA", "futa", "futa_tax"),
    (
        "employer_tax",
        "SUI",
        "State unemployment insurance",
        "state_unemployment",
        "state_unemployment_tax",
    ),
    ("employer_tax", "ETT", "CA Employment Training Tax", "ett", "ett_tax"),
    ("employer_contribution", "MATCH401K", "401(k) employer match", "match_401k", "match_401k"),
)
# Local income taxes and employee-paid state taxes: (kind, code, description, stub mapping,
# YTD key); the current amount is the mapping's entry for the code (zero if absent).
_STATE_LINES = tuple(
    ("employee_tax", code, text, "local_income_tax", key) for code, text, key in LOCAL_TAXES
) + tuple(
    ("employee_tax", code, text, "state_employee_taxes", key) for code, text, key in EMPLOYEE_TAXES
)
_ALWAYS_SHOWN = frozenset({"FIT", "SS", "MED", "ER_SS", "ER_MED", "FUTA"})
# The current amounts of those lines, read in one call each.
_TAX_AND_DEDUCTION_AMOUNTS = attrgetter(*(line[3] for line in _TAX_AND_DEDUCTION_LINES))
_EMPLOYER_AMOUNTS = attrgetter(*(line[3] for line in _EMPLOYER_LINES))
# Every line after the earnings, as (kind, code, description, YTD key): its current amount is
# the stub's amount for that YTD key (current_by_ytd_key), so callers working in cents convert
# each amount once.
FIXED_LINES = tuple(
    (kind, code, text, key)
    for kind, code, text, _, key in chain(_TAX_AND_DEDUCTION_LINES, _STATE_LINES, _EMPLOYER_LINES)
)
# The same without the local and state employee tax lines, for a stub that can show none.
FIXED_LINES_WITHOUT_STATE = tuple(
    (kind, code, text, key)
    for kind, code, text, _, key in chain(_TAX_AND_DEDUCTION_LINES, _EMPLOYER_LINES)
)
_set_field = object.__setattr__  # how a frozen dataclass fills its own memo fields


@dataclass(frozen=True, slots=True)
class PayStub:
    """Stage 5 result. ``lines`` and ``ytd_after`` are derived from the stored amounts,
    once, on first use (the memo fields are not part of the value: no init, eq or JSON)."""

    pay_date: date
    frequency: PayFrequency
    work_state: str
    employee_id: str | None
    earnings: tuple[EarningLine, ...]
    gross: Money
    federal_income_tax: Money
    social_security: Money
    medicare: Money
    additional_medicare: Money
    state_income_tax: Money
    state_disability: Money
    section125: Money
    hsa: Money
    deferral_401k_pretax: Money
    roth_401k: Money
    catch_up_401k: Money
    net_pay: Money
    employer: EmployerAmounts
    wages: TaxableWages
    ytd_before: YearToDate
    explain: tuple[ExplainLine, ...] = ()
    local_income_tax: Mapping[str, Money] = field(default_factory=dict)
    state_employee_taxes: Mapping[str, Money] = field(default_factory=dict)
    _ytd_after: YearToDate | None = field(default=None, init=False, repr=False, compare=False)
    _lines: tuple[StubLine, ...] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def deferral_401k(self) -> Money:
        """All elective deferrals this period (traditional + Roth): what counts to the limit."""
        return Money(self.deferral_401k_pretax.amount + self.roth_401k.amount)

    @property
    def employee_deductions(self) -> Decimal:
        """Every amount taken from gross: employee taxes, pre-tax and post-tax deductions."""
        total = sum((money.amount for money in _TAX_AND_DEDUCTION_AMOUNTS(self)), ZERO)
        for by_code in (self.local_income_tax, self.state_employee_taxes):
            for money in by_code.values():
                total += money.amount
        return total

    def _state_amounts(self) -> Iterator[Money]:
        """The current amount of each _STATE_LINES entry, in order."""
        for _, code, _, mapping, _ in _STATE_LINES:
            yield getattr(self, mapping).get(code, ZERO_MONEY)

    def current_by_ytd_key(self) -> dict[str, Decimal]:
        wages = self.wages
        state_ui_key = "ca_ui_wages" if self.work_state == "CA" else "state_ui_wages"
        current = {
            "gross": self.gross.amount,
            "social_security_wages": wages.social_security.amount,
            "medicare_wages": wages.medicare.amount,
            "futa_wages": wages.futa.amount,
            state_ui_key: wages.state_unemployment.amount,
            "sdi_wages": wages.state_disability.amount,
            "fit_wages": wages.federal_income_tax.amount,
            "state_pit_wages": wages.state_income_tax.amount,
            "supplemental_wages": wages.supplemental.amount,
            "deferral_401k": self.deferral_401k_pretax.amount + self.roth_401k.amount,
            "catch_up_401k": self.catch_up_401k.amount,
            "net_pay": self.net_pay.amount,
        }
        for line in self.earnings:
            key = EARNING_CODES[line.code][1]
            current[key] = current.get(key, ZERO) + line.amount.amount
        for (*_, key), money in zip(
            _TAX_AND_DEDUCTION_LINES, _TAX_AND_DEDUCTION_AMOUNTS(self), strict=True
        ):
            current[key] = money.amount
        for (*_, key), money in zip(_EMPLOYER_LINES, _EMPLOYER_AMOUNTS(self.employer), strict=True):
            current[key] = money.amount
        if self.local_income_tax or self.state_employee_taxes:
            for (*_, key), money in zip(_STATE_LINES, self._state_amounts(), strict=True):
                current[key] = money.amount
        for key, money in wages.state_accumulators.items():
            current[key] = money.amount
        return current

    @property
    def ytd_after(self) -> YearToDate:
        after = self._ytd_after
        if after is None:
            after = _ytd_after(self.ytd_before, self.current_by_ytd_key())
            _set_field(self, "_ytd_after", after)
        return after

    @property
    def lines(self) -> tuple[StubLine, ...]:
        lines = self._lines
        if lines is None:
            lines = _lines(self, self.ytd_after.values)
            _set_field(self, "_lines", lines)
        return lines

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = to_jsonable(self)
        data["deferral_401k"] = money_text(self.deferral_401k)
        data["ytd_before"] = data["ytd_before"]["values"]
        data["ytd_after"] = self.ytd_after.to_dict()
        data["lines"] = [to_jsonable(line) for line in self.lines]
        return data


_NOTHING_YET = dict.fromkeys(YTD_KEYS, ZERO_MONEY)  # every key, in YTD_KEYS order
_IS_YTD_KEY = frozenset(YTD_KEYS)


def _ytd_after(before: YearToDate, current: dict[str, Decimal]) -> YearToDate:
    """Every YTD key: before + current. A key with nothing this period keeps its Money.
    Only the keys with an amount are visited (most of the states' keys are zero for most
    employees); the rest are copied as they are."""
    after = dict(_NOTHING_YET)
    for key, money in before.values.items():
        if key in _IS_YTD_KEY:
            after[key] = money
    for key, amount in current.items():
        if amount and key in _IS_YTD_KEY:
            after[key] = Money(after[key].amount + amount)
    return YearToDate(after)


def line_specs(
    stub: PayStub, with_state_lines: bool = True
) -> Iterator[tuple[str, str, str, Money, str]]:
    """Every line the stub may show, in order: (kind, code, description, current, YTD key);
    without the local and state employee tax lines when the caller knows none can show."""
    for earning in stub.earnings:
        text, key, _ = EARNING_CODES[earning.code]
        yield "earning", earning.code, text, earning.amount, key
    yield from _specs(_TAX_AND_DEDUCTION_LINES, _TAX_AND_DEDUCTION_AMOUNTS(stub))
    if with_state_lines:
        yield from _specs(_STATE_LINES, stub._state_amounts())
    yield from _specs(_EMPLOYER_LINES, _EMPLOYER_AMOUNTS(stub.employer))


def _specs(lines: Any, amounts: Any) -> Iterator[tuple[str, str, str, Money, str]]:
    for (kind, code, text, _, key), current in zip(lines, amounts, strict=True):
        yield kind, code, text, current, key


def shown(kind: str, code: str, current: object, year: object) -> bool:
    """Earning lines always; a tax or deduction line when this period or the year has one
    (or it is one every stub shows). `current` and `year` are amounts in any unit."""
    return kind == "earning" or bool(current) or bool(year) or code in _ALWAYS_SHOWN


def _lines(stub: PayStub, ytd: Mapping[str, Money]) -> tuple[StubLine, ...]:
    state = has_state_lines(stub.local_income_tax or stub.state_employee_taxes, ytd)
    return tuple(
        StubLine(kind, code, text, current, ytd[key])
        for kind, code, text, current, key in line_specs(stub, state)
        if shown(kind, code, current.amount, ytd[key].amount)
    )


STATE_LINE_KEYS = tuple(line[-1] for line in _STATE_LINES)


def has_state_lines(current: object, year: Mapping[str, Any]) -> bool:
    """Whether a local or state employee tax line can show: one this period (`current`), or
    one in the year so far (`year` by YTD key, in any unit). Most employees have none."""
    return bool(current) or any(year.get(key) for key in STATE_LINE_KEYS)
