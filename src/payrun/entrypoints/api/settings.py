"""API settings from the environment (PAYRUN_API_*): address, limits, timeouts, CORS."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAYRUN_API_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    max_body_bytes: int = Field(default=1_000_000, ge=1024, description="larger bodies get 413")
    request_timeout_seconds: float = Field(default=30.0, gt=0)  # float ok: seconds
    # `limits` notation ("600/minute"): per API key, and per client address (before the key
    # is even checked, so guessing keys is throttled too).
    rate_per_key: str = "600/minute"
    rate_per_address: str = "1200/minute"
    cors_origins: list[str] = Field(default_factory=list)  # empty: CORS off
    page_limit_max: int = Field(default=200, ge=1)
    rate_storage: str = "memory://"  # `limits` storage URI; redis://... shares limits
