"""Workflow and activity inputs/outputs: small frozen dataclasses carrying ids and references."""

from __future__ import annotations

from dataclasses import dataclass, field

STEPS = ("time_entry", "gross_pay", "taxes", "retirement", "net_pay")


@dataclass(frozen=True)
class Downstream:
    """How long to wait for the asynchronous systems (time entry, the bank)."""

    heartbeat_seconds: int = 30  # they heartbeat while they work; silence past this fails
    timeout_seconds: int = 1800  # start-to-close of one attempt
    attempts: int = 5
    funding_wait_seconds: int = 3 * 24 * 3600  # credits wait this long for the debit to settle


@dataclass(frozen=True)
class PayRunInput:
    run_id: str
    pay_period_id: int
    kind: str = "regular"
    employer_ids: list[int] = field(default_factory=list)  # empty: every active employer
    chunk_size: int = 500
    employer_parallelism: int = 8
    downstream: Downstream = field(default_factory=Downstream)
    # Earnings of this run beside pay: employee id -> {"bonus": "500.00", "commission": ...}.
    # An off-cycle run (kind other than "regular") pays only these, to these employees.
    earnings: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RunPlan:
    run_id: str
    employer_ids: list[int]
    snapshot_ref: str


@dataclass(frozen=True)
class EmployerInput:
    run_id: str
    employer_id: int
    chunk_size: int = 500
    redrive: bool = False
    downstream: Downstream = field(default_factory=Downstream)


@dataclass(frozen=True)
class EmployerPlan:
    run_id: str
    employer_id: int
    chunk_count: int
    employee_count: int
    already_paid: int
    validation_policy: str
    time_entry_async: bool = False


@dataclass(frozen=True)
class ChunkTask:
    run_id: str
    employer_id: int
    chunk: int
    # The version each earlier step wrote its output under (step name -> version): the step
    # reads exactly those objects, so a late write by a timed-out attempt can never be read.
    versions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordHours:
    task: ChunkTask
    hours: dict[str, dict[str, str]]


@dataclass(frozen=True)
class StepResult:
    step: str
    succeeded: int
    failed: int
    version: str = ""  # what the step wrote its output under (see ChunkTask.versions)
    worker_queue: str = ""  # the task queue of the worker that ran it (its objects are there)


@dataclass(frozen=True)
class Validation:
    ok: bool
    payable: int
    failed: int
    net_cents: int
    message: str


@dataclass(frozen=True)
class PaymentOutcome:
    payment_id: int
    paychecks: int
    credit_total_cents: int
    status: str
    reference: str = ""


@dataclass(frozen=True)
class EmployerResult:
    employer_id: int
    status: str
    paychecks_created: int = 0
    paid: int = 0
    failed: int = 0
    already_paid: int = 0
    net_cents: int = 0
    message: str = ""


@dataclass(frozen=True)
class EmployerTally:
    run_id: str
    employer_id: int
    paychecks_created: int
    already_paid: int


@dataclass(frozen=True)
class EmployerFailure:
    run_id: str
    employer_id: int
    step: str
    error_type: str
    message: str
    paychecks_created: int = 0
    already_paid: int = 0


@dataclass(frozen=True)
class PreparedPayment:
    payment_id: int
    idempotency_key: str
    paychecks: int
    credit_total_cents: int
    nacha_path: str
    effective_date: str = ""
    funding_path: str = ""  # the funding debit's own file (funding before credits)
    release_now: bool = False  # a prefunded employer within its exposure limit


@dataclass(frozen=True)
class HeldCredits:
    prepared: PreparedPayment
    why: str


@dataclass(frozen=True)
class CloseRun:
    run_id: str
    paychecks_created: int
    already_paid: int


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    status: str
    employers: int
    employers_failed: int
    paychecks_created: int  # by this execution; a re-run of a paid period creates 0
    already_paid: int
    failed_employees: int
    paychecks_live: int = 0  # every live paycheck of the run, whichever execution made it
    gross_cents: int = 0
    employee_taxes_cents: int = 0
    employer_taxes_cents: int = 0
    deductions_cents: int = 0
    net_cents: int = 0
    nacha_files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RedriveInput:
    dead_letter_ids: list[int] = field(default_factory=list)
    error_type: str | None = None
    resolution: str = "retry"  # retry | fix_and_retry | skip
    chunk_size: int = 500
    downstream: Downstream = field(default_factory=Downstream)


@dataclass(frozen=True)
class RedriveTarget:
    run_id: str
    employer_id: int


@dataclass(frozen=True)
class RedrivePlan:
    targets: list[RedriveTarget]
    skipped: int
    dead_letter_ids: list[int]


@dataclass(frozen=True)
class RedriveResult:
    redriven: int
    skipped: int
    resolved: int = 0
    employers: list[EmployerResult] = field(default_factory=list)
