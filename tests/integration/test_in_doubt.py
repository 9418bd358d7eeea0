"""Payments in doubt: sent, then the worker stopped before it recorded the answer. Asking the
provider (the real bank simulator, or the file-drop folders) settles or fails them."""

from __future__ import annotations

import json
import time

from payrun.adapters.payments.bank_http import BankHttpProvider
from payrun.services import payments
from payrun.services.in_doubt import resolve_in_doubt
from payrun.services.messages import PreparedPayment
from tests.integration.test_payments import ValidatedRun, run  # noqa: F401  (the fixture)

from .sim.conftest import start_bank  # noqa: F401  (the fixture)


def sent_without_answer(run: ValidatedRun) -> PreparedPayment:  # noqa: F811
    """Prepare, hand to the provider, mark SENT: then the worker is gone (no record)."""
    prepared = payments.prepare_payment(run.ctx, run.inp)
    batch = payments.payment_batch(run.ctx, prepared, run.inp.run_id, run.inp.employer_id)
    receipt = run.ctx.payment_provider.submit(batch, None)
    assert receipt.accepted
    payments.mark_sent(run.ctx, prepared.payment_id, receipt.provider_reference)
    return prepared


def test_a_sent_payment_the_bank_settled_is_recorded_paid(run: ValidatedRun, start_bank) -> None:  # noqa: F811
    bank = start_bank()
    provider = BankHttpProvider(bank.url, None)
    run.ctx.payment_provider = provider
    prepared = sent_without_answer(run)
    deadline = time.monotonic() + 10
    while provider.payment_status(prepared.idempotency_key).state != "settled":
        assert time.monotonic() < deadline, "the bank never settled"
        time.sleep(0.05)
    assert {s for _, s, _ in run.paychecks().values()} == {"CALCULATED"}

    (answer,) = resolve_in_doubt(run.ctx)
    again = resolve_in_doubt(run.ctx)

    assert (answer.provider_state, answer.status) == ("settled", "PAID")
    assert again == []
    assert {s for _, s, _ in run.paychecks().values()} == {"PAID"}
    assert set(run.employee_statuses().values()) == {"PAID"}
    assert provider.status(prepared.idempotency_key)["settlements"] == 1  # paid once


def test_a_payment_the_bank_never_received_is_left_for_the_saga(
    run: ValidatedRun,  # noqa: F811
    start_bank,  # noqa: F811
) -> None:
    run.ctx.payment_provider = BankHttpProvider(start_bank().url, None)
    payments.prepare_payment(run.ctx, run.inp)  # PENDING: the worker died before submit

    (answer,) = resolve_in_doubt(run.ctx)

    assert (answer.provider_state, answer.status) == ("unknown", "PENDING")
    assert {s for _, s, _ in run.paychecks().values()} == {"CALCULATED"}


def test_the_file_drop_answers_from_its_folders(run: ValidatedRun) -> None:  # noqa: F811
    sent_without_answer(run)

    (answer,) = resolve_in_doubt(run.ctx)

    assert (answer.provider_state, answer.status) == ("settled", "PAID")
    assert {s for _, s, _ in run.paychecks().values()} == {"PAID"}


def test_a_file_the_bank_rejected_fails_and_frees_its_paychecks(run: ValidatedRun) -> None:  # noqa: F811
    prepared = sent_without_answer(run)
    provider = run.ctx.payment_provider
    provider.ack_folder.mkdir(parents=True, exist_ok=True)  # type: ignore[attr-defined]
    ack = {"status": "rejected", "message": "file total out of balance"}
    (provider.ack_folder / f"{prepared.idempotency_key}.json").write_text(json.dumps(ack))  # type: ignore[attr-defined]

    (answer,) = resolve_in_doubt(run.ctx)

    assert (answer.provider_state, answer.status) == ("rejected", "REJECTED")
    assert {(s, p) for _, s, p in run.paychecks().values()} == {("CALCULATED", None)}
