"""The public body's pages in a real browser (Debian's Chromium, the real eventlet server): the
privacy notice and the accessibility statement reached by keyboard from the attendee page, "Forget
me" with its confirmation, and the passcode form of a private webinar; axe finds nothing on them
(the notices also in Greek)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from live.webinar_file import default_webinar_path

from .servers import LiveServer

pytestmark = pytest.mark.browser
CODE = "nets4dem"
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True}
AXE_TAGS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def no_violations(page, state: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_TAGS)
    assert results.violations_count == 0, f"{state}:\n{results.generate_report()}"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path_factory.mktemp("publicbody")).start()
    yield live_server
    live_server.stop()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def tab_to(page, name: str, presses: int = 120) -> None:
    """Press Tab until the link named ``name`` has the focus (it must, within ``presses``)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.tagName + ' ' + document.activeElement.textContent"
        )
        if focused == f"A {name}":
            return
    raise AssertionError(f"the keyboard never reached the link {name!r}")


def test_the_notices_are_reached_by_keyboard_from_the_attendee_page(phone, server):
    phone.goto(f"{server.url}/e/{CODE}")
    phone.wait_for_selector("#connection[data-state=connected]")
    tab_to(phone, "Privacy notice")
    phone.keyboard.press("Enter")
    expect(phone).to_have_url(f"{server.url}/e/{CODE}/privacy")
    expect(phone.get_by_role("heading", name="Privacy notice", level=1)).to_be_visible()
    expect(phone.get_by_role("table")).to_contain_text("Your IP address")
    size = phone.evaluate("document.documentElement.scrollWidth")
    assert size <= 360  # nothing sideways at 360 px
    no_violations(phone, "the privacy notice")
    tab_to(phone, "Accessibility statement")
    phone.keyboard.press("Enter")
    expect(phone).to_have_url(f"{server.url}/accessibility")
    expect(phone.get_by_role("heading", name="Enforcement procedure")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    no_violations(phone, "the accessibility statement")
    # both in Greek (issue 15): the longer words still fit at 360 px, and axe finds nothing
    phone.goto(f"{server.url}/e/{CODE}/privacy?lang=el")
    expect(phone.locator("html")).to_have_attribute("lang", "el")
    expect(phone.get_by_role("heading", name="Δήλωση απορρήτου", level=1)).to_be_visible()
    expect(phone.get_by_role("table")).to_contain_text("Η διεύθυνση IP σας")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    no_violations(phone, "the privacy notice in Greek")
    tab_to(phone, "Δήλωση προσβασιμότητας")
    phone.keyboard.press("Enter")
    expect(phone).to_have_url(f"{server.url}/accessibility")
    expect(phone.locator("html")).to_have_attribute("lang", "el")
    expect(phone.get_by_role("heading", name="Διαδικασία εφαρμογής")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    no_violations(phone, "the accessibility statement in Greek")


def test_forget_me_asks_first_then_says_what_it_removed(phone, server):
    phone.goto(f"{server.url}/e/{CODE}")
    phone.wait_for_selector("#connection[data-state=connected]")
    phone.get_by_label("Your question", exact=True).fill("Who pays for the Democracy Lab?")
    phone.get_by_label("Your name (optional)").fill("Ada")
    phone.get_by_role("button", name="Send question").click()
    expect(phone.locator("#mine li")).to_have_count(1)
    forget = phone.get_by_role("button", name="Forget me", exact=True)
    forget.click()
    confirm = phone.get_by_role("group", name=re.compile("Forget me?"))
    expect(confirm).to_be_visible()
    expect(forget).to_have_attribute("aria-expanded", "true")
    expect(phone.locator("#forget-question")).to_be_focused()
    no_violations(phone, "the attendee page asking to confirm Forget me")
    # cancelled: nothing happens, the focus goes back
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(forget).to_be_focused()
    forget.press("Enter")
    confirm.get_by_role("button", name="Yes, forget me").click()
    result = phone.locator("#forget-result")
    expect(result).to_contain_text("Removed: 1 name, 1 link to a question.")
    expect(result).to_be_focused()
    # the page's own connection was signed out: it says why
    expect(phone.locator("#connection")).to_contain_text("You asked to be forgotten")
    phone.get_by_role("button", name="Go on with a new identity").click()
    phone.wait_for_selector("#connection[data-state=connected]")
    expect(phone.locator("#mine li")).to_have_count(0)
    # the question stays, without its name
    item = phone.locator("#questions li", has_text="Who pays for the Democracy Lab?")
    expect(item).to_contain_text("Anonymous")


@pytest.fixture
def private_server(tmp_path) -> Iterator[LiveServer]:
    path = tmp_path / "private.toml"
    shown = (
        default_webinar_path().read_text().replace("[settings]", "[settings]\nshow_passcode = true")
    )
    path.write_text('passcode = "tagus-2025"\n' + shown)
    live_server = LiveServer(tmp_path, LIVE_WEBINAR_FILE=str(path)).start()
    yield live_server
    live_server.stop()


def test_the_passcode_form_of_a_private_webinar(phone, private_server):
    phone.goto(f"{private_server.url}/e/{CODE}")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Citizen engagement")
    phone.get_by_label("Passcode").fill("tagus-2024")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("alert")).to_contain_text("There is a problem")
    expect(phone.get_by_label("Passcode")).to_have_attribute("aria-invalid", "true")
    assert "Error:" in phone.title()
    no_violations(phone, "the passcode form with an error")
    phone.get_by_label("Passcode").fill("tagus-2025")
    phone.get_by_label("Passcode").press("Enter")
    phone.wait_for_selector("#connection[data-state=connected]")
    expect(phone).to_have_url(f"{private_server.url}/e/{CODE}")
    expect(phone.get_by_role("button", name="Send question")).to_be_visible()
    # the organiser chose to show the passcode on the screen (this session entered it)
    phone.goto(f"{private_server.url}/e/{CODE}/present")
    expect(phone.locator(".screen-welcome")).to_contain_text("Passcode: tagus-2025")
