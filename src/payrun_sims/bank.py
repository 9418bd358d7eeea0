"""Bank simulator: takes NACHA batches once per idempotency key, settles later by callback.

Run: python -m payrun_sims.bank --port N --state FILE [--delay S]
         [--mode ok|fail|reject|never] [--callback-secret S]  (or env PAYRUN_CALLBACK_SECRET)
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import structlog
import uvicorn
from fastapi import FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from payrun_sims.bank_store import TERMINAL, BatchStore, StoredBatch
from payrun_sims.common import (
    Behaviour,
    CallbackSender,
    base_arguments,
    behaviour_router,
    callback_secret,
    configure_logging,
    work_with_heartbeats,
)

log = structlog.get_logger(__name__)
CREDIT_CODES = ("22", "32")  # NACHA transaction codes: checking / savings credit


class BatchSubmission(BaseModel):
    nacha_b64: str = Field(max_length=50_000_000)
    employer_id: int
    run_id: str = Field(min_length=1, max_length=200)
    credit_total_cents: int = Field(ge=0)
    entry_count: int = Field(ge=0)
    callback_url: str | None = None
    callback_token_b64: str | None = None

    def nacha(self) -> bytes:
        try:
            return base64.b64decode(self.nacha_b64, validate=True)
        except (binascii.Error, ValueError):
            raise HTTPException(422, "nacha_b64: not valid base64") from None

    def fingerprint(self, nacha: bytes) -> str:
        totals = f"|{self.employer_id}|{self.run_id}|{self.credit_total_cents}|{self.entry_count}"
        return hashlib.sha256(nacha + totals.encode()).hexdigest()


class ReturnsUpdate(BaseModel):
    accounts: dict[str, str]  # DFI account number -> return code (R01, R03 ...)


def nacha_entries(nacha: bytes) -> list[dict[str, Any]]:
    """The entry detail (type 6) records: transaction code, account, amount, trace."""
    text = nacha.decode("ascii", errors="replace")
    lines = (
        text.splitlines() if "\n" in text else [text[i : i + 94] for i in range(0, len(text), 94)]
    )
    entries = []
    for line in lines:
        if line.startswith("6") and len(line) >= 94:
            entries.append(
                {
                    "code": line[1:3],
                    "account": line[12:29].strip(),
                    "amount_cents": int(line[29:39]),
                    "trace": line[79:94],
                }
            )
    return entries


def check_totals(body: BatchSubmission, nacha: bytes) -> None:
    """A NACHA file whose credits disagree with the declared total is refused outright."""
    try:
        entries = nacha_entries(nacha)
    except ValueError:
        raise HTTPException(422, "nacha_b64: an entry amount is not numeric") from None
    if not entries:
        return  # not a NACHA file we can read: accepted as opaque
    credits = sum(e["amount_cents"] for e in entries if e["code"] in CREDIT_CODES)
    if credits != body.credit_total_cents:
        raise HTTPException(
            422, f"credit_total_cents: file credits {credits}, declared {body.credit_total_cents}"
        )


class BankSimulator:
    """Accepts, settles and answers batches; every settlement happens at most once per key."""

    def __init__(self, store: BatchStore, behaviour: Behaviour, sender: CallbackSender) -> None:
        self.store, self.behaviour, self.sender = store, behaviour, sender
        self.returns: dict[str, str] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def submit(self, key: str, body: BatchSubmission) -> tuple[StoredBatch, bool]:
        nacha = body.nacha()
        check_totals(body, nacha)
        fields = {**body.model_dump(exclude={"nacha_b64"}), "nacha": nacha}
        batch = self.store.insert(key, body.fingerprint(nacha), fields)
        if batch is not None:
            log.info(
                "batch accepted",
                reference=batch.reference,
                run_id=body.run_id,
                employer_id=body.employer_id,
                mode=self.behaviour.mode,
            )
            if self.behaviour.mode != "never":
                self._spawn(key, self._process(key, self.behaviour.mode))
            return batch, False
        return self._resubmitted(key, body, nacha), True

    def _resubmitted(self, key: str, body: BatchSubmission, nacha: bytes) -> StoredBatch:
        existing = self.store.get(key)
        assert existing is not None
        if existing.fingerprint != body.fingerprint(nacha):
            raise HTTPException(409, "Idempotency-Key: reused with a different batch")
        self.store.record_resubmission(key, body.callback_url, body.callback_token_b64)
        log.info("duplicate submission", reference=existing.reference, status=existing.status)
        if existing.status in TERMINAL:
            self._spawn(key, self._deliver(key))
        elif key not in self._tasks and self.behaviour.mode != "never":
            self._spawn(key, self._process(key, self.behaviour.mode))
        return existing

    async def cancel(self, key: str) -> bool:
        outcome = {
            "outcome": "failed",
            "error_type": "batch_cancelled",
            "message": f"batch {key} cancelled before settlement",
        }
        if not self.store.finish(key, "cancelled", outcome):
            return False
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()
        self._spawn(key, self._deliver(key))
        log.info("batch cancelled", idempotency_key=key)
        return True

    def resume(self) -> None:
        """After a restart: finish what was accepted, tell what was finished but not told."""
        for batch in self.store.unfinished():
            if batch.status == "accepted" and self.behaviour.mode != "never":
                key = batch.idempotency_key
                self._spawn(key, self._process(key, self.behaviour.mode))
            elif batch.status in TERMINAL:
                self._spawn(batch.idempotency_key, self._deliver(batch.idempotency_key))

    async def shutdown(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    def _spawn(self, key: str, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks[key] = task
        task.add_done_callback(
            lambda t: self._tasks.pop(key, None) if self._tasks.get(key) is t else None
        )

    async def _process(self, key: str, mode: str) -> None:
        await work_with_heartbeats(
            self.behaviour.delay, self.behaviour.heartbeat_interval, lambda: self._heartbeat(key)
        )
        batch = self.store.get(key)
        assert batch is not None
        status, outcome = (
            ("rejected", _rejection(batch))
            if mode == "reject"
            else ("settled", self._settlement(batch))
        )
        if self.store.finish(key, status, outcome):
            log.info("batch finished", reference=batch.reference, status=status)
        await self._deliver(key)

    def _settlement(self, batch: StoredBatch) -> dict[str, Any]:
        result: dict[str, Any] = {
            "reference": batch.reference,
            "status": "settled",
            "settled_cents": batch.credit_total_cents,
        }
        returns = [
            {"trace": e["trace"], "code": self.returns[e["account"]]}
            for e in nacha_entries(batch.nacha)
            if e["account"] in self.returns
        ]
        if returns:
            result["returns"] = returns
        return {"outcome": "completed", "result": result}

    async def _heartbeat(self, key: str) -> None:
        batch = self.store.get(key)
        if batch and batch.callback_url and batch.callback_token_b64:
            await self.sender.heartbeat(
                batch.callback_url,
                batch.callback_token_b64,
                {"reference": batch.reference, "status": "processing"},
            )

    async def _deliver(self, key: str) -> None:
        batch = self.store.get(key)
        if batch is None or batch.outcome is None:
            return
        if not (batch.callback_url and batch.callback_token_b64):
            return  # submitted without a callback: the caller polls GET /v1/batches/{key}
        payload = {"token_b64": batch.callback_token_b64, **batch.outcome}
        answer = await self.sender.send(batch.callback_url, payload)
        if answer is not None:
            self.store.mark_delivered(key, batch.callback_token_b64)
            log.info("outcome delivered", reference=batch.reference, answer=answer.get("status"))


def _rejection(batch: StoredBatch) -> dict[str, Any]:
    return {
        "outcome": "failed",
        "error_type": "downstream_rejection",
        "message": f"batch {batch.reference} rejected by the bank",
    }


def create_app(state_path: str, behaviour: Behaviour, secret: str) -> FastAPI:
    """The bank's HTTP API over the SQLite state file."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sender = CallbackSender(secret)
        app.state.bank = BankSimulator(BatchStore(state_path), behaviour, sender)
        app.state.bank.resume()
        yield
        await app.state.bank.shutdown()
        await sender.aclose()
        app.state.bank.store.close()

    app = FastAPI(title="bank simulator", lifespan=lifespan)
    app.include_router(behaviour_router(behaviour))

    @app.post("/v1/batches", status_code=202)
    async def submit_batch(
        body: BatchSubmission,
        idempotency_key: Annotated[str, Header(min_length=1, max_length=255)],
    ) -> Any:
        if behaviour.mode == "fail":
            return JSONResponse({"detail": "bank unavailable"}, status_code=503)
        batch, duplicate = await app.state.bank.submit(idempotency_key, body)
        return {"reference": batch.reference, "duplicate": duplicate}

    @app.post("/v1/batches/{key}/cancel")
    async def cancel_batch(key: str) -> dict[str, Any]:
        _get(app, key)
        cancelled = await app.state.bank.cancel(key)
        return {"cancelled": cancelled, "status": _get(app, key).status}

    @app.get("/v1/batches/{key}")
    async def get_batch(key: str) -> dict[str, Any]:
        return _get(app, key).public()

    @app.post("/admin/returns")
    async def set_returns(update: ReturnsUpdate) -> dict[str, Any]:
        app.state.bank.returns = dict(update.accounts)
        return {"accounts": len(update.accounts)}

    return app


def _get(app: FastAPI, key: str) -> StoredBatch:
    batch: StoredBatch | None = app.state.bank.store.get(key)
    if batch is None:
        raise HTTPException(404, "no batch with this idempotency key")
    return batch


def main(argv: list[str] | None = None) -> None:
    parser = base_arguments("Bank simulator: NACHA batches in, settlements by callback")
    parser.add_argument("--state", required=True, help="SQLite file of accepted batches")
    args = parser.parse_args(argv)
    configure_logging()
    behaviour = Behaviour(args.mode, args.delay, args.heartbeat_interval)
    app = create_app(args.state, behaviour, callback_secret(args))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
