"""Per-address rate limits: new anonymous identities and wrong moderator keys.

Kept in each process (a token bucket per address). Behind a proxy the address is the client's only
when ``LIVE_PROXY_COUNT`` says which ``X-Forwarded-For`` entry to trust. An address is kept no
longer than its bucket holds information: a full bucket is forgotten at the next pruning, once per
period, so that no address stays more than two periods after its last use (the privacy notice says
so; Redis's shared buckets expire after one period).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# forget buckets beyond this many addresses (the full ones: they hold no information)
MAX_TRACKED = 50_000


class RateLimiter:
    """Allow each key ``limit`` events per ``period`` seconds, refilled continuously."""

    def __init__(
        self, limit: int, period: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.period = period
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._pruned = clock()

    def allow(self, key: str) -> bool:
        """Take one token for ``key``; say whether there was one."""
        if self.limit <= 0:
            return True
        now = self.clock()
        with self._lock:
            tokens = self._tokens(key, now)
            allowed = tokens >= 1
            self._buckets[key] = (tokens - 1 if allowed else tokens, now)
            if len(self._buckets) > MAX_TRACKED or now - self._pruned >= self.period:
                self._prune(now)
            return allowed

    def blocked(self, key: str) -> bool:
        """Say whether ``key`` has no token left, without taking one."""
        if self.limit <= 0:
            return False
        with self._lock:
            return self._tokens(key, self.clock()) < 1

    def forget_idle(self) -> None:
        """Forget the keys whose bucket is full again, if a period went by since the last time
        (the server calls it every few seconds, so that a quiet server forgets addresses too)."""
        now = self.clock()
        with self._lock:
            if now - self._pruned >= self.period:
                self._prune(now)

    def _tokens(self, key: str, now: float) -> float:
        """Return the tokens ``key`` has now: what it kept, refilled for the time since."""
        tokens, last = self._buckets.get(key, (float(self.limit), now))
        return min(float(self.limit), tokens + (now - last) * self.limit / self.period)

    def _prune(self, now: float) -> None:
        self._pruned = now
        full = [key for key in self._buckets if self._tokens(key, now) >= self.limit]
        for key in full:
            del self._buckets[key]
