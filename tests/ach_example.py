"""The issue's example NACHA description: one PPD credit batch, one entry (shared by tests)."""

from __future__ import annotations

from typing import Any

ISSUE_EXAMPLE: dict[str, Any] = {
    "immediate_destination": "121000358",
    "immediate_origin": "1234567890",
    "destination_name": "BANK OF AMERICA",
    "origin_name": "ACME PAYROLL INC",
    "created": "2026-01-15T09:30",
    "file_id_modifier": "A",
    "batches": [
        {
            "service_class": 220,
            "company_name": "ACME PAYROLL INC",
            "company_id": "1234567890",
            "sec_code": "PPD",
            "entry_description": "PAYROLL",
            "descriptive_date": "JAN 15",
            "effective_date": "2026-01-15",
            "odfi": "12100035",
            "entries": [
                {
                    "transaction_code": 22,
                    "routing": "021000021",
                    "account": "123456789",
                    "amount": "2161.55",
                    "id": "EMP0001",
                    "name": "DOE JANE",
                }
            ],
        }
    ],
}
