"""State income-tax withholding for the states with a rule module, and what they share.

Each state module exposes ``withhold(paycheck, edition, explain) -> StateWithholding``: the
state's own method, rounding, supplemental rule and "no certificate on file" default, plus the
local income taxes its publications define (NYC, Yonkers, Philadelphia, Act 32, Detroit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from payrun.domain.certificates import Place, StateCertificates
from payrun.domain.errors import InvalidInput, UnknownTable
from payrun.domain.periods import PayFrequency
from payrun.domain.tables import StateEdition

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class StatePaycheck:
    """What a state rule reads for one paycheck.

    ``wages`` are the state's income-tax wages this period (after the deductions its table
    file excludes), of which ``supplemental``; ``flat`` says the employer withholds on
    supplemental wages at a flat rate; ``fica`` is this check's Social Security and Medicare
    (Massachusetts subtracts it); ``ytd_withheld`` the state tax withheld so far this year.
    """

    wages: Decimal
    supplemental: Decimal
    flat: bool
    frequency: PayFrequency
    pay_date: date
    certificates: StateCertificates
    residence: Place
    work_location: Place
    fica: Decimal = ZERO
    ytd_withheld: Decimal = ZERO
    ytd: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def regular(self) -> Decimal:
        return self.wages - self.supplemental

    @property
    def period(self) -> str:
        return self.frequency.value

    @property
    def periods(self) -> int:
        return self.frequency.periods_per_year

    def flat_supplemental(self) -> bool:
        """Supplemental wages take the state's flat rate: the employer withholds at a flat rate
        and tax was withheld from regular wages (on this check or earlier this year)."""
        return self.flat and self.supplemental > 0 and (self.regular > 0 or self.ytd_withheld > 0)

    def lives_in(self, state: str) -> bool:
        home = self.residence.state
        return home is None or home.upper() == state

    def city(self) -> str | None:
        return None if self.residence.city is None else self.residence.city.upper()

    def work_city(self) -> str | None:
        city = self.work_location.city
        return None if city is None else city.upper()


@dataclass(frozen=True, slots=True)
class StateWithholding:
    """The state income tax to withhold, each local income tax by code (state_codes), and any
    state accumulator this check adds to (``ma_fica_subtracted``)."""

    state_income_tax: Decimal
    local: Mapping[str, Decimal] = field(default_factory=dict)
    accumulators: Mapping[str, Decimal] = field(default_factory=dict)


NOTHING = StateWithholding(ZERO)


def per_period(edition: StateEdition, name: str, paycheck: StatePaycheck, state: str) -> Decimal:
    """A figure printed per pay frequency; a frequency the publication has no column for is
    refused (never guessed)."""
    if not edition.has(name, paycheck.period):
        raise UnknownTable(
            f"{state}: the 2026 publication prints no {paycheck.period} figures ({name});"
            " pay this employee on a frequency it prints"
        )
    return edition.figure_for(name, paycheck.period)


def check_reciprocity(
    claimed: bool, paycheck: StatePaycheck, states: tuple[str, ...], field_name: str
) -> bool:
    """A reciprocity claim needs a residence in one of ``states``; refused otherwise."""
    if not claimed:
        return False
    home = paycheck.residence.state
    if home is None or home.upper() not in states:
        raise InvalidInput(
            field_name,
            f"claims reciprocity but employee.residence.state is {home!r}"
            f" (reciprocal states: {', '.join(states)})",
        )
    return True


def count(value: int, field_name: str) -> int:
    if value < 0:
        raise InvalidInput(field_name, f"must not be negative, got {value}")
    return value
