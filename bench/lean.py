"""A passive attendee that costs the generator little: the WebSocket spoken by hand on asyncio.

With aiohttp's client each update an attendee receives cost the generator about 50 µs (its
WebSocket reader, a future and a task step per message, the inflate): at S2's pace, 5,000 of them
needed more than the generator's core, and the benchmark measured the generator (its core at
95-98% while the server's was at a third; docs/BENCHMARKS.md). Here each connection is an asyncio
``Protocol``: the frames are parsed in ``data_received``, as they arrive, with no task per message;
each message is inflated (a fresh decompressor when the server answered without context
takeover, as browsers would), decoded and applied as ``Attendee`` does. Every attendee still
parses every update, so that each one's final counts are checked.

It has ``Attendee``'s interface (``connect``, ``call``, ``seen``, ``close``...) and what a
benchmark needs besides: ``stall`` (the phone that stops reading: its socket's receive buffer is
small and it reads nothing more, pings included) and ``closed_at``. It offers
``permessage-deflate; client_max_window_bits`` as Chromium does (``compress``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import time
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .client import Refused, Seen, keep_snapshot

OFFER = "permessage-deflate; client_max_window_bits"
# a stalled phone's receive buffer: the window the server sees closes after a few updates
STALLED_RECEIVE_BUFFER = 4096


class _Connection(asyncio.Protocol):
    """One WebSocket: the upgrade answer, then frames, handed to the attendee message by message."""

    def __init__(self, attendee: LeanAttendee) -> None:
        self.attendee = attendee
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.upgraded = False
        self.deflate = False
        self.fresh_context = False
        # the window the server let this client compress with (it asked for 10 bits)
        self.client_bits = 15
        self.inflate = zlib.decompressobj(-15)
        self.fragments: list[bytes] = []
        self.fragment_compressed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        attendee = self.attendee
        attendee.received += len(data)
        buffer = self.buffer + data if self.buffer else data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            head, buffer = buffer[:end].decode("latin-1"), buffer[end + 4 :]
            if not head.startswith("HTTP/1.1 101"):
                attendee.fail(ConnectionError(f"no upgrade: {head.splitlines()[0][:80]}"))
                self.transport.close()  # type: ignore[union-attr]
                return
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "sec-websocket-extensions":
                    self.deflate = value.strip().startswith("permessage-deflate")
                    self.fresh_context = "server_no_context_takeover" in value
                    for option in value.split(";"):
                        option_name, _, bits = option.strip().partition("=")
                        if option_name == "client_max_window_bits" and bits.strip().isdigit():
                            self.client_bits = int(bits)
            self.upgraded = True
        position, size = 0, len(buffer)
        while size - position >= 2:
            first, second = buffer[position], buffer[position + 1]
            length, start = second & 0x7F, position + 2
            if length == 126:
                if size - start < 2:
                    break
                length = (buffer[start] << 8) | buffer[start + 1]
                start += 2
            elif length == 127:
                if size - start < 8:
                    break
                length = struct.unpack_from("!Q", buffer, start)[0]
                start += 8
            if size - start < length:
                break
            position = start + length
            self.frame(first, buffer[start:position])
            if self.transport is None or self.transport.is_closing():
                return
        self.buffer = buffer[position:]

    def frame(self, first: int, payload: bytes) -> None:
        opcode = first & 0x0F
        if opcode == 0x8:
            self.transport.close()  # type: ignore[union-attr]
            return
        if opcode == 0x9:  # a WebSocket ping: pong with its payload
            self.send(payload, 0xA)
            return
        if opcode == 0xA:
            return
        if not first & 0x80:  # a fragment: gather until the final one
            if opcode:
                self.fragment_compressed = bool(first & 0x40)
            self.fragments.append(payload)
            return
        if opcode == 0:
            self.fragments.append(payload)
            payload, compressed = b"".join(self.fragments), self.fragment_compressed
            self.fragments = []
        else:
            compressed = bool(first & 0x40)
        if compressed and self.deflate:
            inflate = zlib.decompressobj(-15) if self.fresh_context else self.inflate
            payload = inflate.decompress(payload + b"\x00\x00\xff\xff")
        self.attendee.message(payload.decode())

    def send(self, payload: bytes, opcode: int = 0x1) -> None:
        """Send one masked frame (clients mask; a zero key is a key, and costs nothing); a
        message compressed, as Chromium compresses every one when deflate was negotiated."""
        if self.deflate and opcode == 0x1:
            # a fresh compressor each time: the server asks for no context takeover, and the
            # generator then keeps no zlib state per attendee
            compressor = zlib.compressobj(
                zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -self.client_bits
            )
            payload = (compressor.compress(payload) + compressor.flush(zlib.Z_SYNC_FLUSH))[:-4]
            opcode |= 0x40
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(header + b"\x00\x00\x00\x00" + payload)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.attendee.lost(exc)


class LeanAttendee:
    """One attendee's connection, as ``bench.client.Attendee`` but without aiohttp."""

    def __init__(
        self,
        session: Any,
        base_url: str,
        auth: dict[str, Any],
        sampled: bool = False,
        compress: bool = True,
        check: Callable[[dict[str, Any]], bool] | None = None,
        stalling: bool = False,
    ) -> None:
        url = urlsplit(base_url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.auth = auth
        self.sampled = sampled
        self.compress = compress
        self.check = check
        # a phone that will stop reading: a small receive buffer from the start
        self.stalling = stalling
        self.seen = Seen()
        self.snapshot: dict[str, Any] | None = None
        self.snapshot_ok: bool | None = None
        self.snapshot_chars = 0
        self.join_bytes: int | None = None
        self.received = 0
        self.closed_unexpectedly = False
        self.closed_at: float | None = None
        self._connection: _Connection | None = None
        self._joined: asyncio.Future[None] | None = None
        self._closed: asyncio.Future[None] | None = None
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._next_ack = 0
        self._closing = False

    async def connect(self, timeout: float = 30) -> None:
        """Open the WebSocket, join the namespace with ``auth`` and wait for the snapshot."""
        loop = asyncio.get_running_loop()
        self._joined, self._closed = loop.create_future(), loop.create_future()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        if self.stalling:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, STALLED_RECEIVE_BUFFER)
        try:
            await asyncio.wait_for(loop.sock_connect(sock, (self.host, self.port)), timeout)
            _, connection = await loop.create_connection(lambda: _Connection(self), sock=sock)
        except BaseException:
            sock.close()
            raise
        self._connection = connection
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: {self.host}:{self.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            + (f"Sec-WebSocket-Extensions: {OFFER}\r\n" if self.compress else "")
            + "\r\n"
        )
        connection.transport.write(request.encode())  # type: ignore[union-attr]
        try:
            await asyncio.wait_for(asyncio.shield(self._joined), timeout)
        except BaseException:
            self._closing = True
            if connection.transport is not None:
                connection.transport.close()
            raise

    def message(self, data: str) -> None:
        """One Engine.IO message from the server."""
        if data.startswith('42["update"'):
            self.seen.take_update(json.loads(data[2:])[1], time.monotonic(), self.sampled)
        elif data == "2":
            self._send("3")
        elif data.startswith("43"):
            bracket = data.index("[")
            future = self._acks.get(int(data[2:bracket]))
            if future is not None and not future.done():
                future.set_result(json.loads(data[bracket:])[0])
        elif data.startswith('42["snapshot"'):
            self.snapshot_chars = len(data)
            self.join_bytes = self.received
            keep_snapshot(self, json.loads(data[2:])[1])
            if self._joined is not None and not self._joined.done():
                self._joined.set_result(None)
        elif data.startswith("0"):
            self._send("40" + json.dumps(self.auth))
        elif data.startswith("44"):
            self.fail(Refused(data[2:]))
            self._closing = True
            if self._connection is not None and self._connection.transport is not None:
                self._connection.transport.close()

    def fail(self, error: BaseException) -> None:
        if self._joined is not None and not self._joined.done():
            self._joined.set_exception(error)

    def lost(self, exc: Exception | None) -> None:
        self.closed_at = time.monotonic()
        self.fail(exc or ConnectionError("closed before the snapshot"))
        if not self._closing and self.snapshot is not None:
            self.closed_unexpectedly = True
        for future in self._acks.values():
            if not future.done():
                future.set_exception(ConnectionError("closed"))
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    def _send(self, text: str) -> None:
        if self._connection is not None:
            self._connection.send(text.encode())

    async def call(self, event: str, payload: Any, timeout: float = 30) -> Any:
        """Emit an event and wait for its acknowledgement."""
        self._next_ack += 1
        ack_id = self._next_ack
        future = self._acks[ack_id] = asyncio.get_running_loop().create_future()
        self._send(f"42{ack_id}" + json.dumps([event, payload]))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._acks.pop(ack_id, None)

    def stall(self) -> None:
        """Stop reading: nothing more is taken from the socket, pings are not answered."""
        connection = self._connection
        if connection is not None and connection.transport is not None:
            connection.transport.pause_reading()

    @property
    def connected(self) -> bool:
        return self.snapshot is not None and self._closed is not None and not self._closed.done()

    @property
    def wire_bytes(self) -> int | None:
        return self.received

    async def wait_closed(self) -> None:
        if self._closed is not None:
            await self._closed

    async def close(self) -> None:
        self._closing = True
        connection = self._connection
        if connection is not None and connection.transport is not None:
            connection.send(struct.pack("!H", 1000), 0x8)
            connection.transport.close()
        if connection is not None and self._closed is not None:
            await self._closed
