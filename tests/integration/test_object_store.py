"""FsspecObjectStore against a real folder and, when s3fs and moto are installed, a local S3."""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from payrun.adapters.object_store import (
    FsspecObjectStore,
    ObjectStoreError,
    open_object_store,
)


@dataclass(frozen=True)
class Snapshot:
    employee_id: int
    gross: Decimal
    pay_date: date


SNAPSHOT = {
    "run": "run-2026-01",
    "employees": [Snapshot(1, Decimal("1234.565"), date(2026, 1, 15))],
}
# what comes back: Decimals as exact strings, dates as ISO strings
SNAPSHOT_JSON = {
    "run": "run-2026-01",
    "employees": [{"employee_id": 1, "gross": "1234.565", "pay_date": "2026-01-15"}],
}


def test_local_put_then_get_returns_the_same_json_with_exact_decimals(tmp_path: Path):
    store = open_object_store(tmp_path / "objects")

    ref = store.put_json("runs/run-2026-01/employees.json", SNAPSHOT)

    assert ref == (tmp_path / "objects").resolve().as_uri() + "/runs/run-2026-01/employees.json"
    assert store.exists(ref)
    assert store.get_json(ref) == SNAPSHOT_JSON
    on_disk = json.loads((tmp_path / "objects/runs/run-2026-01/employees.json").read_text())
    assert on_disk == SNAPSHOT_JSON


def test_file_url_and_bare_keys_work_too(tmp_path: Path):
    store = FsspecObjectStore(f"file://{tmp_path}/with space/")
    ref = store.put_json("a.json", {"n": 1})

    assert store.get_json("a.json") == {"n": 1}
    assert store.get_json(ref) == {"n": 1}
    assert (tmp_path / "with space" / "a.json").exists()


def test_overwrite_is_atomic_and_leaves_no_temporary_files(tmp_path: Path):
    store = open_object_store(tmp_path)
    store.put_json("k.json", {"v": 1})
    ref = store.put_json("k.json", {"v": 2})

    assert store.get_json(ref) == {"v": 2}
    assert os.listdir(tmp_path) == ["k.json"]


def test_a_failed_encoding_leaves_the_previous_object_untouched(tmp_path: Path):
    store = open_object_store(tmp_path)
    ref = store.put_json("k.json", {"v": 1})

    with pytest.raises(TypeError, match="cannot store object"):
        store.put_json("k.json", {"v": object()})

    assert store.get_json(ref) == {"v": 1}


def test_fractional_numbers_come_back_as_decimal_never_float(tmp_path: Path):
    (tmp_path / "hours.json").write_text('{"hours": 7.75}')

    value = open_object_store(tmp_path).get_json("hours.json")

    assert value == {"hours": Decimal("7.75")}


@pytest.mark.parametrize("key", ["../escape.json", "/abs.json", "a//b.json", "a/./b", "", "a\\b"])
def test_keys_that_could_escape_the_store_are_refused(tmp_path: Path, key: str):
    with pytest.raises(ObjectStoreError, match="key"):
        open_object_store(tmp_path).put_json(key, {})


def test_references_from_another_store_are_refused(tmp_path: Path):
    ref = open_object_store(tmp_path / "a").put_json("x.json", {})

    with pytest.raises(ObjectStoreError, match="not under"):
        open_object_store(tmp_path / "b").get_json(ref)


def test_missing_object_is_reported_by_reference(tmp_path: Path):
    store = open_object_store(tmp_path)

    assert not store.exists("nope.json")
    with pytest.raises(ObjectStoreError, match="no object"):
        store.get_json("nope.json")


def _keys_and_delete(store: FsspecObjectStore) -> None:
    """keys() lists what is under a prefix, and delete() removes exactly what it is given."""
    for key in ("r1/e-7/c-0/snapshot.json", "r1/e-7/c-0/taxes-a.json", "r1/e-7/c-1/taxes-b.json"):
        store.put_json(key, {"k": key})
    store.put_json("r1/e-70/c-0/taxes-c.json", {})  # a sibling prefix, not under r1/e-7/
    assert store.keys("r1/e-7/") == [
        "r1/e-7/c-0/snapshot.json",
        "r1/e-7/c-0/taxes-a.json",
        "r1/e-7/c-1/taxes-b.json",
    ]
    store.delete(["r1/e-7/c-0/taxes-a.json", "r1/e-7/c-1/taxes-b.json", "r1/e-7/gone.json"])
    assert store.keys("r1/e-7/") == ["r1/e-7/c-0/snapshot.json"]
    assert store.keys("r1/e-70/") == ["r1/e-70/c-0/taxes-c.json"]
    store.delete(["r1/e-7/c-0/taxes-a.json"])  # again: nothing there, no error
    store.delete([])
    assert store.keys("r2/") == []
    with pytest.raises(ObjectStoreError, match="key"):
        store.delete(["../outside.json"])


