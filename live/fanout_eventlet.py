"""The fan-out's transport under eventlet: loaded by run.py in the eventlet mode only.

The one module of the package that imports eventlet (run.py chooses it for
``LIVE_ASYNC_MODE=eventlet``). It does two things to Engine.IO's WebSockets:

- **deflate without per-socket state**: eventlet accepts the ``permessage-deflate`` that browsers
  offer with a compressor and a decompressor kept per socket (about 245 KB of zlib state per
  attendee). The answer here adds ``server_no_context_takeover`` and ``client_no_context_takeover``
  (RFC 7692, 7.1.1: a server may add both without the offer asking), so that each message is
  compressed on its own and nothing is kept between messages, on either side;
- it records each Engine.IO socket's WebSocket, and writes to it for live/fanout.py without
  blocking, under the WebSocket's own send lock.

It relies on eventlet's internals (``WebSocketWSGI._negotiate_permessage_deflate``,
``WebSocket._sendlock`` and ``.socket.fd``, ``RFC6455WebSocket.extensions``): ``self_test`` checks
each of them on a socket pair at start.
"""

from __future__ import annotations

import errno
import socket
import struct
import zlib
from functools import partial
from typing import Any

import eventlet
from engineio.async_drivers import eventlet as eio_eventlet
from eventlet import greenio
from eventlet import websocket as ev_websocket

from .fanout import DEFLATE_BITS, compressor_for, websocket_frame

# the attribute of an Engine.IO socket that holds its WebSocket while its handler runs
WEBSOCKET = "live_websocket"
# the window asked of clients that let the server choose (Chromium does): a 1 KB window is plenty
# for votes and questions, and keeps the server's decompressor of each message small
CLIENT_BITS = 10


