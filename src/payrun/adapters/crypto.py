"""Secrets at rest: AES-256-GCM encryption of SSNs and account numbers, and masking for display.

New ciphertexts are `b"v2:" + 8-byte key id + 12-byte random nonce + AES-256-GCM ciphertext and
tag`, with prefix and key id as associated data so neither can be swapped. The key id names the
key that sealed it, so a vault holding several keys (during a rotation) opens each ciphertext
with the right one. The AES key is derived with HKDF-SHA256 from a Fernet key; keys come from
$PAYRUN_SECRET_KEY or <PAYRUN_HOME>/secret.key: one key per line (or comma-separated in the
variable), the first writes, the others only read (a rotation in progress, keyring.py).
Older ciphertexts still decrypt: v1 (`b"v1:"` + nonce + sealed, no key id) and Fernet tokens
(url-safe base64 text starting "gAAAAA"); each is tried against every key held.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from payrun.adapters.keyring import KEY_ENV, KEY_FILE_NAME, KeySource, load_or_create_key
from payrun.config import Settings
from payrun.domain.errors import InvalidInput

__all__ = ["KEY_ENV", "KEY_FILE_NAME", "Vault", "key_id", "load_or_create_key", "mask"]

V1_PREFIX = b"v1:"  # ":" is not url-safe base64, so no Fernet token starts with it
V2_PREFIX = b"v2:"
AEAD_KEY_INFO = b"payrun vault aes-256-gcm v1"
KEY_ID_INFO = b"payrun vault key id"
KEY_ID_BYTES = 8
NONCE_BYTES = 12
TAG_BYTES = 16
_KID_END = len(V2_PREFIX) + KEY_ID_BYTES
_NONCE_END = _KID_END + NONCE_BYTES


class _Key:
    __slots__ = ("aead", "fernet", "kid")

    def __init__(self, key: bytes | str) -> None:
        try:
            self.fernet = Fernet(key)
        except (ValueError, TypeError):
            raise InvalidInput("secret key", "must be 32 url-safe base64-encoded bytes") from None
        raw = base64.urlsafe_b64decode(key)
        self.aead = AESGCM(_derive(raw, AEAD_KEY_INFO, 32))
        self.kid = _derive(raw, KEY_ID_INFO, KEY_ID_BYTES)


class Vault:
    """Encrypts with the current key, decrypts with any key held. Never logs what it handles.

    A vault read from a key file notices when the file changes (a rotation began or ended):
    before writing (at most once a second) and whenever a ciphertext names a key it lacks.
    """

    __slots__ = ("_checked_at", "_current", "_keys", "_lock", "_source")

    def __init__(self, key: bytes | str | Sequence[bytes | str]) -> None:
        self._source: KeySource | None = None
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._use(key if isinstance(key, list | tuple) else [key])  # type: ignore[list-item]

    @classmethod
    def for_settings(cls, settings: Settings) -> Vault:
        """The keys from $PAYRUN_SECRET_KEY, else <PAYRUN_HOME>/secret.key (made on first use)."""
        return cls.reading(KeySource.for_home(settings.home_dir))

    @classmethod
    def reading(cls, source: Any) -> Vault:
        """A vault over a key source (read, changed): it follows the source as it changes."""
        vault = cls(source.read())
        vault._source = source
        return vault

    @property
    def current_key_id(self) -> str:
        return self._current.kid.hex()

    @property
    def key_ids(self) -> list[str]:
        """Every key held, the current (writing) one first."""
        return [k.hex() for k in self._keys]

    def encrypt(self, text: str) -> bytes:
        self._refresh_if_due()
        current, nonce = self._current, os.urandom(NONCE_BYTES)
        head = V2_PREFIX + current.kid
        return head + nonce + current.aead.encrypt(nonce, text.encode(), head)

    def decrypt(self, token: bytes) -> str:
        """The text back from a v2 or v1 AES-GCM ciphertext or an older Fernet token."""
        key = self._keys.get(token[len(V2_PREFIX) : _KID_END])
        if key is not None and token[: len(V2_PREFIX)] == V2_PREFIX:  # the usual case, inline
            try:
                return key.aead.decrypt(
                    token[_KID_END:_NONCE_END], token[_NONCE_END:], token[:_KID_END]
                ).decode()
            except (InvalidTag, ValueError):
                pass  # damaged or too short: refused below
        text = self._open(token)
        if text is None and self._source is not None and self._source.changed():
            self._reload()
            text = self._open(token)
        if text is None:
            raise InvalidInput("ciphertext", "was not made with this key or is damaged") from None
        return text

    def key_id_of(self, token: bytes) -> str | None:
        """The id of the key that sealed a v2 ciphertext; None for the older formats."""
        if token[: len(V2_PREFIX)] == V2_PREFIX and len(token) >= _KID_END:
            return token[len(V2_PREFIX) : _KID_END].hex()
        return None

    def is_current(self, token: bytes) -> bool:
        """Sealed under the key that writes now (a rotation need not touch it)."""
        self._refresh_if_due()
        return self.key_id_of(token) == self.current_key_id

    def reload(self) -> None:
        """Read the key source again now (after a rotation changed it)."""
        if self._source is not None:
            self._reload()

    def _open(self, token: bytes) -> str | None:
        try:
            if token[: len(V2_PREFIX)] == V2_PREFIX:
                key = self._keys.get(token[len(V2_PREFIX) : _KID_END])
                return None if key is None else _open_aead(key, token, _KID_END, token[:_KID_END])
            if token[: len(V1_PREFIX)] == V1_PREFIX:
                return _any_key(self._keys.values(), lambda k: _open_aead(k, token, 3, V1_PREFIX))
            return _any_key(self._keys.values(), lambda k: k.fernet.decrypt(token).decode())
        except (InvalidTag, InvalidToken):
            return None

    def _use(self, keys: Sequence[bytes | str]) -> None:
        if not keys:
            raise InvalidInput("secret key", "none given")
        ring = [_Key(k) for k in keys]
        self._keys = {k.kid: k for k in ring}
        self._current = ring[0]

    def _refresh_if_due(self) -> None:
        if self._source is None:
            return
        now = time.monotonic()
        if now - self._checked_at >= 1.0:
            self._checked_at = now
            if self._source.changed():
                self._reload()

    def _reload(self) -> None:
        assert self._source is not None
        with self._lock:
            self._use(self._source.read())

    def __repr__(self) -> str:
        return "Vault(<key hidden>)"


def _open_aead(key: _Key, token: bytes, nonce_start: int, associated: bytes) -> str:
    nonce_end = nonce_start + NONCE_BYTES
    if len(token) < nonce_end + TAG_BYTES:
        raise InvalidTag
    return key.aead.decrypt(token[nonce_start:nonce_end], token[nonce_end:], associated).decode()


def _any_key(keys: Iterable[_Key], attempt: Callable[[_Key], str]) -> str | None:
    for key in keys:
        try:
            return attempt(key)
        except (InvalidTag, InvalidToken):
            continue
    return None


def _derive(raw_key: bytes, info: bytes, length: int) -> bytes:
    """HKDF-SHA256 over the 32 raw bytes of the Fernet key (the AES key, or the key id)."""
    return HKDF(algorithm=SHA256(), length=length, salt=None, info=info).derive(raw_key)


def key_id(key: bytes | str) -> str:
    """The public id of a key (hex): safe to print and log, it reveals nothing of the key."""
    return _Key(key).kid.hex()


def mask(text: str, keep: int = 4) -> str:
    """Hide all but the last `keep` letters or digits: "123-45-6789" -> "*****6789".

    Separators are dropped so the mask shows no format; a value no longer than `keep` is
    hidden entirely.
    """
    characters = [c for c in text if c.isalnum()]
    shown = characters[-keep:] if 0 < keep < len(characters) else []
    return "*" * (len(characters) - len(shown)) + "".join(shown)
