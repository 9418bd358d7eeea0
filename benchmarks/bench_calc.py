"""Pure-calculation throughput: paychecks per second for a realistic mix of employees.

Run: ``python -m benchmarks.bench_calc [employees] [old|states]`` (or ``run(employees,
repeats, mix)`` from code). The ``old`` mix is California and the states without an income
tax; ``states`` adds the ten income-tax states with rule files (issue 19), each employee with
that state's certificate and residence as the demo seed draws them.
Building the requests and loading the tables are not timed. Three figures:
``calculate`` alone; ``calculate`` plus the stub's ``lines`` and ``ytd_after`` (what the
net-pay step stores); and ``parse_pay_request`` of the same requests in the JSON shape the
pipeline's snapshot holds (microseconds per employee).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from payrun.domain.money import Money
from payrun.domain.paycheck import calculate
from payrun.domain.periods import PayFrequency
from payrun.domain.request import (
    DE4,
    W4,
    CaFilingStatus,
    Earnings,
    Employee,
    EmployerConfig,
    FederalFilingStatus,
    HourlyWork,
    MatchTier,
    PayRequest,
    Pre2020Marital,
    RetirementElection,
    W4Pre2020,
    YearToDate,
)
from payrun.domain.tables import TaxTables
from payrun.services.pay_request import parse_pay_request
from payrun.services.seed_states import state_profile
from payrun.tables import load_tables

STATES = ("CA", "CA", "CA", "CA", "CA", "TX", "FL", "WA", "NV")
RULE_STATES = ("NY", "NY", "IL", "PA", "NJ", "GA", "NC", "MI", "OH", "MA", "VA")
MIXES = {"old": STATES, "states": STATES + RULE_STATES}
FREQUENCIES = (PayFrequency.BIWEEKLY,) * 5 + (PayFrequency.SEMIMONTHLY, PayFrequency.WEEKLY)
MATCH = (MatchTier(Decimal(3), Decimal(100)), MatchTier(Decimal(5), Decimal(50)))
PAY_DATE = date(2026, 6, 12)


def _d(value: float | int, places: int = 2) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def make_request(rng: random.Random, index: int, states: tuple[str, ...] = STATES) -> PayRequest:
    state = rng.choice(states)
    frequency = rng.choice(FREQUENCIES)
    periods = frequency.periods_per_year
    hourly = rng.random() < 0.4
    if hourly:
        rate = _d(rng.uniform(17, 60))
        start = PAY_DATE - timedelta(days=7 * (52 // periods) + 5)
        days = 7 * max(1, 52 // periods)
        hours = tuple(
            (start + timedelta(days=i), _d(rng.choice((0, 8, 8, 8, 9, 10, 12)), 1))
            for i in range(days)
            if (start + timedelta(days=i)).weekday() < 5 or rng.random() < 0.1
        )
        earnings = Earnings(hourly=HourlyWork(rate, hours))
        annual = float(rate) * 2080
    else:
        annual = rng.lognormvariate(11.3, 0.55)
        earnings = Earnings(salary=_d(annual / periods))
    if rng.random() < 0.03:
        earnings = Earnings(earnings.salary, earnings.hourly, bonus=_d(rng.uniform(500, 20000)))
    elapsed = Decimal(rng.randint(10, 12)) / 24
    ytd_gross = _d(annual) * elapsed
    ytd = YearToDate(
        {
            key: Money(ytd_gross.quantize(Decimal("0.01")))
            for key in ("gross", "social_security_wages", "medicare_wages", "sdi_wages")
        }
        | {"futa_wages": Money(min(ytd_gross, Decimal(7000)).quantize(Decimal("0.01")))}
        | {"ca_ui_wages": Money(min(ytd_gross, Decimal(7000)).quantize(Decimal("0.01")))}
    )
    return PayRequest(
        pay_date=PAY_DATE,
        frequency=frequency,
        work_state=state,
        employee=_employee(rng, annual),
        earnings=earnings,
        ytd=ytd,
        employer=EmployerConfig(match=MATCH if rng.random() < 0.7 else ()),
        employee_id=str(index),
    )


def _employee(rng: random.Random, annual: float) -> Employee:
    status = rng.choice(list(FederalFilingStatus))
    if rng.random() < 0.1:
        w4, old = None, W4Pre2020(rng.choice(list(Pre2020Marital)), rng.randint(0, 4))
    else:
        w4 = W4(
            status,
            rng.random() < 0.1,
            Decimal(rng.choice((0, 0, 2200, 4400, 500))),
            step4c_extra=Decimal(rng.choice((0, 0, 0, 25))),
        )
        old = None
    de4 = DE4(rng.choice(list(CaFilingStatus)), rng.randint(0, 4), rng.choice((0, 0, 0, 1)))
    percent = Decimal(rng.choice((0, 0, 3, 4, 5, 6, 8, 10, 15)))
    roth = Decimal(rng.choice((0, 0, 0, 2, 5)))
    return Employee(
        birth_date=date(rng.randint(1958, 2005), rng.randint(1, 12), 1),
        w4=w4,
        w4_pre2020=old,
        ca_de4=de4,
        retirement=RetirementElection(pretax_percent=percent, roth_percent=roth),
        section125=Decimal(rng.choice((0, 0, 45, 120, 250))),
        hsa=Decimal(rng.choice((0, 0, 0, 50))),
        prior_year_fica_wages=_d(annual),
    )


def request_data(request: PayRequest) -> dict[str, Any]:
    """The request in the calculator's JSON shape, as ``services.requests`` builds it."""
    employee, earnings = request.employee, request.earnings
    ca_ui_rate = request.employer.ca_ui_rate
    data: dict[str, Any] = {
        "pay_date": request.pay_date.isoformat(),
        "frequency": request.frequency.value,
        "work_state": request.work_state,
        "workweek_start": 6,
        "employee_id": request.employee_id,
        "employer": {
            "ca_ui_rate": None if ca_ui_rate is None else str(ca_ui_rate),
            "futa_credit_reduction": str(request.employer.futa_credit_reduction),
            "match": [
                {"up_to_percent": str(t.up_to_percent), "match_percent": str(t.match_percent)}
                for t in request.employer.match
            ],
        },
        "employee": _employee_data(employee),
        "ytd": {key: str(money.amount) for key, money in request.ytd.values.items()},
    }
    if earnings.hourly is None:
        data["earnings"] = {"salary": str(earnings.salary)}
    else:
        hours = {day.isoformat(): str(worked) for day, worked in earnings.hourly.hours}
        data["earnings"] = {"hourly_rate": str(earnings.hourly.hourly_rate), "hours": hours}
    if earnings.bonus:
        data["earnings"]["bonus"] = str(earnings.bonus)
    return data


