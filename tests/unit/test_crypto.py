"""The vault: round trips, where the key comes from, the key file's mode, and masking."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from payrun.adapters.crypto import KEY_ENV, Vault, load_or_create_key, mask
from payrun.config import Settings
from payrun.domain.errors import InvalidInput

SSN = "123456789"


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)


def test_encrypt_then_decrypt_gives_the_text_back_and_hides_it() -> None:
    vault = Vault(Fernet.generate_key())
    token = vault.encrypt(SSN)
    assert SSN.encode() not in token
    assert vault.decrypt(token) == SSN


def test_the_same_text_encrypts_differently_each_time() -> None:
    vault = Vault(Fernet.generate_key())
    assert vault.encrypt(SSN) != vault.encrypt(SSN)


def test_a_token_from_another_key_is_refused() -> None:
    token = Vault(Fernet.generate_key()).encrypt(SSN)
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
    assert Fernet(key).decrypt(token) == SSN.encode()
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
