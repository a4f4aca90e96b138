"""The Socket.IO message queue on Redis, which joins the server processes.

python-socketio's ``RedisManager`` publishes each emit to every process. This subclass adds two
things. The processes exchange marks of what changed, rather than whole updates: each process then
sends its own attendees the current state it reads from the shared store, once per tick, instead
of sending every other process's updates too. And when its subscription breaks (Redis restarted),
it retries every second rather than backing off to a minute, and says when it is back, so that
this process can send its attendees the whole current state again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import socketio

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
# the marks of what changed, exchanged between processes; no client is in this room
CHANGED_EVENT = "live:changed"


class RedisQueue(socketio.RedisManager):  # type: ignore[misc]
    """A Redis message queue that calls ``on_resubscribe`` when it finds Redis again."""

    def __init__(
        self,
        url: str,
        channel: str,
        on_resubscribe: Callable[[], None],
        on_changed: Callable[[dict[str, Any]], None],
        **options: Any,
    ) -> None:
        super().__init__(url, channel=channel, **options)
        self.on_resubscribe = on_resubscribe
        self.on_changed = on_changed

    def share_changes(self, changes: dict[str, Any]) -> None:
        """Tell the other processes what changed here (they read the new state from the store)."""
        self.emit(CHANGED_EVENT, changes, room=CHANGED_EVENT)

    def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") != CHANGED_EVENT:
            super()._handle_emit(message)
        elif message.get("host_id") != self.host_id:
            self.on_changed(message["data"][0])

    def _redis_listen_with_retries(self) -> Iterator[Any]:
        # replaces python-socketio's loop (same contract: yield pub/sub messages forever)
        lost = False
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if lost:
                    lost = False
                    log.info("message queue: subscribed again")
                    self.on_resubscribe()
                yield from self.pubsub.listen()
            except Exception as error:  # noqa: BLE001 (any failure of the connection)
                if not lost:
                    log.error("message queue: lost Redis (%s); retrying every second", error)
                lost = True
                time.sleep(RETRY_SECONDS)
