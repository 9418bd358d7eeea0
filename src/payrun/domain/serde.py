"""JSON-safe dicts for the frozen stage results: money and decimals as strings, dates ISO.

Both directions are compiled once per type (``functools.cache``): writing dispatches on the
value's class, reading on the field's type hint, so no value pays for typing introspection.
A dataclass is written and read through its ``__init__`` fields only (memo fields stay out).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Hashable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
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


def from_jsonable(cls: type[T], data: Mapping[str, Any]) -> T:
    """Rebuild a dataclass written by ``to_jsonable``; exact for every field type used here."""
    fields = _READERS.get(cls)
    if fields is None:
        fields = _READERS[cls] = _field_readers(cls)
    return cls(**{name: read(data[name]) for name, read in fields if name in data})


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


_READERS: dict[type, tuple[tuple[str, Convert], ...]] = {}  # class -> its field readers


def _field_readers(cls: Any) -> tuple[tuple[str, Convert], ...]:
    """Per class, once: each init field with a reader compiled from its type hint."""
    hints = typing.get_type_hints(cls)
    return tuple((name, _reader(hints[name])) for name in _names(cls))


@cache
def _reader(hint: Any) -> Convert:
    """How to read a JSON value into ``hint``; ``None`` stays ``None`` for every type."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _reader(options[0])
    if origin is tuple:
        item = _reader(typing.get_args(hint)[0])
        return lambda value: None if value is None else tuple([item(each) for each in value])
    if origin in (Mapping, dict) or (origin is not None and issubclass(origin, Mapping)):
        entry = _reader(typing.get_args(hint)[1])
        return lambda value: (
            None if value is None else {key: entry(each) for key, each in value.items()}
        )
    if hint is Money:
        return _read_money
    if hint is Decimal:
        return lambda value: None if value is None else Decimal(value)
    if hint is date:
        return lambda value: None if value is None else date.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        members = {member.value: member for member in hint}

        def read_enum(value: Any) -> Any:
            if value is None:
                return None
            found = members.get(value)
            return hint(value) if found is None else found

        return read_enum
    if dataclasses.is_dataclass(hint):
        cls = typing.cast(type, hint)
        return lambda value: None if value is None else from_jsonable(cls, value)
    return _same


def _read_money(value: Any) -> Money | None:
    return None if value is None else Money(Decimal(value))


@cache
def _names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)
