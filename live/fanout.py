"""The fan-out fast path: one frame per broadcast, written straight to each attendee's WebSocket.

Socket.IO's own send of an update to 5,000 attendees costs, per attendee, a queue put that arms a
timer in the hub, a writer greenlet woken and the WebSocket frame built (and compressed) again:
three quarters of the server's CPU under load (docs/BENCHMARKS.md, issue 17). Here the frame is
built once per broadcast (compressed once where the socket negotiated deflate without context
takeover) and written from the broadcasting greenlet, with guards that keep Socket.IO's guarantees:

- a frame is written directly only when the socket's send queue is empty and nobody holds or
  waits for its WebSocket's send lock; otherwise it is queued as before, so nothing overtakes a
  packet queued earlier (a private update, an ack, a ping);
- the write never blocks: what the kernel does not take at once is finished by a greenlet of its
  own, holding the send lock, so that the socket's next packets queue behind it;
- polling and upgrading sockets, and anything that is not a plain Engine.IO message, take the
  normal path.

It hooks python-socketio at one point, the per-recipient ``Server._send_eio_packet`` that
``Manager.emit`` calls with the same packet for every member of a room: rooms, ``ignore_queue``
and the managers stay as they are. What touches the async library's WebSocket (its lock, its
socket, its deflate options) is a ``Transport``, chosen by run.py for the async mode
(``live/fanout_eventlet.py``). ``install`` runs a self-test first and, when any internal is
missing or behaves otherwise, logs once and leaves Socket.IO's own sends in place.

Slow clients: after a packet is queued, a socket whose queue holds more than ``queue_limit``
packets (a phone that stopped reading) is dropped at once, not after the ping timeout; its page
reconnects and gets a fresh snapshot.
"""

from __future__ import annotations

import logging
import struct
import weakref
import zlib
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from engineio import packet as eio_packet
from engineio import socket as eio_socket

log = logging.getLogger(__name__)

# the versions the fast path was written and tested against (pinned in pyproject.toml); the
# self-test, not this list, decides whether it runs
TESTED = {"python-engineio": "4.15.1", "python-socketio": "5.18.1", "eventlet": "0.41.3"}
TESTED_WITH = ", ".join(f"{name} {version}" for name, version in TESTED.items())

# the server compresses each message on its own with a 4 KB window and small tables (RFC 7692 lets
# a compressor use less than the negotiated window): a fresh compressor costs 5 µs and 38 KB for a
# moment, against 35 µs and 260 KB with zlib's defaults (whose short-lived buffers fragmented the
# heap by 44 KB per attendee in S1); snapshots come out 7% larger
DEFLATE_BITS = 12
DEFLATE_MEM_LEVEL = 5


class Transport(Protocol):
    """What the fast path needs of the async library's WebSocket (one per async mode)."""

    name: str

    def install(self, eio: Any) -> None:
        """Make Engine.IO's WebSockets negotiate deflate without context takeover and record
        each socket's WebSocket (``websocket``)."""

    def websocket(self, sock: Any) -> Any | None:
        """Return the WebSocket of an Engine.IO socket, if it has a plain (non-TLS) one."""

    def deflate_bits(self, ws: Any) -> int:
        """Return the window bits for frames compressed once for all, 0 for plain frames."""

    def try_write(self, ws: Any, frame: bytes) -> bool:
        """Write ``frame`` without blocking, under the WebSocket's send lock; say whether it
        was taken (a partial write finishes in a greenlet of its own)."""

    def abort(self, ws: Any) -> None:
        """Cut the connection at once (its reader and writer then end as on any disconnect)."""

    def self_test(self) -> list[str]:
        """Exercise every internal on a socket pair; return what is missing or misbehaves."""


