"""The demo seed against a real, migrated SQLite database in a private PAYRUN_HOME."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import make_engine, migrate
from payrun.adapters.db.models import (
    Employee,
    Employer,
    PayPeriod,
    PaySchedule,
    TimeEntry,
)
from payrun.domain.errors import InvalidInput
from payrun.services import seed as seed_module
from payrun.services.demo_people import ROUTING_NUMBERS
from payrun.services.employees import valid_routing
from payrun.services.schema.employee import parse_employee
from payrun.services.seed import SeedSummary, seed_demo

SECRET_COLUMNS = {"ssn_enc", "bank_account_enc", "funding_account_enc"}
# W-4 Step 3: $2,200 per qualifying child (0-3) plus $500 per other dependent (0-2).
STEP3_AMOUNTS_CENTS = {(2_200 * c + 500 * o) * 100 for c in range(4) for o in range(3)}


@pytest.fixture
def vault() -> Vault:
    return Vault(Fernet.generate_key())


def database(home: Path, name: str = "payrun") -> str:
    url = f"sqlite:///{home / name}.db"
    migrate(url)
    return url


def rows(url: str, table: Any, *, skip: Collection[str] = ()) -> list[dict[str, Any]]:
    with make_engine(url).connect() as connection:
        result = connection.execute(select(table.__table__).order_by(table.id))
        return [{k: v for k, v in row._mapping.items() if k not in skip} for row in result]


def count(url: str, table: Any) -> int:
    with make_engine(url).connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table.__table__)) or 0)


@pytest.fixture
def seeded(payrun_home: Path, vault: Vault) -> tuple[str, SeedSummary]:
    url = database(payrun_home)
    return url, seed_demo(url, employers=12, employees=60, seed=2026, vault=vault)


def test_a_fresh_seed_reports_what_it_created(seeded: tuple[str, SeedSummary]) -> None:
    url, summary = seeded
    # Periods for 2026: 52 weekly + 26 biweekly + 24 semimonthly + 12 monthly = 114.
    assert (summary.employers, summary.employees, summary.schedules, summary.periods) == (
        12,
        720,
        4,
        114,
    )
    assert summary.created
    assert summary.time_entries == count(url, TimeEntry) > 0
    assert count(url, Employee) == 720
    assert count(url, PayPeriod) == 114


def test_the_same_seed_gives_identical_rows(payrun_home: Path, vault: Vault) -> None:
    first, second = database(payrun_home, "one"), database(payrun_home, "two")
    for url in (first, second):
        seed_demo(url, employers=3, employees=40, seed=7, vault=vault)
    for table in (Employer, Employee, TimeEntry, PayPeriod, PaySchedule):
        assert rows(first, table, skip=SECRET_COLUMNS) == rows(second, table, skip=SECRET_COLUMNS)
    secrets = [
        [vault.decrypt(r["ssn_enc"]) for r in rows(url, Employee)] for url in (first, second)
    ]
    assert secrets[0] == secrets[1]


def test_a_different_seed_gives_different_people(payrun_home: Path, vault: Vault) -> None:
    first, second = database(payrun_home, "one"), database(payrun_home, "two")
    seed_demo(first, employers=1, employees=20, seed=1, vault=vault)
    seed_demo(second, employers=1, employees=20, seed=2, vault=vault)
    names = [
        [(r["first_name"], r["last_name"]) for r in rows(url, Employee)] for url in (first, second)
    ]
    assert names[0] != names[1]


def test_seeding_again_adds_nothing_and_says_so(
    seeded: tuple[str, SeedSummary], vault: Vault
) -> None:
    url, _ = seeded
    before = {t: count(url, t) for t in (Employer, Employee, TimeEntry, PayPeriod, PaySchedule)}
    again = seed_demo(url, employers=12, employees=60, seed=2026, vault=vault)
    assert again == SeedSummary(0, 0, 0, 0, 0, created=False)
    assert {t: count(url, t) for t in before} == before
    fewer = seed_demo(url, employers=5, employees=10, seed=99, vault=vault)
    assert not fewer.created


def test_asking_for_more_employers_adds_exactly_the_ones_a_fresh_seed_would_have(
    payrun_home: Path, vault: Vault
) -> None:
    grown, fresh = database(payrun_home, "grown"), database(payrun_home, "fresh")
    seed_demo(grown, employers=2, employees=15, seed=5, vault=vault)
    more = seed_demo(grown, employers=4, employees=15, seed=5, vault=vault)
    seed_demo(fresh, employers=4, employees=15, seed=5, vault=vault)
    assert (more.employers, more.employees, more.periods, more.created) == (2, 30, 0, True)
    for table in (Employer, Employee, TimeEntry):
        assert rows(grown, table, skip=SECRET_COLUMNS) == rows(fresh, table, skip=SECRET_COLUMNS)


def test_every_routing_number_passes_the_check_digit(seeded: tuple[str, SeedSummary]) -> None:
    url, _ = seeded
    assert all(valid_routing(number) for number in ROUTING_NUMBERS)
    assert all(valid_routing(r["bank_routing"]) for r in rows(url, Employee))
    for employer in rows(url, Employer):
        assert valid_routing(employer["funding_routing"])
        assert valid_routing(employer["odfi_routing"])


def test_ssns_and_account_numbers_are_never_stored_in_clear(
    seeded: tuple[str, SeedSummary], payrun_home: Path, vault: Vault
) -> None:
    url, _ = seeded
    employees = rows(url, Employee)[:25]
    secrets = [vault.decrypt(e["ssn_enc"]) for e in employees]
    secrets += [vault.decrypt(e["bank_account_enc"]) for e in employees]
    make_engine(url).dispose()  # let SQLite checkpoint; the -wal file is searched too
    stored = b"".join(path.read_bytes() for path in payrun_home.glob("payrun.db*"))
    for secret in secrets:
        assert secret.encode() not in stored
    ssn = secrets[0]
    assert f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}".encode() not in stored
    assert employees[0]["ssn_last4"] == ssn[-4:]


def test_ssns_are_ones_the_ssa_issues(seeded: tuple[str, SeedSummary], vault: Vault) -> None:
    url, _ = seeded
    for employee in rows(url, Employee):
        ssn = vault.decrypt(employee["ssn_enc"])
        assert re.fullmatch(r"\d{9}", ssn)
        assert ssn[:3] not in ("000", "666") and ssn[0] != "9"
        assert ssn[3:5] != "00" and ssn[5:] != "0000"


def test_hours_include_weekly_and_daily_overtime_in_quarter_hours(
    seeded: tuple[str, SeedSummary],
) -> None:
    url, _ = seeded
    entries = rows(url, TimeEntry)
    assert all(e["hours_hundredths"] % 25 == 0 for e in entries)
    assert any(e["hours_hundredths"] > 800 for e in entries)  # CA daily overtime
    assert any(e["hours_hundredths"] > 1_200 for e in entries)  # CA double time
    weekly: dict[tuple[int, date], int] = defaultdict(int)
    for e in entries:
        # Workweeks start on Sunday (workweek_start 6): key by that Sunday.
        sunday = e["work_date"] - timedelta(days=(e["work_date"].weekday() + 1) % 7)
        weekly[(e["employee_id"], sunday)] += e["hours_hundredths"]
    assert any(hours > 4_000 for hours in weekly.values())  # FLSA weekly overtime
    assert any(e["work_date"].weekday() == 5 for e in entries)


def test_time_entries_cover_the_first_2026_period_of_hourly_employees_only(
    seeded: tuple[str, SeedSummary],
) -> None:
    url, _ = seeded
    employees = {e["id"]: e for e in rows(url, Employee)}
    employers = {e["id"]: e for e in rows(url, Employer)}
    # First periods paid in 2026 (hand-derived in tests/unit/domain/test_calendar.py).
    first_period = {
        1: (date(2025, 12, 28), date(2026, 1, 3)),  # weekly
        2: (date(2025, 12, 28), date(2026, 1, 10)),  # biweekly
        3: (date(2025, 12, 16), date(2025, 12, 31)),  # semimonthly
        4: (date(2025, 12, 1), date(2025, 12, 31)),  # monthly
    }
    for entry in rows(url, TimeEntry):
        employee = employees[entry["employee_id"]]
        assert employee["pay_type"] == "hourly"
        start, end = first_period[employers[employee["employer_id"]]["schedule_id"]]
        assert start <= entry["work_date"] <= end
        assert entry["work_date"] not in (date(2025, 12, 25), date(2026, 1, 1))  # holidays


def test_employers_look_like_real_ones(seeded: tuple[str, SeedSummary]) -> None:
    url, _ = seeded
    employers = rows(url, Employer)
    eins = [e["ein"] for e in employers]
    assert len(set(eins)) == len(eins)
    for employer in employers:
        assert re.fullmatch(r"\d{2}-\d{7}", employer["ein"])
        assert employer["ach_company_id"] == "1" + employer["ein"].replace("-", "")
        assert employer["state"] in seed_module.STATES
        assert employer["validation_policy"] in ("hold", "partial")
        ui_rate = Decimal(employer["pay_settings"]["ca_ui_rate"])
        assert Decimal("0.015") <= ui_rate <= Decimal("0.062")
        assert len(employer["funding_account_last4"]) == 4
        # a California employer has its EDD account number (8 digits); the demo has no other
        registered = employer["state_registrations"]
        assert list(registered) == (["CA"] if employer["state"] == "CA" else [])
        assert all(re.fullmatch(r"[1-9]\d{7}", number) for number in registered.values())
    assert {e["state"] for e in employers} >= {"CA"}


def test_employees_cover_the_cases_the_payroll_rules_need(
    seeded: tuple[str, SeedSummary],
) -> None:
    url, _ = seeded
    employees = rows(url, Employee)
    by = defaultdict(list)
    for e in employees:
        by[e["pay_type"]].append(e)
    assert 0.5 < len(by["salary"]) / len(employees) < 0.7
    assert any(e["rate_cents"] > 200_000_00 for e in by["salary"])  # Additional Medicare
    assert all(32_000_00 <= e["rate_cents"] <= 320_000_00 for e in by["salary"])
    assert all(16_00 <= e["rate_cents"] <= 85_00 for e in by["hourly"])
    profiles = [parse_employee(e["profile"]) for e in employees]  # each one is valid
    forms = {(p.w4 is not None, (p.w4 or p.w4_pre2020).exempt) for p in profiles}  # type: ignore[union-attr]
    assert forms == {(True, False), (False, False), (True, True)}
    for e, p in zip(employees, profiles, strict=True):
        if p.w4_pre2020 is not None:
            assert p.w4 is None and 0 <= p.w4_pre2020.allowances <= 5
        else:
            assert p.w4 is not None and int(p.w4.step3_credits * 100) in STEP3_AMOUNTS_CENTS
        in_california = "CA" in (e["home_state"], e["work_state"])
        assert (p.ca_de4 is not None) == in_california
        assert p.retirement.pretax_percent == p.retirement.pretax_percent.to_integral_value()
        assert e["bank_account_type"] in ("checking", "savings")
    ages = [2026 - p.birth_date.year for p in profiles if p.birth_date is not None]
    assert len(ages) == len(profiles)
    assert min(ages) >= 19 and max(ages) <= 71
    assert any(60 <= age <= 63 for age in ages) and any(age >= 50 for age in ages)
    assert any(p.prior_year_fica_wages > 150_000 for p in profiles)
    assert any(p.retirement.pretax_percent for p in profiles)
    assert any(p.retirement.roth_percent for p in profiles)
    assert any(p.ca_de4 and p.ca_de4.additional_withholding for p in profiles)  # DE 4 line 2
    ids = [(e["employer_id"], e["external_id"]) for e in employees]
    assert len(set(ids)) == len(ids) and employees[0]["external_id"] == "E000001"


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"employers": 0, "employees": 10}, "--employers: must be at least 1"),
        ({"employers": -3, "employees": 10}, "--employers: must be at least 1"),
        ({"employers": 2, "employees": -1}, "--employees: must be at least 0"),
        ({"employers": 10_000_001, "employees": 0}, "--employers: at most 10,000,000"),
        ({"employers": 1_000, "employees": 10_001}, "--employees: at most 10,000,000"),
        ({"employers": 2, "employees": 10, "seed": "abc"}, "--seed: must be a whole number"),
        ({"employers": 2, "employees": 10, "year": 1999}, "--year: must be a year"),
    ],
)
def test_bad_inputs_are_refused_before_anything_is_written(
    payrun_home: Path, vault: Vault, sizes: dict[str, Any], message: str
) -> None:
    url = database(payrun_home)
    arguments: dict[str, Any] = {"seed": 1, **sizes}
    with pytest.raises(InvalidInput, match=re.escape(message)):
        seed_demo(url, vault=vault, **arguments)
    assert [count(url, t) for t in (PaySchedule, PayPeriod, Employer, Employee)] == [0, 0, 0, 0]


def test_an_unmigrated_database_is_refused(payrun_home: Path, vault: Vault) -> None:
    with pytest.raises(InvalidInput) as raised:
        seed_demo(
            f"sqlite:///{payrun_home}/empty.db", employers=1, employees=1, seed=1, vault=vault
        )
    assert raised.value.field == "database_url"
