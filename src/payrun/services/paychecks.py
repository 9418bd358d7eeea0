"""Paychecks: created once per employee, period and kind, together with the YTD accumulators."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from payrun.adapters.db.bulk import converter, insert_rows, reserve_ids, update_rows
from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Paycheck, PaycheckDetail, YtdAccumulator
from payrun.domain.earnings import EARNING_CODES
from payrun.domain.money import whole_cents
from payrun.domain.paystub import (
    FIXED_LINES,
    FIXED_LINES_WITHOUT_STATE,
    PayStub,
    has_state_lines,
    shown,
)
from payrun.domain.statuses import EmployeeRunStatus, PaycheckStatus
from payrun.services import statuses
from payrun.services.context import PayrollContext
from payrun.services.messages import ChunkTask
from payrun.services.statuses import Failures
from payrun.services.ytd_adjustments import undo_ytd

EMPLOYEE_TAX, EMPLOYER_TAX, DEDUCTION = "employee_tax", "employer_tax", "deduction"


def paycheck_row(
    task: ChunkTask,
    header: dict[str, Any],
    employee_id: int,
    stub: PayStub,
    ytd_before: Mapping[str, int],
    now: Any,
) -> dict[str, Any]:
    """The paycheck row of one stub, in cents; its `detail` (lines with YTD, YTD after, what it
    added to YTD) goes to paycheck_details. Worked in integer cents from the YTD cents the
    taxes were computed from: each current amount is converted once (a line after the
    earnings shows its YTD key's current amount, paystub.FIXED_LINES)."""
    delta = {
        key: whole_cents(amount) for key, amount in stub.current_by_ytd_key().items() if amount
    }
    after = dict(ytd_before)
    for key, added in delta.items():
        after[key] = after.get(key, 0) + added
    lines = []
    for earning in stub.earnings:
        description, key, _ = EARNING_CODES[earning.code]
        cents = whole_cents(earning.amount.amount)
        line = _line("earning", earning.code, description, cents, after.get(key, 0))
        if earning.hours is not None:  # the stub's hours and rate (Labor Code 226(a)(2), (9))
            line["hours"], line["rate"] = str(earning.hours), str(earning.rate)
        lines.append(line)
    totals = dict.fromkeys((EMPLOYEE_TAX, EMPLOYER_TAX, DEDUCTION), 0)
    fixed = FIXED_LINES if has_state_lines(False, after) else FIXED_LINES_WITHOUT_STATE
    for kind, code, description, key in fixed:
        amount = delta.get(key, 0)
        year = after.get(key, 0)
        if shown(kind, code, amount, year):
            lines.append(_line(kind, code, description, amount, year))
            if kind in totals:
                totals[kind] += amount
    return {
        "idempotency_key": f"{header['kind']}-{header['pay_period_id']}-{employee_id}",
        "run_id": task.run_id,
        "employer_id": task.employer_id,
        "employee_id": employee_id,
        "pay_period_id": header["pay_period_id"],
        "kind": header["kind"],
        "pay_date": date.fromisoformat(header["pay_date"]),
        "status": PaycheckStatus.CALCULATED,
        "gross_cents": delta.get("gross", 0),
        "employee_taxes_cents": totals[EMPLOYEE_TAX],
        "employer_taxes_cents": totals[EMPLOYER_TAX],
        "deductions_cents": totals[DEDUCTION],
        "net_cents": delta.get("net_pay", 0),
        "federal_income_tax_cents": delta.get("federal_income_tax", 0),
        "social_security_cents": delta.get("social_security_tax", 0),
        "medicare_cents": delta.get("medicare_tax", 0) + delta.get("additional_medicare_tax", 0),
        "state_income_tax_cents": delta.get("state_income_tax", 0),
        "created_at": now,
        "detail": {"lines": lines, "ytd_after": after, "ytd_delta": delta},
    }


def _line(kind: str, code: str, description: str, cents: int, ytd_cents: int) -> dict[str, Any]:
    return {
        "kind": kind,
        "code": code,
        "description": description,
        "cents": cents,
        "ytd_cents": ytd_cents,
    }


def insert_paychecks(
    ctx: PayrollContext,
    task: ChunkTask,
    header: dict[str, Any],
    computed: dict[int, tuple[PayStub, int | None, dict[str, int]]],
    failures: Failures,
) -> tuple[int, int]:
    """Insert the chunk's paychecks, their details and YTD updates, and the net step's statuses,
    atomically. Returns (created, failed).

    `computed` maps each employee to its stub and the YTD version and cents its taxes were
    computed from.
    An employee who already has a live paycheck for the period and kind from THIS run (a
    retried activity) counts as created; one paid by another run, or whose YTD changed since
    the taxes were computed, is a conflict: no paycheck, FAILED like the calculation `failures`.
    The rows are built before the write transaction, so SQLite's one writer is held briefly.
    """
    now = ctx.clock()
    year = int(header["pay_date"][:4])
    ids = list(computed)
    built = {
        e: paycheck_row(task, header, e, stub, before, now)
        for e, (stub, _, before) in computed.items()
    }
    failed = dict(failures)
    with transaction(ctx.db_url) as session:
        existing, ytd = _current(session, header, ids, year) if ids else ({}, {})
        rows = []
        for employee_id in ids:
            if employee_id in existing:
                if existing[employee_id] != task.run_id:
                    failed[employee_id] = f"already paid by run {existing[employee_id]}"
            elif ytd.get(employee_id, (None, None))[1] != computed[employee_id][1]:
                failed[employee_id] = "year-to-date changed since taxes were computed; redrive"
            else:
                rows.append(built[employee_id])
        if rows:
            _insert(session, rows, ytd, year)
        ok = [i for i in ids if i not in failed]
        statuses.record_step(
            session,
            task.run_id,
            ok,
            EmployeeRunStatus.NET_CALCULATED,
            "net_calculated_at",
            failed,
            now,
        )
    return len(ok), len(failed)


def _current(
    session: Any, header: dict[str, Any], ids: list[int], year: int
) -> tuple[dict[int, str], dict[int, tuple[int, int | None]]]:
    """Who already has a live paycheck (and from which run), and each YTD accumulator's version."""
    existing = dict(
        session.execute(
            select(Paycheck.employee_id, Paycheck.run_id).where(
                Paycheck.employee_id.in_(ids),
                Paycheck.pay_period_id == header["pay_period_id"],
                Paycheck.kind == header["kind"],
                Paycheck.status != PaycheckStatus.VOIDED,
            )
        ).all()
    )
    ytd = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                YtdAccumulator.employee_id, YtdAccumulator.id, YtdAccumulator.last_paycheck_id
            ).where(YtdAccumulator.employee_id.in_(ids), YtdAccumulator.year == year)
        )
    }
    return existing, ytd


