"""Secrets at rest: AES-256-GCM encryption of SSNs and account numbers, and masking for display.

New ciphertexts are `b"v1:" + 12-byte random nonce + AES-256-GCM ciphertext and tag`, with the
prefix as associated data so it cannot be swapped. The AES key is derived with HKDF-SHA256 from
the Fernet key in $PAYRUN_SECRET_KEY or <PAYRUN_HOME>/secret.key, which is unchanged. Fernet
tokens written before (url-safe base64 text starting "gAAAAA", never "v1:") still decrypt.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from payrun.adapters.private_files import FILE_MODE, private_dir, tighten
from payrun.config import Settings
from payrun.domain.errors import InvalidInput

KEY_ENV = "PAYRUN_SECRET_KEY"
KEY_FILE_NAME = "secret.key"

AEAD_PREFIX = b"v1:"  # ":" is not url-safe base64, so no Fernet token starts with it
AEAD_KEY_INFO = b"payrun vault aes-256-gcm v1"
NONCE_BYTES = 12
TAG_BYTES = 16
_NONCE_START = len(AEAD_PREFIX)
_NONCE_END = _NONCE_START + NONCE_BYTES
_SHORTEST_AEAD = _NONCE_END + TAG_BYTES  # the ciphertext of ""


class Vault:
    """Encrypts and decrypts short secrets with one key. Never logs what it handles."""

    __slots__ = ("_aead", "_fernet")

    def __init__(self, key: bytes | str) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise InvalidInput("secret key", "must be 32 url-safe base64-encoded bytes") from None
        self._aead = AESGCM(_aead_key(base64.urlsafe_b64decode(key)))

    @classmethod
    def for_settings(cls, settings: Settings) -> Vault:
        """The key from $PAYRUN_SECRET_KEY, else <PAYRUN_HOME>/secret.key (made on first use)."""
        key = os.environ.get(KEY_ENV, "").strip()
        if key:
            return cls(key)
        return cls(load_or_create_key(settings.home_dir / KEY_FILE_NAME))

    def encrypt(self, text: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return AEAD_PREFIX + nonce + self._aead.encrypt(nonce, text.encode(), AEAD_PREFIX)

    def decrypt(self, token: bytes) -> str:
        """The text back from a v1 AES-GCM ciphertext or an older Fernet token."""
        try:
            if token[:_NONCE_START] == AEAD_PREFIX:
                return self._open_aead(token).decode()
            return self._fernet.decrypt(token).decode()
        except (InvalidTag, InvalidToken):
            raise InvalidInput("ciphertext", "was not made with this key or is damaged") from None

    def _open_aead(self, token: bytes) -> bytes:
        if len(token) < _SHORTEST_AEAD:
            raise InvalidTag
        nonce, sealed = token[_NONCE_START:_NONCE_END], token[_NONCE_END:]
        return self._aead.decrypt(nonce, sealed, AEAD_PREFIX)

    def __repr__(self) -> str:
        return "Vault(<key hidden>)"


def _aead_key(fernet_key: bytes) -> bytes:
    """The AES-256-GCM key: HKDF-SHA256 over the 32 raw bytes of the Fernet key."""
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=AEAD_KEY_INFO).derive(fernet_key)


def load_or_create_key(path: Path) -> bytes:
    """Read the key file, or create it readable by its owner only (mode 0600).

    The key is written to a private temporary file and hard-linked into place, so a
    concurrent reader never sees a half-written key and two first uses agree on one key.
    """
    if not path.exists():
        _publish_new_key(path)
    tighten(path)  # a key file from before private files: owner-only now
    return path.read_bytes().strip()


def _publish_new_key(path: Path) -> None:
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    private_dir(path.parent)
    draft.unlink(missing_ok=True)
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "wb") as file:
            file.write(Fernet.generate_key())
        os.link(draft, path)
    except FileExistsError:
        pass  # another process published its key first; use that one
    finally:
        draft.unlink(missing_ok=True)


def mask(text: str, keep: int = 4) -> str:
    """Hide all but the last `keep` letters or digits: "123-45-6789" -> "*****6789".

    Separators are dropped so the mask shows no format; a value no longer than `keep` is
    hidden entirely.
    """
    characters = [c for c in text if c.isalnum()]
    shown = characters[-keep:] if 0 < keep < len(characters) else []
    return "*" * (len(characters) - len(shown)) + "".join(shown)
