"""The language picker and static/i18n.js in Chromium against the real server (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from .conftest import page_without_errors
from .servers import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path_factory.mktemp("languages")).start()
    yield live_server
    live_server.stop()


@pytest.fixture
def page(browser, server):
    with page_without_errors(browser, locale="en-GB", timezone_id="Europe/Athens") as page:
        yield page


def test_the_picker_switches_language_without_losing_a_half_typed_question(page, server):
    page.goto(f"{server.url}/e/nets4dem")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("textbox", name="Your question").fill("Wie teilen Städte ihre Daten?")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_label("Sprache")).to_have_value("de")
    expect(page.locator("#question-text")).to_have_value("Wie teilen Städte ihre Daten?")
    # the page's own counter followed the restored text
    expect(page.locator("#question-counter")).to_contain_text("29")
    # remembered: the next visit without ?lang is in German, and the draft was used up
    page.goto(f"{server.url}/e/nets4dem")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("#question-text")).to_have_value("")


def test_plurals_placeholders_and_dates_follow_the_language(page, server):
    page.goto(f"{server.url}/e/nets4dem?lang=pl")
    page.wait_for_function("typeof Live === 'object' && Live.i18n === LiveI18n")
    page.evaluate("LiveI18n.ready")
    plurals = page.evaluate(
        """async () => {
          const catalogue = await (await fetch('/i18n/pl.json')).json();
          LiveI18n.use({plurals: catalogue.plurals, messages: {
            '%(num)d vote': ['%(num)d głos', '%(num)d głosy', '%(num)d głosów'],
            'Hello %(name)s': 'Dzień dobry, %(name)s'}});
          return [1, 2, 5, 22, 112]
            .map((n) => LiveI18n.ngettext('%(num)d vote', '%(num)d votes', n))
            .concat([LiveI18n.gettext('Hello %(name)s', {name: 'Ania'}),
                     LiveI18n.gettext('Not in the catalogue')]);
        }"""
    )
    assert plurals == [
        "1 głos",
        "2 głosy",
        "5 głosów",
        "22 głosy",
        "112 głosów",
        "Dzień dobry, Ania",
        "Not in the catalogue",
    ]
    # Portugal's Portuguese: 0 takes the plural (CLDR's "pt" alone is Brazil's, where it does not)
    page.goto(f"{server.url}/e/nets4dem?lang=pt")
    page.wait_for_function("typeof Live === 'object' && Live.i18n === LiveI18n")
    page.evaluate("LiveI18n.ready")
    counted = page.evaluate(
        "[0, 1, 2].map((n) => LiveI18n.ngettext('%(num)d upvote', '%(num)d upvotes', n))"
    )
    assert counted == ["0 apoios", "1 apoio", "2 apoios"]
    page.goto(f"{server.url}/e/nets4dem?lang=el")
    # 17 September 2024, 08:30 UTC: 11:30 in the attendee's zone (Athens)
    formatted = page.evaluate(
        "[LiveI18n.formatDate('2024-09-17T08:30:00Z'), LiveI18n.formatTime('2024-09-17T08:30:00Z'),"
        " LiveI18n.formatNumber(1234.5)]"
    )
    assert formatted == ["17 Σεπτεμβρίου 2024", "11:30 π.μ.", "1.234,5"]


def test_a_greek_page_has_its_lang_and_no_accessibility_violation(page, server):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{server.url}/e/nets4dem?lang=el")
    expect(page.locator("html")).to_have_attribute("lang", "el")
    picker = page.get_by_label("Γλώσσα")
    expect(picker).to_have_value("el")
    expect(page.get_by_role("option", name="Ελληνικά")).to_have_attribute("lang", "el")
    expect(page.get_by_role("link", name="Μετάβαση στο περιεχόμενο")).to_be_attached()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()
