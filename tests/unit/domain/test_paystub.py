"""The stub's derived lines and YTD, money text and the shared rounding helpers."""

from __future__ import annotations

import json
from decimal import Decimal

from payrun.domain.money import Money, cents, not_below_zero
from payrun.domain.serde import money_text

from .paydata import stub


def test_lines_and_ytd_after_are_derived_once_and_are_not_part_of_the_value() -> None:
    paid = stub()
    assert paid.lines is paid.lines
    assert paid.ytd_after is paid.ytd_after
    wire = json.loads(json.dumps(paid.to_dict()))
    assert not any(key.startswith("_") for key in wire)


def test_a_ytd_key_with_nothing_this_period_keeps_its_amount() -> None:
    paid = stub(ytd={"bonus_earnings": "100.00", "gross": "5000.00"})
    assert str(paid.ytd_after["bonus_earnings"]) == "100.00"
    assert str(paid.ytd_after["gross"]) == "7500.00"  # 5,000 + 2,500
    assert paid.ytd_after["overtime_earnings"].amount == 0


def test_money_text_is_two_decimals_for_whole_cents_and_exact_otherwise() -> None:
    assert money_text(Money(Decimal("2500"))) == "2500.00"
    assert money_text(Money(Decimal("12.30"))) == "12.30"
    assert money_text(Money(Decimal("-0.50"))) == "-0.50"
    assert money_text(Money(Decimal("1E+2"))) == "100.00"
    assert money_text(Money(Decimal("12.300"))) == "12.30"
    assert money_text(Money(Decimal("0.125"))) == "0.125"


def test_cents_rounds_half_up_and_not_below_zero_clamps() -> None:
    assert str(cents(Decimal("0.005"))) == "0.01"
    assert str(cents(Decimal("-0.005"))) == "-0.01"
    assert str(cents(Decimal("83.586"))) == "83.59"
    assert not_below_zero(Decimal("-1")) == 0
    assert str(not_below_zero(Decimal("0.00"))) == "0.00"  # the amount itself, not a new zero
    assert str(not_below_zero(Decimal("12.5"))) == "12.5"
