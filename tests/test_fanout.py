"""The fan-out fast path (live/fanout.py, live/fanout_eventlet.py) on real sockets.

A python-socketio server in eventlet mode, served by eventlet's WSGI server on a real port in this
process, with the fan-out installed as run.py installs it; its clients are WebSockets spoken by
hand over TCP (green sockets, in the same hub), offering deflate as browsers do. The tests assert
what clients receive and in which order, never how fast.
"""

from __future__ import annotations

import base64
import importlib.metadata
import json
import logging
import os
import random
import socket
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

eventlet = pytest.importorskip("eventlet")
import socketio  # noqa: E402
from eventlet import websocket as ev_websocket  # noqa: E402
from eventlet import wsgi  # noqa: E402

from live import create_app, fanout  # noqa: E402
from live import socketio as flask_socketio  # noqa: E402
from live.fanout_eventlet import WEBSOCKET, EventletTransport  # noqa: E402

# the room every test client joins
EVERYONE = "everyone"
# the app's default webinar
EVERYONE_CODE = "nets4dem"


class Client:
    """One WebSocket client speaking Engine.IO 4 / Socket.IO 5 by hand, over a green socket."""

    def __init__(
        self,
        port: int,
        deflate: bool = True,
        receive_buffer: int = 0,
        upgrade: str = "",
        auth: dict[str, str] | None = None,
    ) -> None:
        self.sock = eventlet.green.socket.socket()
        if receive_buffer:
            # set before connecting, so that the window the server sees stays small
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        self.sock.sendall(
            (
                f"GET /socket.io/?EIO=4&transport=websocket{upgrade} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"{offer if deflate else ''}\r\n"
            ).encode()
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101")
        self.extensions = next(
            (
                line.split(b":", 1)[1].strip().decode()
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"sec-websocket-extensions")
            ),
            "",
        )
        # a server that takes its context over needs one decompressor for the whole connection
        self.inflate = zlib.decompressobj(-15)
        if upgrade:
            return
        assert self.receive().startswith("0")  # Engine.IO's open
        self.send("40" + (json.dumps(auth) if auth else ""))
        # the app's connect handler sends the snapshot before Socket.IO's connect answer
        early = []
        while not (answer := self.receive()).startswith("40"):
            early.append(answer)
        self.early = early
        self.sid = json.loads(answer[2:])["sid"]

    def _read(self, count: int) -> bytes:
        while len(self.buffer) < count:
            more = self.sock.recv(65536)
            if not more:
                raise EOFError
            self.buffer += more
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive(self) -> str:
        """Return the next Engine.IO message (answering pings); EOFError when the server closed."""
        if getattr(self, "early", None):
            return self.early.pop(0)
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(length)
            if first & 0x40:
                if "server_no_context_takeover" in self.extensions:
                    self.inflate = zlib.decompressobj(-15)
                payload = self.inflate.decompress(payload + b"\x00\x00\xff\xff")
            if first & 0x0F == 0x8:
                raise EOFError
            message = payload.decode()
            if message == "2":
                self.send("3")
                continue
            return message

    def event(self) -> tuple[str, Any]:
        """Return the next Socket.IO event's name and argument."""
        message = self.receive()
        assert message.startswith("42"), message
        name, data = json.loads(message[2:].lstrip("0123456789"))
        return name, data

    def send(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[n % 4] for n, byte in enumerate(payload))
        if len(payload) < 126:
            header = struct.pack("!BB", 0x81, 0x80 | len(payload))
        else:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, len(payload))
        self.sock.sendall(header + mask + masked)

    def call(self, event: str, payload: Any) -> Any:
        """Emit an event with an ack id and return the ack (events before it are skipped)."""
        self.send("421" + json.dumps([event, payload]))
        while not (message := self.receive()).startswith("431"):
            pass
        return json.loads(message[3:])[0]


