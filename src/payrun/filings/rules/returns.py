"""Form 941 (+ Schedule B), DE 9 + DE 9C and Form 940 from a period's liabilities, in cents.

A return is computed from the same per-pay-date figures the deposits were made from, so it
reconciles with them exactly when every deposit was made: Form 941 line 7 takes the fractions
of cents between the rate-times-wages of lines 5a-5d and the amounts actually withheld and
owed per paycheck (Form 941 instructions, line 7).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

SS_RATE, MEDICARE_RATE, ADDITIONAL_RATE = Decimal("0.124"), Decimal("0.029"), Decimal("0.009")
FUTA_NET_RATE = Decimal("0.006")  # 6.0% less the 5.4% maximum credit (Form 940 line 8)


@dataclass(frozen=True, slots=True)
class TaxLine:
    """One tax on one pay date, as the liability event carried it."""

    tax: str
    pay_date: date
    wages_cents: int
    taxable_wages_cents: int
    withheld_cents: int
    employer_cents: int
    employee_count: int


def _rate(cents: int, rate: Decimal) -> int:
    return int((Decimal(cents) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _sum(lines: Iterable[TaxLine], tax: str, field: str) -> int:
    return sum(getattr(line, field) for line in lines if line.tax == tax)


FEDERAL_DEPOSIT_TAXES = ("FIT", "SOCIAL_SECURITY", "MEDICARE", "ADDITIONAL_MEDICARE")


def federal_liability_by_pay_date(lines: Iterable[TaxLine]) -> dict[date, int]:
    """What is deposited per pay date: income tax withheld + both shares of FICA."""
    result: dict[date, int] = defaultdict(int)
    for line in lines:
        if line.tax in FEDERAL_DEPOSIT_TAXES:
            result[line.pay_date] += line.withheld_cents + line.employer_cents
    return dict(result)


def form_941(lines: Sequence[TaxLine], deposits_cents: int, semiweekly: bool) -> dict[str, int]:
    """Form 941 lines in cents (col. 2 amounts under "5a" etc., wages under "5a_wages")."""
    ss_wages = _sum(lines, "SOCIAL_SECURITY", "taxable_wages_cents")
    med_wages = _sum(lines, "MEDICARE", "taxable_wages_cents")
    add_wages = _sum(lines, "ADDITIONAL_MEDICARE", "taxable_wages_cents")
    out = {
        "1": max((x.employee_count for x in lines if x.tax == "FIT"), default=0),
        "2": _sum(lines, "FIT", "taxable_wages_cents"),
        "3": _sum(lines, "FIT", "withheld_cents"),
        "5a_wages": ss_wages,
        "5a": _rate(ss_wages, SS_RATE),
        "5c_wages": med_wages,
        "5c": _rate(med_wages, MEDICARE_RATE),
        "5d_wages": add_wages,
        "5d": _rate(add_wages, ADDITIONAL_RATE),
    }
    out["5e"] = out["5a"] + out["5c"] + out["5d"]
    out["6"] = out["3"] + out["5e"]
    fica_owed = sum(
        x.withheld_cents + x.employer_cents
        for x in lines
        if x.tax in ("SOCIAL_SECURITY", "MEDICARE", "ADDITIONAL_MEDICARE")
    )
    out["7"] = fica_owed - out["5e"]  # fractions of cents
    out["10"] = out["6"] + out["7"]
    out["12"] = out["10"]  # line 11 (credits) is 0
    out["13"] = deposits_cents
    out["14"] = max(0, out["12"] - out["13"])
    out["15"] = max(0, out["13"] - out["12"])
    return out


def monthly_liabilities(by_pay_date: Mapping[date, int], year: int, quarter: int) -> dict[str, int]:
    """Line 16 for a monthly depositor: each month's liability and the total."""
    months = [3 * quarter - 2 + i for i in range(3)]
    out = {
        f"month_{i + 1}": sum(c for d, c in by_pay_date.items() if (d.year, d.month) == (year, m))
        for i, m in enumerate(months)
    }
    out["total"] = sum(out.values())
    return out


def schedule_b(by_pay_date: Mapping[date, int]) -> dict[str, int]:
    """Schedule B: the liability of each day wages were paid, and the total."""
    out = {d.isoformat(): c for d, c in sorted(by_pay_date.items())}
    out["total"] = sum(by_pay_date.values())
    return out


def de_9(lines: Sequence[TaxLine], deposits_cents: int) -> dict[str, int]:
    """DE 9 items in cents: C subject wages, D UI, E ETT, F SDI, G PIT, H subtotal, I paid
    for the quarter (the DE 88 deposits), J due (H - I; negative is an overpayment)."""
    out = {
        "C": _sum(lines, "CA_SDI", "taxable_wages_cents"),  # SDI has no wage ceiling
        "D_wages": _sum(lines, "CA_UI", "taxable_wages_cents"),
        "D": _sum(lines, "CA_UI", "employer_cents"),
        "E": _sum(lines, "CA_ETT", "employer_cents"),
        "F_wages": _sum(lines, "CA_SDI", "taxable_wages_cents"),
        "F": _sum(lines, "CA_SDI", "withheld_cents"),
        "G_wages": _sum(lines, "CA_PIT", "taxable_wages_cents"),
        "G": _sum(lines, "CA_PIT", "withheld_cents"),
    }
    out["H"] = out["D"] + out["E"] + out["F"] + out["G"]
    out["I"] = deposits_cents
    out["J"] = out["H"] - out["I"]
    return out


def form_940(
    lines: Sequence[TaxLine], deposits_cents: int, credit_reduction: Decimal
) -> dict[str, int]:
    """Form 940 lines in cents: 3 total payments, 5 payments over $7,000 per employee, 7
    taxable FUTA wages, 8 = 7 x 0.6%, 11 credit reduction (Schedule A), 12 total, 13
    deposited, 14 balance due, 15 overpayment."""
    out = {"3": _sum(lines, "FUTA", "wages_cents"), "7": _sum(lines, "FUTA", "taxable_wages_cents")}
    out["5"] = out["3"] - out["7"]
    out["8"] = _rate(out["7"], FUTA_NET_RATE)
    out["11"] = _rate(out["7"], credit_reduction)
    out["12"] = out["8"] + out["11"]
    out["13"] = deposits_cents
    out["14"] = max(0, out["12"] - out["13"])
    out["15"] = max(0, out["13"] - out["12"])
    return out


def dollars(cents: int) -> str:
    """Two decimals, as the forms and the JSON show money."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
