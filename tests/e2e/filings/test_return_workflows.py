"""Quarterly returns in time-skipping Temporal: reconciled with the deposits before filing."""

from __future__ import annotations

from payrun.filings import statuses
from payrun.filings.events import (
    EmployeeWages,
    EmployerEnrolled,
    FundingDebitSettled,
    QuarterClosed,
    TaxLiabilityRecorded,
)
from tests.e2e.filings.conftest import Filings, steer

EMPLOYER = 5


def _event(
    tax: str, agency: str, pay_date: str, withheld: int, employer: int = 0, **extra: object
) -> TaxLiabilityRecorded:
    return TaxLiabilityRecorded(
        f"run-{pay_date}:{EMPLOYER}:{tax}",
        EMPLOYER,
        agency,
        tax,
        pay_date,
        f"run-{pay_date}",
        2_000_00,
        2_000_00,
        withheld,
        employer,
        2,
        91,
        **extra,  # type: ignore[arg-type]
    )


def _pay_date(day: str) -> list[TaxLiabilityRecorded]:
    employees = (
        EmployeeWages(1, "Ana Diaz", "1111", 1_200_00, 1_200_00, 40_00),
        EmployeeWages(2, "Bo Li", "2222", 800_00, 800_00, 25_00),
    )
    return [
        _event("FIT", "IRS", day, 150_00),
        _event("SOCIAL_SECURITY", "IRS", day, 124_00, 124_00),
        _event("MEDICARE", "IRS", day, 29_00, 29_00),
        _event("CA_PIT", "EDD", day, 65_00, employees=employees),
        _event("CA_SDI", "EDD", day, 26_00),
        _event("CA_UI", "EDD", day, 0, 68_00),
        _event("CA_ETT", "EDD", day, 0, 2_00),
    ]


def _quarter(lookback: int) -> list[object]:
    return [
        EmployerEnrolled(
            f"enrol:{EMPLOYER}", EMPLOYER, "98-7654321", "Gamma", "CA", 2026, lookback
        ),
        *_pay_date("2026-04-24"),
        *_pay_date("2026-05-08"),
        FundingDebitSettled("debit:91", EMPLOYER, 91, 2026, "2026-04-24T00:00:00+00:00"),
        QuarterClosed(f"quarter:{EMPLOYER}:2026Q2", EMPLOYER, 2026, 2),
    ]


async def test_a_semiweekly_941_with_schedule_b_and_a_de_9_with_de_9c_are_filed(
    filings: Filings,
) -> None:
    await filings.send(EMPLOYER, *_quarter(lookback=60_000_00))  # > $50,000: semiweekly
    assert await filings.result(f"{EMPLOYER}-form_941-2026Q2", timeout=60) == "filed"
    assert await filings.result(f"{EMPLOYER}-de_9-2026Q2", timeout=60) == "filed"
    form = statuses.show(filings.store, f"{EMPLOYER}-form_941-2026Q2")
    # per pay date: 150 + 2 x 124 + 2 x 29 = 456.00; two pay dates: 912.00
    assert form["lines"]["3"] == "300.00" and form["lines"]["12"] == "912.00"
    assert form["lines"]["13"] == "912.00" and form["lines"]["14"] == "0.00"
    assert form["schedule_b"] == {"2026-04-24": "456.00", "2026-05-08": "456.00", "total": "912.00"}
    de9 = statuses.show(filings.store, f"{EMPLOYER}-de_9-2026Q2")
    # H = 2 x (68 + 2 + 26 + 65) = 322.00, all deposited (DE 88 PIT+SDI and UI+ETT)
    assert (de9["lines"]["H"], de9["lines"]["I"], de9["lines"]["J"]) == ("322.00", "322.00", "0.00")
    assert de9["de_9c"] == [
        {
            "employee_id": 1,
            "name": "Ana Diaz",
            "ssn_last4": "1111",
            "subject_wages": "2400.00",
            "pit_wages": "2400.00",
            "pit_withheld": "80.00",
        },
        {
            "employee_id": 2,
            "name": "Bo Li",
            "ssn_last4": "2222",
            "subject_wages": "1600.00",
            "pit_wages": "1600.00",
            "pit_withheld": "50.00",
        },
    ]
    assert filings.payroll_status(f"{EMPLOYER}-form_941-2026Q2")["status"] == "filed"  # type: ignore[index]


async def test_a_941_that_does_not_reconcile_is_blocked_until_the_deposit_is_made(
    filings: Filings,
) -> None:
    steer(filings.agencies["IRS"], reject=["federal_deposit-M2026-05"])
    await filings.send(EMPLOYER, *_quarter(lookback=0))  # monthly: April and May deposits
    rejected, form = f"{EMPLOYER}-federal_deposit-M2026-05", f"{EMPLOYER}-form_941-2026Q2"
    await filings.skip_until_status(rejected, "rejected")
    await filings.skip_until_status(form, "blocked")
    blocked = filings.payroll_status(form)
    assert blocked is not None
    assert blocked["reason"] == "return shows 912.00 but 456.00 was deposited (difference 456.00)"
    # the deposit is corrected and made, then the return is retried: it reconciles and is filed
    steer(filings.agencies["IRS"])
    await filings.handle(rejected).signal("retry")
    assert await filings.result(rejected) == "filed"
    await filings.handle(form).signal("retry")
    assert await filings.result(form) == "filed"
    assert statuses.show(filings.store, form)["line_16"] == {
        "month_1": "456.00",
        "month_2": "456.00",
        "month_3": "0.00",
        "total": "912.00",
    }


async def test_the_fourth_quarter_deposits_futa_and_files_form_940(filings: Filings) -> None:
    # 15 employees reach the $7,000 FUTA base in October: $105,000 x 0.6% = $630.00, more
    # than $500, so deposited for the fourth quarter; Form 940 shows it and owes nothing more.
    futa = TaxLiabilityRecorded(
        f"run-q4:{EMPLOYER}:FUTA",
        EMPLOYER,
        "IRS",
        "FUTA",
        "2026-10-09",
        "run-q4",
        150_000_00,
        105_000_00,
        0,
        630_00,
        15,
        92,
    )
    await filings.send(
        EMPLOYER,
        EmployerEnrolled(f"enrol:{EMPLOYER}", EMPLOYER, "98-7654321", "Gamma", "CA", 2026, 0),
        futa,
        QuarterClosed(f"quarter:{EMPLOYER}:2026Q4", EMPLOYER, 2026, 4),
    )
    deposit, annual = f"{EMPLOYER}-futa_deposit-F2026Q4", f"{EMPLOYER}-form_940-2026"
    assert await filings.result(deposit, timeout=60) == "filed"
    assert await filings.result(annual, timeout=60) == "filed"
    form = statuses.show(filings.store, annual)
    assert (form["lines"]["7"], form["lines"]["8"], form["lines"]["13"]) == (
        "105000.00",
        "630.00",
        "630.00",
    )
    # due 31 January 2027, a Sunday -> Monday 1 February 2027
    assert form["due"] == "2027-02-01" and form["lines"]["14"] == "0.00"
