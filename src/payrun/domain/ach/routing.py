"""ABA routing transit numbers: the 3-7-1 check digit (reference §6.5)."""

from __future__ import annotations

from payrun.domain.errors import InvalidInput

ASCII_ZERO = ord("0")


def check_digit(first_eight: str) -> int:
    """The ninth digit an ABA number must carry after these eight (§6.5)."""
    if len(first_eight) != 8 or not first_eight.isdigit() or not first_eight.isascii():
        raise InvalidInput(
            "routing", f"needs 8 digits to compute a check digit, got {first_eight!r}"
        )
    return -_weighted_sum(first_eight) % 10


def _weighted_sum(first_eight: str) -> int:
    """The eight digits weighted 3 7 1 3 7 1 3 7 and summed. Read off the ASCII codes (each is
    the digit + 48, and the weights add up to 32), as every entry of a file needs it."""
    b = first_eight.encode("ascii")
    return 3 * (b[0] + b[3] + b[6]) + 7 * (b[1] + b[4] + b[7]) + b[2] + b[5] - 32 * ASCII_ZERO


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
