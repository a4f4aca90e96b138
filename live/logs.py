"""Rate-limited logging: a flood of the same warning (or traceback) never fills the log.

``run.py`` installs one ``RateLimitFilter`` on the handlers of the root logger, so that it holds for
every logger of the process (ours, Flask's, python-socketio's, python-engineio's). Warnings and
errors are limited, which is where bad input ends up; information (an access line per request, a
line per moderator action) records what happened and is kept whole.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# the same message this many times per interval is plenty to see what is going on
LIMIT = 10
INTERVAL = 60.0
# forget the windows of this many messages at most (expired ones first)
MAX_TRACKED = 10_000


@dataclass
class _Window:
    """How often one message was let through and held back since ``start``."""

    start: float
    passed: int = 0
    suppressed: int = 0


class RateLimitFilter(logging.Filter):
    """Let the same message (logger + template) of ``level`` or above through at most ``limit``
    times per ``interval`` seconds; the last one let through says that more are held back, and
    the first one after the interval says how many were."""

    def __init__(
        self,
        limit: int = LIMIT,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        level: int = logging.WARNING,
    ) -> None:
        super().__init__()
        self.limit = limit
        self.interval = interval
        self.clock = clock
        self.level = level
        self._windows: dict[tuple[str, str], _Window] = {}
        self._lock = threading.Lock()
        # one record reaches each handler in turn: it is counted once, decided once
        self._decided = f"_rate_limit_{id(self)}"

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.level:
            return True
        decided = record.__dict__.get(self._decided)
        if decided is None:
            decided = self._decide(record)
            record.__dict__[self._decided] = decided
        return bool(decided)

    def _decide(self, record: logging.LogRecord) -> bool:
        # the template, not the formatted text: "'%s' failed" is one message for every event
        key = (record.name, str(record.msg))
        now = self.clock()
        with self._lock:
            window = self._windows.get(key)
            if window is None or now - window.start >= self.interval:
                if len(self._windows) >= MAX_TRACKED:
                    self._forget(now)
                if window is not None and window.suppressed:
                    _note(record, f"{window.suppressed} more like this were not logged")
                window = self._windows[key] = _Window(now)
            if window.passed >= self.limit:
                window.suppressed += 1
                return False
            window.passed += 1
            if window.passed == self.limit:
                seconds = self.interval - (now - window.start)
                _note(record, f"more like this are not logged for {seconds:.0f} s")
            return True

    def _forget(self, now: float) -> None:
        expired = [k for k, w in self._windows.items() if now - w.start >= self.interval]
        for key in expired or list(self._windows)[: MAX_TRACKED // 2]:
            del self._windows[key]


def _note(record: logging.LogRecord, note: str) -> None:
    """Add a note to a record's message (the note holds no ``%``: the arguments still fit)."""
    record.msg = f"{record.msg} [{note}]"


def install(log_filter: logging.Filter | None = None) -> logging.Filter:
    """Put a rate limit on every handler of the root logger (after ``logging.basicConfig``);
    return the filter, so that a test can remove it again."""
    log_filter = log_filter or RateLimitFilter()
    for handler in logging.getLogger().handlers:
        handler.addFilter(log_filter)
    return log_filter