class Harness:
    """A Socket.IO server with the fan-out installed, and its clients."""

    def __init__(
        self, transport: Any, fast: bool = True, queue_limit: int = 0, send_buffer: int = 0
    ) -> None:
        self.sio = socketio.Server(async_mode="eventlet")
        self.disconnected: list[str] = []
        self.sio.on("connect", lambda sid, environ: self.sio.enter_room(sid, EVERYONE))
        self.sio.on("disconnect", lambda sid, reason: self.disconnected.append(sid))
        self.fan_out = fanout.install(self.sio, transport, fast=fast, queue_limit=queue_limit)
        self.listener = eventlet.listen(("127.0.0.1", 0))
        if send_buffer:
            # the accepted sockets inherit it: a kernel buffer of a mobile link's size, not the
            # 4 MB that loopback grows to (which a test would have to fill before any queueing)
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        self.port = self.listener.getsockname()[1]
        self.server = eventlet.spawn(
            wsgi.server,
            self.listener,
            socketio.WSGIApp(self.sio),
            log=open(os.devnull, "w"),  # noqa: SIM115
            log_output=False,
        )
        self.clients: list[Client] = []

    def client(self, **options: Any) -> Client:
        client = Client(self.port, **options)
        self.clients.append(client)
        return client

    def broadcast(self, n: int, **data: Any) -> None:
        self.sio.emit("update", {"n": n, **data}, to=EVERYONE)

    def close(self) -> None:
        for client in self.clients:
            client.sock.close()
        self.server.kill()
        self.listener.close()


def polling(port: int, query: str, body: str = "") -> str:
    """One Engine.IO polling request; return the body of the answer."""
    sock = eventlet.green.socket.create_connection(("127.0.0.1", port))
    method = "POST" if body else "GET"
    sock.sendall(
        (
            f"{method} /socket.io/?EIO=4&transport=polling{query} HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
        ).encode()
    )
    answer = b""
    while more := sock.recv(65536):
        answer += more
    sock.close()
    return answer.split(b"\r\n\r\n", 1)[1].decode()


@pytest.fixture
def harness(request) -> Iterator[Harness]:
    options = getattr(request, "param", {})
    harness = Harness(EventletTransport(), **options)
    yield harness
    harness.close()


def receive_all(clients: list[Client], count: int) -> dict[str, list[tuple[str, Any]]]:
    """Read ``count`` events from each client, each in a greenlet of its own."""
    got: dict[str, list[tuple[str, Any]]] = {client.sid: [] for client in clients}

    def read(client: Client) -> None:
        while len(got[client.sid]) < count:
            got[client.sid].append(client.event())

    pool = eventlet.GreenPool()
    with eventlet.Timeout(60):
        for client in clients:
            pool.spawn(read, client)
        pool.waitall()
    return got


def test_deflate_is_answered_without_context_takeover(harness):
    browser_like = harness.client()
    plain = harness.client(deflate=False)
    assert browser_like.extensions.startswith("permessage-deflate")
    assert "server_no_context_takeover" in browser_like.extensions
    assert "client_no_context_takeover" in browser_like.extensions
    assert "client_max_window_bits=10" in browser_like.extensions
    assert plain.extensions == ""
    harness.broadcast(1, text="compressed for one, plain for the other " * 20)
    got = receive_all([browser_like, plain], 1)
    assert got[browser_like.sid] == got[plain.sid] == [("update", {"n": 1, "text": ANY_TEXT})]
    assert harness.fan_out.written == 2


class _AnyText:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.startswith("compressed for one")


ANY_TEXT = _AnyText()


def test_updates_keep_their_order_through_an_upgrade_from_polling(harness):
    """While a socket polls and while it upgrades, updates go through its queue; once upgraded,
    the fast path takes over behind what was queued."""
    sid = json.loads(polling(harness.port, "")[1:])["sid"]
    assert polling(harness.port, f"&sid={sid}", "40") == "OK"
    assert polling(harness.port, f"&sid={sid}").startswith("40")
    harness.broadcast(0)  # polling: queued
    assert polling(harness.port, f"&sid={sid}") == '42["update",{"n":0}]'
    client = Client(harness.port, upgrade=f"&sid={sid}")
    harness.clients.append(client)
    client.send("2probe")
    assert client.receive() == "3probe"
    for n in range(1, 4):
        harness.broadcast(n)  # upgrading: queued
    written = harness.fan_out.written
    client.send("5")  # the upgrade is done
    for n in range(4, 8):
        eventlet.sleep(0.05)
        harness.broadcast(n)
    received = []
    while len(received) < 7:
        message = client.receive()
        if message != "6":  # the no-op that ended the last poll
            received.append(json.loads(message[2:])[1]["n"])
    assert received == list(range(1, 8))
    assert harness.fan_out.written > written


