"""Chromium against the real eventlet server with the fast fan-out: deflate is negotiated without
context takeover, and the pages get their updates through it (compressed once per broadcast)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .servers import LiveServer

pytestmark = pytest.mark.browser
CODE = "nets4dem"
QUESTION = "Does the fast fan-out reach every phone?"


@pytest.fixture
def server(tmp_path) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path).start()
    yield live_server
    live_server.stop()


def test_chromium_gets_updates_compressed_without_context_takeover(browser, server):
    assert "fast fan-out on (eventlet)" in server.log.read_text()
    phone = {"viewport": {"width": 390, "height": 844}, "has_touch": True}
    asking, reading = browser.new_context(**phone), browser.new_context(**phone)
    try:
        a, b = asking.new_page(), reading.new_page()
        cdp = reading.new_cdp_session(b)
        answers: list[dict[str, str]] = []
        cdp.on(
            "Network.webSocketHandshakeResponseReceived",
            lambda event: answers.append(event["response"]["headers"]),
        )
        cdp.send("Network.enable")
        for page in (a, b):
            page.set_default_timeout(15000)
            page.goto(f"{server.url}/e/{CODE}")
            page.wait_for_selector("#connection[data-state=connected]")

        a.get_by_label("Your question", exact=True).fill(QUESTION)
        a.get_by_role("button", name="Send question").click()
        mine = b.locator("#questions li", has_text=QUESTION)
        mine.wait_for()
        mine.get_by_role("button", name="Upvote").click()
        a.locator("#questions li", has_text=QUESTION).locator(".count", has_text="1").wait_for()

        extensions = [
            value
            for headers in answers
            for name, value in headers.items()
            if name.lower() == "sec-websocket-extensions"
        ]
        assert extensions, answers
        for value in extensions:
            assert value.startswith("permessage-deflate")
            assert "server_no_context_takeover" in value
            assert "client_no_context_takeover" in value
    finally:
        asking.close()
        reading.close()
