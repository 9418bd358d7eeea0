"""Return entries: read them from a return file and decide where each one goes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from payrun.domain.ach import codes
from payrun.domain.ach.parser import AchFile, Batch, Entry, parse_file
from payrun.domain.errors import InvalidInput

RETURN_CODE_PATTERN = re.compile(r"R\d\d")


@dataclass(frozen=True, slots=True)
class ReturnEntry:
    """One returned entry: the return's own entry detail plus its addenda 99."""

    return_code: str
    original_trace_number: str
    original_receiving_dfi: str
    date_of_death: date | None
    addenda_information: str
    trace_number: str
    transaction_code: int
    routing: str
    account: str
    amount_cents: int
    individual_id: str
    individual_name: str
    company_name: str
    company_id: str
    sec_code: str
    effective_date: date

    @property
    def returned_credit(self) -> bool:
        """True when a credit we sent (e.g. a paycheck) came back as a return credit."""
        return codes.is_credit(self.transaction_code)


class ReturnCategory(Enum):
    ACCOUNT_DATA = "account_data"  # the account on file is wrong or unusable
    FUNDS = "funds"  # money was not there; may be presented again
    AUTHORIZATION = "authorization"  # the receiver says we may not debit them
    DECEASED = "deceased"
    ORIGINATOR = "originator"  # we or our ODFI sent something wrong
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ReturnDisposition:
    """Where a return goes: dead-letter error type, paycheck status, notification text."""

    code: str
    reason: str
    category: ReturnCategory
    error_type: str  # dead-letter queue error type
    account_fix_required: bool  # bank details must change before paying again
    may_retry: bool  # may be sent again unchanged (Nacha allows R01/R09 twice more)
    paycheck_status: str
    message: str


RETURNED = "RETURNED"
BANK_RETURN = "bank_return"
UNKNOWN_BANK_RETURN = "bank_return_unknown"

_A, _F, _Z = ReturnCategory.ACCOUNT_DATA, ReturnCategory.FUNDS, ReturnCategory.AUTHORIZATION
_D, _O = ReturnCategory.DECEASED, ReturnCategory.ORIGINATOR

# Reasons follow the Nacha return reason code table (as listed in moov-io/ach addenda99.go).
_KNOWN: dict[str, tuple[str, ReturnCategory]] = {
    "R01": ("Insufficient funds", _F),
    "R02": ("Account closed", _A),
    "R03": ("No account / unable to locate account", _A),
    "R04": ("Invalid account number", _A),
    "R05": ("Unauthorized debit to consumer account using corporate SEC code", _Z),
    "R06": ("Returned per ODFI's request", _O),
    "R07": ("Authorization revoked by customer", _Z),
    "R08": ("Payment stopped", _Z),
    "R09": ("Uncollected funds", _F),
    "R10": ("Customer advises originator is not known or not authorized", _Z),
    "R11": ("Entry not in accordance with the terms of the authorization", _Z),
    "R12": ("Account sold to another DFI", _A),
    "R13": ("Invalid ACH routing number", _A),
    "R14": ("Representative payee deceased or unable to continue", _D),
    "R15": ("Beneficiary or account holder deceased", _D),
    "R16": ("Account frozen / entry returned per OFAC instruction", _A),
    "R17": ("File record edit criteria / questionable circumstances", _O),
    "R20": ("Non-transaction account", _A),
    "R23": ("Credit entry refused by receiver", _A),
    "R24": ("Duplicate entry", _O),
    "R29": ("Corporate customer advises not authorized", _Z),
}

_ADVICE = {
    _A: "Ask for corrected bank details before paying this account again.",
    _F: "Funds were not available; the entry may be presented again (at most twice more).",
    _Z: "The account holder refused the entry; do not send it again without new authorization.",
    _D: "The account holder is reported deceased; stop payments and review manually.",
    _O: "The entry was returned for an origination problem; review it before resending.",
    ReturnCategory.UNKNOWN: "Unrecognised return reason; review manually before any retry.",
}


def classify_return(code: str) -> ReturnDisposition:
    """The disposition of one return reason code; unknown R-codes go to manual review."""
    code = code.strip().upper() if isinstance(code, str) else code
    if not isinstance(code, str) or not RETURN_CODE_PATTERN.fullmatch(code):
        raise InvalidInput("return_code", f"must look like R01, got {code!r}")
    reason, category = _KNOWN.get(code, ("Unknown return reason", ReturnCategory.UNKNOWN))
    return ReturnDisposition(
        code=code,
        reason=reason,
        category=category,
        error_type=UNKNOWN_BANK_RETURN if category is ReturnCategory.UNKNOWN else BANK_RETURN,
        account_fix_required=category is ReturnCategory.ACCOUNT_DATA,
        may_retry=category is ReturnCategory.FUNDS,
        paycheck_status=RETURNED,
        message=f"ACH return {code} ({reason}). {_ADVICE[category]}",
    )


def parse_returns(data: bytes) -> tuple[ReturnEntry, ...]:
    """Every entry of a return file that carries an addenda 99, in file order (entries with
    an addenda 98 are notifications of change, read by notices.notices_in)."""
    return returns_in(parse_file(data))


def returns_in(ach: AchFile) -> tuple[ReturnEntry, ...]:
    found = []
    for batch in ach.batches:
        for entry in batch.entries:
            if entry.change_addenda is not None:
                continue  # a notification of change (notices.py), not a return
            if entry.return_addenda is None:
                raise InvalidInput(
                    f"entry {entry.detail.trace_number}", "a return entry needs an addenda 99"
                )
            found.append(_return_entry(batch, entry))
    return tuple(found)


def _return_entry(batch: Batch, entry: Entry) -> ReturnEntry:
    addenda, detail, header = entry.return_addenda, entry.detail, batch.header
    assert addenda is not None
    return ReturnEntry(
        return_code=addenda.return_reason_code,
        original_trace_number=addenda.original_entry_trace_number,
        original_receiving_dfi=addenda.original_receiving_dfi_identification,
        date_of_death=addenda.date_of_death,
        addenda_information=addenda.addenda_information,
        trace_number=detail.trace_number,
        transaction_code=detail.transaction_code,
        routing=detail.routing_number,
        account=detail.dfi_account_number,
        amount_cents=detail.amount,
        individual_id=detail.individual_identification_number,
        individual_name=detail.individual_name,
        company_name=header.company_name,
        company_id=header.company_identification,
        sec_code=header.standard_entry_class_code,
        effective_date=header.effective_entry_date,
    )