def _no_context_takeover(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if config is not None:
        config["server_no_context_takeover"] = True
        config["client_no_context_takeover"] = True
        if "client_max_window_bits" in config:
            config["client_max_window_bits"] = min(config["client_max_window_bits"], CLIENT_BITS)
    return config


def configure(ws: Any) -> None:
    """Make eventlet compress this WebSocket's messages with live/fanout.py's small compressor
    (a fresh one per message: no context is taken over)."""
    options = ws.extensions.get("permessage-deflate")
    if options and options.get("server_no_context_takeover"):
        bits = int(options.get("server_max_window_bits") or DEFLATE_BITS)
        ws._get_permessage_deflate_enc = partial(compressor_for, bits)


class WebSocketWSGI(eio_eventlet.WebSocketWSGI):  # type: ignore[misc]
    """Engine.IO's eventlet WebSocket, answering deflate without context takeover and recording
    the WebSocket on its Engine.IO socket."""

    def __init__(self, handler: Any, server: Any) -> None:
        owner = getattr(handler, "__self__", None)

        def recorded(ws: Any) -> Any:
            configure(ws)
            # TLS in the process would need the TLS socket's own send: such sockets stay unknown
            if owner is not None and type(ws.socket) is greenio.GreenSocket:
                setattr(owner, WEBSOCKET, ws)
            try:
                return handler(ws)
            finally:
                if owner is not None:
                    setattr(owner, WEBSOCKET, None)

        super().__init__(recorded, server)

    def _negotiate_permessage_deflate(self, extensions: Any) -> dict[str, Any] | None:
        return _no_context_takeover(super()._negotiate_permessage_deflate(extensions))


def _finish(ws: Any, rest: memoryview) -> None:
    """Write the rest of a frame the kernel did not take at once, then free the send lock."""
    try:
        ws.socket.sendall(rest)
    except OSError:
        # the reader sees the broken connection and closes the socket
        pass
    finally:
        ws._sendlock.release()


class EventletTransport:
    """live/fanout.py's ``Transport`` on eventlet's WebSockets."""

    name = "eventlet"

    def install(self, eio: Any) -> None:
        """Put our WebSocket class in this Engine.IO server's (copied) table of its driver."""
        eio._async = {**eio._async, "websocket": WebSocketWSGI}

    def websocket(self, sock: Any) -> Any | None:
        return getattr(sock, WEBSOCKET, None)

    def deflate_bits(self, ws: Any) -> int:
        options = ws.extensions.get("permessage-deflate")
        if not options or not options.get("server_no_context_takeover"):
            # no deflate, or deflate with a context: a plain frame is valid on both (RFC 7692)
            return 0
        bits = min(int(options.get("server_max_window_bits") or DEFLATE_BITS), DEFLATE_BITS)
        # zlib's raw deflate cannot do a 256-byte window: plain frames then
        return bits if bits >= 9 else 0

    def try_write(self, ws: Any, frame: bytes) -> bool:
        lock = ws._sendlock
        # free and nobody waiting: a waiting writer holds packets taken from the queue
        if lock.counter <= 0 or lock._waiters or ws.websocket_closed:
            return False
        lock.counter -= 1
        try:
            sent = ws.socket.fd.send(frame)
        except BlockingIOError:
            sent = 0
        except OSError:
            lock.release()
            return False
        if sent == len(frame):
            lock.release()
        else:
            eventlet.spawn_n(_finish, ws, memoryview(frame)[sent:])
        return True

    def abort(self, ws: Any) -> None:
        fd = ws.socket.fd
        try:
            # a reset, not a close: the kernel drops what the client never read
            fd.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            fd.shutdown(socket.SHUT_RDWR)
        except OSError as error:
            if error.errno != errno.ENOTCONN:
                raise

    def self_test(self) -> list[str]:
        """Negotiate, write whole and partial frames and abort, on a socket pair."""
        problems = []
        negotiated = _no_context_takeover(
            ev_websocket.WebSocketWSGI._negotiate_permessage_deflate(
                WebSocketWSGI.__new__(WebSocketWSGI),
                {"permessage-deflate": [{"client_max_window_bits": True}]},
            )
        )
        if not negotiated or not negotiated.get("server_no_context_takeover"):
            problems.append("eventlet's deflate negotiation changed")
        elif negotiated.get("client_max_window_bits") != CLIENT_BITS:
            problems.append("eventlet's client_max_window_bits negotiation changed")
        ours, theirs = socket.socketpair()
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        theirs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        server, client = greenio.GreenSocket(ours), greenio.GreenSocket(theirs)
        try:
            ws = ev_websocket.RFC6455WebSocket(
                server, {}, extensions={"permessage-deflate": negotiated or {}}
            )
            configure(ws)
            problems += self._check_writes(ws, client)
        finally:
            server.close()
            client.close()
        return problems

    def _check_writes(self, ws: Any, client: Any) -> list[str]:
        problems = []
        if type(ws.socket) is not greenio.GreenSocket or not hasattr(ws.socket.fd, "send"):
            return ["eventlet's WebSocket.socket is not a GreenSocket with .fd"]
        lock: Any = getattr(ws, "_sendlock", None)
        if not hasattr(lock, "counter") or not hasattr(lock, "_waiters"):
            return ["eventlet's WebSocket._sendlock is not a Semaphore with counter, _waiters"]
        text = '42["update",{"questions":[]}]'
        plain = ev_websocket.RFC6455WebSocket(ws.socket, {})
        small = websocket_frame(text, self.deflate_bits(ws))
        if websocket_frame(text) != plain._pack_message(text) or small != ws._pack_message(text):
            problems.append("eventlet frames a message otherwise")
        big = websocket_frame(b"x" * 1_000_000)
        if not self.try_write(ws, small) or not self.try_write(ws, big):
            return problems + ["a write to a free WebSocket was refused"]
        if not lock.locked():
            problems.append("a partial write did not keep the send lock")
        if self.try_write(ws, small):
            problems.append("a write went past a partial one")
        got = b""
        with eventlet.Timeout(5, False):
            while len(got) < len(small) + len(big):
                got += client.recv(65536)
        if got != small + big:
            problems.append("the bytes written differ from the frames")
        if lock.locked():
            problems.append("the send lock stayed taken after a partial write")
        if small[0] & 0x40:
            inflate = zlib.decompressobj(-DEFLATE_BITS)
            if inflate.decompress(small[2:] + b"\x00\x00\xff\xff").decode() != text:
                problems.append("a compressed frame does not inflate to its message")
        self.abort(ws)
        if client.recv(16) != b"":
            problems.append("an aborted connection stayed open")
        return problems
