"""The three views in a real browser (Debian's Chromium) against the real eventlet server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .servers import LiveServer

pytestmark = pytest.mark.browser
CODE = "nets4dem"
KEY = "e2e-moderator-key"
XSS = "<img src=x onerror=alert(1)> </script> Will <b>Barcelona</b> host again?"
PROGRAMME_POLL = "Which programme is your city interested in?"


@pytest.fixture
def server(tmp_path) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path).start()
    yield live_server
    live_server.stop()


@dataclass
class Views:
    attendee_a: object
    attendee_b: object
    moderator: object
    projector: object
    dialogs: list[str]

    @property
    def pages(self) -> list:
        return [self.attendee_a, self.attendee_b, self.moderator, self.projector]

    def wait_connected(self) -> None:
        for page in self.pages:
            page.wait_for_selector("#connection[data-state=connected]")


@pytest.fixture
def views(browser, server) -> Iterator[Views]:
    """Two attendees on phones (a context each) and a moderator's laptop with the console and the
    projector page (a third context)."""
    phone = {"viewport": {"width": 390, "height": 844}, "has_touch": True}
    contexts = [
        browser.new_context(**phone),
        browser.new_context(**phone),
        browser.new_context(viewport={"width": 1366, "height": 768}),
    ]
    a, b = contexts[0].new_page(), contexts[1].new_page()
    moderator, projector = contexts[2].new_page(), contexts[2].new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    result = Views(a, b, moderator, projector, [])
    for page in result.pages:
        page.set_default_timeout(15000)
        page.on("dialog", lambda dialog: (result.dialogs.append(dialog.message), dialog.dismiss()))
    moderator.goto(f"{server.url}/e/{CODE}/moderate?key={KEY}")
    a.goto(f"{server.url}/e/{CODE}")
    b.goto(f"{server.url}/e/{CODE}")
    projector.goto(f"{server.url}/e/{CODE}/present")
    result.wait_connected()
    yield result
    for context in contexts:
        context.close()


def show_polls(page) -> None:
    """Go to the attendee's Polls tab."""
    page.get_by_role("tab", name=re.compile("^Polls")).click()


def show_questions(page) -> None:
    """Go to the attendee's Q&A tab (the question box and the list)."""
    page.get_by_role("tab", name=re.compile("^Q&A")).click()


def more(item, name: str) -> None:
    """Choose an action from a console card's "More" menu."""
    item.get_by_role("button", name="More actions").click()
    item.get_by_role("menuitem", name=name).click()


def new_poll(mod) -> None:
    """Open the console's "New poll" dialog."""
    mod.get_by_role("button", name="New poll").click()
    expect(mod.get_by_role("dialog", name="New poll")).to_be_visible()


def question_in(page, selector: str = "#questions li"):
    return page.locator(selector, has_text="host again?")


