"""Rate limits per API key and per client address (the `limits` library, fixed windows)."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter


class Throttle:
    """`hit(kind, who)` counts one request; returns 0 if it may go on, else seconds to wait."""

    def __init__(self, per_key: str, per_address: str, storage: str = "memory://") -> None:
        self._limiter = FixedWindowRateLimiter(storage_from_string(storage))
        self._items = {"key": parse(per_key), "address": parse(per_address)}

    def hit(self, kind: str, who: str) -> int:
        item = self._items[kind]
        if self._limiter.hit(item, kind, who):
            return 0
        reset = self._limiter.get_window_stats(item, kind, who).reset_time
        return max(1, math.ceil(reset - time.time()))
