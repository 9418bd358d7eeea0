"""Paychecks: created once per employee, period and kind, together with the YTD accumulators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Paycheck, PaycheckDetail, YtdAccumulator
from payrun.domain.paystub import PayStub
from payrun.services.context import PayrollContext
from payrun.workflows.messages import ChunkTask

EMPLOYEE_TAX, EMPLOYER_TAX, DEDUCTION = "employee_tax", "employer_tax", "deduction"


def _cents(amount: Decimal) -> int:
    """Whole cents of an amount that a rule has already rounded (anything else is a bug)."""
    cents = amount.scaleb(2)
    whole = int(cents)
    if whole != cents:
        raise ValueError(f"{amount} is not a whole number of cents")
    return whole


def paycheck_row(
    task: ChunkTask, header: dict[str, Any], employee_id: int, stub: PayStub, now: Any
) -> dict[str, Any]:
    """The paycheck row of one stub, in cents; its `detail` (lines with YTD, YTD after, what it
    added to YTD) goes to paycheck_details."""
    after = {key: _cents(money.amount) for key, money in stub.ytd_after.values.items()}
    before = stub.ytd_before.values
    lines = [
        {
            "kind": line.kind,
            "code": line.code,
            "description": line.description,
            "cents": _cents(line.current.amount),
            "ytd_cents": _cents(line.ytd.amount),
        }
        for line in stub.lines
    ]
    totals = dict.fromkeys((EMPLOYEE_TAX, EMPLOYER_TAX, DEDUCTION), 0)
    for line in lines:
        if line["kind"] in totals:
            totals[line["kind"]] += line["cents"]
    return {
        "idempotency_key": f"{header['kind']}-{header['pay_period_id']}-{employee_id}",
        "run_id": task.run_id,
        "employer_id": task.employer_id,
        "employee_id": employee_id,
        "pay_period_id": header["pay_period_id"],
        "kind": header["kind"],
        "pay_date": date.fromisoformat(header["pay_date"]),
        "status": "CALCULATED",
        "gross_cents": stub.gross.cents(),
        "employee_taxes_cents": totals[EMPLOYEE_TAX],
        "employer_taxes_cents": totals[EMPLOYER_TAX],
        "deductions_cents": totals[DEDUCTION],
        "net_cents": stub.net_pay.cents(),
        "federal_income_tax_cents": stub.federal_income_tax.cents(),
        "social_security_cents": stub.social_security.cents(),
        "medicare_cents": stub.medicare.cents() + stub.additional_medicare.cents(),
        "state_income_tax_cents": stub.state_income_tax.cents(),
        "created_at": now,
        "detail": {
            "lines": lines,
            "ytd_after": after,
            "ytd_delta": {
                k: v - _cents(before[k].amount) if k in before else v for k, v in after.items()
            },
        },
    }


def insert_paychecks(
    ctx: PayrollContext,
    task: ChunkTask,
    header: dict[str, Any],
    computed: dict[int, tuple[PayStub, int | None]],
) -> tuple[int, dict[int, str]]:
    """Insert the chunk's paychecks and YTD updates atomically. Returns (created, conflicts).

    `computed` maps each employee to its stub and the YTD version its taxes were computed at.
    An employee who already has a live paycheck for the period and kind from THIS run (a
    retried activity) counts as created; one paid by another run, or whose YTD changed since
    the taxes were computed, is a conflict and gets no paycheck.
    """
    if not computed:
        return 0, {}
    now = ctx.clock()
    year = int(header["pay_date"][:4])
    ids = list(computed)
    conflicts: dict[int, str] = {}
    with transaction(ctx.db_url) as session:
        existing = dict(
            session.execute(
                select(Paycheck.employee_id, Paycheck.run_id).where(
                    Paycheck.employee_id.in_(ids),
                    Paycheck.pay_period_id == header["pay_period_id"],
                    Paycheck.kind == header["kind"],
                    Paycheck.status != "VOIDED",
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
        rows = []
        for employee_id in ids:
            stub, ytd_version = computed[employee_id]
            if employee_id in existing:
                if existing[employee_id] != task.run_id:
                    conflicts[employee_id] = f"already paid by run {existing[employee_id]}"
                continue
            if ytd.get(employee_id, (None, None))[1] != ytd_version:
                conflicts[employee_id] = "year-to-date changed since taxes were computed; redrive"
                continue
            rows.append(paycheck_row(task, header, employee_id, stub, now))
        if rows:
            details = {row["employee_id"]: row.pop("detail") for row in rows}
            inserted = session.execute(
                insert(Paycheck).returning(Paycheck.id, Paycheck.employee_id), rows
            ).all()
            by_employee = {employee_id: pid for pid, employee_id in inserted}
            session.execute(
                insert(PaycheckDetail),
                [{"paycheck_id": by_employee[e], **detail} for e, detail in details.items()],
            )
            _write_ytd(session, details, by_employee, ytd, year)
    created = sum(1 for i in ids if i in existing and existing[i] == task.run_id) + len(rows)
    return created, conflicts


def _write_ytd(
    session: Any,
    details: dict[int, dict[str, Any]],
    paycheck_ids: dict[int, int],
    ytd: dict[int, tuple[int, int | None]],
    year: int,
) -> None:
    """The employees' YTD accumulators become their new paychecks' YTD after."""
    table = YtdAccumulator.__table__
    updates = [
        {"eid": e, "amounts": d["ytd_after"], "pid": paycheck_ids[e]}
        for e, d in details.items()
        if e in ytd
    ]
    inserts = [
        {
            "employee_id": e,
            "year": year,
            "amounts": d["ytd_after"],
            "last_paycheck_id": paycheck_ids[e],
        }
        for e, d in details.items()
        if e not in ytd
    ]
    if updates:
        session.connection().execute(
            update(table)
            .where(table.c.employee_id == bindparam("eid"), table.c.year == year)
            .values(amounts=bindparam("amounts"), last_paycheck_id=bindparam("pid")),
            updates,
        )
    if inserts:
        session.execute(insert(YtdAccumulator), inserts)


def void_paychecks(session: Any, paychecks: list[Paycheck]) -> int:
    """Void paychecks and take what each added out of the YTD accumulators (compensation).

    One query loads every affected accumulator, one what each paycheck added; the ORM writes
    the changed rows back.
    """
    keys = {(check.employee_id, check.pay_date.year) for check in paychecks}
    deltas = dict(
        session.execute(
            select(PaycheckDetail.paycheck_id, PaycheckDetail.ytd_delta).where(
                PaycheckDetail.paycheck_id.in_([check.id for check in paychecks])
            )
        ).all()
    )
    accumulators = {
        (acc.employee_id, acc.year): acc
        for acc in session.scalars(
            select(YtdAccumulator).where(
                YtdAccumulator.employee_id.in_({employee for employee, _ in keys}),
                YtdAccumulator.year.in_({year for _, year in keys}),
            )
        )
    }
    for check in paychecks:
        acc = accumulators.get((check.employee_id, check.pay_date.year))
        if acc is not None:
            amounts = dict(acc.amounts)
            for key, delta in (deltas.get(check.id) or {}).items():
                amounts[key] = int(amounts.get(key, 0)) - int(delta)
            acc.amounts = amounts
            acc.last_paycheck_id = -check.id  # a new version, so stale calculations are caught
        check.status = "VOIDED"
    return len(paychecks)
