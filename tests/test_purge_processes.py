"""Two server processes on one Redis purge once: the one that takes the lock does it."""

from __future__ import annotations

import time

import pytest

from live.domain import Question
from live.store.redis import RedisStore
from live.webinar_file import default_webinar_path, load_webinar_file

from .servers import LiveServer
from .test_redis_processes import redis_server as redis_server  # noqa: PLC0414  (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.redis]
CODE = "nets4dem"


def wait_until(check, timeout: float = 20.0):  # noqa: ANN001
    """Poll until ``check()`` is true (a bound on waiting, not an assertion on time)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


def live_process(tmp_path, name: str, redis_url: str) -> LiveServer:  # noqa: ANN001
    folder = tmp_path / name
    folder.mkdir()
    return LiveServer(folder, LIVE_REDIS_URL=redis_url, LIVE_PURGE="true").start()


def purges(store: RedisStore) -> list:
    return [e for e in store.moderation_log(CODE) if e.action == "purge"]


def test_two_processes_purge_once(tmp_path, redis_server):
    store = RedisStore(redis_server.url)
    loaded = load_webinar_file(default_webinar_path())  # it ended in 2024: past its 90 days
    store.create_webinar(loaded.webinar, "key", loaded.polls)
    ask = lambda name: store.add_question(  # noqa: E731
        Question(0, CODE, "Why?", name, f"p-{name}", loaded.webinar.starts_at)
    )
    ask("Ada")
    a = live_process(tmp_path, "a", redis_server.url)
    try:
        wait_until(lambda: purges(store))
        assert store.personal_data(CODE).names == 0
        # a name that comes in now would be purged by a second purge
        late = ask("Bo")
        b = live_process(tmp_path, "b", redis_server.url)
        try:
            wait_until(lambda: "purge skipped" in b.log.read_text())
            assert len(purges(store)) == 1
            assert store.questions(CODE, [late.id])[0].name == "Bo"
            assert "purged nets4dem: 1 name, 1 link to a question" in a.log.read_text()
        finally:
            b.stop()
    finally:
        a.stop()
        store.close()
