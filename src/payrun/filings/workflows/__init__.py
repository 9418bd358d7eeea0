"""The filings service's Temporal workflows: one per filing type, plus inbox and transmission."""
