"""The six things issue 14 found wrong, each tried as a person would in a real browser (Debian's
Chromium against the real eventlet server)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from . import test_browser
from .test_browser import CODE

# the browser views of test_browser.py: two phones, the console and the projector
server, views = test_browser.server, test_browser.views

pytestmark = pytest.mark.browser


def ask(page, text: str, topic: str | None = None) -> None:
    show_questions(page)
    page.get_by_label("Your question", exact=True).fill(text)
    if topic:
        page.get_by_label("Topic (optional)").select_option(topic)
    page.get_by_role("button", name="Send question").click()


def show_polls(page) -> None:
    """Go to the phone's polls (a tab, where the page has tabs)."""
    tab = page.get_by_role("tab", name=re.compile("^Polls"))
    if tab.count():
        tab.click()


def show_questions(page) -> None:
    tab = page.get_by_role("tab", name=re.compile("^Q&A"))
    if tab.count():
        tab.click()


def new_poll(mod, prompt: str, kind: str, options: str = "") -> object:
    """Create a poll from the console's "New poll" dialog and open it; return its card."""
    mod.get_by_role("button", name="New poll").click()
    mod.get_by_label("Question", exact=True).fill(prompt)
    mod.get_by_label(re.compile(kind)).check()
    if options:
        mod.get_by_label("Options, one per line").fill(options)
    mod.get_by_role("button", name="Create poll").click()
    card = mod.locator("article.poll", has_text=prompt)
    card.get_by_role("button", name="Open poll").click()
    expect(card.locator(".meta")).to_contain_text("Open")
    return card


def test_a_topic_is_not_kept_for_the_next_question(views):
    a, mod = views.attendee_a, views.moderator
    ask(a, "When does the Lab start?", topic="Democracy Lab")
    mod.locator("#live li", has_text="When does the Lab start?").wait_for()
    expect(a.get_by_label("Topic (optional)")).to_have_value("")
    ask(a, "Is lunch included?")
    untagged = mod.locator("#live li", has_text="Is lunch included?")
    expect(untagged.locator(".meta")).not_to_contain_text("Democracy Lab")
    expect(mod.locator("#live li", has_text="When does the Lab start?")).to_contain_text(
        "Democracy Lab"
    )
    listed = a.locator("#questions li", has_text="Is lunch included?")
    expect(listed.locator(".topic-tag")).to_be_hidden()
    # every field starts again after sending
    expect(a.get_by_label("Your question", exact=True)).to_have_value("")
    expect(a.locator("#question-counter")).to_have_text("0 of 300 characters")


def test_the_offline_message_goes_once_connected_and_covers_nothing(views, server):
    a = views.attendee_a
    ask(a, "Will this survive a restart?")
    item = a.locator("#questions li", has_text="survive a restart")
    item.wait_for()
    server.kill()
    a.wait_for_selector("#connection:not([data-state=connected])")
    item.get_by_role("button", name="Upvote").click()
    expect(a.locator("#notice")).to_contain_text("You are offline")
    ask(a, "Sent while offline?")
    expect(a.locator("#ask-message")).to_contain_text("You are offline")
    # the notice stays where it is: scrolled to the question box, it does not cover it
    box = a.get_by_label("Your question", exact=True)
    box.evaluate("el => el.scrollIntoView()")
    notice, field = a.locator("#notice").bounding_box(), box.bounding_box()
    above = notice["y"] + notice["height"] <= field["y"]
    assert above or notice["y"] >= field["y"] + field["height"]
    server.start()
    a.wait_for_selector("#connection[data-state=connected]")
    expect(a.locator("#connection")).to_have_text("Connected")
    expect(a.locator("#notice")).to_have_text("")
    expect(a.locator("#ask-message")).to_have_text("")
    expect(a.get_by_text("You are offline")).to_have_count(0)


