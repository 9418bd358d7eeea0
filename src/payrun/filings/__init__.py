"""The tax deposits and filings service: its own rules, store, workflows and worker."""
