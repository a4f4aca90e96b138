"""Malformed frames, unknown events, events before admission, and a log that a flood cannot fill.

The frames go over a raw WebSocket to run.py (the real eventlet server), as an outside client's
would; unknown events also through the Socket.IO test client.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import websocket

from live.logs import RateLimitFilter

from .conftest import CODE, ack
from .servers import LiveServer

# far deeper than JSON decoders go (about 1,000), well within the 64 KB a frame may carry
DEEP = "[" * 5_000
NOT_CONNECTED = "not_connected"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path_factory.mktemp("frames")).start()
    yield live_server
    live_server.stop()


@pytest.fixture(scope="module")
def token(server: LiveServer) -> str:
    request = urllib.request.Request(f"{server.url}/api/webinars/{CODE}/join", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)["participant"]  # type: ignore[no-any-return]


class RawSocket:
    """A WebSocket speaking Engine.IO 4 / Socket.IO 5 by hand: frames are sent exactly as given."""

    def __init__(self, server: LiveServer) -> None:
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket", timeout=5
        )
        assert self.ws.recv().startswith("0")  # the Engine.IO handshake

    def connect(self, auth: dict[str, Any]) -> str:
        """Send Socket.IO's connect; return the answer ("0..." admitted, "4..." refused)."""
        self.ws.send("40" + json.dumps(auth))
        while (answer := self.next()).startswith("2"):
            pass  # the snapshot (sent by the connect handler, so before the answer)
        return answer

    def next(self) -> str:
        """Return the next Socket.IO frame, answering Engine.IO pings on the way."""
        while True:
            frame = self.ws.recv()
            if frame == "2":
                self.ws.send("3")
            elif frame.startswith("4"):
                return str(frame[1:])
            else:
                raise AssertionError(f"unexpected Engine.IO frame {frame!r}")

    def acks(self, until: int) -> dict[int, dict[str, Any]]:
        """Read the acks sent back (updates skipped) until the one with id ``until``."""
        acks: dict[int, dict[str, Any]] = {}
        while until not in acks:
            frame = self.next()
            if frame.startswith("3"):
                digits = frame[1 : frame.index("[")]
                acks[int(digits)] = json.loads(frame[len(digits) + 1 :])[0]
        return acks

    def call(self, ack_id: int, event: str, payload: Any) -> dict[str, Any]:
        self.ws.send(f"42{ack_id}" + json.dumps([event, payload]))
        return self.acks(ack_id)[ack_id]

    def assert_closed(self) -> None:
        """Read until the server closes the connection (it must, within the timeout)."""
        try:
            with pytest.raises((websocket.WebSocketException, OSError)):
                while True:
                    if not self.ws.recv():
                        raise websocket.WebSocketConnectionClosedException()
        finally:
            self.ws.shutdown()

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def raw(server: LiveServer) -> Iterator[Any]:
    """Open raw sockets to the module's server; closed after the test."""
    opened: list[RawSocket] = []

    def open_socket() -> RawSocket:
        opened.append(RawSocket(server))
        return opened[-1]

    yield open_socket
    for socket in opened:
        socket.ws.shutdown()


def admitted(raw: Any, token: str) -> RawSocket:
    socket = raw()
    assert socket.connect({"webinar": CODE, "participant": token}).startswith("0")
    return socket


def log_since(server: LiveServer, offset: int) -> str:
    return server.log.read_bytes()[offset:].decode()


# one frame per case of the outside client's report, each with ack id 5
MALFORMED_WITH_ID = {
    "broken JSON": "25hello",
    "nesting deeper than 1,000": "25" + DEEP,
    "non-string event name": '25[1,{"text":"x"}]',
    "empty array": "25[]",
    "no array": '25{"text":"x"}',
    "bad binary placeholder": '51-5["ask",{"text":{"_placeholder":true,"num":7}}]',
    "unknown namespace": '2/nope,5["ask",{"text":"x"}]',
    "reserved event name": '25["connect",{"webinar":"nets4dem","key":"x"}]',
}


@pytest.mark.parametrize("frame", MALFORMED_WITH_ID.values(), ids=MALFORMED_WITH_ID.keys())
def test_a_malformed_frame_with_an_ack_id_is_refused_and_the_connection_goes_on(
    server, token, raw, frame
):
    socket = admitted(raw, token)
    offset = server.log.stat().st_size
    socket.ws.send("4" + frame)
    refused = socket.acks(until=5)[5]
    assert refused["ok"] is False and refused["error"] == "bad_frame"
    assert refused["message"].startswith("Not an event this server takes")
    # the same connection goes on, and so does the server
    assert socket.call(6, "suggest", {"text": "anything"})["ok"] is True
    assert "Traceback" not in log_since(server, offset)


MALFORMED_WITHOUT_ID = {
    "unknown packet type": "9",
    "not a packet type": "x",
    "a client's CONNECT_ERROR": '4{"message":"x"}',
    "broken JSON": "2hello",
    "empty array": "2[]",
    "no data": "2",
    "binary attachment": "b" + "AAEC",  # a base64 binary message
}


