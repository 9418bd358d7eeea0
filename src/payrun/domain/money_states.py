"""Payment, paycheck and recovery-case statuses with every allowed transition in one place."""

from __future__ import annotations

from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "PENDING"  # built, not yet accepted by the provider
    SENT = "SENT"  # accepted by the provider, not settled
    PAID = "PAID"  # settled
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class PaycheckStatus(StrEnum):
    CALCULATED = "CALCULATED"
    PAID = "PAID"
    RETURNED = "RETURNED"  # the bank sent the credit back
    REPAID = "REPAID"  # a returned net paid again off-cycle
    VOIDED = "VOIDED"
    REVERSED = "REVERSED"


class CaseStatus(StrEnum):
    """A recovery case: the employer's funding debit came back."""

    REDEBIT_DUE = "REDEBIT_DUE"  # R01/R09: presented again on the next banking day, once
    REDEBIT_SENT = "REDEBIT_SENT"
    OPEN = "OPEN"  # blocks the employer's pay runs until an operator resolves it
    RESOLVED = "RESOLVED"


class Resolution(StrEnum):
    REDEBIT = "redebit"  # debit the employer again (operator's decision)
    WIRE = "wire"  # the employer wired the money
    WRITE_OFF = "write-off"  # the loss is booked; nothing more is collected


_PAYMENT_MOVES: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.PENDING: frozenset(
        {PaymentStatus.SENT, PaymentStatus.PAID, PaymentStatus.REJECTED, PaymentStatus.CANCELLED}
    ),
    PaymentStatus.SENT: frozenset(
        {PaymentStatus.PAID, PaymentStatus.REJECTED, PaymentStatus.CANCELLED}
    ),
    PaymentStatus.PAID: frozenset(),
    PaymentStatus.REJECTED: frozenset(),
    PaymentStatus.CANCELLED: frozenset(),
}

# A settlement pays only what is still CALCULATED: a return that arrived first (RETURNED)
# is never overwritten to PAID by a later settlement.
_PAYCHECK_MOVES: dict[PaycheckStatus, frozenset[PaycheckStatus]] = {
    PaycheckStatus.CALCULATED: frozenset(
        {PaycheckStatus.PAID, PaycheckStatus.RETURNED, PaycheckStatus.VOIDED}
    ),
    PaycheckStatus.PAID: frozenset(
        {PaycheckStatus.RETURNED, PaycheckStatus.VOIDED, PaycheckStatus.REVERSED}
    ),
    PaycheckStatus.RETURNED: frozenset({PaycheckStatus.REPAID, PaycheckStatus.VOIDED}),
    PaycheckStatus.REPAID: frozenset({PaycheckStatus.RETURNED}),  # the re-pay came back too
    PaycheckStatus.VOIDED: frozenset(),
    PaycheckStatus.REVERSED: frozenset(),
}

_CASE_MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.REDEBIT_DUE: frozenset({CaseStatus.REDEBIT_SENT, CaseStatus.RESOLVED}),
    CaseStatus.REDEBIT_SENT: frozenset({CaseStatus.OPEN, CaseStatus.RESOLVED}),
    CaseStatus.OPEN: frozenset({CaseStatus.REDEBIT_SENT, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset(),
}


def payment_may_move(current: str, new: str) -> bool:
    return PaymentStatus(new) in _PAYMENT_MOVES[PaymentStatus(current)]


def paycheck_may_move(current: str, new: str) -> bool:
    return PaycheckStatus(new) in _PAYCHECK_MOVES[PaycheckStatus(current)]


def case_may_move(current: str, new: str) -> bool:
    return CaseStatus(new) in _CASE_MOVES[CaseStatus(current)]


def paycheck_sources(new: str) -> tuple[str, ...]:
    """The statuses a paycheck may be in to move to new (for one guarded UPDATE)."""
    target = PaycheckStatus(new)
    return tuple(s.value for s, moves in _PAYCHECK_MOVES.items() if target in moves)


def payment_sources(new: str) -> tuple[str, ...]:
    target = PaymentStatus(new)
    return tuple(s.value for s, moves in _PAYMENT_MOVES.items() if target in moves)
