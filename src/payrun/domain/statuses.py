"""Every lifecycle's statuses and the moves allowed between them, in one place.

One enum per lifecycle (run, employer, employee, paycheck, payment, dead letter, notification).
Each is a ``StrEnum``, so a member is its stored string. ``allowed(current, new)`` (staying put
is always allowed: activities are retried) and
``check(current, new, field)`` answer from the ``TRANSITIONS`` tables below; set-based updates
select their rows with ``sources(new)`` (every status ``new`` may follow).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from enum import StrEnum

from payrun.domain.errors import InvalidInput


class RunStatus(StrEnum):
    BEGIN = "BEGIN"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    WITH_FAILURES = "WITH_FAILURES"


class EmployerRunStatus(StrEnum):
    BEGIN = "BEGIN"
    VALIDATED = "VALIDATED"
    PAYMENT_SENT = "PAYMENT_SENT"
    PAID = "PAID"
    PARTIAL = "PARTIAL"  # paid, with the failed employees set aside (the partial policy)
    NOTHING_TO_PAY = "NOTHING_TO_PAY"
    DEAD_LETTERED = "DEAD_LETTERED"


class EmployeeRunStatus(StrEnum):
    BEGIN = "BEGIN"
    TIME_ENTERED = "TIME_ENTERED"
    GROSS_CALCULATED = "GROSS_CALCULATED"
    TAXED = "TAXED"
    RETIREMENT_DONE = "RETIREMENT_DONE"
    NET_CALCULATED = "NET_CALCULATED"
    VALIDATED = "VALIDATED"
    PAYMENT_SENT = "PAYMENT_SENT"
    PAID = "PAID"
    FAILED = "FAILED"
    COMPENSATED = "COMPENSATED"
    DEAD_LETTERED = "DEAD_LETTERED"


class PaycheckStatus(StrEnum):
    CALCULATED = "CALCULATED"
    PAID = "PAID"
    RETURNED = "RETURNED"  # the bank sent the credit back
    REPAID = "REPAID"  # a returned net paid again off-cycle
    VOIDED = "VOIDED"
    REVERSED = "REVERSED"


class PaymentStatus(StrEnum):
    PENDING = "PENDING"  # built, not yet accepted by the provider
    SENT = "SENT"  # accepted by the provider, not settled
    PAID = "PAID"  # settled
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


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


class DeadLetterStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"
    SKIPPED = "SKIPPED"


class NotificationStatus(StrEnum):
    PENDING = "PENDING"
    RECORDED = "RECORDED"  # kept, with no channel configured to send it
    SENT = "SENT"
    FAILED = "FAILED"


Status = (
    RunStatus
    | EmployerRunStatus
    | EmployeeRunStatus
    | PaycheckStatus
    | PaymentStatus
    | CaseStatus
    | DeadLetterStatus
    | NotificationStatus
)

_RUN, _ER, _EE = RunStatus, EmployerRunStatus, EmployeeRunStatus
_PC, _PM, _DL, _NT = PaycheckStatus, PaymentStatus, DeadLetterStatus, NotificationStatus
_CS = CaseStatus
# The employee steps in order; each may also fail, and a redrive begins again from any.
STEP_STATUSES = (
    _EE.BEGIN,
    _EE.TIME_ENTERED,
    _EE.GROSS_CALCULATED,
    _EE.TAXED,
    _EE.RETIREMENT_DONE,
    _EE.NET_CALCULATED,
    _EE.VALIDATED,
    _EE.PAYMENT_SENT,
    _EE.PAID,
)
_EMPLOYEE_STEPS: dict[Status, frozenset[Status]] = {
    earlier: frozenset({later, _EE.FAILED, _EE.COMPENSATED, _EE.BEGIN})
    for earlier, later in itertools.pairwise(STEP_STATUSES)
}

TRANSITIONS: Mapping[type[Status], Mapping[Status, frozenset[Status]]] = {
    RunStatus: {
        _RUN.BEGIN: frozenset({_RUN.RUNNING}),
        _RUN.RUNNING: frozenset({_RUN.COMPLETED, _RUN.WITH_FAILURES}),
        _RUN.COMPLETED: frozenset({_RUN.RUNNING}),  # a re-run or redrive runs it again
        _RUN.WITH_FAILURES: frozenset({_RUN.RUNNING}),
    },
    EmployerRunStatus: {
        # A re-run or a redrive begins an employer again from wherever it stopped. After money
        # has moved, another payment of the same run (the credits after the funding debit, a
        # re-pay, a re-debit) is sent and settled again: PAID -> PAYMENT_SENT -> PAID.
        _ER.BEGIN: frozenset({_ER.VALIDATED, _ER.DEAD_LETTERED}),
        # nothing new to pay: finished as it stands (paid earlier, set aside, or nobody)
        _ER.VALIDATED: frozenset(
            {_ER.BEGIN, _ER.PAYMENT_SENT, _ER.PAID, _ER.PARTIAL, _ER.NOTHING_TO_PAY}
            | {_ER.DEAD_LETTERED}
        ),
        _ER.PAYMENT_SENT: frozenset({_ER.BEGIN, _ER.PAID, _ER.DEAD_LETTERED}),
        _ER.PAID: frozenset({_ER.BEGIN, _ER.PARTIAL, _ER.PAYMENT_SENT, _ER.DEAD_LETTERED}),
        _ER.PARTIAL: frozenset({_ER.BEGIN, _ER.PAYMENT_SENT}),  # a redrive pays the set-aside
        _ER.NOTHING_TO_PAY: frozenset({_ER.BEGIN, _ER.PAYMENT_SENT}),
        _ER.DEAD_LETTERED: frozenset({_ER.BEGIN, _ER.PAYMENT_SENT}),
    },
    EmployeeRunStatus: _EMPLOYEE_STEPS
    | {
        _EE.PAID: frozenset(),
        _EE.FAILED: frozenset({_EE.DEAD_LETTERED, _EE.COMPENSATED, _EE.BEGIN}),
        _EE.COMPENSATED: frozenset({_EE.BEGIN, _EE.DEAD_LETTERED}),
        _EE.DEAD_LETTERED: frozenset({_EE.BEGIN}),
    },
    # A settlement pays only what is still CALCULATED: a return that arrived first (RETURNED)
    # is never overwritten to PAID by a later settlement.
    PaycheckStatus: {
        _PC.CALCULATED: frozenset({_PC.PAID, _PC.RETURNED, _PC.VOIDED}),
        _PC.PAID: frozenset({_PC.RETURNED, _PC.VOIDED, _PC.REVERSED}),
        _PC.RETURNED: frozenset({_PC.REPAID, _PC.VOIDED}),
        _PC.REPAID: frozenset({_PC.RETURNED}),  # the re-pay came back too
        _PC.VOIDED: frozenset(),
        _PC.REVERSED: frozenset(),
    },
    PaymentStatus: {
        _PM.PENDING: frozenset({_PM.SENT, _PM.PAID, _PM.REJECTED, _PM.CANCELLED}),
        _PM.SENT: frozenset({_PM.PAID, _PM.REJECTED, _PM.CANCELLED}),
        _PM.PAID: frozenset(),
        _PM.REJECTED: frozenset(),
        _PM.CANCELLED: frozenset(),
    },
    CaseStatus: {
        _CS.REDEBIT_DUE: frozenset({_CS.REDEBIT_SENT, _CS.RESOLVED}),
        _CS.REDEBIT_SENT: frozenset({_CS.OPEN, _CS.RESOLVED}),
        _CS.OPEN: frozenset({_CS.REDEBIT_SENT, _CS.RESOLVED}),
        _CS.RESOLVED: frozenset(),
    },
    DeadLetterStatus: {
        _DL.OPEN: frozenset({_DL.OPEN, _DL.RESOLVED, _DL.SKIPPED}),
        _DL.RESOLVED: frozenset({_DL.OPEN}),  # failed again after its redrive
        _DL.SKIPPED: frozenset(),
    },
    NotificationStatus: {
        _NT.PENDING: frozenset({_NT.SENT, _NT.FAILED, _NT.RECORDED}),
        _NT.FAILED: frozenset({_NT.SENT, _NT.FAILED}),
        _NT.RECORDED: frozenset(),
        _NT.SENT: frozenset(),
    },
}


def allowed(current: Status, new: Status) -> bool:
    """Whether a thing in ``current`` may move to ``new`` (both of one lifecycle). Staying
    where it is is always allowed: a retried activity sets the status it already set."""
    return new == current or new in TRANSITIONS[type(current)].get(current, frozenset())


def check(current: Status, new: Status, field: str) -> None:
    """Refuse a move the lifecycle does not allow, naming the thing that would move."""
    if not allowed(current, new):
        raise InvalidInput(field, f"cannot go from {current} to {new}")


def sources(new: Status) -> tuple[Status, ...]:
    """Every status ``new`` may follow, for an update's ``WHERE status IN (...)``."""
    moves = TRANSITIONS[type(new)]
    return tuple(status for status, targets in moves.items() if new in targets)


# The money lifecycles by their stored strings (rows read from the database). Unlike
# ``allowed``, staying put is not a move here: these guard updates that change something.
def payment_may_move(current: str, new: str) -> bool:
    return PaymentStatus(new) in TRANSITIONS[PaymentStatus][PaymentStatus(current)]


def paycheck_may_move(current: str, new: str) -> bool:
    return PaycheckStatus(new) in TRANSITIONS[PaycheckStatus][PaycheckStatus(current)]


def case_may_move(current: str, new: str) -> bool:
    return CaseStatus(new) in TRANSITIONS[CaseStatus][CaseStatus(current)]


def paycheck_sources(new: str) -> tuple[str, ...]:
    """The statuses a paycheck may be in to move to new (for one guarded UPDATE)."""
    return tuple(str(s) for s in sources(PaycheckStatus(new)))


def payment_sources(new: str) -> tuple[str, ...]:
    return tuple(str(s) for s in sources(PaymentStatus(new)))
