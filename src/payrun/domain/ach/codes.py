"""Transaction, service class and SEC codes the builder and checker understand (§6.3)."""

from __future__ import annotations

CHECKING_CREDIT = 22
CHECKING_CREDIT_PRENOTE = 23
CHECKING_DEBIT = 27
CHECKING_DEBIT_PRENOTE = 28
SAVINGS_CREDIT = 32
SAVINGS_CREDIT_PRENOTE = 33
SAVINGS_DEBIT = 37
SAVINGS_DEBIT_PRENOTE = 38

# Return/NOC entries arrive from the RDFI with 21/26 (checking) and 31/36 (savings).
CREDIT_CODES = frozenset({21, 22, 23, 24, 31, 32, 33, 34})
DEBIT_CODES = frozenset({26, 27, 28, 29, 36, 37, 38, 39})
PRENOTE_CODES = frozenset({23, 28, 33, 38})
# What we originate: live and prenote entries to checking and savings.
FORWARD_CODES = frozenset({22, 23, 27, 28, 32, 33, 37, 38})

MIXED = 200
CREDITS_ONLY = 220
DEBITS_ONLY = 225
SERVICE_CLASSES = frozenset({MIXED, CREDITS_ONLY, DEBITS_ONLY})

SUPPORTED_SEC_CODES = frozenset({"PPD", "CCD"})

# A reversing entry carries the opposite code of the entry it reverses (Nacha Rules
# Article Two, Subsection 2.9; e.g. moov-io/ach entryDetail.go for the code pairs).
REVERSING_CODE = {
    CHECKING_CREDIT: CHECKING_DEBIT,
    CHECKING_DEBIT: CHECKING_CREDIT,
    SAVINGS_CREDIT: SAVINGS_DEBIT,
    SAVINGS_DEBIT: SAVINGS_CREDIT,
}


def is_credit(transaction_code: int) -> bool:
    return transaction_code in CREDIT_CODES


def is_debit(transaction_code: int) -> bool:
    return transaction_code in DEBIT_CODES


def service_class_allows(service_class: int, transaction_code: int) -> bool:
    """220 carries only credits, 225 only debits, 200 either (§6.2, batch header)."""
    if service_class == CREDITS_ONLY:
        return is_credit(transaction_code)
    if service_class == DEBITS_ONLY:
        return is_debit(transaction_code)
    return service_class == MIXED
