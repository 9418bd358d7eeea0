"""JSON-safe dicts for the frozen stage results: money and decimals as strings, dates ISO.

Both directions are compiled once per type (``functools.cache``): writing dispatches on the
value's class, reading on the field's type hint, so no value pays for typing introspection.
A dataclass is written and read through its ``__init__`` fields only (memo fields stay out).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Hashable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from payrun.domain.money import CENT, Money

T = TypeVar("T")
Convert = Callable[[Any], Any]


def money_text(value: Money) -> str:
    """Two decimals when the amount is whole cents (always, for results); else exact."""
    amount = value.amount
    text = str(amount)
    if text[-3:-2] == ".":  # already exactly two decimals (a rounded amount): the fast path
        return text
    return f"{amount:.2f}" if amount == amount.quantize(CENT) else text


def to_jsonable(value: Any) -> Any:
    kind = type(value)
    write = _WRITERS.get(kind)
    if write is None:
        write = _WRITERS[kind] = _writer(kind)
    return write(value)


def _same(value: Any) -> Any:
    return value


_WRITERS: dict[type, Convert] = {}  # class -> its writer, filled on first use


def _writer(kind: type) -> Convert:
    """How to write a value of exactly this class."""
    if kind is Money:
        return money_text
    if kind in (str, int, bool, type(None)):
        return _same
    if kind is Decimal:
        return str
    if issubclass(kind, Enum):
        return lambda value: value.value
    if issubclass(kind, date):
        return lambda value: value.isoformat()
    if dataclasses.is_dataclass(kind):
        names = _names(typing.cast(Hashable, kind))
        return lambda value: {name: to_jsonable(getattr(value, name)) for name in names}
    if issubclass(kind, tuple | list):
        return lambda value: [to_jsonable(item) for item in value]
    if issubclass(kind, Mapping):
        return lambda value: {str(key): to_jsonable(item) for key, item in value.items()}
    return _same


def _names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)
