"""PaymentProvider that drops each NACHA file into a folder, as banks take them over SFTP."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import uuid
from pathlib import Path

import structlog

from payrun.domain.ach import check_file
from payrun.domain.errors import InvalidInput, PayrollError
from payrun.private_files import FILE_MODE, private_dir
from payrun.services.ports import PaymentBatch, PaymentReceipt, ProviderStatus

log = structlog.get_logger(__name__)
SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


class IdempotencyConflict(PayrollError):
    """The same idempotency key came back with a different file: never send either twice."""


class DeliveryInDoubt(PayrollError):
    """An earlier attempt for this key stopped between claiming it and dropping the file.

    Retrying could pay twice if the bank already collected the file, so a person must
    look at the drop folder and the bank's acknowledgement before it is released.
    """


class FileDropProvider:
    """Implements PaymentProvider by writing `<drop_folder>/<idempotency_key>.ach`.

    The bank (or an SFTP job) takes files away, so the drop folder cannot say what was
    sent. A state folder the bank never sees keeps one record per key: `<key>.claim`
    (taken before the drop) and `<key>.json` (written after it). A key with a record is
    never dropped again, even once the bank has collected the file.
    """

    name = "file-drop"

    def __init__(self, drop_folder: Path, state_folder: Path | None = None) -> None:
        self.drop_folder = Path(drop_folder)
        self.state_folder = Path(state_folder) if state_folder else self.drop_folder / ".payrun"
        self.ack_folder = self.drop_folder / "ack"  # the bank's acknowledgments, by key
        private_dir(self.drop_folder)
        private_dir(self.state_folder)

    def submit(self, batch: PaymentBatch, callback_token: bytes | None) -> PaymentReceipt:
        """Stage the file, claim the key, then drop the staged file by an atomic rename.

        A crash at any point leaves a state the next attempt resolves without guessing: the
        claimant's staged file still there means the drop never happened; gone means it did
        (the bank may already have collected it), so it is never dropped twice.
        """
        key = _checked_key(batch.idempotency_key)
        digest = hashlib.sha256(batch.nacha).hexdigest()
        earlier = self._record(key)
        if earlier is not None:
            return self._repeat(key, earlier, digest)
        _check_batch(batch)
        writer = uuid.uuid4().hex
        staged = self._staged_path(key, writer)
        _write_atomic(staged, batch.nacha)
        if not _claim(self._claim_path(key), f"{digest} {writer}".encode()):
            staged.unlink(missing_ok=True)
            return self._recover(key, digest, callback_token)
        self._drop(key, writer)
        self._save_record(key, digest, callback_token, status="dropped")
        log.info("ach file dropped", key=key, entries=batch.entry_count, run_id=batch.run_id)
        return PaymentReceipt(self._reference(key, digest), accepted=True)

    def _drop(self, key: str, writer: str) -> None:
        """Rename the claimant's staged file into the drop folder; gone already means done."""
        with contextlib.suppress(FileNotFoundError):
            os.replace(self._staged_path(key, writer), self.drop_path(key))
        _fsync_folder(self.drop_folder)

    def _staged_path(self, key: str, writer: str) -> Path:
        return self.state_folder / f"{key}.{writer}.staged"

    def cancel(self, idempotency_key: str) -> bool:
        """Pull the file back if the bank has not collected it yet."""
        key = _checked_key(idempotency_key)
        record = self._record(key)
        if record is None or record["status"] != "dropped":
            return False
        try:
            os.replace(self.drop_path(key), self.state_folder / f"{key}.cancelled.ach")
        except FileNotFoundError:
            return False  # already collected by the bank
        self._save_record(key, record["sha256"], _token(record), status="cancelled")
        log.info("ach file cancelled", key=key)
        return True

    def payment_status(self, idempotency_key: str) -> ProviderStatus:
        """From the folders: no record and no staged claim means the file was never dropped
        (unknown); a cancelled record is cancelled; a dropped file is settled, as submit's own
        answer says, unless the bank's acknowledgment (`ack/<key>.json`, {"status":
        "rejected", "message": ...}) rejected it. A claim whose drop is unfinished is accepted:
        the next submit with the same key completes it."""
        key = _checked_key(idempotency_key)
        record = self._record(key)
        if record is None:
            claimed = self._claim_path(key).exists()
            return ProviderStatus("accepted" if claimed else "unknown")
        reference = self._reference(key, record["sha256"])
        if record["status"] == "cancelled":
            return ProviderStatus("cancelled", reference)
        ack = self._ack(key)
        if ack.get("status") == "rejected":
            return ProviderStatus("rejected", reference, str(ack.get("message", "")))
        return ProviderStatus("settled", reference)

    def _ack(self, key: str) -> dict[str, object]:
        try:
            loaded: dict[str, object] = json.loads((self.ack_folder / f"{key}.json").read_text())
        except FileNotFoundError:
            return {}
        return loaded

    def callback_token(self, idempotency_key: str) -> bytes | None:
        """The token to complete when the bank's outcome for this key arrives."""
        record = self._record(_checked_key(idempotency_key))
        return _token(record) if record else None

    def drop_path(self, key: str) -> Path:
        return self.drop_folder / f"{key}.ach"

    def _claim_path(self, key: str) -> Path:
        return self.state_folder / f"{key}.claim"

    def _record(self, key: str) -> dict[str, str] | None:
        try:
            loaded: dict[str, str] = json.loads((self.state_folder / f"{key}.json").read_text())
        except FileNotFoundError:
            return None
        return loaded

    def _save_record(self, key: str, digest: str, token: bytes | None, status: str) -> None:
        record = {"sha256": digest, "status": status, "callback_token": (token or b"").hex()}
        _write_atomic(self.state_folder / f"{key}.json", json.dumps(record).encode())

    def _repeat(self, key: str, record: dict[str, str], digest: str) -> PaymentReceipt:
        if record["sha256"] != digest:
            raise IdempotencyConflict(f"idempotency_key {key!r} was already used for another file")
        accepted = record["status"] == "dropped"
        message = "already dropped" if accepted else f"batch was {record['status']}"
        return PaymentReceipt(
            self._reference(key, digest), accepted, duplicate=True, message=message
        )

    def _recover(self, key: str, digest: str, token: bytes | None) -> PaymentReceipt:
        """A claim exists without a record (a crash, or another attempt in flight)."""
        claimed_digest, _, writer = self._claim_path(key).read_bytes().decode().partition(" ")
        if claimed_digest != digest:
            raise IdempotencyConflict(f"idempotency_key {key!r} was already used for another file")
        if not writer:
            raise DeliveryInDoubt(f"idempotency_key {key!r}: claim from an older format")
        self._drop(key, writer)  # staged still there: the drop never happened; do it once
        self._save_record(key, digest, token, status="dropped")
        return PaymentReceipt(self._reference(key, digest), True, duplicate=True)

    def _reference(self, key: str, digest: str) -> str:
        return f"{self.name}:{key}:{digest[:16]}"


