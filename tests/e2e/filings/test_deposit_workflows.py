"""Every deposit path, in time-skipping Temporal against the agency simulators."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
from prometheus_client import REGISTRY

from payrun.adapters.metrics import serve_metrics
from payrun.filings.events import EmployerEnrolled, FundingDebitSettled, TaxLiabilityRecorded
from payrun.filings.statuses import history
from tests.e2e.filings.conftest import Filings, steer

EMPLOYER = 7


def enrolled(
    employer_id: int = EMPLOYER, lookback: int = 60_000_00, impound: bool = True
) -> EmployerEnrolled:
    # lookback over $50,000: a semiweekly depositor (Pub 15 §11)
    return EmployerEnrolled(
        f"enrol:{employer_id}",
        employer_id,
        f"12-345678{employer_id}",
        "Acme",
        "CA",
        2026,
        lookback,
        tax_impound=impound,
    )


def liability(
    tax: str,
    agency: str,
    withheld: int,
    employer: int = 0,
    pay_date: str = "2026-04-24",
    employer_id: int = EMPLOYER,
    payment: int | None = 55,
) -> TaxLiabilityRecorded:
    return TaxLiabilityRecorded(
        event_id=f"run-1:{employer_id}:{pay_date}:{tax}",
        employer_id=employer_id,
        agency=agency,
        tax=tax,
        pay_date=pay_date,
        run_id="run-1",
        wages_cents=10_000_00,
        taxable_wages_cents=10_000_00,
        withheld_cents=withheld,
        employer_cents=employer,
        employee_count=3,
        funding_payment_id=payment,
    )


def federal(employer_id: int = EMPLOYER) -> list[TaxLiabilityRecorded]:
    return [
        liability("FIT", "IRS", 1_200_00, employer_id=employer_id),
        liability("SOCIAL_SECURITY", "IRS", 620_00, 620_00, employer_id=employer_id),
        liability("MEDICARE", "IRS", 145_00, 145_00, employer_id=employer_id),
    ]


def california(employer_id: int = EMPLOYER) -> list[TaxLiabilityRecorded]:
    return [
        liability("CA_PIT", "EDD", 600_00, employer_id=employer_id),
        liability("CA_SDI", "EDD", 130_00, employer_id=employer_id),
    ]


# Friday 24 April 2026, semiweekly: the Wed-Fri period starting Wednesday 22 April.
FED = f"{EMPLOYER}-federal_deposit-S2026-04-22"
CA = f"{EMPLOYER}-ca_deposit-CS2026-04-22"


async def test_federal_deposit_is_filed_with_the_agency_ack(filings: Filings) -> None:
    await filings.send(EMPLOYER, enrolled(), *federal())
    assert await filings.result(FED) == "filed"
    status = filings.payroll_status(FED)
    assert status is not None
    # $1,200 FIT + 2 x $620 + 2 x $145 = $2,730.00, due Wednesday 29 April 2026
    assert (status["status"], status["amount_cents"], status["due"]) == (
        "filed",
        2_730_00,
        "2026-04-29",
    )
    assert status["ack_id"].startswith("IRS-")
    assert [h["type"] for h in status["history"]] == ["opened", "submitted", "filed"]


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_filings_worker_counts_updates_items_sent_and_step_latency(
    filings: Filings,
) -> None:
    """What `payrun filings worker` serves on /metrics moves as a deposit is filed."""
    filed = ("payrun_filing_updates_total", {"filing_type": "federal_deposit", "status": "filed"})
    sent = ("payrun_agency_items_sent_total", {"agency": "IRS"})
    latency = ("payrun_step_seconds_count", {"activity": "send_batch"})
    before = [_sample(name, **labels) for name, labels in (filed, sent, latency)]
    await filings.send(EMPLOYER, enrolled(), *federal())
    assert await filings.result(FED) == "filed"
    after = [_sample(name, **labels) for name, labels in (filed, sent, latency)]
    assert [b - a for a, b in zip(before, after, strict=True)] >= [1, 1, 1]
    port = serve_metrics(0, None)
    page = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    assert 'payrun_filing_updates_total{filing_type="federal_deposit",status="filed"}' in page


async def test_california_deposit_waits_for_the_funding_debit(filings: Filings) -> None:
    await filings.send(EMPLOYER, enrolled(), *federal(), *california())
    await filings.until_status(CA, "pending")
    await filings.env.sleep(timedelta(hours=1))
    assert filings.payroll_status(CA)["status"] == "pending"  # type: ignore[index]
    await filings.send(
        EMPLOYER, FundingDebitSettled("debit:55", EMPLOYER, 55, 2026, "2026-04-24T12:00:00+00:00")
    )
    assert await filings.result(CA) == "filed"
    assert filings.payroll_status(CA)["amount_cents"] == 730_00  # type: ignore[index]


async def test_a_debit_that_never_arrives_escalates_to_blocked(filings: Filings) -> None:
    await filings.send(EMPLOYER, enrolled(), *federal(), *california())
    await filings.until_status(CA, "pending")
    await filings.skip_until_status(CA, "blocked")  # the 48-hour debit timeout passes
    status = filings.payroll_status(CA)
    assert status is not None and status["status"] == "blocked"
    assert status["reason"] == "funding debit 55 not settled after 48 hours"
    [blocked] = [h for h in history(filings.store, CA) if h["status"] == "blocked"]
    assert blocked["resource"] == "payments/55"
    # the debit settles days later: the deposit goes ahead
    await filings.send(
        EMPLOYER, FundingDebitSettled("debit:55", EMPLOYER, 55, 2026, "2026-04-30T12:00:00+00:00")
    )
    assert await filings.result(CA) == "filed"


async def test_an_employer_paying_directly_does_not_wait_for_debits(filings: Filings) -> None:
    await filings.send(EMPLOYER, enrolled(impound=False), *federal(), *california())
    assert await filings.result(CA) == "filed"
    kinds = [h["status"] for h in history(filings.store, CA)]
    assert "blocked" not in kinds


async def test_the_agency_rejects_one_item_of_a_batch(filings: Filings) -> None:
    steer(filings.agencies["IRS"], reject=["8-federal_deposit"])
    await filings.send(7, enrolled(7, impound=False), *federal(7))
    await filings.send(8, enrolled(8, impound=False), *federal(8))
    rejected = "8-federal_deposit-S2026-04-22"
    assert await filings.result(FED) == "filed"
    await filings.until_status(rejected, "rejected")
    status = filings.payroll_status(rejected)
    assert status is not None and status["status"] == "rejected"
    assert status["reason"] == "IRS: R01 invalid"
    # after the correction, the operator retries: filed
    steer(filings.agencies["IRS"])
    await filings.handle(rejected).signal("retry")
    assert await filings.result(rejected) == "filed"
    assert filings.payroll_status(rejected)["status"] == "filed"  # type: ignore[index]


async def test_an_agency_slow_for_days_is_waited_for(filings: Filings) -> None:
    # checks after 1, 2, 4 ... minutes, then every 6 hours: the 20th check is ~3 days later
    steer(filings.agencies["IRS"], polls_before_answer=19)
    await filings.send(EMPLOYER, enrolled(), *federal())
    assert await filings.result(FED) == "filed"
    events = history(filings.store, FED)
    submitted = next(h["at"] for h in events if h["status"] == "submitted")
    filed = next(h["at"] for h in events if h["status"] == "filed")
    waited = datetime.fromisoformat(filed) - datetime.fromisoformat(submitted)
    assert timedelta(days=2) < waited < timedelta(days=7)


async def test_an_agency_that_never_answers_is_a_clear_failure(filings: Filings) -> None:
    steer(filings.agencies["IRS"], silent=True)
    await filings.send(EMPLOYER, enrolled(), *federal())
    await filings.until_status(FED, "submitted")
    await filings.skip_until_status(FED, "blocked")
    status = filings.payroll_status(FED)
    assert status is not None and status["status"] == "blocked"
    assert status["reason"] == "no answer from IRS within 7 days"
    events = history(filings.store, FED)
    submitted = next(h["at"] for h in events if h["status"] == "submitted")
    blocked = next(h["at"] for h in events if h["status"] == "blocked")
    assert datetime.fromisoformat(blocked) - datetime.fromisoformat(submitted) >= timedelta(days=7)


async def test_an_agency_killed_after_taking_the_batch_gets_it_again_and_files(
    filings: Filings,
) -> None:
    irs = filings.agencies["IRS"]
    steer(irs, polls_before_answer=1000)  # holds the batch without answering
    await filings.send(EMPLOYER, enrolled(), *federal())
    await filings.until_status(FED, "submitted")
    await asyncio.sleep(1.0)  # the transmitter's batch window is workflow time: let it send
    async with filings.env.time_skipping_unlocked():  # type: ignore[attr-defined]
        await _until_batch_received(irs.url)
    irs.kill()  # SIGKILL: the simulator forgets every batch it held
    irs.start()
    assert await filings.result(FED) == "filed"  # asked again, unknown, sent again: accepted
    assert filings.payroll_status(FED)["ack_id"].startswith("IRS-")  # type: ignore[index]


async def _until_batch_received(url: str, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not httpx.get(f"{url}/admin/batches", timeout=5).json():
        assert asyncio.get_running_loop().time() < deadline, "no batch reached the agency"
        await asyncio.sleep(0.1)
