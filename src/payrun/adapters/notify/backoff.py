"""Exponential backoff with jitter, shared by the webhook and email notifiers."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before retry n (1-based): base * 2**(n-1), capped, half of it jittered."""

    base_seconds: float = 0.5
    max_seconds: float = 30.0
    max_attempts: int = 5

    def delay(
        self, retry: int, uniform: Callable[[], float] = random.random
    ) -> float:  # float ok: time
        ceiling = min(self.max_seconds, self.base_seconds * 2.0 ** (retry - 1))
        return ceiling / 2 + uniform() * ceiling / 2
