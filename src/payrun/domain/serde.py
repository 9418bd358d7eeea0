"""JSON-safe dicts for the frozen stage results: money and decimals as strings, dates ISO."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Hashable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from payrun.domain.money import CENT, Money

T = TypeVar("T")


def money_text(value: Money) -> str:
    """Two decimals when the amount is whole cents (always, for results); else exact."""
    amount = value.amount
    return f"{amount:.2f}" if amount == amount.quantize(CENT) else str(amount)


def to_jsonable(value: Any) -> Any:
    kind = type(value)
    if kind is Money:
        return money_text(value)
    if kind in _PLAIN:
        return value
    if kind is Decimal:
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            name: to_jsonable(getattr(value, name))
            for name in _all_names(typing.cast(Hashable, kind))
        }
    if isinstance(value, tuple | list):
        return [to_jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    return value


_PLAIN = frozenset({str, int, bool, type(None)})


@cache
def _all_names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def from_jsonable(cls: type[T], data: Mapping[str, Any]) -> T:
    """Rebuild a dataclass written by ``to_jsonable``; exact for every field type used here."""
    fields = _field_converters(typing.cast(Hashable, cls))
    return cls(**{name: convert(data[name]) for name, convert in fields if name in data})


@cache
def _field_converters(cls: Any) -> tuple[tuple[str, Any], ...]:
    """Per class, once: each init field with a converter compiled from its type hint."""
    hints = _hints(cls)
    return tuple((name, _compiled(hints[name])) for name in _names(cls))


@cache
def _compiled(hint: Any) -> Any:
    def convert(value: Any) -> Any:
        return None if value is None else _convert(hint, value)

    if hint is Money:
        return lambda value: None if value is None else Money(Decimal(value))
    if hint is Decimal:
        return lambda value: None if value is None else Decimal(value)
    if hint in (str, int, bool):
        return lambda value: value
    return convert


@cache
def _names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _convert(options[0], value)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_convert(item, element) for element in value)
    if origin in (Mapping, dict) or (origin is not None and issubclass(origin, Mapping)):
        _, item = typing.get_args(hint)
        return {key: _convert(item, element) for key, element in value.items()}
    if hint is Money:
        return Money(Decimal(value))
    if hint is Decimal:
        return Decimal(value)
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if dataclasses.is_dataclass(hint):
        return from_jsonable(typing.cast(type, hint), value)
    return value
