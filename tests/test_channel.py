"""The channel of change marks between processes, on a real Redis that the tests stop and start."""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from live.channel import Channel

from .conftest import require_or_skip
from .servers import RedisServer

pytestmark = pytest.mark.redis
OUTAGE = "change marks between processes wait"


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """A Redis of this test alone: it gets stopped and started again on the same port."""
    if shutil.which("redis-server") is None:
        require_or_skip("redis", "redis-server is not installed")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


class Process:
    """One process's channel, with what it received."""

    def __init__(self, url: str, name: str) -> None:
        self.received: list[dict[str, Any]] = []
        self.resubscribed = 0
        self.changed = threading.Condition()
        self.channel = Channel(url, name, self._on_changed, self._on_resubscribe)
        self.tasks: list[threading.Thread] = []

    def _on_changed(self, marks: dict[str, Any]) -> None:
        with self.changed:
            self.received.append(marks)
            self.changed.notify_all()

    def _on_resubscribe(self) -> None:
        with self.changed:
            self.resubscribed += 1
            self.changed.notify_all()

    def start(self, *tasks: Callable[..., None]) -> Process:
        for task in tasks:
            thread = threading.Thread(target=task, args=(time.sleep,), daemon=True)
            thread.start()
            self.tasks.append(thread)
        return self

    def wait_for(self, condition: Callable[[], Any], timeout: float) -> None:
        with self.changed:
            assert self.changed.wait_for(condition, timeout), (self.received, self.resubscribed)

    def join(self) -> None:
        for thread in self.tasks:
            thread.join(5)
            assert not thread.is_alive()


@pytest.fixture
def processes(redis_server) -> Iterator[Callable[..., Process]]:
    """Open channels on one name, as the processes of one installation do."""
    name = f"test-{uuid.uuid4().hex}:changes"
    opened: list[Process] = []

    def open_process(*tasks: str) -> Process:
        process = Process(redis_server.url, name)
        opened.append(process)
        return process.start(*(getattr(process.channel, task) for task in tasks))

    yield open_process
    for process in opened:
        process.channel.close()
    for process in opened:
        process.join()


def subscribers(url: str, name: str) -> int:
    with redis.Redis.from_url(url) as client:
        return int(dict(client.pubsub_numsub(name))[name.encode()])


def until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def mark(code: str, questions: tuple[int, ...] = (), **flags: bool) -> dict[str, Any]:
    """A mark as the broadcaster shares it."""
    names = ("on_air", "settings", "presence", "dismissed", "log")
    return {
        "code": code,
        "questions": list(questions),
        "polls": [],
        **dict.fromkeys(names, False),
    } | flags


def test_marks_reach_the_other_processes_merged_and_never_their_sender(processes, redis_server):
    here, there = processes("listen"), processes("listen")
    until(lambda: subscribers(redis_server.url, here.channel.name) == 2, 5)

    here.channel.share(mark("nets4dem", (1,)))
    here.channel.share(mark("nets4dem", (2, 1), on_air=True))
    here.channel.share(mark("other", presence=True))
    assert here.channel.publish_pending()

    there.wait_for(lambda: len(there.received) == 2, 2)
    assert sorted(there.received, key=lambda m: m["code"]) == [
        mark("nets4dem", (1, 2), on_air=True),
        mark("other", presence=True),
    ]
    time.sleep(0.2)  # a process's own marks never come back to it
    assert here.received == [] and len(there.received) == 2


def test_marks_still_queued_go_out_when_a_process_closes_its_channel(processes, redis_server):
    """As when a command line tool that changed something ends at once."""
    here, there = processes(), processes("listen")
    until(lambda: subscribers(redis_server.url, here.channel.name) == 1, 5)
    here.channel.share(mark("nets4dem", log=True))
    here.channel.close()
    there.wait_for(lambda: there.received == [mark("nets4dem", log=True)], 2)


def test_after_redis_restarts_marks_flow_again_the_process_resyncs_and_logs_it_once(
    processes, redis_server, caplog
):
    caplog.set_level(logging.INFO, "live.channel")
    here, there = processes("publish_forever", "listen"), processes("publish_forever", "listen")
    until(lambda: subscribers(redis_server.url, here.channel.name) == 2, 5)

    redis_server.stop()
    started = time.monotonic()
    # a handler's share neither waits for Redis nor fails: the mark waits in the process
    here.channel.share(mark("nets4dem", (7,)))
    assert time.monotonic() - started < 0.05
    time.sleep(1.6)  # several retries of both processes
    redis_server.start()  # the same port
    back = time.monotonic()

    # subscribed again, each process sends its clients everything once (marks meanwhile are lost)
    there.wait_for(lambda: there.resubscribed == 1, 2)
    here.wait_for(lambda: here.resubscribed == 1, 2)
    # the mark shared during the outage went out once Redis was back
    there.wait_for(lambda: mark("nets4dem", (7,)) in there.received, 2)
    # and new marks flow both ways
    here.channel.share(mark("nets4dem", (8,)))
    there.channel.share(mark("nets4dem", (9,)))
    there.wait_for(lambda: mark("nets4dem", (8,)) in there.received, 2)
    here.wait_for(lambda: mark("nets4dem", (9,)) in here.received, 2)
    assert time.monotonic() - back < 2.5
    assert here.resubscribed == there.resubscribed == 1

    messages = [r.getMessage() for r in caplog.records if r.name == "live.channel"]
    # one line per process when Redis went away, one when it was back: not one per retry
    assert sum(OUTAGE in m for m in messages) == 2, messages
    assert sum("flow again" in m for m in messages) == 2, messages


def test_messages_that_are_not_marks_are_ignored_and_logged_once(processes, redis_server, caplog):
    there = processes("listen")
    until(lambda: subscribers(redis_server.url, there.channel.name) == 1, 5)
    with redis.Redis.from_url(redis_server.url) as client:
        for junk in ("not json", "[1]", '{"process": "x"}', '{"process": "x", "marks": [{}]}'):
            client.publish(there.channel.name, junk)
        client.publish(there.channel.name, '{"process": "x", "marks": [{"code": "nets4dem"}]}')
    there.wait_for(lambda: there.received, 2)
    assert there.received == [{"code": "nets4dem"}]
    warnings = [r for r in caplog.records if r.name == "live.channel"]
    assert len(warnings) == 1 and "not marks" in warnings[0].getMessage()
