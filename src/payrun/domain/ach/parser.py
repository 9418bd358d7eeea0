"""Read a NACHA file back into records: structure only; check_file does the arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from payrun.domain.ach.layout import PADDING_RECORD, RECORD_LENGTH, line_pattern
from payrun.domain.ach.records import (
    BatchControl,
    BatchHeader,
    ChangeAddenda,
    EntryDetail,
    FileControl,
    FileHeader,
    PaymentAddenda,
    Record,
    ReturnAddenda,
)
from payrun.domain.errors import InvalidInput

Addenda = PaymentAddenda | ReturnAddenda | ChangeAddenda
R = TypeVar("R", bound=Record)
# Entry details are most of a file: one match reads them, the layout names a bad field.
ENTRY_DETAIL_LINE = line_pattern(EntryDetail.LAYOUT)


@dataclass(frozen=True, slots=True)
class Entry:
    detail: EntryDetail
    addenda: tuple[Addenda, ...] = ()

    @property
    def return_addenda(self) -> ReturnAddenda | None:
        found = [a for a in self.addenda if isinstance(a, ReturnAddenda)]
        return found[0] if found else None

    @property
    def change_addenda(self) -> ChangeAddenda | None:
        found = [a for a in self.addenda if isinstance(a, ChangeAddenda)]
        return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Batch:
    header: BatchHeader
    entries: tuple[Entry, ...]
    control: BatchControl


@dataclass(frozen=True, slots=True)
class AchFile:
    header: FileHeader
    batches: tuple[Batch, ...]
    control: FileControl
    record_count: int  # every 94-character record, padding included
    padding_count: int

    def entries(self) -> list[Entry]:
        return [entry for batch in self.batches for entry in batch.entries]


def parse_file(data: bytes) -> AchFile:
    """Parse data; raise InvalidInput naming the line and field that break the structure."""
    lines = split_records(data)
    reader = RecordReader(lines)
    header = reader.take(FileHeader, "1")
    batches = []
    while reader.peek() == "5":
        batches.append(_batch(reader))
    control = reader.file_control()
    padding = reader.padding()
    return AchFile(header, tuple(batches), control, len(lines), padding)


def split_records(data: bytes) -> list[str]:
    """94-character records, one per line (LF or CRLF) or run together with no separator."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as error:
        raise InvalidInput("file", f"byte {error.start} is not ASCII") from None
    if not text:
        raise InvalidInput("file", "is empty")
    if "\n" not in text:
        return _fixed_width(text)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if "\r" in text:
        lines = [line.removesuffix("\r") for line in lines]
    for number, line in enumerate(lines, start=1):
        if len(line) != RECORD_LENGTH:
            raise InvalidInput(f"line {number}", f"has {len(line)} characters, not 94")
    return lines


def entry_detail(fields: tuple[str, ...]) -> EntryDetail:
    """The EntryDetail of the fields RecordReader.entry_fields read (text fields stripped as
    the layout's TEXT kind is)."""
    code, rdfi, check, account, amount, individual_id, name, discretionary, addenda, trace = fields
    return EntryDetail(
        transaction_code=int(code),
        receiving_dfi_identification=rdfi,
        check_digit=check,
        dfi_account_number=account.rstrip(" "),
        amount=int(amount),
        individual_identification_number=individual_id.rstrip(" "),
        individual_name=name.rstrip(" "),
        discretionary_data=discretionary.rstrip(" "),
        addenda_record_indicator=int(addenda),
        trace_number=trace,
    )


def _fixed_width(text: str) -> list[str]:
    if len(text) % RECORD_LENGTH:
        raise InvalidInput("file", f"{len(text)} characters is not a whole number of records")
    return [text[i : i + RECORD_LENGTH] for i in range(0, len(text), RECORD_LENGTH)]


class RecordReader:
    """Walks the lines in order; every error names the line number."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.index = 0

    def peek(self) -> str:
        return self.lines[self.index][0] if self.index < len(self.lines) else ""

    def where(self) -> str:
        return f"line {self.index + 1} "

    def take(self, record: type[R], record_type: str) -> R:
        found = self.peek()
        if found != record_type:
            shown = repr(found) if found else "end of file"
            raise InvalidInput(
                f"line {self.index + 1}",
                f"expected {record.LABEL} (record type {record_type}), found {shown}",
            )
        parsed = record.from_record(self.lines[self.index], self.where())
        self.index += 1
        return parsed

    def entry_fields(self) -> tuple[str, ...]:
        """The entry detail at this line (peek() is "6") as its ten fields, text unstripped."""
        match = ENTRY_DETAIL_LINE.fullmatch(self.lines[self.index])
        if match is None:
            self.take(EntryDetail, "6")  # raises InvalidInput naming the field
            raise AssertionError("ENTRY_DETAIL_LINE refused a line its layout reads")
        self.index += 1
        return match.groups()

    def addenda_run(self) -> tuple[Addenda, ...]:
        """The addenda records that follow an entry detail (usually none)."""
        found = []
        while self.peek() == "7":
            found.append(self.addenda())
        return tuple(found)

    def addenda(self) -> Addenda:
        line = self.lines[self.index]
        kinds: dict[str, type[Addenda]] = {
            "05": PaymentAddenda,
            "98": ChangeAddenda,
            "99": ReturnAddenda,
        }
        kind = kinds.get(line[1:3])
        if kind is None:
            raise InvalidInput(f"line {self.index + 1}", f"addenda type {line[1:3]!r} unsupported")
        return self.take(kind, "7")

    def file_control(self) -> FileControl:
        """The file control that must follow the last batch."""
        if self.peek() != "9":
            raise InvalidInput(
                f"line {self.index + 1}",
                f"expected batch header (5) or file control (9), found {self.peek()!r}",
            )
        return self.take(FileControl, "9")

    def padding(self) -> int:
        rest = self.lines[self.index :]
        for offset, line in enumerate(rest):
            if line != PADDING_RECORD:
                number = self.index + offset + 1
                raise InvalidInput(f"line {number}", "only all-9 padding may follow file control")
        return len(rest)


def _batch(reader: RecordReader) -> Batch:
    header = reader.take(BatchHeader, "5")
    entries = []
    while reader.peek() == "6":
        detail = entry_detail(reader.entry_fields())
        entries.append(Entry(detail, reader.addenda_run()))
    control = reader.take(BatchControl, "8")
    return Batch(header, tuple(entries), control)
