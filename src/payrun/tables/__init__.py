"""Load the effective-dated tax tables (``tables/<year>/*.toml``) into domain table objects.

Adding a year is a data change: drop ``tables/2027/federal.toml`` (and the state files) next
to 2026. An unknown year or state raises ``UnknownTable``; nothing is ever defaulted.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib.abc import Traversable
from importlib.resources import files
from itertools import pairwise
from typing import Any

from payrun.domain.errors import InvalidInput, UnknownTable
from payrun.domain.money import to_decimal
from payrun.domain.tables import (
    Bracket,
    CaliforniaTables,
    FederalWithholdingTables,
    FicaTables,
    FutaTables,
    RateSchedule,
    RetirementLimits,
    StateTables,
    TaxTables,
)
from payrun.tables.state_rules import FigureStatus, figure_statuses, state_rules

__all__ = [
    "available_years",
    "figure_statuses_for",
    "load_tables",
    "load_tables_from",
    "tables_for_pay_date",
]

_HUNDRED = Decimal(100)
_CA_COLUMNS = ("single", "married_0_1", "married_2_plus", "head_of_household")


def _root() -> Traversable:
    return files(__name__)


def available_years(root: Traversable | None = None) -> list[int]:
    base = root or _root()
    return sorted(int(p.name) for p in base.iterdir() if p.name.isdigit())


@lru_cache(maxsize=64)
def load_tables(year: int, state: str | None) -> TaxTables:
    """The tables for pay dates in ``year`` and work ``state`` (None: federal only). Cached."""
    return load_tables_from(_root(), year, state)


def tables_for_pay_date(pay_date: date, state: str | None) -> TaxTables:
    """Withholding follows the pay date: the tables in effect on that date."""
    tables = load_tables(pay_date.year, state)
    if not tables.effective_from <= pay_date <= tables.effective_to:
        raise UnknownTable(f"no tables in effect on {pay_date.isoformat()}")
    return tables


def load_tables_from(root: Traversable, year: int, state: str | None) -> TaxTables:
    year_dir = root / str(year)
    federal_file = year_dir / "federal.toml"
    if not federal_file.is_file():
        known = ", ".join(str(y) for y in available_years(root)) or "none"
        raise UnknownTable(f"no tax tables on file for {year} (years on file: {known})")
    federal = _read(federal_file)
    meta = federal["meta"]
    if meta["year"] != year:
        raise UnknownTable(f"{year}/federal.toml says it is for {meta['year']}")
    return TaxTables(
        year=year,
        version=str(meta["version"]),
        effective_from=meta["effective_from"],
        effective_to=meta["effective_to"],
        federal=_federal(federal["withholding"]),
        fica=_fica(federal["fica"]),
        futa=_futa(federal["futa"]),
        retirement=_retirement(federal["retirement"]),
        state=None if state is None else _state(year_dir, year, state),
    )


def _read(resource: Traversable) -> dict[str, Any]:
    with resource.open("rb") as handle:
        return tomllib.load(handle)


def _state(year_dir: Traversable, year: int, state: str) -> StateTables:
    code = state.strip().upper()
    state_file = year_dir / f"{code.lower()}.toml"
    if state_file.is_file():
        data = _read(state_file)
        method = data["meta"]["withholding"]
        if method == "ca_method_b":
            return StateTables(code, "ca_method_b", _california(data))
        if data["meta"].get("state") != code or data["meta"].get("year") != year:
            raise UnknownTable(f"{year}/{state_file.name}: meta.state/year do not match")
        return StateTables(code, method, None, state_rules(data, f"{year}/{state_file.name}"))
    states_file = year_dir / "states.toml"
    if states_file.is_file() and code in _read(states_file)["no_income_tax"]["states"]:
        return StateTables(code, "none", None)
    raise UnknownTable(
        f"no {year} tables on file for work state {code!r}: only the states with a table"
        " file and those without a wage income tax (states.toml) are supported"
    )


def figure_statuses_for(year: int, root: Traversable | None = None) -> list[FigureStatus]:
    """Every state rule figure on file for ``year`` with its source and status."""
    year_dir = (root or _root()) / str(year)
    if not (year_dir / "federal.toml").is_file():
        raise UnknownTable(f"no tax tables on file for {year}")
    found: list[FigureStatus] = []
    for entry in sorted(year_dir.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".toml") and entry.name not in ("federal.toml", "states.toml"):
            data = _read(entry)
            if "edition" in data:
                found.extend(figure_statuses(data, f"{year}/{entry.name}"))
    return found


def _dec(value: object, where: str) -> Decimal:
    if isinstance(value, float):
        raise UnknownTable(f"{where}: table figures must be strings, not float {value!r}")
    try:
        return to_decimal(value, where)
    except InvalidInput as error:
        raise UnknownTable(str(error)) from None


def _pct(value: object, where: str) -> Decimal:
    return _dec(value, where) / _HUNDRED


def _edd_row(row: Sequence[str]) -> tuple[str, str, str, str, str]:
    """EDD prints [over, but not over, percent, of amount over, plus]; reorder like Pub 15-T."""
    over, not_over, pct, of_amount_over, plus = row
    return over, not_over, plus, pct, of_amount_over


def _schedule(name: str, rows: Sequence[Sequence[str]], floor_inclusive: bool) -> RateSchedule:
    brackets = []
    for index, (low, high, base, pct, over) in enumerate(rows):
        where = f"{name}[{index}]"
        floor = _dec(low, where)
        if _dec(over, where) != floor:
            raise UnknownTable(f"{where}: 'of excess over' must equal the row's floor")
        ceiling = None if high == "" else _dec(high, where)
        brackets.append(Bracket(floor, ceiling, _dec(base, where), _pct(pct, where)))
    for lower, upper in pairwise(brackets):
        if lower.ceiling != upper.floor:
            raise UnknownTable(f"{name}: rows leave a gap at {lower.ceiling}")
    if brackets[0].floor != 0 or brackets[-1].ceiling is not None:
        raise UnknownTable(f"{name}: a schedule must start at 0 and end open")
    return RateSchedule(name, tuple(brackets), floor_inclusive)


def _federal(data: Mapping[str, Any]) -> FederalWithholdingTables:
    def schedules(kind: str) -> dict[str, RateSchedule]:
        table = {k: _schedule(f"federal.{kind}.{k}", v, True) for k, v in data[kind].items()}
        table.setdefault("married_filing_separately", table["single"])
        return table

    return FederalWithholdingTables(
        allowance=_dec(data["allowance"], "allowance"),
        line_1g={k: _dec(v, f"line_1g.{k}") for k, v in data["line_1g"].items()},
        standard=schedules("standard"),
        checkbox=schedules("checkbox"),
        supplemental_rate=_pct(data["supplemental_percent"], "supplemental"),
        supplemental_mandatory_rate=_pct(data["supplemental_mandatory_percent"], "mandatory"),
        supplemental_mandatory_threshold=_dec(data["supplemental_mandatory_threshold"], "1M"),
    )


def _fica(data: Mapping[str, Any]) -> FicaTables:
    return FicaTables(
        social_security_rate=_pct(data["social_security_percent"], "fica.ss"),
        social_security_wage_base=_dec(data["social_security_wage_base"], "fica.base"),
        medicare_rate=_pct(data["medicare_percent"], "fica.medicare"),
        additional_medicare_rate=_pct(data["additional_medicare_percent"], "fica.addl"),
        additional_medicare_threshold=_dec(data["additional_medicare_threshold"], "fica.thr"),
    )


def _futa(data: Mapping[str, Any]) -> FutaTables:
    return FutaTables(
        gross_rate=_pct(data["gross_percent"], "futa.gross"),
        max_credit_rate=_pct(data["max_credit_percent"], "futa.credit"),
        wage_base=_dec(data["wage_base"], "futa.wage_base"),
    )


def _retirement(data: Mapping[str, Any]) -> RetirementLimits:
    return RetirementLimits(**{k: _dec(v, f"retirement.{k}") for k, v in data.items()})


def _columns(table: Mapping[str, Sequence[str]], where: str) -> dict[str, dict[str, Decimal]]:
    return {
        freq: {col: _dec(v, f"{where}.{freq}") for col, v in zip(_CA_COLUMNS, row, strict=True)}
        for freq, row in table.items()
    }


def _per_allowance(
    table: Mapping[str, Sequence[str]], where: str
) -> dict[str, tuple[Decimal, ...]]:
    return {freq: tuple(_dec(v, f"{where}.{freq}") for v in row) for freq, row in table.items()}


def _california(data: Mapping[str, Any]) -> CaliforniaTables:
    pit, payroll = data["pit"], data["payroll"]
    rates = {
        freq: {
            st: _schedule(f"ca.{freq}.{st}", [_edd_row(r) for r in rows], False)
            for st, rows in by_status.items()
        }
        for freq, by_status in pit["rates"].items()
    }
    sdi_base = payroll["sdi_wage_base"]
    return CaliforniaTables(
        low_income_exemption=_columns(pit["low_income_exemption"], "ca.table1"),
        estimated_deduction=_per_allowance(pit["estimated_deduction"], "ca.table2"),
        standard_deduction=_columns(pit["standard_deduction"], "ca.table3"),
        exemption_credit=_per_allowance(pit["exemption_credit"], "ca.table4"),
        rates=rates,
        sdi_rate=_pct(payroll["sdi_percent"], "ca.sdi"),
        sdi_wage_base=None if sdi_base == "" else _dec(sdi_base, "ca.sdi_wage_base"),
        ui_wage_base=_dec(payroll["ui_wage_base"], "ca.ui_wage_base"),
        ui_new_employer_rate=_pct(payroll["ui_new_employer_percent"], "ca.ui"),
        ett_rate=_pct(payroll["ett_percent"], "ca.ett"),
        ett_wage_base=_dec(payroll["ett_wage_base"], "ca.ett_wage_base"),
        supplemental_bonus_rate=_pct(payroll["supplemental_bonus_percent"], "ca.bonus"),
        supplemental_other_rate=_pct(payroll["supplemental_other_percent"], "ca.other"),
    )
