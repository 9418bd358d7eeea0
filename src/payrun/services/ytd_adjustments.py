"""YTD follows the money: a paycheck voided, reversed or written off after a return takes what it
added back out of its employee's accumulators, exactly once (ytd_adjustments, unique key), so
the next paycheck's withholding starts from what was really paid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from payrun.adapters.db.models import Paycheck, PaycheckDetail, YtdAccumulator, YtdAdjustment

REASONS = ("void", "reversal", "write-off")


def undo_key(paycheck_id: int) -> str:
    return f"ytd-undo-{paycheck_id}"


def undo_ytd(session: Any, paychecks: list[Paycheck], reason: str, now: datetime) -> int:
    """Subtract each paycheck's ytd_delta from its accumulator unless that was done before;
    the accumulator's version moves (last_paycheck_id = -paycheck), so a calculation made
    from the old YTD is caught. Returns how many paychecks were adjusted now."""
    assert reason in REASONS, reason
    ids = [check.id for check in paychecks]
    done = set(
        session.scalars(select(YtdAdjustment.paycheck_id).where(YtdAdjustment.paycheck_id.in_(ids)))
    )
    todo = [check for check in paychecks if check.id not in done]
    if not todo:
        return 0
    deltas = dict(
        session.execute(
            select(PaycheckDetail.paycheck_id, PaycheckDetail.ytd_delta).where(
                PaycheckDetail.paycheck_id.in_([check.id for check in todo])
            )
        ).all()
    )
    keys = {(check.employee_id, check.pay_date.year) for check in todo}
    accumulators = {
        (acc.employee_id, acc.year): acc
        for acc in session.scalars(
            select(YtdAccumulator).where(
                YtdAccumulator.employee_id.in_({employee for employee, _ in keys}),
                YtdAccumulator.year.in_({year for _, year in keys}),
            )
        )
    }
    for check in todo:
        delta = {key: int(cents) for key, cents in (deltas.get(check.id) or {}).items()}
        acc = accumulators.get((check.employee_id, check.pay_date.year))
        if acc is not None:
            amounts = dict(acc.amounts)
            for key, cents in delta.items():
                amounts[key] = int(amounts.get(key, 0)) - cents
            acc.amounts = amounts
            acc.last_paycheck_id = -check.id  # a new version, so stale calculations are caught
        session.add(
            YtdAdjustment(
                idempotency_key=undo_key(check.id),
                paycheck_id=check.id,
                employee_id=check.employee_id,
                year=check.pay_date.year,
                reason=reason,
                delta=delta,
                created_at=now,
            )
        )
    session.flush()  # the unique key refuses a concurrent second undo here, before commit
    return len(todo)
