"""Load the effective-dated deposit rules (payrun/tables/<year>/deposits.toml)."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from importlib.resources import files

from payrun.domain.errors import UnknownTable
from payrun.domain.money import to_decimal
from payrun.filings.rules import DepositRules


def _cents(value: object, field: str) -> int:
    return int(to_decimal(value, field).scaleb(2))


@lru_cache(maxsize=16)
def deposit_rules(year: int) -> DepositRules:
    """The deposit rules for liabilities in `year`; an unknown year raises UnknownTable."""
    source = files("payrun.tables") / str(year) / "deposits.toml"
    if not source.is_file():
        raise UnknownTable(f"no deposit rules on file for {year}")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    meta, fed, ca = data["meta"], data["federal"], data["california"]
    return DepositRules(
        effective_from=meta["effective_from"],
        effective_to=meta["effective_to"],
        lookback_threshold_cents=_cents(fed["lookback_threshold"], "lookback_threshold"),
        next_day_threshold_cents=_cents(fed["next_day_threshold"], "next_day_threshold"),
        semiweekly_banking_days=int(fed["semiweekly_banking_days"]),
        monthly_due_day=int(fed["monthly_due_day"]),
        futa_deposit_threshold_cents=_cents(fed["futa_deposit_threshold"], "futa"),
        ca_monthly_pit_threshold_cents=_cents(ca["monthly_pit_threshold"], "ca monthly"),
        ca_semiweekly_pit_threshold_cents=_cents(ca["semiweekly_pit_threshold"], "ca semiweekly"),
        ca_monthly_due_day=int(ca["monthly_due_day"]),
    )


def rules_for(day: date) -> DepositRules:
    return deposit_rules(day.year)