def websocket_frame(data: str | bytes, bits: int = 0) -> bytes:
    """Return the server's (unmasked, final) WebSocket frame of one message: text for ``str``,
    binary for ``bytes``; compressed per RFC 7692 with a fresh context when ``bits`` is set."""
    opcode = 0x1 if isinstance(data, str) else 0x2
    payload = data.encode() if isinstance(data, str) else data
    if bits and payload:
        compressor = compressor_for(bits)
        payload = compressor.compress(payload) + compressor.flush(zlib.Z_SYNC_FLUSH)
        # the empty stored block that ends a sync flush is left out (RFC 7692, 7.2.1)
        payload = payload[:-4]
        opcode |= 0x40
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return header + payload


def compressor_for(bits: int) -> Any:
    """Return a fresh raw-deflate compressor of at most ``DEFLATE_BITS`` window bits."""
    bits = min(bits, DEFLATE_BITS)
    return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -bits, DEFLATE_MEM_LEVEL)


class FanOut:
    """The per-recipient send of one Socket.IO server: fast where it can, Socket.IO's otherwise."""

    def __init__(
        self,
        sio: Any,
        transport: Transport | None,
        queue_limit: int,
        spawn: Callable[..., Any],
        fast: bool = True,
    ) -> None:
        self.eio = sio.eio
        # the transport's WebSockets: written to when ``fast``, cut when a client is dropped
        self.transport = transport
        self.fast = fast and transport is not None
        self.queue_limit = queue_limit
        self.spawn = spawn
        # Socket.IO's own per-recipient send: the normal path
        self.queued_send: Callable[[str, Any], None] = sio._send_eio_packet
        self._packet: Any = None
        self._frames: dict[int, bytes] = {}
        # sockets being dropped: sent to through the queue until their disconnect
        self._dropping: weakref.WeakSet[Any] = weakref.WeakSet()
        # frames written directly, and clients dropped, since the start (for tests and logs)
        self.written = 0
        self.dropped = 0

    def send(self, eio_sid: str, pkt: Any) -> None:
        """Send one Engine.IO packet to one client (python-socketio calls this per recipient)."""
        sock = self.eio.sockets.get(eio_sid)
        if sock is None or sock.closed:
            # gone: Socket.IO's path logs it; a closed socket would raise from its send
            if sock is None:
                self.queued_send(eio_sid, pkt)
            return
        transport = self.transport
        if (
            self.fast
            and pkt.packet_type == eio_packet.MESSAGE
            and sock.upgraded
            and not sock.upgrading
            and not sock.closing
            and sock.queue.qsize() == 0
            and sock not in self._dropping
        ):
            ws = transport.websocket(sock)  # type: ignore[union-attr]
            if ws is not None:
                frame = self.frame(pkt, transport.deflate_bits(ws))  # type: ignore[union-attr]
                if transport.try_write(ws, frame):  # type: ignore[union-attr]
                    self.written += 1
                    return
        self.queued_send(eio_sid, pkt)
        if (
            self.queue_limit
            and sock.queue.qsize() > self.queue_limit
            and not sock.closing
            and sock not in self._dropping
        ):
            self.drop(sock)

    def frame(self, pkt: Any, bits: int) -> bytes:
        """Return the packet's frame, built once per broadcast (the same packet object goes to
        every recipient of one emit) and once per compression setting."""
        if pkt is not self._packet:
            self._packet, self._frames = pkt, {}
        frame = self._frames.get(bits)
        if frame is None:
            frame = self._frames[bits] = websocket_frame(pkt.encode(), bits)
        return frame

    def drop(self, sock: Any) -> None:
        """Disconnect a client that does not read what it is sent, from a task of its own (not
        inside the broadcast: its disconnect handler changes the rooms being sent to)."""
        self._dropping.add(sock)
        self.dropped += 1
        log.info("dropped a client that stopped reading (%d packets waiting)", sock.queue.qsize())
        ws = self.transport.websocket(sock) if self.transport is not None else None
        if ws is not None:
            self.spawn(self.transport.abort, ws)  # type: ignore[union-attr]
        else:
            self.spawn(sock.close, wait=False, abort=True)


