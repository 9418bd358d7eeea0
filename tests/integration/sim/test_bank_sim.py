"""The bank simulator as a real process, driven through BankHttpProvider."""

from __future__ import annotations

import base64
import time
from dataclasses import replace
from datetime import date

import httpx
import pytest

from payrun.adapters.http_retry import DownstreamUnavailable
from payrun.adapters.payments.bank_http import BankHttpProvider
from payrun.services.ports import PaymentBatch

from .conftest import CallbackSink


def entry_record(code: str, account: str, cents: int, trace: str) -> str:
    """One NACHA entry detail record (94 characters), fields at their NACHA positions."""
    routing, check_digit = "02100002", "1"
    record = f"6{code}{routing}{check_digit}{account:<17}{cents:010d}{'EMP1':<15}{'JANE DOE':<22}"
    record += f"  0{trace}"  # discretionary data, addenda indicator, trace number
    assert len(record) == 94, len(record)
    return record


def make_batch(key: str = "run-2026-01-employer-7", credit_cents: int = 250_075) -> PaymentBatch:
    nacha = (
        entry_record("22", "111222333", 150_000, "021000020000001")
        + "\n"
        + entry_record("32", "444555666", 100_075, "021000020000002")
        + "\n"
    ).encode()
    return PaymentBatch(
        idempotency_key=key,
        employer_id=7,
        run_id="run-2026-01",
        entry_count=2,
        credit_total_cents=credit_cents,
        debit_total_cents=0,
        nacha=nacha,
        effective_date=date(2026, 1, 15),
    )


def token(n: int) -> bytes:
    return f"task-token-{n}".encode()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def set_behaviour(url: str, **behaviour: object) -> None:
    httpx.post(f"{url}/admin/behaviour", json=behaviour, timeout=5).raise_for_status()


def test_same_key_twice_settles_once_and_answers_the_latest_token(start_bank, sink: CallbackSink):
    bank = start_bank()
    provider = BankHttpProvider(bank.url, sink.url)

    first = provider.submit(make_batch(), token(1))
    settled = sink.wait_for("completed", b64(token(1)))[0]
    again = provider.submit(make_batch(), token(2))
    replayed = sink.wait_for("completed", b64(token(2)))[0]

    assert provider.asynchronous  # the activity must wait for the callback
    assert first.accepted and not first.duplicate
    assert again.accepted and again.duplicate
    assert again.provider_reference == first.provider_reference
    # 1500.00 + 1000.75 dollars in the two credit entries = 250075 cents
    assert settled["result"] == {
        "reference": first.provider_reference,
        "status": "settled",
        "settled_cents": 250_075,
    }
    assert replayed["result"] == settled["result"]
    assert settled["signed"] and replayed["signed"]
    status = provider.status(make_batch().idempotency_key)
    assert status is not None
    assert (status["settlements"], status["submissions"]) == (1, 2)


def test_idempotency_survives_kill_9_and_restart(start_bank, sink: CallbackSink):
    bank = start_bank(delay=1.0)
    provider = BankHttpProvider(bank.url, sink.url)
    first = provider.submit(make_batch(), token(1))
    bank.kill()  # SIGKILL before the one-second settlement

    bank.start()  # same port, same state file
    sink.wait_for("completed", b64(token(1)))  # the restarted bank finishes what it accepted
    bank.kill()
    bank.start()
    again = provider.submit(make_batch(), token(2))

    assert again.duplicate and again.provider_reference == first.provider_reference
    sink.wait_for("completed", b64(token(2)))
    assert provider.status(make_batch().idempotency_key)["settlements"] == 1


def test_slow_bank_heartbeats_until_it_settles(start_bank, sink: CallbackSink):
    bank = start_bank(delay=1.0)
    BankHttpProvider(bank.url, sink.url).submit(make_batch(), token(1))

    sink.wait_for("completed")
    heartbeats = sink.of("heartbeat")

    assert len(heartbeats) >= 4  # one at once, then every 0.2 s for 1 s
    assert all(h["signed"] and h["details"]["status"] == "processing" for h in heartbeats)


