"""The NACHA records as values, each with its layout table (reference §6.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Self

from payrun.domain.ach.layout import Field, Kind, parse, render

C, N, D, T, R = Kind.CONSTANT, Kind.NUMBER, Kind.DIGITS, Kind.TEXT, Kind.RIGHT_TEXT


class Record:
    """A record renders to, and parses from, one 94-character line using its LAYOUT."""

    __slots__ = ()
    LAYOUT: ClassVar[tuple[Field, ...]]
    LABEL: ClassVar[str]

    def to_record(self) -> str:
        return render(self.LAYOUT, self, self.LABEL)

    @classmethod
    def from_record(cls, line: str, where: str = "") -> Self:
        values: dict[str, Any] = parse(cls.LAYOUT, line, f"{where}{cls.LABEL}")
        return cls(**values)


@dataclass(frozen=True, slots=True)
class FileHeader(Record):
    immediate_destination: str
    immediate_origin: str
    file_creation_date: date
    file_creation_time: str
    file_id_modifier: str
    immediate_destination_name: str
    immediate_origin_name: str
    reference_code: str = ""

    LABEL: ClassVar[str] = "file header"
    LAYOUT: ClassVar[tuple[Field, ...]] = (
        Field("record_type_code", 1, 1, C, "1"),
        Field("priority_code", 2, 3, C, "01"),
        Field("immediate_destination", 4, 13, R),
        Field("immediate_origin", 14, 23, R),
        Field("file_creation_date", 24, 29, Kind.DATE),
        Field("file_creation_time", 30, 33, T),
        Field("file_id_modifier", 34, 34, T),
        Field("record_size", 35, 37, C, "094"),
        Field("blocking_factor", 38, 39, C, "10"),
        Field("format_code", 40, 40, C, "1"),
        Field("immediate_destination_name", 41, 63, T),
        Field("immediate_origin_name", 64, 86, T),
        Field("reference_code", 87, 94, T),
    )


@dataclass(frozen=True, slots=True)
class BatchHeader(Record):
    service_class_code: int
    company_name: str
    company_discretionary_data: str
    company_identification: str
    standard_entry_class_code: str
    company_entry_description: str
    company_descriptive_date: str
    effective_entry_date: date
    settlement_date: str
    originator_status_code: str
    originating_dfi_identification: str
    batch_number: int

    LABEL: ClassVar[str] = "batch header"
    LAYOUT: ClassVar[tuple[Field, ...]] = (
        Field("record_type_code", 1, 1, C, "5"),
        Field("service_class_code", 2, 4, N),
        Field("company_name", 5, 20, T),
        Field("company_discretionary_data", 21, 40, T),
        Field("company_identification", 41, 50, T),
        Field("standard_entry_class_code", 51, 53, T),
        Field("company_entry_description", 54, 63, T),
        Field("company_descriptive_date", 64, 69, T),
        Field("effective_entry_date", 70, 75, Kind.DATE),
        Field("settlement_date", 76, 78, T),
        Field("originator_status_code", 79, 79, T),
        Field("originating_dfi_identification", 80, 87, D),
        Field("batch_number", 88, 94, N),
    )


@dataclass(frozen=True, slots=True)
class EntryDetail(Record):
    transaction_code: int
    receiving_dfi_identification: str
    check_digit: str
    dfi_account_number: str
    amount: int  # cents
    individual_identification_number: str
    individual_name: str
    discretionary_data: str
    addenda_record_indicator: int
    trace_number: str

    LABEL: ClassVar[str] = "entry detail"
    LAYOUT: ClassVar[tuple[Field, ...]] = (
        Field("record_type_code", 1, 1, C, "6"),
        Field("transaction_code", 2, 3, N),
        Field("receiving_dfi_identification", 4, 11, D),
        Field("check_digit", 12, 12, D),
        Field("dfi_account_number", 13, 29, T),
        Field("amount", 30, 39, N),
        Field("individual_identification_number", 40, 54, T),
        Field("individual_name", 55, 76, T),
        Field("discretionary_data", 77, 78, T),
        Field("addenda_record_indicator", 79, 79, N),
        Field("trace_number", 80, 94, D),
    )

    @property
    def routing_number(self) -> str:
        return self.receiving_dfi_identification + self.check_digit


@dataclass(frozen=True, slots=True)
class PaymentAddenda(Record):
    """Addenda type 05 (PPD/CCD payment related information)."""

    payment_related_information: str
    addenda_sequence_number: int
    entry_detail_sequence_number: str

    LABEL: ClassVar[str] = "addenda 05"
    LAYOUT: ClassVar[tuple[Field, ...]] = (
        Field("record_type_code", 1, 1, C, "7"),
        Field("addenda_type_code", 2, 3, C, "05"),
        Field("payment_related_information", 4, 83, T),
        Field("addenda_sequence_number", 84, 87, N),
        Field("entry_detail_sequence_number", 88, 94, D),
    )


@dataclass(frozen=True, slots=True)
class ReturnAddenda(Record):
    """Addenda type 99: why an RDFI returned an entry (moov-io/ach addenda99.go)."""

    return_reason_code: str
    original_entry_trace_number: str
    date_of_death: date | None
    original_receiving_dfi_identification: str
    addenda_information: str
    trace_number: str

    LABEL: ClassVar[str] = "addenda 99"
    LAYOUT: ClassVar[tuple[Field, ...]] = (
        Field("record_type_code", 1, 1, C, "7"),
        Field("addenda_type_code", 2, 3, C, "99"),
        Field("return_reason_code", 4, 6, T),
        Field("original_entry_trace_number", 7, 21, D),
        Field("date_of_death", 22, 27, Kind.OPTIONAL_DATE),
        Field("original_receiving_dfi_identification", 28, 35, D),
        Field("addenda_information", 36, 79, T),
        Field("trace_number", 80, 94, D),
    )


@dataclass(frozen=True, slots=True)
class ChangeAddenda(Record):
    """Addenda type 98: a notification of change (COR) from the RDFI (moov-io/ach
    addenda98.go): the entry posted, but the account data must be corrected."""

    change_code: str
    original_entry_trace_number: str
    original_receiving_dfi_identification: str
    corrected_data: str
    trace_number: str

    LABEL: ClassVar[str] = "addenda 98"
    LAYOUT: ClassVar[tuple[Field, ...]] = (
        Field("record_type_code", 1, 1, C, "7"),
        Field("addenda_type_code", 2, 3, C, "98"),
        Field("change_code", 4, 6, T),
        Field("original_entry_trace_number", 7, 21, D),
        Field("reserved", 22, 27, Kind.BLANK),
        Field("original_receiving_dfi_identification", 28, 35, D),
        Field("corrected_data", 36, 64, T),
        Field("reserved", 65, 79, Kind.BLANK),
        Field("trace_number", 80, 94, D),
    )


@dataclass(frozen=True, slots=True)
class BatchControl(Record):
    service_class_code: int
    entry_addenda_count: int
    entry_hash: int
    total_debit_entry_dollar_amount: int
    total_credit_entry_dollar_amount: int
    company_identification: str
    message_authentication_code: str
    originating_dfi_identification: str
    batch_number: int

    LABEL: ClassVar[str] = "batch control"
    LAYOUT: ClassVar[tuple[Field, ...]] = (
        Field("record_type_code", 1, 1, C, "8"),
        Field("service_class_code", 2, 4, N),
        Field("entry_addenda_count", 5, 10, N),
        Field("entry_hash", 11, 20, N),
        Field("total_debit_entry_dollar_amount", 21, 32, N),
        Field("total_credit_entry_dollar_amount", 33, 44, N),
        Field("company_identification", 45, 54, T),
        Field("message_authentication_code", 55, 73, T),
        Field("reserved", 74, 79, Kind.BLANK),
        Field("originating_dfi_identification", 80, 87, D),
        Field("batch_number", 88, 94, N),
    )


@dataclass(frozen=True, slots=True)
class FileControl(Record):
    batch_count: int
    block_count: int
    entry_addenda_count: int
    entry_hash: int
    total_debit_entry_dollar_amount_in_file: int
    total_credit_entry_dollar_amount_in_file: int

    LABEL: ClassVar[str] = "file control"
    LAYOUT: ClassVar[tuple[Field, ...]] = (
        Field("record_type_code", 1, 1, C, "9"),
        Field("batch_count", 2, 7, N),
        Field("block_count", 8, 13, N),
        Field("entry_addenda_count", 14, 21, N),
        Field("entry_hash", 22, 31, N),
        Field("total_debit_entry_dollar_amount_in_file", 32, 43, N),
        Field("total_credit_entry_dollar_amount_in_file", 44, 55, N),
        Field("reserved", 56, 94, Kind.BLANK),
    )


ALL_RECORDS: tuple[type[Record], ...] = (
    FileHeader,
    BatchHeader,
    EntryDetail,
    PaymentAddenda,
    ReturnAddenda,
    ChangeAddenda,
    BatchControl,
    FileControl,
)
