"""Structured logs (structlog over stdlib logging): key=value or JSON lines, level from
PAYRUN_LOG_LEVEL, format from PAYRUN_LOG_FORMAT; run, employer and request ids come from
context variables (structlog.contextvars), fields that would carry personal data are
redacted, and the configured secret values are scrubbed from every line."""

from __future__ import annotations

import logging
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

HIDDEN = "[secret hidden]"
SHORTEST_SECRET = 8  # shorter values would hide ordinary words; no real secret is this short
# Keys that name personal data: never rendered, whatever a caller passes (ids are fine).
PERSONAL = frozenset(
    {"ssn", "account", "bank_account", "account_number", "routing", "first_name", "last_name",
     "name", "email", "address", "birth_date", "api_key", "password", "authorization"}
)  # fmt: skip


def redact_personal(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Any:
    for key in PERSONAL.intersection(event):
        event[key] = "[redacted]"
    return event


def configure(
    level: str = "WARNING", secrets: Iterable[str | None] = (), fmt: str = "keyvalue"
) -> None:
    """Route structlog and stdlib logging through one level. Callers never log secrets; as a
    second line of defence every line is also scrubbed of the configured secret values."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.WARNING
    scrub = Scrubber(secrets)
    logging.basicConfig(level=numeric, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger().setLevel(numeric)
    for handler in logging.getLogger().handlers:
        handler.addFilter(scrub)
    for noisy in ("alembic", "temporalio", "httpx", "uvicorn"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.processors.KeyValueRenderer(key_order=["timestamp", "level", "event"])
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            redact_personal,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
            scrub.rendered,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(),
        # Not cached: a logger used before a later configure() (the API switching to JSON,
        # a test) follows the new configuration. Logging is per chunk, never per employee.
        cache_logger_on_first_use=False,
    )


class Scrubber(logging.Filter):
    """Replaces known secret values in log lines (stdlib records and rendered structlog lines)."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= SHORTEST_SECRET}, key=len)
        self._secrets.reverse()  # longest first: a secret containing another is hidden whole

    def hide(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, HIDDEN)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            message = record.getMessage()
            hidden = self.hide(message)
            if hidden != message:
                record.msg, record.args = hidden, ()
        return True

    def rendered(self, _logger: object, _name: str, line: str) -> str:
        return self.hide(line) if self._secrets else line
