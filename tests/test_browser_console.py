"""The moderator console on a 1366x768 laptop: the queue in the centre, one row of main actions
per question and the rest in a "More" menu, the open poll in the bar across the top, a new poll
in a dialog. Measured with bounding boxes in Debian's Chromium against the real eventlet server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import test_browser
from .test_browser import PROGRAMME_POLL

# the browser views of test_browser.py: two phones, the console (1366x768) and the projector
server, views = test_browser.server, test_browser.views

pytestmark = pytest.mark.browser
QUESTIONS = [
    "Can two people from the same city apply to the Democracy Lab together?",
    "Is there funding for travel to Barcelona in September?",
    "How much staff time does the Accelerator need from a city each month?",
    "Can mentors in the Rising Stars programme come from outside Eurocities members?",
    "Will the webinar recording be shared afterwards?",
]


def box(locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def ask_five(views) -> None:
    a, mod = views.attendee_a, views.moderator
    for text in QUESTIONS:
        a.get_by_label("Your question", exact=True).fill(text)
        a.get_by_role("button", name="Send question").click()
        mod.locator("#live li", has_text=text).wait_for()


def test_the_queue_is_the_first_screen(views):
    mod = views.moderator
    ask_five(views)
    mod.reload()
    mod.wait_for_selector("#connection[data-state=connected]")
    assert mod.viewport_size == {"width": 1366, "height": 768}
    first = mod.locator("#live li").first
    expect(first).to_be_visible()
    # the first question and its main actions are on the first screen, without scrolling
    actions = first.locator(".actions")
    assert box(actions)["y"] + box(actions)["height"] <= 768
    # one row: the main actions, then "More"
    buttons = actions.get_by_role("button")
    names = [buttons.nth(i).inner_text().strip() for i in range(buttons.count())]
    assert names[:4] == ["Put on screen", "Mark answered", "Dismiss…", "More"], names
    assert len({round(box(buttons.nth(i))["y"]) for i in range(buttons.count())}) == 1
    # about five questions on a screen: three or more whole ones, the queue beside the room
    cards = mod.locator("#live li.question")
    whole = [
        i
        for i in range(cards.count())
        if box(cards.nth(i))["y"] + box(cards.nth(i))["height"] <= 768
    ]
    assert len(whole) >= 3, len(whole)
    queue, room = box(mod.locator("section.queue")), box(mod.locator("section.room"))
    assert queue["x"] > room["x"] and queue["y"] < 300
    # the shortcuts are collapsed, "New poll" is at the top
    expect(mod.locator("details.shortcuts")).not_to_have_attribute("open", "")
    assert box(mod.get_by_role("button", name="New poll"))["y"] < 150
    assert mod.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_the_more_menu_with_the_keyboard(views):
    mod = views.moderator
    views.attendee_a.get_by_label("Your question", exact=True).fill(QUESTIONS[0])
    views.attendee_a.get_by_role("button", name="Send question").click()
    item = mod.locator("#live li", has_text="apply to the Democracy Lab")
    button = item.get_by_role("button", name="More actions")
    expect(button).to_have_attribute("aria-haspopup", "menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.focus()
    mod.keyboard.press("Enter")
    menu = item.get_by_role("menu")
    expect(menu).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    entries = menu.get_by_role("menuitem")
    expect(entries).to_have_text(["Archive", "Merge into…", "Edit", "Topic…", "Write an answer"])
    expect(entries.first).to_be_focused()
    mod.keyboard.press("ArrowDown")
    expect(entries.nth(1)).to_be_focused()
    mod.keyboard.press("End")
    expect(entries.last).to_be_focused()
    mod.keyboard.press("ArrowDown")  # round to the first
    expect(entries.first).to_be_focused()
    mod.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    mod.keyboard.press("ArrowUp")  # opens on the last item
    expect(entries.last).to_be_focused()
    mod.keyboard.press("Enter")
    box_ = item.get_by_label("Written answer (attendees see it under the question)")
    expect(box_).to_be_focused()
    mod.keyboard.press("Escape")
    expect(item).to_be_focused()
    # leaving the menu closes it
    button.click()
    expect(menu).to_be_visible()
    mod.locator("body").click(position={"x": 5, "y": 700})
    expect(menu).to_be_hidden()


def test_an_open_poll_is_unmistakable_and_a_new_one_is_a_dialog(views):
    mod = views.moderator
    bar = mod.locator("#open-poll")
    expect(bar).to_have_text("No poll is open.")
    card = mod.locator("article.poll", has_text=PROGRAMME_POLL)
    card.get_by_label("Time limit").select_option("60")
    card.get_by_role("button", name="Open poll").click()
    expect(bar.locator(".badge")).to_have_text("Poll open")
    expect(bar).to_contain_text(PROGRAMME_POLL)
    expect(bar.locator(".countdown")).to_have_text(re.compile(r"Closes in [01]:\d\d"))
    expect(card.locator(".open-badge")).to_have_text("Open now")
    colour = bar.evaluate("el => getComputedStyle(el).borderTopColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "rgb(0, 0, 0)")
    assert box(bar)["y"] < 150
    # a new poll: a dialog from the top, Escape closes it and gives the focus back
    opener = mod.get_by_role("button", name="New poll")
    opener.click()
    dialog = mod.get_by_role("dialog", name="New poll")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Question", exact=True)).to_be_focused()
    mod.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    opener.click()
    dialog.get_by_label("Question", exact=True).fill("Coffee or tea?")
    dialog.get_by_label("Options, one per line").fill("Coffee\nTea")
    dialog.get_by_role("button", name="Create poll").click()
    expect(dialog).to_be_hidden()
    created = mod.locator("article.poll", has_text="Coffee or tea?")
    expect(created.get_by_role("button", name="Open poll")).to_be_focused()
    expect(mod.locator("#poll-message")).to_contain_text("Poll created as a draft")


def test_the_merge_chooser_fits_its_card_and_is_searched(views):
    a, mod = views.attendee_a, views.moderator
    long = "Is there funding for travel to Barcelona in September? " * 5
    for text in (long.strip(), "Who pays the trip to the Democracy Lab?", "Is lunch included?"):
        a.get_by_label("Your question", exact=True).fill(text)
        a.get_by_role("button", name="Send question").click()
        mod.locator("#live li", has_text=text[:30]).wait_for()
    duplicate = mod.locator("#live li", has_text="Who pays the trip")
    duplicate.get_by_role("button", name="More actions").click()
    duplicate.get_by_role("menuitem", name="Merge into…").click()
    chooser = duplicate.get_by_label("Merge into", exact=True)
    card = box(duplicate)
    for field in (chooser, duplicate.get_by_label("Find the question to merge into")):
        assert box(field)["x"] + box(field)["width"] <= card["x"] + card["width"]
    expect(chooser.locator("option")).to_have_count(2)
    duplicate.get_by_label("Find the question to merge into").fill("lunch")
    expect(chooser.locator("option")).to_have_text([re.compile("Is lunch included")])
    duplicate.get_by_role("button", name="Merge", exact=True).click()
    expect(
        mod.locator("#closed li", has_text="Who pays the trip").locator(".meta")
    ).to_contain_text("merged into #")
