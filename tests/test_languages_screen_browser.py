"""The projector in German (issue 15, phase 2): ?lang=de gives German labels and the German
version of a poll the webinar file translates; axe finds nothing (Chromium, the real server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from .conftest import open_translated_poll, page_without_errors
from .servers import LiveServer

pytestmark = pytest.mark.browser
CODE = "nets4dem"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path_factory.mktemp("screen-languages")).start()
    yield live_server
    live_server.stop()


@pytest.fixture
def projector(browser, server):
    # an English-speaking venue computer: the screen follows its address, not the browser
    screen_size = {"width": 1280, "height": 720}
    with page_without_errors(browser, locale="en-GB", viewport=screen_size) as page:
        yield page


def test_the_projector_in_german_shows_german_labels_and_a_german_poll(projector, server, clients):
    from axe_playwright_python.sync_playwright import Axe

    from .test_e2e import attendee
    from .test_e2e import moderator as moderator_client

    projector.goto(f"{server.url}/e/{CODE}/present?lang=de")
    expect(projector.locator("html")).to_have_attribute("lang", "de")
    # the welcome screen: the webinar's German title, the labels from the catalogue
    expect(projector.locator(".screen-title")).to_contain_text("Bürgerbeteiligung")
    expect(projector.locator(".welcome-lead")).to_have_text(
        "Stellen Sie Ihre Fragen und stimmen Sie per Smartphone ab"
    )
    expect(projector.get_by_role("button", name="Vollbild")).to_be_visible()
    expect(projector.get_by_role("complementary", name="So nehmen Sie teil")).to_be_visible()

    programme = open_translated_poll(server.url, "de")
    german = programme["translations"]["de"]
    expect(projector.locator(".screen-poll h2")).to_have_text(german["prompt"])
    expect(projector.locator(".screen-options li")).to_have_count(len(german["options"]))
    expect(projector.locator(".screen-options li").last).to_contain_text(german["options"][-1])
    expect(projector.locator(".screen-hint")).to_have_text(
        "Stimmen Sie jetzt auf Ihrem Smartphone ab"
    )
    # nothing of the English prompt is left on the screen
    expect(projector.locator(".screen-stage")).not_to_contain_text(programme["prompt"])
    results = Axe().run(projector, options=WCAG)
    assert results.violations_count == 0, results.generate_report()

    # a question's topic is read by its German name (questions carry the webinar's own)
    asker = attendee(server, clients)
    question = asker.call("ask", {"text": "Wer kann teilnehmen?", "topic": "General"})["question"]
    mod = moderator_client(server, clients)
    assert mod.call("screen", {"kind": "question", "id": question["id"]})["ok"]
    expect(projector.locator(".screen-question .meta")).to_contain_text("Allgemeines")
    expect(projector.locator(".screen-question .meta")).not_to_contain_text("General")
