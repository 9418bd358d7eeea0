"""Tax agency simulators (IRS-like, EDD-like): accept batches, take time, reject single items,
acknowledge with ids, or stay silent.

Run: python -m payrun_sims.agencies --agency IRS --port N [--polls-before-answer K] [--silent]
`POST /batches` takes {batch_id, items: [{item_id, ...}]} (the same batch id twice is one
batch); `GET /batches/{id}` answers "processing" for the first K status checks, then each
item's outcome. Tests steer it through `POST /admin/agency`.
"""

from __future__ import annotations

import argparse
import hashlib
import threading
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field


class BatchItem(BaseModel):
    model_config = {"extra": "allow"}
    item_id: str = Field(min_length=1, max_length=300)
    amount_cents: int = Field(ge=0)


class BatchIn(BaseModel):
    batch_id: str = Field(min_length=1, max_length=200)
    items: list[BatchItem] = Field(min_length=1, max_length=10_000)


class AgencyBehaviour(BaseModel):
    polls_before_answer: int = Field(default=1, ge=0, le=100_000)
    silent: bool = False  # never finishes processing
    reject: list[str] = Field(default_factory=list)  # items whose id contains one of these


class Agency:
    def __init__(self, name: str, behaviour: AgencyBehaviour) -> None:
        self.name, self.behaviour = name, behaviour
        self.batches: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def receive(self, batch: BatchIn) -> dict[str, Any]:
        with self.lock:
            known = self.batches.setdefault(
                batch.batch_id, {"items": [i.model_dump() for i in batch.items], "polls": 0}
            )
        return {"batch_id": batch.batch_id, "received": len(known["items"])}

    def status(self, batch_id: str) -> dict[str, Any]:
        with self.lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                raise HTTPException(404, f"unknown batch {batch_id}")
            batch["polls"] += 1
            done = not self.behaviour.silent and batch["polls"] > self.behaviour.polls_before_answer
        items = [
            self._outcome(i) if done else {"item_id": i["item_id"], "status": "processing"}
            for i in batch["items"]
        ]
        return {
            "batch_id": batch_id,
            "status": "complete" if done else "processing",
            "items": items,
        }

    def _outcome(self, item: dict[str, Any]) -> dict[str, Any]:
        item_id = item["item_id"]
        if any(marker in item_id for marker in self.behaviour.reject):
            return {"item_id": item_id, "status": "rejected", "reason": f"{self.name}: R01 invalid"}
        digest = hashlib.sha256(f"{self.name}:{item_id}".encode()).hexdigest()[:12].upper()
        return {"item_id": item_id, "status": "accepted", "ack_id": f"{self.name}-{digest}"}


def create_app(name: str, behaviour: AgencyBehaviour | None = None) -> FastAPI:
    agency = Agency(name, behaviour or AgencyBehaviour())
    app = FastAPI(title=f"{name} simulator")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "agency": name}

    @app.post("/batches", status_code=202)
    async def receive(batch: BatchIn) -> dict[str, Any]:
        return agency.receive(batch)

    @app.get("/batches/{batch_id}")
    async def status(batch_id: str) -> dict[str, Any]:
        return agency.status(batch_id)

    @app.post("/admin/agency")
    async def steer(update: AgencyBehaviour) -> dict[str, Any]:
        agency.behaviour = update
        return update.model_dump()

    @app.get("/admin/batches")
    async def batches() -> dict[str, Any]:
        with agency.lock:
            return {
                bid: {"items": len(b["items"]), "polls": b["polls"]}
                for bid, b in agency.batches.items()
            }

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="tax agency simulator")
    parser.add_argument("--agency", choices=("IRS", "EDD"), required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--polls-before-answer", type=int, default=1)
    parser.add_argument("--silent", action="store_true")
    args = parser.parse_args(argv)
    behaviour = AgencyBehaviour(polls_before_answer=args.polls_before_answer, silent=args.silent)
    uvicorn.run(
        create_app(args.agency, behaviour), host=args.host, port=args.port, log_level="warning"
    )


if __name__ == "__main__":
    main()
