"""Demo data: pay schedules, employers, employees and time entries, the same for the same seed.

Every employer (and its employees) is generated from its own random stream, derived from the
seed and the employer's position, so a larger seed into a database that already holds the
first N employers adds employers N+1.. exactly as a fresh seed would have made them. Rows go
in with SQLAlchemy Core bulk inserts in one transaction: a seed lands whole or not at all.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import structlog
from faker import Faker
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from payrun.adapters.db.engine import is_migrated, transaction
from payrun.adapters.db.models import Employee, Employer, PayPeriod, PaySchedule, TimeEntry
from payrun.domain.errors import InvalidInput
from payrun.services.demo_calendar import SCHEDULE_WEIGHTS, SeededSchedule, ensure_calendar
from payrun.services.demo_people import (
    ROUTING_NUMBERS,
    bank,
    benefits,
    de4,
    digits,
    dollars,
    hire_date,
    home_address,
    last_years_wages,
    pay_terms,
    planned_hours,
    ssn,
    w4,
)
from payrun.services.employees import validate_employee_row
from payrun.services.ports import Encrypter
from payrun.services.schema.employer import parse_employer_settings
from payrun.services.seed_states import state_profile

log = structlog.get_logger(__name__)

Row = dict[str, Any]
BATCH_ROWS = 5_000
MAX_EMPLOYEES = 10_000_000
NAME_POOL_SIZE = 2_000
# California first with the same weight, so a draw under 0.40 is still a California employer.
STATES = ("CA", "TX", "FL", "WA", "NV", "NY", "IL", "PA", "NJ", "GA", "NC", "MI", "OH", "MA", "VA")
STATE_WEIGHTS = (40, 8, 6, 8, 4, 6, 4, 4, 4, 3, 3, 3, 3, 2, 2)
ODFI_ROUTING_NUMBERS = ("021000021", "121000248", "026009593")
# IRS campus prefixes that are actually assigned (others, e.g. 00, 07-09, 17-19, are not).
EIN_PREFIXES = tuple(
    p for r in ((1, 6), (10, 16), (20, 27), (30, 48), (50, 68), (71, 77), (80, 88), (90, 95),
                (98, 99)) for p in range(r[0], r[1] + 1)
)  # fmt: skip
TWO_TIER_MATCH = [
    {"up_to_percent": "3", "match_percent": "100"},
    {"up_to_percent": "5", "match_percent": "50"},
]
MATCH_FORMULAS = (
    TWO_TIER_MATCH,
    [{"up_to_percent": "6", "match_percent": "50"}],
    [{"up_to_percent": "4", "match_percent": "100"}],
    [],
)
MATCH_WEIGHTS = (45, 20, 10, 25)
# Tuples, not sets: the order of choices must not depend on hash randomisation.


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """What one seed call added (zeros and created=False when there was nothing to add)."""

    employers: int
    employees: int
    time_entries: int
    schedules: int
    periods: int
    created: bool


def seed_demo(
    url: str, *, employers: int, employees: int, seed: int, year: int = 2026, vault: Encrypter
) -> SeedSummary:
    """Seed `employers` employers of `employees` employees each (see the module docstring)."""
    _check_request(employers, employees, seed, year)
    if not is_migrated(url):
        raise InvalidInput("database_url", "has no payrun schema yet: run the migrations first")
    started = time.perf_counter()
    with transaction(url) as session:
        schedules, schedules_added, periods_added = ensure_calendar(session, year)
        existing = session.scalar(select(func.count()).select_from(Employer.__table__)) or 0
        writer = _BulkWriter(session)
        if existing < employers:
            context = _context(session, seed, year, schedules, vault)
            for index in range(existing, employers):
                _seed_employer(writer, context, index, employees)
        writer.close()
    added = max(0, employers - existing)
    summary = SeedSummary(
        added, writer.employees, writer.time_entries, schedules_added, periods_added, added > 0
    )
    log.info("seed.done", seconds=round(time.perf_counter() - started, 1), **_counts(summary))
    return summary


def one_schedule(url: str, name: str = "biweekly") -> int:
    """Put every employer on one pay schedule (so one run covers everyone, as benchmarks and
    tests want) and return the id of that schedule's first period."""
    with transaction(url) as session:
        schedule = session.scalar(select(PaySchedule.id).where(PaySchedule.name == name))
        if schedule is None:
            raise InvalidInput("schedule", f"no pay schedule named {name!r}; seed first")
        session.execute(update(Employer).values(schedule_id=schedule))
        period = session.scalars(
            select(PayPeriod.id)
            .where(PayPeriod.schedule_id == schedule)
            .order_by(PayPeriod.start_date)
        ).first()
    if period is None:
        raise InvalidInput("schedule", f"pay schedule {name!r} has no periods")
    return int(period)


