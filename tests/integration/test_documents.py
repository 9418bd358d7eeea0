"""Pay stubs and payroll receipts, rendered to PDF and HTML and read back as text.

The expected amounts are the hand computations in documents_data's docstring."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from payrun.adapters.db.documents import SqlDocumentReader
from payrun.adapters.render import receipt_html, receipt_pdf, stub_html, stub_pdf
from payrun.services.stubs import NotFound, load_receipt, load_stub

from .documents_data import RUN, write_payroll


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def payroll(database_url: str) -> dict[str, int]:
    return write_payroll(database_url)


def _assert_stub_items(text: str) -> None:
    # Labor Code 226(a): employer legal name and address, pay period, employee name + last 4 of
    # SSN and employee id, hours and rate per rate, gross, deductions, net.
    for item in (
        "Golden Gate Bakery LLC",
        "100 Market Street",
        "San Francisco, CA 94105",
        "Ana Lopez",
        "12 Elm Street",
        "Oakland, CA 94607",
        "2026-01-04",  # period start
        "2026-01-17",  # period end
        "2026-01-22",  # pay date
        "E000001",
        "XXX-XX-4321",
        "****6789",
        "80.00",  # regular hours
        "25.00",  # regular rate
        "37.50",  # overtime rate
        "84.00",  # total hours: 80 + 4
        "2,150.00",  # gross
        "12,150.00",  # YTD gross
        "133.30",  # Social Security, current
        "753.30",  # Social Security, YTD
        "31.18",  # Medicare
        "100.00",  # 401(k)
        "1,617.52",  # net
        "10,617.52",  # YTD net
        "401(k) employer match",
    ):
        assert item in text, item


def test_pay_stub_pdf_shows_current_ytd_and_the_masked_account(
    payroll: dict[str, int], database_url: str
) -> None:
    text = _text(stub_pdf(load_stub(SqlDocumentReader(database_url), payroll["hourly"])))
    _assert_stub_items(text)
    assert "EARNINGS STATEMENT" in text


def test_pay_stub_html_has_the_same_items(payroll: dict[str, int], database_url: str) -> None:
    html = stub_html(load_stub(SqlDocumentReader(database_url), payroll["hourly"]))
    _assert_stub_items(html)
    assert html.startswith("<!doctype html>")


def test_a_stub_outside_the_callers_employers_is_not_found(
    payroll: dict[str, int], database_url: str
) -> None:
    with pytest.raises(NotFound, match="paycheck_id"):
        load_stub(
            SqlDocumentReader(database_url), payroll["hourly"], employers={payroll["employer"] + 1}
        )


def test_payroll_receipt_pdf_shows_debit_net_per_employee_and_tax_per_agency(
    payroll: dict[str, int], database_url: str
) -> None:
    receipt = load_receipt(SqlDocumentReader(database_url), RUN, payroll["employer"])
    text = _text(receipt_pdf(receipt))
    assert "PAYROLL RECEIPT" in text and "****5555" in text
    # debited: the two net pays, 1,617.52 + 2,341.50 = 3,959.02
    assert "3,959.02" in text
    assert "Ana Lopez" in text and "1,617.52" in text
    assert "Ben Okafor" in text and "2,341.50" in text
    # IRS Form 941: FIT 180.00 + 300.00, SS 2 x (133.30 + 186.00), Medicare 2 x (31.18 + 43.50)
    # = 480.00 + 638.60 + 149.36 = 1,267.96
    assert "1,267.96" in text
    # IRS Form 940: FUTA 12.90 + 18.00 = 30.90
    assert "30.90" in text
    # California EDD: PIT 60.00 + 90.00, SDI 28.00 + 39.00, SUI 73.10 = 290.10
    assert "California EDD (DE 9)" in text and "290.10" in text
    # every tax: 1,267.96 + 30.90 + 290.10 = 1,588.96
    assert "1,588.96" in text
    assert receipt.debited_cents == receipt.net_cents == 395902
    assert "3,959.02" in receipt_html(receipt)


def test_stub_and_receipt_commands_write_files_and_refuse_a_bad_name(
    payroll: dict[str, int], database_url: str, tmp_path: Path
) -> None:
    env = {**os.environ, "PAYRUN_DATABASE_URL": database_url}
    payrun = [sys.executable, "-m", "payrun.entrypoints.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*payrun, *args], env=env, capture_output=True, text=True, timeout=120
        )

    stub = tmp_path / "stub.pdf"
    assert run("stub", str(payroll["salaried"]), "-o", str(stub)).returncode == 0
    assert "3,000.00" in _text(stub.read_bytes()) and "2,341.50" in _text(stub.read_bytes())
    receipt = tmp_path / "receipt.html"
    done = run("receipt", RUN, "--employer", str(payroll["employer"]), "-o", str(receipt))
    assert done.returncode == 0, done.stderr
    assert "3,959.02" in receipt.read_text()
    bad = run("stub", str(payroll["hourly"]), "-o", str(tmp_path / "stub.txt"))
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: --output: stub.txt must end in .pdf or .html"
    missing = run("stub", "999999", "-o", str(stub))
    assert missing.returncode == 2 and "no paycheck 999999" in missing.stderr
    assert "Traceback" not in bad.stderr + missing.stderr
