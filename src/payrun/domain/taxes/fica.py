"""FICA: Social Security up to the wage base, Medicare, Additional Medicare (employee only)."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.money import cents, not_below_zero
from payrun.domain.tables import FicaTables
from payrun.domain.taxes import taxable_under_base


def social_security(
    wages: Decimal, ytd_wages: Decimal, fica: FicaTables
) -> tuple[Decimal, Decimal]:
    """(taxable wages, tax) for the employee; the employer matches the same amount."""
    taxable = taxable_under_base(wages, ytd_wages, fica.social_security_wage_base)
    return taxable, cents(taxable * fica.social_security_rate)


def medicare(wages: Decimal, fica: FicaTables) -> Decimal:
    """1.45% of all Medicare wages; the employer matches it."""
    return cents(wages * fica.medicare_rate)


def additional_medicare(
    wages: Decimal, ytd_wages: Decimal, fica: FicaTables
) -> tuple[Decimal, Decimal]:
    """(wages over the threshold this period, tax): 0.9% once YTD wages pass $200,000."""
    threshold = fica.additional_medicare_threshold
    over = not_below_zero(ytd_wages + wages - threshold) - not_below_zero(ytd_wages - threshold)
    return over, cents(over * fica.additional_medicare_rate)
