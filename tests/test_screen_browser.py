"""The screen in a real browser: the projector shows what moderators chose, the console's preview
follows it, and both pages pass axe (Debian's Chromium against the real eventlet server)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import test_browser
from .test_browser import CODE, PROGRAMME_POLL

# the browser views of test_browser.py: two phones, the console and the projector
server, views = test_browser.server, test_browser.views

pytestmark = pytest.mark.browser
LIKELY_POLL = "How likely is your city to apply?"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def ask(page, text: str) -> None:
    page.get_by_label("Your question", exact=True).fill(text)
    page.get_by_role("button", name="Send question").click()


def poll_button(mod, prompt: str, name: str):
    return mod.locator("article.poll", has_text=prompt).get_by_role("button", name=name, exact=True)


def test_the_issues_first_sequence_puts_the_question_on_screen(views):
    a, mod, screen = views.attendee_a, views.moderator, views.projector
    ask(a, "Can a city of 20,000 people apply?")
    poll_button(mod, PROGRAMME_POLL, "Open poll").click()
    expect(screen.locator(".screen-poll h2")).to_have_text(PROGRAMME_POLL)
    expect(screen.locator(".screen-hint")).to_have_text("Vote on your phone now")
    poll_button(mod, PROGRAMME_POLL, "Show results").click()
    expect(screen.locator(".screen-poll .results")).to_be_visible()
    poll_button(mod, PROGRAMME_POLL, "Close poll").click()
    mod.locator("#live li", has_text="20,000 people").get_by_role(
        "button", name="Put on screen"
    ).click()
    expect(screen.locator(".screen-question blockquote")).to_have_text(
        "Can a city of 20,000 people apply?"
    )
    expect(screen.locator(".screen-poll")).to_have_count(0)
    # the console's preview shows the same, and says so
    expect(mod.locator(".screen-preview .screen-question blockquote")).to_have_text(
        "Can a city of 20,000 people apply?"
    )
    expect(mod.locator("#screen-now")).to_contain_text("20,000 people")


def test_the_issues_second_sequence_shows_the_reopened_poll(views):
    mod, screen = views.moderator, views.projector
    poll_button(mod, PROGRAMME_POLL, "Open poll").click()
    poll_button(mod, PROGRAMME_POLL, "Close poll").click()
    poll_button(mod, LIKELY_POLL, "Open poll").click()
    poll_button(mod, LIKELY_POLL, "Show results").click()
    expect(screen.locator(".screen-poll h2")).to_have_text(LIKELY_POLL)
    expect(screen.locator(".screen-poll .results")).to_be_visible()
    poll_button(mod, PROGRAMME_POLL, "Open poll").click()
    expect(screen.locator(".screen-poll h2")).to_have_text(PROGRAMME_POLL)
    expect(screen.locator(".screen-hint")).to_have_text("Vote on your phone now")
    card = mod.locator("article.poll", has_text=PROGRAMME_POLL)
    expect(card.locator(".on-screen-badge")).to_have_text("On screen")
    # the results of the other poll, on screen without showing them to attendees
    poll_button(mod, LIKELY_POLL, "Hide results").click()
    poll_button(mod, LIKELY_POLL, "Put results on screen").click()
    expect(screen.locator(".screen-poll h2")).to_have_text(LIKELY_POLL)
    expect(screen.locator(".screen-poll .results")).to_be_visible()
    expect(
        mod.locator("article.poll", has_text=LIKELY_POLL).locator(".on-screen-badge")
    ).to_have_text("Results on screen")
    expect(card.locator(".on-screen-badge")).to_be_hidden()


def test_the_console_preview_follows_the_screen(views):
    a, mod, screen = views.attendee_a, views.moderator, views.projector
    ask(a, "Is there funding for travel?")
    # a new webinar shows the welcome screen: how to join, big
    expect(screen.locator(".screen-welcome .join-code")).to_contain_text(CODE)
    expect(mod.locator(".screen-preview .screen-welcome .join-code")).to_contain_text(CODE)
    expect(mod.get_by_role("button", name="Welcome")).to_have_attribute("aria-pressed", "true")
    mod.get_by_role("button", name="Top questions").click()
    expect(screen.locator(".screen-top li")).to_contain_text(["funding for travel"])
    expect(mod.locator(".screen-preview .screen-top li")).to_contain_text(["funding for travel"])
    expect(mod.get_by_role("button", name="Top questions")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(mod.locator("#announcer")).to_have_text("On screen: the top questions")
    # keyboard: the controls are buttons in the tab order
    mod.get_by_role("button", name="Blank").focus()
    mod.keyboard.press("Enter")
    expect(screen.locator(".screen")).to_have_attribute("data-screen", "blank")
    expect(mod.locator(".screen-preview")).to_have_attribute("data-screen", "blank")
    expect(mod.locator("#screen-now")).to_have_text("On screen: nothing (blank)")
    # the preview is the 1920x1080 screen scaled into its frame: it fits, with the same layout
    frame = mod.locator(".screen-frame").bounding_box()
    preview = mod.locator(".screen-preview").bounding_box()
    assert frame and preview
    assert abs(preview["width"] - frame["width"]) < 3 and preview["height"] <= frame["height"] + 2
    # taking a question off the screen falls back to the welcome screen
    item = mod.locator("#live li", has_text="funding for travel")
    item.get_by_role("button", name="Put on screen").click()
    expect(mod.locator(".screen-preview .screen-question")).to_be_visible()
    item.get_by_role("button", name="Take off screen").click()
    expect(screen.locator(".screen-welcome")).to_be_visible()
    expect(mod.locator(".screen-preview .screen-welcome")).to_be_visible()


def test_console_and_projector_pass_axe(views):
    from axe_playwright_python.sync_playwright import Axe

    a, mod, screen = views.attendee_a, views.moderator, views.projector
    ask(a, "Will there be a recording?")
    for kind in ("Welcome", "Top questions"):
        mod.get_by_role("button", name=kind).click()
        expect(mod.get_by_role("button", name=kind)).to_have_attribute("aria-pressed", "true")
        for page in (mod, screen):
            results = Axe().run(page, options=WCAG)
            assert results.violations_count == 0, results.generate_report()
    poll_button(mod, PROGRAMME_POLL, "Open poll").click()
    expect(screen.locator(".screen-poll")).to_be_visible()
    for page in (mod, screen):
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, results.generate_report()
