"""What the API's bodies share: strict models, money as two-decimal strings, pages, cursors."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from payrun.entrypoints.api.problems import Problem

T = TypeVar("T")

# A printable single line, no control characters (unicode tricks such as RLO are refused).
_LINE = r"^[^\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]*$"
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=_LINE)
]
# A company's name: letters, digits, spaces and the punctuation names use; no ; < > = " etc.
_NAME = r"^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} &'.,()/#+-]*$"
CompanyName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=_NAME)
]
# A street and a city, in the words and punctuation company names use (the columns' lengths).
Street = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=_NAME)
]
City = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=_NAME)
]
PostalCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}(-[0-9]{4})?$")]  # ZIP(+4)
StateCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Routing = Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]
AccountNumber = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{4,17}$")]
MoneyText = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,9}(\.[0-9]{1,2})?$"),
    Field(description="dollars as a decimal string, at most two decimals", examples=["1250.00"]),
]
Url = Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://[^\s]+$")]
Email = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, nothing is coerced from the wrong type."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(Public, Generic[T]):
    items: list[T]
    next_cursor: str | None


def money(cents: int) -> str:
    """Integer cents as dollars with two decimals ("-12.50")."""
    return f"{Decimal(cents) / 100:.2f}"


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


def day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Problem(422, "invalid_input", "must be a date YYYY-MM-DD", field) from None


def encode_cursor(last_id: int | str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id after which the next page starts; 0 for the first page."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise Problem(422, "invalid_cursor", "not a cursor this API gave", "cursor") from None
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise Problem(422, "invalid_cursor", "not a cursor this API gave", "cursor")
    return after


def page(items: list[T], ids: list[int], limit: int) -> dict[str, object]:
    """One more row than asked was read: if it came, there is a next page."""
    more = len(items) > limit
    kept = items[:limit]
    return {"items": kept, "next_cursor": encode_cursor(ids[limit - 1]) if more else None}


Limit = Annotated[int, Field(ge=1, le=200)]