def _counts(summary: SeedSummary) -> dict[str, object]:
    return {name: getattr(summary, name) for name in SeedSummary.__slots__}


def _check_request(employers: object, employees: object, seed: object, year: object) -> None:
    """Refuse a request that can never seed correctly, before anything is written."""
    employer_count = _whole_number("--employers", employers, 1)
    per_employer = _whole_number("--employees", employees, 0)
    limit = f"at most {MAX_EMPLOYEES:,} employees in all"
    if employer_count > MAX_EMPLOYEES:
        raise InvalidInput("--employers", limit)
    if employer_count * per_employer > MAX_EMPLOYEES:
        raise InvalidInput("--employees", limit)
    _whole_number("--seed", seed, None)
    if not 2000 <= _whole_number("--year", year, None) <= 2100:
        raise InvalidInput("--year", f"must be a year from 2000 to 2100, not {year!r}")


def _whole_number(field: str, value: object, minimum: int | None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(field, f"must be a whole number, not {value!r}")
    if minimum is not None and value < minimum:
        raise InvalidInput(field, f"must be at least {minimum}")
    return value


# --- writing -----------------------------------------------------------------------------


class _BulkWriter:
    """Buffers employees (with their planned hours) and time entries; inserts in batches."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.employees = 0
        self.time_entries = 0
        self._employees: list[Row] = []
        self._hours: list[list[tuple[date, int]]] = []
        self._entries: list[Row] = []

    def add_employer(self, row: Row) -> int:
        table = Employer.__table__
        return int(
            self.session.execute(insert(table).values(row).returning(table.c.id)).scalar_one()
        )

    def add_employee(self, row: Row, hours: list[tuple[date, int]]) -> None:
        self._employees.append(row)
        self._hours.append(hours)
        if len(self._employees) >= BATCH_ROWS:
            self._write_employees()

    def close(self) -> None:
        self._write_employees()
        self._write_entries()

    def _write_employees(self) -> None:
        if not self._employees:
            return
        table = Employee.__table__
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = self.session.execute(statement, self._employees).scalars().all()
        for employee_id, hours in zip(ids, self._hours, strict=True):
            self._entries.extend(
                {"employee_id": employee_id, "work_date": day, "hours_hundredths": hundredths}
                for day, hundredths in hours
            )
        self.employees += len(ids)
        self._employees, self._hours = [], []
        if len(self._entries) >= BATCH_ROWS:
            self._write_entries()

    def _write_entries(self) -> None:
        for start in range(0, len(self._entries), BATCH_ROWS):
            self.session.execute(
                insert(TimeEntry.__table__), self._entries[start : start + BATCH_ROWS]
            )
        self.time_entries += len(self._entries)
        self._entries = []


# --- generating --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    seed: int
    year: int
    schedules: dict[str, SeededSchedule]
    vault: Encrypter
    faker: Faker
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    used_eins: set[str]


def _context(
    session: Session, seed: int, year: int, schedules: dict[str, SeededSchedule], vault: Encrypter
) -> _Context:
    faker = Faker("en_US")
    faker.seed_instance(seed)
    # Names come from Faker, drawn once per seed into pools (with Faker's frequency weights),
    # then picked with the employer's stream: a pick instead of a Faker call per name.
    first_names = tuple(faker.first_name() for _ in range(NAME_POOL_SIZE))
    last_names = tuple(faker.last_name() for _ in range(NAME_POOL_SIZE))
    used = set(session.scalars(select(Employer.__table__.c.ein)))
    return _Context(seed, year, schedules, vault, faker, first_names, last_names, used)


def _seed_employer(writer: _BulkWriter, context: _Context, index: int, employees: int) -> None:
    rng = random.Random(f"payrun-demo/{context.seed}/{index}")
    context.faker.seed_instance(rng.getrandbits(64))
    employer = _employer_row(rng, context)
    parse_employer_settings(employer["pay_settings"])
    schedule = context.schedules[employer.pop("schedule_name")]
    employer_id = writer.add_employer(employer)
    for number in range(1, employees + 1):
        values = _employee_values(rng, context, employer["state"], schedule, number)
        validate_employee_row(values)
        hours = (
            planned_hours(rng, schedule.workdays, schedule.saturdays)
            if values["pay_type"] == "hourly"
            else []
        )
        row = _stored(values, employer_id, context.vault) | home_address(employer, number)
        writer.add_employee(row, hours)


def _employer_row(rng: random.Random, context: _Context) -> Row:
    ein = _unique_ein(rng, context.used_eins)
    account = digits(rng, rng.randint(8, 12))
    schedule_name = rng.choices(tuple(SCHEDULE_WEIGHTS), SCHEDULE_WEIGHTS.values())[0]
    row: Row = {
        "ein": ein,
        "name": context.faker.company(),
        "state": rng.choices(STATES, STATE_WEIGHTS)[0],
        "schedule_id": context.schedules[schedule_name].id,
        "schedule_name": schedule_name,
        "funding_routing": rng.choice(ROUTING_NUMBERS),
        "funding_account_enc": context.vault.encrypt(account),
        "funding_account_last4": account[-4:],
        "ach_company_id": "1" + ein.replace("-", ""),
        "odfi_routing": rng.choice(ODFI_ROUTING_NUMBERS),
        "validation_policy": "hold" if rng.random() < 0.8 else "partial",
        "pay_settings": {
            "ca_ui_rate": "0.034" if rng.random() < 0.7 else f"0.{rng.randint(15, 62):03d}",
            "futa_credit_reduction": "0",
            "match": rng.choices(MATCH_FORMULAS, MATCH_WEIGHTS)[0],
        },
        "webhook_url": None,
        "notify_email": f"payroll-{ein.replace('-', '')}@example.com",
        "active": True,
        # Faker's own stream (seeded above): the employer's draws from rng stay as they were.
        "address_street": context.faker.street_address(),
        "address_city": context.faker.city(),
    }
    row["address_postal_code"] = context.faker.zipcode_in_state(row["state"])
    row["state_registrations"] = _registrations(context.seed, ein, row["state"])
    return row


def _registrations(seed: int, ein: str, state: str) -> dict[str, str]:
    """A California employer's EDD account number (8 digits, from its own stream so the
    employer's other draws stay as they were); the demo registers no other state."""
    if state != "CA":
        return {}
    return {"CA": digits(random.Random(f"payrun-demo/{seed}/edd/{ein}"), 8)}


def _unique_ein(rng: random.Random, used: set[str]) -> str:
    while True:
        ein = f"{rng.choice(EIN_PREFIXES):02d}-{rng.randrange(10_000_000):07d}"
        if ein not in used:
            used.add(ein)
            return ein


def _employee_values(
    rng: random.Random, context: _Context, state: str, schedule: SeededSchedule, number: int
) -> Row:
    """One employee's input values, secrets in clear (`ssn`, `bank_account`)."""
    year_start = date(context.year, 1, 1)
    birth = year_start - timedelta(days=rng.randint(19 * 365 + 5, 70 * 365 + 17))
    latest_hire = schedule.first_period.start if schedule.first_period else year_start
    hire = hire_date(rng, birth, latest_hire - timedelta(days=1), context.year)
    home = state if rng.random() < 0.96 else rng.choice([s for s in STATES if s != state])
    pay = pay_terms(rng)
    person: Row = {  # drawn in this order: the same seed makes the same people
        "external_id": f"E{number:06d}",
        "first_name": rng.choice(context.first_names),
        "last_name": rng.choice(context.last_names),
        "ssn": ssn(rng),
    }
    prior_year_wages = dollars(last_years_wages(rng, pay, hire, context.year))
    profile: Row = {
        "birth_date": birth.isoformat(),
        **w4(rng),
        **de4(rng, "CA" in (home, state)),
        **benefits(rng),
        "prior_year_fica_wages": prior_year_wages,
        **state_profile(random.Random(f"{context.seed}/{person['ssn']}/{state}"), state, home),
    }
    return {
        **person,
        "hire_date": hire,
        "home_state": home,
        "work_state": state,
        **pay,
        "profile": profile,
        **bank(rng),
        "active": True,
    }


def _stored(values: Row, employer_id: int, vault: Encrypter) -> Row:
    """The `employees` row: secrets encrypted, only their last four digits in clear."""
    row = dict(values, employer_id=employer_id)
    ssn, account = row.pop("ssn"), row.pop("bank_account")
    row["ssn_enc"], row["ssn_last4"] = vault.encrypt(ssn), ssn[-4:]
    row["bank_account_enc"], row["bank_account_last4"] = vault.encrypt(account), account[-4:]
    return row
