"""The attendee page on phones of 360x740 and 320x640: what the first screen holds, measured with
bounding boxes in Debian's Chromium against the real eventlet server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import test_browser
from .test_browser import PROGRAMME_POLL

# the browser views of test_browser.py: two phones, the console and the projector
server, views = test_browser.server, test_browser.views

pytestmark = pytest.mark.browser
PHONES = [(360, 740), (320, 640)]


def box(locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def open_poll(mod) -> None:
    mod.locator("article.poll", has_text=PROGRAMME_POLL).get_by_role(
        "button", name="Open poll"
    ).click()


@pytest.mark.parametrize(("width", "height"), PHONES)
def test_the_first_screen_holds_the_title_the_tabs_and_the_ask_box(views, width, height):
    a, mod = views.attendee_a, views.moderator
    open_poll(mod)
    a.set_viewport_size({"width": width, "height": height})
    a.reload()
    a.wait_for_selector("#connection[data-state=connected]")
    # the title takes two lines at most; the date and the rest are behind "About this webinar"
    title = box(a.get_by_role("heading", level=1))
    line = a.get_by_role("heading", level=1).evaluate(
        "el => parseFloat(getComputedStyle(el).lineHeight)"
    )
    assert title["height"] <= 2 * line + 1
    expect(a.locator(".webinar-header .when")).to_be_hidden()
    # asking is on the first screen, poll or no poll
    field, send = (
        a.get_by_label("Your question", exact=True),
        a.get_by_role("button", name="Send question"),
    )
    assert box(send)["y"] + box(send)["height"] <= height
    assert box(field)["y"] < height / 2
    # the open poll is one tap away: its tab says so
    tab = a.get_by_role("tab", name="Polls 1 open")
    assert box(tab)["y"] + box(tab)["height"] <= height
    tab.click()
    vote = a.get_by_role("button", name="Submit vote")
    expect(vote).to_be_visible()
    assert box(a.locator("form.poll legend"))["y"] < height / 2
    # and asking from there is one tap too
    a.get_by_role("button", name="Ask a question").click()
    expect(a.get_by_label("Your question", exact=True)).to_be_focused()
    overflow = a.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_the_tabs_work_with_the_keyboard(views):
    a = views.attendee_a
    qa = a.get_by_role("tab", name="Q&A")
    polls = a.get_by_role("tab", name="Polls")
    expect(qa).to_have_attribute("aria-selected", "true")
    qa.focus()
    a.keyboard.press("ArrowRight")
    expect(polls).to_be_focused()
    expect(polls).to_have_attribute("aria-selected", "true")
    expect(a.get_by_role("tabpanel", name="Polls")).to_be_visible()
    expect(a.get_by_label("Your question", exact=True)).to_be_hidden()
    a.keyboard.press("ArrowRight")  # round to the first
    expect(qa).to_be_focused()
    a.keyboard.press("End")
    expect(polls).to_be_focused()
    a.keyboard.press("Home")
    expect(qa).to_have_attribute("aria-selected", "true")
    expect(a.get_by_role("tabpanel", name="Q&A")).to_be_visible()
    # one tab stop for the tablist: Tab goes on into the panel
    assert polls.get_attribute("tabindex") == "-1"


@pytest.mark.parametrize(("width", "height"), PHONES)
def test_the_topic_filter_is_one_row(views, width, height):
    b = views.attendee_b
    b.set_viewport_size({"width": width, "height": height})
    group = b.get_by_role("group", name="Show questions on")
    buttons = group.get_by_role("button")
    tops = {round(box(buttons.nth(i))["y"]) for i in range(buttons.count())}
    assert len(tops) == 1, tops
    assert box(group)["height"] < 60
    assert box(group)["width"] <= width
    # the last chip is reached by scrolling the row sideways, not the page
    buttons.last.scroll_into_view_if_needed()
    expect(buttons.last).to_be_in_viewport()
    assert b.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_send_stays_above_the_keyboard_and_the_similar_offer_is_readable(views):
    a, b = views.attendee_a, views.attendee_b
    a.get_by_label("Your question", exact=True).fill("Is the Democracy Lab held in Barcelona?")
    a.get_by_role("button", name="Send question").click()
    b.locator("#questions li", has_text="held in Barcelona").wait_for()
    # an open on-screen keyboard leaves 320x300 of the page (the layout viewport shrinks with it)
    b.set_viewport_size({"width": 320, "height": 300})
    field = b.get_by_label("Your question", exact=True)
    field.focus()
    field.evaluate("el => el.scrollIntoView()")
    field.press_sequentially("Where is the Democracy Lab held?")
    similar = b.locator("#similar-list li").first
    similar.wait_for()
    send = b.get_by_role("button", name="Send question")
    assert 0 <= box(send)["y"] and box(send)["y"] + box(send)["height"] <= 300
    # the similar question is read at the width of the card, not squeezed beside its button
    assert box(similar.locator(".question-text"))["width"] >= 200
    expect(similar.get_by_role("button", name="Upvote")).to_be_visible()
