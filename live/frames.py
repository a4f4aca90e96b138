"""Refuse what is not an event of ours: malformed frames, unknown events, events before admission.

python-socketio raises on a frame it cannot decode or dispatch (python-engineio then logs a
traceback for every such frame), and silently drops an event that no handler takes or that arrives
on a connection its connect handler has not admitted. Here every one of those is answered instead:

- ``GuardedPacket``, the server's ``serializer``, turns a frame it cannot take into an event whose
  name is a ``BadFrame`` (which no client can send), handled by the catch-all handler: an error ack
  ``bad_frame`` where the frame has an ack id, and counted against the connection's pace like any
  event, so that a connection that keeps sending them is closed like a flood;
- the catch-all handler answers ``unknown_event`` to an event no handler takes, counted likewise;
- an event on a connection that is not admitted (before its connect, or after a refused one) gets
  ``not_connected`` where it has an ack id, and its transport is closed.

The log says so once per connection, never with a traceback.

``GuardedPacket`` also sends pre-encoded JSON as it is: an argument (or a value of an argument that
is an object) given as ``RawJSON`` is spliced into the packet rather than encoded again, so that
the part of a snapshot every attendee shares is encoded once, not once per connection.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from json import JSONDecodeError
from typing import Any

from engineio import packet as engineio_packet
from flask import current_app, request
from flask_socketio import SocketIO
from socketio import packet
from socketio.base_server import BaseServer

from .domain import LiveError
from .i18n import error_message, translate
from .msgids import N_

log = logging.getLogger(__name__)
Ack = dict[str, Any]
NAMESPACE = "/"
# the Socket.IO packet types a client may send (CONNECT_ERROR only comes from servers)
CLIENT_PACKETS = {packet.CONNECT, packet.DISCONNECT, packet.EVENT, packet.ACK}
# the key, in a connection's WSGI environ, of what was already logged about it
LOGGED = "live.frames.logged"


@dataclass(frozen=True)
class BadFrame:
    """Stands for the name of an event that could not be taken; says why."""

    reason: str

    def __str__(self) -> str:
        # python-socketio logs the name of every event it receives (at its info level)
        return f"(malformed frame: {self.reason})"


@dataclass(frozen=True)
class RawJSON:
    """JSON text encoded already, to be sent as it is (only the server's packets take it)."""

    text: str


class GuardedPacket(packet.Packet):
    """A Socket.IO packet that decodes any frame: one that is not a client's well-formed event,
    ack, connect or disconnect becomes an event named ``BadFrame(reason)`` (its ack id kept).
    It encodes ``RawJSON`` arguments, and ``RawJSON`` values of object arguments, as they are."""

    data: Any

    def encode(self) -> Any:
        data: Any = self.data
        if not isinstance(data, list) or not any(map(_holds_raw, data)):
            return super().encode()
        # the packet as python-socketio encodes it, with its data spliced (never binary: the
        # binary check found no bytes in a RawJSON)
        self.data = None
        try:
            head = super().encode()
        finally:
            self.data = data
        return head + "[" + ",".join(_spliced(item) for item in data) + "]"

    def decode(self, encoded_packet: Any) -> int:
        if isinstance(encoded_packet, (bytes, bytearray)):
            # this protocol has no binary data: a binary attachment never gets here as one
            return self._refuse("binary data is not taken")
        try:
            attachments = int(super().decode(encoded_packet) or 0)
        except RecursionError:
            return self._refuse("nested too deeply")
        except JSONDecodeError:
            return self._refuse("its data is not JSON")
        except (ValueError, TypeError, IndexError):
            return self._refuse("not a Socket.IO packet")
        problem = self._problem()
        if problem:
            return self._refuse(problem)
        return attachments

    def _problem(self) -> str | None:
        """Say what is wrong with a decoded packet, if anything."""
        if self.packet_type in (packet.BINARY_EVENT, packet.BINARY_ACK):
            return "binary data is not taken"
        if self.packet_type not in CLIENT_PACKETS:
            return f"packet type {self.packet_type} is not one a client sends"
        if self.packet_type != packet.EVENT:
            return None
        if (self.namespace or NAMESPACE) != NAMESPACE:
            return f"there is no namespace {self.namespace[:50]!r}"
        if not isinstance(self.data, list) or not self.data:
            return "an event is a list that starts with its name"
        if not isinstance(self.data[0], str):
            return "an event's name is text"
        if self.data[0] in BaseServer.reserved_events:
            # python-socketio would run the connect or disconnect handler for it
            return f"{self.data[0]!r} is not an event a client sends"
        return None

    def _refuse(self, reason: str) -> int:
        self.packet_type = packet.EVENT
        self.namespace = NAMESPACE
        self.data = [BadFrame(reason)]
        return 0


def _holds_raw(item: Any) -> bool:
    return isinstance(item, RawJSON) or (
        isinstance(item, dict) and any(isinstance(v, RawJSON) for v in item.values())
    )


def _spliced(item: Any) -> str:
    """Encode one argument of a packet, its ``RawJSON`` parts as they are."""
    if isinstance(item, RawJSON):
        return item.text
    if isinstance(item, dict) and _holds_raw(item):
        return (
            "{"
            + ",".join(f"{_dumps(str(key))}:{_spliced(value)}" for key, value in item.items())
            + "}"
        )
    return _dumps(item)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def server_options() -> dict[str, Any]:
    """Options for ``socketio.init_app``: the guarded packet, and the libraries' loggers, each
    logging errors once (through the process's handlers) rather than twice."""
    return {
        "serializer": GuardedPacket,
        "logger": _library_logger("socketio.server"),
        "engineio_logger": _library_logger("engineio.server"),
    }


def _library_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    if logger.level == logging.NOTSET:
        # what the libraries log by default: errors only (their info is a line per packet)
        logger.setLevel(logging.ERROR)
    return logger


def register(socketio: SocketIO) -> None:
    """Answer unknown events and malformed frames, and refuse events on connections that are not
    admitted; call after ``socketio.init_app``, which makes the server these go to."""
    server = socketio.server
    if server is None:
        raise RuntimeError("register after socketio.init_app")
    socketio.on_event("*", on_other_event)
    dispatch = server.eio.handlers["message"]

    def on_message(eio_sid: str, data: Any) -> Any:
        manager = server.manager
        if manager.is_connected(manager.sid_from_eio_sid(eio_sid, NAMESPACE), NAMESPACE):
            return dispatch(eio_sid, data)
        frame = server.packet_class(encoded_packet=data)
        if frame.packet_type != packet.EVENT:
            return dispatch(eio_sid, data)
        refuse_before_admission(server, eio_sid, frame)
        return None

    server.eio.on("message", on_message)


NOT_CONNECTED: Ack = {
    "ok": False,
    "error": "not_connected",
    # no connection, so no language: English (the page shows its own text for the code)
    "message": "This connection is not admitted to a webinar: connect with auth first.",
}


def refuse_before_admission(server: Any, eio_sid: str, frame: packet.Packet) -> None:
    """Answer an event on a connection that is not admitted, then close its transport: nothing
    is sent there by a client that waits for its connect to be accepted."""
    try:
        transport = server.eio.transport(eio_sid)
    except KeyError:
        return  # closed already, by the refusal of an earlier frame
    if frame.id is not None:
        answer = server.packet_class(
            packet.ACK, namespace=frame.namespace, id=frame.id, data=[NOT_CONNECTED]
        )
        server.eio.send(eio_sid, answer.encode())
    log.warning("closed a connection that sent an event before it was admitted")
    if transport == "websocket":
        server.eio.disconnect(eio_sid)
    else:
        # closing a polling session here would wait for its next poll, which then finds it
        # closed: the client is told to close instead (it expires unless it goes on polling)
        server.eio.send_packet(eio_sid, engineio_packet.Packet(engineio_packet.CLOSE))


def on_other_event(event: str | BadFrame, *_: Any) -> Ack:
    """Sent by a client with a malformed frame or an event no handler takes: refused, and
    counted against the connection's pace (a connection that keeps sending them is closed)."""
    live = current_app.extensions["live"]
    connection = live.connections.get(request.sid)  # type: ignore[attr-defined]
    if connection is None:
        return NOT_CONNECTED
    if isinstance(event, BadFrame):
        kind, what = "malformed frame", f"a malformed frame ({event.reason})"
        code = "bad_frame"
        message = translate(
            N_("Not an event this server takes: %(reason)s."),
            connection.language,
            reason=event.reason,
        )
    else:
        kind, what = "unknown event", f"an unknown event {event[:50]!r}"
        code = "unknown_event"
        message = translate(
            N_("There is no event %(event)s; see the protocol's list of events."),
            connection.language,
            event=repr(event[:50]),
        )
    _log_once(kind, what, connection.code)
    try:
        _count(live, connection)
    except LiveError as error:
        message = error_message(error, connection.language)
        return {"ok": False, "error": error.code, "message": message}
    return {"ok": False, "error": code, "message": message}


def _count(live: Any, connection: Any) -> None:
    """Count a refused event against the connection's pace: one rule for every event."""
    # late: the event dispatch imports the app package, which imports this module
    from .events import keep_pace

    keep_pace(live, connection)


def _log_once(kind: str, what: str, code: str) -> None:
    """Log the first refusal of each kind on a connection: a flood is one line, not one a frame."""
    logged = request.environ.setdefault(LOGGED, set())
    if kind in logged:
        return
    logged.add(kind)
    log.warning("refused %s from a connection to %s; further ones are not logged", what, code)
