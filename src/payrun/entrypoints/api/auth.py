"""Bearer API keys -> a Principal; roles (viewer < operator < admin) and employer scope."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from payrun.entrypoints.api.problems import Problem
from payrun.services.api_keys import Principal
from payrun.services.context import utc_now

_CHALLENGE = {"www-authenticate": "Bearer"}


def authenticate(request: Request) -> Principal:
    """The caller's Principal; 401 for a missing, malformed, unknown, revoked or expired key,
    429 once the key is over its rate limit. Runs in a worker thread (the hash is slow)."""
    header = request.headers.get("authorization")
    if not header:
        raise Problem(401, "missing_key", "send Authorization: Bearer <key>", headers=_CHALLENGE)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "malformed_key", "use the Bearer scheme", headers=_CHALLENGE)
    state = request.app.state
    principal = state.keys.check(token.strip(), utc_now())
    if principal is None:
        raise Problem(401, "invalid_key", "unknown, revoked or expired key", headers=_CHALLENGE)
    wait = state.throttle.hit("key", str(principal.key_id))
    if wait:
        raise Problem(
            429,
            "rate_limited",
            "too many requests for this key",
            headers={"retry-after": str(wait)},
        )
    request.state.principal = principal
    return principal


def requiring(role: str) -> Callable[[Request], Principal]:
    def dependency(request: Request) -> Principal:
        principal = authenticate(request)
        if not principal.may(role):
            raise Problem(403, "forbidden", f"needs the {role} role; this key is {principal.role}")
        return principal

    dependency.__name__ = f"requires_{role}"
    return dependency


def in_scope(principal: Principal, employer_id: int, what: str, ident: object) -> None:
    """A key limited to some employers sees nothing of the others: 404, as if absent."""
    if not principal.sees(employer_id):
        raise Problem(404, "not_found", f"no {what} {ident}")
