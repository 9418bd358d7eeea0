"""The filings worker's counters, in the process's Prometheus registry: whoever serves
/metrics (`payrun filings worker` with PAYRUN_METRICS_PORT) shows them."""

from __future__ import annotations

from prometheus_client import Counter

FILING_UPDATES = Counter(
    "payrun_filing_updates",
    "Filing status changes recorded, by filing type and status (opened, submitted, filed ...)",
    ["filing_type", "status"],
)
AGENCY_ITEMS_SENT = Counter(
    "payrun_agency_items_sent", "Filings sent to an agency in a batch, by agency", ["agency"]
)
