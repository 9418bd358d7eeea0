"""What a handler reports besides InvalidInput: a missing thing, or a clash with what exists."""

from __future__ import annotations


class NotFound(LookupError):
    """No such record (or not visible to the caller)."""

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"no {what} {ident}")
        self.what, self.ident = what, ident


class Conflict(Exception):
    """The change would break a uniqueness or state rule; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem
