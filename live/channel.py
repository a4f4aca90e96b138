"""Change marks between server processes, over a Redis pub/sub channel of our own.

Each process sends its own clients the state it reads from the shared store (live/broadcast.py);
what the processes exchange is only what changed: a webinar's code and which questions, polls and
flags to read again. A handler hands its marks to ``share``, which never waits for Redis: a
background task publishes them, merged per webinar, as one JSON message. Another background task
stays subscribed, hands other processes' marks to ``on_changed``, and when its subscription broke
(Redis restarted) subscribes again within a second and calls ``on_resubscribe``, since marks sent
meanwhile are lost: the process then sends its clients the whole current state again.

Only redis-py's public API is used, and JSON rather than pickle: whoever may publish on Redis
cannot make a process run code.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)
Marks = dict[str, Any]
# how soon a lost subscription or a failed publish is tried again
RETRY_SECONDS = 0.5
# how long the subscriber waits for a message before it looks whether it was closed
LISTEN_SECONDS = 1.0
# at most one log line per this many seconds about a message that could not be handled
FAULT_LOG_SECONDS = 60.0


def merge_marks(into: Marks, marks: Marks) -> None:
    """Add ``marks`` to ``into`` (same webinar): lists are united, flags or-ed."""
    for name, value in marks.items():
        before = into.get(name)
        if isinstance(value, list) and isinstance(before, list):
            into[name] = sorted(set(before) | set(value))
        elif isinstance(value, bool) and isinstance(before, bool):
            into[name] = before or value
        else:
            into[name] = value


class Channel:
    """Share change marks with the other processes on one Redis; receive theirs."""

    def __init__(
        self,
        url: str,
        name: str,
        on_changed: Callable[[Marks], None],
        on_resubscribe: Callable[[], None],
        timeout: float = 5.0,
    ) -> None:
        self.name = name
        self.on_changed = on_changed
        self.on_resubscribe = on_resubscribe
        # tells this process's own messages apart from the others'
        self.process_id = uuid.uuid4().hex
        # no retries inside redis-py: a failure reaches the loops below, which retry, log once and
        # know to resync; commands time out so that a frozen Redis holds a task, not forever
        self.redis: Any = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._lock = threading.Lock()
        self._publishing = threading.Lock()
        self._outbox: dict[str, Marks] = {}
        self._wake = threading.Event()
        self._closed = False
        self._down = False
        self._subscribed_before = False
        self._fault_logged_at: dict[str, float] = {}

    def start(self, start_task: Callable[..., Any], sleep: Callable[[float], Any]) -> list[Any]:
        """Start the publisher and the subscriber as background tasks; return them."""
        return [start_task(self.publish_forever, sleep), start_task(self.listen, sleep)]

    def close(self) -> None:
        """Publish what is still queued, then stop both tasks (within a second).

        Each task closes its own connection as it ends.
        """
        self._closed = True
        self._wake.set()
        self.publish_pending()
        self._disconnect_idle()

    def _disconnect_idle(self) -> None:
        # a connection in use belongs to its task, which may be reading from it right now
        self.redis.connection_pool.disconnect(inuse_connections=False)

    def share(self, marks: Marks) -> None:
        """Queue what changed here for the other processes; never waits for Redis, never raises."""
        with self._lock:
            merge_marks(self._outbox.setdefault(marks["code"], {}), marks)
        self._wake.set()

    def publish_forever(self, sleep: Callable[[float], Any]) -> None:
        """Publish queued marks as they come (background task)."""
        while not self._closed:
            self._wake.wait()
            self._wake.clear()
            if not self._closed and not self.publish_pending():
                sleep(RETRY_SECONDS)
                self._wake.set()
        self._disconnect_idle()

    def publish_pending(self) -> bool:
        """Publish every queued mark in one message; say whether it was sent (or none waited).

        Marks that could not be sent stay queued for the next try; those the other processes
        missed meanwhile are repaired by their resync when their subscription comes back.
        """
        # one publish at a time: ``close`` waits for the background task's publish in flight
        with self._publishing:
            with self._lock:
                outbox, self._outbox = self._outbox, {}
            if not outbox:
                return True
            message = json.dumps({"process": self.process_id, "marks": list(outbox.values())})
            try:
                self.redis.publish(self.name, message)
            except (redis.RedisError, OSError) as error:
                self._lost(error)
                with self._lock:
                    for code, marks in outbox.items():
                        merge_marks(self._outbox.setdefault(code, {}), marks)
                return False
        self._back()
        return True

    def listen(self, sleep: Callable[[float], Any]) -> None:
        """Stay subscribed and hand on the other processes' marks (background task)."""
        while not self._closed:
            pubsub = self.redis.pubsub()
            try:
                pubsub.subscribe(self.name)
                while not self._closed:
                    message = pubsub.get_message(timeout=LISTEN_SECONDS)
                    if message is not None:
                        self._receive(message)
            except (redis.RedisError, OSError) as error:
                if not self._closed:
                    self._lost(error)
            finally:
                pubsub.close()
            if not self._closed:
                sleep(RETRY_SECONDS)

    def _receive(self, message: dict[str, Any]) -> None:
        if message["type"] == "subscribe":
            # also seen when redis-py itself reconnects: whatever came meanwhile is lost
            if self._subscribed_before:
                self._back()
                self._call(self.on_resubscribe)
            self._subscribed_before = True
        elif message["type"] == "message":
            try:
                data = json.loads(message["data"])
                sender, marks = data["process"], data["marks"]
                if sender == self.process_id:
                    return
                if not all(isinstance(m, dict) and isinstance(m.get("code"), str) for m in marks):
                    raise ValueError("a mark without a webinar code")
            except (ValueError, TypeError, KeyError) as error:
                self._fault(
                    "malformed", "ignored a message on %s that is not marks (%s)", self.name, error
                )
                return
            for mark in marks:
                self._call(self.on_changed, mark)

    def _call(self, callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception as error:
            # not Redis's failure: keep listening
            name = getattr(callback, "__name__", "callback")
            self._fault(name, "change marks: %s failed (%r)", name, error, exc_info=True)

    def _lost(self, error: Exception) -> None:
        with self._lock:
            first, self._down = not self._down, True
        if first:
            log.warning(
                "change marks between processes wait: Redis is unavailable (%s); retrying", error
            )

    def _back(self) -> None:
        with self._lock:
            was_down, self._down = self._down, False
        if was_down:
            log.info("change marks between processes flow again")

    def _fault(self, kind: str, message: str, *args: Any, exc_info: bool = False) -> None:
        # whoever can publish on Redis could otherwise fill the log
        now = time.monotonic()
        last = self._fault_logged_at.get(kind)
        if last is None or now - last >= FAULT_LOG_SECONDS:
            self._fault_logged_at[kind] = now
            log.warning(message, *args, exc_info=exc_info)
