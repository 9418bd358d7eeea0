"""Simulators of the downstream systems (bank, time entry) run as real HTTP processes."""
