"""Shared builders for the state rule tests: a state's edition on a date, a StatePaycheck."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from payrun.domain.certificates import NOWHERE, Place, StateCertificates
from payrun.domain.periods import PayFrequency
from payrun.domain.tables import StateEdition, StateRules
from payrun.domain.taxes import Explainer
from payrun.domain.taxes.states import StatePaycheck
from payrun.tables import load_tables

SILENT = Explainer(False)
D = Decimal


def rules(state: str) -> StateRules:
    found = load_tables(2026, state).state
    assert found is not None and found.rules is not None
    return found.rules


def edition(state: str, on: date = date(2026, 3, 13)) -> StateEdition:
    return rules(state).edition_on(on)


def paycheck(
    wages: str,
    frequency: PayFrequency = PayFrequency.WEEKLY,
    supplemental: str = "0",
    flat: bool = True,
    residence: Place = NOWHERE,
    work: Place = NOWHERE,
    ytd: dict[str, Decimal] | None = None,
    **certificates: Any,
) -> StatePaycheck:
    return StatePaycheck(
        Decimal(wages),
        Decimal(supplemental),
        flat,
        frequency,
        date(2026, 3, 13),
        StateCertificates(**certificates),
        residence,
        work,
        ytd=ytd or {},
    )
