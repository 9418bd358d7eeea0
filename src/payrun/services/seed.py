"""Demo data: pay schedules, employers, employees and time entries, the same for the same seed.

Every employer (and its employees) is generated from its own random stream, derived from the
seed and the employer's position, so a larger seed into a database that already holds the
first N employers adds employers N+1.. exactly as a fresh seed would have made them. Rows go
in with SQLAlchemy Core bulk inserts in one transaction: a seed lands whole or not at all.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import structlog
from faker import Faker
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from payrun.adapters.db.engine import is_migrated, transaction
from payrun.adapters.db.models import Employee, Employer, PayPeriod, PaySchedule, TimeEntry
from payrun.domain.calendar import PeriodDates, is_business_day, periods_for_year
from payrun.domain.errors import InvalidInput
from payrun.services.employees import validate_employee_row
from payrun.services.schema.employer import parse_employer_settings

if TYPE_CHECKING:
    from payrun.adapters.crypto import Vault

log = structlog.get_logger(__name__)

Row = dict[str, Any]
BATCH_ROWS = 5_000
MAX_EMPLOYEES = 10_000_000
NAME_POOL_SIZE = 2_000
STATES = ("CA", "TX", "FL", "WA", "NV")
STATE_WEIGHTS = (40, 15, 15, 15, 15)
SCHEDULE_WEIGHTS = {"weekly": 10, "biweekly": 70, "semimonthly": 10, "monthly": 10}
# Published routing numbers of large US banks and Federal Reserve Banks; every one passes the
# 3-7-1 check digit (tests/integration/test_seed.py checks them all).
ROUTING_NUMBERS = (
    "021000021", "011000015", "026009593", "121000358", "122000247", "111000025", "121000248",
    "322271627", "071000013", "063100277", "111000614", "125000024", "051000017", "091000019",
    "031176110", "256074974", "122105278", "044000037", "113000023", "061000104",
)  # fmt: skip
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
W4_STATUSES = ("single", "married_filing_jointly", "head_of_household")
DE4_STATUSES = ("single", "married", "head_of_household")
SHORT_DAYS = (700, 750, 775, 825, 850)  # hundredths of an hour, quarter hours
LONG_DAYS = (800, 900, 950, 1_000, 1_050, 1_100)


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """What one seed call added (zeros and created=False when there was nothing to add)."""

    employers: int
    employees: int
    time_entries: int
    schedules: int
    periods: int
    created: bool


@dataclass(frozen=True, slots=True)
class _Schedule:
    id: int
    first_period: PeriodDates | None  # the first period paid in the seeded year
    workdays: tuple[date, ...]  # business days of that period
    saturdays: tuple[date, ...]


def seed_demo(
    url: str, *, employers: int, employees: int, seed: int, year: int = 2026, vault: Vault
) -> SeedSummary:
    """Seed `employers` employers of `employees` employees each (see the module docstring)."""
    _check_request(employers, employees, seed, year)
    if not is_migrated(url):
        raise InvalidInput("database_url", "has no payrun schema yet: run the migrations first")
    started = time.perf_counter()
    with transaction(url) as session:
        schedules, schedules_added, periods_added = _ensure_calendar(session, year)
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


# --- the calendar ------------------------------------------------------------------------


def _anchor(name: str, year: int) -> date:
    """Weekly/biweekly: the Sunday on or before Dec 28 of the year before (2025-12-28 for 2026);
    semimonthly/monthly: Dec 1 of the year before, so December's work paid in January counts."""
    if name in ("weekly", "biweekly"):
        dec_28 = date(year - 1, 12, 28)
        return dec_28 - timedelta(days=(dec_28.weekday() + 1) % 7)
    return date(year - 1, 12, 1)


def _schedule_row(name: str, year: int) -> Row:
    delay = 6 if name in ("weekly", "biweekly") else 5
    return {
        "name": name,
        "frequency": name,
        "anchor_date": _anchor(name, year),
        "pay_delay_days": delay,
        "workweek_start": 6,
        "paused": False,
    }


def _ensure_calendar(session: Session, year: int) -> tuple[dict[str, _Schedule], int, int]:
    """The four schedules and their periods for `year`, adding whichever are missing."""
    table = PaySchedule.__table__
    existing = {row.name for row in session.execute(select(table.c.name))}
    missing = [_schedule_row(name, year) for name in SCHEDULE_WEIGHTS if name not in existing]
    if missing:
        session.execute(insert(table), missing)
    schedules, periods_added = {}, 0
    for row in session.execute(select(table).where(table.c.name.in_(SCHEDULE_WEIGHTS))):
        periods = periods_for_year(row.frequency, row.anchor_date, year, row.pay_delay_days)
        periods_added += _ensure_periods(session, row.id, periods)
        schedules[row.name] = _schedule(row.id, periods[0] if periods else None)
    return schedules, len(missing), periods_added


