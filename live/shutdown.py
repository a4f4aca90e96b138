"""A graceful stop: what a server process does between SIGTERM and exiting (``run.py`` calls it).

Nothing acknowledged may be lost and nobody should notice more than a reconnect:

1. new Socket.IO connections are refused with a retryable ``unavailable`` and ``/healthz``
   answers 503, so that a proxy or load balancer sends newcomers to another process;
2. the events being handled finish and are acknowledged;
3. the last coalesced updates are sent;
4. every client's transport is closed: Socket.IO clients reconnect by themselves (to another
   process, or to this server once it is back) and resync from the snapshot they get.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from . import Live

log = logging.getLogger(__name__)


def drain(live: Live, server: Any, sleep: Callable[[float], Any], patience: float = 10.0) -> None:
    """Bring this process to a state where it can exit without losing anything.

    ``server`` is the python-socketio server; ``sleep`` the async library's sleep. Waits at most
    ``patience`` seconds for events in flight.
    """
    live.draining = True
    deadline = time.monotonic() + patience
    while live.in_flight and time.monotonic() < deadline:
        sleep(0.05)
    if live.in_flight:
        log.warning(
            "stopping with %d events still unanswered after %.0f s", live.in_flight, patience
        )
    try:
        live.broadcaster.flush()
    except Exception:  # the store may be down: clients resync when they reconnect anyway
        log.exception("the last updates could not be sent")
    sockets = list(server.eio.sockets.values())
    for socket in sockets:
        # dropping the transport, without a "close" or "disconnect" packet (which tell a client to
        # stay away), is what makes clients reconnect by themselves; the acks already queued
        # go out first, and the server waits for that before it exits
        socket.close(wait=False, abort=True)
    log.info("drained: %d connections closed, their clients will reconnect", len(sockets))
