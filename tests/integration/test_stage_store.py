"""Employee steps hand each other versioned objects: memory in one worker, the store in another."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import Paycheck
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.domain import paycheck as pc
from payrun.services import employee_steps, employer_steps, runs, stage_store
from payrun.services.context import PayrollContext
from payrun.services.messages import STEPS, ChunkTask, EmployerInput, PayRunInput
from payrun.services.seed import one_schedule, seed_demo


@pytest.fixture(autouse=True)
def _empty_memory() -> None:
    stage_store.clear()


@pytest.fixture
def ctx(payrun_home: Path) -> PayrollContext:
    return build_context(Settings(home=payrun_home))


def test_a_step_reads_exactly_the_version_it_was_given(ctx: PayrollContext) -> None:
    task = ChunkTask("run-1", 7, 0)
    first = stage_store.put(ctx, task, "taxes", {"1": "first"})
    second = stage_store.put(ctx, task, "taxes", {"1": "second"})  # a late, timed-out attempt
    reader = ChunkTask("run-1", 7, 0, {"taxes": first})
    assert stage_store.get(ctx, reader, "taxes", dict[str, str]) == {"1": "first"}
    stage_store.clear()  # another worker: nothing in memory, the store answers
    assert stage_store.get(ctx, reader, "taxes", dict[str, str]) == {"1": "first"}
    assert first != second


def test_discard_deletes_every_output_version_of_the_employer_and_keeps_its_snapshots(
    ctx: PayrollContext,
) -> None:
    for chunk in (0, 1):
        task = ChunkTask("run-1", 7, chunk)
        ctx.store.put_json(ctx.chunk_key("run-1", 7, chunk, "snapshot"), {"chunk": chunk})
        for step in ("time_entry", "gross_pay", "taxes", "taxes"):  # a retried step: 2 versions
            stage_store.put(ctx, task, step, {"step": step})
    kept_elsewhere = [
        stage_store.put(ctx, ChunkTask("run-1", 8, 0), "taxes", {}),  # another employer
        stage_store.put(ctx, ChunkTask("run-2", 7, 0), "taxes", {}),  # another run
    ]

    assert stage_store.discard(ctx, "run-1", 7) == 8
    assert ctx.store.keys("runs/run-1/employer-7/") == [
        ctx.chunk_key("run-1", 7, 0, "snapshot"),
        ctx.chunk_key("run-1", 7, 1, "snapshot"),
    ]
    assert ctx.store.keys("runs/run-1/employer-8/") == [
        stage_store.key(ctx, ChunkTask("run-1", 8, 0), "taxes", kept_elsewhere[0])
    ]
    assert len(ctx.store.keys("runs/run-2/")) == 1
    assert stage_store.discard(ctx, "run-1", 7) == 0  # again: nothing left to delete


def test_a_store_that_refuses_to_delete_does_not_hold_up_the_employer(
    ctx: PayrollContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = stage_store.put(ctx, ChunkTask("run-1", 7, 0), "taxes", {})

    def refuse(keys: list[str]) -> None:
        raise PermissionError("s3: AccessDenied")

    monkeypatch.setattr(ctx.store, "delete", refuse)
    assert stage_store.discard(ctx, "run-1", 7) == 0
    assert ctx.store.keys("runs/run-1/") == [
        stage_store.key(ctx, ChunkTask("run-1", 7, 0), "taxes", version)
    ]


def test_a_task_naming_no_version_is_refused(ctx: PayrollContext) -> None:
    with pytest.raises(ValueError, match="versions"):
        stage_store.get(ctx, ChunkTask("run-1", 7, 0), "gross_pay", dict[str, str])


def test_memory_keeps_only_the_newest_chunks(ctx: PayrollContext) -> None:
    tasks = [ChunkTask("run-1", 7, n) for n in range(stage_store.MAX_CHUNKS + 5)]
    versions = [stage_store.put(ctx, t, "taxes", {"n": t.chunk}) for t in tasks]
    assert stage_store.recall(tasks[0], "taxes", versions[0]) is None
    assert stage_store.recall(tasks[-1], "taxes", versions[-1]) == {"n": tasks[-1].chunk}


OUTPUTS = {
    "time_entry": employee_steps.Hours,
    "gross_pay": employee_steps.GrossStep,
    "taxes": dict[int, employee_steps.Taxed],
    "retirement": dict[int, pc.Retirement],
}


def _seeded_run(
    database_url: str, home: Path, employees: int
) -> tuple[PayrollContext, EmployerInput, int]:
    settings = Settings(home=home, database_url=database_url)
    migrate(settings.db_url)
    seed_demo(
        settings.db_url,
        employers=1,
        employees=employees,
        seed=11,
        vault=Vault.for_settings(settings),
    )
    period = one_schedule(settings.db_url)
    ctx = build_context(settings)
    plan = runs.open_run(ctx, PayRunInput("run-x", period, chunk_size=10))
    inp = EmployerInput("run-x", plan.employer_ids[0], chunk_size=10)
    chunks = employer_steps.begin_employer(ctx, inp).chunk_count
    return ctx, inp, chunks


def test_each_step_in_a_different_worker_pays_the_same_as_one_worker(
    database_url: str, payrun_home: Path
) -> None:
    """Memory emptied before every step (as if each ran in a new worker): the objects decoded
    from the store give every employee the paycheck the in-memory path computes."""
    ctx, inp, chunks = _seeded_run(database_url, payrun_home, 30)
    compared = 0
    for chunk in range(chunks):
        versions: dict[str, str] = {}
        for step in STEPS:
            stage_store.clear()
            task = ChunkTask(inp.run_id, inp.employer_id, chunk, dict(versions))
            version = getattr(employee_steps, step)(ctx, task).version
            versions[step] = version
            if step in OUTPUTS:
                computed = stage_store.recall(task, step, version)
                stage_store.clear()
                reader = ChunkTask(inp.run_id, inp.employer_id, chunk, {step: version})
                assert stage_store.get(ctx, reader, step, OUTPUTS[step]) == computed
                compared += 1
    with transaction(ctx.db_url) as session:
        count, distinct = session.execute(
            select(func.count(), func.count(func.distinct(Paycheck.employee_id)))
        ).one()
        broken = session.scalar(
            select(func.count()).where(
                Paycheck.gross_cents - Paycheck.employee_taxes_cents - Paycheck.deductions_cents
                != Paycheck.net_cents
            )
        )
    assert (count, distinct, broken) == (30, 30, 0)
    assert compared == 4 * chunks
