"""Properties over generated files: every valid spec builds, checks clean and round-trips."""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.domain.ach.test_ach_builder import two_batch_spec

import payrun.domain.ach as ach_package
from payrun.domain.ach import AchFileSpec, BatchSpec, EntrySpec, build_file, check_file, parse_file
from payrun.domain.ach.builder import entry_detail_record
from payrun.domain.ach.parser import ENTRY_DETAIL_LINE
from payrun.domain.ach.records import EntryDetail
from payrun.domain.ach.routing import check_digit
from payrun.domain.errors import InvalidInput

printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=22)
names = printable.filter(lambda s: s.strip() != "")


@st.composite
def routing_numbers(draw: st.DrawFn) -> str:
    first_eight = draw(st.text("0123456789", min_size=8, max_size=8))
    return first_eight + str(check_digit(first_eight))


accounts = st.text("0123456789-", min_size=1, max_size=17).filter(lambda s: s.strip() == s)
credits = st.builds(
    EntrySpec,
    transaction_code=st.sampled_from([22, 32]),
    routing=routing_numbers(),
    account=accounts,
    amount_cents=st.integers(1, 99_999_999_99),
    individual_id=printable.map(lambda s: s[:15]),
    individual_name=names,
)


@given(st.lists(st.lists(credits, min_size=1, max_size=12), min_size=1, max_size=3))
@settings(max_examples=60, deadline=None)
def test_generated_files_check_clean_and_round_trip(batches: list[list[EntrySpec]]) -> None:
    spec = AchFileSpec(
        "121000358",
        "1234567890",
        "BANK",
        "ACME",
        datetime(2026, 1, 15, 9, 30),
        "A",
        tuple(
            BatchSpec(
                220, "ACME", "1234567890", "PPD", "PAYROLL", date(2026, 1, 15), "12100035", tuple(b)
            )
            for b in batches
        ),
    )
    data = build_file(spec)
    assert check_file(data).ok
    assert len(data) % (95 * 10) == 0  # 94 characters + LF, in blocks of 10
    parsed = [
        (e.detail.routing_number, e.detail.dfi_account_number, e.detail.amount)
        for e in parse_file(data).entries()
    ]
    assert parsed == [(e.routing, e.account, e.amount_cents) for b in batches for e in b]
    names_back = [e.detail.individual_name for e in parse_file(data).entries()]
    assert names_back == [e.individual_name.upper().rstrip() for b in batches for e in b]


FORBIDDEN_IMPORTS = {
    "os",
    "io",
    "pathlib",
    "socket",
    "subprocess",
    "httpx",
    "smtplib",
    "time",
    "random",
}


def test_the_ach_domain_does_no_io_and_reads_no_clock() -> None:
    folder = Path(ach_package.__file__).parent
    for module in [*folder.glob("*.py"), folder.parent / "banking_days.py"]:
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported = {(node.module or "").split(".")[0]}
            else:
                imported = set()
            assert not imported & FORBIDDEN_IMPORTS, f"{module.name} imports {imported}"
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"now", "today", "utcnow", "open"}, (
                    f"{module.name}: .{node.attr}"
                )


@given(credits, st.text("0123456789", min_size=15, max_size=15))
@settings(max_examples=200, deadline=None)
def test_the_one_format_entry_line_is_the_entry_detail_layout(
    entry: EntrySpec, trace_number: str
) -> None:
    by_layout = EntryDetail(
        transaction_code=entry.transaction_code,
        receiving_dfi_identification=entry.routing[:8],
        check_digit=entry.routing[8],
        dfi_account_number=entry.account,
        amount=entry.amount_cents,
        individual_identification_number=entry.individual_id.upper(),
        individual_name=entry.individual_name.upper(),
        discretionary_data="",
        addenda_record_indicator=0,
        trace_number=trace_number,
    ).to_record()
    assert entry_detail_record(entry, trace_number) == by_layout


# Characters that break a field in every way a layout can see: digits in text, letters
# and blanks in numbers, a wrong record type, a non-ASCII byte, a line-length change.
EDITS = st.sampled_from([b"0", b"7", b"9", b" ", b"A", b"-", b"\xc3", b"", b"00"])


@given(st.data(), EDITS)
@settings(max_examples=300, deadline=None)
def test_check_file_reads_a_changed_file_exactly_as_parse_file_does(
    data: st.DataObject, replacement: bytes
) -> None:
    built = build_file(two_batch_spec())
    at = data.draw(st.integers(0, len(built) - 1))
    changed = built[:at] + replacement + built[at + 1 :]
    report = check_file(changed)
    try:
        parsed = parse_file(changed)
    except InvalidInput as error:
        assert report.problems == (str(error),)
        assert report.file is None
    else:
        assert report.file == parsed
        assert report.entry_count == len(parsed.entries())


A_VALID_ENTRY_LINE = build_file(two_batch_spec()).decode().split("\n")[2]


@given(st.dictionaries(st.integers(0, 93), st.sampled_from("09 A-"), max_size=3))
@settings(max_examples=300, deadline=None)
def test_the_entry_pattern_accepts_exactly_what_the_layout_parses(edits: dict[int, str]) -> None:
    line = "".join(edits.get(i, c) for i, c in enumerate(A_VALID_ENTRY_LINE))
    try:
        EntryDetail.from_record(line)
    except InvalidInput:
        assert ENTRY_DETAIL_LINE.fullmatch(line) is None
    else:
        assert ENTRY_DETAIL_LINE.fullmatch(line) is not None
