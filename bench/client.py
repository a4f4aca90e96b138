"""A simulated attendee: raw Engine.IO 4 / Socket.IO 5 over one WebSocket, in asyncio.

A full python-socketio client per attendee costs threads and far too much CPU for thousands in one
process; this speaks just the part of the protocol an attendee uses (docs/protocol.md): the open
packet, the namespace connect with ``auth``, pings, ``snapshot`` and ``update`` events, and events
with acknowledgements. Like a browser it offers per-message deflate (``compress``), and it counts
the bytes its WebSocket takes on the wire: the upgrade response and every frame as the server sent
it, compressed or not (``counting_connector``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp.client_proto import ResponseHandler

# the open connections' protocols by local address, to find a WebSocket's
_COUNTING: dict[Any, CountingProtocol] = {}


class CountingProtocol(ResponseHandler):
    """aiohttp's protocol of one connection, counting the bytes of each answer as they arrive
    (for a WebSocket: from its upgrade response on, every frame as sent, compressed or not)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.received = 0
        self._address: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._address = transport.get_extra_info("sockname")
        _COUNTING[self._address] = self

    def connection_lost(self, exc: BaseException | None) -> None:
        _COUNTING.pop(self._address, None)
        super().connection_lost(exc)

    def set_response_params(self, *args: Any, **kwargs: Any) -> None:
        # a new request on this connection (kept alive since the last): count its answer only
        self.received = 0
        super().set_response_params(*args, **kwargs)

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        super().data_received(data)


def counting_connector() -> aiohttp.TCPConnector:
    """A connector whose connections count their bytes (call inside the running loop)."""
    connector = aiohttp.TCPConnector(limit=0)
    # aiohttp makes each connection's protocol with this factory (no public hook for it)
    connector._factory = functools.partial(  # type: ignore[assignment]
        CountingProtocol, loop=asyncio.get_running_loop()
    )
    return connector


class Refused(ConnectionError):
    """The server answered the namespace connect with ``connect_error``: ``code`` says why."""

    def __init__(self, text: str) -> None:
        super().__init__(f"refused: {text[:200]}")
        try:
            self.code = str(json.loads(text).get("data", {}).get("error", "refused"))
        except (ValueError, AttributeError):
            self.code = "refused"


@dataclass
class Seen:
    """What one attendee knows of the room: the latest counts, and when each change arrived."""

    upvotes: dict[int, int] = field(default_factory=dict)
    voters: dict[int, int] = field(default_factory=dict)
    updates: int = 0
    # (arrival time, ("q" or "p", id), count): kept for sampled attendees only
    timeline: list[tuple[float, tuple[str, int], int]] = field(default_factory=list)

    def take_snapshot(self, snap: dict[str, Any]) -> None:
        """Start from a snapshot's counts."""
        for question in snap.get("questions", []):
            self.upvotes[question["id"]] = question["upvotes"]
        for poll in snap.get("polls", []):
            if poll.get("results"):
                self.voters[poll["id"]] = poll["results"]["voters"]

    def take_update(self, update: dict[str, Any], now: float, sampled: bool) -> None:
        """Take an update's counts, arrived at ``now`` (kept in the timeline if ``sampled``)."""
        self.updates += 1
        for question in update.get("questions", ()):
            self.upvotes[question["id"]] = question["upvotes"]
            if sampled:
                self.timeline.append((now, ("q", question["id"]), question["upvotes"]))
        for poll in update.get("polls", ()):
            results = poll.get("results")
            if results:
                self.voters[poll["id"]] = results["voters"]
                if sampled:
                    self.timeline.append((now, ("p", poll["id"]), results["voters"]))


