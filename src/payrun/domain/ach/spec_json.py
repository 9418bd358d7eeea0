"""The JSON shape `payrun ach build` reads, turned into an AchFileSpec (amounts as strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from payrun.domain.ach.spec import AchFileSpec, BatchSpec, EntrySpec
from payrun.domain.errors import InvalidInput

CENTS_PER_DOLLAR = 100


def file_spec_from_json(document: object) -> AchFileSpec:
    """Read the issue's JSON shape; raise InvalidInput naming the first bad field."""
    root = _object(document, "file")
    batches = _list(root, "batches", "batches")
    return AchFileSpec(
        immediate_destination=_str(root, "immediate_destination"),
        immediate_origin=_str(root, "immediate_origin"),
        destination_name=_str(root, "destination_name"),
        origin_name=_str(root, "origin_name"),
        created=_datetime(root, "created"),
        file_id_modifier=_str(root, "file_id_modifier", default="A"),
        reference_code=_str(root, "reference_code", default=""),
        first_trace_sequence=_int(root, "first_trace_sequence", "first_trace_sequence", 1),
        batches=tuple(_batch(b, f"batches[{i}]") for i, b in enumerate(batches)),
    )


def amount_to_cents(value: object, field: str) -> int:
    """'2161.55' -> 216155. Refuses floats, non-strings and fractions of a cent."""
    if not isinstance(value, str):
        kind = type(value).__name__
        raise InvalidInput(field, f'must be a decimal string like "2161.55", not {kind}')
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise InvalidInput(field, f"is not a number: {value!r}") from None
    if not amount.is_finite():
        raise InvalidInput(field, f"must be finite, got {value!r}")
    cents = amount * CENTS_PER_DOLLAR
    if cents != cents.to_integral_value():
        raise InvalidInput(field, f"{value} is not a whole number of cents")
    return int(cents)


def _batch(document: object, where: str) -> BatchSpec:
    batch = _object(document, where)
    entries = _list(batch, "entries", f"{where}.entries")
    return BatchSpec(
        service_class=_int(batch, "service_class", f"{where}.service_class"),
        company_name=_str(batch, "company_name", where=where),
        company_id=_str(batch, "company_id", where=where),
        sec_code=_str(batch, "sec_code", where=where),
        entry_description=_str(batch, "entry_description", where=where),
        descriptive_date=_str(batch, "descriptive_date", default="", where=where),
        discretionary_data=_str(batch, "discretionary_data", default="", where=where),
        effective_date=_date(batch, "effective_date", f"{where}.effective_date"),
        odfi=_str(batch, "odfi", where=where),
        entries=tuple(_entry(e, f"{where}.entries[{i}]") for i, e in enumerate(entries)),
    )


def _entry(document: object, where: str) -> EntrySpec:
    entry = _object(document, where)
    if "amount" not in entry:
        raise InvalidInput(f"{where}.amount", "is required")
    addenda = entry.get("payment_related_information")
    if addenda is not None and not isinstance(addenda, str):
        raise InvalidInput(f"{where}.payment_related_information", "must be text")
    return EntrySpec(
        transaction_code=_int(entry, "transaction_code", f"{where}.transaction_code"),
        routing=_str(entry, "routing", where=where),
        account=_str(entry, "account", where=where),
        amount_cents=amount_to_cents(entry["amount"], f"{where}.amount"),
        individual_id=_str(entry, "id", default="", where=where),
        individual_name=_str(entry, "name", where=where),
        discretionary_data=_str(entry, "discretionary_data", default="", where=where),
        payment_related_information=addenda,
    )


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(where, f"must be a JSON object, not {type(value).__name__}")
    return value


def _list(parent: dict[str, Any], key: str, where: str) -> list[Any]:
    value = parent.get(key)
    if not isinstance(value, list):
        raise InvalidInput(where, "must be a JSON list")
    return value


def _str(parent: dict[str, Any], key: str, *, default: str | None = None, where: str = "") -> str:
    field = f"{where}.{key}" if where else key
    value = parent.get(key, default)
    if value is None:
        raise InvalidInput(field, "is required")
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be a string, not {type(value).__name__}")
    return value


def _int(parent: dict[str, Any], key: str, field: str, default: int | None = None) -> int:
    value = parent.get(key, default)
    if value is None:
        raise InvalidInput(field, "is required")
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, f"must be an integer, not {type(value).__name__}")
    return value


def _date(parent: dict[str, Any], key: str, field: str) -> date:
    value = parent.get(key)
    if not isinstance(value, str):
        raise InvalidInput(field, "must be a YYYY-MM-DD string")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"is not a YYYY-MM-DD date: {value!r}") from None


def _datetime(parent: dict[str, Any], key: str) -> datetime:
    value = parent.get(key)
    if not isinstance(value, str):
        raise InvalidInput(key, "must be a YYYY-MM-DDTHH:MM string")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(key, f"is not a YYYY-MM-DDTHH:MM date-time: {value!r}") from None
