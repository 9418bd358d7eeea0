"""The key ring: several keys held, the first writes; a vault follows the key file as it changes."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from payrun.adapters.crypto import KEY_ENV, Vault, key_id
from payrun.adapters.keyring import KeySource
from payrun.config import Settings
from payrun.domain.errors import InvalidInput

SSN = "123456789"


def test_a_ring_writes_with_its_first_key_and_reads_with_all() -> None:
    new, old = Fernet.generate_key(), Fernet.generate_key()
    under_old = Vault(old).encrypt(SSN)
    fernet_under_old = Fernet(old).encrypt(SSN.encode())
    ring = Vault([new, old])

    assert ring.key_ids == [key_id(new), key_id(old)]
    assert ring.key_id_of(ring.encrypt(SSN)) == key_id(new)
    assert ring.decrypt(under_old) == ring.decrypt(fernet_under_old) == SSN
    assert not ring.is_current(under_old) and ring.is_current(ring.encrypt(SSN))


def test_a_v1_ciphertext_without_key_id_opens_with_whichever_key_sealed_it() -> None:
    new, old, nonce = Fernet.generate_key(), Fernet.generate_key(), os.urandom(12)
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"payrun vault aes-256-gcm v1")
    aes = hkdf.derive(base64.urlsafe_b64decode(old))
    v1 = b"v1:" + nonce + AESGCM(aes).encrypt(nonce, SSN.encode(), b"v1:")

    assert Vault([new, old]).decrypt(v1) == SSN
    assert Vault([new, old]).key_id_of(v1) is None
    with pytest.raises(InvalidInput):
        Vault(new).decrypt(v1)


def test_the_environment_holds_a_ring_new_key_first(
    payrun_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new, old = Fernet.generate_key(), Fernet.generate_key()
    monkeypatch.setenv(KEY_ENV, f"{new.decode()}, {old.decode()}")
    vault = Vault.for_settings(Settings())

    assert vault.key_ids == [key_id(new), key_id(old)]
    assert not KeySource.for_home(payrun_home).writable
    assert not (payrun_home / "secret.key").exists()


def test_a_vault_from_the_key_file_follows_a_rotation_begun_by_another_process(
    payrun_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    running = Vault.for_settings(Settings())  # a worker started before the rotation
    old = (payrun_home / "secret.key").read_bytes().strip()
    new = Fernet.generate_key()
    KeySource(payrun_home / "secret.key").write([new, old])  # `payrun secrets rotate` began
    under_new = Vault(new).encrypt(SSN)

    assert running.decrypt(under_new) == SSN  # an unknown key id: the ring is read again
    assert running.key_id_of(running.encrypt(SSN)) == key_id(new)
    assert oct((payrun_home / "secret.key").stat().st_mode & 0o777) == "0o600"
