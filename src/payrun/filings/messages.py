"""What the filings workflows and activities pass: small dataclasses of str/int."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Timings:
    """Waits, in seconds of workflow time (from FilingsSettings)."""

    debit_timeout: int = 48 * 3600
    batch_window: int = 60
    agency_max_wait: int = 7 * 86400
    first_poll: int = 60
    max_poll: int = 6 * 3600
    deposit_recheck: int = 6 * 3600
    deposit_wait: int = 14 * 86400


@dataclass(frozen=True)
class FilingInput:
    filing_id: str
    employer_id: int
    filing_type: str
    agency: str
    payroll_task_queue: str = "payrun"
    timings: Timings = field(default_factory=Timings)


@dataclass(frozen=True)
class FilingState:
    """The filing as the service computed it from the events so far (newest version wins)."""

    version: int
    period: str
    period_start: str
    period_end: str
    due: str
    amount_cents: int = 0
    deposited_cents: int = 0  # for these liabilities, by other filings of the same type
    deposited_self_cents: int = 0  # by this filing (a new run of its workflow starts here)
    units: dict[str, int] = field(default_factory=dict)  # liability per pay date (or quarter)
    payment_ids: tuple[int, ...] = ()
    settled_payment_ids: tuple[int, ...] = ()
    year: int = 0
    quarter: int = 0


@dataclass(frozen=True)
class StatusChange:
    filing_id: str
    status: str  # opened | blocked | submitted | filed | rejected
    at: str
    sequence: int
    reason: str | None = None
    resource: str | None = None
    ack_id: str | None = None
    amount_cents: int = 0


@dataclass(frozen=True)
class Submission:
    agency: str
    filing_id: str
    attempt: int
    amount_cents: int


@dataclass(frozen=True)
class AgencyResult:
    item_id: str
    outcome: str  # accepted | rejected | no_answer
    ack_id: str | None = None
    reason: str | None = None
    batch_id: str | None = None


@dataclass(frozen=True)
class BatchSent:
    batch_id: str
    agency: str
    item_ids: tuple[str, ...] = ()
    filing_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReturnCheck:
    ready: bool  # every deposit of the period is final
    balanced: bool
    difference_cents: int = 0
    reason: str | None = None
    amount_cents: int = 0


@dataclass(frozen=True)
class Route:
    """A filing workflow to start or signal with its newest state."""

    workflow: str
    filing_id: str
    employer_id: int
    filing_type: str
    agency: str
    state: FilingState


@dataclass(frozen=True)
class DebitSettledSignal:
    payment_id: int


@dataclass(frozen=True)
class TransmitterInput:
    agency: str
    batch_window: int = 60
    agency_max_wait: int = 7 * 86400
    first_poll: int = 60
    max_poll: int = 6 * 3600
    batches_sent: int = 0


def workflow_id(filing_id: str) -> str:
    return f"filing-{filing_id}"