def test_the_whole_webinar(views, server):
    a, b, mod, screen = views.attendee_a, views.attendee_b, views.moderator, views.projector
    assert mod.url.endswith(f"/e/{CODE}/moderate")  # the key left the address bar

    # pre-moderation: A asks, only the moderators (and A) see it until it is approved
    mod.get_by_label("Pre-moderation").check()
    a.get_by_text("The moderators review questions before they appear.").wait_for()
    a.get_by_label("Your question", exact=True).fill(XSS)
    a.get_by_label("Your name (optional)").fill("Ada")
    a.get_by_role("button", name="Send question").click()
    a.get_by_text("waiting for review by the moderators").wait_for()
    a.locator("#mine li", has_text="Status: waiting for review").wait_for()
    pending = question_in(mod, "#pending li")
    pending.get_by_role("button", name="Approve").click()
    question_in(b).wait_for()
    a.locator("#mine li", has_text="Status: live").wait_for()

    # B upvotes; the moderator sees the count
    upvote = question_in(b).get_by_role("button", name="Upvote")
    upvote.click()
    question_in(b).locator("button.upvote[aria-pressed=true]").wait_for()
    assert question_in(b).locator(".count").inner_text() == "1"
    question_in(mod, "#live li").get_by_text("1 upvote").wait_for()

    # on screen: the projector shows it, the attendees see it marked
    question_in(mod, "#live li").get_by_role("button", name="Put on screen").click()
    screen.locator("blockquote", has_text="host again?").wait_for()
    question_in(a).get_by_text("On screen now").wait_for()

    # the markup is text in all three views
    assert screen.locator("blockquote").inner_text() == XSS
    assert question_in(a).locator(".question-text").inner_text() == XSS
    assert question_in(b).locator(".question-text").inner_text() == XSS
    assert question_in(mod, "#live li").locator(".question-text").inner_text() == XSS
    for page in views.pages:
        assert page.locator("#main img[src=x], #main b").count() == 0

    # a poll: both vote, B changes their ballot, results go on screen
    poll = mod.locator("article.poll", has_text=PROGRAMME_POLL)
    poll.get_by_role("button", name="Open poll").click()
    screen.get_by_text("Vote on your phone now").wait_for()
    # the Polls tab says a poll is open; the poll is one tap away
    expect(a.get_by_role("tab", name="Polls 1 open")).to_be_visible()
    show_polls(a)
    show_polls(b)
    card_a = a.locator("form.poll", has_text=PROGRAMME_POLL)
    card_a.get_by_label("Democracy Lab - Barcelona, 17-19 September").check()
    card_a.get_by_label("Rising Stars Mentorship Programme").check()
    card_a.get_by_role("button", name="Submit vote").click()
    card_a.get_by_text("Your vote is counted").wait_for()
    card_b = b.locator("form.poll", has_text=PROGRAMME_POLL)
    card_b.get_by_label("Not sure yet").check()
    card_b.get_by_role("button", name="Submit vote").click()
    card_b.get_by_text("Your vote is counted").wait_for()
    card_b.get_by_label("Not sure yet").uncheck()
    card_b.get_by_label("Democracy Lab - Barcelona, 17-19 September").check()
    card_b.get_by_role("button", name="Submit vote").click()
    poll.get_by_text("2 voters").wait_for()
    poll.get_by_role("button", name="Show results").click()
    screen.locator(".screen-poll .voters", has_text="2 voters").wait_for()
    values = screen.locator(".screen-poll .bar-value").all_inner_texts()
    assert values == ["2 (100%)", "0 (0%)", "1 (50%)", "0 (0%)"]
    a.locator("form.poll .voters", has_text="2 voters").wait_for()

    # the server restarts: every page says so, refuses actions clearly, then resyncs by itself
    server.kill()
    for page in views.pages:
        page.wait_for_selector("#connection:not([data-state=connected])")
    show_questions(a)
    a.get_by_label("Your question", exact=True).fill("Sent while the server is down?")
    a.get_by_role("button", name="Send question").click()
    a.get_by_text("You are offline, so nothing was sent").wait_for()
    server.start()
    views.wait_connected()
    # B's upvote survived (B is on the Polls tab: the list is there, behind the Q&A tab)
    expect(question_in(b).locator("button.upvote")).to_have_attribute("aria-pressed", "true")
    screen.locator(".screen-poll .voters", has_text="2 voters").wait_for()
    assert screen.locator(".screen-poll .bar-value").all_inner_texts() == values
    # the screen survived the restart: the poll (opened after the question) replaced the question
    poll.locator(".on-screen-badge", has_text="Results on screen").wait_for()
    expect(question_in(mod, "#live li").locator(".on-air-badge")).to_be_hidden()
    card_b = b.locator("form.poll", has_text=PROGRAMME_POLL)
    assert card_b.get_by_label("Democracy Lab - Barcelona, 17-19 September").is_checked()
    # the text A typed is still in the box; sent now, it arrives once
    a.get_by_role("button", name="Send question").click()
    a.get_by_text("waiting for review by the moderators").wait_for()
    assert a.locator("#mine li").count() == 2
    mod.locator("#pending li", has_text="Sent while the server is down?").wait_for()
    assert mod.locator("#pending li", has_text="Sent while the server is down?").count() == 1
    assert views.dialogs == []  # nothing anyone typed ran as script


def test_moderator_keyboard_shortcuts(views):
    a, mod = views.attendee_a, views.moderator
    mod.get_by_label("Pre-moderation").check()
    for text in ("First from the keyboard?", "Second from the keyboard?"):
        a.get_by_label("Your question", exact=True).fill(text)
        a.get_by_role("button", name="Send question").click()
        mod.locator("#pending li", has_text=text).wait_for()
    mod.locator("body").click(position={"x": 5, "y": 5})
    mod.keyboard.press("j")  # the first question
    assert "First from the keyboard?" in mod.evaluate("document.activeElement.innerText")
    mod.keyboard.press("a")
    mod.locator("#live li", has_text="First from the keyboard?").wait_for()
    # the focus stays in the queue, on the next question, so the moderator can go on
    expect(mod.locator("li.question", has_text="Second from the keyboard?")).to_be_focused()
    mod.keyboard.press("d")  # dismiss: first say why
    reasons = mod.get_by_role("group", name="Dismiss as")
    expect(reasons.get_by_role("button", name="Off-topic")).to_be_focused()
    mod.keyboard.press("Tab")
    expect(reasons.get_by_role("button", name="Duplicate")).to_be_focused()
    mod.keyboard.press("Enter")
    dismissed = mod.locator("#closed li", has_text="Second from the keyboard?")
    expect(dismissed.locator(".meta")).to_contain_text("dismissed (duplicate)")
    # the author sees why; every attendee sees how many and why, never the text
    mine = a.locator("#mine li", has_text="Second from the keyboard?")
    expect(mine.locator(".status")).to_have_text("Status: dismissed (duplicate)")
    expect(views.attendee_b.locator("#dismissed-summary")).to_have_text(
        "Dismissed by the moderators: 1 as a duplicate."
    )
    expect(views.attendee_b.get_by_text("Second from the keyboard?")).to_have_count(0)
    mod.locator("#live li", has_text="First from the keyboard?").focus()
    mod.keyboard.press("s")
    views.projector.locator("blockquote", has_text="First from the keyboard?").wait_for()
    mod.keyboard.press("e")
    mod.get_by_label("Edit the question").fill("First, edited from the keyboard?")
    mod.keyboard.press("Enter")
    views.projector.locator("blockquote", has_text="First, edited from the keyboard?").wait_for()
    # the shortcuts are listed, collapsed until asked for
    shortcuts = mod.locator("details.shortcuts")
    assert "Tab to a question" not in shortcuts.inner_text()
    shortcuts.get_by_text("Keyboard shortcuts").click()
    assert "Tab to a question" in shortcuts.inner_text()


