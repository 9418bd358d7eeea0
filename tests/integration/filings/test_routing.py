"""Events in, filings out: stored once, recomputed, and a deposited liability never paid twice."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from payrun.filings import service, statuses
from payrun.filings.events import EmployerEnrolled, TaxLiabilityRecorded
from payrun.filings.messages import StatusChange
from payrun.filings.store import FilingsStore


def _envelopes(*events: object) -> list[dict[str, object]]:
    return [{"type": type(e).__name__, "event": asdict(e)} for e in events]  # type: ignore[call-overload]


def _ca(pay_date: str, pit: int, sdi: int) -> list[TaxLiabilityRecorded]:
    def one(tax: str, agency: str, withheld: int) -> TaxLiabilityRecorded:
        return TaxLiabilityRecorded(
            f"run-{pay_date}:3:{tax}",
            3,
            agency,
            tax,
            pay_date,
            f"run-{pay_date}",
            1_000_00,
            1_000_00,
            withheld,
            0,
            2,
            40,
        )

    return [one("FIT", "IRS", 50_00), one("CA_PIT", "EDD", pit), one("CA_SDI", "EDD", sdi)]


ENROLLED = EmployerEnrolled("enrol:3:2026", 3, "12-3456783", "Beta", "CA", 2026, 0)


def test_the_same_event_twice_changes_nothing(database_url: str) -> None:
    store = FilingsStore(database_url)
    first = service.receive(store, _envelopes(ENROLLED, *_ca("2026-01-15", 200_00, 30_00)))
    assert {r.filing_id for r in first} == {"3-federal_deposit-M2026-01", "3-ca_deposit-CQ2026Q1"}
    assert service.receive(store, _envelopes(*_ca("2026-01-15", 200_00, 30_00))) == []


def test_a_liability_deposited_with_one_deposit_is_not_paid_again_by_the_next(
    database_url: str,
) -> None:
    store = FilingsStore(database_url)
    service.receive(store, _envelopes(ENROLLED, *_ca("2026-01-15", 200_00, 30_00)))
    # January's $200 PIT (< $350) was deposited with the quarter's tentative deposit ...
    quarterly = "3-ca_deposit-CQ2026Q1"
    statuses.record_status(
        store, StatusChange(quarterly, "filed", "2026-02-01T00:00:00+00:00", 1, amount_cents=230_00)
    )
    # ... then February brings the accumulated PIT to $400: a monthly deposit of January and
    # February (DE 44), of which only February's $230 is still owed.
    routes = {
        r.filing_id: r
        for r in service.receive(store, _envelopes(*_ca("2026-02-13", 200_00, 30_00)))
    }
    monthly = routes["3-ca_deposit-CM2026-02"].state
    assert (monthly.amount_cents, monthly.deposited_cents) == (460_00, 230_00)
    # the tentative quarterly deposit is now empty
    assert routes[quarterly].state.amount_cents == 0


def test_a_redrive_of_the_same_run_replaces_its_figures_with_the_higher_revision(
    database_url: str,
) -> None:
    store = FilingsStore(database_url)
    service.receive(store, _envelopes(ENROLLED, *_ca("2026-01-15", 200_00, 30_00)))
    from dataclasses import replace

    # the redrive paid one more employee: the run's totals, revision 2
    more = [
        replace(e, withheld_cents=2 * e.withheld_cents, revision=2)
        for e in _ca("2026-01-15", 200_00, 30_00)
    ]
    routes = {r.filing_id: r for r in service.receive(store, _envelopes(*more))}
    # PIT is now $400 for January: $350 or more, a monthly deposit (DE 44) of PIT + SDI, due
    # 15 February -> Sunday; Monday 16 is Presidents' Day -> Tuesday 17 February
    monthly = routes["3-ca_deposit-CM2026-01"].state
    assert (monthly.amount_cents, monthly.due) == (460_00, "2026-02-17")
    assert routes["3-ca_deposit-CQ2026Q1"].state.amount_cents == 0
    # a late copy of revision 1 is ignored
    assert service.receive(store, _envelopes(*_ca("2026-01-15", 200_00, 30_00))) == []


def test_the_filings_database_file_is_owner_only(tmp_path: Path) -> None:
    FilingsStore(f"sqlite:///{tmp_path / 'filings.db'}")
    assert (tmp_path / "filings.db").stat().st_mode & 0o077 == 0
