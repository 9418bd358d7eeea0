"""Load a state's rule file (``tables/<year>/<st>.toml``) into ``StateRules``, and list the
figures whose status is UNCONFIRMED (``payrun tables check``).

Every figure is written ``name = { value = ..., source = "...", status = "confirmed" }``:
the value beside its source and its status. A value is a decimal string, a list or a table of
them (by pay frequency or column); a schedule is a table with ``convention`` ("at_least": a
row covers [floor, ceiling); "over": (floor, ceiling]), ``source``, ``status`` and ``rows`` of
[floor, ceiling ("" = and over), percent, base tax].
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from payrun.domain.errors import UnknownTable
from payrun.domain.state_codes import EMPLOYEE_CODES
from payrun.domain.tables import Bracket, EmployeeProgram, RateSchedule, StateEdition, StateRules

_HUNDRED = Decimal(100)
_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")  # a decimal figure; anything else is a name
STATUSES = ("confirmed", "UNCONFIRMED")
_CONVENTIONS = {"at_least": True, "over": False}
_EDITION_DATES = ("pay_date", "period_end")


@dataclass(frozen=True, slots=True)
class FigureStatus:
    """Where a figure came from and whether two sources agree."""

    file: str
    name: str
    value: str
    source: str
    status: str


def state_rules(data: Mapping[str, Any], where: str) -> StateRules:
    meta = data["meta"]
    edition_date = meta.get("edition_date", "pay_date")
    if edition_date not in _EDITION_DATES:
        raise UnknownTable(
            f"{where}.meta.edition_date: {edition_date!r} is not one of pay_date, period_end"
        )
    editions = tuple(
        _edition(edition, f"{where}.edition[{index}]")
        for index, edition in enumerate(data.get("edition", ()))
    )
    for earlier, later in pairwise(editions):
        if later.effective_from <= earlier.effective_to:
            raise UnknownTable(f"{where}.edition: editions overlap at {later.effective_from}")
    sui = data.get("sui", {})
    base = sui.get("wage_base")
    rate = sui.get("new_employer_percent")
    return StateRules(
        method=str(meta["withholding"]),
        edition_date=edition_date,
        editions=editions,
        pit_excludes=frozenset(
            _value(data["wages"]["pit_excludes"], f"{where}.wages.pit_excludes")
        ),
        sui_wage_base=None if base is None else _value(base, f"{where}.sui.wage_base"),
        sui_new_employer_rate=None
        if rate is None
        else _pct(rate, f"{where}.sui.new_employer_percent"),
        programs=tuple(
            _program(code, program, f"{where}.programs.{code}")
            for code, program in data.get("programs", {}).items()
        ),
    )


def _edition(data: Mapping[str, Any], where: str) -> StateEdition:
    start, end = data["effective_from"], data["effective_to"]
    if not (isinstance(start, date) and isinstance(end, date) and start <= end):
        raise UnknownTable(f"{where}: effective_from/effective_to must be dates in order")
    figures = {
        name: _value(figure, f"{where}.figures.{name}")
        for name, figure in data.get("figures", {}).items()
    }
    schedules = {
        name: _schedule(schedule, f"{where}.schedules.{name}")
        for name, schedule in data.get("schedules", {}).items()
    }
    return StateEdition(start, end, figures, schedules)


def _program(code: str, data: Mapping[str, Any], where: str) -> EmployeeProgram:
    if code not in EMPLOYEE_CODES:
        raise UnknownTable(f"{where}: unknown employee tax code {code!r}")

    def optional(name: str) -> Decimal | None:
        return None if name not in data else _value(data[name], f"{where}.{name}")

    return EmployeeProgram(
        code=code,
        rate=_pct(data["percent"], f"{where}.percent"),
        wages=_wages(_value(data["wages"], f"{where}.wages"), where),
        wage_base=optional("wage_base"),
        annual_max=optional("annual_max"),
        weekly_max=optional("weekly_max"),
    )


def _wages(value: Any, where: str) -> str:
    if value not in ("gross", "state_ui"):
        raise UnknownTable(f"{where}.wages: must be gross or state_ui, got {value!r}")
    return str(value)


def _checked(figure: Any, where: str) -> Any:
    """The value of a ``{value, source, status}`` figure, refusing one without both notes."""
    if not isinstance(figure, Mapping) or "value" not in figure:
        raise UnknownTable(f"{where}: write figures as {{ value, source, status }}")
    if not figure.get("source"):
        raise UnknownTable(f"{where}: every figure needs its source")
    if figure.get("status") not in STATUSES:
        raise UnknownTable(f"{where}: status must be one of {', '.join(STATUSES)}")
    return figure["value"]


def _value(figure: Any, where: str) -> Any:
    return _convert(_checked(figure, where), where)


def _convert(value: Any, where: str) -> Any:
    if isinstance(value, float | bool):
        raise UnknownTable(f"{where}: table figures must be strings, not {value!r}")
    if isinstance(value, Mapping):
        return {key: _convert(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return tuple(_convert(item, f"{where}[{index}]") for index, item in enumerate(value))
    if isinstance(value, str) and _NUMBER.match(value):
        return Decimal(value)
    return value


def _pct(figure: Any, where: str) -> Decimal:
    value = _value(figure, where)
    if not isinstance(value, Decimal):
        raise UnknownTable(f"{where}: a percent must be a decimal string")
    return value / _HUNDRED


def _schedule(data: Mapping[str, Any], where: str) -> RateSchedule:
    if data.get("convention") not in _CONVENTIONS:
        raise UnknownTable(f"{where}.convention: must be at_least or over")
    rows = _checked({"value": data.get("rows"), **data}, where)
    brackets = []
    for index, (low, high, percent, base) in enumerate(rows):
        at = f"{where}.rows[{index}]"
        floor, add, rate = _convert(low, at), _convert(base, at), _convert(percent, at)
        ceiling = None if high == "" else _convert(high, at)
        brackets.append(Bracket(floor, ceiling, add, rate / _HUNDRED))
    for lower, upper in pairwise(brackets):
        if lower.ceiling != upper.floor:
            raise UnknownTable(f"{where}: rows leave a gap at {lower.ceiling}")
    if not brackets or brackets[0].floor != 0:
        raise UnknownTable(f"{where}: a schedule must start at 0")
    return RateSchedule(where.rsplit(".", 1)[-1], tuple(brackets), _CONVENTIONS[data["convention"]])


def figure_statuses(data: Mapping[str, Any], file: str) -> Iterator[FigureStatus]:
    """Every figure and schedule of a rule file with its source and status, in file order."""
    for section in ("wages", "sui"):
        for name, figure in data.get(section, {}).items():
            yield _status(file, f"{section}.{name}", figure)
    for code, program in data.get("programs", {}).items():
        for name, figure in program.items():
            yield _status(file, f"programs.{code}.{name}", figure)
    for edition in data.get("edition", ()):
        dates = f"{edition['effective_from']}..{edition['effective_to']}"
        for name, figure in edition.get("figures", {}).items():
            yield _status(file, f"edition {dates} {name}", figure)
        for name, schedule in edition.get("schedules", {}).items():
            yield _status(file, f"edition {dates} schedule {name}", {**schedule, "value": "rows"})


def _status(file: str, name: str, figure: Mapping[str, Any]) -> FigureStatus:
    value = figure.get("value")
    shown = value if isinstance(value, str) else "(table)"
    return FigureStatus(file, name, shown, str(figure.get("source")), str(figure.get("status")))