@pytest.mark.parametrize("frame", MALFORMED_WITHOUT_ID.values(), ids=MALFORMED_WITHOUT_ID.keys())
def test_a_malformed_frame_without_an_ack_id_gets_no_answer_and_the_connection_goes_on(
    server, token, raw, frame
):
    socket = admitted(raw, token)
    offset = server.log.stat().st_size
    socket.ws.send(frame if frame.startswith("b") else "4" + frame)
    socket.ws.send('426["suggest",{"text":"x"}]')
    # nothing to answer it with; the next event is answered as usual
    acks = socket.acks(until=6)
    assert list(acks) == [6] and acks[6]["ok"] is True
    assert "Traceback" not in log_since(server, offset)


def test_a_thousand_malformed_frames_close_the_connection_and_write_a_few_lines(server, token, raw):
    """The outside client's 1,000 frames of ``421hello`` wrote 3.2 MB of traceback."""
    neighbour = admitted(raw, token)
    flooder = admitted(raw, token)
    offset = server.log.stat().st_size
    for _ in range(1000):
        try:
            flooder.ws.send("421hello")
        except (websocket.WebSocketException, OSError):
            break  # closed before the last one was sent
    flooder.assert_closed()
    log = log_since(server, offset)
    assert len(log) < 2000 and "Traceback" not in log, log
    # one line for the connection (or none: the same line from other tests is rate-limited)
    assert log.count("refused a malformed frame") <= 1
    assert "keeps flooding" in log
    assert neighbour.call(7, "suggest", {"text": "still here"})["ok"] is True


def test_a_flood_of_frames_without_ack_ids_is_closed_too(server, token, raw):
    flooder = admitted(raw, token)
    offset = server.log.stat().st_size
    for _ in range(1000):
        try:
            flooder.ws.send("49")
        except (websocket.WebSocketException, OSError):
            break
    flooder.assert_closed()
    log = log_since(server, offset)
    assert len(log) < 2000 and "Traceback" not in log, log


def test_an_event_before_connect_is_refused_and_the_connection_closed(server, raw):
    socket = raw()
    socket.ws.send('421["ask",{"text":"Can I skip connect?"}]')
    refused = socket.acks(until=1)[1]
    assert refused["ok"] is False and refused["error"] == NOT_CONNECTED
    socket.assert_closed()
    # without an ack id there is nothing to answer: the connection is closed all the same
    socket = raw()
    socket.ws.send('42["ask",{"text":"Can I skip connect?"}]')
    socket.assert_closed()


def test_over_long_polling_an_event_before_connect_is_refused_and_the_client_told_to_close(
    server,
):
    base = f"{server.url}/socket.io/?EIO=4&transport=polling"
    opened = requests.get(base, timeout=5).text
    sid = json.loads(opened[opened.index("{") :])["sid"]
    # the post is taken at once (closing the session there would hold it until the next poll)
    posted = requests.post(f"{base}&sid={sid}", data='421["ask",{"text":"x"}]', timeout=5)
    assert posted.ok
    refused, close = requests.get(f"{base}&sid={sid}", timeout=5).text.split("\x1e")
    assert json.loads(refused.removeprefix("431"))[0]["error"] == NOT_CONNECTED
    assert close == "1"  # Engine.IO's close


def test_a_flood_of_events_before_connect_is_one_refusal_and_one_line(server, raw):
    socket = raw()
    offset = server.log.stat().st_size
    for _ in range(1000):
        try:
            socket.ws.send('421["ask",{"text":"Can I skip connect?"}]')
        except (websocket.WebSocketException, OSError):
            break
    assert socket.acks(until=1)[1]["error"] == NOT_CONNECTED
    socket.assert_closed()
    log = log_since(server, offset)
    assert len(log) < 1000 and "Traceback" not in log, log
    assert log.count("before it was admitted") <= 1


def test_an_event_after_a_refused_connect_is_refused_and_the_connection_closed(server, raw):
    socket = raw()
    assert socket.connect({"webinar": CODE}).startswith("4")  # no participant token
    offset = server.log.stat().st_size
    refused = socket.call(1, "ask", {"text": "Refused, and asking anyway"})
    assert refused["error"] == NOT_CONNECTED and "connect" in refused["message"]
    socket.assert_closed()
    assert "Traceback" not in log_since(server, offset)
    # nothing was asked
    with urllib.request.urlopen(f"{server.url}/api/webinars/{CODE}", timeout=5) as response:
        assert json.load(response)["questions"] == []


@pytest.mark.parametrize("name", ["no_such_event", "snapshot", "message"])
def test_unknown_events_are_answered(room, name):
    attendee = room.attendee()
    refused = ack(attendee, name, {"anything": 1})
    assert refused["ok"] is False and refused["error"] == "unknown_event"
    assert name in refused["message"]
    assert attendee.is_connected()


