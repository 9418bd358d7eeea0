"""Properties over generated files: every valid spec builds, checks clean and round-trips."""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import payrun.domain.ach as ach_package
from payrun.domain.ach import AchFileSpec, BatchSpec, EntrySpec, build_file, check_file, parse_file
from payrun.domain.ach.routing import check_digit

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
