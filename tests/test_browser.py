"""The three pages in a real browser (Debian's Chromium) against the real eventlet server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .servers import LiveServer

pytestmark = pytest.mark.browser
CODE = "nets4dem"
KEY = "e2e-moderator-key"
XSS = "<img src=x onerror=alert(1)> </script> is this text?"


@pytest.fixture
def server(tmp_path) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path).start()
    yield live_server
    live_server.stop()


@pytest.fixture
def pages(browser, server):
    """An attendee on a phone, a moderator on a laptop and the projector, each in a context."""
    contexts = [
        browser.new_context(viewport={"width": 390, "height": 844}),
        browser.new_context(viewport={"width": 1366, "height": 768}),
        browser.new_context(viewport={"width": 1920, "height": 1080}),
    ]
    attendee, moderator, projector = (context.new_page() for context in contexts)
    dialogs: list[str] = []
    for page in (attendee, moderator, projector):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    moderator.goto(f"{server.url}/e/{CODE}/moderate?key={KEY}")
    attendee.goto(f"{server.url}/e/{CODE}")
    projector.goto(f"{server.url}/e/{CODE}/present")
    for page in (attendee, moderator, projector):
        page.wait_for_selector("#connection[data-state=connected]")
    yield attendee, moderator, projector, dialogs
    for context in contexts:
        context.close()


def test_ask_moderate_project_and_vote(pages):
    attendee, moderator, projector, dialogs = pages
    assert moderator.url.endswith(f"/e/{CODE}/moderate")  # the key left the address bar

    attendee.get_by_label("Your question", exact=True).fill(XSS)
    attendee.get_by_role("button", name="Send question").click()
    attendee.get_by_text("Your question is in the list").wait_for()

    item = moderator.locator("#live li.question", has_text="is this text?")
    item.wait_for()
    assert item.locator(".question-text").inner_text() == XSS
    item.get_by_role("button", name="Put on screen").click()
    projector.locator("blockquote", has_text="is this text?").wait_for()
    assert projector.locator("blockquote").inner_text() == XSS

    upvote = attendee.locator("#questions li", has_text="is this text?").get_by_role(
        "button", name="Upvote"
    )
    upvote.click()
    attendee.wait_for_selector("#questions button.upvote[aria-pressed=true]")
    moderator.locator("#live li.question", has_text="1 upvote").wait_for()

    poll = moderator.locator("article.poll", has_text="How likely is your city to apply?")
    poll.get_by_role("button", name="Open poll").click()
    card = attendee.locator("form.poll", has_text="How likely is your city to apply?")
    card.get_by_label("Likely", exact=True).check()
    card.get_by_role("button", name="Submit vote").click()
    card.get_by_text("Your vote is counted").wait_for()
    poll.get_by_text("1 voter").wait_for()
    poll.get_by_role("button", name="Show results").click()
    projector.locator(".screen-poll .voters", has_text="1 voter").wait_for()
    assert "1 (100" in projector.locator(".screen-poll").inner_text()
    assert dialogs == []  # nothing the attendee typed ran as script