def test_attendee_uses_the_keyboard(views):
    a = views.attendee_a
    a.get_by_label("Your question", exact=True).focus()
    a.keyboard.type("Typed without a mouse?")
    assert a.locator("#question-counter").inner_text() == "22 of 300 characters"
    a.keyboard.press("Tab")  # the name field
    a.keyboard.press("Tab")  # the send button
    a.keyboard.press("Enter")
    item = a.locator("#questions li", has_text="Typed without a mouse?")
    item.wait_for()
    item.get_by_role("button", name="Upvote").focus()
    a.keyboard.press("Enter")
    item.locator("button.upvote[aria-pressed=true]").wait_for()
    # the focus stays on the button through the redraw
    assert a.evaluate("document.activeElement.classList.contains('upvote')")


def test_list_does_not_jump_under_the_readers_thumb(views):
    a, b = views.attendee_a, views.attendee_b
    for n in range(8):
        a.get_by_label("Your question", exact=True).fill(
            f"Question number {n} about the programmes?"
        )
        a.get_by_role("button", name="Send question").click()
        a.get_by_text(f"Question number {n} about").first.wait_for()
    b.locator("#questions li").nth(7).wait_for()
    b.locator("#questions li").nth(5).scroll_into_view_if_needed()
    b.evaluate("window.scrollBy(0, 200)")
    before = b.locator("#questions li .question-text").all_inner_texts()
    # someone upvotes the last question and asks a new one: B's list stays as it is
    a.locator("#questions li", has_text="number 7").get_by_role("button", name="Upvote").click()
    a.get_by_label("Your question", exact=True).fill("A brand new question?")
    a.get_by_role("button", name="Send question").click()
    show = b.get_by_role("button", name="Show 1 new question")
    show.wait_for()
    assert b.locator("#questions li .question-text").all_inner_texts() == before
    show.click()
    assert (
        b.locator("#questions li .question-text").first.inner_text()
        == "Question number 7 about the programmes?"
    )
    assert b.locator("#questions li", has_text="A brand new question?").count() == 1


def test_several_moderators_stay_in_sync(views, server, browser):
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    second = other.new_page()
    second.goto(f"{server.url}/e/{CODE}/moderate?key={KEY}")
    second.wait_for_selector("#connection[data-state=connected]")
    views.attendee_a.get_by_label("Your question", exact=True).fill("Do both moderators see this?")
    views.attendee_a.get_by_role("button", name="Send question").click()
    item = views.moderator.locator("#live li", has_text="Do both moderators see this?")
    item.get_by_role("button", name="Mark answered").click()
    second.locator("#answered li", has_text="Do both moderators see this?").wait_for()
    second.get_by_label("Pre-moderation").check()
    expect(views.moderator.get_by_label("Pre-moderation")).to_be_checked()
    other.close()


def test_changing_the_moderator_key_from_the_console(views, server, browser):
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    changer = other.new_page()
    changer.on("dialog", lambda dialog: dialog.accept())  # "Change the moderator key?"
    changer.goto(f"{server.url}/e/{CODE}/moderate?key={KEY}")
    changer.wait_for_selector("#connection[data-state=connected]")
    changer.get_by_text("Moderator link", exact=True).click()  # opens the details
    changer.get_by_role("button", name="Change the moderator key").click()
    new_link = changer.get_by_label("New moderator link (pass it only to co-moderators)")
    expect(new_link).to_be_focused()
    expect(new_link).to_have_value(re.compile(rf"/e/{CODE}/moderate\?key=(?!{KEY})[\w-]+$"))
    expect(changer.locator("#rotate-message")).to_contain_text("other moderators were signed out")
    # the other moderator's console says why it stopped, and the attendees carry on
    expect(views.moderator.locator("#connection")).to_have_text(
        "The moderator key was changed: open the new moderator link to go on moderating."
    )
    expect(views.attendee_a.locator("#connection")).to_have_attribute("data-state", "connected")
    # the old link opens nothing any more; the changer's console still works after a reload
    views.moderator.goto(f"{server.url}/e/{CODE}/moderate?key={KEY}")
    expect(views.moderator.get_by_text("not valid", exact=False)).to_be_visible()
    changer.reload()
    changer.wait_for_selector("#connection[data-state=connected]")
    changer.get_by_label("Pre-moderation").check()
    expect(changer.locator("#mod-message")).to_have_text("")
    expect(changer.get_by_label("Pre-moderation")).to_be_checked()
    other.close()


