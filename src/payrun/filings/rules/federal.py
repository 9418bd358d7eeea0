"""Federal deposits (Pub 15 §11): the schedule from the lookback and the deposit obligations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from payrun.domain.banking_days import next_banking_day
from payrun.domain.errors import InvalidInput
from payrun.filings.rules import DepositRules, Liability, Obligation
from payrun.filings.rules.calendar import (
    month_end,
    nth_of_next_month,
    quarter_end,
    quarter_of,
    quarter_start,
    return_due,
    semiweekly_due,
    semiweekly_period,
)

MONTHLY, SEMIWEEKLY, NEXT_DAY, QUARTERLY = "monthly", "semiweekly", "next_day", "quarterly"


def federal_schedule(lookback_tax_cents: int, rules: DepositRules) -> str:
    """Pub 15 §11: $50,000 or less reported in the lookback period: monthly; more: semiweekly.
    A new employer (nothing in the lookback) is a monthly depositor."""
    if lookback_tax_cents < 0:
        raise InvalidInput("lookback_tax_cents", "must not be negative")
    return MONTHLY if lookback_tax_cents <= rules.lookback_threshold_cents else SEMIWEEKLY


def _period(schedule: str, pay_date: date, rules: DepositRules) -> tuple[str, date, date, date]:
    """(key, start, end, due) of the deposit period holding pay_date. A semiweekly period
    that spans two quarters is two deposits with one due date (Pub 15 §11)."""
    quarter = quarter_of(pay_date)
    if schedule == MONTHLY:
        start = pay_date.replace(day=1)
        due = nth_of_next_month(pay_date, rules.monthly_due_day)
        return f"M{start:%Y-%m}", start, month_end(pay_date), due
    start, end = semiweekly_period(pay_date)
    start = max(start, quarter_start(pay_date.year, quarter))
    end = min(end, quarter_end(pay_date.year, quarter))
    due = semiweekly_due(pay_date, rules.semiweekly_banking_days)
    return f"S{start.isoformat()}", start, end, due


@dataclass
class _Open:
    key: str
    rule: str
    start: date
    end: date
    due: date
    cents: int = 0
    pay_dates: list[date] = field(default_factory=list)

    def close(self) -> Obligation:
        return Obligation(
            self.key, self.rule, self.start, self.end, self.due, self.cents, tuple(self.pay_dates)
        )


def federal_obligations(
    schedule: str, liabilities: Iterable[Liability], rules: DepositRules
) -> list[Obligation]:
    """Assign each pay date's liability (FIT + employee and employer FICA) to its deposit, in
    pay-date order. The $100,000 next-day rule: once the undeposited liability of the period
    reaches $100,000 on a day, all of it is due the next banking day, accumulation restarts the
    day after, and the employer is a semiweekly depositor from then on (Pub 15 §11)."""
    done: list[Obligation] = []
    current: _Open | None = None
    for item in sorted(liabilities, key=lambda x: x.pay_date):
        rules.require_covers(item.pay_date)
        key, start, end, due = _period(schedule, item.pay_date, rules)
        if current is None or current.key != key:
            if current is not None:
                done.append(current.close())
            current = _Open(key, schedule, start, end, due)
        current.cents += item.cents
        current.pay_dates.append(item.pay_date)
        if current.cents >= rules.next_day_threshold_cents:
            nd_due = next_banking_day(item.pay_date)
            done.append(
                Obligation(
                    f"N{item.pay_date.isoformat()}",
                    NEXT_DAY,
                    current.start,
                    item.pay_date,
                    nd_due,
                    current.cents,
                    tuple(current.pay_dates),
                )
            )
            current, schedule = None, SEMIWEEKLY
    if current is not None:
        done.append(current.close())
    return done


def futa_obligations(
    quarterly_liability_cents: dict[int, int], year: int, rules: DepositRules
) -> list[Obligation]:
    """Form 940 instructions: FUTA liability is deposited for a quarter once the undeposited
    total is more than $500, by the last day of the month after the quarter; a smaller amount
    carries to the next quarter; what remains after the fourth quarter (if $500 or less) is
    paid with Form 940 (no deposit)."""
    done: list[Obligation] = []
    carried, since = 0, 1
    for quarter in (1, 2, 3, 4):
        carried += quarterly_liability_cents.get(quarter, 0)
        if carried > rules.futa_deposit_threshold_cents:
            end = quarter_end(year, quarter)
            done.append(
                Obligation(
                    f"F{year}Q{quarter}",
                    QUARTERLY,
                    quarter_start(year, since),
                    end,
                    return_due(end),
                    carried,
                    (),
                )
            )
            carried, since = 0, quarter + 1
    return done
