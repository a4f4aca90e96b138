"""The Socket.IO message queue on Redis, which joins the server processes' rooms.

python-socketio's ``RedisManager`` already publishes each emit to every process. This subclass
changes one thing: when its subscription breaks (Redis restarted), it retries every second rather
than backing off to a minute, and says when it is back, so that this process can send its rooms
the whole current state again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import socketio

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0


class RedisQueue(socketio.RedisManager):  # type: ignore[misc]
    """A Redis message queue that calls ``on_resubscribe`` when it finds Redis again."""

    def __init__(
        self, url: str, channel: str, on_resubscribe: Callable[[], None], **options: Any
    ) -> None:
        super().__init__(url, channel=channel, **options)
        self.on_resubscribe = on_resubscribe

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
