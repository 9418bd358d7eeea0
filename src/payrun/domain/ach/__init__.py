"""NACHA ACH files: build, parse, check, returns and reversals. Pure: no I/O, no clock."""

from __future__ import annotations

from payrun.domain.ach.builder import AchBuildError, build_file, entry_hash
from payrun.domain.ach.parser import AchFile, Batch, Entry, parse_file
from payrun.domain.ach.payroll import (
    AccountType,
    EmployeeCredit,
    PayrollFiles,
    PayrollOriginator,
    payroll_files,
)
from payrun.domain.ach.returns import (
    ReturnCategory,
    ReturnDisposition,
    ReturnEntry,
    classify_return,
    parse_returns,
)
from payrun.domain.ach.reversals import ReversalWindowClosed, build_reversal, reversal_deadline
from payrun.domain.ach.routing import check_digit, is_valid_routing, validate_routing
from payrun.domain.ach.spec import (
    MAX_ENTRY_AMOUNT_CENTS,
    AchFileSpec,
    BatchSpec,
    EntrySpec,
    split_amount,
)
from payrun.domain.ach.spec_json import file_spec_from_json
from payrun.domain.ach.validation import BatchSummary, FileCheck, check_file

__all__ = [
    "MAX_ENTRY_AMOUNT_CENTS",
    "AccountType",
    "AchBuildError",
    "AchFile",
    "AchFileSpec",
    "Batch",
    "BatchSpec",
    "BatchSummary",
    "EmployeeCredit",
    "Entry",
    "EntrySpec",
    "FileCheck",
    "PayrollFiles",
    "PayrollOriginator",
    "ReturnCategory",
    "ReturnDisposition",
    "ReturnEntry",
    "ReversalWindowClosed",
    "build_file",
    "build_reversal",
    "check_digit",
    "check_file",
    "classify_return",
    "entry_hash",
    "file_spec_from_json",
    "is_valid_routing",
    "parse_file",
    "parse_returns",
    "payroll_files",
    "reversal_deadline",
    "split_amount",
    "validate_routing",
]
