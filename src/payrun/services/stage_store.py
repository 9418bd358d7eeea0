"""What the employee steps of a chunk hand each other: durable objects, also kept in memory.

A step writes its output once, under a fresh version, to the object store
(``runs/{run}/employer-{id}/chunk-{n}/{step}-{version}.json``) and returns the version; the
workflow hands the versions of every earlier step to the next one. Objects are never
overwritten, so an attempt that timed out and writes late cannot change what a later step reads.

The same objects stay in this process's memory, keyed by chunk and version. When the next step
of the chunk runs in the same worker (the usual case) it takes them from there, with no
decoding; in another worker (or after a crash) it reads the store. Either way it gets exactly
the versions it was given. Memory holds the chunks in flight: an entry is dropped when its chunk
finishes, and the oldest go first past ``MAX_CHUNKS``.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

import msgspec
import structlog

from payrun.services.context import PayrollContext
from payrun.services.messages import ChunkTask

T = TypeVar("T")
log = structlog.get_logger(__name__)
MAX_CHUNKS = 64  # chunks whose stage objects one worker process keeps in memory

_ENCODER = msgspec.json.Encoder(decimal_format="string")


@cache
def _decoder(kind: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(kind)


@dataclass
class _Chunk:
    versions: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


_MEMORY: OrderedDict[tuple[str, int, int], _Chunk] = OrderedDict()
_LOCK = threading.Lock()


def _chunk_id(task: ChunkTask) -> tuple[str, int, int]:
    return (task.run_id, task.employer_id, task.chunk)


def key(ctx: PayrollContext, task: ChunkTask, step: str, version: str) -> str:
    return ctx.chunk_key(task.run_id, task.employer_id, task.chunk, f"{step}-{version}")


def put(ctx: PayrollContext, task: ChunkTask, step: str, value: Any) -> str:
    """Store a step's output under a new version (durably, then in memory); return it."""
    version = uuid.uuid4().hex[:16]
    ctx.store.put_bytes(key(ctx, task, step, version), _ENCODER.encode(value))
    remember(task, step, version, value)
    return version


def remember(task: ChunkTask, step: str, version: str, value: Any) -> None:
    """Keep an object for the chunk's later steps in this process (never written anywhere)."""
    with _LOCK:
        chunk = _MEMORY.pop(_chunk_id(task), None) or _Chunk()
        chunk.versions[step], chunk.values[step] = version, value
        _MEMORY[_chunk_id(task)] = chunk
        while len(_MEMORY) > MAX_CHUNKS:
            _MEMORY.popitem(last=False)


def recall(task: ChunkTask, step: str, version: str) -> Any | None:
    """The object kept for this chunk, step and version in this process, if any."""
    with _LOCK:
        chunk = _MEMORY.get(_chunk_id(task))
        if chunk is None or chunk.versions.get(step) != version:
            return None
        return chunk.values[step]


def get(ctx: PayrollContext, task: ChunkTask, step: str, kind: type[T] | Any) -> T:
    """The output of an earlier step at the version this task names: from memory or the store."""
    version = task.versions.get(step)
    if not version:
        raise ValueError(f"versions: the task for chunk {task.chunk} names no {step} output")
    found = recall(task, step, version)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = _decoder(kind).decode(ctx.store.get_bytes(key(ctx, task, step, version)))
    remember(task, step, version, value)
    return value  # type: ignore[no-any-return]


def discard(ctx: PayrollContext, run_id: str, employer_id: int) -> int:
    """Delete an employer's step outputs of a run from the store (every version, its
    snapshots kept): once the employer is paid no step reads them again, and they are most of
    what a run leaves behind (2.7 of 3.5 GB at 1,000,000 employees). Returns how many.

    Housekeeping only: a store that refuses is logged, not raised, so it never holds up the
    employer's completion (the objects stay, and a later discard takes them)."""
    prefix = ctx.employer_prefix(run_id, employer_id)
    try:
        outputs = [key for key in ctx.store.keys(prefix) if not key.endswith("/snapshot.json")]
        ctx.store.delete(outputs)
    except Exception as err:  # any store failure: log it, keep the objects
        log.warning("step outputs not discarded", prefix=prefix, error=repr(err))
        return 0
    return len(outputs)


def forget(task: ChunkTask) -> None:
    """The chunk is done: free its objects (the store keeps them)."""
    with _LOCK:
        _MEMORY.pop(_chunk_id(task), None)


def clear() -> None:
    with _LOCK:
        _MEMORY.clear()
