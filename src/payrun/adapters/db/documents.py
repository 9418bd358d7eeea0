"""The queries behind pay stubs and payroll receipts (services.stubs.DocumentReader): the
paychecks and their details as written, names and addresses from the plain columns."""

from __future__ import annotations

from sqlalchemy import select

from payrun.adapters.db.engine import reading
from payrun.adapters.db.models import (
    Employee,
    Employer,
    Paycheck,
    PaycheckDetail,
    Payment,
    PayPeriod,
)
from payrun.services.stubs import (
    Party,
    ReceiptEmployee,
    ReceiptPayment,
    ReceiptView,
    StubView,
    stub_line,
    taxes_by_agency,
)


class SqlDocumentReader:
    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def stub(self, paycheck_id: int) -> StubView | None:
        with reading(self.db_url) as session:
            row = session.execute(
                select(Paycheck, PaycheckDetail, Employee, Employer, PayPeriod)
                .join(PaycheckDetail, PaycheckDetail.paycheck_id == Paycheck.id)
                .join(Employee, Employee.id == Paycheck.employee_id)
                .join(Employer, Employer.id == Paycheck.employer_id)
                .join(PayPeriod, PayPeriod.id == Paycheck.pay_period_id)
                .where(Paycheck.id == paycheck_id)
            ).first()
        if row is None:
            return None
        check, detail, employee, employer, period = row
        return StubView(
            paycheck_id=check.id,
            employer_id=check.employer_id,
            run_id=check.run_id,
            status=check.status,
            pay_date=check.pay_date,
            period_start=period.start_date,
            period_end=period.end_date,
            employer=_employer_party(employer),
            employer_ein=employer.ein,
            employee=Party(
                f"{employee.first_name} {employee.last_name}",
                employee.address_street,
                employee.address_city,
                employee.home_state,
                employee.address_postal_code,
            ),
            employee_number=employee.external_id,
            ssn_last4=employee.ssn_last4,
            account_last4=employee.bank_account_last4,
            pay_type=employee.pay_type,
            lines=tuple(stub_line(line) for line in detail.lines),
            gross_cents=check.gross_cents,
            net_cents=check.net_cents,
            ytd_gross_cents=int(detail.ytd_after.get("gross", 0)),
            ytd_net_cents=int(detail.ytd_after.get("net_pay", 0)),
        )

    def receipt(self, run_id: str, employer_id: int) -> ReceiptView | None:
        with reading(self.db_url) as session:
            employer = session.get(Employer, employer_id)
            checks = session.execute(
                select(Paycheck, PaycheckDetail.lines, Employee)
                .join(PaycheckDetail, PaycheckDetail.paycheck_id == Paycheck.id)
                .join(Employee, Employee.id == Paycheck.employee_id)
                .where(
                    Paycheck.run_id == run_id,
                    Paycheck.employer_id == employer_id,
                    Paycheck.status != "VOIDED",
                )
                .order_by(Employee.last_name, Employee.first_name, Paycheck.id)
            ).all()
            payments = session.scalars(
                select(Payment)
                .where(Payment.run_id == run_id, Payment.employer_id == employer_id)
                .order_by(Payment.sequence)
            ).all()
        if employer is None or not (checks or payments):
            return None
        return ReceiptView(
            run_id=run_id,
            employer=_employer_party(employer),
            employer_ein=employer.ein,
            funding_last4=employer.funding_account_last4,
            pay_date=checks[0][0].pay_date if checks else None,
            payments=tuple(
                ReceiptPayment(
                    p.id,
                    p.status,
                    p.debit_total_cents,
                    p.credit_total_cents,
                    p.entry_count,
                    p.provider_reference,
                )
                for p in payments
            ),
            employees=tuple(
                ReceiptEmployee(
                    check.id,
                    f"{employee.first_name} {employee.last_name}",
                    employee.external_id,
                    employee.bank_account_last4,
                    check.status,
                    check.gross_cents,
                    check.net_cents,
                )
                for check, _, employee in checks
            ),
            taxes=taxes_by_agency((lines for _, lines, _ in checks), employer.state),
        )


def _employer_party(employer: Employer) -> Party:
    return Party(
        employer.name,
        employer.address_street,
        employer.address_city,
        employer.state,
        employer.address_postal_code,
    )
