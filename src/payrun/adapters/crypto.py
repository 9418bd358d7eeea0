"""Secrets at rest: Fernet encryption of SSNs and account numbers, and masking for display."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from payrun.config import Settings
from payrun.domain.errors import InvalidInput

KEY_ENV = "PAYRUN_SECRET_KEY"
KEY_FILE_NAME = "secret.key"


class Vault:
    """Encrypts and decrypts short secrets with one Fernet key. Never logs what it handles."""

    __slots__ = ("_fernet",)

    def __init__(self, key: bytes | str) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise InvalidInput("secret key", "must be 32 url-safe base64-encoded bytes") from None

    @classmethod
    def for_settings(cls, settings: Settings) -> Vault:
        """The key from $PAYRUN_SECRET_KEY, else <PAYRUN_HOME>/secret.key (made on first use)."""
        key = os.environ.get(KEY_ENV, "").strip()
        if key:
            return cls(key)
        return cls(load_or_create_key(settings.home_dir / KEY_FILE_NAME))

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise InvalidInput("ciphertext", "was not made with this key or is damaged") from None

    def __repr__(self) -> str:
        return "Vault(<key hidden>)"


def load_or_create_key(path: Path) -> bytes:
    """Read the key file, or create it readable by its owner only (mode 0600).

    The key is written to a private temporary file and hard-linked into place, so a
    concurrent reader never sees a half-written key and two first uses agree on one key.
    """
    if not path.exists():
        _publish_new_key(path)
    return path.read_bytes().strip()


def _publish_new_key(path: Path) -> None:
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.unlink(missing_ok=True)
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
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
