"""Bank returns against a real paid run: statuses, dead letters, notifications, idempotency."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import make_engine, migrate, transaction
from payrun.adapters.db.models import (
    DeadLetter,
    Employee,
    EmployeeStatus,
    Employer,
    NotificationRecord,
    Paycheck,
    Payment,
    PaySchedule,
)
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.domain.ach.builder import entry_hash, padding_needed
from payrun.domain.ach.layout import PADDING_RECORD, block_count
from payrun.domain.ach.parser import Entry, parse_file
from payrun.domain.ach.records import (
    BatchControl,
    BatchHeader,
    ChangeAddenda,
    EntryDetail,
    FileControl,
    FileHeader,
    ReturnAddenda,
)
from payrun.domain.errors import InvalidInput
from payrun.entrypoints.runner import RunRequest, plan_run, start_run
from payrun.services.context import PayrollContext
from payrun.services.ports import Notification
from payrun.services.returns import process_returns
from payrun.services.seed import seed_demo
from payrun.workflows.worker import build_worker

RDFI_ROUTING = "02100002"  # the returning bank's 8-digit id (021000021 without check digit)
# The code a returned entry carries (§6.3): 21/31 return a checking/savings credit, 26/36 a debit.
RETURN_CODES = {22: 21, 32: 31, 27: 26, 37: 36}


@dataclass(frozen=True)
class PaidRun:
    """A copy of a settled pay run: its settings, run, one employer's payment and credits."""

    settings: Settings
    run_id: str
    payment_id: int
    employer_id: int
    company_id: str
    odfi_routing: str
    credits: tuple[Entry, ...]  # the PPD credit entries of the payment's NACHA file


_TEMPLATE: dict[str, Path] = {}


async def pay_one_run(settings: Settings) -> str:
    """Pay the first employer's schedule in the time-skipping test server; the run id."""
    with transaction(settings.db_url) as session:
        employer = session.scalars(select(Employer).order_by(Employer.id)).first()
        assert employer is not None
        schedule = session.get(PaySchedule, employer.schedule_id)
        assert schedule is not None
        name = schedule.name
    settings = settings.model_copy(update={"task_queue": f"q-{uuid.uuid4()}"})
    plan = plan_run(settings, RunRequest(name, None))
    async with (
        await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=_binary("temporal-test-server")
        ) as env,
        build_worker(env.client, build_context(settings), settings.task_queue),
    ):
        handle = await start_run(env.client, settings, plan)
        summary = await handle.result()
    assert summary.status == "COMPLETED", summary
    return plan.run_id


def _binary(name: str) -> str:
    candidate = Path(sys.prefix) / "bin" / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def _template(factory: pytest.TempPathFactory) -> Path:
    """One seeded, paid home per test session; tests work on copies of it."""
    if "home" not in _TEMPLATE:
        home = factory.mktemp("paid-run") / "home"
        home.mkdir()
        settings = Settings(home=home, database_url=f"sqlite:///{home / 'payrun.db'}")
        migrate(settings.db_url)
        seed_demo(settings.db_url, employers=2, employees=4, seed=7, vault=_vault(settings))
        run_id = asyncio.run(pay_one_run(settings))
        (home / "run_id").write_text(run_id)
        make_engine(settings.db_url).dispose()  # checkpoint the WAL so a copy is complete
        _TEMPLATE["home"] = home
    return _TEMPLATE["home"]


def _vault(settings: Settings) -> Vault:
    return Vault.for_settings(settings)


def copy_paid_run(factory: pytest.TempPathFactory, target: Path) -> PaidRun:
    """A private copy of the paid run under target (the NACHA paths point into the copy)."""
    template = _template(factory)
    shutil.copytree(template, target)
    settings = Settings(home=target, database_url=f"sqlite:///{target / 'payrun.db'}")
    return describe_paid_run(settings, (target / "run_id").read_text())


