"""Start a pay run on Temporal (embedded or a cluster), host a worker, follow its progress."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.metrics import serve_metrics
from payrun.adapters.observe import worker_interceptors
from payrun.adapters.temporal_server import EmbeddedTemporal
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.domain.errors import InvalidInput
from payrun.services.messages import PayRunInput, RedriveInput, RedriveResult, RunSummary
from payrun.services.runs import employers_for, resolve_period, run_id_for
from payrun.workflows.pay_run import PayRunWorkflow
from payrun.workflows.redrive import RedriveWorkflow
from payrun.workflows.worker import build_worker

Progress = Callable[[dict[str, int]], None]

CONNECT_DEADLINE_SECONDS = 30.0  # how long a server that is still starting gets to answer
CONNECT_BACKOFF_SECONDS = (0.1, 2.0)  # first and longest pause between connect attempts
# A frontend not healthy yet answers Unavailable; a server between restarts refuses the TCP
# connection. Both heal; bad TLS, auth and address errors read differently and are not retried.
_STILL_STARTING = ("code: Unavailable", "ConnectionRefused")


FOLLOW_GIVE_UP_SECONDS = 300.0  # how long `payrun run` waits for a lost server to come back
FOLLOW_RETRY_SECONDS = 1.0


class TemporalUnavailable(RuntimeError):
    """The Temporal frontend did not accept a client before the connect deadline, or stayed
    unreachable longer than a follower waits."""


@dataclass(frozen=True)
class RunRequest:
    schedule: str
    period: str | None = None
    kind: str = "regular"
    employer_ids: tuple[int, ...] = ()


def plan_run(settings: Settings, request: RunRequest) -> PayRunInput:
    """Check the request against the database (raises InvalidInput) without writing anything."""
    with transaction(settings.db_url) as session:
        period = resolve_period(session, request.schedule, request.period)
        employers_for(session, period, list(request.employer_ids))
        run_id = run_id_for(request.schedule, period, request.kind)
        return PayRunInput(
            run_id=run_id,
            pay_period_id=period.id,
            kind=request.kind,
            employer_ids=list(request.employer_ids),
            chunk_size=settings.chunk_size,
            employer_parallelism=settings.employer_parallelism,
        )


@contextlib.asynccontextmanager
async def temporal_client(settings: Settings) -> AsyncIterator[Client]:
    """A client to TEMPORAL_ADDRESS, or to the embedded dev server (started, then stopped)."""
    server = None
    if settings.embedded_temporal:
        server = EmbeddedTemporal(
            settings.home_dir, settings.temporal_port, settings.temporal_ui_port
        )
        await asyncio.to_thread(server.start)
    try:
        yield await connect_client(
            settings.temporal_target,
            namespace=settings.temporal_namespace,
            api_key=settings.temporal_api_key,
            tls=_tls(settings),
        )
    finally:
        if server is not None:
            await asyncio.to_thread(server.stop)


async def connect_client(
    target: str,
    *,
    namespace: str = "default",
    api_key: str | None = None,
    tls: bool | TLSConfig = False,
    deadline: float = CONNECT_DEADLINE_SECONDS,  # float ok: seconds
    backoff: tuple[float, float] = CONNECT_BACKOFF_SECONDS,
) -> Client:
    """Client.connect, retried with a doubling pause while the server is still starting."""
    give_up = time.monotonic() + deadline
    pause, longest = backoff
    while True:
        try:
            return await Client.connect(target, namespace=namespace, api_key=api_key, tls=tls)
        except RuntimeError as error:
            remaining = give_up - time.monotonic()
            if not any(sign in str(error) for sign in _STILL_STARTING):
                raise
            if remaining <= 0:
                raise TemporalUnavailable(
                    f"Temporal at {target} still unavailable after {deadline:g}s: {error}"
                ) from None
        await asyncio.sleep(min(pause, remaining))
        pause = min(pause * 2, longest)


def _tls(settings: Settings) -> bool | TLSConfig:
    """mTLS with the client certificate when one is set; TLS alone with an API key (Cloud)."""
    cert, key = settings.temporal_tls_cert, settings.temporal_tls_key
    if cert or key:
        if not (cert and key):
            raise InvalidInput("TEMPORAL_TLS_CLIENT_CERT_PATH", "needs the key path as well")
        return TLSConfig(client_cert=cert.read_bytes(), client_private_key=key.read_bytes())
    return settings.temporal_api_key is not None


@contextlib.asynccontextmanager
async def hosted_worker(client: Client, settings: Settings) -> AsyncIterator[None]:
    """A worker in this process; with a bank or time-entry service configured it also hosts
    the callback receiver they answer to (asynchronous activity completion)."""
    ctx = build_context(settings)
    if settings.metrics_port is not None:
        serve_metrics(settings.metrics_port, settings.db_url, settings.metrics_host)
    async with contextlib.AsyncExitStack() as stack:
        if settings.bank_url or settings.time_entry_url:
            await stack.enter_async_context(_downstream(client, settings, ctx))
        await stack.enter_async_context(
            build_worker(
                client,
                ctx,
                settings.task_queue,
                settings.worker_activities,
                settings.worker_steps_at_once,
                worker_interceptors(settings.tracing),
            )
        )
        yield


@contextlib.asynccontextmanager
async def _downstream(client: Client, settings: Settings, ctx: Any) -> AsyncIterator[None]:
    from payrun.adapters.callbacks import CallbackServer
    from payrun.adapters.payments.bank_http import BankHttpProvider
    from payrun.adapters.timeentry_http import TimeEntryClient

    if not settings.callback_secret:
        raise InvalidInput("PAYRUN_CALLBACK_SECRET", "required with a bank or time-entry URL")
    server = CallbackServer(lambda: client, settings.callback_secret, port=settings.callback_port)
    async with server:
        if settings.bank_url:
            ctx.payment_provider = BankHttpProvider(
                settings.bank_url, server.callback_url("payment")
            )
        if settings.time_entry_url:
            ctx.time_entry = TimeEntryClient(
                settings.time_entry_url, server.callback_url("timeentry")
            )
        yield


async def start_run(client: Client, settings: Settings, inp: PayRunInput) -> WorkflowHandle:
    return await client.start_workflow(
        PayRunWorkflow.run,
        inp,
        id=inp.run_id,
        task_queue=settings.task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )


async def follow(
    handle: WorkflowHandle,
    on_progress: Progress | None,
    give_up_after: float = FOLLOW_GIVE_UP_SECONDS,  # float ok: seconds
    on_connection: Callable[[bool], None] | None = None,
) -> RunSummary:
    """The run's result, showing its progress. The run lives in Temporal, not here: while the
    server is unreachable (restarting), keep asking, and give up with TemporalUnavailable only
    after `give_up_after` seconds without an answer. `on_connection(False)` when it is lost,
    `on_connection(True)` when it answers again."""
    lost_since: float | None = None  # float ok: a monotonic clock reading
    while True:
        result = asyncio.ensure_future(handle.result())
        try:
            while not result.done():
                if on_progress is not None:
                    with contextlib.suppress(Exception):
                        on_progress(await handle.query(PayRunWorkflow.progress))
                        if lost_since is not None and on_connection is not None:
                            on_connection(True)
                        lost_since = None
                await asyncio.wait([result], timeout=0.5)
            return result.result()
        except RPCError as error:
            if not _connection_lost(error):
                raise
            if lost_since is None:
                lost_since = time.monotonic()
                if on_connection is not None:
                    on_connection(False)
            if time.monotonic() - lost_since > give_up_after:
                raise TemporalUnavailable(
                    f"lost Temporal for {give_up_after:g}s ({error.message}); run {handle.id} "
                    "goes on there: run the same command again to follow it"
                ) from None
            await asyncio.sleep(FOLLOW_RETRY_SECONDS)


def _connection_lost(error: RPCError) -> bool:
    """A server that is down or restarting, not a refusal that would repeat."""
    transient = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)
    return error.status in transient or "connect" in error.message


def prepare_database(settings: Settings) -> None:
    migrate(settings.db_url)


async def execute_redrive(
    settings: Settings, inp: RedriveInput, worker: bool = True
) -> RedriveResult:
    """Start a Redrive workflow (a new id each time) and wait for its result."""
    import uuid

    async with temporal_client(settings) as client:
        host = hosted_worker(client, settings) if worker else contextlib.nullcontext()
        async with host:
            handle = await client.start_workflow(
                RedriveWorkflow.run,
                inp,
                id=f"redrive-{uuid.uuid4().hex[:12]}",
                task_queue=settings.task_queue,
            )
            return await handle.result()
