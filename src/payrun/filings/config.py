"""The filings service's settings (PAYRUN_FILINGS_*): its own store, queue and agencies."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from payrun.filings.store import default_url
from payrun.private_files import private_dir


class FilingsSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PAYRUN_FILINGS_", extra="ignore", populate_by_name=True
    )

    home: Path = Field(default=Path(".payrun"), validation_alias="PAYRUN_HOME")
    database_url: str | None = Field(default=None, description="its own store; filings.db")
    task_queue: str = "payrun-filings"
    payroll_task_queue: str = Field(default="payrun", description="where updates are applied")
    publish: bool = Field(default=True, description="payroll workers publish the outbox")
    irs_url: str | None = Field(default=None, description="IRS-like batch endpoint")
    edd_url: str | None = Field(default=None, description="EDD-like batch endpoint")
    debit_timeout_hours: int = Field(default=48, ge=1, description="WAIT_FOR_DEBITS escalation")
    batch_window_seconds: int = Field(default=60, ge=0, description="gather items per batch")
    agency_max_wait_days: int = Field(default=7, ge=1, description="then a clear failure")

    @property
    def db_url(self) -> str:
        home = private_dir(self.home.expanduser().resolve())
        return self.database_url or default_url(home)

    def agency_url(self, agency: str) -> str:
        url = {"IRS": self.irs_url, "EDD": self.edd_url}.get(agency)
        if not url:
            raise ValueError(f"PAYRUN_FILINGS_{agency}_URL is not set")
        return url
