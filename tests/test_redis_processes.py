"""Several real server processes sharing one real Redis: one room, nothing lost or counted twice."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import socketio

from live.store.redis import RedisStore

from .conftest import require_or_skip
from .servers import LiveServer, RedisServer
from .test_e2e import CODE, Client, attendee, join, moderator

pytestmark = [pytest.mark.redis, pytest.mark.e2e]


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """A Redis of this test alone (it gets stopped and started), with AOF on."""
    if shutil.which("redis-server") is None:
        require_or_skip("redis", "redis-server is not installed")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder).start()
    yield server
    server.stop()


def live_process(tmp_path: Path, name: str, redis_url: str) -> LiveServer:
    folder = tmp_path / name
    folder.mkdir()
    # each process has its own instance folder: the secret key comes from Redis
    return LiveServer(folder, LIVE_REDIS_URL=redis_url).start()


@pytest.fixture
def processes(tmp_path, redis_server) -> Iterator[tuple[LiveServer, LiveServer]]:
    a = live_process(tmp_path, "a", redis_server.url)
    b = live_process(tmp_path, "b", redis_server.url)
    yield a, b
    a.stop()
    b.stop()


def test_a_question_asked_on_one_process_reaches_the_other_within_a_second(processes, clients):
    a, b = processes
    on_a, on_b = attendee(a, clients), attendee(b, clients)
    asked = on_a.call("ask", {"text": "Seen on the other process?"})
    assert asked["ok"]
    sent = time.monotonic()
    on_b.wait_for(lambda: on_b.seen(asked["question"]["id"]), timeout=1.0)
    assert time.monotonic() - sent < 1.0
    # and the moderators count both processes' attendees as online
    mod = moderator(a, clients)
    assert mod.snapshots[0]["online"] == 2


async def storm(urls: list[str], tokens: list[str], question: int, poll: int) -> None:
    """Connect every participant (alternating processes), then upvote and vote all at once."""
    sios = []
    for n, token in enumerate(tokens):
        sio = socketio.AsyncClient(reconnection=False)
        await sio.connect(
            urls[n % 2], auth={"webinar": CODE, "participant": token}, transports=["websocket"]
        )
        sios.append(sio)

    async def act(n: int, sio: socketio.AsyncClient) -> list[dict[str, Any]]:
        calls = [sio.call("upvote", {"question": question, "up": True}) for _ in range(3)]
        # everyone votes twice, changing their mind: only the second ballot counts
        calls.append(sio.call("vote", {"poll": poll, "options": [n % 4]}))
        first = await asyncio.gather(*calls)
        second = await sio.call("vote", {"poll": poll, "options": [n % 2, 3]})
        return [*first, second]

    try:
        acks = await asyncio.gather(*(act(n, sio) for n, sio in enumerate(sios)))
    finally:
        await asyncio.gather(*(sio.disconnect() for sio in sios))
    refused = [ack for per_client in acks for ack in per_client if not ack["ok"]]
    assert not refused, refused[:3]


def test_a_hundred_participants_on_two_processes_count_exactly(processes, clients):
    a, b = processes
    mod = moderator(a, clients)
    asker = attendee(b, clients)
    question = asker.call("ask", {"text": "Everybody upvote this"})["question"]["id"]
    poll = mod.snapshots[0]["polls"][0]["id"]
    assert mod.call("poll", {"poll": poll, "action": "open"})["ok"]
    tokens = [join(a if n % 2 else b) for n in range(100)]

    # in a thread of its own: the browser tests' Playwright keeps an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, storm([a.url, b.url], tokens, question, poll)).result()

    for server in (a, b):
        snap = moderator(server, clients).snapshots[0]
        assert [q["upvotes"] for q in snap["questions"] if q["id"] == question] == [100]
        results = next(p for p in snap["polls"] if p["id"] == poll)["results"]
        assert results["voters"] == 100
        assert results["counts"] == [50, 50, 0, 100]
    # the attendees of both processes got the final counts through the coalesced updates
    asker.wait_for(lambda: (asker.seen(question) or {}).get("upvotes") == 100, timeout=5)


def test_kill_9_one_process_and_its_clients_carry_on_on_the_other(processes, clients):
    a, b = processes
    token = join(a)
    on_a, mod = attendee(a, clients, token), moderator(b, clients)
    asked = [
        on_a.call("ask", {"text": f"Before the crash {n}"})["question"]["id"] for n in range(3)
    ]
    assert on_a.call("upvote", {"question": asked[0], "up": True})["ok"]
    poll = mod.snapshots[0]["polls"][1]["id"]
    assert mod.call("poll", {"poll": poll, "action": "open"})["ok"]
    assert on_a.call("vote", {"poll": poll, "options": [2]})["ok"]

    a.kill()
    # the proxy sends the attendee to the other process: a full snapshot, nothing lost
    again = attendee(b, clients, token)
    snap = again.snapshots[0]
    assert [q["id"] for q in snap["questions"]] == asked
    assert snap["me"]["upvoted"] == [asked[0]] and snap["me"]["ballots"] == {str(poll): [2]}
    assert again.call("ask", {"text": "After the crash"})["ok"]
    mod.wait_for(
        lambda: any(
            q["text"] == "After the crash" for u in mod.updates for q in u.get("questions", [])
        )
    )


def health(server: LiveServer) -> int:
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_redis_stops_mid_event_and_comes_back(processes, redis_server, clients):
    a, b = processes
    on_a, on_b, mod = attendee(a, clients), attendee(b, clients), moderator(a, clients)
    kept = on_a.call("ask", {"text": "Asked before Redis stopped"})["question"]["id"]
    assert on_b.call("upvote", {"question": kept, "up": True})["ok"]
    poll = mod.snapshots[0]["polls"][0]["id"]
    assert mod.call("poll", {"poll": poll, "action": "open"})["ok"]
    assert on_b.call("vote", {"poll": poll, "options": [1]})["ok"]

    redis_server.stop()
    for client, event, payload in (
        (on_a, "ask", {"text": "Asked while Redis is down"}),
        (on_b, "upvote", {"question": kept, "up": False}),
        (on_b, "vote", {"poll": poll, "options": [2]}),
        (mod, "moderate", {"question": kept, "action": "answer"}),
    ):
        ack = client.call(event, payload)
        assert ack == {"ok": False, "error": "unavailable", "message": ack["message"]}, ack
    assert health(a) == 503 and health(b) == 503  # the processes are alive and say why
    assert on_a.sio.connected and on_b.sio.connected

    redis_server.start()  # the same AOF file: what was acknowledged is back
    assert health(a) == 200 and health(b) == 200
    deadline = time.monotonic() + 15
    while (ack := on_a.call("ask", {"text": "Asked after Redis came back"}))["ok"] is False:
        assert time.monotonic() < deadline, ack
        time.sleep(0.2)
    # the other process's attendee gets it: the message queue subscribed again
    on_b.wait_for(lambda: on_b.seen(ack["question"]["id"]), timeout=15)
    snap = attendee(b, clients).snapshots[0]
    texts = [q["text"] for q in snap["questions"]]
    assert texts == ["Asked before Redis stopped", "Asked after Redis came back"]
    assert snap["questions"][0]["upvotes"] == 1
    results = next(p for p in moderator(b, clients).snapshots[0]["polls"] if p["id"] == poll)
    assert results["results"]["counts"] == [0, 1, 0, 0]


def test_after_redis_restarts_marks_flow_again_and_pages_get_what_they_missed(
    processes, redis_server, clients
):
    a, b = processes
    asker, watcher = attendee(a, clients), attendee(b, clients)
    question = asker.call("ask", {"text": "Upvoted while its mark was lost"})["question"]["id"]
    watcher.wait_for(lambda: watcher.seen(question))
    # an upvote whose mark never went out, as from a process killed between its write and its
    # mark: written straight into the store, so only a resync brings it to the pages
    store = RedisStore(redis_server.url)
    assert store.upvote(CODE, question, "elsewhere", True)
    store.close()
    time.sleep(0.5)  # several ticks
    assert (watcher.seen(question) or {})["upvotes"] == 0

    redis_server.stop()
    time.sleep(1.5)  # the processes retry a few times meanwhile
    redis_server.start()  # the same port
    back = time.monotonic()
    # each process subscribed again and sent its pages the whole state: the missed upvote
    watcher.wait_for(lambda: (watcher.seen(question) or {}).get("upvotes") == 1, timeout=3)
    # and marks flow again: a question asked on a reaches b's page
    while not (ack := asker.call("ask", {"text": "Asked once Redis was back"}))["ok"]:
        assert time.monotonic() - back < 3, ack
        time.sleep(0.1)
    watcher.wait_for(lambda: watcher.seen(ack["question"]["id"]), timeout=2)
    assert time.monotonic() - back < 3
    for server in (a, b):
        # the outage is logged once per process, not once per retry
        log = server.log.read_text()
        assert log.count("change marks between processes wait") == 1, log[-2000:]
        assert log.count("change marks between processes flow again") == 1, log[-2000:]


def test_the_secret_is_shared_so_a_token_works_on_every_process(processes):
    a, b = processes
    token = join(a)
    sio = socketio.Client(reconnection=False)
    sio.connect(b.url, auth={"webinar": CODE, "participant": token}, transports=["websocket"])
    assert sio.connected
    sio.disconnect()
    with urllib.request.urlopen(f"{b.url}/api/webinars/{CODE}", timeout=5) as response:
        assert json.load(response)["webinar"]["code"] == CODE


def test_a_new_moderator_key_signs_out_moderators_on_every_process(processes, clients):
    a, b = processes
    on_a, on_b = moderator(a, clients), moderator(b, clients)
    signed_out: list[Any] = []
    on_b.sio.on("signed_out", signed_out.append)
    request = urllib.request.Request(
        f"{a.url}/api/webinars/{CODE}/moderator-key",
        method="POST",
        headers={"Authorization": "Bearer e2e-moderator-key"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        new_key = json.load(response)["moderator_key"]
    # process a signs out its own at once; process b finds out within a second or two
    deadline = time.monotonic() + 5
    while (on_a.sio.connected or on_b.sio.connected) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not on_a.sio.connected and not on_b.sio.connected
    assert signed_out and signed_out[0]["reason"] == "key_changed"
    # the new key works on both
    for server in (a, b):
        auth = {"webinar": CODE, "key": new_key}
        clients.append(Client(server.url, auth).connect())


def test_a_frozen_redis_times_out_and_the_process_keeps_serving(processes, redis_server, clients):
    """Redis slow (here: stopped with SIGSTOP, so connections hang rather than fail): a write waits
    for the 5 s command timeout and is refused, while the process goes on serving the rest."""
    a, _ = processes
    asker, other = attendee(a, clients), attendee(a, clients)
    assert redis_server.process is not None
    answer: dict[str, Any] = {}

    def ask() -> None:
        answer.update(asker.call("ask", {"text": "Asked while Redis is frozen"}))

    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        waiting = threading.Thread(target=ask)
        waiting.start()
        time.sleep(0.5)  # the ask now waits for Redis
        # meanwhile the process answers what does not need Redis (the pages' files, pings)
        with urllib.request.urlopen(f"{a.url}/static/common.js", timeout=5) as response:
            assert response.status == 200
        assert waiting.is_alive()  # served while the ask was still waiting: nothing blocked
        waiting.join(15)
        assert answer["error"] == "unavailable"
        assert other.sio.connected and asker.sio.connected
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    deadline = time.monotonic() + 15
    while not (ack := asker.call("ask", {"text": "Asked after Redis woke up"}))["ok"]:
        assert time.monotonic() < deadline, ack
        time.sleep(0.2)
    texts = [q["text"] for q in attendee(a, clients).snapshots[0]["questions"]]
    assert texts == ["Asked after Redis woke up"]  # the refused ask left nothing behind


def test_wrong_moderator_keys_are_counted_across_processes(processes):
    """Ten wrong keys a minute per address (LIVE_WRONG_KEYS_PER_MINUTE), however many processes
    behind the proxy they reach."""
    a, b = processes

    def try_key(server: LiveServer, key: str) -> int:
        data = urllib.parse.urlencode({"key": key}).encode()
        request = urllib.request.Request(f"{server.url}/e/{CODE}/moderate", data=data)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert [try_key(a if n % 2 else b, f"guess-{n}") for n in range(10)] == [403] * 10
    # the budget is spent on both processes, even for the right key, until it refills
    assert try_key(a, "e2e-moderator-key") == 429
    assert try_key(b, "e2e-moderator-key") == 429
