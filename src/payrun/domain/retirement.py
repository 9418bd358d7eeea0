"""401(k): elective deferrals within the §402(g) limit and catch-ups, Roth catch-up, match.

Allocation in one paycheck (documented order): the traditional election first, then Roth,
against the base limit; what is left of either election then goes to the catch-up room.
When the Roth catch-up rule applies (age 50+ and prior-year FICA wages from this employer
over the threshold), the catch-up part of a traditional election is made as Roth instead
(a deemed Roth election), since catch-ups must be Roth for that employee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from payrun.domain.errors import InvalidInput
from payrun.domain.money import Money, cents, not_below_zero
from payrun.domain.request import MatchTier, RetirementElection
from payrun.domain.tables import RetirementLimits

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class DeferralPlan:
    pretax: Decimal
    roth: Decimal
    pretax_catch_up: Decimal
    roth_catch_up: Decimal
    annual_limit: Decimal
    roth_catch_up_required: bool


@dataclass(frozen=True, slots=True)
class Retirement:
    """Stage 4 result: Roth deferral (post-tax), catch-up parts and the employer match."""

    pretax_deferral: Money
    roth_deferral: Money
    catch_up: Money
    roth_catch_up: Money
    employer_match: Money
    annual_limit: Money
    roth_catch_up_required: bool

    @property
    def total_deferral(self) -> Money:
        return Money(self.pretax_deferral.amount + self.roth_deferral.amount)


def age_in_year(birth_date: date, year: int) -> int:
    """Age attained by 31 December: catch-up eligibility is by the end of the calendar year."""
    return year - birth_date.year


def catch_up_limit(age: int, limits: RetirementLimits, super_catch_up: bool) -> Decimal:
    if 60 <= age <= 63 and super_catch_up:
        return limits.catch_up_60_63
    return limits.catch_up_50 if age >= 50 else ZERO


def requested(percent: Decimal, amount: Decimal, pay: Decimal) -> Decimal:
    return cents(pay * percent / HUNDRED) if percent else amount


def plan_deferrals(
    election: RetirementElection,
    pay: Decimal,
    available: Decimal,
    ytd_deferrals: Decimal,
    birth_date: date | None,
    year: int,
    prior_year_fica_wages: Decimal,
    limits: RetirementLimits,
    super_catch_up: bool = True,
) -> DeferralPlan:
    """Split this period's elections into base and catch-up parts within the annual limits."""
    if not election.elected:
        return DeferralPlan(ZERO, ZERO, ZERO, ZERO, limits.elective_deferral_limit, False)
    want_pretax = min(requested(election.pretax_percent, election.pretax_amount, pay), available)
    want_roth = min(
        requested(election.roth_percent, election.roth_amount, pay), available - want_pretax
    )
    base_room = not_below_zero(limits.elective_deferral_limit - ytd_deferrals)
    pretax = min(want_pretax, base_room)
    roth = min(want_roth, base_room - pretax)
    over_pretax, over_roth = want_pretax - pretax, want_roth - roth
    if not over_pretax and not over_roth:
        return DeferralPlan(pretax, roth, ZERO, ZERO, limits.elective_deferral_limit, False)
    if birth_date is None:
        raise InvalidInput(
            "employee.birth_date",
            "required: the 401(k) election passes the base limit and the catch-up depends on age",
        )
    age = age_in_year(birth_date, year)
    annual_limit = limits.elective_deferral_limit + catch_up_limit(age, limits, super_catch_up)
    room = not_below_zero(annual_limit - ytd_deferrals - pretax - roth)
    roth_rule = age >= 50 and prior_year_fica_wages > limits.roth_catch_up_wage_threshold
    if roth_rule:
        pretax_catch, roth_catch = ZERO, min(over_pretax + over_roth, room)
    else:
        pretax_catch = min(over_pretax, room)
        roth_catch = min(over_roth, room - pretax_catch)
    return DeferralPlan(
        pretax + pretax_catch, roth + roth_catch, pretax_catch, roth_catch, annual_limit, roth_rule
    )


def employer_match(
    tiers: tuple[MatchTier, ...],
    deferral: Decimal,
    pay: Decimal,
    ytd_pay: Decimal,
    comp_limit: Decimal,
) -> Decimal:
    """Tiered match on this period's deferrals, e.g. 100% of the first 3% + 50% of the next 2%.

    Pay counts only up to the §401(a)(17) compensation limit for the year.
    """
    if not tiers or not deferral:
        return ZERO
    eligible_pay = min(pay, not_below_zero(comp_limit - ytd_pay))
    left, bound, match = deferral, ZERO, ZERO
    for tier in tiers:
        band = eligible_pay * (tier.up_to_percent - bound) / HUNDRED
        matched = min(left, band)
        match += matched * tier.match_percent / HUNDRED
        left -= matched
        bound = tier.up_to_percent
    return cents(match)
