"""Return files: entries with addenda 99 parsed, and each reason code routed."""

from __future__ import annotations

from datetime import date

import pytest

from payrun.domain.ach import ReturnCategory, check_file, classify_return, parse_returns
from payrun.domain.errors import InvalidInput


def record(*fields: str) -> str:
    line = "".join(fields)
    assert len(line) == 94, (len(line), line)
    return line


SPACES_19, SPACES_44 = " " * 19, " " * 44

# A return file from the RDFI (021000021) back to our ODFI (121000358), written by hand.
RETURN_FILE_RECORDS = [
    record(
        "1",
        "01",
        " 121000358",
        " 021000021",
        "260120",
        "1200",
        "A",
        "094",
        "10",
        "1",
        "BANK OF AMERICA".ljust(23),
        "JPMORGAN CHASE".ljust(23),
        " " * 8,
    ),
    record(
        "5",
        "220",
        "ACME PAYROLL INC",
        " " * 20,
        "1234567890",
        "PPD",
        "PAYROLL   ",
        "JAN 15",
        "260115",
        "016",
        "1",
        "02100002",
        "0000001",
    ),
    # 01 type, 02-03 code 21 (return of a checking credit), 04-12 original ODFI, 13-29
    # account, 30-39 amount, 40-54 id, 55-76 name, 77-78, 79 addenda follows, 80-94 trace.
    record(
        "6",
        "21",
        "12100035",
        "8",
        "123456789".ljust(17),
        "0000216155",
        "EMP0001".ljust(15),
        "DOE JANE".ljust(22),
        "  ",
        "1",
        "021000020000001",
    ),
    # 01 '7', 02-03 '99', 04-06 reason, 07-21 original trace, 22-27 date of death,
    # 28-35 original RDFI, 36-79 information, 80-94 the return entry's trace.
    record("7", "99", "R03", "121000350000001", " " * 6, "02100002", SPACES_44, "021000020000001"),
    record(
        "6",
        "31",
        "12100035",
        "8",
        "00012345678901234",
        "0000100000",
        "EMP0002".ljust(15),
        "ROE RICHARD".ljust(22),
        "  ",
        "1",
        "021000020000002",
    ),
    record(
        "7",
        "99",
        "R02",
        "121000350000002",
        " " * 6,
        "01100001",
        "ACCOUNT CLOSED".ljust(44),
        "021000020000002",
    ),
    record(
        "8",
        "220",
        "000004",
        "0024200070",
        "000000000000",
        "000000316155",
        "1234567890",
        SPACES_19,
        " " * 6,
        "02100002",
        "0000001",
    ),
    record(
        "9",
        "000001",
        "000001",
        "00000004",
        "0024200070",
        "000000000000",
        "000000316155",
        " " * 39,
    ),
    "9" * 94,
    "9" * 94,
]
RETURN_FILE = "".join(r + "\n" for r in RETURN_FILE_RECORDS).encode("ascii")


def test_return_file_passes_the_checker() -> None:
    assert check_file(RETURN_FILE).problems == ()


def test_returns_are_parsed_with_their_original_trace() -> None:
    first, second = parse_returns(RETURN_FILE)
    assert (first.return_code, first.original_trace_number) == ("R03", "121000350000001")
    assert first.amount_cents == 216155
    assert first.individual_id == "EMP0001"
    assert first.original_receiving_dfi == "02100002"
    assert first.account == "123456789"
    assert first.returned_credit
    assert first.effective_date == date(2026, 1, 15)
    assert first.date_of_death is None
    assert (second.return_code, second.addenda_information) == ("R02", "ACCOUNT CLOSED")
    assert second.transaction_code == 31


def test_an_entry_without_addenda_99_is_not_a_return() -> None:
    lines = list(RETURN_FILE_RECORDS)
    del lines[3]  # drop the first addenda 99 ...
    lines[2] = lines[2][:78] + "0" + lines[2][79:]  # ... and its indicator
    with pytest.raises(InvalidInput, match="needs an addenda 99"):
        parse_returns("\n".join(lines).encode())


A, F, Z, ORIG = (
    ReturnCategory.ACCOUNT_DATA,
    ReturnCategory.FUNDS,
    ReturnCategory.AUTHORIZATION,
    ReturnCategory.ORIGINATOR,
)


@pytest.mark.parametrize(
    ("code", "category", "fix_account", "may_retry"),
    [
        ("R01", F, False, True),  # insufficient funds: may be re-presented
        ("R02", A, True, False),  # account closed
        ("R03", A, True, False),  # no account / unable to locate
        ("R04", A, True, False),  # invalid account number
        ("R05", Z, False, False),  # unauthorized debit to a consumer account
        ("R06", ORIG, False, False),  # returned per ODFI request
        ("R07", Z, False, False),  # authorization revoked
        ("R08", Z, False, False),  # payment stopped
        ("R09", F, False, True),  # uncollected funds
        ("R10", Z, False, False),  # originator not known / not authorized
        ("R16", A, True, False),  # account frozen / OFAC
        ("R20", A, True, False),  # non-transaction account
        ("R29", Z, False, False),  # corporate customer says not authorized
    ],
)
def test_each_return_code_is_routed(
    code: str, category: ReturnCategory, fix_account: bool, may_retry: bool
) -> None:
    disposition = classify_return(code)
    assert disposition.category is category
    assert disposition.account_fix_required is fix_account
    assert disposition.may_retry is may_retry
    assert disposition.error_type == "bank_return"
    assert disposition.paycheck_status == "RETURNED"
    assert disposition.message.startswith(f"ACH return {code} (")


def test_unknown_code_goes_to_manual_review() -> None:
    disposition = classify_return("R90")
    assert disposition.category is ReturnCategory.UNKNOWN
    assert disposition.error_type == "bank_return_unknown"
    assert not disposition.may_retry
    assert "review manually" in disposition.message


def test_codes_are_read_case_and_space_insensitively() -> None:
    assert classify_return(" r02 ").code == "R02"


@pytest.mark.parametrize("code", ["", "R1", "X01", "R001", "C01"])
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInput, match="return_code"):
        classify_return(code)
