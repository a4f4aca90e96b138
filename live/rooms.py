"""Socket.IO's in-process client manager, with an index of each client's rooms.

python-socketio's manager finds the rooms of a client that leaves by looking into every room of
the namespace. Every attendee has two rooms of their own (their connection's and their
participant's), so with 5,000 attendees each disconnect looked into 10,000 rooms: the drain of a
stopping process (5,000 disconnects at once) took 9 s, and so would a Wi-Fi outage dropping a
whole room. With the index a disconnect costs the few rooms the client is in.
"""

from __future__ import annotations

from typing import Any

import socketio


class IndexedManager(socketio.Manager):  # type: ignore[misc]
    """``socketio.Manager`` that keeps, for each client, the rooms it is in."""

    def __init__(self) -> None:
        super().__init__()
        # (namespace, sid) -> its rooms (None: the namespace's room of every client)
        self._rooms_of: dict[tuple[str, str], set[Any]] = {}

    def basic_enter_room(
        self, sid: str, namespace: str, room: Any, eio_sid: str | None = None
    ) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        """Return the rooms a client is in (as the base class does, from the index)."""
        return [room for room in self._rooms_of.get((namespace, sid), ()) if room is not None]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """Remove a client from its rooms and forget its pending state (the base class's
        bookkeeping, without looking into every room)."""
        if namespace not in self.rooms:
            return
        for room in self._rooms_of.pop((namespace, sid), set()):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]
