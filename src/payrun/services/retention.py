"""Retention: remove a pay run's snapshots, step outputs and files once the law lets us.

Employment tax records must be kept "for at least 4 years after the date the tax becomes due
or is paid, whichever is later" (26 CFR 31.6001-1(e)(2); IRS Publication 15, "Recordkeeping").
The last return a pay date feeds is due January 31 of the next year (Form 941 for Q4, Form 940,
Forms W-2), so files for wages paid in year Y may go from February 1 of Y+5. The operator's
policy (`--before`) may keep them longer, never shorter. Paychecks in the database are not
touched: they are the records; the files are copies made to compute and send them.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from payrun.domain.errors import InvalidInput
from payrun.services.context import PayrollContext

RETENTION_YEARS = 4  # 26 CFR 31.6001-1(e)(2)
ACTOR = "payrun purge"


class Records(Protocol):
    def runs_paid_before(self, day: date) -> list[str]: ...

    def audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        details: dict[str, Any],
        outcome: str = "ok",
    ) -> None: ...


@dataclass(frozen=True)
class PurgeReport:
    before: str
    legal_limit: str
    decision: str  # purged | dry-run | refused
    runs: int = 0
    objects: int = 0
    files: int = 0


# What a run keeps in the object store: its snapshots and step outputs, and its NACHA files
# (services.nacha_files, funding_first). Re-pay and re-debit files are keyed by payment and
# case, not by run, and stay.
RUN_PREFIXES = ("runs/{run}/", "nacha/{run}/")


def latest_allowed_before(today: date) -> date:
    """The latest `--before` the law allows today: every pay date before it is past its
    4 years. Wages paid in year Y back returns due by January 31 of Y+1, so they may be
    purged after January 31 of Y+1+4."""
    last_purgeable_year = today.year - 5 if today > date(today.year, 1, 31) else today.year - 6
    return date(last_purgeable_year + 1, 1, 1)


def purge(
    ctx: PayrollContext, records: Records, before: date, today: date, dry_run: bool = False
) -> PurgeReport:
    """Remove what the runs paid before `before` left in the object store and output folder;
    refuse (and record the refusal) if any of it is younger than the legal minimum."""
    limit = latest_allowed_before(today)
    if before > limit:
        _audit(ctx, records, PurgeReport(before.isoformat(), limit.isoformat(), "refused"))
        raise InvalidInput(
            "--before",
            f"{before} would remove records younger than the {RETENTION_YEARS} years employment "
            f"tax records must be kept (26 CFR 31.6001-1(e)(2)); the latest allowed today is "
            f"{limit}",
        )
    runs = records.runs_paid_before(before)
    keys = [
        k for run in runs for prefix in RUN_PREFIXES for k in ctx.store.keys(prefix.format(run=run))
    ]
    files = [f for run in runs for f in _files_of(ctx.output_dir, run)]
    if not dry_run:
        ctx.store.delete(keys)
        for file in files:
            file.unlink(missing_ok=True)
        for run in runs:
            _remove_run_folders(ctx.output_dir, run)
    decision = "dry-run" if dry_run else "purged"
    report = PurgeReport(
        before.isoformat(), limit.isoformat(), decision, len(runs), len(keys), len(files)
    )
    _audit(ctx, records, report)
    return report


def _files_of(output_dir: Path, run_id: str) -> Iterator[Path]:
    """Files under a folder named after the run (out/nacha/<run>/...) and the bank drop's
    files and state records named by the run's payment keys (<run>-<employer>-payment-<n>)."""
    own_name = re.compile(rf"\.?{re.escape(run_id)}-\d+-payment-\d+\.")
    for folder, _dirs, names in os.walk(output_dir):
        inside_run = run_id in Path(folder).relative_to(output_dir).parts
        for name in names:
            if inside_run or own_name.match(name):
                yield Path(folder, name)


def _remove_run_folders(root: Path, run_id: str) -> None:
    """The run's own folders (out/nacha/<run>), once empty; shared folders stay."""
    for folder, _dirs, _names in os.walk(root, topdown=False):
        if run_id in Path(folder).relative_to(root).parts:
            with contextlib.suppress(OSError):  # not empty: something else lives there
                Path(folder).rmdir()


def _audit(ctx: PayrollContext, records: Records, report: PurgeReport) -> None:
    action, subject = f"retention.{report.decision}", f"before {report.before}"
    outcome = "rejected" if report.decision == "refused" else "ok"
    records.audit(ctx.clock(), ACTOR, action, subject, asdict(report), outcome)
