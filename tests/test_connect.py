"""Connecting: every refusal answers connect_error with a documented code, whatever the client
sends in ``auth``; the snapshot goes to the connecting socket only, never through Redis."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio as socketio_client
from socketio import packet

from live import socketio
from live.limits import RateLimiter
from live.store import StoreUnavailable

from .conftest import CODE, require_or_skip
from .servers import LiveServer, RedisServer
from .test_e2e import Client, join

PROTOCOL = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"
LONE_SURROGATE = "\ud800"
HUGE = "x" * 60_000  # under the 64 KB a frame may have

# odd auth objects an integrator might send, and the code each must be refused with
ODD_AUTHS = [
    (None, "bad_request"),
    ("nets4dem", "bad_request"),
    (["nets4dem"], "bad_request"),
    ({}, "bad_request"),
    ({"webinar": 12, "participant": "x"}, "bad_code"),
    ({"webinar": None}, "bad_code"),
    ({"webinar": {"code": {"deeper": [CODE]}}}, "bad_code"),
    ({"webinar": LONE_SURROGATE, "participant": "x"}, "unknown_webinar"),
    ({"webinar": CODE + LONE_SURROGATE, "key": "k"}, "unknown_webinar"),
    ({"webinar": HUGE, "participant": "x"}, "unknown_webinar"),
    ({"webinar": "unknown-one", "participant": "x"}, "unknown_webinar"),
    ({"webinar": CODE, "key": LONE_SURROGATE}, "bad_key"),
    ({"webinar": CODE, "key": "test-moderator-key" + LONE_SURROGATE}, "bad_key"),
    ({"webinar": CODE, "key": {"nested": {"key": 1}}}, "bad_key"),
    ({"webinar": CODE, "key": HUGE}, "bad_key"),
    ({"webinar": CODE, "participant": LONE_SURROGATE}, "bad_token"),
    ({"webinar": CODE, "participant": {"nested": [LONE_SURROGATE]}}, "bad_token"),
    ({"webinar": CODE, "participant": HUGE}, "bad_token"),
    ({"webinar": CODE, "participant": "forged.token"}, "bad_token"),
    ({"webinar": CODE}, "no_token"),
    ({"webinar": CODE, "viewer": "yes"}, "no_token"),
    ({"webinar": CODE, "moderator": True}, "not_moderator"),
]
# refusals that are not final, provoked below
NOT_FINAL = {"unavailable", "full", "rate_limited"}


@pytest.fixture
def refusals(app, monkeypatch) -> list[dict[str, Any]]:
    """The connect_error data the server sends (the test client keeps only that it failed)."""
    sent: list[dict[str, Any]] = []
    base = socketio.server.packet_class

    class Recorded(base):  # type: ignore[misc, valid-type]
        def __init__(self, packet_type: int = packet.EVENT, data: Any = None, **kwargs: Any):
            super().__init__(packet_type, data, **kwargs)
            if packet_type == packet.CONNECT_ERROR:
                sent.append(data)

    monkeypatch.setattr(socketio.server, "packet_class", Recorded)
    return sent


def refused_with(room, refusals, auth: Any) -> str:
    """Connect with ``auth``; return the code of the one refusal it got."""
    refusals.clear()
    client = room.connect(auth)
    assert not client.is_connected()
    assert len(refusals) == 1 and refusals[0]["message"], refusals
    assert set(refusals[0]["data"]) == {"error"}
    return str(refusals[0]["data"]["error"])


@pytest.mark.parametrize(("auth", "code"), ODD_AUTHS)
def test_odd_auth_is_refused_with_a_code(room, live, refusals, auth, code):
    assert refused_with(room, refusals, auth) == code
    assert live.connections == {}
    assert room.attendee().is_connected()  # and the server goes on admitting others


def test_not_final_refusals(app, room, live, refusals, monkeypatch):
    live.wrong_keys = RateLimiter(1)
    assert refused_with(room, refusals, {"webinar": CODE, "key": "wrong"}) == "bad_key"
    assert refused_with(room, refusals, {"webinar": CODE, "key": "wrong"}) == "rate_limited"
    app.config["MAX_CONNECTIONS"] = 0
    assert refused_with(room, refusals, {"webinar": CODE, "participant": room.token()}) == "full"
    app.config["MAX_CONNECTIONS"] = 10
    live.draining = True
    auth = {"webinar": CODE, "participant": room.token()}
    assert refused_with(room, refusals, auth) == "unavailable"
    live.draining = False

    def store_down(code: str) -> None:
        raise StoreUnavailable("down")

    monkeypatch.setattr(live.store, "get_webinar", store_down)
    assert refused_with(room, refusals, auth) == "unavailable"


def test_a_bug_at_connect_is_refused_and_logged(room, live, refusals, monkeypatch, caplog):
    def broken(code: str) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(live.store, "next_moderator_number", broken)
    auth = {"webinar": CODE, "key": "test-moderator-key"}
    assert refused_with(room, refusals, auth) == "internal"
    assert "a bug" in caplog.text
    assert room.attendee().is_connected()


def documented_connect_errors() -> set[str]:
    """The codes of the connect_error table in docs/protocol.md."""
    section = PROTOCOL.read_text().split("## Connecting", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)
    return set(rows) - {"error"}  # the table's heading


def test_every_connect_error_code_is_documented_and_sent():
    # "forgotten" and "bad_passcode" are provoked in tests/test_forget.py and test_private.py
    sent = {code for _, code in ODD_AUTHS} | NOT_FINAL | {"internal", "forgotten", "bad_passcode"}
    assert documented_connect_errors() == sent


def test_each_role_is_named_in_its_snapshot(room):
    def role(client) -> str:
        return next(e["args"][0]["role"] for e in client.get_received() if e["name"] == "snapshot")

    assert role(room.attendee()) == "attendee"
    assert role(room.moderator()) == "moderator"
    assert role(room.connect({"webinar": CODE, "viewer": True})) == "viewer"


# -- a real server and client: a refusal arrives at once, the client never waits for it ------------


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path_factory.mktemp("connect")).start()
    yield live_server
    live_server.stop()


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("auth", "code"),
    [
        ({"webinar": CODE, "key": LONE_SURROGATE}, "bad_key"),
        ({"webinar": CODE, "participant": LONE_SURROGATE}, "bad_token"),
        ({"webinar": LONE_SURROGATE, "participant": "x"}, "unknown_webinar"),
        ({"webinar": {"nested": {"object": [1]}}}, "bad_code"),
        ({"webinar": CODE, "participant": HUGE}, "bad_token"),
    ],
)
def test_a_real_client_is_refused_at_once(server, auth, code):
    client = socketio_client.Client(reconnection=False)
    refused: list[Any] = []
    client.on("connect_error", refused.append)
    logged = len(server.log.read_text())
    started = time.monotonic()
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=5)
    assert refused and refused[0]["data"] == {"error": code}
    assert time.monotonic() - started < 2
    assert "Traceback" not in server.log.read_text()[logged:]


# -- several processes: a snapshot is for one socket, never published to the others ---------------


@pytest.mark.redis
@pytest.mark.e2e
def test_the_connect_snapshot_is_not_published_through_redis(tmp_path, clients):
    import redis

    if shutil.which("redis-server") is None:
        require_or_skip("redis", "redis-server is not installed")
    redis_server = RedisServer(tmp_path).start()
    server = LiveServer(tmp_path, LIVE_REDIS_URL=redis_server.url).start()
    listener = redis.Redis.from_url(redis_server.url).pubsub()
    listener.psubscribe("*")
    try:
        for auth in (
            {"webinar": CODE, "participant": join(server)},
            {"webinar": CODE, "key": "e2e-moderator-key"},
            {"webinar": CODE, "viewer": True},
        ):
            client = Client(server.url, auth).connect()
            clients.append(client)
            assert client.snapshots
        # several ticks: the attendee's presence is shared meanwhile
        published: list[bytes] = []
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            message = listener.get_message(timeout=0.1)
            if message and message["type"] == "pmessage":
                published.append(message["data"])
        assert published, "nothing at all was published: the test would prove nothing"
        assert not [data for data in published if b"snapshot" in data]
    finally:
        listener.close()
        server.stop()
        redis_server.stop()
