"""How a client event is handled: the checks every event shares, then its handler, then the ack.

Every client event is acknowledged with ``{ok: true, ...}`` or ``{ok: false, error, message}``;
a handler receives a typed command (commands.py) and raises ``LiveError`` to refuse it. Handlers
are declared with ``event`` (handlers.py) and given to the Socket.IO server by ``register``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic

from flask import request
from flask_socketio import SocketIO, disconnect

from . import Connection, Live, current_live
from .commands import C, parse
from .domain import Forbidden, LiveError, TooMany, Unavailable
from .i18n import DEFAULT, error_message, translate
from .keys import KEY_CHANGED, current_fingerprint, sign_out_stale_moderators
from .msgids import N_
from .store import StoreUnavailable

log = logging.getLogger(__name__)
Ack = dict[str, Any]
# a connection refused this many times in a row for flooding is closed
FLOOD_REFUSALS = 50


@dataclass(frozen=True)
class EventHandler(Generic[C]):
    """A handler of one client event, with who may send it."""

    command: type[C]
    handle: Callable[[Live, Connection, C], Ack]
    moderator: bool = False
    participant: bool = False

    def __call__(self, payload: Any = None, *extra: Any) -> Ack:
        """Check, handle and acknowledge one event (called by Flask-SocketIO, in its context);
        a refusal's message is in the connection's language, its code unchanged."""
        ack = self._answer(payload, *extra)
        if not ack["ok"]:
            connection = current_live().connections.get(request.sid)  # type: ignore[attr-defined]
            language = connection.language if connection is not None else DEFAULT
            error = ack.pop("_error", None)
            if error is not None:
                ack["message"] = error_message(error, language)
            elif language != DEFAULT:
                ack["message"] = translate(ack["message"], language)
        return ack

    def _answer(self, payload: Any, *extra: Any) -> Ack:
        live = current_live()
        live.in_flight += 1
        try:
            connection = self._admit(live)
            command = parse(self.command, payload, extra)
            return {"ok": True, **self.handle(live, connection, command)}
        except LiveError as error:
            # the refusal itself: its message is made in the connection's language above
            return {**error_ack(error), "_error": error}
        except StoreUnavailable as error:
            log.warning("'%s' refused: the store is unavailable (%s)", self.command.event, error)
            return {
                "ok": False,
                "error": "unavailable",
                "message": N_("Storage is unavailable; try again."),
            }
        except Exception:
            log.exception("'%s' failed", self.command.event)
            return {
                "ok": False,
                "error": "internal",
                "message": N_("Something went wrong on the server."),
            }
        finally:
            live.in_flight -= 1

    def _admit(self, live: Live) -> Connection:
        """Return the sender's connection if it may send this event now, else raise."""
        connection = live.connections.get(request.sid)  # type: ignore[attr-defined]
        if connection is None:
            raise Forbidden(N_("This connection is not admitted to a webinar."), "not_connected")
        if live.draining:
            # refused, not half-done: the client knows nothing changed
            raise Unavailable(N_("The server is restarting; try again in a moment."))
        keep_pace(live, connection)
        if self.moderator and not connection.moderator:
            raise Forbidden(N_("Only moderators may do this."), "forbidden")
        if self.moderator and connection.key_fingerprint != current_fingerprint(
            live, connection.code
        ):
            # the key changed (elsewhere, a moment ago): not one more action with the old
            sign_out_stale_moderators(live)
            raise Forbidden(KEY_CHANGED, "key_changed")
        if self.participant and connection.participant is None:
            raise Forbidden(N_("Connect with a participant token to do this."), "no_token")
        return connection


def event(
    command: type[C], moderator: bool = False, participant: bool = False
) -> Callable[[Callable[[Live, Connection, C], Ack]], EventHandler[C]]:
    """Declare the handler of a command's event: moderator events are authorised on every
    message; attendee events need a participant token."""

    def declare(handle: Callable[[Live, Connection, C], Ack]) -> EventHandler[C]:
        return EventHandler(command, handle, moderator, participant)

    return declare


def register(socketio: SocketIO, handlers: Iterable[EventHandler[Any]]) -> None:
    """Give the handlers to the app's Socket.IO server."""
    for handler in handlers:
        socketio.on_event(handler.command.event, handler)


def keep_pace(live: Live, connection: Connection) -> None:
    """Refuse a connection's events beyond its pace; close a connection that keeps flooding."""
    if live.socket_events.allow(request.sid):  # type: ignore[attr-defined]
        connection.refused = 0
        return
    connection.refused += 1
    if connection.refused >= FLOOD_REFUSALS:
        log.warning("closing a connection to %s that keeps flooding events", connection.code)
        disconnect()
    raise TooMany(N_("Slow down: too many actions at once."))


def error_ack(error: LiveError) -> Ack:
    """Return the ack that refuses an event."""
    return {"ok": False, "error": error.code, "message": error.message}