def simple_websocket_without_context() -> bool:
    """Make simple-websocket (Engine.IO's WebSocket under gevent and threading) answer deflate
    without context takeover, compressing with a 4 KB window: no compressor kept per socket.

    It builds wsproto's ``PerMessageDeflate()`` with no arguments for every connection; the name
    in its module is replaced by one with our arguments, after checking what it answers.
    """
    try:
        from simple_websocket import ws as simple_ws
        from wsproto.extensions import PerMessageDeflate
    except ImportError:  # gevent-websocket, which never negotiates deflate, is used instead
        return False
    ours = partial(
        PerMessageDeflate,
        client_no_context_takeover=True,
        server_no_context_takeover=True,
        server_max_window_bits=DEFLATE_BITS,
    )
    answer = ours().accept("permessage-deflate; client_max_window_bits")
    if getattr(simple_ws, "PerMessageDeflate", None) is not PerMessageDeflate or not (
        isinstance(answer, str) and "server_no_context_takeover" in answer
    ):
        log.warning("simple-websocket keeps a compressor per socket: its deflate changed")
        return False
    simple_ws.PerMessageDeflate = ours
    return True


def check_internals(sio: Any) -> list[str]:
    """Say which of python-socketio's and python-engineio's internals the fast path uses are
    missing or changed."""
    problems = []
    if not callable(getattr(sio, "_send_eio_packet", None)):
        problems.append("socketio.Server._send_eio_packet is gone")
    eio: Any = getattr(sio, "eio", None)
    if not isinstance(getattr(eio, "sockets", None), dict):
        problems.append("engineio.Server.sockets is not a dict")
        return problems
    if not isinstance(getattr(eio, "_async", None), dict) or "websocket" not in eio._async:
        problems.append("engineio.Server._async['websocket'] is gone")
    probe = eio_socket.Socket(eio, "fanout-self-test")
    for name in ("upgraded", "upgrading", "closing", "closed"):
        if getattr(probe, name, None) is not False:
            problems.append(f"engineio.socket.Socket.{name} is not a flag")
    queue = getattr(probe, "queue", None)
    if not callable(getattr(queue, "qsize", None)):
        problems.append("engineio.socket.Socket.queue has no qsize()")
    if not callable(getattr(probe, "_websocket_handler", None)):
        problems.append("engineio.socket.Socket._websocket_handler is gone")
    pkt = eio_packet.Packet(eio_packet.MESSAGE, data='2["update",{}]')
    if pkt.encode() != '42["update",{}]':
        problems.append("engineio.packet.Packet.encode changed")
    return problems


def install(
    sio: Any,
    transport: Transport | None,
    *,
    fast: bool = True,
    queue_limit: int = 0,
) -> FanOut | None:
    """Hook ``sio``'s per-recipient send, after a self-test: with a transport that passes it,
    deflate without per-socket state and, when ``fast``, the fast path; the slow-client bound in
    any case. Logs once which it is; hooks nothing when python-socketio's internals changed."""
    problems = check_internals(sio)
    if problems:
        log.warning(
            "fan-out left to Socket.IO (no fast path, no slow-client bound): %s (tested with %s)",
            "; ".join(problems),
            TESTED_WITH,
        )
        return None
    if transport is not None:
        try:
            problems = transport.self_test()
        except Exception as error:  # any surprise in the self-test means: do not use it
            problems = [f"self-test raised {error!r}"]
        if problems:
            log.warning(
                "fast fan-out off, and eventlet's own deflate (a compressor per socket): %s "
                "(tested with %s)",
                "; ".join(problems),
                TESTED_WITH,
            )
            transport = None
        else:
            transport.install(sio.eio)
    fan_out = FanOut(sio, transport, queue_limit, sio.start_background_task, fast)
    sio._send_eio_packet = fan_out.send
    if fan_out.fast:
        log.info("fast fan-out on (%s)", fan_out.transport.name)  # type: ignore[union-attr]
    elif not fast:
        log.info("fast fan-out off (LIVE_FAST_FANOUT): Socket.IO sends every update")
    elif not problems:
        log.info("fast fan-out needs eventlet: Socket.IO sends every update")
    return fan_out
