"""Byte-exact NACHA output from known inputs, written out by hand from the layout (§6.2)."""

from __future__ import annotations

from datetime import date, datetime

from payrun.domain.ach import AchFileSpec, BatchSpec, EntrySpec, build_file, entry_hash, parse_file


def two_batch_spec() -> AchFileSpec:
    credits = BatchSpec(
        service_class=220,
        company_name="Acme Payroll Inc",  # lower case on purpose: the builder upper-cases names
        company_id="1234567890",
        sec_code="PPD",
        entry_description="PAYROLL",
        descriptive_date="JAN 15",
        effective_date=date(2026, 1, 15),
        odfi="12100035",
        entries=(
            EntrySpec(22, "021000021", "123456789", 216155, "EMP0001", "Doe Jane"),
            EntrySpec(32, "011000015", "00012345678901234", 100000, "EMP0002", "ROE RICHARD"),
        ),
    )
    funding = BatchSpec(
        service_class=225,
        company_name="ACME PAYROLL INC",
        company_id="1234567890",
        sec_code="CCD",
        entry_description="PAYROLL",
        descriptive_date="JAN 15",
        effective_date=date(2026, 1, 14),
        odfi="12100035",
        entries=(EntrySpec(27, "121000358", "5550001", 316155, "1234567890", "ACME PAYROLL INC"),),
    )
    return AchFileSpec(
        immediate_destination="121000358",
        immediate_origin="1234567890",
        destination_name="BANK OF AMERICA",
        origin_name="ACME PAYROLL INC",
        created=datetime(2026, 1, 15, 9, 30),
        file_id_modifier="A",
        batches=(credits, funding),
    )


