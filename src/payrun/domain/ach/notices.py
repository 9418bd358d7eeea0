"""Notifications of change (COR entries, addenda 98): what the RDFI says to correct."""

from __future__ import annotations

from dataclasses import dataclass

from payrun.domain.ach.parser import AchFile
from payrun.domain.errors import InvalidInput

# Nacha change codes this service applies to an employee's direct deposit (§ Appendix Five).
ACCOUNT, ROUTING, ROUTING_AND_ACCOUNT = "C01", "C02", "C03"
APPLIED = (ACCOUNT, ROUTING, ROUTING_AND_ACCOUNT)


@dataclass(frozen=True, slots=True)
class ChangeNotice:
    change_code: str
    original_trace_number: str
    company_id: str
    individual_id: str
    routing: str | None  # the corrected 9-digit routing number (C02, C03)
    account: str | None  # the corrected account number (C01, C03)


def notices_in(ach: AchFile) -> tuple[ChangeNotice, ...]:
    """Every COR entry of the file, its corrected data read per its change code."""
    found = []
    for batch in ach.batches:
        for entry in batch.entries:
            addenda = entry.change_addenda
            if addenda is None:
                continue
            routing, account = corrected(addenda.change_code, addenda.corrected_data)
            found.append(
                ChangeNotice(
                    change_code=addenda.change_code,
                    original_trace_number=addenda.original_entry_trace_number,
                    company_id=batch.header.company_identification,
                    individual_id=entry.detail.individual_identification_number.strip(),
                    routing=routing,
                    account=account,
                )
            )
    return tuple(found)


def corrected(code: str, data: str) -> tuple[str | None, str | None]:
    """(routing, account) from the 29-character corrected data field: C01 the account (1-17),
    C02 the routing number (1-9), C03 the routing (1-9) then the account (13-29)."""
    if code == ACCOUNT:
        return None, _required(data[:17].strip(), code, "account")
    if code == ROUTING:
        return _routing(data[:9], code), None
    if code == ROUTING_AND_ACCOUNT:
        return _routing(data[:9], code), _required(data[12:29].strip(), code, "account")
    return None, None  # C05, C06 ...: reported, applied by hand


def _routing(value: str, code: str) -> str:
    if not (len(value) == 9 and value.isdigit()):
        raise InvalidInput(f"{code} corrected data", f"routing must be 9 digits, got {value!r}")
    return value


def _required(value: str, code: str, what: str) -> str:
    if not value:
        raise InvalidInput(f"{code} corrected data", f"no corrected {what}")
    return value