def _checked_key(key: str) -> str:
    if not isinstance(key, str) or not SAFE_KEY.fullmatch(key):
        raise InvalidInput("idempotency_key", f"must be a safe file name, got {key!r}")
    return key


def _check_batch(batch: PaymentBatch) -> None:
    """Refuse a file the bank would reject, or one whose totals disagree with the batch."""
    report = check_file(batch.nacha)
    if not report.ok:
        raise InvalidInput("nacha", report.problems[0])
    # Money is compared, not entry_count: callers count paychecks, the file also holds
    # the funding debit, and the totals are what a mismatch would get wrong.
    stated = (batch.credit_total_cents, batch.debit_total_cents)
    found = (report.credit_total_cents, report.debit_total_cents)
    if stated != found:
        raise InvalidInput("nacha", f"file has credits/debits {found} cents, batch says {stated}")


def _token(record: dict[str, str]) -> bytes | None:
    return bytes.fromhex(record["callback_token"]) or None


def _claim(path: Path, content: bytes) -> bool:
    """Take the key: a complete claim file appears atomically, or False if one exists."""
    temporary = _temporary_copy(path, content)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary)
    _fsync_folder(path.parent)
    return True


def _write_atomic(path: Path, content: bytes) -> None:
    os.replace(_temporary_copy(path, content), path)
    _fsync_folder(path.parent)


def _temporary_copy(path: Path, content: bytes) -> Path:
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(descriptor, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(name)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot fsync a directory
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
