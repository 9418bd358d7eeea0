"""The demo's people: each employee's forms, pay and bank account, drawn from a random stream.

Pure generation (no database): payrun.services.seed draws one employer's people in a fixed
order from that employer's stream, so the same seed always makes the same people.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

Row = dict[str, Any]

# Published routing numbers of large US banks and Federal Reserve Banks; every one passes the
# 3-7-1 check digit (tests/integration/test_seed.py checks them all).
ROUTING_NUMBERS = (
    "021000021", "011000015", "026009593", "121000358", "122000247", "111000025", "121000248",
    "322271627", "071000013", "063100277", "111000614", "125000024", "051000017", "091000019",
    "031176110", "256074974", "122105278", "044000037", "113000023", "061000104",
)  # fmt: skip
# Tuples, not sets: the order of choices must not depend on hash randomisation.
W4_STATUSES = ("single", "married_filing_jointly", "head_of_household")
DE4_STATUSES = ("single", "married", "head_of_household")
SHORT_DAYS = (700, 750, 775, 825, 850)  # hundredths of an hour, quarter hours
LONG_DAYS = (800, 900, 950, 1_000, 1_050, 1_100)


def digits(rng: random.Random, count: int) -> str:
    return str(rng.randrange(10 ** (count - 1), 10**count))


def dollars(cents: int) -> str:
    return str(Decimal(cents) / 100)


def hire_date(rng: random.Random, birth: date, latest: date, year: int) -> date:
    earliest = max(date(birth.year + 19, 1, 1), date(year - 20, 1, 1))
    return earliest + timedelta(days=rng.randrange(max(1, (latest - earliest).days)))


def ssn(rng: random.Random) -> str:
    """Area 001-899 except 666, group 01-99, serial 0001-9999: never a number the SSA skips."""
    area = rng.randint(1, 898)
    area += area >= 666
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def pay_terms(rng: random.Random) -> Row:
    if rng.random() < 0.6:
        roll = rng.random()
        low, high = (32_000, 140_000) if roll < 0.85 else (140_000, 200_000)
        if roll >= 0.95:
            low, high = 200_000, 320_000  # Additional Medicare and the SS wage base
        return {"pay_type": "salary", "rate_cents": rng.randrange(low, high + 1, 100) * 100}
    return {"pay_type": "hourly", "rate_cents": rng.randrange(1_600, 8_501, 25)}


def last_years_wages(rng: random.Random, pay: Row, hire: date, year: int) -> int:
    """Last year's FICA wages from this employer: a year's pay (prorated from hire) +/- raises."""
    annual = pay["rate_cents"] * (2_080 if pay["pay_type"] == "hourly" else 1)
    days = min(365, max(0, (date(year, 1, 1) - hire).days))
    return annual * days // 365 * rng.randint(88, 104) // 100


def w4(rng: random.Random) -> Row:
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
    return {"w4": {"filing_status": filing_status, **w4_2020_steps(rng)}}


def w4_2020_steps(rng: random.Random) -> Row:
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


def de4(rng: random.Random, in_california: bool) -> Row:
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


def benefits(rng: random.Random) -> Row:
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


def bank(rng: random.Random) -> Row:
    return {
        "bank_routing": rng.choice(ROUTING_NUMBERS),
        "bank_account": digits(rng, rng.randint(8, 12)),
        "bank_account_type": "checking" if rng.random() < 0.85 else "savings",
    }


def planned_hours(
    rng: random.Random, workdays: tuple[date, ...], saturdays: tuple[date, ...]
) -> list[tuple[date, int]]:
    """Hours in hundredths (quarter hours) for the first period: mostly 8 h on business days;
    one in five works 9-11 h days and some Saturdays (weekly and CA daily overtime), rarely 13 h."""
    if rng.random() >= 0.2:
        return [(day, 800 if rng.random() < 0.9 else rng.choice(SHORT_DAYS)) for day in workdays]
    long_days = [
        (day, rng.choice(LONG_DAYS) if rng.random() >= 0.03 else 1_300) for day in workdays
    ]
    saturdays = [(day, rng.randrange(400, 801, 25)) for day in saturdays if rng.random() < 0.5]
    return sorted(long_days + saturdays)


STREETS = ("Oak", "Maple", "Cedar", "Pine", "Elm", "Walnut", "Lake", "Hill", "Park", "Mission")


def home_address(employer: Row, number: int) -> Row:
    """Near the employer, a street and number drawn from the employee's number alone (no rng
    draw, so every other seeded value stays as it was)."""
    street = f"{100 + number * 7919 % 9800} {STREETS[number * 31 % len(STREETS)]} Street"
    return {
        "address_street": street,
        "address_city": employer["address_city"],
        "address_postal_code": employer["address_postal_code"],
    }
