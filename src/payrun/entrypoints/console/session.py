"""The console's session: the API key, sealed (Fernet) in a Secure, HttpOnly, SameSite=Strict
cookie, checked again on every request exactly as the API checks a Bearer key (a revoked key
logs the console out at once). Forms carry a CSRF token bound to the cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from fastapi import Request

from payrun.services.api_keys import Principal
from payrun.services.context import utc_now

COOKIE = "payrun_console"
SESSION_SECONDS = 12 * 3600


class Sessions:
    def __init__(self, secret: str | None) -> None:
        """`secret` (PAYRUN_CONSOLE_SECRET) lets several API processes share sessions; without
        it each process draws its own, and a restart logs everyone out."""
        seed = secret.encode() if secret else secrets.token_bytes(32)
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"seal" + seed).digest()))
        self._mac = hashlib.sha256(b"csrf" + seed).digest()

    def seal(self, api_key: str) -> str:
        return self._fernet.encrypt(api_key.encode()).decode()

    def open(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return self._fernet.decrypt(cookie.encode(), ttl=SESSION_SECONDS).decode()
        except (InvalidToken, ValueError):
            return None

    def csrf(self, cookie: str) -> str:
        return hmac.new(self._mac, cookie.encode(), hashlib.sha256).hexdigest()[:32]

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        return bool(cookie and token) and hmac.compare_digest(self.csrf(cookie or ""), token or "")


def principal(request: Request) -> Principal | None:
    """The caller, from the session cookie; None when absent, expired, revoked or unknown."""
    state = request.app.state
    api_key = state.console_sessions.open(request.cookies.get(COOKIE))
    if api_key is None:
        return None
    found: Principal | None = state.keys.check(api_key, utc_now())
    if found is not None:
        request.state.principal = found
    return found