# Each record is spelled out field by field; the comment gives positions (1-based, inclusive).
EXPECTED_FILE_HEADER = (
    "1"  # 01     record type code
    "01"  # 02-03  priority code
    " 121000358"  # 04-13  immediate destination: blank + 9-digit routing
    "1234567890"  # 14-23  immediate origin
    "260115"  # 24-29  file creation date YYMMDD
    "0930"  # 30-33  file creation time HHMM
    "A"  # 34     file id modifier
    "094"  # 35-37  record size
    "10"  # 38-39  blocking factor
    "1"  # 40     format code
    "BANK OF AMERICA        "  # 41-63  immediate destination name (23)
    "ACME PAYROLL INC       "  # 64-86  immediate origin name (23)
    "        "  # 87-94  reference code (8)
)
EXPECTED_BATCH_1_HEADER = (
    "5"  # 01     record type code
    "220"  # 02-04  service class: credits only
    "ACME PAYROLL INC"  # 05-20  company name (16)
    "                    "  # 21-40  company discretionary data (20)
    "1234567890"  # 41-50  company identification
    "PPD"  # 51-53  standard entry class
    "PAYROLL   "  # 54-63  company entry description (10)
    "JAN 15"  # 64-69  company descriptive date
    "260115"  # 70-75  effective entry date
    "   "  # 76-78  settlement date: left for the ACH operator
    "1"  # 79     originator status code
    "12100035"  # 80-87  originating DFI identification
    "0000001"  # 88-94  batch number
)
EXPECTED_ENTRY_1 = (
    "6"  # 01     record type code
    "22"  # 02-03  checking credit
    "02100002"  # 04-11  receiving DFI identification
    "1"  # 12     check digit
    "123456789        "  # 13-29  DFI account number (17)
    "0000216155"  # 30-39  amount: $2,161.55 in cents
    "EMP0001        "  # 40-54  individual identification number (15)
    "DOE JANE              "  # 55-76  individual name (22)
    "  "  # 77-78  discretionary data
    "0"  # 79     no addenda
    "121000350000001"  # 80-94  trace: ODFI + sequence 1
)
EXPECTED_ENTRY_2 = (
    "6"  # 01     record type code
    "32"  # 02-03  savings credit
    "01100001"  # 04-11  receiving DFI identification
    "5"  # 12     check digit
    "00012345678901234"  # 13-29  DFI account number, all 17 characters
    "0000100000"  # 30-39  amount: $1,000.00
    "EMP0002        "  # 40-54  individual identification number
    "ROE RICHARD           "  # 55-76  individual name
    "  "  # 77-78  discretionary data
    "0"  # 79     no addenda
    "121000350000002"  # 80-94  trace: sequence 2
)
EXPECTED_BATCH_1_CONTROL = (
    "8"  # 01     record type code
    "220"  # 02-04  service class
    "000002"  # 05-10  entry/addenda count
    "0003200003"  # 11-20  entry hash: 02100002 + 01100001 = 3200003
    "000000000000"  # 21-32  total debits
    "000000316155"  # 33-44  total credits: 216155 + 100000
    "1234567890"  # 45-54  company identification
    "                   "  # 55-73  message authentication code (19)
    "      "  # 74-79  reserved
    "12100035"  # 80-87  originating DFI identification
    "0000001"  # 88-94  batch number
)
EXPECTED_BATCH_2_HEADER = (
    "5"  # 01
    "225"  # 02-04  debits only
    "ACME PAYROLL INC"  # 05-20
    "                    "  # 21-40
    "1234567890"  # 41-50
    "CCD"  # 51-53
    "PAYROLL   "  # 54-63
    "JAN 15"  # 64-69
    "260114"  # 70-75  the funding debit settles a day earlier
    "   "  # 76-78
    "1"  # 79
    "12100035"  # 80-87
    "0000002"  # 88-94  batch number 2
)
EXPECTED_ENTRY_3 = (
    "6"  # 01
    "27"  # 02-03  checking debit
    "12100035"  # 04-11
    "8"  # 12
    "5550001          "  # 13-29
    "0000316155"  # 30-39  $3,161.55, the sum of the credits
    "1234567890     "  # 40-54
    "ACME PAYROLL INC      "  # 55-76
    "  "  # 77-78
    "0"  # 79
    "121000350000003"  # 80-94  the trace sequence runs on across batches
)
EXPECTED_BATCH_2_CONTROL = (
    "8"  # 01
    "225"  # 02-04
    "000001"  # 05-10
    "0012100035"  # 11-20  entry hash: 12100035
    "000000316155"  # 21-32  total debits
    "000000000000"  # 33-44  total credits
    "1234567890"  # 45-54
    "                   "  # 55-73
    "      "  # 74-79
    "12100035"  # 80-87
    "0000002"  # 88-94
)
EXPECTED_FILE_CONTROL = (
    "9"  # 01     record type code
    "000002"  # 02-07  batch count
    "000001"  # 08-13  block count: 10 records (9 + 1 padding) / 10
    "00000003"  # 14-21  entry/addenda count
    "0015300038"  # 22-31  entry hash: 3200003 + 12100035
    "000000316155"  # 32-43  total debits in file
    "000000316155" + " " * 39  # 44-55  total credits in file  # 56-94  reserved
)
EXPECTED_RECORDS = [
    EXPECTED_FILE_HEADER,
    EXPECTED_BATCH_1_HEADER,
    EXPECTED_ENTRY_1,
    EXPECTED_ENTRY_2,
    EXPECTED_BATCH_1_CONTROL,
    EXPECTED_BATCH_2_HEADER,
    EXPECTED_ENTRY_3,
    EXPECTED_BATCH_2_CONTROL,
    EXPECTED_FILE_CONTROL,
    "9" * 94,  # padding to a block of 10
]


def test_hand_written_records_are_94_characters() -> None:
    assert [len(record) for record in EXPECTED_RECORDS] == [94] * 10


def test_file_matches_the_layout_byte_for_byte() -> None:
    expected = "".join(record + "\n" for record in EXPECTED_RECORDS).encode("ascii")
    assert build_file(two_batch_spec()) == expected


