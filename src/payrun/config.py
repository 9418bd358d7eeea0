"""Settings from the environment (pydantic-settings); PAYRUN_HOME holds all local state."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from payrun.private_files import private_dir, secure_home


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAYRUN_", extra="ignore")

    home: Path = Field(default=Path(".payrun"), description="folder for every local file")
    # Fields holding secrets (or URLs that may carry one) are left out of repr(settings).
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite by default", repr=False
    )
    object_store: str | None = Field(default=None, description="snapshots: folder or s3:// URL")
    # S3 server-side encryption of the object store: "aws:kms" (with s3_kms_key_id) or "AES256".
    s3_sse: Literal["aws:kms", "AES256"] | None = Field(default=None, description="S3 SSE")
    s3_kms_key_id: str | None = Field(default=None, description="KMS key id/ARN for aws:kms")
    task_queue: str = "payrun"
    chunk_size: int = Field(default=500, ge=1, le=10_000)
    employer_parallelism: int = Field(default=8, ge=1, le=1000)
    temporal_address: str | None = Field(default=None, validation_alias="TEMPORAL_ADDRESS")
    temporal_namespace: str = Field(default="default", validation_alias="TEMPORAL_NAMESPACE")
    # Temporal Cloud / a TLS cluster: an API key, or a client certificate and key (mTLS).
    temporal_api_key: str | None = Field(
        default=None, validation_alias="TEMPORAL_API_KEY", repr=False
    )
    temporal_tls_cert: Path | None = Field(
        default=None, validation_alias="TEMPORAL_TLS_CLIENT_CERT_PATH"
    )
    temporal_tls_key: Path | None = Field(
        default=None, validation_alias="TEMPORAL_TLS_CLIENT_KEY_PATH"
    )
    # Activity slots per worker process (and as many again on its own queue): tasks it takes
    # from Temporal. Payroll steps are CPU-bound Python, so only worker_steps_at_once of them
    # run at a time; more processes, not more slots, use more cores (docs/deployment.md).
    worker_activities: int = Field(default=2, ge=1, le=256, description="activity slots/worker")
    # Steps one worker process runs at a time (the rest of its slots wait their turn): one
    # CPU-bound step per process avoids GIL contention (workflows/runtime.py).
    worker_steps_at_once: int = Field(default=1, ge=1, le=256, description="steps run at once")
    # Two runs paying one employee at once (a regular and an off-cycle run): the later one's
    # gross step waits at most this long for the earlier one to write the employee's YTD, then
    # fails the employees still held (services.ytd_turns). Inside the step's own 10-minute
    # start-to-close (workflows/employer.py STEP_OPTIONS), leaving the step time to finish.
    ytd_wait_seconds: float = Field(default=480.0, gt=0, le=540)  # float ok: seconds
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    log_level: str = "WARNING"
    log_format: str = Field(default="keyvalue", pattern="^(keyvalue|json)$")
    # Prometheus /metrics of a worker process (`payrun worker`, `payrun run`); unset: not served.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    tracing: bool = Field(default=False, description="OpenTelemetry spans via Temporal")
    follow_give_up_seconds: float = Field(default=300.0, gt=0)  # float ok: seconds
    bank_url: str | None = Field(default=None, description="bank API; unset: file drop")
    time_entry_url: str | None = Field(default=None, description="time-entry service URL")
    callback_secret: str | None = Field(
        default=None, description="HMAC secret for callbacks", repr=False
    )
    callback_port: int = 0  # the worker's callback receiver; 0 picks a free port
    # Notifications: an operator webhook and/or email; employers.webhook_url/notify_email add
    # per-employer channels (the same secret signs them, the same SMTP server sends them).
    webhook_url: str | None = Field(default=None, description="operator webhook URL", repr=False)
    webhook_secret: str | None = Field(
        default=None, description="HMAC-SHA256 webhook secret", repr=False
    )
    smtp_host: str | None = Field(default=None, description="SMTP server for email notices")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str | None = Field(default=None, description="sender address of email notices")
    notify_email: str | None = Field(default=None, description="operator emails, comma-separated")

    @cached_property
    def home_dir(self) -> Path:
        return secure_home(self.home.expanduser().resolve())

    def secret_values(self) -> list[str]:
        """Every secret the settings hold, for the log scrubber (payrun.logs)."""
        import os

        from sqlalchemy import make_url
        from sqlalchemy.exc import ArgumentError

        keys = os.environ.get("PAYRUN_SECRET_KEY", "").split(",")
        try:
            password = make_url(self.database_url).password if self.database_url else None
        except ArgumentError:  # not a URL: connecting will say so, naming the setting
            password = None
        found = [self.callback_secret, self.webhook_secret, self.temporal_api_key, password]
        return [str(s).strip() for s in [*found, *keys] if s and str(s).strip()]

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home_dir / 'payrun.db'}"

    @property
    def snapshot_url(self) -> str:
        return self.object_store or str(self.home_dir / "snapshots")

    @property
    def output_dir(self) -> Path:
        return private_dir(self.home_dir / "out")

    @property
    def temporal_target(self) -> str:
        return self.temporal_address or f"127.0.0.1:{self.temporal_port}"

    @property
    def embedded_temporal(self) -> bool:
        return not self.temporal_address


def get_settings() -> Settings:
    return Settings()