def test_a_private_update_queued_before_a_broadcast_arrives_before_it(harness):
    clients = [harness.client(deflate=n % 2 == 0) for n in range(4)]
    for n in range(60):
        for client in clients:
            # an event that waits for an ack goes through Socket.IO's queue, as acks do
            harness.sio.emit("own", {"n": n}, to=client.sid, callback=lambda *answer: None)
        harness.broadcast(n)
        if n % 5 == 0:
            eventlet.sleep(0)  # let the writers run now and then: queues empty and fill again
    for n in range(60, 80):
        harness.broadcast(n)  # alone: written directly where the queue is empty
        eventlet.sleep(0)
    got = receive_all(clients, 140)
    expected = [(kind, n) for n in range(60) for kind in ("own", "update")]
    expected += [("update", n) for n in range(60, 80)]
    for events in got.values():
        assert [(name, data["n"]) for name, data in events] == expected
    assert harness.fan_out.written >= 4 * 20 - 4


def test_a_writer_waiting_for_the_send_lock_is_not_overtaken(harness):
    """The moment a send lock is released to a writer that waits for it (holding a packet it took
    from the queue), the lock is free but the writer has not run yet: a broadcast then queues."""
    client = harness.client()
    sock = harness.sio.eio.sockets[harness.sio.manager.eio_sid_from_sid(client.sid, "/")]
    lock = getattr(sock, WEBSOCKET)._sendlock
    lock.acquire()  # held, as by the greenlet finishing a partial write
    harness.sio.emit("own", {"n": 0}, to=client.sid, callback=lambda *answer: None)
    eventlet.sleep(0.05)  # the writer takes it from the queue and waits for the lock
    assert sock.queue.qsize() == 0 and lock._waiters
    lock.release()
    harness.broadcast(0)
    events = receive_all([client], 2)[client.sid]
    assert [name for name, _ in events] == ["own", "update"]


def test_a_reader_slower_than_the_sends_gets_everything_in_order(harness):
    """Frames larger than the slow client's window are written in part: the rest is finished
    in a greenlet holding the send lock, and what follows queues behind it."""
    slow = harness.client(deflate=False, receive_buffer=4096)
    fast_reader = harness.client()
    padding = "".join(random.Random(7).choices("abcdefghijklmnopqrstuvwxyz", k=60_000))
    for n in range(40):
        harness.broadcast(n, padding=padding)
        if n % 3 == 0:
            harness.sio.emit("own", {"n": n}, to=slow.sid, callback=lambda *answer: None)
    got = receive_all([fast_reader], 40)
    assert [data["n"] for _, data in got[fast_reader.sid]] == list(range(40))
    slow_events = receive_all([slow], 40 + 14)[slow.sid]
    updates = [data["n"] for name, data in slow_events if name == "update"]
    assert updates == list(range(40))
    # each private event arrives after the update it followed and before the next one
    for index, (name, data) in enumerate(slow_events):
        if name == "own":
            assert slow_events[index - 1] == ("update", {"n": data["n"], "padding": padding})


@pytest.mark.parametrize(
    "harness",
    [{"queue_limit": 20}, {"queue_limit": 20, "fast": False}],
    indirect=True,
    ids=["fast", "socketio-sends"],
)
def test_a_stalled_client_among_many_is_dropped_and_the_others_get_everything(harness):
    readers = [harness.client(deflate=n % 4 == 0) for n in range(40)]
    stalled = harness.client(deflate=False, receive_buffer=4096)
    padding = "".join(random.Random(3).choices("abcdefghijklmnopqrstuvwxyz", k=30_000))
    got: dict[str, list[int]] = {client.sid: [] for client in readers}

    def read(client: Client) -> None:
        while len(got[client.sid]) < 300:
            got[client.sid].append(client.event()[1]["n"])

    pool = eventlet.GreenPool()
    for client in readers:
        pool.spawn(read, client)
    for n in range(300):
        harness.broadcast(n, padding=padding)
        eventlet.sleep(0)
    with eventlet.Timeout(60):
        pool.waitall()
        while stalled.sid not in harness.disconnected:
            eventlet.sleep(0.05)
    assert all(numbers == list(range(300)) for numbers in got.values())
    assert harness.disconnected == [stalled.sid]
    assert harness.fan_out.dropped == 1
    # the stalled client's connection was cut: reading it to the end ends, not waits
    with pytest.raises((EOFError, ConnectionResetError)), eventlet.Timeout(30):
        while True:
            stalled.receive()