PAYCHECK_COLUMNS = (
    "idempotency_key",
    "run_id",
    "employer_id",
    "employee_id",
    "pay_period_id",
    "kind",
    "pay_date",
    "status",
    "gross_cents",
    "employee_taxes_cents",
    "employer_taxes_cents",
    "deductions_cents",
    "net_cents",
    "federal_income_tax_cents",
    "social_security_cents",
    "medicare_cents",
    "state_income_tax_cents",
    "created_at",
)
_CONVERTED = ("pay_date", "created_at")  # the same few values in every row: converted once each


def _insert(
    session: Any,
    rows: list[dict[str, Any]],
    ytd: dict[int, tuple[int, int | None]],
    year: int,
) -> None:
    """The paychecks, their details and YTD accumulators: one executemany per table through
    the driver (adapters.db.bulk). The paycheck ids are reserved first, so the details and
    accumulators name their paychecks without reading them back."""
    connection = session.connection()
    table = Paycheck.__table__
    ids = reserve_ids(connection, table, len(rows))
    same = {
        column: {value: convert(value) for value in {row[column] for row in rows}}
        for column, convert in ((c, converter(connection, table, c)) for c in _CONVERTED)
    }
    paychecks = []
    details = []
    json = converter(connection, PaycheckDetail.__table__, "lines")
    after_text: dict[int, Any] = {}
    for paycheck_id, row in zip(ids, rows, strict=True):
        values = [paycheck_id]
        for column in PAYCHECK_COLUMNS:
            value = row[column]
            values.append(same[column][value] if column in same else value)
        paychecks.append(tuple(values))
        detail = row["detail"]
        after = after_text[row["employee_id"]] = json(detail["ytd_after"])
        details.append((paycheck_id, json(detail["lines"]), after, json(detail["ytd_delta"])))
    insert_rows(connection, table, ("id", *PAYCHECK_COLUMNS), paychecks)
    insert_rows(
        connection,
        PaycheckDetail.__table__,
        ("paycheck_id", "lines", "ytd_after", "ytd_delta"),
        details,
    )
    by_employee = {row["employee_id"]: pid for pid, row in zip(ids, rows, strict=True)}
    _write_ytd(connection, after_text, by_employee, ytd, year)


def _write_ytd(
    connection: Any,
    after: dict[int, Any],
    paycheck_ids: dict[int, int],
    ytd: dict[int, tuple[int, int | None]],
    year: int,
) -> None:
    """The employees' YTD accumulators become their new paychecks' YTD after (`after`: each
    employee's, already converted for the JSON column)."""
    table = YtdAccumulator.__table__
    update_rows(
        connection,
        table,
        ("amounts", "last_paycheck_id"),
        ("id",),
        ((amounts, paycheck_ids[e], ytd[e][0]) for e, amounts in after.items() if e in ytd),
    )
    insert_rows(
        connection,
        table,
        ("employee_id", "year", "amounts", "last_paycheck_id"),
        ((e, year, amounts, paycheck_ids[e]) for e, amounts in after.items() if e not in ytd),
    )


def void_paychecks(session: Any, paychecks: list[Paycheck], now: datetime | None = None) -> int:
    """Void paychecks and take what each added out of the YTD accumulators (compensation),
    once per paycheck (ytd_adjustments.undo_ytd)."""
    undo_ytd(session, paychecks, "void", now or datetime.now(UTC))
    for check in paychecks:
        check.status = PaycheckStatus.VOIDED
    return len(paychecks)