def test_each_record_matches_field_by_field() -> None:
    built = build_file(two_batch_spec()).decode("ascii").splitlines()
    for number, (line, expected) in enumerate(zip(built, EXPECTED_RECORDS, strict=True), 1):
        for position, (got, want) in enumerate(zip(line, expected, strict=True), 1):
            assert got == want, f"record {number} position {position}"


def test_round_trip_parses_back_to_the_same_entries() -> None:
    spec = two_batch_spec()
    parsed = parse_file(build_file(spec))
    for batch_spec, batch in zip(spec.batches, parsed.batches, strict=True):
        got = [
            EntrySpec(
                transaction_code=e.detail.transaction_code,
                routing=e.detail.routing_number,
                account=e.detail.dfi_account_number,
                amount_cents=e.detail.amount,
                individual_id=e.detail.individual_identification_number,
                individual_name=e.detail.individual_name,
            )
            for e in batch.entries
        ]
        want = [
            EntrySpec(
                e.transaction_code,
                e.routing,
                e.account,
                e.amount_cents,
                e.individual_id,
                e.individual_name.upper(),
            )
            for e in batch_spec.entries
        ]
        assert got == want
        assert batch.header.effective_entry_date == batch_spec.effective_date
        assert batch.header.standard_entry_class_code == batch_spec.sec_code
    assert parsed.header.file_creation_date == date(2026, 1, 15)
    assert parsed.padding_count == 1


def test_entry_hash_keeps_the_ten_low_order_digits() -> None:
    # 99,999,999 x 101 = 10,099,999,899; the 10 low-order digits are 0099999899.
    assert entry_hash(["99999999"] * 101) == 99_999_899


def test_payment_addenda_follows_its_entry() -> None:
    spec = two_batch_spec()
    entry = EntrySpec(22, "021000021", "123456789", 5000, "EMP9", "DOE JANE", "", "Bonus Jan")
    batch = BatchSpec(**{**_fields(spec.batches[0]), "entries": (entry,)})
    lines = build_file(AchFileSpec(**{**_fields(spec), "batches": (batch,)})).decode().split("\n")
    assert lines[2][78] == "1"  # position 79: addenda record indicator
    assert (
        lines[3]
        == (
            "7"  # 01     record type code
            "05"  # 02-03  addenda type code
            + "BONUS JAN".ljust(80)  # 04-83  payment related information
            + "0001"  # 84-87  addenda sequence number
            "0000001"  # 88-94  entry detail sequence number: last 7 of the trace
        )
    )
    assert lines[4][4:10] == "000002"  # batch control counts the entry and its addenda


def test_blocking_pads_to_a_multiple_of_ten_records() -> None:
    spec = two_batch_spec()
    template = spec.batches[0].entries[0]
    for count in range(1, 24):
        batch = BatchSpec(**{**_fields(spec.batches[0]), "entries": (template,) * count})
        data = build_file(AchFileSpec(**{**_fields(spec), "batches": (batch,)}))
        lines = data.decode().splitlines()
        real_records = count + 4  # file header, batch header, entries, batch control, control
        assert len(lines) == -(-real_records // 10) * 10
        assert all(len(line) == 94 for line in lines)
        assert lines[real_records - 1][7:13] == f"{len(lines) // 10:06d}"  # block count


def test_trace_numbers_are_unique_and_ascending() -> None:
    spec = two_batch_spec()
    template = spec.batches[0].entries[0]
    batch = BatchSpec(**{**_fields(spec.batches[0]), "entries": (template,) * 12})
    data = build_file(AchFileSpec(**{**_fields(spec), "batches": (batch, batch)}))
    traces = [line[79:94] for line in data.decode().splitlines() if line.startswith("6")]
    assert traces == [f"12100035{n:07d}" for n in range(1, 25)]


def _fields(value: object) -> dict[str, object]:
    return {name: getattr(value, name) for name in value.__dataclass_fields__}  # type: ignore[attr-defined]
