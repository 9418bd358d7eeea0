"""A small, hand-written payroll on file for the pay stub and receipt tests (no engine run).

Employee 1, hourly in CA, rate 25.00: 80 regular hours = 2,000.00, 4 overtime hours at
37.50 = 150.00; gross 2,150.00, YTD before 10,000.00 -> YTD 12,150.00.
Taxes: FIT 180.00, SS 2,150.00 x 6.2% = 133.30, Medicare 2,150.00 x 1.45% = 31.175 -> 31.18,
CA PIT 60.00, CA SDI 28.00; 401(k) 100.00.
Net = 2,150.00 - 180.00 - 133.30 - 31.18 - 60.00 - 28.00 - 100.00 = 1,617.52 (YTD 9,000.00 +
1,617.52 = 10,617.52).
Employee 2, salaried: gross 3,000.00, FIT 300.00, SS 186.00, Medicare 43.50, CA PIT 90.00,
SDI 39.00; net 3,000.00 - 658.50 = 2,341.50.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import (
    Employee,
    Employer,
    Paycheck,
    PaycheckDetail,
    Payment,
    PayPeriod,
    PaySchedule,
)

RUN = "payrun-biweekly-2026-01-04-regular"
NOW = datetime(2026, 1, 16, 12, tzinfo=UTC)


def _line(kind: str, code: str, text: str, cents: int, ytd: int, **extra: str) -> dict:
    return {
        "kind": kind,
        "code": code,
        "description": text,
        "cents": cents,
        "ytd_cents": ytd,
    } | extra


HOURLY_LINES = [
    _line("earning", "REG", "Regular hours", 200000, 1200000, hours="80.00", rate="25.00"),
    _line("earning", "OT", "Overtime 1.5x", 15000, 15000, hours="4.00", rate="37.500"),
    _line("employee_tax", "FIT", "Federal income tax", 18000, 102000),
    _line("employee_tax", "SS", "Social Security 6.2%", 13330, 75330),
    _line("employee_tax", "MED", "Medicare 1.45%", 3118, 17618),
    _line("employee_tax", "ST_PIT", "State income tax", 6000, 36000),
    _line("employee_tax", "ST_SDI", "State disability insurance", 2800, 14800),
    _line("deduction", "401K", "401(k) traditional (pre-tax)", 10000, 60000),
    _line("employer_tax", "ER_SS", "Social Security 6.2% (employer)", 13330, 75330),
    _line("employer_tax", "ER_MED", "Medicare 1.45% (employer)", 3118, 17618),
    _line("employer_tax", "FUTA", "FUTA", 1290, 4200),
    _line("employer_tax", "SUI", "State unemployment insurance", 7310, 24000),
    _line("employer_contribution", "MATCH401K", "401(k) employer match", 5000, 30000),
]
SALARY_LINES = [
    _line("earning", "SALARY", "Salary", 300000, 300000),
    _line("employee_tax", "FIT", "Federal income tax", 30000, 30000),
    _line("employee_tax", "SS", "Social Security 6.2%", 18600, 18600),
    _line("employee_tax", "MED", "Medicare 1.45%", 4350, 4350),
    _line("employee_tax", "ST_PIT", "State income tax", 9000, 9000),
    _line("employee_tax", "ST_SDI", "State disability insurance", 3900, 3900),
    _line("employer_tax", "ER_SS", "Social Security 6.2% (employer)", 18600, 18600),
    _line("employer_tax", "ER_MED", "Medicare 1.45% (employer)", 4350, 4350),
    _line("employer_tax", "FUTA", "FUTA", 1800, 1800),
]


def write_payroll(db_url: str) -> dict[str, int]:
    """Two paychecks of one employer in RUN, paid by one payment; returns their ids."""
    migrate(db_url)
    with transaction(db_url) as s:
        schedule = PaySchedule(name="biweekly", frequency="biweekly", anchor_date=date(2026, 1, 4))
        s.add(schedule)
        s.flush()
        period = PayPeriod(
            schedule_id=schedule.id,
            start_date=date(2026, 1, 4),
            end_date=date(2026, 1, 17),
            pay_date=date(2026, 1, 22),
        )
        employer = Employer(
            ein="12-3456789", name="Golden Gate Bakery LLC", state="CA", schedule_id=schedule.id,
            funding_routing="121000358", funding_account_enc=b"-", funding_account_last4="5555",
            ach_company_id="1123456789", odfi_routing="121000358",
            address_street="100 Market Street", address_city="San Francisco",
            address_postal_code="94105",
        )  # fmt: skip
        s.add_all([period, employer])
        s.flush()
        hourly = _employee(employer.id, "E000001", "Ana", "Lopez", "4321", "6789", "hourly")
        hourly.address_street, hourly.address_city = "12 Elm Street", "Oakland"
        hourly.address_postal_code = "94607"
        salaried = _employee(employer.id, "E000002", "Ben", "Okafor", "8765", "2468", "salary")
        s.add_all([hourly, salaried])
        s.flush()
        payment = Payment(
            idempotency_key=f"{RUN}-{employer.id}-1", run_id=RUN, employer_id=employer.id,
            provider="file", provider_reference="FD-0001", status="PAID", entry_count=2,
            credit_total_cents=161752 + 234150, debit_total_cents=161752 + 234150,
            created_at=NOW,
        )  # fmt: skip
        s.add(payment)
        s.flush()
        ids = {"employer": employer.id, "payment": payment.id}
        for name, employee, lines, gross, net, after in (
            ("hourly", hourly, HOURLY_LINES, 215000, 161752, (1215000, 1061752)),
            ("salaried", salaried, SALARY_LINES, 300000, 234150, (300000, 234150)),
        ):
            check = Paycheck(
                idempotency_key=f"regular-{period.id}-{employee.id}", payment_id=payment.id,
                run_id=RUN, employer_id=employer.id, employee_id=employee.id,
                pay_period_id=period.id, kind="regular", pay_date=period.pay_date, status="PAID",
                gross_cents=gross, employee_taxes_cents=0, employer_taxes_cents=0,
                deductions_cents=0, net_cents=net, created_at=NOW,
            )  # fmt: skip
            s.add(check)
            s.flush()
            ytd = {"gross": after[0], "net_pay": after[1]}
            s.add(PaycheckDetail(paycheck_id=check.id, lines=lines, ytd_after=ytd, ytd_delta={}))
            ids[name] = check.id
    return ids


def _employee(
    employer_id: int, number: str, first: str, last: str, ssn4: str, acct4: str, pay_type: str
) -> Employee:
    return Employee(
        employer_id=employer_id, external_id=number, first_name=first, last_name=last,
        ssn_enc=b"-", ssn_last4=ssn4, hire_date=date(2024, 3, 1), home_state="CA",
        work_state="CA", pay_type=pay_type, rate_cents=2500, bank_routing="121000358",
        bank_account_enc=b"-", bank_account_last4=acct4,
    )  # fmt: skip
