"""Fixtures: the app on a fresh store, its HTTP client, and Socket.IO clients by role."""

from __future__ import annotations

import gc
import os
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from live import Live, create_app, socketio

from .servers import RedisServer

MODERATOR_KEY = "test-moderator-key"
CODE = "nets4dem"


@pytest.fixture
def app(tmp_path, monkeypatch) -> Flask:
    monkeypatch.setenv("LIVE_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app(
        {
            "TESTING": True,
            "STORE_URL": "memory://",
            "SECRET_KEY": "test-secret",
            "MODERATOR_KEY": MODERATOR_KEY,
            "ASYNC_MODE": "threading",
            # no ticker: tests send the coalesced updates with room.flush()
            "TICK_MS": 0,
            "ACCESS_LOG": False,
        }
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def live(app: Flask) -> Live:
    return app.extensions["live"]


class Room:
    """Open Socket.IO test clients as attendees or moderators of one webinar, and send updates."""

    def __init__(self, app: Flask, live: Live) -> None:
        self.app = app
        self.live = live

    def token(self, code: str = CODE) -> str:
        return self.live.identities.issue(code)[1]

    def attendee(self, token: str | None = None, code: str = CODE) -> SocketIOTestClient:
        auth = {"webinar": code, "participant": token or self.token(code)}
        return socketio.test_client(self.app, auth=auth)

    def moderator(self, key: str = MODERATOR_KEY, **auth: Any) -> SocketIOTestClient:
        return socketio.test_client(self.app, auth={"webinar": CODE, "key": key, **auth})

    def connect(
        self, auth: Any, flask_test_client: FlaskClient | None = None
    ) -> SocketIOTestClient:
        return socketio.test_client(self.app, auth=auth, flask_test_client=flask_test_client)

    def flush(self) -> None:
        """Send the coalesced updates now (what the ticker does every tick)."""
        self.live.broadcaster.flush()


@pytest.fixture
def room(app: Flask, live: Live) -> Room:
    return Room(app, live)


def received(client: SocketIOTestClient, name: str) -> list[Any]:
    """Drain a client's queue and return the first argument of each event with that name."""
    return [event["args"][0] for event in client.get_received() if event["name"] == name]


def ack(client: SocketIOTestClient, event: str, payload: Any) -> dict[str, Any]:
    """Emit an event and return its acknowledgement."""
    return client.emit(event, payload, callback=True)  # type: ignore[no-any-return]


def require_or_skip(kind: str, reason: str) -> None:
    """Skip a test that needs something missing; fail instead when LIVE_REQUIRE_<KIND>=1."""
    if os.environ.get(f"LIVE_REQUIRE_{kind.upper()}") == "1":
        pytest.fail(f"{reason} (LIVE_REQUIRE_{kind.upper()}=1 makes this a failure)")
    pytest.skip(reason)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def clients() -> Iterator[list[Any]]:
    """The real Socket.IO clients a test opens (tests/test_e2e.py's Client); closed after it."""
    opened: list[Any] = []
    yield opened
    for client in opened:
        client.sio.disconnect()
    opened.clear()
    # python-engineio leaves open the WebSocket of a connection its server dropped (the tests that
    # kill or stop servers do that on purpose): collect those sockets here, quietly, rather than
    # let a later test's garbage collection report them as that test's ResourceWarning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A Redis of the tests' own: LIVE_TEST_REDIS_URL, or a redis-server started on a free port.

    Tests share it, so each one uses keys of its own (a unique store prefix), never the machine's
    Redis on 6379.
    """
    if os.environ.get("LIVE_TEST_REDIS_URL"):
        yield os.environ["LIVE_TEST_REDIS_URL"]
        return
    if shutil.which("redis-server") is None:
        require_or_skip("redis", "redis-server is not installed")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("browser", "playwright is not installed")
    if not os.path.exists(CHROMIUM):
        require_or_skip("browser", f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def page_without_errors(browser: Any, **context_options: Any) -> Iterator[Any]:
    """Open a page in a fresh browser context; fail the test if a script on it threw."""
    context = browser.new_context(**context_options)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def open_translated_poll(url: str, language: str) -> dict[str, Any]:
    """As a moderator of the default webinar on the server at ``url``, open its first poll that
    the webinar file translates into ``language``; return that poll as the moderator saw it."""
    import socketio as socketio_client

    moderator = socketio_client.SimpleClient()
    moderator.connect(url, auth={"webinar": "nets4dem", "key": "e2e-moderator-key"})
    try:
        polls = moderator.receive(timeout=5)[1]["polls"]
        poll: dict[str, Any] = next(p for p in polls if p["translations"].get(language))
        assert moderator.call("poll", {"poll": poll["id"], "action": "open"})["ok"]
    finally:
        moderator.disconnect()
    return poll
