"""Structured logs (structlog over stdlib logging): key=value or JSON lines, level from
PAYRUN_LOG_LEVEL, format from PAYRUN_LOG_FORMAT; run, employer and request ids come from
context variables (structlog.contextvars), and fields that would carry personal data are
redacted before rendering."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys that name personal data: never rendered, whatever a caller passes (ids are fine).
PERSONAL = frozenset(
    {"ssn", "account", "bank_account", "account_number", "routing", "first_name", "last_name",
     "name", "email", "address", "birth_date", "api_key", "password", "authorization"}
)  # fmt: skip


def redact_personal(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Any:
    for key in PERSONAL.intersection(event):
        event[key] = "[redacted]"
    return event


def configure(level: str = "WARNING", fmt: str = "keyvalue") -> None:
    """Route structlog and stdlib logging through one level; never log secrets (callers mask)."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.WARNING
    logging.basicConfig(level=numeric, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger().setLevel(numeric)
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
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=True,
    )
