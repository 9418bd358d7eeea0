"""ABA routing transit numbers: the 3-7-1 check digit (reference §6.5)."""

from __future__ import annotations

from payrun.domain.errors import InvalidInput

ROUTING_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)


def check_digit(first_eight: str) -> int:
    """The ninth digit an ABA number must carry after these eight (§6.5)."""
    if len(first_eight) != 8 or not first_eight.isdigit() or not first_eight.isascii():
        raise InvalidInput(
            "routing", f"needs 8 digits to compute a check digit, got {first_eight!r}"
        )
    weighted_sum = sum(int(d) * w for d, w in zip(first_eight, ROUTING_WEIGHTS, strict=True))
    return (10 - weighted_sum % 10) % 10


def is_valid_routing(value: str) -> bool:
    """True for nine ASCII digits whose last is the 3-7-1 check digit of the first eight."""
    if len(value) != 9 or not value.isdigit() or not value.isascii():
        return False
    return check_digit(value[:8]) == int(value[8])


def validate_routing(value: object, field: str = "routing") -> str:
    """Return value if it is a valid ABA routing number; raise InvalidInput naming field."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be a 9-digit string, not {type(value).__name__}")
    if len(value) != 9 or not value.isdigit() or not value.isascii():
        raise InvalidInput(field, f"must be exactly 9 digits, got {value!r}")
    expected = check_digit(value[:8])
    if expected != int(value[8]):
        raise InvalidInput(
            field, f"{value} fails the ABA check digit (last digit should be {expected})"
        )
    return value
