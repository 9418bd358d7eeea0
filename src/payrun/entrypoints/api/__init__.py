"""The payroll HTTP API (FastAPI): `payrun api`."""
