"""The messages between payroll and the filings service: events in, updates out.

Plain frozen dataclasses of str/int fields (dates as ISO strings, money as integer cents), so
Temporal's JSON converter carries them unchanged and either side can be deployed alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

IRS, EDD = "IRS", "EDD"
# tax -> agency; one liability event per employer x agency x tax x pay date
TAXES = {
    "FIT": IRS,
    "SOCIAL_SECURITY": IRS,
    "MEDICARE": IRS,
    "ADDITIONAL_MEDICARE": IRS,
    "FUTA": IRS,
    "CA_PIT": EDD,
    "CA_SDI": EDD,
    "CA_UI": EDD,
    "CA_ETT": EDD,
}


@dataclass(frozen=True)
class EmployeeWages:
    """One employee's California figures on a pay date (what a DE 9C line needs)."""

    employee_id: int
    name: str
    ssn_last4: str
    subject_wages_cents: int
    pit_wages_cents: int
    pit_withheld_cents: int


@dataclass(frozen=True)
class TaxLiabilityRecorded:
    """An employer's pay run was paid: one tax's figures for one pay date."""

    event_id: str  # {run_id}:{employer_id}:{tax}: the same pay run never counts twice
    employer_id: int
    agency: str
    tax: str
    pay_date: str
    run_id: str
    wages_cents: int  # gross wages paid
    taxable_wages_cents: int  # wages subject to this tax, after its annual ceiling
    withheld_cents: int  # employee share withheld
    employer_cents: int  # employer share
    employee_count: int
    funding_payment_id: int | None = None
    employees: tuple[EmployeeWages, ...] = ()
    # A redrive pays more of the same run: the figures are the run's totals so far, and the
    # revision (paychecks counted) grows; the service keeps the highest revision it received.
    revision: int = 1


@dataclass(frozen=True)
class EmployerEnrolled:
    """Who the employer is for the agencies, and its deposit schedule's inputs for a year."""

    event_id: str
    employer_id: int
    ein: str
    name: str
    state: str
    year: int
    lookback_tax_cents: int  # Form 941 line 12 total over the lookback period
    futa_credit_reduction: str = "0"  # exact decimal rate, e.g. "0.012" (Schedule A)
    tax_impound: bool = True  # payroll debits the employer and pays the agency (WAIT_FOR_DEBITS)
    # California's EDD employer payroll tax account number, its 8 digits ("" when not on file:
    # an event sent before it existed, or an employer that has not given it)
    state_account: str = ""


@dataclass(frozen=True)
class FundingDebitSettled:
    """The employer's funding debit for a pay run settled: its taxes may be paid over."""

    event_id: str
    employer_id: int
    payment_id: int
    year: int
    settled_at: str


@dataclass(frozen=True)
class QuarterClosed:
    """No more pay dates in the quarter for the employer: file its returns."""

    event_id: str
    employer_id: int
    year: int
    quarter: int


@dataclass(frozen=True)
class Envelope:
    """What travels through the outbox and the signal: one event, by type name."""

    type: str
    event: dict[str, object] = field(default_factory=dict)


# Updates out: a fixed set; each carries the time it describes, for out-of-order delivery.
UPDATE_TYPES = ("opened", "blocked", "submitted", "filed", "rejected")
STATUS_OF_UPDATE = {
    "opened": "pending",
    "blocked": "blocked",
    "submitted": "submitted",
    "filed": "filed",
    "rejected": "rejected",
}


@dataclass(frozen=True)
class FilingUpdate:
    """A filing's state at `at`: payroll keeps the newest it has seen."""

    filing_id: str
    employer_id: int
    filing_type: str
    update_type: str
    at: str  # ISO time the update describes (the workflow's time)
    sequence: int  # breaks ties between updates of the same instant
    period: str
    due: str
    amount_cents: int = 0
    ack_id: str | None = None
    reason: str | None = None