def _employee_data(employee: Employee) -> dict[str, Any]:
    w4, old, de4 = employee.w4, employee.w4_pre2020, employee.ca_de4
    return {
        "birth_date": employee.birth_date.isoformat() if employee.birth_date else None,
        "w4": None
        if w4 is None
        else {
            "form": 2020,
            "filing_status": w4.filing_status.value,
            "step2_checked": w4.step2_checked,
            "step3_credits": str(w4.step3_credits),
            "step4a_other_income": "0",
            "step4b_deductions": "0",
            "step4c_extra": str(w4.step4c_extra),
        },
        "w4_pre2020": None
        if old is None
        else {"marital_status": old.marital_status.value, "allowances": old.allowances},
        "ca_de4": None
        if de4 is None
        else {
            "filing_status": de4.filing_status.value,
            "regular_allowances": de4.regular_allowances,
            "estimated_deduction_allowances": de4.estimated_deduction_allowances,
        },
        "retirement": {
            "pretax_percent": str(employee.retirement.pretax_percent),
            "roth_percent": str(employee.retirement.roth_percent),
        },
        "section125": str(employee.section125),
        "hsa": str(employee.hsa),
        "prior_year_fica_wages": str(employee.prior_year_fica_wages),
        "exempt": False,
    }


def _rates(repeats: int, count: int, work: Callable[[], object]) -> list[float]:
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        rates.append(count / (time.perf_counter() - started))
    return rates


def _with_state_forms(request: PayRequest, rng: random.Random) -> PayRequest:
    """The request with the work state's certificate and residence (as the demo seed has them)."""
    if request.work_state not in RULE_STATES:
        return request
    data = request_data(request)
    home = request.work_state if rng.random() < 0.96 else rng.choice(RULE_STATES)
    data["employee"].update(state_profile(rng, request.work_state, home))
    return parse_pay_request(data)


def run(employees: int = 100_000, repeats: int = 5, mix: str = "old") -> dict[str, Any]:
    rng = random.Random(2026)
    states = MIXES[mix]
    requests = [make_request(rng, i, states) for i in range(employees)]
    requests = [_with_state_forms(request, rng) for request in requests]
    tables: dict[str, TaxTables] = {s: load_tables(2026, s) for s in set(states)}
    pairs = [(request, tables[request.work_state]) for request in requests]
    payloads = [request_data(request) for request in requests]

    def calculate_all() -> None:
        for request, table in pairs:
            calculate(request, table)

    def calculate_with_stub() -> None:
        for request, table in pairs:
            stub = calculate(request, table)
            stub.lines  # noqa: B018 - the derived lines and YTD are what is timed
            stub.ytd_after  # noqa: B018

    def parse_all() -> None:
        for payload in payloads:
            parse_pay_request(payload)

    rates = _rates(repeats, employees, calculate_all)
    stub_rates = _rates(repeats, employees, calculate_with_stub)
    parse_rates = _rates(repeats, employees, parse_all)
    return {
        "mix": mix,
        "employees": employees,
        "repeats": repeats,
        "paychecks_per_second_median": round(statistics.median(rates)),
        "paychecks_per_second_runs": [round(rate) for rate in rates],
        "with_stub_lines_per_second_median": round(statistics.median(stub_rates)),
        "parse_us_per_employee_median": round(1e6 / statistics.median(parse_rates), 1),
    }


def main() -> None:
    employees = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    mix = sys.argv[2] if len(sys.argv) > 2 else "old"
    if mix not in MIXES:
        sys.exit(f"mix must be one of {', '.join(MIXES)}, got {mix!r}")
    result = run(employees, mix=mix)
    rate = result["paychecks_per_second_median"]
    print(f"calc: {rate:,} paychecks/s (median of {result['repeats']} runs)")
    print(f"calc + stub lines and YTD: {result['with_stub_lines_per_second_median']:,}/s")
    print(f"parse: {result['parse_us_per_employee_median']} us/employee")
    print(result)


if __name__ == "__main__":
    main()
