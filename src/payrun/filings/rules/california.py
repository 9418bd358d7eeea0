"""California DE 88 deposits (EDD DE 44): PIT + SDI by the accumulated PIT; UI + ETT quarterly."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from payrun.filings.rules import DepositRules, Liability, Obligation
from payrun.filings.rules.calendar import (
    month_end,
    nth_of_next_month,
    quarter_end,
    quarter_of,
    return_due,
)
from payrun.filings.rules.federal import MONTHLY, NEXT_DAY, QUARTERLY, SEMIWEEKLY


@dataclass
class _Accumulated:
    start: date | None = None
    cents: int = 0
    pit_cents: int = 0
    pay_dates: list[date] = field(default_factory=list)

    def add(self, item: Liability) -> None:
        self.start = self.start or item.pay_date.replace(day=1)
        self.cents += item.cents
        self.pit_cents += item.pit_cents
        self.pay_dates.append(item.pay_date)

    def close(self, key: str, rule: str, end: date, due: date) -> Obligation:
        assert self.start is not None
        return Obligation(key, rule, self.start, end, due, self.cents, tuple(self.pay_dates))


def california_obligations(
    federal: Sequence[Obligation], liabilities: Iterable[Liability], rules: DepositRules
) -> list[Obligation]:
    """DE 44 deposit schedules, in pay-date order, PIT accumulated since the last deposit:
    - federal semiweekly or next-day depositor and more than $500 of PIT: due with the
      federal deposit of that pay date;
    - otherwise, $350 or more of PIT at a month's end: by the 15th of the next month;
    - otherwise carried; whatever remains at a quarter's end is due by the 15th of the month
      after the quarter (quarterly).
    SDI rides with the PIT of the same pay dates (one DE 88 deposit of both)."""
    by_pay_date = {day: ob for ob in federal for day in ob.pay_dates}
    done: list[Obligation] = []
    acc = _Accumulated()
    ordered = sorted(liabilities, key=lambda x: x.pay_date)
    for index, item in enumerate(ordered):
        rules.require_covers(item.pay_date)
        acc.add(item)
        fed = by_pay_date.get(item.pay_date)
        follows_federal = fed is not None and fed.rule in (SEMIWEEKLY, NEXT_DAY)
        if follows_federal and acc.pit_cents > rules.ca_semiweekly_pit_threshold_cents:
            assert fed is not None
            done.append(acc.close(f"C{fed.key}", fed.rule, item.pay_date, fed.due))
            acc = _Accumulated()
            continue
        following = ordered[index + 1].pay_date if index + 1 < len(ordered) else None
        acc = _at_month_end(acc, item.pay_date, following, rules, done)
    return done


def _at_month_end(
    acc: _Accumulated,
    day: date,
    following: date | None,
    rules: DepositRules,
    done: list[Obligation],
) -> _Accumulated:
    """Close the accumulation when the month (or quarter) of `day` ends before `following`;
    the last liability known closes it with the month or quarter's tentative due date."""
    if acc.start is None or (following is not None and following <= month_end(day)):
        return acc
    end, last = month_end(day), quarter_end(day.year, quarter_of(day))
    if acc.pit_cents >= rules.ca_monthly_pit_threshold_cents:
        due = nth_of_next_month(day, rules.ca_monthly_due_day)
        done.append(acc.close(f"CM{day:%Y-%m}", MONTHLY, end, due))
        return _Accumulated()
    if end == last or following is None or following > last:
        due = nth_of_next_month(last, rules.ca_monthly_due_day)
        done.append(acc.close(f"CQ{day.year}Q{quarter_of(day)}", QUARTERLY, last, due))
        return _Accumulated()
    return acc


def ui_ett_obligations(quarterly_cents: dict[int, int], year: int) -> list[Obligation]:
    """DE 44: UI and ETT are paid each quarter with the DE 9, by the last day of the month
    after the quarter."""
    result = []
    for quarter, cents in sorted(quarterly_cents.items()):
        end = quarter_end(year, quarter)
        start = date(year, 3 * quarter - 2, 1)
        key = f"U{year}Q{quarter}"
        result.append(Obligation(key, QUARTERLY, start, end, return_due(end), cents, ()))
    return result
