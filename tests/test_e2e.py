"""End to end: run.py as a real eventlet server process, driven by python-socketio clients."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio
import websocket

from .servers import ROOT, LiveServer

pytestmark = pytest.mark.e2e
CODE = "nets4dem"
KEY = "e2e-moderator-key"


class Client:
    """A python-socketio client that keeps the latest snapshot and every update."""

    def __init__(
        self, url: str, auth: dict[str, Any], cookies: dict[str, str] | None = None
    ) -> None:
        self.url = url
        self.auth = auth
        self.snapshots: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.changed = threading.Condition()
        # cookies go with every request, as a browser's do (a proxy routes on them)
        session = requests.Session()
        for name, value in (cookies or {}).items():
            session.cookies.set(name, value)
        self.sio = socketio.Client(
            reconnection_delay=0.2, reconnection_delay_max=0.5, http_session=session
        )
        self.sio.on("snapshot", self._on("snapshots"))
        self.sio.on("update", self._on("updates"))
        self.sio.on("disconnect", self._close_dropped_transport)

    def _close_dropped_transport(self, reason: str = "") -> None:
        # python-engineio leaves open a WebSocket that the server dropped (a ResourceWarning later)
        ws = getattr(self.sio.eio, "ws", None)
        if reason == self.sio.reason.TRANSPORT_ERROR and ws is not None:
            ws.shutdown()

    def _on(self, where: str):  # noqa: ANN202
        def handler(data: dict[str, Any]) -> None:
            with self.changed:
                getattr(self, where).append(data)
                self.changed.notify_all()

        return handler

    def connect(self, **options: Any) -> Client:
        options.setdefault("transports", ["websocket"])
        self.sio.connect(self.url, auth=self.auth, wait_timeout=10, **options)
        self.wait_for(lambda: self.snapshots)
        return self

    def call(self, event: str, payload: Any) -> dict[str, Any]:
        return self.sio.call(event, payload, timeout=10)  # type: ignore[no-any-return]

    def wait_for(self, condition, timeout: float = 10) -> Any:  # noqa: ANN001
        with self.changed:
            if not self.changed.wait_for(condition, timeout):
                raise AssertionError("timed out waiting for the server")
            return condition()

    def seen(self, question_id: int) -> dict[str, Any] | None:
        """Return the latest state of a question this client has received."""
        latest = None
        for message in [*self.snapshots[-1:], *self.updates]:
            for question in message.get("questions", []):
                if question["id"] == question_id:
                    latest = question
        return latest


def join(server: LiveServer) -> str:
    request = urllib.request.Request(f"{server.url}/api/webinars/{CODE}/join", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)["participant"]  # type: ignore[no-any-return]


@pytest.fixture
def server(tmp_path) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path).start()
    yield live_server
    live_server.stop()


def attendee(server: LiveServer, clients: list[Client], token: str | None = None) -> Client:
    client = Client(server.url, {"webinar": CODE, "participant": token or join(server)}).connect()
    clients.append(client)
    return client


def moderator(server: LiveServer, clients: list[Client]) -> Client:
    client = Client(server.url, {"webinar": CODE, "key": KEY}).connect()
    clients.append(client)
    return client


def test_a_webinar_runs_end_to_end(server, clients):
    a, b, mod = attendee(server, clients), attendee(server, clients), moderator(server, clients)
    assert a.snapshots[0]["webinar"]["title"].startswith("Citizen engagement")

    question = a.call("ask", {"text": "When are applications due?", "name": "Ada"})["question"]
    b.wait_for(lambda: b.seen(question["id"]))
    for _ in range(3):  # a double upvote counts once
        assert b.call("upvote", {"question": question["id"], "up": True})["ok"]
    a.wait_for(lambda: (a.seen(question["id"]) or {}).get("upvotes") == 1)

    assert mod.call("moderate", {"question": question["id"], "action": "on_air"})["ok"]
    b.wait_for(lambda: any(u.get("on_air") == question["id"] for u in b.updates))

    poll = mod.snapshots[0]["polls"][0]
    assert mod.call("poll", {"poll": poll["id"], "action": "open"})["ok"]
    a.wait_for(lambda: any(p["id"] == poll["id"] for u in a.updates for p in u.get("polls", [])))
    assert a.call("vote", {"poll": poll["id"], "options": [0, 2]})["ok"]
    assert b.call("vote", {"poll": poll["id"], "options": [1]})["ok"]
    assert b.call("vote", {"poll": poll["id"], "options": [0]})["ok"]
    assert mod.call("poll", {"poll": poll["id"], "action": "show_results"})["ok"]

    def results() -> dict[str, Any] | None:
        polls = [p for u in a.updates for p in u.get("polls", []) if p["results"]]
        return polls[-1]["results"] if polls else None

    a.wait_for(lambda: results() and results()["voters"] == 2)
    assert results()["counts"] == [2, 0, 1, 0]


def test_refused_connections_say_why(server):
    for auth, words in (
        ({"webinar": "nope", "participant": "x"}, "no webinar"),
        ({"webinar": CODE, "participant": "forged"}, "not valid"),
        ({"webinar": CODE, "key": "wrong"}, "moderator key"),
        ({"webinar": CODE}, "participant token is needed"),
    ):
        client = socketio.Client(reconnection=False)
        refusals: list[Any] = []
        client.on("connect_error", refusals.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=5)
        assert words in refusals[0]["message"]
        assert refusals[0]["data"]["error"] in (
            "unknown_webinar",
            "bad_token",
            "bad_key",
            "no_token",
        )


def test_kill_9_and_restart_loses_nothing_acknowledged(tmp_path, clients):
    server = LiveServer(tmp_path).start()
    try:
        token_a, token_b = join(server), join(server)
        a, b, mod = (
            attendee(server, clients, token_a),
            attendee(server, clients, token_b),
            moderator(server, clients),
        )
        asked = [a.call("ask", {"text": f"Question {n}"})["question"]["id"] for n in range(5)]
        for qid in asked[:3]:
            assert b.call("upvote", {"question": qid, "up": True})["ok"]
        poll = mod.snapshots[0]["polls"][0]["id"]
        assert mod.call("poll", {"poll": poll, "action": "open"})["ok"]
        assert a.call("vote", {"poll": poll, "options": [1, 3]})["ok"]
        assert b.call("vote", {"poll": poll, "options": [2]})["ok"]
        assert mod.call("moderate", {"question": asked[4], "action": "dismiss"})["ok"]
        snapshots_before = len(a.snapshots)

        server.kill()
        server.start()

        # the connected clients come back by themselves and get a fresh snapshot
        a.wait_for(lambda: len(a.snapshots) > snapshots_before, timeout=20)
        snap = a.snapshots[-1]
        assert (
            sorted(q["id"] for q in snap["questions"]) == asked
        )  # the author sees the dismissed one
        assert {q["id"]: q["upvotes"] for q in snap["questions"]} == {
            asked[0]: 1,
            asked[1]: 1,
            asked[2]: 1,
            asked[3]: 0,
            asked[4]: 0,
        }
        assert snap["me"]["ballots"] == {str(poll): [1, 3]}

        b_again = attendee(server, clients, token_b)
        assert b_again.snapshots[0]["me"]["upvoted"] == asked[:3]
        assert asked[4] not in [q["id"] for q in b_again.snapshots[0]["questions"]]
        mod_again = moderator(server, clients)
        results = mod_again.snapshots[0]["polls"][0]["results"]
        assert results["counts"] == [0, 1, 1, 1] and results["voters"] == 2
    finally:
        server.stop()


class UpvoteStorm:
    """Voters that keep setting and withdrawing their upvote on one question, each at the pace
    one socket may keep, remembering what the acks said."""

    def __init__(self, voters: list[Client], question: int) -> None:
        self.voters = voters
        self.question = question
        # per voter: whether their upvote stands as far as their acks say, and whether their
        # last call went unanswered (it may or may not have happened)
        self.stands = [False] * len(voters)
        self.unsure = [False] * len(voters)
        self.refusals: list[str] = []
        self.answered = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(len(voters))]

    def _run(self, n: int) -> None:
        while not self._stop.is_set():
            time.sleep(0.1)  # within the pace of one socket (10 events a second)
            self.unsure[n] = True
            try:
                # setting, not toggling: a retry of an unanswered call cannot count twice
                ack = self.voters[n].call(
                    "upvote", {"question": self.question, "up": not self.stands[n]}
                )
            except Exception:  # noqa: BLE001 (no ack: the connection went)
                continue
            self.unsure[n] = False
            self.answered += 1
            if ack["ok"]:
                self.stands[n] = ack["up"]
            else:
                self.refusals.append(ack["error"])

    def start(self) -> UpvoteStorm:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(15)

    def acknowledged(self) -> int:
        return sum(
            stands and not unsure for stands, unsure in zip(self.stands, self.unsure, strict=True)
        )

    def possible(self) -> int:
        """The most upvotes there can be: the acknowledged ones and the unanswered ones."""
        return sum(
            stands or unsure for stands, unsure in zip(self.stands, self.unsure, strict=True)
        )


def storm_on(server: LiveServer, clients: list[Client]) -> tuple[Client, UpvoteStorm]:
    asker = attendee(server, clients)
    question = asker.call("ask", {"text": "Will the storm survive a restart?"})["question"]
    storm = UpvoteStorm([attendee(server, clients) for _ in range(8)], question["id"]).start()
    asker.wait_for(lambda: len(asker.updates) > 5)
    return asker, storm


def test_sigterm_answers_what_is_in_flight_and_clients_come_back(tmp_path, clients):
    """SIGTERM in the middle of an upvote storm: the process exits 0; every action it acknowledged
    is kept, nothing it did not acknowledge happened, and clients reconnect by themselves."""
    server = LiveServer(tmp_path).start()
    try:
        asker, storm = storm_on(server, clients)
        snapshots_before = len(asker.snapshots)
        assert server.process is not None
        server.process.terminate()
        assert server.process.wait(20) == 0
        storm.stop()
        log = server.log.read_text()
        assert "stopping: refusing new connections" in log
        assert "drained:" in log and "stopped" in log
        assert set(storm.refusals) <= {"unavailable"}

        server.start()
        asker.wait_for(lambda: len(asker.snapshots) > snapshots_before, timeout=20)
        (seen,) = asker.snapshots[-1]["questions"]
        assert seen["upvotes"] == sum(storm.stands)
    finally:
        server.stop()


def test_kill_9_in_the_middle_of_an_upvote_storm_keeps_every_acknowledged_upvote(tmp_path, clients):
    server = LiveServer(tmp_path).start()
    try:
        asker, storm = storm_on(server, clients)
        snapshots_before = len(asker.snapshots)
        server.kill()
        storm.stop()
        assert storm.answered > 20  # it was a storm
        server.start()
        asker.wait_for(lambda: len(asker.snapshots) > snapshots_before, timeout=20)
        (seen,) = asker.snapshots[-1]["questions"]
        # a call the kill left unanswered may or may not have been stored; every answered one is
        assert storm.acknowledged() <= seen["upvotes"] <= storm.possible()
    finally:
        server.stop()


def test_silent_connections_are_closed_and_a_full_process_says_so(tmp_path, clients):
    server = LiveServer(
        tmp_path,
        LIVE_MAX_CONNECTIONS="1",
        LIVE_PING_INTERVAL="1",
        # slack for a loaded test machine: a pong arriving late must not end the connection
        LIVE_PING_TIMEOUT="4",
        LIVE_IDLE_TIMEOUT="6",
    ).start()
    try:
        _check_silent_and_full(server, clients)
    except BaseException:
        print(server.log.read_text()[-3000:])  # shown by pytest when the test fails
        raise
    finally:
        server.stop()


def _check_silent_and_full(server: LiveServer, clients: list[Client]) -> None:
    # a TCP connection that never sends a request (or a peer that vanished) is closed
    silent = socket.create_connection(("127.0.0.1", server.port))
    silent.settimeout(15)
    assert silent.recv(1) == b""
    silent.close()
    # a healthy client is silent between pings, and stays connected past the idle timeout
    a = attendee(server, clients)
    time.sleep(8)
    assert a.sio.connected and a.call("upvote", {"question": 999, "up": True})["error"]
    # the process holds LIVE_MAX_CONNECTIONS=1: the next one is refused, not queued
    late = socketio.Client(reconnection=False)
    refusals: list[Any] = []
    late.on("connect_error", refusals.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        late.connect(
            server.url,
            auth={"webinar": CODE, "participant": join(server)},
            transports=["websocket"],
            wait_timeout=5,
        )
    assert refusals[0]["data"]["error"] == "full"
    assert "connection limit reached: 1 connections held" in server.log.read_text()
    # pages and health checks still answer a full process
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
        assert json.load(response)["connections"] == 1


def test_the_key_command_signs_out_moderators_of_a_running_server(server, clients, tmp_path):
    mod = moderator(server, clients)
    signed_out: list[dict[str, Any]] = []
    mod.sio.on("signed_out", signed_out.append)
    changed = subprocess.run(
        [sys.executable, "-m", "live", "rotate-key", CODE],
        cwd=ROOT,
        env={**server.env, "LIVE_PUBLIC_URL": server.url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    new_key = changed.stdout.split(f"New moderator key for {CODE}: ")[1].split()[0]
    assert f"Moderator link: {server.url}/e/{CODE}/moderate?key={new_key}" in changed.stdout
    assert "LIVE_MODERATOR_KEY is set" in changed.stderr  # the tests' server sets one
    # the server finds out by itself (it checks every second) and signs the moderator out
    deadline = time.monotonic() + 10
    while not (signed_out and not mod.sio.connected) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert signed_out[0]["reason"] == "key_changed"
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(server.url, {"webinar": CODE, "key": KEY}).connect()
    clients.append(Client(server.url, {"webinar": CODE, "key": new_key}).connect())


def test_oversized_or_malformed_frames_and_polling_bodies_are_refused(server, clients):
    """64 KB is the most one message may carry (the library default is 1 MB); text is UTF-8."""
    token = join(server)
    watcher = attendee(server, clients)
    big_ask = "42" + json.dumps(["ask", {"text": "x" * 100_000}])
    # long polling: the body is refused before it is read
    base = f"{server.url}/socket.io/?EIO=4&transport=polling"
    opened = requests.get(base, timeout=5).text
    sid = json.loads(opened[opened.index("{") :])["sid"]
    assert requests.post(
        f"{base}&sid={sid}",
        data="40" + json.dumps({"webinar": CODE, "participant": token}),
        timeout=5,
    ).ok
    refused = requests.post(f"{base}&sid={sid}", data=big_ask, timeout=5)
    assert refused.status_code == 413 and refused.json()["error"] == "too_large"
    not_utf8 = b'42["ask",{"text":"bad \xff\xfe bytes"}]'
    refused = requests.post(f"{base}&sid={sid}", data=not_utf8, timeout=5)
    assert refused.status_code == 400 and refused.json()["error"] == "bad_encoding"

    def connected_websocket() -> websocket.WebSocket:
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket", timeout=5
        )
        assert ws.recv().startswith("0")
        ws.send("40" + json.dumps({"webinar": CODE, "participant": token}))
        while not ws.recv().startswith("42"):  # the connect ack, then the snapshot
            pass
        return ws

    def assert_closed(ws: websocket.WebSocket) -> None:
        try:
            with pytest.raises((websocket.WebSocketException, OSError)):
                while True:
                    if not ws.recv():
                        raise websocket.WebSocketConnectionClosedException()
        finally:
            ws.shutdown()

    # WebSocket: a frame over the limit closes that connection
    ws = connected_websocket()
    ws.send(big_ask)
    assert_closed(ws)
    # WebSocket: a text frame that is not UTF-8 fails the connection too (RFC 6455)
    ws = connected_websocket()
    ws.send(not_utf8, opcode=websocket.ABNF.OPCODE_TEXT)
    assert_closed(ws)
    # nothing was asked, and everyone else is served as before
    asked = watcher.call("ask", {"text": "Still here?"})
    assert asked["ok"] and asked["question"]["id"] == 1
    with urllib.request.urlopen(f"{server.url}/api/webinars/{CODE}", timeout=5) as response:
        assert [q["text"] for q in json.load(response)["questions"]] == ["Still here?"]


def test_a_timed_poll_closes_by_itself(server, clients):
    mod, voter = moderator(server, clients), attendee(server, clients)
    poll = mod.snapshots[0]["polls"][0]["id"]
    assert mod.call("poll", {"poll": poll, "action": "open", "seconds": 5})["ok"]
    assert voter.call("vote", {"poll": poll, "options": [2]})["ok"]

    def state() -> str | None:
        seen = [p["state"] for u in voter.updates for p in u.get("polls", []) if p["id"] == poll]
        return seen[-1] if seen else None

    voter.wait_for(lambda: state() == "closed", timeout=15)
    assert voter.call("vote", {"poll": poll, "options": [1]})["error"] == "poll_closed"
    log = Client(server.url, {"webinar": CODE, "key": KEY}).connect()
    clients.append(log)
    assert ("close", poll, 0) in [
        (e["action"], e["target"], e["moderator"]) for e in log.snapshots[0]["log"]
    ]


def test_run_py_prints_the_links(server):
    output = server.log.read_text()
    assert f"Attendees join at:  {server.url}/e/{CODE}" in output
    assert f"Moderator link:     {server.url}/e/{CODE}/moderate?key={KEY}" in output
    assert f"{server.url}/e/{CODE}/present" in output
    assert "█" in output  # the QR code


def test_run_py_serves_another_webinar_file(tmp_path):
    from .test_webinar_file import OTHER

    path = tmp_path / "budget.toml"
    path.write_text(OTHER)
    server = LiveServer(tmp_path, args=("--webinar", str(path))).start()
    try:
        with urllib.request.urlopen(
            f"{server.url}/api/webinars/budget-2025", timeout=5
        ) as response:
            state = json.load(response)
        assert state["webinar"]["title"] == "Participatory budget 2025"
        assert state["webinar"]["starts_at"] == "2025-03-04T18:30:00+00:00"
        assert f"{server.url}/e/budget-2025" in server.log.read_text()
    finally:
        server.stop()


def test_socket_io_accepts_only_its_own_and_configured_origins(tmp_path):
    server = LiveServer(tmp_path, LIVE_ALLOWED_ORIGINS='["https://webinar.example.org"]').start()
    try:
        token = join(server)
        for origin, admitted in (
            (server.url, True),
            ("https://webinar.example.org", True),
            ("https://evil.example", False),
        ):
            client = socketio.Client(reconnection=False)
            auth = {"webinar": CODE, "participant": token}
            if admitted:
                client.connect(server.url, auth=auth, headers={"Origin": origin}, wait_timeout=5)
                client.disconnect()
            else:
                with pytest.raises(socketio.exceptions.ConnectionError):
                    client.connect(
                        server.url, auth=auth, headers={"Origin": origin}, wait_timeout=5
                    )
    finally:
        server.stop()