def test_local_keys_under_a_prefix_and_delete(tmp_path: Path):
    store = open_object_store(tmp_path / "objects")
    _keys_and_delete(store)
    # A write in progress (its hidden temporary file) is not an object.
    (tmp_path / "objects/r1/e-7/c-0/.taxes-z.json.123.tmp").write_bytes(b"{")
    assert store.keys("r1/e-7/") == ["r1/e-7/c-0/snapshot.json"]


S3_READY = all(importlib.util.find_spec(m) for m in ("s3fs", "moto", "flask"))


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A local S3 (and KMS) on loopback with a bucket `payrun-test`; its endpoint URL."""
    if not S3_READY:
        pytest.skip("s3 extra not installed: pip install s3fs 'moto[server]'")
    import boto3
    from moto.server import ThreadedMotoServer

    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="payrun-test")
        yield endpoint
    finally:
        server.stop()


def test_s3_round_trip_against_a_local_moto_server(moto_endpoint: str):
    store = open_object_store("s3://payrun-test/snapshots", endpoint_url=moto_endpoint)

    ref = store.put_json("runs/run-2026-01/employees.json", SNAPSHOT)

    assert ref == "s3://payrun-test/snapshots/runs/run-2026-01/employees.json"
    assert store.exists(ref)
    assert store.get_json(ref) == SNAPSHOT_JSON
    assert not store.exists("runs/none.json")
    _keys_and_delete(store)


def test_s3_objects_are_written_with_kms_server_side_encryption(moto_endpoint: str):
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    kms_key = boto3.client("kms", endpoint_url=moto_endpoint).create_key()["KeyMetadata"]["Arn"]
    store = open_object_store(
        "s3://payrun-test/snapshots", endpoint_url=moto_endpoint, sse="aws:kms", kms_key_id=kms_key
    )

    ref = store.put_json("runs/r1/employer-7/chunk-00000/snapshot.json", SNAPSHOT)
    head = s3.head_object(
        Bucket="payrun-test", Key="snapshots/runs/r1/employer-7/chunk-00000/snapshot.json"
    )

    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == kms_key
    assert store.get_json(ref) == SNAPSHOT_JSON  # S3 decrypts on read


def test_s3_objects_can_use_s3_managed_aes256_and_are_plain_without_sse(moto_endpoint: str):
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    sealed = open_object_store("s3://payrun-test/a", endpoint_url=moto_endpoint, sse="AES256")
    plain = open_object_store("s3://payrun-test/b", endpoint_url=moto_endpoint)
    sealed.put_bytes("k.json", b"{}")
    plain.put_bytes("k.json", b"{}")

    assert s3.head_object(Bucket="payrun-test", Key="a/k.json")["ServerSideEncryption"] == "AES256"
    assert "SSEKMSKeyId" not in s3.head_object(Bucket="payrun-test", Key="a/k.json")
    assert "ServerSideEncryption" not in s3.head_object(Bucket="payrun-test", Key="b/k.json")


@pytest.mark.parametrize(
    ("sse", "key_id", "field"),
    [
        ("aws:kms", None, "required with PAYRUN_S3_SSE=aws:kms"),
        ("AES256", "arn:key", "only with PAYRUN_S3_SSE=aws:kms"),
        (None, "arn:key", "needs PAYRUN_S3_SSE=aws:kms"),
        ("aws:kms:dsse", None, "must be aws:kms or AES256"),
    ],
)
def test_inconsistent_s3_encryption_settings_are_refused(
    sse: str | None, key_id: str | None, field: str
):
    with pytest.raises(ObjectStoreError, match=field):
        open_object_store("s3://payrun-test/x", sse=sse, kms_key_id=key_id)


def test_the_documented_settings_reach_the_pay_runs_store(
    moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import boto3

    from payrun.bootstrap import build_context
    from payrun.config import Settings

    kms_key = boto3.client("kms", endpoint_url=moto_endpoint).create_key()["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("PAYRUN_OBJECT_STORE", "s3://payrun-test/prod")
    monkeypatch.setenv("PAYRUN_S3_SSE", "aws:kms")
    monkeypatch.setenv("PAYRUN_S3_KMS_KEY_ID", kms_key)

    build_context(Settings(home=tmp_path)).store.put_json("runs/r1/employers.json", {})

    head = boto3.client("s3", endpoint_url=moto_endpoint).head_object(
        Bucket="payrun-test", Key="prod/runs/r1/employers.json"
    )
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", kms_key)
