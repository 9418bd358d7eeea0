"""Fixed-width NACHA record layouts: one table of fields renders and parses each record."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from payrun.domain.errors import InvalidInput

RECORD_LENGTH = 94
BLOCKING_FACTOR = 10
PADDING_RECORD = "9" * RECORD_LENGTH


def block_count(record_count: int) -> int:
    """Blocks of BLOCKING_FACTOR records that hold record_count records (§6.1)."""
    return -(-record_count // BLOCKING_FACTOR)


# NACHA alphanumeric fields take characters 0x20 and above; we also exclude DEL and
# everything past ASCII, so a file is always plain printable ASCII (0x20-0x7E).
ACH_CHARACTERS = frozenset(chr(code) for code in range(0x20, 0x7F))


class Kind(Enum):
    CONSTANT = "constant"  # fixed text from the layout table
    NUMBER = "number"  # int, right-justified, zero-filled
    DIGITS = "digits"  # str of exactly `length` digits (routing parts, trace numbers)
    TEXT = "text"  # alphanumeric, left-justified, space-filled
    RIGHT_TEXT = "right_text"  # alphanumeric, right-justified, space-filled
    DATE = "date"  # YYMMDD
    OPTIONAL_DATE = "optional_date"  # YYMMDD or blanks
    BLANK = "blank"  # reserved: written as spaces, ignored when read


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a layout: attribute name, 1-based inclusive positions, kind."""

    name: str
    start: int
    end: int
    kind: Kind
    constant: str = ""

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def require_ach_text(value: str, field: str) -> str:
    """Refuse characters outside printable ASCII; the message names the first offender."""
    if value.isascii() and value.isprintable():  # in ASCII, printable is exactly 0x20-0x7E
        return value
    for char in value:
        if char not in ACH_CHARACTERS:
            raise InvalidInput(field, f"character {char!r} is outside the ACH character set")
    return value


def render(layout: tuple[Field, ...], record: object, label: str) -> str:
    """Write record's attributes into a 94-character line following layout."""
    parts = [_render_field(f, getattr(record, f.name, None), label) for f in layout]
    line = "".join(parts)
    if len(line) != RECORD_LENGTH:
        raise AssertionError(f"{label} rendered {len(line)} characters, not {RECORD_LENGTH}")
    return line


def parse(layout: tuple[Field, ...], line: str, label: str) -> dict[str, Any]:
    """Read the attributes layout names out of one 94-character line."""
    values: dict[str, Any] = {}
    for f in layout:
        raw = line[f.start - 1 : f.end]
        value = _parse_field(f, raw, label)
        if f.kind not in (Kind.CONSTANT, Kind.BLANK):
            values[f.name] = value
    return values


def line_pattern(layout: tuple[Field, ...]) -> re.Pattern[str]:
    """A regular expression matching exactly the 94-character ASCII lines that parse() reads
    without error, one group per value field (text not yet stripped). Layouts with a date
    are refused: a pattern cannot tell a real date."""
    parts = []
    for f in layout:
        if f.kind in (Kind.DATE, Kind.OPTIONAL_DATE):
            raise ValueError(f"{f.name}: a date field needs parse(), not a pattern")
        if f.kind is Kind.CONSTANT:
            parts.append(re.escape(f.constant))
        elif f.kind is Kind.BLANK:
            parts.append(f".{{{f.length}}}")
        elif f.kind in (Kind.NUMBER, Kind.DIGITS):
            parts.append(f"([0-9]{{{f.length}}})")
        else:
            parts.append(f"(.{{{f.length}}})")
    return re.compile("".join(parts), re.DOTALL)


def _field_label(f: Field, label: str) -> str:
    return f"{label} {f.name} (positions {f.start}-{f.end})"


def _render_field(f: Field, value: object, label: str) -> str:
    where = _field_label(f, label)
    if f.kind is Kind.CONSTANT:
        return f.constant
    if f.kind is Kind.BLANK:
        return " " * f.length
    if f.kind is Kind.NUMBER:
        return _render_number(value, f.length, where)
    if f.kind is Kind.DIGITS:
        return _render_digits(value, f.length, where)
    if f.kind in (Kind.DATE, Kind.OPTIONAL_DATE):
        return _render_date(value, f.kind, where)
    return _render_text(value, f.length, f.kind is Kind.RIGHT_TEXT, where)


def _render_number(value: object, length: int, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(where, f"must be an integer, got {value!r}")
    if value < 0 or len(str(value)) > length:
        raise InvalidInput(where, f"{value} does not fit {length} unsigned digits")
    return str(value).zfill(length)


def _render_digits(value: object, length: int, where: str) -> str:
    if not isinstance(value, str) or len(value) != length or not value.isdigit():
        raise InvalidInput(where, f"must be exactly {length} digits, got {value!r}")
    return value


def _render_date(value: object, kind: Kind, where: str) -> str:
    if value is None and kind is Kind.OPTIONAL_DATE:
        return " " * 6
    if not isinstance(value, date):
        raise InvalidInput(where, f"must be a date, got {value!r}")
    return value.strftime("%y%m%d")


def _render_text(value: object, length: int, right: bool, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(where, f"must be text, got {type(value).__name__}")
    require_ach_text(value, where)
    if len(value) > length:
        raise InvalidInput(where, f"{value!r} is longer than {length} characters")
    return value.rjust(length) if right else value.ljust(length)


def _parse_field(f: Field, raw: str, label: str) -> object:
    where = _field_label(f, label)
    if f.kind is Kind.CONSTANT:
        if raw != f.constant:
            raise InvalidInput(where, f"must be {f.constant!r}, found {raw!r}")
        return raw
    if f.kind is Kind.NUMBER:
        if not raw.isdigit():
            raise InvalidInput(where, f"must be digits, found {raw!r}")
        return int(raw)
    if f.kind is Kind.DIGITS:
        if not raw.isdigit():
            raise InvalidInput(where, f"must be digits, found {raw!r}")
        return raw
    if f.kind is Kind.DATE or (f.kind is Kind.OPTIONAL_DATE and raw.strip()):
        return _parse_date(raw, where)
    if f.kind is Kind.OPTIONAL_DATE:
        return None
    if f.kind is Kind.RIGHT_TEXT:
        return raw.lstrip(" ")
    return raw.rstrip(" ")


def _parse_date(raw: str, where: str) -> date:
    """YYMMDD; NACHA carries two-digit years, read here as 20YY."""
    if not raw.isdigit():
        raise InvalidInput(where, f"must be a YYMMDD date, found {raw!r}")
    try:
        return date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:6]))
    except ValueError:
        raise InvalidInput(where, f"is not a real date: {raw!r}") from None


ENTRY_HASH_MODULUS = 10**10  # an entry hash keeps its 10 low-order digits (§6.4)