def test_failing_bank_answers_503_and_the_client_gives_up_boundedly(start_bank, sink):
    bank = start_bank(mode="fail")
    provider = BankHttpProvider(bank.url, sink.url, attempts=2)

    started = time.monotonic()
    with pytest.raises(DownstreamUnavailable, match="HTTP 503 after 2 attempts"):
        provider.submit(make_batch(), token(1))
    assert time.monotonic() - started < 10  # bounded: two tries and one short backoff, not a hang

    set_behaviour(bank.url, mode="ok")
    assert provider.submit(make_batch(), token(1)).accepted


def test_unreachable_bank_raises_downstream_unavailable():
    provider = BankHttpProvider("http://127.0.0.1:9", None, timeout=1, attempts=2)
    with pytest.raises(DownstreamUnavailable, match="ConnectError"):
        provider.submit(make_batch(), None)


def test_rejecting_bank_answers_downstream_rejection(start_bank, sink: CallbackSink):
    bank = start_bank(mode="reject")
    BankHttpProvider(bank.url, sink.url).submit(make_batch(), token(1))

    failed = sink.wait_for("failed")[0]

    assert failed["error_type"] == "downstream_rejection"
    assert not sink.of("completed")


def test_silent_bank_accepts_then_answers_a_resubmission_once_back(start_bank, sink):
    bank = start_bank(mode="never")
    provider = BankHttpProvider(bank.url, sink.url)
    provider.submit(make_batch(), token(1))
    time.sleep(1.0)
    assert sink.received == []
    assert provider.status(make_batch().idempotency_key)["status"] == "accepted"

    set_behaviour(bank.url, mode="ok")
    assert provider.submit(make_batch(), token(2)).duplicate

    sink.wait_for("completed", b64(token(2)))
    assert sink.of("completed", b64(token(1))) == []
    assert provider.status(make_batch().idempotency_key)["settlements"] == 1


def test_cancel_before_settlement_tells_the_waiting_caller(start_bank, sink: CallbackSink):
    bank = start_bank(mode="never")
    provider = BankHttpProvider(bank.url, sink.url)
    provider.submit(make_batch(), token(1))

    assert provider.cancel(make_batch().idempotency_key) is True
    failed = sink.wait_for("failed")[0]
    assert failed["error_type"] == "batch_cancelled"
    assert provider.cancel(make_batch().idempotency_key) is False
    assert provider.cancel("no-such-key") is False
    assert provider.status(make_batch().idempotency_key)["settlements"] == 0


def test_settled_batch_cannot_be_cancelled(start_bank, sink: CallbackSink):
    bank = start_bank()
    provider = BankHttpProvider(bank.url, sink.url)
    provider.submit(make_batch(), token(1))
    sink.wait_for("completed")

    assert provider.cancel(make_batch().idempotency_key) is False


def test_key_reused_for_a_different_batch_is_refused(start_bank, sink: CallbackSink):
    bank = start_bank(mode="never")
    provider = BankHttpProvider(bank.url, sink.url)
    provider.submit(make_batch(), token(1))

    receipt = provider.submit(replace(make_batch(), run_id="another-run"), token(2))

    assert not receipt.accepted
    assert "409" in receipt.message


def test_file_whose_credits_disagree_with_the_total_is_refused(start_bank, sink):
    bank = start_bank()
    receipt = BankHttpProvider(bank.url, sink.url).submit(make_batch(credit_cents=1), token(1))

    assert not receipt.accepted
    assert "credit_total_cents" in receipt.message


def test_returned_entries_are_reported_with_their_trace(start_bank, sink: CallbackSink):
    bank = start_bank()
    httpx.post(
        f"{bank.url}/admin/returns", json={"accounts": {"444555666": "R01"}}, timeout=5
    ).raise_for_status()
    BankHttpProvider(bank.url, sink.url).submit(make_batch(), token(1))

    result = sink.wait_for("completed")[0]["result"]

    assert result["returns"] == [{"trace": "021000020000002", "code": "R01"}]


def test_simulator_that_cannot_start_fails_fast(tmp_path):
    from payrun_sims.process import SimProcess

    with pytest.raises(RuntimeError, match="exited"):
        SimProcess("bank", [], secret="s", log_path=tmp_path / "bad.log").start()
