"""The vault: both ciphertext formats, where the key comes from, the key file's mode, masking."""

from __future__ import annotations

import base64
import logging
import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from payrun.adapters.crypto import KEY_ENV, Vault, load_or_create_key, mask
from payrun.config import Settings
from payrun.domain.errors import InvalidInput

SSN = "123456789"
PREFIX = b"v1:"
# v1 layout: 3-byte prefix, 12-byte nonce, ciphertext as long as the text, 16-byte GCM tag
NONCE_END = 3 + 12
# v2 layout: 3-byte prefix, 8-byte key id, 12-byte nonce, ciphertext, 16-byte GCM tag
V2 = b"v2:"
V2_NONCE = slice(11, 23)


def key_id(fernet_key: bytes) -> bytes:
    """The key id as specified: HKDF-SHA256, no salt, info "payrun vault key id", 8 bytes."""
    hkdf = HKDF(algorithm=SHA256(), length=8, salt=None, info=b"payrun vault key id")
    return hkdf.derive(base64.urlsafe_b64decode(fernet_key))


def aead_key(fernet_key: bytes) -> bytes:
    """The AES-256 key as specified: HKDF-SHA256, no salt, info "payrun vault aes-256-gcm v1"."""
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"payrun vault aes-256-gcm v1")
    return hkdf.derive(base64.urlsafe_b64decode(fernet_key))


def refuses(vault: Vault, token: bytes) -> bool:
    try:
        vault.decrypt(token)
    except InvalidInput as error:
        assert error.field == "ciphertext"
        return True
    return False


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)


def test_encrypt_then_decrypt_gives_the_text_back_and_hides_it() -> None:
    vault = Vault(Fernet.generate_key())
    token = vault.encrypt(SSN)
    assert SSN.encode() not in token
    assert vault.decrypt(token) == SSN


def test_new_ciphertexts_are_v2_aes_gcm_naming_their_key_under_the_hkdf_derived_key() -> None:
    key = Fernet.generate_key()
    token = Vault(key).encrypt(SSN)
    head = V2 + key_id(key)
    assert token.startswith(head)
    assert len(token) == 3 + 8 + 12 + len(SSN) + 16
    nonce, sealed = token[V2_NONCE], token[V2_NONCE.stop :]
    assert AESGCM(aead_key(key)).decrypt(nonce, sealed, head) == SSN.encode()


def test_a_v1_ciphertext_built_by_hand_from_the_format_decrypts() -> None:
    key, nonce = Fernet.generate_key(), bytes(range(12))
    token = PREFIX + nonce + AESGCM(aead_key(key)).encrypt(nonce, SSN.encode(), PREFIX)
    assert Vault(key).decrypt(token) == SSN


def test_an_empty_text_round_trips() -> None:
    vault = Vault(Fernet.generate_key())
    assert vault.decrypt(vault.encrypt("")) == ""


def test_an_old_fernet_token_still_decrypts() -> None:
    key = Fernet.generate_key()
    token = Fernet(key).encrypt(SSN.encode())
    assert token.startswith(b"gAAAAA")
    assert Vault(key).decrypt(token) == SSN


def test_an_old_fernet_token_from_another_key_or_damaged_is_refused() -> None:
    key = Fernet.generate_key()
    token = Fernet(key).encrypt(SSN.encode())
    assert refuses(Vault(Fernet.generate_key()), token)
    assert refuses(Vault(key), token[:-1])
    middle = len(token) // 2  # inside the ciphertext, covered by the HMAC
    swapped = b"A" if token[middle : middle + 1] != b"A" else b"B"
    assert refuses(Vault(key), token[:middle] + swapped + token[middle + 1 :])


def test_the_same_text_encrypts_differently_each_time() -> None:
    vault = Vault(Fernet.generate_key())
    first, second = vault.encrypt(SSN), vault.encrypt(SSN)
    assert first[V2_NONCE] != second[V2_NONCE]
    assert first[V2_NONCE.stop :] != second[V2_NONCE.stop :]
    assert vault.decrypt(first) == vault.decrypt(second) == SSN


def test_changing_any_byte_of_a_new_ciphertext_is_refused() -> None:
    vault = Vault(Fernet.generate_key())
    token = vault.encrypt(SSN)
    # every byte: prefix 0-2, key id 3-10, nonce 11-22, body 23-31, tag 32-47
    for position in range(len(token)):
        for flip in (0x01, 0x80, 0xFF):
            damaged = bytearray(token)
            damaged[position] ^= flip
            assert refuses(vault, bytes(damaged)), (position, flip)


