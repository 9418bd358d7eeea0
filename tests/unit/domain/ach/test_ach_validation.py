"""Bad input is refused with the field named; check_file catches what a bank would."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from tests.ach_example import ISSUE_EXAMPLE

from payrun.domain.ach import build_file, check_file, file_spec_from_json, parse_file
from payrun.domain.ach.routing import check_digit, is_valid_routing, validate_routing
from payrun.domain.errors import InvalidInput


def with_entry(**changes: object) -> dict[str, Any]:
    document = copy.deepcopy(ISSUE_EXAMPLE)
    document["batches"][0]["entries"][0].update(changes)
    return document


def build(document: dict[str, Any]) -> bytes:
    return build_file(file_spec_from_json(document))


# Reference §6.5 worked checks.
@pytest.mark.parametrize("routing", ["011000015", "021000021", "026009593", "121000358"])
def test_published_routing_numbers_pass_the_check_digit(routing: str) -> None:
    assert is_valid_routing(routing)
    assert check_digit(routing[:8]) == int(routing[8])


@pytest.mark.parametrize(
    "routing", ["123456789", "02100002", "0210000210", "02100002X", "０21000021"]
)
def test_bad_routing_numbers_fail(routing: str) -> None:
    assert not is_valid_routing(routing)
    with pytest.raises(InvalidInput):
        validate_routing(routing)


def test_issue_example_builds_and_checks_clean() -> None:
    report = check_file(build(ISSUE_EXAMPLE))
    assert report.ok, report.problems
    assert report.credit_total_cents == 216155
    assert report.entry_count == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"routing": "123456789"}, "batches[0].entries[0].routing", "check digit"),
        ({"account": "1" * 18}, "batches[0].entries[0].account", "longer than 17"),
        ({"amount": "0.00"}, "batches[0].entries[0].amount", "more than zero"),
        ({"amount": "-5.00"}, "batches[0].entries[0].amount", "more than zero"),
        ({"amount": 2161.55}, "batches[0].entries[0].amount", "float"),
        ({"amount": "2161.555"}, "batches[0].entries[0].amount", "whole number of cents"),
        ({"name": "JOSÉ DOE"}, "batches[0].entries[0].name", "ACH character set"),
        ({"name": "DOE\tJANE"}, "batches[0].entries[0].name", "ACH character set"),
        ({"name": "X" * 23}, "batches[0].entries[0].name", "longer than 22"),
        ({"transaction_code": 27}, "batches[0].entries[0].transaction_code", "220"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(
    changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        build(with_entry(**changes))
    assert raised.value.field == field
    assert words in raised.value.problem


def test_float_amounts_are_refused_when_read_from_json_text() -> None:
    text = json.dumps(ISSUE_EXAMPLE).replace('"2161.55"', "2161.55")
    with pytest.raises(InvalidInput, match="amount"):
        file_spec_from_json(json.loads(text))


def test_immediate_destination_must_be_a_valid_routing_number() -> None:
    document = copy.deepcopy(ISSUE_EXAMPLE)
    document["immediate_destination"] = "121000359"
    with pytest.raises(InvalidInput) as raised:
        build(document)
    assert raised.value.field == "immediate_destination"


def test_parser_accepts_crlf_and_unseparated_records() -> None:
    data = build(ISSUE_EXAMPLE)
    lf = parse_file(data)
    assert parse_file(data.replace(b"\n", b"\r\n")) == lf
    assert parse_file(data.replace(b"\n", b"")) == lf


def test_short_record_is_named_by_line() -> None:
    lines = build(ISSUE_EXAMPLE).split(b"\n")
    lines[2] = lines[2][:90]
    report = check_file(b"\n".join(lines))
    assert report.problems == ("line 3: has 90 characters, not 94",)


def test_tampered_amount_breaks_the_batch_and_file_totals() -> None:
    data = build(ISSUE_EXAMPLE).decode()
    tampered = data.replace("0000216155EMP0001", "0000216156EMP0001").encode()
    problems = check_file(tampered).problems
    # The batch control no longer adds up; the file control still sums the batch controls.
    assert problems == (
        "batch 1 control total_credit_entry_dollar_amount: is 216155, should be 216156",
    )


def test_tampered_check_digit_is_caught() -> None:
    data = build(ISSUE_EXAMPLE).decode().replace("6220210000211", "6220210000221").encode()
    problems = check_file(data).problems
    assert problems == (
        "batch 1 entry 121000350000001 routing: 021000022 fails the ABA check digit",
    )


def test_tampered_rdfi_breaks_the_entry_hash() -> None:
    # 026009593 is a valid routing number, so only the hash can notice the swap:
    # 02600959 != 02100002 in the batch control's entry hash.
    data = build(ISSUE_EXAMPLE).decode().replace("6220210000211", "6220260095931").encode()
    problems = check_file(data).problems
    assert "batch 1 control entry_hash: is 2100002, should be 2600959" in problems


def test_duplicate_trace_numbers_are_reported() -> None:
    document = copy.deepcopy(ISSUE_EXAMPLE)
    entries = document["batches"][0]["entries"]
    entries.append(dict(entries[0]))
    lines = build(document).decode().split("\n")
    lines[3] = lines[3][:79] + lines[2][79:]  # give entry 2 the trace of entry 1
    problems = check_file("\n".join(lines).encode()).problems
    assert any("used twice" in p for p in problems)


def test_records_out_of_order_are_named_by_line() -> None:
    lines = build(ISSUE_EXAMPLE).decode().split("\n")
    lines[1], lines[2] = lines[2], lines[1]
    report = check_file("\n".join(lines).encode())
    assert report.problems[0].startswith("line 2: expected batch header")


def test_missing_padding_is_a_blocking_problem() -> None:
    lines = build(ISSUE_EXAMPLE).decode().split("\n")
    unpadded = "\n".join(lines[:5]) + "\n"
    problems = check_file(unpadded.encode()).problems
    assert "file: 5 records is not a multiple of 10" in problems


def test_nothing_is_read_from_disk(tmp_path: Path) -> None:
    # build_file returns bytes; writing them is the caller's (adapter's) business.
    assert isinstance(build(ISSUE_EXAMPLE), bytes)
    assert list(tmp_path.iterdir()) == []


def test_a_blank_file_id_modifier_is_reported() -> None:
    data = build(ISSUE_EXAMPLE).decode()
    tampered = (data[:33] + " " + data[34:]).encode()  # position 34
    assert check_file(tampered).problems == ("file header file_id_modifier: '' is not A-Z or 0-9",)
