"""`payrun filings list/show/retry` read the service's own store."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from typer.testing import CliRunner

from payrun.entrypoints.filings_cli import filings_app
from payrun.filings import service
from payrun.filings.config import FilingsSettings
from payrun.filings.events import EmployerEnrolled, TaxLiabilityRecorded
from payrun.filings.store import FilingsStore


def _seed(home: Path) -> None:
    store = FilingsStore(FilingsSettings(home=home).db_url)
    events = [
        EmployerEnrolled("enrol:6", 6, "11-1111111", "Delta", "CA", 2026, 0),
        TaxLiabilityRecorded(
            "r:6:FIT", 6, "IRS", "FIT", "2026-03-13", "r", 500_00, 500_00, 40_00, 0, 1
        ),
    ]
    service.receive(store, [{"type": type(e).__name__, "event": asdict(e)} for e in events])


def test_list_filters_by_status_and_shows_money_with_two_decimals(payrun_home: Path) -> None:
    _seed(payrun_home)
    runner = CliRunner()
    listed = runner.invoke(filings_app, ["list", "--employer", "6", "--json"])
    assert listed.exit_code == 0, listed.output
    (item,) = json.loads(listed.output)["items"]
    # a monthly depositor: March's $40.00 due 15 April 2026 (a Wednesday)
    assert (item["id"], item["amount"], item["due"], item["status"]) == (
        "6-federal_deposit-M2026-03",
        "40.00",
        "2026-04-15",
        "pending",
    )
    assert json.loads(
        runner.invoke(filings_app, ["list", "--status", "filed", "--json"]).output
    ) == {"items": []}


def test_retry_refuses_a_filing_that_is_neither_blocked_nor_rejected(payrun_home: Path) -> None:
    _seed(payrun_home)
    result = CliRunner().invoke(filings_app, ["retry", "6-federal_deposit-M2026-03"])
    assert result.exit_code == 2
    assert "only blocked or rejected retry" in result.output
