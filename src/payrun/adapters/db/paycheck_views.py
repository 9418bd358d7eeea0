"""Paychecks to show, on SQLAlchemy: the repository behind payrun.services.paycheck_views."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from payrun.adapters.db.models import Paycheck, PaycheckDetail, PayPeriod
from payrun.services.records import PaycheckQuery, PaycheckView

_Row = tuple[Paycheck, PaycheckDetail | None, PayPeriod | None]


class SqlPaycheckRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, paycheck_id: int) -> PaycheckView | None:
        found = self.session.execute(_with_details().where(Paycheck.id == paycheck_id)).first()
        return None if found is None else _view(*found)

    def page(self, query: PaycheckQuery) -> list[PaycheckView]:
        statement = (
            _with_details()
            .where(Paycheck.id > query.after_id)
            .order_by(Paycheck.id)
            .limit(query.limit)
        )
        if query.run_id is not None:
            statement = statement.where(Paycheck.run_id == query.run_id)
        if query.employee_id is not None:
            statement = statement.where(Paycheck.employee_id == query.employee_id)
        if query.employer_id is not None:
            statement = statement.where(Paycheck.employer_id == query.employer_id)
        if query.only_employers is not None:
            statement = statement.where(Paycheck.employer_id.in_(query.only_employers))
        return [_view(*row) for row in self.session.execute(statement).all()]

    def employer_of(self, paycheck_id: int) -> int | None:
        found = self.session.scalar(select(Paycheck.employer_id).where(Paycheck.id == paycheck_id))
        return None if found is None else int(found)


def _with_details() -> Select[_Row]:
    return (
        select(Paycheck, PaycheckDetail, PayPeriod)
        .outerjoin(PaycheckDetail, PaycheckDetail.paycheck_id == Paycheck.id)
        .outerjoin(PayPeriod, PayPeriod.id == Paycheck.pay_period_id)
    )


def _view(check: Paycheck, detail: PaycheckDetail | None, period: PayPeriod | None) -> PaycheckView:
    return PaycheckView(
        id=check.id,
        run_id=check.run_id,
        employer_id=check.employer_id,
        employee_id=check.employee_id,
        pay_period_id=check.pay_period_id,
        period_start=period.start_date if period else None,
        period_end=period.end_date if period else None,
        pay_date=check.pay_date,
        kind=check.kind,
        status=check.status,
        lines=list(detail.lines) if detail else [],
        ytd_after=dict(detail.ytd_after) if detail else {},
        ytd_delta=dict(detail.ytd_delta) if detail else {},
    )
