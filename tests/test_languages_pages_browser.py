"""The attendee page in the attendee's language (issue 15, phase 2b): the page sends its language
in the Socket.IO auth and shows the German version of a poll the webinar file translates
(Chromium against the real eventlet server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import socketio
from playwright.sync_api import expect

from .servers import LiveServer

pytestmark = pytest.mark.browser
CODE = "nets4dem"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path_factory.mktemp("pages-languages")).start()
    yield live_server
    live_server.stop()


@pytest.fixture
def phone(browser):
    # an English browser: the page's language comes from ?lang, and the socket follows the page
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740})
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def test_an_open_poll_reaches_a_german_attendee_in_german(phone, server):
    moderator = socketio.SimpleClient()
    moderator.connect(server.url, auth={"webinar": CODE, "key": "e2e-moderator-key"})
    try:
        polls = moderator.receive(timeout=5)[1]["polls"]
        programme = next(p for p in polls if p["translations"].get("de"))
        assert moderator.call("poll", {"poll": programme["id"], "action": "open"})["ok"]
    finally:
        moderator.disconnect()
    german = programme["translations"]["de"]

    sent: list[str] = []
    phone.on("websocket", lambda ws: sent.append(ws.url))
    phone.goto(f"{server.url}/e/{CODE}?lang=de")
    expect(phone.locator("html")).to_have_attribute("lang", "de")
    legend = phone.locator(f"#poll-{programme['id']}-legend")
    expect(legend).to_have_text(german["prompt"])
    expect(legend).not_to_have_text(programme["prompt"])
    card = phone.locator(f"form[aria-labelledby='poll-{programme['id']}-legend']")
    expect(card.get_by_text(german["options"][-1], exact=True)).to_be_attached()
