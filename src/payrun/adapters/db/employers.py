"""Employers and their pay calendars on SQLAlchemy: the repositories behind the employer
handlers (payrun.services.employers)."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from payrun.adapters.db.models import Employer, PayPeriod, PaySchedule
from payrun.services.records import EmployerChanges, EmployerView, NewEmployer, NewSchedule


class SqlEmployerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def exists(self, employer_id: int) -> bool:
        return self.session.get(Employer, employer_id) is not None

    def ein_taken(self, ein: str) -> bool:
        return self.session.scalar(select(Employer.id).where(Employer.ein == ein)) is not None

    def add(self, employer: NewEmployer) -> int:
        values = dataclasses.asdict(employer)
        row = Employer(state=values.pop("work_state"), active=True, **values)
        self.session.add(row)
        self.session.flush()
        return row.id

    def view(self, employer_id: int) -> EmployerView | None:
        found = self.session.execute(_with_schedule().where(Employer.id == employer_id)).first()
        return None if found is None else _view(*found)

    def change(self, employer_id: int, changes: EmployerChanges) -> None:
        row = self.session.get_one(Employer, employer_id)
        for name, value in dataclasses.asdict(changes).items():
            if value is not None:
                setattr(row, name, value)
        self.session.flush()

    def page(self, after_id: int, limit: int, only: frozenset[int] | None) -> list[EmployerView]:
        query = _with_schedule().where(Employer.id > after_id).order_by(Employer.id).limit(limit)
        if only is not None:
            query = query.where(Employer.id.in_(only))
        return [_view(e, s) for e, s in self.session.execute(query).all()]


class SqlScheduleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, frequency: str, first_period_start: date) -> int | None:
        return self.session.scalar(
            select(PaySchedule.id).where(
                PaySchedule.frequency == frequency, PaySchedule.anchor_date == first_period_start
            )
        )

    def add(self, schedule: NewSchedule) -> int:
        row = PaySchedule(
            name=schedule.name,
            frequency=schedule.frequency,
            anchor_date=schedule.first_period_start,
            pay_delay_days=schedule.pay_delay_days,
            workweek_start=6,
            paused=False,
        )
        self.session.add(row)
        self.session.flush()
        self.session.add_all(
            PayPeriod(schedule_id=row.id, start_date=p.start, end_date=p.end, pay_date=p.pay_date)
            for p in schedule.periods
        )
        return row.id


def _with_schedule() -> Select[tuple[Employer, PaySchedule]]:
    return select(Employer, PaySchedule).join(PaySchedule, PaySchedule.id == Employer.schedule_id)


def _view(employer: Employer, schedule: PaySchedule) -> EmployerView:
    return EmployerView(
        id=employer.id,
        name=employer.name,
        ein=employer.ein,
        work_state=employer.state,
        schedule=schedule.name,
        frequency=schedule.frequency,
        first_period_start=schedule.anchor_date,
        funding_routing=employer.funding_routing,
        funding_account_last4=employer.funding_account_last4,
        validation_policy=employer.validation_policy,
        webhook_url=employer.webhook_url,
        notify_email=employer.notify_email,
        pay_settings=dict(employer.pay_settings or {}),
        active=employer.active,
        funding_account_type=employer.funding_account_type,
        address_street=employer.address_street,
        address_city=employer.address_city,
        address_postal_code=employer.address_postal_code,
        prefunded=employer.prefunded,
        exposure_limit_cents=employer.exposure_limit_cents,
        state_registrations=dict(employer.state_registrations or {}),
    )
