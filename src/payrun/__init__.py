"""payrun: accurate, resilient, event-driven payroll."""

__version__ = "0.1.0"