# the fast path only (Socket.IO's own sends take twice as long here: the test with 40 covers them)
@pytest.mark.parametrize(
    "harness", [{"queue_limit": 20, "send_buffer": 65536}], indirect=True, ids=["fast"]
)
def test_a_stalled_client_among_1000_is_dropped_and_the_others_get_every_update(harness):
    """The issue's case: one phone stops reading among 1,000 that read. It is cut once its queue
    passes the bound, and each of the 1,000 others receives every update, in order."""
    # in the middle of the room: each broadcast reaches it after 500 readers, before 500 others
    readers = [harness.client(deflate=n % 4 == 0) for n in range(500)]
    stalled = harness.client(deflate=False, receive_buffer=4096)
    readers += [harness.client(deflate=n % 4 == 0) for n in range(500)]
    padding = "".join(random.Random(5).choices("abcdefghijklmnopqrstuvwxyz", k=4_000))
    count = 150
    got: dict[str, list[int]] = {client.sid: [] for client in readers}

    def read(client: Client) -> None:
        while len(got[client.sid]) < count:
            got[client.sid].append(client.event()[1]["n"])

    pool = eventlet.GreenPool(len(readers))
    for client in readers:
        pool.spawn(read, client)
    for n in range(count):
        harness.broadcast(n, padding=padding)
        eventlet.sleep(0)
    with eventlet.Timeout(120):
        pool.waitall()
        while stalled.sid not in harness.disconnected:
            eventlet.sleep(0.05)
    assert len(readers) == 1000
    incomplete = [numbers for numbers in got.values() if numbers != list(range(count))]
    assert incomplete == []
    assert harness.disconnected == [stalled.sid]
    assert harness.fan_out.dropped == 1
    with pytest.raises((EOFError, ConnectionResetError)), eventlet.Timeout(30):
        while True:
            stalled.receive()


class BrokenTransport(EventletTransport):
    """eventlet after an upgrade that renamed the WebSocket's send lock."""

    def self_test(self) -> list[str]:
        real = ev_websocket.WebSocket.__init__

        def renamed(ws: Any, *args: Any, **kwargs: Any) -> None:
            real(ws, *args, **kwargs)
            ws._send_lock = ws.__dict__.pop("_sendlock")

        ev_websocket.WebSocket.__init__ = renamed
        try:
            return super().self_test()
        finally:
            ev_websocket.WebSocket.__init__ = real


def test_when_the_self_test_fails_socket_io_sends_and_it_is_logged_once(caplog):
    with caplog.at_level(logging.INFO, logger="live.fanout"):
        harness = Harness(BrokenTransport())
    try:
        messages = [record.getMessage() for record in caplog.records]
        assert len(messages) == 1
        assert messages[0].startswith("fast fan-out off")
        assert "_sendlock" in messages[0]
        assert harness.fan_out.transport is None
        # eventlet's own deflate answer: with a context per socket, as before
        client = harness.client()
        assert "no_context_takeover" not in client.extensions
        for n in range(5):
            harness.sio.emit("own", {"n": n}, to=client.sid, callback=lambda *answer: None)
            harness.broadcast(n)
        events = receive_all([client], 10)[client.sid]
        assert [(name, data["n"]) for name, data in events] == [
            (kind, n) for n in range(5) for kind in ("own", "update")
        ]
        assert harness.fan_out.written == 0
    finally:
        harness.close()


def test_every_internal_the_fast_path_uses_is_there_and_behaves():
    """Fails on an upgrade of python-socketio, python-engineio or eventlet that removes or
    changes what the fast path relies on: read live/fanout.py, then pin the new versions."""
    assert fanout.check_internals(socketio.Server(async_mode="eventlet")) == []
    assert EventletTransport().self_test() == []