def describe_paid_run(settings: Settings, run_id: str, employer_id: int | None = None) -> PaidRun:
    """The run's first payment (of employer_id, if given), its employer and the credit entries
    of its NACHA file."""
    with transaction(settings.db_url) as session:
        query = select(Payment).where(Payment.run_id == run_id).order_by(Payment.id)
        if employer_id is not None:
            query = query.where(Payment.employer_id == employer_id)
        payment = session.scalars(query).first()
        assert payment is not None and payment.status == "PAID"
        assert payment.nacha_path is not None
        employer = session.get(Employer, payment.employer_id)
        assert employer is not None
        ach = parse_file(nacha_of(settings, payment.nacha_path))
        credits = next(b for b in ach.batches if b.header.service_class_code == 220).entries
        return PaidRun(
            settings,
            run_id,
            payment.id,
            employer.id,
            employer.ach_company_id,
            employer.odfi_routing,
            tuple(credits),
        )


@pytest.fixture
def paid(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> PaidRun:
    return copy_paid_run(tmp_path_factory, tmp_path / "home")


class Recorder:
    """A fake notifier: keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)


def context(paid: PaidRun, notifier: Recorder) -> PayrollContext:
    ctx = build_context(paid.settings)
    ctx.notifier = notifier
    return ctx


@dataclass(frozen=True)
class Returned:
    """What the RDFI says about one of our entries."""

    code: str
    original: Entry
    original_trace: str | None = None  # default: the original's own trace
    individual_id: str | None = None
    corrected: str = ""  # a notification of change (code C..): the corrected data field


def return_file(paid: PaidRun, returned: list[Returned]) -> bytes:
    """A return file from the RDFI to our ODFI, built from the record layouts (§6.2, addenda 99):
    each return entry repeats the original's account, amount and individual id with code 21
    (return of a checking credit, §6.3) and an addenda 99 naming the original trace."""
    mixed = any(r.original.detail.transaction_code in (27, 37) for r in returned)
    header = BatchHeader(
        service_class_code=200 if mixed else 220,
        company_name="RETURNS",
        company_discretionary_data="",
        company_identification=paid.company_id,
        standard_entry_class_code="PPD",
        company_entry_description="PAYROLL",
        company_descriptive_date="",
        effective_entry_date=date(2026, 3, 3),
        settlement_date="",
        originator_status_code="1",
        originating_dfi_identification=RDFI_ROUTING,
        batch_number=1,
    )
    lines = [header.to_record()]
    details = []
    for number, r in enumerate(returned, start=1):
        original = r.original.detail
        trace = f"{RDFI_ROUTING}{number:07d}"
        detail = EntryDetail(
            transaction_code=RETURN_CODES[original.transaction_code],
            receiving_dfi_identification=original.receiving_dfi_identification,
            check_digit=original.check_digit,
            dfi_account_number=original.dfi_account_number,
            amount=0 if r.code.startswith("C") else original.amount,  # a NOC moves no money
            individual_identification_number=r.individual_id
            or original.individual_identification_number,
            individual_name=original.individual_name,
            discretionary_data="",
            addenda_record_indicator=1,
            trace_number=trace,
        )
        addenda: ReturnAddenda | ChangeAddenda = ReturnAddenda(
            return_reason_code=r.code,
            original_entry_trace_number=r.original_trace or original.trace_number,
            date_of_death=None,
            original_receiving_dfi_identification=original.receiving_dfi_identification,
            addenda_information="",
            trace_number=trace,
        )
        if r.code.startswith("C"):  # addenda 98 (§6.2): the same fields, corrected data
            addenda = ChangeAddenda(
                change_code=r.code,
                original_entry_trace_number=r.original_trace or original.trace_number,
                original_receiving_dfi_identification=original.receiving_dfi_identification,
                corrected_data=r.corrected,
                trace_number=trace,
            )
        details.append(detail)
        lines += [detail.to_record(), addenda.to_record()]
    total = sum(d.amount for d in details if d.transaction_code in (21, 31))
    debits = sum(d.amount for d in details if d.transaction_code in (26, 36))
    control = BatchControl(
        service_class_code=200 if debits else 220,
        entry_addenda_count=2 * len(details),
        entry_hash=entry_hash([d.receiving_dfi_identification for d in details]),
        total_debit_entry_dollar_amount=debits,
        total_credit_entry_dollar_amount=total,
        company_identification=paid.company_id,
        message_authentication_code="",
        originating_dfi_identification=RDFI_ROUTING,
        batch_number=1,
    )
    lines.append(control.to_record())
    file_header = FileHeader(
        immediate_destination=paid.odfi_routing,
        immediate_origin=RDFI_ROUTING + "1",
        file_creation_date=date(2026, 3, 3),
        file_creation_time="0900",
        file_id_modifier="A",
        immediate_destination_name="PAYRUN ODFI",
        immediate_origin_name="RETURNING BANK",
    )
    records = len(lines) + 2
    file_control = FileControl(
        batch_count=1,
        block_count=block_count(records),
        entry_addenda_count=control.entry_addenda_count,
        entry_hash=control.entry_hash,
        total_debit_entry_dollar_amount_in_file=debits,
        total_credit_entry_dollar_amount_in_file=total,
    )
    lines = [file_header.to_record(), *lines, file_control.to_record()]
    lines += [PADDING_RECORD] * padding_needed(len(lines))
    return ("\n".join(lines) + "\n").encode("ascii")


def nacha_of(settings: Settings, key: str) -> bytes:
    """A payroll file, read back from the object store its payment names."""
    return build_context(settings).store.get_bytes(key)


def employee_of(paid: PaidRun, entry: Entry) -> int:
    with transaction(paid.settings.db_url) as session:
        found = session.scalar(
            select(Employee.id).where(
                Employee.employer_id == paid.employer_id,
                Employee.external_id == entry.detail.individual_identification_number.strip(),
            )
        )
        assert found is not None
        return found


def statuses(paid: PaidRun) -> dict[int, str]:
    with transaction(paid.settings.db_url) as session:
        rows = session.execute(
            select(Paycheck.employee_id, Paycheck.status).where(
                Paycheck.payment_id == paid.payment_id
            )
        ).all()
        return {employee: status for employee, status in rows}


def bank_returns(paid: PaidRun) -> list[DeadLetter]:
    with transaction(paid.settings.db_url) as session:
        query = select(DeadLetter).where(DeadLetter.step == "bank_return")
        return list(session.scalars(query.order_by(DeadLetter.employee_id)))


def return_notices(paid: PaidRun) -> list[NotificationRecord]:
    with transaction(paid.settings.db_url) as session:
        query = select(NotificationRecord).where(NotificationRecord.event == "paycheck.returned")
        return list(session.scalars(query))


def test_r01_and_r03_return_their_paychecks_dead_letter_and_notify(paid: PaidRun) -> None:
    first, second = paid.credits[0], paid.credits[1]
    data = return_file(paid, [Returned("R01", first), Returned("R03", second)])
    notifier = Recorder()
    before = statuses(paid)

    report = process_returns(context(paid, notifier), data)

    r01, r03 = employee_of(paid, first), employee_of(paid, second)
    assert [r.outcome for r in report.returns] == ["routed", "routed"]
    assert [r.matched_by for r in report.returns] == ["trace", "trace"]
    assert [r.employee_id for r in report.returns] == [r01, r03]
    after = statuses(paid)
    assert after[r01] == after[r03] == "RETURNED"
    assert {e: s for e, s in after.items() if e not in (r01, r03)} == {
        e: s for e, s in before.items() if e not in (r01, r03)
    }
    assert set(before.values()) == {"PAID"}
    letters = bank_returns(paid)
    assert [(d.employee_id, d.error_type, d.status) for d in letters] == sorted(
        [(r01, "bank_return", "OPEN"), (r03, "bank_return", "OPEN")]
    )
    by_employee = {d.employee_id: d.error for d in letters}
    assert "R01" in by_employee[r01] and "account fix required: no" in by_employee[r01]
    assert "R03" in by_employee[r03] and "account fix required: yes" in by_employee[r03]
    with transaction(paid.settings.db_url) as session:
        rows = session.scalars(
            select(EmployeeStatus).where(EmployeeStatus.employee_id.in_([r01, r03]))
        ).all()
        assert {(s.employee_id, s.status, s.error_type, s.error) for s in rows} == {
            (r01, "RETURNED", "bank_return", "R01: Insufficient funds"),
            (r03, "RETURNED", "bank_return", "R03: No account / unable to locate account"),
        }
    assert [n.event for n in notifier.sent] == ["paycheck.returned"] * 2
    assert {n.payload["employer_id"] for n in notifier.sent} == {paid.employer_id}
    assert [n.idempotency_key for n in notifier.sent] == [
        f"return-{paid.payment_id}-{first.detail.trace_number}-R01",
        f"return-{paid.payment_id}-{second.detail.trace_number}-R03",
    ]
    assert {n.status for n in return_notices(paid)} == {"SENT"}


def test_processing_the_same_return_file_twice_changes_nothing(paid: PaidRun) -> None:
    data = return_file(paid, [Returned("R01", paid.credits[0]), Returned("R03", paid.credits[1])])
    notifier = Recorder()
    process_returns(context(paid, notifier), data)
    letters, notices, checks = bank_returns(paid), return_notices(paid), statuses(paid)

    again = process_returns(context(paid, notifier), data)

    assert [r.outcome for r in again.returns] == ["duplicate", "duplicate"]
    assert not any(r.notified for r in again.returns)
    assert len(notifier.sent) == 2
    assert statuses(paid) == checks
    assert [(d.id, d.attempts, d.last_failed_at, d.error) for d in bank_returns(paid)] == [
        (d.id, d.attempts, d.last_failed_at, d.error) for d in letters
    ]
    assert [(n.id, n.status, n.attempts) for n in return_notices(paid)] == [
        (n.id, n.status, n.attempts) for n in notices
    ]


def test_an_unknown_trace_is_reported_unmatched_and_the_rest_still_routed(
    paid: PaidRun,
) -> None:
    stranger = Returned(
        "R04", paid.credits[1], original_trace="091000010000999", individual_id="X9"
    )
    data = return_file(paid, [Returned("R02", paid.credits[0]), stranger])
    notifier = Recorder()

    report = process_returns(context(paid, notifier), data)

    assert [r.outcome for r in report.returns] == ["routed", "unmatched"]
    assert report.returns[1].paycheck_id is None
    assert [d.employee_id for d in bank_returns(paid)] == [employee_of(paid, paid.credits[0])]
    assert len(notifier.sent) == 1


def test_a_wrong_trace_falls_back_to_individual_id_and_amount(paid: PaidRun) -> None:
    entry = paid.credits[2]
    data = return_file(paid, [Returned("R02", entry, original_trace="091000010000999")])

    report = process_returns(context(paid, Recorder()), data)

    (routed,) = report.returns
    assert (routed.outcome, routed.matched_by) == ("routed", "individual_id+amount")
    assert routed.employee_id == employee_of(paid, entry)
    assert statuses(paid)[routed.employee_id] == "RETURNED"


def test_an_unrecognised_code_goes_to_manual_review(paid: PaidRun) -> None:
    data = return_file(paid, [Returned("R99", paid.credits[0])])

    (routed,) = process_returns(context(paid, Recorder()), data).returns

    assert routed.outcome == "routed"
    assert "review manually" in routed.message
    assert [d.error_type for d in bank_returns(paid)] == ["bank_return"]


def test_a_file_that_is_not_a_return_file_is_refused_whole(paid: PaidRun) -> None:
    with transaction(paid.settings.db_url) as session:
        payment = session.get(Payment, paid.payment_id)
        assert payment is not None and payment.nacha_path is not None
        payroll_file = nacha_of(paid.settings, payment.nacha_path)
    with pytest.raises(InvalidInput, match="addenda 99"):
        process_returns(context(paid, Recorder()), payroll_file)
    assert bank_returns(paid) == []


def payrun(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAYRUN_HOME": str(home), "COLUMNS": "200"}
    env.pop("PAYRUN_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "payrun.entrypoints.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_prints_where_each_return_went(paid: PaidRun, tmp_path: Path) -> None:
    returns = tmp_path / "returns.ach"
    returns.write_bytes(return_file(paid, [Returned("R03", paid.credits[0])]))

    first = payrun(paid.settings.home, "ach", "returns", str(returns))
    second = payrun(paid.settings.home, "ach", "returns", str(returns))

    assert first.returncode == 0, first.stderr
    assert "R03" in first.stdout and "dead letter bank_return" in first.stdout
    assert "1 routed, 0 already processed" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "0 routed, 1 already processed" in second.stdout


def test_cli_refuses_an_unreadable_return_file_in_one_line(paid: PaidRun, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ach"
    broken.write_bytes(b"not a nacha file\n")

    result = payrun(paid.settings.home, "ach", "returns", str(broken))

    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("error: line 1")
    assert bank_returns(paid) == []
