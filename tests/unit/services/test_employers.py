"""Employers through the unit of work, on fakes: one calendar per frequency and first period,
the funding account kept only as ciphertext, errors that name the field, nothing half-done."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from payrun.domain.calendar import PeriodDates
from payrun.domain.errors import InvalidInput
from payrun.services.employers import (
    Address,
    ChangeEmployer,
    CreateEmployer,
    change_employer,
    create_employer,
    get_employer,
    list_employers,
)
from payrun.services.errors import Conflict, NotFound
from payrun.services.registrations import StateRegistration
from tests.unit.services.fakes import FakeUnitOfWork, PlainVault

ACME = CreateEmployer(
    name="Acme",
    ein="12-3456789",
    work_state="CA",
    frequency="monthly",
    first_period_start=date(2026, 1, 1),
    routing="021000021",
    account="000123456789",
)


def _uow_with(*commands: CreateEmployer) -> FakeUnitOfWork:
    uow = FakeUnitOfWork(employer_ids=set())
    for cmd in commands:
        create_employer(uow, cmd, PlainVault())
    return uow


def test_a_new_employer_gets_two_years_of_calendar_and_only_its_account_ciphertext() -> None:
    uow = FakeUnitOfWork(employer_ids=set())
    view = create_employer(uow, ACME, PlainVault())
    assert (view.schedule, view.frequency) == ("monthly-2026-01-01", "monthly")
    assert (view.funding_account_last4, view.active, view.pay_settings) == ("6789", True, {})
    stored = uow.employers.rows[view.id]
    assert stored["ach_company_id"] == "1123456789"  # "1" + the EIN's nine digits
    assert b"000123456789" not in stored["funding_account_enc"]
    schedule = uow.schedules.rows[stored["schedule_id"]]
    assert schedule.pay_delay_days == 5
    # Months paid 5 days after they end: 2026 pays January..November (December's pay date is
    # Tue 5 Jan 2027), 2027 pays December 2026..November 2027: 11 + 12 periods.
    assert len(schedule.periods) == 23
    assert schedule.periods[0] == PeriodDates(date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 5))
    assert uow.commits == 1


def test_employers_with_the_same_frequency_and_first_period_share_one_calendar() -> None:
    uow = _uow_with(ACME, dataclasses.replace(ACME, ein="98-7654321", name="Bolt"))
    assert len(uow.schedules.rows) == 1
    assert {row["schedule_id"] for row in uow.employers.rows.values()} == {1}


def test_an_ein_already_taken_is_a_conflict_on_the_ein_and_writes_nothing() -> None:
    uow = _uow_with(ACME)
    with pytest.raises(Conflict) as error:
        create_employer(uow, dataclasses.replace(ACME, frequency="weekly"), PlainVault())
    assert error.value.field == "ein"
    assert (len(uow.employers.rows), len(uow.schedules.rows), uow.commits) == (1, 1, 1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ein": "123456789"}, "ein"),
        ({"work_state": "ZZ"}, "work_state"),
        ({"validation_policy": "ignore"}, "validation_policy"),
        ({"routing": "021000022"}, "funding_account.routing"),
        ({"account": "12-34"}, "funding_account.account"),
        ({"frequency": "daily"}, "pay_schedule.frequency"),
        ({"first_period_start": date(2026, 1, 2)}, "anchor_date"),  # a month starts on the 1st
        ({"pay_settings": {"no_such_setting": 1}}, "pay_settings"),
        ({"account_type": "money_market"}, "funding_account.type"),
        ({"address": Address("1 Main St", "Fresno", "9372")}, "address.postal_code"),
        ({"address": Address("1 Main St", "Fresno", "93721-12")}, "address.postal_code"),
        ({"address": Address(" ", "Fresno", "93721")}, "address.street"),
        ({"address": Address("1 Main St", "F" * 61, "93721")}, "address.city"),
        ({"exposure_limit": Decimal("-0.01")}, "funding_trust.exposure_limit"),
        ({"exposure_limit": Decimal("100.001")}, "funding_trust.exposure_limit"),
        ({"exposure_limit": Decimal("1000000000.00")}, "funding_trust.exposure_limit"),
        ({"exposure_limit": Decimal("NaN")}, "funding_trust.exposure_limit"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(
    change: dict[str, object], field: str
) -> None:
    uow = FakeUnitOfWork(employer_ids=set())
    with pytest.raises(InvalidInput) as error:
        create_employer(uow, dataclasses.replace(ACME, **change), PlainVault())  # type: ignore[arg-type]
    assert error.value.field.startswith(field)
    assert (uow.employers.rows, uow.schedules.rows, uow.commits) == ({}, {}, 0)


def test_a_change_touches_only_the_fields_given_and_encrypts_a_new_account() -> None:
    uow = _uow_with(ACME)
    change = ChangeEmployer(name="Acme West", routing="011000015", account="55554444")
    view = change_employer(uow, 1, change, PlainVault())
    assert (view.name, view.funding_routing, view.funding_account_last4) == (
        "Acme West",
        "011000015",
        "4444",
    )
    assert (view.ein, view.validation_policy, view.work_state) == ("12-3456789", "hold", "CA")
    assert b"55554444" not in uow.employers.rows[1]["funding_account_enc"]


def test_a_routing_number_without_an_account_is_refused_before_anything_is_read() -> None:
    uow = _uow_with(ACME)
    with pytest.raises(InvalidInput) as error:
        change_employer(uow, 1, ChangeEmployer(routing="011000015"), PlainVault())
    assert error.value.field == "funding_account"
    assert uow.employers.rows[1]["funding_routing"] == "021000021"


def test_an_unknown_employer_is_not_found_to_read_or_change() -> None:
    uow = _uow_with(ACME)
    with pytest.raises(NotFound):
        get_employer(uow, 2)
    with pytest.raises(NotFound):
        change_employer(uow, 2, ChangeEmployer(name="Ghost"), PlainVault())
    assert uow.commits == 1


def test_reading_an_employer_commits_nothing() -> None:
    uow = _uow_with(ACME)
    uow.read_only = True  # commit() now refuses, as the reading unit of work does
    assert get_employer(uow, 1).name == "Acme"
    assert [v.id for v in list_employers(uow, 0, 10, None)] == [1]


def test_a_page_starts_after_the_cursor_and_shows_only_the_employers_a_key_may_see() -> None:
    eins = ["10-0000001", "10-0000002", "10-0000003", "10-0000004"]
    uow = _uow_with(*(dataclasses.replace(ACME, ein=ein) for ein in eins))
    assert [v.id for v in list_employers(uow, 0, 2, None)] == [1, 2]
    assert [v.id for v in list_employers(uow, 2, 2, None)] == [3, 4]
    assert [v.id for v in list_employers(uow, 1, 2, frozenset({1, 3, 4}))] == [3, 4]


def test_a_new_employer_is_checking_unprefunded_and_without_address_unless_told() -> None:
    view = create_employer(FakeUnitOfWork(employer_ids=set()), ACME, PlainVault())
    assert (view.funding_account_type, view.prefunded, view.exposure_limit_cents) == (
        "checking",
        False,
        0,
    )
    assert (view.address_street, view.address_city, view.address_postal_code) == (None,) * 3


def test_a_savings_account_address_and_funding_trust_are_stored_and_shown() -> None:
    uow = FakeUnitOfWork(employer_ids=set())
    cmd = dataclasses.replace(
        ACME,
        account_type="savings",
        address=Address(" 1200 Van Ness Ave ", "Fresno", "93721-1234"),
        prefunded=True,
        exposure_limit=Decimal("12345.60"),
    )
    view = create_employer(uow, cmd, PlainVault())
    assert view.funding_account_type == "savings"
    # the street's surrounding spaces go; 12,345.60 dollars = 1,234,560 cents
    assert (view.address_street, view.address_city, view.address_postal_code) == (
        "1200 Van Ness Ave",
        "Fresno",
        "93721-1234",
    )
    assert (view.prefunded, view.exposure_limit_cents) == (True, 1_234_560)
    assert uow.employers.rows[view.id]["exposure_limit_cents"] == 1_234_560


def test_a_change_sets_the_account_type_address_and_trust_and_keeps_the_rest() -> None:
    uow = _uow_with(ACME)
    change = ChangeEmployer(
        account_type="savings", address=Address("9 Elm St", "Reno", "89501"), prefunded=True
    )
    view = change_employer(uow, 1, change, PlainVault())
    assert (view.funding_account_type, view.funding_routing, view.address_city) == (
        "savings",
        "021000021",
        "Reno",
    )
    assert (view.prefunded, view.exposure_limit_cents) == (True, 0)
    view = change_employer(uow, 1, ChangeEmployer(exposure_limit=Decimal("500")), PlainVault())
    assert (view.prefunded, view.exposure_limit_cents, view.address_street) == (
        True,
        50_000,
        "9 Elm St",
    )
    view = change_employer(uow, 1, ChangeEmployer(prefunded=False), PlainVault())
    assert (view.prefunded, view.exposure_limit_cents) == (False, 50_000)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (ChangeEmployer(account_type="cash"), "funding_account.type"),
        (ChangeEmployer(address=Address("9 Elm St", "Reno", "ABCDE")), "address.postal_code"),
        (ChangeEmployer(exposure_limit=Decimal("-5")), "funding_trust.exposure_limit"),
        (ChangeEmployer(exposure_limit=Decimal("0.125")), "funding_trust.exposure_limit"),
        # one bad field refuses the good ones sent with it
        (ChangeEmployer(prefunded=True, exposure_limit=Decimal("-1")), "funding_trust"),
    ],
)
def test_a_bad_change_names_its_field_and_changes_nothing(
    change: ChangeEmployer, field: str
) -> None:
    uow = _uow_with(ACME)
    before = dict(uow.employers.rows[1])
    with pytest.raises(InvalidInput) as error:
        change_employer(uow, 1, change, PlainVault())
    assert error.value.field.startswith(field)
    assert (uow.employers.rows[1], uow.commits) == (before, 1)


CA_EDD = StateRegistration("CA", "123-4567-8")


def test_state_registrations_are_stored_by_state_with_californias_number_as_its_digits() -> None:
    uow = FakeUnitOfWork(employer_ids=set())
    cmd = dataclasses.replace(
        ACME, state_registrations=(CA_EDD, StateRegistration("NV", "NV-0042"))
    )
    view = create_employer(uow, cmd, PlainVault())
    # "123-4567-8" is the EDD number 12345678; Nevada's is kept as sent
    assert view.state_registrations == {"CA": "12345678", "NV": "NV-0042"}
    assert uow.employers.rows[view.id]["state_registrations"] == {"CA": "12345678", "NV": "NV-0042"}


def test_an_employer_has_no_state_registration_unless_told() -> None:
    view = create_employer(FakeUnitOfWork(employer_ids=set()), ACME, PlainVault())
    assert view.state_registrations == {}


def test_a_change_replaces_the_whole_list_of_registrations_and_none_keeps_it() -> None:
    uow = _uow_with(dataclasses.replace(ACME, state_registrations=(CA_EDD,)))
    view = change_employer(uow, 1, ChangeEmployer(name="Acme West"), PlainVault())
    assert view.state_registrations == {"CA": "12345678"}
    replaced = ChangeEmployer(state_registrations=(StateRegistration("CA", "987 6543 2"),))
    view = change_employer(uow, 1, replaced, PlainVault())
    assert view.state_registrations == {"CA": "98765432"}
    view = change_employer(uow, 1, ChangeEmployer(state_registrations=()), PlainVault())
    assert view.state_registrations == {}


@pytest.mark.parametrize(
    ("registrations", "field"),
    [
        ((StateRegistration("ZZ", "1234"),), "state_registrations.0.state"),
        ((StateRegistration("PR", "1234"),), "state_registrations.0.state"),  # a territory
        ((CA_EDD, StateRegistration("CA", "87654321")), "state_registrations.1.state"),
        ((StateRegistration("CA", "123-4567"),), "state_registrations.0.account_number"),
        ((StateRegistration("CA", "123-4567-89"),), "state_registrations.0.account_number"),
        ((StateRegistration("CA", "ABC-DEFG-H"),), "state_registrations.0.account_number"),
        ((StateRegistration("CA", ""),), "state_registrations.0.account_number"),
        ((StateRegistration("NV", ""),), "state_registrations.0.account_number"),
        ((StateRegistration("NV", "N" * 21),), "state_registrations.0.account_number"),
        ((StateRegistration("NV", "12 34"),), "state_registrations.0.account_number"),
    ],
)
def test_a_bad_state_registration_names_its_place_and_writes_nothing(
    registrations: tuple[StateRegistration, ...], field: str
) -> None:
    uow = FakeUnitOfWork(employer_ids=set())
    cmd = dataclasses.replace(ACME, state_registrations=registrations)
    with pytest.raises(InvalidInput) as error:
        create_employer(uow, cmd, PlainVault())
    assert error.value.field == field
    assert (uow.employers.rows, uow.schedules.rows, uow.commits) == ({}, {}, 0)
    uow = _uow_with(dataclasses.replace(ACME, state_registrations=(CA_EDD,)))
    before = dict(uow.employers.rows[1])
    with pytest.raises(InvalidInput) as error:
        change_employer(uow, 1, ChangeEmployer(state_registrations=registrations), PlainVault())
    assert error.value.field == field
    assert (uow.employers.rows[1], uow.commits) == (before, 1)