def test_typing_a_question_suggests_similar_ones_to_upvote(views):
    a, b = views.attendee_a, views.attendee_b
    a.get_by_label("Your question", exact=True).fill(
        "When does the Democracy Lab in Barcelona take place?"
    )
    a.get_by_role("button", name="Send question").click()
    b.locator("#questions li", has_text="Democracy Lab in Barcelona").wait_for()
    b.get_by_label("Your question", exact=True).press_sequentially(
        "democracy lab barcelona dates", delay=20
    )
    similar = b.get_by_role("region", name="Similar question already asked: upvote it instead?")
    expect(similar).to_be_visible()
    suggestion = similar.get_by_role("listitem").filter(has_text="Democracy Lab in Barcelona")
    suggestion.get_by_role("button", name="Upvote 0 upvotes").click()
    expect(suggestion.get_by_role("button", name="Upvote 1 upvote")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(b.locator("#similar-announcer")).to_contain_text("1 similar question already asked")
    # the draft stays, nothing was asked; the asker sees the upvote
    expect(b.get_by_label("Your question", exact=True)).to_have_value(
        "democracy lab barcelona dates"
    )
    expect(
        a.locator("#questions li", has_text="Democracy Lab in Barcelona").locator(".count")
    ).to_have_text("1")
    # text unlike any question: the suggestions go away
    b.get_by_label("Your question", exact=True).fill("Is there parking near the venue?")
    expect(similar).to_be_hidden()


def test_merging_a_duplicate_from_the_console(views):
    a, b, mod = views.attendee_a, views.attendee_b, views.moderator
    a.get_by_label("Your question", exact=True).fill("Is there travel funding for Barcelona?")
    a.get_by_role("button", name="Send question").click()
    b.locator("#questions li", has_text="travel funding").wait_for()
    b.get_by_label("Your question", exact=True).fill("Who pays the trip to the Democracy Lab?")
    b.get_by_role("button", name="Send question").click()
    duplicate = mod.locator("#live li", has_text="Who pays the trip")
    more(duplicate, "Merge into…")
    # the chooser can be searched: typing narrows the list
    search = duplicate.get_by_label("Find the question to merge into")
    expect(search).to_be_focused()
    search.fill("travel")
    target = duplicate.get_by_label("Merge into", exact=True)
    expect(target.locator("option")).to_have_count(1)
    option = target.locator("option", has_text="travel funding")
    target.select_option(value=option.get_attribute("value"))
    duplicate.get_by_role("button", name="Merge", exact=True).click()
    merged = mod.locator("#closed li", has_text="Who pays the trip")
    expect(merged.locator(".meta")).to_contain_text("merged into #")
    original = mod.locator("#live li", has_text="travel funding")
    expect(original.locator(".meta")).to_contain_text("asked by 2 people")
    # attendees: one question, asked by two; the duplicate's author sees where it went
    expect(a.locator("#questions li", has_text="travel funding")).to_contain_text(
        "asked by 2 people"
    )
    expect(a.locator("#questions li", has_text="Who pays the trip")).to_have_count(0)
    expect(b.locator("#mine li", has_text="Who pays the trip").locator(".status")).to_have_text(
        "Status: merged into “Is there travel funding for Barcelona?”, which you can upvote"
    )
    original.get_by_role("button", name="Put on screen").click()
    expect(views.projector.locator(".screen-question .meta")).to_contain_text("asked by 2 people")


def test_a_written_answer_from_the_console_shows_under_the_question(views):
    a, b, mod = views.attendee_a, views.attendee_b, views.moderator
    a.get_by_label("Your question", exact=True).fill("Can two people from one city apply?")
    a.get_by_role("button", name="Send question").click()
    item = mod.locator("#live li", has_text="two people from one city")
    more(item, "Write an answer")
    box = item.get_by_label("Written answer (attendees see it under the question)")
    expect(box).to_be_focused()
    box.fill("Yes: up to two per city, one mentor and one mentee.")
    item.get_by_role("button", name="Save the answer").click()
    expect(item.locator(".reply-text")).to_have_text(
        "Yes: up to two per city, one mentor and one mentee."
    )
    for page in (a, b):
        seen = page.locator("#questions li", has_text="two people from one city")
        expect(seen.locator(".reply")).to_contain_text(
            "Answer from the moderators" + "Yes: up to two per city"
        )
    item.get_by_role("button", name="More actions").click()
    expect(item.get_by_role("menuitem", name="Change the answer")).to_be_visible()
    mod.keyboard.press("Escape")
    # on screen, the written answer shows under the question
    item.get_by_role("button", name="Put on screen").click()
    expect(views.projector.locator(".screen-question .reply-text")).to_have_text(
        "Yes: up to two per city, one mentor and one mentee."
    )


def test_topics_tag_filter_and_count_questions(views):
    a, b, mod = views.attendee_a, views.attendee_b, views.moderator
    a.get_by_label("Your question", exact=True).fill("Is the Lab held in English?")
    a.get_by_label("Topic (optional)").select_option("Democracy Lab")
    a.get_by_role("button", name="Send question").click()
    b.get_by_label("Your question", exact=True).fill("Where do we send the application?")
    b.get_by_role("button", name="Send question").click()
    lab = b.locator("#questions li", has_text="held in English")
    expect(lab.locator(".topic-tag")).to_have_text("Topic: Democracy Lab")
    # filter: only the Democracy Lab's questions, then all again
    filters = b.get_by_role("group", name="Show questions on")
    filters.get_by_role("button", name="Democracy Lab", exact=True).click()
    expect(filters.get_by_role("button", name="Democracy Lab", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(b.locator("#questions li")).to_have_count(1)
    filters.get_by_role("button", name="All topics").click()
    expect(b.locator("#questions li")).to_have_count(2)
    # the moderator sees counts per topic and tags the untagged question
    counts = mod.locator(".topic-counts")
    expect(counts.locator('dd[data-topic="Democracy Lab"]')).to_have_text("1")
    expect(counts.locator('dd[data-topic=""]')).to_have_text("1")
    untagged = mod.locator("#live li", has_text="send the application")
    more(untagged, "Topic…")
    untagged.get_by_label("Topic", exact=True).select_option("General")
    untagged.get_by_role("button", name="Save the topic").click()
    expect(counts.locator('dd[data-topic="General"]')).to_have_text("1")
    mod.get_by_text("Moderation log", exact=True).click()
    expect(mod.locator("#log li").first).to_contain_text("moderator 1 · tagged question #")
    expect(mod.locator("#log li").first).to_contain_text("(General)")
    expect(counts.locator('dd[data-topic=""]')).to_have_text("0")
    filters.get_by_role("button", name="General", exact=True).click()
    expect(b.locator("#questions li")).to_have_text([re.compile("send the application")])
    # on screen, the question carries its topic
    mod.locator("#live li", has_text="held in English").get_by_role(
        "button", name="Put on screen"
    ).click()
    expect(views.projector.locator(".screen-question .meta")).to_contain_text("Democracy Lab")


def test_the_follow_up_page_once_the_moderator_publishes_it(views, server):
    from axe_playwright_python.sync_playwright import Axe

    a, mod = views.attendee_a, views.moderator
    a.get_by_label("Your question", exact=True).fill("Will the slides be shared?")
    a.get_by_role("button", name="Send question").click()
    item = mod.locator("#live li", has_text="slides be shared")
    more(item, "Write an answer")
    item.get_by_label("Written answer (attendees see it under the question)").fill("Yes, by email.")
    item.get_by_role("button", name="Save the answer").click()
    expect(item.locator(".reply-text")).to_have_text("Yes, by email.")
    follow_up = a.context.new_page()
    assert follow_up.goto(f"{server.url}/e/{CODE}/follow-up").status == 404
    mod.get_by_label("Publish the follow-up page").check()
    expect(mod.locator("#mod-message")).to_have_text("")
    follow_up.goto(f"{server.url}/e/{CODE}/follow-up")
    expect(follow_up.get_by_role("heading", name="Questions and answers")).to_be_visible()
    answered = follow_up.get_by_role("listitem").filter(has_text="Will the slides be shared?")
    expect(answered).to_contain_text("Answer from the moderators" + "Yes, by email.")
    expect(answered).to_contain_text("answered in writing")
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(follow_up, options=options)
    assert results.violations_count == 0, results.generate_report()


def test_a_timed_poll_counts_down_on_every_screen(views):
    mod = views.moderator
    card = mod.locator("article.poll", has_text=PROGRAMME_POLL)
    card.get_by_label("Time limit").select_option("30")
    card.get_by_role("button", name="Open poll").click()
    for page, where in (
        (views.attendee_a, "form.poll"),  # in the Polls tab
        (mod, "article.poll"),
        (views.projector, ".screen-poll"),
    ):
        expect(page.locator(f"{where} .countdown").first).to_have_text(
            re.compile(r"Closes in 0:[0-3]\d")
        )


def test_a_voter_leaves_an_address_for_application_information(views):
    from axe_playwright_python.sync_playwright import Axe

    a, mod = views.attendee_a, views.moderator
    mod.locator("article.poll", has_text=PROGRAMME_POLL).get_by_role(
        "button", name="Open poll"
    ).click()
    show_polls(a)
    card = a.locator("form.poll", has_text=PROGRAMME_POLL)
    card.get_by_label("Rising Stars Mentorship Programme").check()
    card.get_by_role("button", name="Submit vote").click()
    interest = a.get_by_role("form", name="Application information by email")
    expect(interest).to_be_visible()
    interest.get_by_label("Your email address").fill("ana@city.example")
    interest.get_by_role("button", name="Send my address").click()
    expect(interest.get_by_role("status")).to_contain_text("Tick the box")
    interest.get_by_label(
        re.compile("^I agree that Eurocities / Nets4Dem uses this address only")
    ).check()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(a, options=options)
    assert results.violations_count == 0, results.generate_report()
    interest.get_by_role("button", name="Send my address").click()
    expect(interest).to_contain_text(
        "We will send application information about the programmes you chose to ana@city.example."
    )
    moderator_card = mod.locator("article.poll", has_text=PROGRAMME_POLL)
    expect(moderator_card.locator(".meta")).to_contain_text("1 email address left")
    interest.get_by_role("button", name="Withdraw my address").click()
    expect(interest.get_by_label("Your email address")).to_be_focused()
    expect(moderator_card.locator(".meta")).to_contain_text("0 email addresses left")


def test_an_organiser_creates_a_webinar_from_the_organiser_page(browser, server):
    from axe_playwright_python.sync_playwright import Axe

    link = re.search(r"Organiser page: +(\S+)", server.log.read_text()).group(1)
    context = browser.new_context()
    page = context.new_page()
    page.goto(link)
    assert page.url.endswith("/admin")  # the key left the address bar
    new = page.get_by_role("region", name="New webinar")
    new.get_by_label("Code").fill("budget-2025")
    new.get_by_label("Title").fill("Participatory budget 2025")
    new.get_by_label("Starts (local time)").fill("2025-03-04T18:30")
    new.get_by_label("Ends (local time)").fill("2025-03-04T20:00")
    new.get_by_label("Time zone (such as Europe/Brussels)").fill("Europe/Lisbon")
    new.get_by_label("Topics, one per line (optional)").fill("Parks\nSchools")
    new.get_by_role("button", name="Create the webinar").click()
    expect(page.get_by_role("status")).to_have_text("Created budget-2025.")
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()
    card = page.get_by_role("article", name=re.compile("Participatory budget 2025"))
    card.get_by_role("link", name="Attendee page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participatory budget 2025")
    expect(page.get_by_label("Topic (optional)")).to_be_visible()

    # in German: the organiser page, then the French translation's editor reached by keyboard
    # (issue 15), both without an accessibility violation
    page.goto(f"{server.url}/admin?lang=de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    card = page.get_by_role("article", name=re.compile("Participatory budget 2025"))
    summary = card.locator("summary", has_text="Übersetzungen von budget-2025")
    summary.focus()
    page.keyboard.press("Enter")
    french = card.get_by_role("link", name="Français")
    expect(french).to_be_visible()
    expect(card.locator("#tr-state-budget-2025-fr")).to_have_text("Nicht übersetzt")
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()
    for _ in range(5):  # the first language's link follows its summary
        page.keyboard.press("Tab")
        if french.evaluate("el => el === document.activeElement"):
            break
    expect(french).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Übersetzung (Français)")
    title = page.get_by_label("Titel (Français)")
    expect(title).to_have_attribute("lang", "fr")
    expect(title).to_have_accessible_description("Participatory budget 2025")
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()
    title.fill("Budget participatif 2025")
    # a refusal is said on the form, in German, the field marked and what was typed kept
    page.get_by_label("Thema 1 (Français)").fill("Parcs " * 12)
    page.get_by_role("button", name="Übersetzung speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Nicht gespeichert")
    expect(page.locator("#tr-topics-error")).to_contain_text("die Grenze liegt bei 60")
    expect(page.get_by_label("Thema 1 (Français)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Titel (Français)")).to_have_value("Budget participatif 2025")
    page.get_by_label("Thema 1 (Français)").fill("Parcs")
    page.get_by_role("button", name="Übersetzung speichern").click()
    expect(page.get_by_role("status")).to_have_text(
        "Die Übersetzung von budget-2025 (Français) wurde gespeichert."
    )
    # the attendee page in French shows it (on a new page load: README, "Languages")
    page.goto(f"{server.url}/e/budget-2025?lang=fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Budget participatif 2025")
    context.close()


def test_a_rating_poll_in_the_three_views(views):
    a, b, mod = views.attendee_a, views.attendee_b, views.moderator
    new_poll(mod)
    mod.get_by_label("Question", exact=True).fill("How useful was this webinar?")
    mod.get_by_label("Rating (1 to 5 stars)").check()
    expect(mod.get_by_label("Options, one per line")).to_be_hidden()
    mod.get_by_role("button", name="Create poll").click()
    card = mod.locator("article.poll", has_text="How useful was this webinar?")
    expect(card.locator(".meta")).to_contain_text("Rating, 1 to 5 stars")
    card.get_by_role("button", name="Open poll").click()
    for page, stars in ((a, "★★★★★ 5 stars"), (b, "★★★ 3 stars")):
        show_polls(page)
        poll = page.locator("form.poll", has_text="How useful was this webinar?")
        poll.get_by_label(stars).check()
        poll.get_by_role("button", name="Submit vote").click()
        expect(poll.locator(".message")).to_contain_text("Your vote is counted")
    card.get_by_role("button", name="Show results").click()
    expect(card.locator(".average")).to_have_text("Average rating: 4.0 of 5 stars")
    expect(views.projector.locator(".average")).to_have_text("Average rating: 4.0 of 5 stars")
    expect(a.locator("form.poll .average")).to_have_text("Average rating: 4.0 of 5 stars")


def test_the_report_downloads_from_the_console(views):
    a, mod = views.attendee_a, views.moderator
    a.get_by_label("Your question", exact=True).fill("Is the report readable?")
    a.get_by_role("button", name="Send question").click()
    mod.locator("#live li", has_text="report readable").wait_for()
    with mod.expect_download() as download:
        mod.get_by_role("link", name="Report (Markdown)").click()
    report = Path(download.value.path()).read_text()
    assert report.startswith("# Citizen engagement and democracy innovation")
    assert "1. **Is the report readable?**" in report
    assert download.value.suggested_filename == "nets4dem-export.md"


def test_a_word_cloud_in_the_three_views(views):
    a, b, mod = views.attendee_a, views.attendee_b, views.moderator
    new_poll(mod)
    mod.get_by_label("Question", exact=True).fill("One word for democracy?")
    mod.get_by_label("Word cloud (up to three words each)").check()
    mod.get_by_role("button", name="Create poll").click()
    card = mod.locator("article.poll", has_text="One word for democracy?")
    expect(card.locator(".meta")).to_contain_text("Word cloud")
    card.get_by_role("button", name="Open poll").click()
    expect(views.projector.locator(".screen-hint")).to_have_text(
        "Send your words from your phone now"
    )
    for page, words in ((a, ["Trust", "Open data"]), (b, ["trust"])):
        show_polls(page)
        poll = page.locator("form.poll", has_text="One word for democracy?")
        for n, word in enumerate(words, 1):
            poll.get_by_label(re.compile(f"^Word {n}")).fill(word)
        poll.get_by_role("button", name="Send my words").click()
        expect(poll.locator(".message")).to_contain_text("Your words are counted")
    card.get_by_role("button", name="Show results").click()
    cloud = views.projector.locator(".cloud li")
    expect(cloud.first).to_have_text("trust: 2 times")
    expect(cloud.first).to_have_class("w5")
    expect(cloud.nth(1)).to_have_text("open data: 1 time")
    expect(a.locator("form.poll .cloud li").first).to_contain_text("trust")
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    for page in (a, views.projector):
        results = Axe().run(page, options=options)
        assert results.violations_count == 0, results.generate_report()


def test_an_open_text_poll_shows_the_answers_the_moderator_chooses(views):
    from axe_playwright_python.sync_playwright import Axe

    a, b, mod = views.attendee_a, views.attendee_b, views.moderator
    new_poll(mod)
    mod.get_by_label("Question", exact=True).fill("What should cities try next?")
    mod.get_by_label("Open text (you choose which answers to show)").check()
    mod.get_by_role("button", name="Create poll").click()
    card = mod.locator("article.poll", has_text="What should cities try next?")
    card.get_by_role("button", name="Open poll").click()
    for page, answer in ((a, "Citizens' assemblies"), (b, "Participatory budgets")):
        show_polls(page)
        poll = page.locator("form.poll", has_text="What should cities try next?")
        poll.get_by_label("Your answer").fill(answer)
        poll.get_by_role("button", name="Send my answer").click()
        expect(poll.locator(".message")).to_contain_text("Your answer is sent")
    chosen = card.locator(".answers li", has_text="Participatory budgets")
    expect(card.locator(".answers li")).to_have_count(2)
    expect(views.projector.locator(".answers li")).to_have_count(0)
    chosen.get_by_role("button", name="Show on screen").click()
    # the button then says what it does: an answer already shown is not shown again
    expect(chosen.get_by_role("button", name="Take off screen")).to_be_visible()
    expect(chosen.get_by_role("button", name="Show on screen")).to_have_count(0)
    expect(chosen.locator(".shown-badge")).to_have_text("Shown")
    expect(views.projector.locator(".answers li")).to_have_text(["Participatory budgets"])
    expect(a.locator("form.poll .answers li")).to_have_text(["Participatory budgets"])
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    for page in (mod, views.projector):
        results = Axe().run(page, options=options)
        assert results.violations_count == 0, results.generate_report()


def test_a_ranking_poll_with_the_keyboard(views):
    a, mod = views.attendee_a, views.moderator
    new_poll(mod)
    mod.get_by_label("Question", exact=True).fill("Rank the programmes")
    mod.get_by_label("Ranking (voters order the options)").check()
    mod.get_by_label("Options, one per line").fill("Lab\nAccelerator\nStars")
    mod.get_by_role("button", name="Create poll").click()
    card = mod.locator("article.poll", has_text="Rank the programmes")
    card.get_by_role("button", name="Open poll").click()
    show_polls(a)
    poll = a.locator("form.poll", has_text="Rank the programmes")
    poll.get_by_role("button", name="Move Stars up").click()
    # the focus follows the option, so it can be moved again at once
    expect(poll.get_by_role("button", name="Move Stars up")).to_be_focused()
    a.keyboard.press("Enter")
    expect(poll.locator(".rank-list li span")).to_have_text(["Stars", "Lab", "Accelerator"])
    poll.get_by_role("button", name="Send my ranking").click()
    expect(poll.locator(".message")).to_contain_text("Your ranking is counted")
    card.get_by_role("button", name="Show results").click()
    expect(views.projector.locator(".ranking li").first).to_contain_text("Stars · average rank 1.0")
    expect(card.locator(".ranking li").nth(2)).to_contain_text("Accelerator · average rank 3.0")


def test_small_screens_and_zoom_do_not_scroll_sideways(views):
    for page, width in ((views.attendee_a, 320), (views.moderator, 320), (views.moderator, 640)):
        page.set_viewport_size({"width": width, "height": 800})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (page.url, width)
    # the projector fits a 1280x720 screen without scrolling
    views.projector.set_viewport_size({"width": 1280, "height": 720})
    size = views.projector.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= 1280 and size[1] <= 720


def test_axe_finds_no_accessibility_violations(views):
    from axe_playwright_python.sync_playwright import Axe

    a, b, mod, screen = views.attendee_a, views.attendee_b, views.moderator, views.projector
    a.get_by_label("Your question", exact=True).fill("Is the Accelerator open to small towns?")
    a.get_by_role("button", name="Send question").click()
    question_in_mod = mod.locator("#live li", has_text="small towns")
    question_in_mod.wait_for()
    mod.get_by_label("Pre-moderation").check()
    a.get_by_label("Your question", exact=True).fill("A pending one?")
    a.get_by_role("button", name="Send question").click()
    mod.locator("#pending li").first.wait_for()
    mod.locator("article.poll", has_text=PROGRAMME_POLL).get_by_role(
        "button", name="Open poll"
    ).click()
    show_polls(b)
    b.locator("form.poll").wait_for()

    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

    def check(page, state: str) -> None:
        page.wait_for_timeout(700)  # let the bars finish moving
        results = axe.run(page, options=options)
        assert results.violations_count == 0, f"{state}:\n{results.generate_report()}"

    check(a, "attendee with a poll and questions")
    mod.locator("#pending li").first.get_by_role("button", name="Dismiss…").click()
    check(mod, "moderator with a pending question, the reasons to dismiss it and an open poll")
    mod.get_by_role("group", name="Dismiss as").get_by_role("button", name="Cancel").click()
    check(screen, "projector with an open poll")
    mod.locator("article.poll", has_text=PROGRAMME_POLL).get_by_role(
        "button", name="Close poll"
    ).click()
    question_in_mod.get_by_role("button", name="Put on screen").click()
    screen.locator("blockquote").wait_for()
    check(screen, "projector with a question on screen")
    mod.locator("article.poll", has_text=PROGRAMME_POLL).get_by_role(
        "button", name="Show results"
    ).click()
    b.locator("form.poll .results").wait_for()
    show_questions(b)
    b.get_by_label("Your question", exact=True).press_sequentially("Accelerator small towns")
    b.locator("#similar-list li").wait_for()
    check(b, "attendee with poll results and similar questions")
    index = b.context.new_page()
    index.goto(b.url.split("/e/")[0] + "/")
    check(index, "home page")
    index.goto(b.url.split("/e/")[0] + "/e/no-such-webinar")
    check(index, "not found page")


def test_a_late_joiner_pages_in_the_questions_its_snapshot_left_out(browser, tmp_path, clients):
    """130 questions: the phone gets the 100 it shows first, orders them, and loads the rest when
    its reader filters by a topic or asks for all."""
    from .test_e2e import attendee

    server = LiveServer(tmp_path, LIVE_QUESTIONS_PER_MINUTE="0").start()
    try:
        askers = [attendee(server, clients) for _ in range(13)]
        ids = []
        for n in range(130):
            ask = {"text": f"Question number {n + 1} about the programme?"}
            if n % 10 == 0:
                ask["topic"] = "Democracy Lab"
            ids.append(askers[n // 10].call("ask", ask)["question"]["id"])
        for voter in askers[:3]:
            assert voter.call("upvote", {"question": ids[2], "up": True})["ok"]

        phones = [browser.new_context(viewport={"width": 390, "height": 844}) for _ in range(2)]
        page = phones[0].new_page()
        page.set_default_timeout(15000)
        page.goto(f"{server.url}/e/{CODE}")
        page.wait_for_selector("#connection[data-state=connected]")
        listed = page.locator("#questions > li")
        expect(listed).to_have_count(100)
        expect(page.locator("#questions-more-text")).to_contain_text("30 others are not loaded")
        expect(listed.first).to_contain_text("Question number 3 about")  # the most upvoted
        page.get_by_role("button", name="Recent").click()
        expect(listed.first).to_contain_text("Question number 130 about")
        # a topic's older questions are among those left out: filtering loads them
        filters = page.get_by_role("group", name="Show questions on")
        filters.get_by_role("button", name="Democracy Lab", exact=True).click()
        expect(listed).to_have_count(13)
        expect(listed.last).to_contain_text("Question number 1 about")
        expect(page.locator("#questions-more")).to_be_hidden()
        filters.get_by_role("button", name="All topics").click()
        expect(listed).to_have_count(130)

        # another phone asks for all of them at the end of the list
        other = phones[1].new_page()
        other.set_default_timeout(15000)
        other.goto(f"{server.url}/e/{CODE}")
        other.get_by_role("button", name="Show all questions").click()
        expect(other.locator("#questions > li")).to_have_count(130)
        expect(other.locator("#questions-more")).to_be_hidden()
        # the first question that was not there has the focus, where the reader was
        expect(other.locator("#questions > li:focus")).to_have_count(1)
        for phone in phones:
            phone.close()
    finally:
        server.stop()