def test_the_versions_installed_are_the_versions_tested():
    """A reminder with the upgrade: run this module, then update ``fanout.TESTED`` and the
    upper bounds in pyproject.toml."""
    installed = {name: importlib.metadata.version(name) for name in fanout.TESTED}
    assert installed == fanout.TESTED


def test_gevent_and_threading_answer_deflate_without_context_takeover(monkeypatch):
    """simple-websocket, Engine.IO's WebSocket outside eventlet, gets the same answer."""
    from simple_websocket import ws as simple_ws

    monkeypatch.setattr(simple_ws, "PerMessageDeflate", simple_ws.PerMessageDeflate)
    assert fanout.simple_websocket_without_context()
    answer = simple_ws.PerMessageDeflate().accept("permessage-deflate; client_max_window_bits")
    assert "server_no_context_takeover" in answer
    assert "client_no_context_takeover" in answer


def test_a_client_cut_by_the_queue_bound_reconnects_and_resyncs(tmp_path, monkeypatch):
    """The app itself, served by eventlet in this process with the fan-out installed as run.py
    installs it: an attendee whose phone stopped reading is cut by the queue bound with a TCP
    reset (which Socket.IO's client takes for a lost transport, and reconnects after: never the
    ``io server disconnect`` after which a page stays away); counts change while it is away; it
    connects again with its own token, as its page does, and the snapshot holds the current
    state."""
    monkeypatch.setenv("LIVE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "STORE_URL": "memory://",
            "SECRET_KEY": "test-secret",
            "MODERATOR_KEY": "test-moderator-key",
            "ASYNC_MODE": "eventlet",
            # no ticker: the test sends each coalesced update with flush()
            "TICK_MS": 0,
            "ACCESS_LOG": False,
            "EVENTS_PER_SECOND": 10_000,
            "SEND_QUEUE_LIMIT": 3,
        }
    )
    live = app.extensions["live"]
    fan_out = fanout.install(flask_socketio.server, EventletTransport(), queue_limit=3)
    assert fan_out is not None and fan_out.fast
    listener = eventlet.listen(("127.0.0.1", 0))
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # a mobile link's buffer
    port = listener.getsockname()[1]
    server = eventlet.spawn(
        wsgi.server,
        listener,
        app,
        log=open(os.devnull, "w"),
        log_output=False,  # noqa: SIM115
    )

    def attendee(token: str, **options: Any) -> Client:
        return Client(port, auth={"webinar": EVERYONE_CODE, "participant": token}, **options)

    def snapshot_of(client: Client) -> dict[str, Any]:
        name, snap = client.event()
        assert name == "snapshot"
        return snap

    token = live.identities.issue(EVERYONE_CODE)[1]
    actor = attendee(live.identities.issue(EVERYONE_CODE)[1])
    snapshot_of(actor)
    stalled = attendee(token, deflate=False, receive_buffer=4096)  # reads nothing from now on
    clients = [actor, stalled]
    try:
        question = actor.call("ask", {"text": "Does a phone that stopped reading come back?"})
        qid = question["question"]["id"]
        for n in range(2000):
            up = n % 2 == 0
            assert actor.call("upvote", {"question": qid, "up": up})["ok"]
            live.broadcaster.flush()
            eventlet.sleep(0)
            if fan_out.dropped:
                break
        assert fan_out.dropped == 1
        with pytest.raises((EOFError, ConnectionResetError)), eventlet.Timeout(10):
            while True:
                stalled.receive()
        # while it is away: its question gets an upvote, and another question comes in
        assert actor.call("upvote", {"question": qid, "up": True})["question"]["upvotes"] == 1
        later = actor.call("ask", {"text": "Asked while that phone was away?"})["question"]["id"]
        live.broadcaster.flush()
        back = attendee(token)  # the page's reconnect: the same participant token
        clients.append(back)
        snap = snapshot_of(back)
        upvotes = {q["id"]: q["upvotes"] for q in snap["questions"]}
        assert upvotes[qid] == 1
        assert later in upvotes
    finally:
        for client in clients:
            client.sock.close()
        server.kill()
        listener.close()
