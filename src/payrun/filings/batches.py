"""Items waiting for an agency, and the batches they leave in (the one table, QUEUE#/BATCH#)."""

from __future__ import annotations

from typing import Any

from payrun.filings import keys as k
from payrun.filings.messages import BatchSent, Submission
from payrun.filings.statuses import filing
from payrun.filings.store import FilingsStore

EDD_FILINGS = (k.CA_DEPOSIT, k.CA_UI_DEPOSIT, k.DE_9)  # DE 88 deposits and the DE 9 / DE 9C


def enqueue(store: FilingsStore, submission: Submission) -> str:
    """Queue one attempt of a filing for its agency (once per attempt): its item id."""
    item = filing(store, submission.filing_id)
    item_id = f"{submission.filing_id}#{submission.attempt}"
    payload = {
        "item_id": item_id,
        "filing_id": submission.filing_id,
        "filing_type": item["filing_type"],
        "ein": item.get("ein", ""),
        "period": item["period"],
        "due": item["due"],
        "amount_cents": submission.amount_cents,
        "lines": item.get("lines", {}),
        "employees": item.get("employees", []),
    }
    if item["filing_type"] in EDD_FILINGS:
        payload["state_account"] = _state_account(store, item)
    data = {"status": "queued", "batch_id": None, "payload": payload}
    store.put_new(k.queue_pk(submission.agency), f"ITEM#{item_id}", "queue", data, status="queued")
    return item_id


def _state_account(store: FilingsStore, item: dict[str, Any]) -> str:
    """The EDD account number of the employer's latest enrolment for the filing's year, read
    when the attempt is queued (so one enrolled after the filing was made is used); "" when
    payroll has not sent one: the item still goes, as it did before the number was kept."""
    profile = store.get(k.employer_pk(int(item["employer_id"])), f"YEAR#{item['year']}")
    return str((profile or {}).get("state_account") or "")


def take_batch(store: FilingsStore, agency: str, batch_id: str, limit: int = 500) -> BatchSent:
    """The batch `batch_id`: the queued items it takes, marked as sent in it. Taking the same
    batch again (a retried activity) returns the same items."""
    known = store.get(k.batch_pk(batch_id), "META")
    if known is not None:
        return _sent(known)
    queued = [i for i in store.query(k.queue_pk(agency), "ITEM#") if i["status"] == "queued"]
    chosen = queued[:limit]
    for item in chosen:
        data = {"status": "sent", "batch_id": batch_id, "payload": item["payload"]}
        store.put(k.queue_pk(agency), item["_sk"], "queue", data, status="sent")
    meta = {
        "batch_id": batch_id,
        "agency": agency,
        "items": [i["payload"] for i in chosen],
    }
    store.put(k.batch_pk(batch_id), "META", "batch", meta)
    return _sent(meta)


def _sent(meta: dict[str, Any]) -> BatchSent:
    items = meta["items"]
    return BatchSent(
        meta["batch_id"],
        meta["agency"],
        tuple(i["item_id"] for i in items),
        tuple(i["filing_id"] for i in items),
    )


def batch_items(store: FilingsStore, batch_id: str) -> list[dict[str, Any]]:
    meta = store.get(k.batch_pk(batch_id), "META")
    return list(meta["items"]) if meta else []


def record_results(store: FilingsStore, batch_id: str, results: list[dict[str, Any]]) -> None:
    meta = store.get(k.batch_pk(batch_id), "META")
    if meta is None:
        return
    answered = {**meta.get("results", {}), **{r["item_id"]: r for r in results}}
    data = {key: v for key, v in meta.items() if not key.startswith("_")}
    store.put(k.batch_pk(batch_id), "META", "batch", {**data, "results": answered})
