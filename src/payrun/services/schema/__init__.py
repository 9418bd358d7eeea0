"""One schema per concept, at the edge: the employee and the employer's pay settings."""

from __future__ import annotations

from payrun.services.schema.employee import (
    EmployeeModel,
    check_employee,
    parse_employee,
    profile,
)
from payrun.services.schema.employer import EmployerModel, parse_employer_settings, settings

__all__ = [
    "EmployeeModel",
    "EmployerModel",
    "check_employee",
    "parse_employee",
    "parse_employer_settings",
    "profile",
    "settings",
]
