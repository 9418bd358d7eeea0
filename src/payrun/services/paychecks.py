"""Paychecks: created once per employee, period and kind, together with the YTD accumulators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from payrun.adapters.db.engine import transaction
from payrun.adapters.db.models import Paycheck, YtdAccumulator
from payrun.services.context import PayrollContext
from payrun.workflows.messages import ChunkTask

EMPLOYEE_TAX, EMPLOYER_TAX, DEDUCTION = "employee_tax", "employer_tax", "deduction"


def to_cents(value: str | int) -> int:
    amount = Decimal(str(value)) * 100
    if amount != amount.to_integral_value():
        raise ValueError(f"{value} is not a whole number of cents")
    return int(amount)


def paycheck_row(
    task: ChunkTask, snapshot: dict[str, Any], employee_id: int, entry: dict[str, Any], now: Any
) -> dict[str, Any]:
    stub = entry["stub"]
    lines = [
        {
            "kind": line["kind"],
            "code": line["code"],
            "description": line.get("description", line["code"]),
            "cents": to_cents(line["current"]),
            "ytd_cents": to_cents(line["ytd"]) if line.get("ytd") is not None else None,
        }
        for line in stub["lines"]
    ]
    before = {k: to_cents(v) for k, v in entry["request"]["ytd"].items()}
    after = {k: to_cents(v) for k, v in stub["ytd_after"].items()}
    return {
        "idempotency_key": f"{snapshot['kind']}-{snapshot['pay_period_id']}-{employee_id}",
        "run_id": task.run_id,
        "employer_id": task.employer_id,
        "employee_id": employee_id,
        "pay_period_id": snapshot["pay_period_id"],
        "kind": snapshot["kind"],
        "pay_date": date.fromisoformat(snapshot["pay_date"]),
        "status": "CALCULATED",
        "gross_cents": to_cents(stub["gross"]),
        "employee_taxes_cents": sum(x["cents"] for x in lines if x["kind"] == EMPLOYEE_TAX),
        "employer_taxes_cents": sum(x["cents"] for x in lines if x["kind"] == EMPLOYER_TAX),
        "deductions_cents": sum(x["cents"] for x in lines if x["kind"] == DEDUCTION),
        "net_cents": to_cents(stub["net_pay"]),
        "federal_income_tax_cents": to_cents(stub["federal_income_tax"]),
        "social_security_cents": to_cents(stub["social_security"]),
        "medicare_cents": to_cents(stub["medicare"]) + to_cents(stub["additional_medicare"]),
        "state_income_tax_cents": to_cents(stub["state_income_tax"]),
        "lines": lines,
        "ytd_after": after,
        "ytd_delta": {k: v - before.get(k, 0) for k, v in after.items()},
        "created_at": now,
    }


def insert_paychecks(
    ctx: PayrollContext, task: ChunkTask, snapshot: dict[str, Any], computed: dict[str, Any]
) -> tuple[int, dict[int, str]]:
    """Insert the chunk's paychecks and YTD updates atomically. Returns (created, conflicts).

    An employee who already has a live paycheck for the period and kind from THIS run (a
    retried activity) counts as created; one paid by another run, or whose YTD changed since
    the taxes were computed, is a conflict and gets no paycheck.
    """
    if not computed:
        return 0, {}
    now = ctx.clock()
    year = int(snapshot["pay_date"][:4])
    ids = [int(i) for i in computed]
    conflicts: dict[int, str] = {}
    with transaction(ctx.db_url) as session:
        existing = dict(
            session.execute(
                select(Paycheck.employee_id, Paycheck.run_id).where(
                    Paycheck.employee_id.in_(ids),
                    Paycheck.pay_period_id == snapshot["pay_period_id"],
                    Paycheck.kind == snapshot["kind"],
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
            entry = computed[str(employee_id)]
            if employee_id in existing:
                if existing[employee_id] != task.run_id:
                    conflicts[employee_id] = f"already paid by run {existing[employee_id]}"
                continue
            seen = ytd.get(employee_id, (None, None))[1]
            if seen != entry.get("ytd_version"):
                conflicts[employee_id] = "year-to-date changed since taxes were computed; redrive"
                continue
            rows.append(paycheck_row(task, snapshot, employee_id, entry, now))
        if rows:
            inserted = session.execute(
                insert(Paycheck).returning(Paycheck.id, Paycheck.employee_id), rows
            ).all()
            by_employee = {employee_id: pid for pid, employee_id in inserted}
            _write_ytd(session, rows, by_employee, ytd, year)
    created = sum(1 for i in ids if i in existing and existing[i] == task.run_id) + len(rows)
    return created, conflicts


def _write_ytd(
    session: Any,
    rows: list[dict[str, Any]],
    paycheck_ids: dict[int, int],
    ytd: dict[int, tuple[int, int | None]],
    year: int,
) -> None:
    table = YtdAccumulator.__table__
    updates = [
        {"eid": r["employee_id"], "amounts": r["ytd_after"], "pid": paycheck_ids[r["employee_id"]]}
        for r in rows
        if r["employee_id"] in ytd
    ]
    inserts = [
        {
            "employee_id": r["employee_id"],
            "year": year,
            "amounts": r["ytd_after"],
            "last_paycheck_id": paycheck_ids[r["employee_id"]],
        }
        for r in rows
        if r["employee_id"] not in ytd
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

    One query loads every affected accumulator; the ORM writes the changed rows back.
    """
    keys = {(check.employee_id, check.pay_date.year) for check in paychecks}
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
            for key, delta in (check.ytd_delta or {}).items():
                amounts[key] = int(amounts.get(key, 0)) - int(delta)
            acc.amounts = amounts
            acc.last_paycheck_id = -check.id  # a new version, so stale calculations are caught
        check.status = "VOIDED"
    return len(paychecks)