class Attendee:
    """One attendee's connection: ``connect``, then ``call`` events; ``seen`` fills by itself."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        auth: dict[str, Any],
        sampled: bool = False,
        compress: bool = True,
        check: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.session = session
        self.compress = compress
        # with ``check``, the snapshot is checked and dropped (thousands of them would not fit)
        self.check = check
        self.snapshot_ok: bool | None = None
        # bytes on the wire until the snapshot was in, and the snapshot's packet decoded
        self.join_bytes: int | None = None
        self.snapshot_chars = 0
        self._counting: CountingProtocol | None = None
        self.url = base_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.auth = auth
        self.sampled = sampled
        self.seen = Seen()
        self.snapshot: dict[str, Any] | None = None
        self.closed_unexpectedly = False
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._next_ack = 0
        self._reader: asyncio.Task[None] | None = None
        self._closing = False

    async def connect(self, timeout: float = 30) -> None:
        """Open the WebSocket, join the namespace with ``auth`` and wait for the snapshot."""
        self._ws = await self.session.ws_connect(
            self.url,
            autoping=True,
            max_msg_size=0,
            timeout=aiohttp.ClientWSTimeout(ws_close=5),
            # what browsers offer: permessage-deflate with a 32 KB window
            compress=15 if self.compress else 0,
        )
        self._counting = _COUNTING.get(self._ws.get_extra_info("sockname"))
        opened = await asyncio.wait_for(self._ws.receive_str(), timeout)
        if not opened.startswith("0"):
            raise ConnectionError(f"unexpected open packet {opened[:80]!r}")
        await self._ws.send_str("40" + json.dumps(self.auth))
        while self.snapshot is None:
            message = await asyncio.wait_for(self._ws.receive_str(), timeout)
            if message.startswith("44"):
                raise Refused(message[2:])
            if message == "2":
                await self._ws.send_str("3")
            elif message.startswith('42["snapshot"'):
                self.snapshot_chars = len(message)
                if self._counting is not None:
                    self.join_bytes = self._counting.received
                keep_snapshot(self, json.loads(message[2:])[1])
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def call(self, event: str, payload: Any, timeout: float = 30) -> Any:
        """Emit an event and wait for its acknowledgement."""
        assert self._ws is not None
        self._next_ack += 1
        ack_id = self._next_ack
        future = self._acks[ack_id] = asyncio.get_running_loop().create_future()
        await self._ws.send_str(f"42{ack_id}" + json.dumps([event, payload]))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._acks.pop(ack_id, None)

    @property
    def connected(self) -> bool:
        """Whether the connection is open with its snapshot in (what a page shows as Connected)."""
        return self._reader is not None and not self._reader.done()

    async def wait_closed(self) -> None:
        """Return when the connection has ended (by the server, or the network)."""
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def reopen(self, timeout: float = 30) -> None:
        """Connect again with the same ``auth`` (the same identity), as a page reconnects; the
        fresh snapshot replaces what was seen."""
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        self._ws, self._reader, self.snapshot = None, None, None
        self.closed_unexpectedly = False
        self._acks.clear()
        try:
            await self.connect(timeout)
        except BaseException:
            if self._ws is not None:
                await self._ws.close()
            raise

    @property
    def wire_bytes(self) -> int | None:
        """Bytes this attendee's WebSocket received on the wire so far."""
        return None if self._counting is None else self._counting.received

    async def close(self) -> None:
        self._closing = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = message.data
            if data == "2":
                await self._ws.send_str("3")
            elif data.startswith('42["update"'):
                self.seen.take_update(json.loads(data[2:])[1], time.monotonic(), self.sampled)
            elif data.startswith("43"):
                bracket = data.index("[")
                future = self._acks.get(int(data[2:bracket]))
                if future is not None and not future.done():
                    future.set_result(json.loads(data[bracket:])[0])
        if not self._closing:
            self.closed_unexpectedly = True


def keep_snapshot(attendee: Any, snapshot: dict[str, Any]) -> None:
    """Keep the snapshot an attendee (``Attendee`` or the lean client) received: with no
    ``check``, the snapshot itself and its counts; else only whether the check passed."""
    if attendee.check is None:
        attendee.snapshot = snapshot
        attendee.seen.take_snapshot(snapshot)
    else:
        attendee.snapshot_ok = attendee.check(snapshot)
        attendee.snapshot = {}


async def join_token(session: aiohttp.ClientSession, base_url: str, code: str) -> str:
    """Get a participant token from the real join endpoint."""
    async with session.post(f"{base_url}/api/webinars/{code}/join") as response:
        response.raise_for_status()
        return str((await response.json())["participant"])
