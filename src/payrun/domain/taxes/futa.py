"""FUTA: 6.0% less the 5.4% state credit (plus any credit reduction) on the first $7,000."""

from __future__ import annotations

from decimal import Decimal

from payrun.domain.money import cents
from payrun.domain.tables import FutaTables
from payrun.domain.taxes import taxable_under_base


def futa(
    wages: Decimal, ytd_wages: Decimal, credit_reduction: Decimal, tables: FutaTables
) -> tuple[Decimal, Decimal]:
    """(taxable wages, employer tax) at the net rate plus the state's credit reduction."""
    taxable = taxable_under_base(wages, ytd_wages, tables.wage_base)
    return taxable, cents(taxable * (tables.net_rate + credit_reduction))
