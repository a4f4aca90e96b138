"""Every page and its main states pass axe (WCAG 2.1 A and AA) in the light and the dark colour
scheme, as the device asks for it (Debian's Chromium against the real eventlet server)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import test_browser
from .test_browser import CODE, PROGRAMME_POLL, show_polls, show_questions

# the browser views of test_browser.py: two phones, the console and the projector
server, views = test_browser.server, test_browser.views

pytestmark = pytest.mark.browser
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe_in_light_and_dark(views, server, browser, scheme):
    from axe_playwright_python.sync_playwright import Axe

    a, b, mod, screen = views.attendee_a, views.attendee_b, views.moderator, views.projector
    for page in views.pages:
        page.emulate_media(color_scheme=scheme)
    dark = scheme == "dark"
    assert a.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") is dark
    axe = Axe()

    def check(page, state: str) -> None:
        page.wait_for_timeout(700)  # let the bars finish moving
        results = axe.run(page, options=WCAG)
        assert results.violations_count == 0, f"{scheme}, {state}:\n{results.generate_report()}"

    # the page's ground follows the scheme
    ground = a.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert (ground != "rgb(255, 255, 255)") is dark, ground

    a.get_by_label("Your question", exact=True).fill("Is the Accelerator open to small towns?")
    a.get_by_role("button", name="Send question").click()
    mod.locator("#live li", has_text="small towns").wait_for()
    mod.get_by_label("Pre-moderation").check()
    a.get_by_label("Your question", exact=True).fill("A pending one?")
    a.get_by_role("button", name="Send question").click()
    mod.locator("#pending li").first.wait_for()
    poll = mod.locator("article.poll", has_text=PROGRAMME_POLL)
    poll.get_by_role("button", name="Open poll").click()
    poll.get_by_role("button", name="Show results").click()
    check(a, "attendee, Q&A with questions, a pending one and the open poll's badge")
    show_polls(b)
    b.locator("form.poll .results").wait_for()
    check(b, "attendee, the Polls tab with an open poll and its results")
    show_questions(b)
    b.get_by_label("Your question", exact=True).press_sequentially("Accelerator small towns")
    b.locator("#similar-list li").wait_for()
    check(b, "attendee with similar questions")

    check(mod, "console with a pending question and an open poll")
    item = mod.locator("#live li", has_text="small towns")
    item.get_by_role("button", name="More actions").click()
    expect(item.get_by_role("menu")).to_be_visible()
    check(mod, "console with a More menu open")
    mod.keyboard.press("Escape")
    mod.locator("#pending li").first.get_by_role("button", name="Dismiss…").click()
    check(mod, "console with the reasons to dismiss")
    mod.get_by_role("group", name="Dismiss as").get_by_role("button", name="Cancel").click()
    mod.get_by_role("button", name="New poll").click()
    check(mod, "console with the new poll dialog")
    mod.keyboard.press("Escape")
    check(screen, "projector with an open poll")

    mod.get_by_label("Publish the follow-up page").check()
    other = a.context.new_page()
    other.emulate_media(color_scheme=scheme)
    for path, state in (
        ("/", "home page"),
        (f"/e/{CODE}/follow-up", "follow-up page"),
        ("/e/no-such-webinar", "not found page"),
    ):
        other.goto(server.url + path)
        check(other, state)
    link = re.search(r"Organiser page: +(\S+)", server.log.read_text()).group(1)
    other.goto(link)
    check(other, "organiser page")
    # a webinar's own accent colour (dark enough for white text on it) reads in both schemes
    other.get_by_text(f"Edit {CODE}").click()
    other.get_by_label(re.compile("^Accent colour")).first.fill("#7a1f5c")
    other.get_by_role("button", name="Save the changes").first.click()
    expect(other.get_by_role("status")).to_contain_text(f"Saved {CODE}")
    a.reload()
    a.wait_for_selector("#connection[data-state=connected]")
    accent = "getComputedStyle(document.documentElement).getPropertyValue('--accent')"
    assert a.evaluate(accent).strip() == "#7a1f5c"
    check(a, "attendee with the webinar's accent colour")
    mod.reload()
    mod.wait_for_selector("#connection[data-state=connected]")
    check(mod, "console with the webinar's accent colour")
