"""Pay runs asked for over the API: planned and recorded under an Idempotency-Key (the same key
and body give the same run; another body is a conflict), then followed employer by employer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import (
    ApiRequest,
    Employee,
    EmployeeStatus,
    Employer,
    EmployerStatus,
    PayPeriod,
    PayRun,
    PaySchedule,
)
from payrun.domain.errors import InvalidInput
from payrun.services.context import utc_text
from payrun.services.errors import Conflict, NotFound
from payrun.services.idempotency import KeyReused, body_digest
from payrun.services.messages import PayRunInput
from payrun.services.runs import resolve_period, run_id_for

ACTION = "payrun.start"
DONE = frozenset({"PAID"})
FAILED = frozenset({"FAILED", "COMPENSATED", "DEAD_LETTERED"})
_FINISHED = ("COMPLETED", "WITH_FAILURES")


@dataclass(frozen=True)
class StartPayRun:
    employer_ids: tuple[int, ...]
    period_start: date | None
    kind: str  # "regular", or "offcycle-..." (pays only `earnings`)
    chunk_size: int = 500
    employer_parallelism: int = 8
    earnings: dict[str, dict[str, str]] = field(default_factory=dict)  # employee id -> lines


def off_cycle_kind(earnings: dict[str, dict[str, str]]) -> str:
    """An off-cycle run's kind, from what it pays: the same earnings are the same run (and at
    most one live paycheck per employee, period and kind), other earnings another run."""
    return f"offcycle-{body_digest(earnings)[:10]}"


@dataclass(frozen=True)
class Started:
    run_id: str
    inp: PayRunInput | None  # None: the run is already under way, nothing to start
    replayed: bool


def start_payrun(
    db_url: str, cmd: StartPayRun, key_id: int, idempotency_key: str, digest: str, now: datetime
) -> Started:
    """Check everything, then record the request and the run (BEGIN) in one transaction."""
    replay = _replay(db_url, key_id, idempotency_key, digest, cmd)
    if replay is not None:
        return replay
    try:
        with transaction(db_url) as session:
            schedule = one_schedule(session, cmd.employer_ids)
            period_text = cmd.period_start.isoformat() if cmd.period_start else None
            period = resolve_period(session, schedule.name, period_text)
            run_id = run_id_for(schedule.name, period, cmd.kind)
            wanted = sorted(set(cmd.employer_ids))
            _check_earnings(session, cmd.earnings, wanted)
            _claim_run(session, run_id, period, cmd.kind, wanted, now)
            session.add(
                ApiRequest(
                    api_key_id=key_id,
                    idempotency_key=idempotency_key,
                    action=ACTION,
                    body_sha256=digest,
                    target=run_id,
                    created_at=now,
                )
            )
    except IntegrityError:  # the same key, at the same moment, from another request
        replay = _replay(db_url, key_id, idempotency_key, digest, cmd)
        if replay is None:
            raise Conflict("period_start", "another request is starting this run") from None
        return replay
    return Started(run_id, _input(cmd, run_id, period.id, wanted), False)


def _input(cmd: StartPayRun, run_id: str, period_id: int, employer_ids: list[int]) -> PayRunInput:
    return PayRunInput(
        run_id=run_id,
        pay_period_id=period_id,
        kind=cmd.kind,
        employer_ids=employer_ids,
        chunk_size=cmd.chunk_size,
        employer_parallelism=cmd.employer_parallelism,
        earnings=cmd.earnings,
    )


def _check_earnings(
    session: Any, earnings: dict[str, dict[str, str]], employer_ids: list[int]
) -> None:
    if not earnings:
        return
    wanted = {int(e) for e in earnings if e.isdigit()}
    found = set(
        session.scalars(
            select(Employee.id).where(
                Employee.id.in_(wanted), Employee.employer_id.in_(employer_ids)
            )
        )
    )
    for employee in earnings:
        if not employee.isdigit() or int(employee) not in found:
            raise InvalidInput(f"earnings.{employee}", "no such employee of these employers")


def _replay(
    db_url: str, key_id: int, idempotency_key: str, digest: str, cmd: StartPayRun
) -> Started | None:
    with reading(db_url) as session:
        seen = session.scalar(
            select(ApiRequest).where(
                ApiRequest.api_key_id == key_id,
                ApiRequest.action == ACTION,
                ApiRequest.idempotency_key == idempotency_key,
            )
        )
        if seen is None:
            return None
        if seen.body_sha256 != digest:
            raise KeyReused("Idempotency-Key", "was used before with another body")
        run = session.get(PayRun, seen.target)
        if run is None or run.status != "BEGIN":
            return Started(seen.target, None, True)
        # Recorded, but its workflow may never have started (Temporal was down): start it;
        # Temporal keeps one workflow per run id. The same body: the same input.
        return Started(seen.target, _input(cmd, run.id, run.pay_period_id, run.employer_ids), True)


def one_schedule(session: Any, employer_ids: tuple[int, ...]) -> PaySchedule:
    if not employer_ids:
        raise InvalidInput("employer_ids", "name at least one employer")
    rows = session.execute(
        select(Employer.id, Employer.schedule_id, Employer.active).where(
            Employer.id.in_(employer_ids)
        )
    ).all()
    found = {row.id: row for row in rows}
    for index, employer_id in enumerate(employer_ids):
        if employer_id not in found:
            raise NotFound("employer", employer_id)
        if not found[employer_id].active:
            raise InvalidInput(f"employer_ids.{index}", f"employer {employer_id} is inactive")
    schedules = {row.schedule_id for row in rows}
    if len(schedules) != 1:
        raise InvalidInput("employer_ids", "employers of one run share one pay schedule")
    schedule: PaySchedule = session.get(PaySchedule, schedules.pop())
    return schedule


def _claim_run(
    session: Any, run_id: str, period: PayPeriod, kind: str, wanted: list[int], now: datetime
) -> None:
    run = session.get(PayRun, run_id)
    if run is None:
        session.add(
            PayRun(
                id=run_id,
                pay_period_id=period.id,
                kind=kind,
                status="BEGIN",
                employer_ids=wanted,
                started_at=now,
            )
        )
        return
    if run.status not in _FINISHED:
        raise Conflict("period_start", f"run {run_id} of this period is still going")
    run.status, run.finished_at, run.started_at = "BEGIN", None, now
    run.employer_ids = wanted  # a finished run is run again for these employers


@dataclass(frozen=True)
class RunQuery:
    status: str | None = None
    after: str = ""
    limit: int = 50


def public_status(run: PayRun, paid_employers: int) -> str:
    if run.status in ("BEGIN",):
        return "PENDING"
    if run.status == "COMPLETED":
        return "COMPLETED"
    if run.status == "WITH_FAILURES":
        return "PARTIAL" if paid_employers else "FAILED"
    return "RUNNING"


def get_payrun(db_url: str, run_id: str) -> dict[str, Any]:
    with reading(db_url) as session:
        run = session.get(PayRun, run_id)
        if run is None:
            raise NotFound("pay run", run_id)
        return _progress(session, run)


def list_payruns(
    db_url: str, query: RunQuery, visible: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    """Up to query.limit runs after query.after (by id) with that status that the caller may
    see, reading further batches until the page is full or the runs end."""
    found: list[dict[str, Any]] = []
    after = query.after
    with reading(db_url) as session:
        while len(found) < query.limit:
            batch = list(
                session.scalars(
                    select(PayRun).where(PayRun.id > after).order_by(PayRun.id).limit(200)
                )
            )
            for run in batch:
                view = _progress(session, run)
                if (query.status in (None, view["status"])) and visible(view):
                    found.append(view)
                    if len(found) == query.limit:
                        break
            if len(batch) < 200:
                break
            after = batch[-1].id
    return found


def _progress(session: Any, run: PayRun) -> dict[str, Any]:
    period = session.get(PayPeriod, run.pay_period_id)
    employer_rows = dict(
        session.execute(
            select(EmployerStatus.employer_id, EmployerStatus.status).where(
                EmployerStatus.run_id == run.id
            )
        ).all()
    )
    counts: dict[int, dict[str, int]] = {}
    for employer_id, status, number in session.execute(
        select(EmployeeStatus.employer_id, EmployeeStatus.status, func.count())
        .where(EmployeeStatus.run_id == run.id)
        .group_by(EmployeeStatus.employer_id, EmployeeStatus.status)
    ).all():
        bucket = "done" if status in DONE else ("failed" if status in FAILED else "pending")
        counts.setdefault(employer_id, {"done": 0, "failed": 0, "pending": 0})[bucket] += number
    employer_ids = sorted(set(run.employer_ids or []) | set(employer_rows))
    employers = [
        {
            "employer_id": e,
            "status": employer_rows.get(e, "PENDING"),
            "employees": counts.get(e, {"done": 0, "failed": 0, "pending": 0}),
        }
        for e in employer_ids
    ]
    paid = sum(1 for s in employer_rows.values() if s in ("PAID", "PARTIAL", "NOTHING_TO_PAY"))
    return {
        "id": run.id,
        "status": public_status(run, paid),
        "kind": run.kind,
        "period_start": period.start_date.isoformat() if period else None,
        "pay_date": period.pay_date.isoformat() if period else None,
        "employer_ids": list(run.employer_ids or []),
        "employers": employers,
        "started_at": utc_text(run.started_at),
        "finished_at": utc_text(run.finished_at),
    }
