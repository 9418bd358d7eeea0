"""Deposit schedules and due dates against Pub 15 §11 / DE 44 and hand-counted calendars."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from payrun.domain.errors import InvalidInput
from payrun.filings.rules import Liability
from payrun.filings.rules.calendar import lookback_period, return_due, semiweekly_due
from payrun.filings.rules.california import california_obligations, ui_ett_obligations
from payrun.filings.rules.federal import (
    MONTHLY,
    NEXT_DAY,
    SEMIWEEKLY,
    federal_obligations,
    federal_schedule,
    futa_obligations,
)
from payrun.filings.tables import deposit_rules

RULES = deposit_rules(2026)
# The thresholds have not changed since 1993: the same rules, effective in 2020, for Pub 15's
# own worked example.
RULES_2020 = dataclasses.replace(
    RULES, effective_from=date(2020, 1, 1), effective_to=date(2020, 12, 31)
)
D = 100  # cents per dollar


def test_pub15_friday_pay_date_is_due_the_next_wednesday() -> None:
    # Pub 15: wages paid Friday 24 April 2020 are deposited by Wednesday 29 April 2020.
    assert semiweekly_due(date(2020, 4, 24), RULES_2020.semiweekly_banking_days) == date(
        2020, 4, 29
    )
    (ob,) = federal_obligations(SEMIWEEKLY, [Liability(date(2020, 4, 24), 5000 * D)], RULES_2020)
    assert ob.due == date(2020, 4, 29)


def test_saturday_to_tuesday_pay_dates_are_due_the_next_friday() -> None:
    # Tuesday 3 March 2026 closes the Sat-Tue period; Wed 4, Thu 5, Fri 6 -> Friday 6 March.
    for pay_date in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)):
        assert semiweekly_due(pay_date, 3) == date(2026, 3, 6)


def test_a_holiday_adds_a_banking_day_to_the_semiweekly_due_date() -> None:
    # Friday 22 May 2026; Monday 25 May is Memorial Day: Tue 26, Wed 27, Thu 28 -> Thursday.
    assert semiweekly_due(date(2026, 5, 22), 3) == date(2026, 5, 28)
    # Tuesday 24 Nov 2026; Thanksgiving Thu 26: Wed 25, Fri 27, Mon 30 -> Monday 30 November.
    assert semiweekly_due(date(2026, 11, 24), 3) == date(2026, 11, 30)


def test_lookback_of_50000_or_less_is_monthly_and_more_is_semiweekly() -> None:
    assert lookback_period(2026) == (date(2024, 7, 1), date(2025, 6, 30))
    assert federal_schedule(0, RULES) == MONTHLY
    assert federal_schedule(50_000 * D, RULES) == MONTHLY
    assert federal_schedule(50_000 * D + 1, RULES) == SEMIWEEKLY
    with pytest.raises(InvalidInput, match="lookback_tax_cents"):
        federal_schedule(-1, RULES)


def test_monthly_deposits_are_due_the_15th_or_the_next_banking_day() -> None:
    liabilities = [
        Liability(date(2026, 2, 13), 1000 * D),
        Liability(date(2026, 2, 27), 1000 * D),
        Liability(date(2026, 5, 15), 700 * D),
    ]
    feb, may = federal_obligations(MONTHLY, liabilities, RULES)
    # 15 March 2026 is a Sunday -> Monday 16 March.
    assert (feb.key, feb.cents, feb.due) == ("M2026-02", 2000 * D, date(2026, 3, 16))
    assert (may.cents, may.due) == (700 * D, date(2026, 6, 15))


def test_100000_on_a_day_is_due_next_banking_day_and_makes_the_employer_semiweekly() -> None:
    # Pub 15's Elm Co. pattern: a monthly depositor accumulates $40,000 then $60,000 in the
    # month; $100,000 is reached Friday 29 May 2026 -> due Monday 1 June, whole $100,000.
    # Friday 5 June is then on the semiweekly schedule: due Wednesday 10 June.
    liabilities = [
        Liability(date(2026, 5, 15), 40_000 * D),
        Liability(date(2026, 5, 29), 60_000 * D),
        Liability(date(2026, 6, 5), 10_000 * D),
    ]
    next_day, after = federal_obligations(MONTHLY, liabilities, RULES)
    assert (next_day.rule, next_day.cents, next_day.due) == (
        NEXT_DAY,
        100_000 * D,
        date(2026, 6, 1),
    )
    assert (after.rule, after.cents, after.due) == (SEMIWEEKLY, 10_000 * D, date(2026, 6, 10))


def test_after_a_next_day_deposit_accumulation_restarts() -> None:
    # Pub 15's Fir Co. pattern: semiweekly; Monday 2 March 2026 $110,000 -> Tuesday 3 March;
    # Tuesday $30,000 is not added to it -> the Sat-Tue period's Friday 6 March.
    liabilities = [
        Liability(date(2026, 3, 2), 110_000 * D),
        Liability(date(2026, 3, 3), 30_000 * D),
    ]
    first, second = federal_obligations(SEMIWEEKLY, liabilities, RULES)
    assert (first.rule, first.due) == (NEXT_DAY, date(2026, 3, 3))
    assert (second.rule, second.cents, second.due) == (SEMIWEEKLY, 30_000 * D, date(2026, 3, 6))


def test_99999_99_stays_on_the_schedule() -> None:
    (ob,) = federal_obligations(MONTHLY, [Liability(date(2026, 5, 15), 10_000_000 - 1)], RULES)
    assert (ob.rule, ob.due) == (MONTHLY, date(2026, 6, 15))


def test_a_semiweekly_period_spanning_two_quarters_is_two_deposits_due_the_same_day() -> None:
    # Wed 30 Sep 2026 ends Q3; Wed 30 Sep-Fri 2 Oct is one semiweekly period. Due: Fri 2 Oct +
    # Mon 5, Tue 6, Wed 7 -> Wednesday 7 October for both.
    liabilities = [Liability(date(2026, 9, 30), 800 * D), Liability(date(2026, 10, 2), 900 * D)]
    q3, q4 = federal_obligations(SEMIWEEKLY, liabilities, RULES)
    assert (q3.period_end, q3.cents, q3.due) == (date(2026, 9, 30), 800 * D, date(2026, 10, 7))
    assert (q4.period_start, q4.cents, q4.due) == (date(2026, 10, 1), 900 * D, date(2026, 10, 7))
    assert q3.key != q4.key


def test_futa_is_deposited_once_the_carried_liability_is_over_500() -> None:
    # Q1 $300 carries; Q2 brings it to $550 -> due 31 July 2026 (a Friday). Q3 $100 + Q4 $200
    # = $300, not over $500: paid with Form 940, no deposit.
    obs = futa_obligations({1: 300 * D, 2: 250 * D, 3: 100 * D, 4: 200 * D}, 2026, RULES)
    assert [(o.key, o.cents, o.due) for o in obs] == [("F2026Q2", 550 * D, date(2026, 7, 31))]
    assert obs[0].period_start == date(2026, 1, 1)
    # exactly $500 is not "more than $500"
    assert futa_obligations({1: 500 * D}, 2026, RULES) == []


def test_returns_are_due_the_last_day_of_the_next_month_or_the_next_banking_day() -> None:
    assert return_due(date(2026, 3, 31)) == date(2026, 4, 30)
    # 31 January 2027 is a Sunday -> Monday 1 February 2027.
    assert return_due(date(2026, 12, 31)) == date(2027, 2, 1)
    (ui,) = ui_ett_obligations({1: 1234}, 2026)
    assert ui.due == date(2026, 4, 30)


def test_california_follows_a_monthly_federal_depositor_at_350() -> None:
    # PIT $200 in January carries (< $350); February brings $400 -> by 15 March (Sunday ->
    # Monday 16 March). March's $100 is left at the quarter's end -> 15 April 2026 (Wed).
    ca = [
        Liability(date(2026, 1, 15), 230 * D, pit_cents=200 * D),
        Liability(date(2026, 2, 13), 230 * D, pit_cents=200 * D),
        Liability(date(2026, 3, 13), 115 * D, pit_cents=100 * D),
    ]
    fed = federal_obligations(MONTHLY, [Liability(c.pay_date, 1) for c in ca], RULES)
    feb, q1 = california_obligations(fed, ca, RULES)
    assert (feb.rule, feb.cents, feb.due) == (MONTHLY, 460 * D, date(2026, 3, 16))
    assert feb.pay_dates == (date(2026, 1, 15), date(2026, 2, 13))
    assert (q1.key, q1.cents, q1.due) == ("CQ2026Q1", 115 * D, date(2026, 4, 15))


def test_california_follows_a_semiweekly_federal_depositor_over_500() -> None:
    # Friday 24 April: $600 PIT -> with the federal deposit, Wednesday 29 April. Friday 1 May:
    # $300 carries (not over $500); Friday 8 May: $600 accumulated -> Wednesday 13 May.
    ca = [
        Liability(date(2026, 4, 24), 650 * D, pit_cents=600 * D),
        Liability(date(2026, 5, 1), 330 * D, pit_cents=300 * D),
        Liability(date(2026, 5, 8), 330 * D, pit_cents=300 * D),
    ]
    fed = federal_obligations(SEMIWEEKLY, [Liability(c.pay_date, 1) for c in ca], RULES)
    first, second = california_obligations(fed, ca, RULES)
    assert (first.cents, first.due) == (650 * D, date(2026, 4, 29))
    assert (second.cents, second.due, second.pay_dates) == (
        660 * D,
        date(2026, 5, 13),
        (date(2026, 5, 1), date(2026, 5, 8)),
    )


def test_a_pay_date_outside_the_rules_year_is_refused() -> None:
    with pytest.raises(InvalidInput, match="pay_date"):
        federal_obligations(MONTHLY, [Liability(date(2027, 1, 8), 1)], RULES)


def test_the_rules_import_no_engine_or_io_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, payrun.filings.rules.federal, payrun.filings.rules.california;"
        "bad = [m for m in ('sqlalchemy', 'temporalio', 'fastapi', 'httpx') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