def test_a_new_ciphertext_cut_short_or_extended_is_refused() -> None:
    vault = Vault(Fernet.generate_key())
    token = vault.encrypt(SSN)
    for length in range(len(token)):
        assert refuses(vault, token[:length]), length
    assert refuses(vault, token + b"\x00")
    assert refuses(vault, token[:3] + token[4:])


def test_a_new_ciphertext_under_another_prefix_is_refused() -> None:
    key = Fernet.generate_key()
    nonce = os.urandom(12)
    sealed_for_v1 = AESGCM(aead_key(key)).encrypt(nonce, SSN.encode(), PREFIX)
    head = V2 + key_id(key)
    sealed_for_v2 = AESGCM(aead_key(key)).encrypt(nonce, SSN.encode(), head)
    assert refuses(Vault(key), head + nonce + sealed_for_v1)
    assert refuses(Vault(key), PREFIX + nonce + sealed_for_v2)
    assert Vault(key).decrypt(head + nonce + sealed_for_v2) == SSN


def test_the_raw_fernet_key_is_not_the_aes_key() -> None:
    key, nonce = Fernet.generate_key(), os.urandom(12)
    raw = base64.urlsafe_b64decode(key)
    token = PREFIX + nonce + AESGCM(raw).encrypt(nonce, SSN.encode(), PREFIX)
    assert refuses(Vault(key), token)


def test_a_refusal_names_neither_the_text_nor_the_ciphertext() -> None:
    vault = Vault(Fernet.generate_key())
    token = vault.encrypt(SSN)
    with pytest.raises(InvalidInput) as raised:
        Vault(Fernet.generate_key()).decrypt(token)
    assert str(raised.value) == "ciphertext: was not made with this key or is damaged"
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_a_token_from_another_key_is_refused() -> None:
    token = Vault(Fernet.generate_key()).encrypt(SSN)
    assert token.startswith(V2)
    with pytest.raises(InvalidInput) as raised:
        Vault(Fernet.generate_key()).decrypt(token)
    assert raised.value.field == "ciphertext"


def test_a_malformed_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(InvalidInput) as raised:
        Vault("not-a-key")
    assert "not-a-key" not in str(raised.value)


def test_key_file_is_created_once_with_mode_0600(payrun_home: Path, no_env_key: None) -> None:
    first = Vault.for_settings(Settings())
    key_file = payrun_home / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = first.encrypt(SSN)
    assert Vault.for_settings(Settings()).decrypt(token) == SSN
    assert [p.name for p in payrun_home.iterdir()] == ["secret.key"]


def test_the_environment_key_wins_over_the_key_file(
    payrun_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Fernet.generate_key()
    monkeypatch.setenv(KEY_ENV, key.decode())
    token = Vault.for_settings(Settings()).encrypt(SSN)
    assert Vault(key).decrypt(token) == SSN
    head = V2 + key_id(key)
    assert AESGCM(aead_key(key)).decrypt(token[V2_NONCE], token[V2_NONCE.stop :], head)
    assert not (payrun_home / "secret.key").exists()


def test_an_existing_key_file_is_read_not_replaced(tmp_path: Path) -> None:
    key = Fernet.generate_key()
    (tmp_path / "secret.key").write_bytes(key + b"\n")
    assert load_or_create_key(tmp_path / "secret.key") == key


def test_the_vault_never_shows_its_key_or_logs_plaintext(caplog: pytest.LogCaptureFixture) -> None:
    key = Fernet.generate_key()
    vault = Vault(key)
    with caplog.at_level(logging.DEBUG):
        vault.decrypt(vault.encrypt(SSN))
    assert key.decode() not in repr(vault)
    assert SSN not in caplog.text


@pytest.mark.parametrize(
    ("text", "keep", "masked"),
    [
        ("123456789", 4, "*****6789"),
        ("123-45-6789", 4, "*****6789"),
        ("000123456789", 4, "********6789"),
        ("6789", 4, "****"),
        ("12", 4, "**"),
        ("123456789", 0, "*********"),
        ("", 4, ""),
    ],
)
def test_mask_shows_only_the_last_characters(text: str, keep: int, masked: str) -> None:
    assert mask(text, keep) == masked