def _ensure_periods(session: Session, schedule_id: int, periods: list[PeriodDates]) -> int:
    table = PayPeriod.__table__
    query = select(table.c.start_date).where(table.c.schedule_id == schedule_id)
    known = set(session.scalars(query))
    rows = [
        {
            "schedule_id": schedule_id,
            "start_date": p.start,
            "end_date": p.end,
            "pay_date": p.pay_date,
        }
        for p in periods
        if p.start not in known
    ]
    if rows:
        session.execute(insert(table), rows)
    return len(rows)


def _schedule(schedule_id: int, first: PeriodDates | None) -> _Schedule:
    days = list(_days(first.start, first.end)) if first else []
    workdays = tuple(d for d in days if is_business_day(d))
    saturdays = tuple(d for d in days if d.weekday() == 5)
    return _Schedule(schedule_id, first, workdays, saturdays)


def _days(start: date, end: date) -> Iterator[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


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
    schedules: dict[str, _Schedule]
    vault: Vault
    faker: Faker
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    used_eins: set[str]


def _context(
    session: Session, seed: int, year: int, schedules: dict[str, _Schedule], vault: Vault
) -> _Context:
    faker = Faker("en_US")
    faker.seed_instance(seed)
    # Names come from Faker, drawn once per seed into pools (with Faker's frequency weights),
    # then picked with the employer's stream: ~1 µs a name instead of ~40 µs.
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
        hours = _planned_hours(rng, schedule) if values["pay_type"] == "hourly" else []
        writer.add_employee(_stored(values, employer_id, context.vault), hours)


def _employer_row(rng: random.Random, context: _Context) -> Row:
    ein = _unique_ein(rng, context.used_eins)
    account = _digits(rng, rng.randint(8, 12))
    schedule_name = rng.choices(tuple(SCHEDULE_WEIGHTS), SCHEDULE_WEIGHTS.values())[0]
    return {
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
    }


def _unique_ein(rng: random.Random, used: set[str]) -> str:
    while True:
        ein = f"{rng.choice(EIN_PREFIXES):02d}-{rng.randrange(10_000_000):07d}"
        if ein not in used:
            used.add(ein)
            return ein


def _digits(rng: random.Random, count: int) -> str:
    return str(rng.randrange(10 ** (count - 1), 10**count))


def _employee_values(
    rng: random.Random, context: _Context, state: str, schedule: _Schedule, number: int
) -> Row:
    """One employee's input values, secrets in clear (`ssn`, `bank_account`)."""
    year_start = date(context.year, 1, 1)
    birth = year_start - timedelta(days=rng.randint(19 * 365 + 5, 70 * 365 + 17))
    latest_hire = schedule.first_period.start if schedule.first_period else year_start
    hire = _hire_date(rng, birth, latest_hire - timedelta(days=1), context.year)
    home = state if rng.random() < 0.96 else rng.choice([s for s in STATES if s != state])
    pay = _pay(rng)
    person: Row = {  # drawn in this order: the same seed makes the same people
        "external_id": f"E{number:06d}",
        "first_name": rng.choice(context.first_names),
        "last_name": rng.choice(context.last_names),
        "ssn": _ssn(rng),
    }
    prior_year_wages = _dollars(_prior_year_wages(rng, pay, hire, context.year))
    profile: Row = {
        "birth_date": birth.isoformat(),
        **_w4(rng),
        **_de4(rng, "CA" in (home, state)),
        **_benefits(rng),
        "prior_year_fica_wages": prior_year_wages,
    }
    return {
        **person,
        "hire_date": hire,
        "home_state": home,
        "work_state": state,
        **pay,
        "profile": profile,
        **_bank(rng),
        "active": True,
    }


def _dollars(cents: int) -> str:
    return str(Decimal(cents) / 100)


def _hire_date(rng: random.Random, birth: date, latest: date, year: int) -> date:
    earliest = max(date(birth.year + 19, 1, 1), date(year - 20, 1, 1))
    return earliest + timedelta(days=rng.randrange(max(1, (latest - earliest).days)))


def _ssn(rng: random.Random) -> str:
    """Area 001-899 except 666, group 01-99, serial 0001-9999: never a number the SSA skips."""
    area = rng.randint(1, 898)
    area += area >= 666
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def _pay(rng: random.Random) -> Row:
    if rng.random() < 0.6:
        roll = rng.random()
        low, high = (32_000, 140_000) if roll < 0.85 else (140_000, 200_000)
        if roll >= 0.95:
            low, high = 200_000, 320_000  # Additional Medicare and the SS wage base
        return {"pay_type": "salary", "rate_cents": rng.randrange(low, high + 1, 100) * 100}
    return {"pay_type": "hourly", "rate_cents": rng.randrange(1_600, 8_501, 25)}


def _prior_year_wages(rng: random.Random, pay: Row, hire: date, year: int) -> int:
    """Last year's FICA wages from this employer: a year's pay (prorated from hire) +/- raises."""
    annual = pay["rate_cents"] * (2_080 if pay["pay_type"] == "hourly" else 1)
    days = min(365, max(0, (date(year, 1, 1) - hire).days))
    return annual * days // 365 * rng.randint(88, 104) // 100


def _w4(rng: random.Random) -> Row:
    """A 2020+ Form W-4 (3% claim exemption) or, for one in eight, a 2019-or-earlier one."""
    roll = rng.random()
    filing_status = rng.choices(W4_STATUSES, (45, 40, 15))[0]
    if roll < 0.03:
        return {"w4": {"filing_status": filing_status, "exempt": True}}
    if roll < 0.15:
        return {
            "w4_pre2020": {
                "marital_status": rng.choice(("single", "married")),
                "allowances": rng.randint(0, 5),
            }
        }
    return {"w4": {"filing_status": filing_status, **_w4_2020_steps(rng)}}


def _w4_2020_steps(rng: random.Random) -> Row:
    """Steps 2-4 of a 2020+ W-4; Step 3 is $2,200 per child under 17 + $500 per other."""

    def sometimes(percent: int, low: int, high: int, step: int) -> str:
        dollars = rng.randrange(low, high + 1, step) if rng.randrange(100) < percent else 0
        return str(dollars)

    credits = rng.randint(0, 3) * 2_200 + rng.randint(0, 2) * 500
    return {
        "step2_checked": rng.random() < 0.1,
        "step3_credits": str(credits if rng.random() < 0.25 else 0),
        "step4a_other_income": sometimes(8, 1_000, 20_000, 500),
        "step4b_deductions": sometimes(8, 2_000, 20_000, 500),
        "step4c_extra": sometimes(8, 10, 200, 5),
    }


def _de4(rng: random.Random, in_california: bool) -> Row:
    if not in_california:
        return {}
    return {
        "ca_de4": {
            "filing_status": rng.choices(DE4_STATUSES, (50, 40, 10))[0],
            "regular_allowances": rng.randint(0, 4),
            "estimated_deduction_allowances": 0 if rng.random() < 0.9 else rng.randint(1, 3),
            "additional_withholding": "0" if rng.random() < 0.95 else str(rng.randrange(10, 51, 5)),
        }
    }


def _benefits(rng: random.Random) -> Row:
    """401(k) percents (exact strings) and per-period section 125 and HSA amounts."""
    pretax, roth = "0", "0"
    if rng.random() < 0.6:
        pretax = str(rng.randint(1, 10)) if rng.random() < 0.92 else "0"
        roth = str(rng.randint(1, 5)) if rng.random() < 0.25 or pretax == "0" else "0"
    return {
        "retirement": {"pretax_percent": pretax, "roth_percent": roth},
        "section125": str(rng.randrange(25, 401, 5)) if rng.random() < 0.35 else "0",
        "hsa": str(rng.randrange(20, 161, 5)) if rng.random() < 0.15 else "0",
    }


def _bank(rng: random.Random) -> Row:
    return {
        "bank_routing": rng.choice(ROUTING_NUMBERS),
        "bank_account": _digits(rng, rng.randint(8, 12)),
        "bank_account_type": "checking" if rng.random() < 0.85 else "savings",
    }


def _planned_hours(rng: random.Random, schedule: _Schedule) -> list[tuple[date, int]]:
    """Hours in hundredths (quarter hours) for the first period: mostly 8 h on business days;
    one in five works 9-11 h days and some Saturdays (weekly and CA daily overtime), rarely 13 h."""
    if rng.random() >= 0.2:
        return [
            (day, 800 if rng.random() < 0.9 else rng.choice(SHORT_DAYS))
            for day in schedule.workdays
        ]
    long_days = [
        (day, rng.choice(LONG_DAYS) if rng.random() >= 0.03 else 1_300) for day in schedule.workdays
    ]
    saturdays = [
        (day, rng.randrange(400, 801, 25)) for day in schedule.saturdays if rng.random() < 0.5
    ]
    return sorted(long_days + saturdays)


def _stored(values: Row, employer_id: int, vault: Vault) -> Row:
    """The `employees` row: secrets encrypted, only their last four digits in clear."""
    row = dict(values, employer_id=employer_id)
    ssn, account = row.pop("ssn"), row.pop("bank_account")
    row["ssn_enc"], row["ssn_last4"] = vault.encrypt(ssn), ssn[-4:]
    row["bank_account_enc"], row["bank_account_last4"] = vault.encrypt(account), account[-4:]
    return row
