"""The employer's pay settings: everything about an employer that affects a paycheck.

The ``employer`` object of ``payrun calc``, stored whole as ``employers.pay_settings`` and
carried by every request of a pay run, so each setting reaches every paycheck.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from pydantic import Field, ValidationError

from payrun.domain import request as dom
from payrun.domain.errors import InvalidInput
from payrun.services.schema.amounts import (
    ZERO,
    NonNegative,
    Percent,
    Rate,
    StrictModel,
    invalid_input,
)


class MatchTierModel(StrictModel):
    up_to_percent: Percent
    match_percent: NonNegative


class EmployerModel(StrictModel):
    ca_ui_rate: Rate | None = None
    futa_credit_reduction: Rate = ZERO
    match: list[MatchTierModel] = Field(default_factory=list)
    ca_pit_method: dom.CaPitMethod = dom.CaPitMethod.PER_PERIOD
    super_catch_up: bool = True
    sui_rate: Rate | None = None
    sui_wage_base: NonNegative | None = None


def parse_employer_settings(data: Any, prefix: str = "employer") -> EmployerModel:
    """Validate an employer's pay settings; ``InvalidInput`` names the field."""
    try:
        model = EmployerModel.model_validate(data)
    except ValidationError as error:
        raise invalid_input(error, prefix) from None
    check_match(model.match, prefix)
    return model


def settings(model: EmployerModel) -> dict[str, Any]:
    """The stored form: JSON values, defaults left out."""
    return model.model_dump(mode="json", exclude_defaults=True)


def check_match(tiers: Any, prefix: str = "employer") -> None:
    """Match tiers must rise: each ``up_to_percent`` above the one before."""
    for lower, upper in pairwise(tiers):
        if not lower.up_to_percent < upper.up_to_percent:
            raise InvalidInput(f"{prefix}.match", "up_to_percent must increase from tier to tier")


def to_domain(model: EmployerModel) -> dom.EmployerConfig:
    return dom.EmployerConfig(
        ca_ui_rate=model.ca_ui_rate,
        futa_credit_reduction=model.futa_credit_reduction,
        match=tuple([dom.MatchTier(t.up_to_percent, t.match_percent) for t in model.match]),
        ca_pit_method=model.ca_pit_method,
        super_catch_up=model.super_catch_up,
        sui_rate=model.sui_rate,
        sui_wage_base=model.sui_wage_base,
    )