def test_unknown_events_count_against_the_pace_and_a_flood_of_them_is_closed(room):
    flooder, neighbour = room.attendee(), room.attendee()
    replies = [ack(flooder, "no_such_event", {}) for _ in range(40)]
    assert {r["error"] for r in replies[:30]} == {"unknown_event"}  # a burst of three seconds'
    assert {r["error"] for r in replies[30:]} == {"rate_limited"}
    for _ in range(60):
        if not flooder.is_connected():
            break
        ack(flooder, "no_such_event", {})
    assert not flooder.is_connected()
    assert ack(neighbour, "suggest", {"text": "x"})["ok"]


def test_refusals_are_logged_once_per_connection(room, caplog):
    first, second = room.attendee(), room.attendee()
    with caplog.at_level("WARNING", logger="live.frames"):
        for attendee in (first, second, first):
            for _ in range(3):
                assert ack(attendee, "no_such_event", {})["error"] == "unknown_event"
                # a name reserved for Socket.IO itself: a malformed frame
                assert ack(attendee, "connect", {"webinar": CODE})["error"] == "bad_frame"
    lines = [r.getMessage() for r in caplog.records]
    assert (
        lines
        == [
            "refused an unknown event 'no_such_event' from a connection to nets4dem; "
            "further ones are not logged",
            "refused a malformed frame ('connect' is not an event a client sends) from a "
            "connection to nets4dem; further ones are not logged",
        ]
        * 2
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limited() -> Iterator[tuple[logging.Logger, list[str], Clock]]:
    """A logger whose records go through a rate limit (3 a minute) to a list of lines."""
    lines: list[str] = []
    clock = Clock()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handlers = [Collect(), Collect()]
    rate_limit = RateLimitFilter(limit=3, interval=60, clock=clock)
    logger = logging.getLogger("tests.frames.limited")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in handlers:
        handler.addFilter(rate_limit)
        logger.addHandler(handler)
    yield logger, lines, clock
    for handler in handlers:
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
    logger.propagate = True


def test_the_same_message_is_logged_a_few_times_an_interval_then_counted(limited):
    logger, lines, clock = limited
    for n in range(100):
        logger.warning("refused frame %d from %s", n, "nets4dem")
    # three through (each handler writes its copy: counted once, not once per handler)
    assert lines[::2] == [
        "refused frame 0 from nets4dem",
        "refused frame 1 from nets4dem",
        "refused frame 2 from nets4dem [more like this are not logged for 60 s]",
    ]
    assert lines[1::2] == lines[::2]
    logger.warning("another message")  # its own count
    assert lines[-1] == "another message"
    clock.now = 61
    lines.clear()
    logger.warning("refused frame %d from %s", 100, "nets4dem")
    assert lines[0] == "refused frame 100 from nets4dem [97 more like this were not logged]"


def test_information_is_kept_whole(limited):
    """An access line per request is what happened, not a flood."""
    logger, lines, _ = limited
    for _ in range(20):
        logger.info("%s %s %s", "GET", "/e/nets4dem", 200)
    assert len(lines) == 2 * 20


def test_a_flood_of_tracebacks_is_a_few_lines(limited):
    logger, lines, _ = limited
    for _ in range(1000):
        try:
            json.loads("hello")
        except ValueError:
            logger.exception("'%s' failed", "ask")
    assert 2 * 3 == len(lines) and sum(len(line) for line in lines) < 6 * 1000


def test_run_py_limits_what_the_process_logs(tmp_path):
    """Ten connections to one webinar sending bad frames: the same warning, but no more than the
    limit (then a note) in the log of the process."""
    server = LiveServer(tmp_path).start()
    sockets: list[RawSocket] = []
    try:
        request = urllib.request.Request(f"{server.url}/api/webinars/{CODE}/join", method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            participant = json.load(response)["participant"]
        for n in range(15):
            sockets.append(RawSocket(server))
            sockets[-1].connect({"webinar": CODE, "participant": participant})
            sockets[-1].ws.send("425hello")
            assert sockets[-1].acks(until=5)[5]["error"] == "bad_frame", n
        lines = [line for line in server.log.read_text().splitlines() if "malformed" in line]
        assert len(lines) == 10
        assert lines[-1].endswith("s]") and "more like this are not logged" in lines[-1]
    finally:
        for socket in sockets:
            socket.close()
        server.stop()


def test_the_socket_libraries_log_an_error_once_not_twice(tmp_path):
    """python-engineio's own handler wrote each of its errors a second time, without a time."""
    server = LiveServer(tmp_path).start()  # its own: python-engineio says some errors once only
    try:
        base = f"{server.url}/socket.io/?EIO=4&transport=polling"
        refused = requests.post(f"{base}&sid=no-such-session", data="40", timeout=5)
        assert refused.status_code == 400
        lines = [line for line in server.log.read_text().splitlines() if "no-such-session" in line]
        assert len(lines) == 1 and " engineio.server Invalid session" in lines[0]
    finally:
        server.stop()