def test_a_voters_ranking_words_and_answer_are_kept(views):
    a, mod = views.attendee_a, views.moderator
    ranking = new_poll(mod, "Rank the programmes", "Ranking", "Lab\nAccelerator\nStars")
    new_poll(mod, "One word for democracy?", "Word cloud")
    new_poll(mod, "What should cities try next?", "Open text")
    show_polls(a)
    card = a.locator("form.poll", has_text="Rank the programmes")
    card.get_by_role("button", name="Move Stars up").click()
    card.get_by_role("button", name="Move Stars up").click()
    card.get_by_role("button", name="Send my ranking").click()
    expect(card.locator(".message")).to_contain_text("Your ranking is counted")
    words = a.locator("form.poll", has_text="One word for democracy?")
    words.get_by_label("Word 1").fill("Trust")
    words.get_by_label("Word 2 (optional)").fill("Open data")
    words.get_by_role("button", name="Send my words").click()
    expect(words.locator(".message")).to_contain_text("Your words are counted")
    text = a.locator("form.poll", has_text="What should cities try next?")
    text.get_by_label("Your answer").fill("Citizens' assemblies")
    text.get_by_role("button", name="Send my answer").click()
    expect(text.locator(".message")).to_contain_text("Your answer is sent")
    # showing the results rebuilds the card: the ranking stays the voter's
    ranking.get_by_role("button", name="Show results").click()
    card = a.locator("form.poll", has_text="Rank the programmes")
    expect(card.locator(".ranking")).to_be_visible()
    expect(card.locator(".rank-list li span")).to_have_text(["Stars", "Lab", "Accelerator"])
    expect(card.locator(".message")).to_contain_text("Your ranking is counted")
    # and so does a reload, for every kind
    a.reload()
    a.wait_for_selector("#connection[data-state=connected]")
    show_polls(a)
    card = a.locator("form.poll", has_text="Rank the programmes")
    expect(card.locator(".rank-list li span")).to_have_text(["Stars", "Lab", "Accelerator"])
    words = a.locator("form.poll", has_text="One word for democracy?")
    expect(words.get_by_label("Word 1")).to_have_value("trust")
    expect(words.get_by_label("Word 2 (optional)")).to_have_value("open data")
    expect(words.locator(".message")).to_contain_text("Your words are counted: trust, open data.")
    text = a.locator("form.poll", has_text="What should cities try next?")
    expect(text.get_by_label("Your answer")).to_have_value("Citizens' assemblies")
    expect(text.locator(".message")).to_contain_text("Your answer is sent")


def test_messages_follow_what_happened_since(views):
    a, mod = views.attendee_a, views.moderator
    mod.get_by_label("Pre-moderation").check()
    a.get_by_text("The moderators review questions before they appear.").wait_for()
    ask(a, "Reviewed, then approved?")
    expect(a.locator("#ask-message")).to_contain_text("waiting for review")
    mod.locator("#pending li", has_text="Reviewed, then approved?").get_by_role(
        "button", name="Approve"
    ).click()
    expect(a.locator("#ask-message")).to_have_text(
        "Your question is approved: it is in the list now."
    )
    expect(a.get_by_text("waiting for review")).to_have_count(0)


def test_follow_up_admin_and_report_say_things_plainly(views, server, browser):
    a, mod = views.attendee_a, views.moderator
    follow_up = a.context.new_page()
    assert follow_up.goto(f"{server.url}/e/{CODE}/follow-up").status == 404
    expect(follow_up.get_by_role("heading", level=1)).to_have_text(
        "This follow-up page is not published yet"
    )
    # an open text poll nobody's answers were chosen from: no empty "Poll results" heading
    card = new_poll(mod, "What should cities try next?", "Open text")
    mod.get_by_label("Publish the follow-up page").check()
    expect(mod.locator("#mod-message")).to_have_text("")
    follow_up.goto(f"{server.url}/e/{CODE}/follow-up")
    expect(follow_up.get_by_text("No poll results were published.")).to_be_visible()
    expect(follow_up.get_by_text("What should cities try next?")).to_have_count(0)

    # the report says in words that an answer was shown on screen
    show_polls(a)
    text = a.locator("form.poll", has_text="What should cities try next?")
    text.get_by_label("Your answer").fill("Assemblies")
    text.get_by_role("button", name="Send my answer").click()
    card.get_by_role("button", name="Show on screen").click()
    expect(card.get_by_role("button", name="Take off screen")).to_be_visible()
    with mod.expect_download() as download:
        mod.get_by_role("link", name="Report (Markdown)").click()
    report = Path(download.value.path()).read_text()
    assert "written poll answers shown: 1" in report and "show_answer" not in report

    # the organiser page: the browser checks the code, and a refused form keeps what was typed
    link = re.search(r"Organiser page: +(\S+)", server.log.read_text()).group(1)
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(link)
    new = page.get_by_role("region", name="New webinar")
    code = new.get_by_label(re.compile("^Code"))
    code.fill("Not A Code")
    assert code.evaluate("el => el.checkValidity()") is False
    assert errors == []
    code.fill("budget-2026")
    new.get_by_label("Title").fill("Participatory budget 2026")
    new.get_by_label("Starts (local time)").fill("2026-03-04T18:30")
    new.get_by_label("Ends (local time)").fill("2026-03-04T20:00")
    new.get_by_label("Time zone (such as Europe/Brussels)").fill("Mars/Olympus")
    new.get_by_role("button", name="Create the webinar").click()
    new = page.get_by_role("region", name="New webinar")
    expect(page.get_by_role("status")).to_contain_text("Not created: unknown time zone")
    expect(new.get_by_label("Title")).to_have_value("Participatory budget 2026")
    expect(new.get_by_label(re.compile("^Code"))).to_have_value("budget-2026")
    zone = new.get_by_label("Time zone (such as Europe/Brussels)")
    expect(zone).to_have_value("Mars/Olympus")
    expect(zone).to_have_attribute("aria-invalid", "true")
    expect(new.locator("#new-timezone-error")).to_contain_text("unknown time zone")
    context.close()
