"""The attendee page in the attendee's language (issue 15, phase 2b): the page sends its language
in the Socket.IO auth and shows the German version of a poll the webinar file translates
(Chromium against the real eventlet server)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import open_translated_poll, page_without_errors
from .servers import LiveServer

pytestmark = pytest.mark.browser
CODE = "nets4dem"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path_factory.mktemp("pages-languages")).start()
    yield live_server
    live_server.stop()


@pytest.fixture
def phone(browser):
    # an English browser: the page's language comes from ?lang, and the socket follows the page
    phone_size = {"width": 360, "height": 740}
    with page_without_errors(browser, locale="en-GB", viewport=phone_size) as page:
        yield page


def test_an_open_poll_reaches_a_german_attendee_in_german(phone, server):
    programme = open_translated_poll(server.url, "de")
    german = programme["translations"]["de"]

    sent: list[str] = []
    phone.on("websocket", lambda ws: sent.append(ws.url))
    phone.goto(f"{server.url}/e/{CODE}?lang=de")
    expect(phone.locator("html")).to_have_attribute("lang", "de")
    legend = phone.locator(f"#poll-{programme['id']}-legend")
    expect(legend).to_have_text(german["prompt"])
    expect(legend).not_to_have_text(programme["prompt"])
    card = phone.locator(f"form[aria-labelledby='poll-{programme['id']}-legend']")
    expect(card.get_by_text(german["options"][-1], exact=True)).to_be_attached()

    # the organiser rewords the German prompt in the translation editor: the open page follows
    link = re.search(r"Organiser page: +(\S+)", server.log.read_text()).group(1)
    editor = phone.context.new_page()
    editor.goto(link)
    editor.goto(f"{server.url}/admin/webinars/{CODE}/translations/de")
    prompt = editor.locator(f"[name='poll-{programme['id']}-prompt']")
    prompt.fill("Welches Programm passt zu Ihnen?")
    editor.get_by_role("button", name="Übersetzung speichern").click()
    expect(editor.get_by_role("status")).to_be_visible()
    editor.close()
    expect(legend).to_have_text("Welches Programm passt zu Ihnen?")

    # a topic is chosen and read by its German name; the question carries the webinar's own
    phone.locator("#tab-qa").click()
    phone.locator("#question-text").fill("Wie bewerben sich kleinere Städte?")
    phone.locator("#question-topic").select_option(label="Allgemeines")
    phone.locator("#ask-form button[type=submit]").click()
    mine = phone.locator("#questions li", has_text="kleinere Städte")
    expect(mine.locator(".topic-tag")).to_have_text("Thema: Allgemeines")
    expect(phone.locator(".topic-filter button[data-topic='General']")).to_have_text("Allgemeines")


def english_messages() -> list[str]:
    """The catalogue's English sentences (more than three words): none may show on a translated
    page. Placeholders cut a message into the fixed parts around them."""
    from babel.messages.pofile import read_po

    with (ROOT / "live" / "translations" / "messages.pot").open("rb") as pot:
        catalogue = read_po(pot)
    found: set[str] = set()
    for message in catalogue:
        for msgid in [message.id] if isinstance(message.id, str) else message.id:
            for part in re.split(r"%\(\w+\)[sd]|%[sd]", msgid or ""):
                if len(part.split()) > 3:
                    found.add(part.strip())
    return sorted(found)


VISIBLE_TEXT = """() => [document.body.innerText,
  ...[...document.querySelectorAll("[placeholder], [aria-label]")].flatMap(
    (el) => [el.getAttribute("placeholder") || "", el.getAttribute("aria-label") || ""]),
].join("\\n")"""


@pytest.mark.parametrize("lang", ["de", "fr", "el"])
def test_the_attendee_page_shows_no_english_message(browser, server, lang):
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/e/{CODE}?lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("#question-counter")).not_to_contain_text("characters")
        # both tabs: the questions' and the polls'
        text = page.evaluate(VISIBLE_TEXT)
        page.locator("#tab-polls").click()
        expect(page.locator("#panel-polls")).to_be_visible()
        text += page.evaluate(VISIBLE_TEXT)
    finally:
        context.close()
    left = [message for message in english_messages() if message in text]
    assert left == []


def test_the_walk_finds_english_messages_on_the_english_page(browser, server):
    # the walk above can fail: on the English page it finds the catalogue's sentences
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/e/{CODE}?lang=en")
        expect(page.locator("#connection")).to_have_text("Connected")
        text = page.evaluate(VISIBLE_TEXT)
    finally:
        context.close()
    assert "Leave it empty to ask anonymously." in [m for m in english_messages() if m in text]


def test_the_german_attendee_page_has_no_accessibility_violation(phone, server):
    from axe_playwright_python.sync_playwright import Axe

    phone.goto(f"{server.url}/e/{CODE}?lang=de")
    expect(phone.locator("#connection")).to_have_text("Verbunden")
    expect(phone.get_by_role("button", name="Frage senden")).to_be_visible()
    results = Axe().run(phone, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("lang", ["de", "fr", "el"])
def test_the_console_shows_no_english_message(browser, server, lang):
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/e/{CODE}/moderate?key=e2e-moderator-key&lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
        expect(page.locator("#poll-list .card").first).to_be_attached()
        # the moderation log too (an earlier test opened a poll): its lines are built in the page
        page.locator(".log-section summary").click()
        expect(page.locator("#log li").first).to_be_visible()
        log = page.locator("#log").inner_text()
        text = page.evaluate(VISIBLE_TEXT)
    finally:
        context.close()
    left = [message for message in english_messages() if message in text]
    assert left == []
    assert not re.search(r"\b(opened|poll|moderator|the server|screen)\b", log), log


@pytest.mark.parametrize("lang", ["de", "fr", "el"])
def test_the_screen_shows_no_english_message(browser, server, clients, lang):
    from .test_e2e import moderator

    mod = moderator(server, clients)
    programme = next(p for p in mod.snapshots[0]["polls"] if p["translations"].get(lang))
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 720})
    try:
        # the welcome screen (an earlier test may have left a poll on it), then a poll's results
        assert mod.call("screen", {"kind": "welcome"})["ok"]
        page = context.new_page()
        page.goto(f"{server.url}/e/{CODE}/present?lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator(".screen")).to_have_attribute("data-screen", "welcome")
        text = page.evaluate(VISIBLE_TEXT)
        if programme["state"] != "open":  # an earlier test may have opened it
            assert mod.call("poll", {"poll": programme["id"], "action": "open"})["ok"]
        assert mod.call("screen", {"kind": "results", "id": programme["id"]})["ok"]
        expect(page.locator(".screen")).to_have_attribute("data-screen", "results")
        text += page.evaluate(VISIBLE_TEXT)
    finally:
        context.close()
    left = [message for message in english_messages() if message in text]
    assert left == []
    assert programme["prompt"] not in text


# the text a page shows of its own (not what people typed), line by line: text nodes that are
# rendered, and the labels that are read out; "·" separates facts within a line
UI_TEXT = """() => {
  const typed = ".question-text, .reply-text, blockquote, #similar-list, #questions li .meta";
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest(typed) || el.closest("[hidden], script, style, template")) continue;
    if (!el.getClientRects().length && !el.closest("option")) continue;
    out.push(walker.currentNode.textContent);
  }
  for (const el of document.querySelectorAll("[placeholder], [aria-label], [title], img[alt]")) {
    for (const name of ["placeholder", "aria-label", "title", "alt"]) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
    }
  }
  return out.join("\\n");
}"""


def ui_segments(page) -> set[str]:
    found = set()
    for line in page.evaluate(UI_TEXT).split("\n"):
        for part in line.split(" · "):
            if re.search(r"[A-Za-z]{3,}", part.strip()):
                found.add(part.strip())
    return found


def same_in_both(lang: str) -> set[str]:
    """What may read the same in English and in ``lang``: the webinar's own content (its file,
    every language), each language's name in itself, and the catalogue's translations that are
    the English words ("Online" in German)."""
    from babel.messages.pofile import read_po

    from live.i18n import native_name, shipped_codes

    allowed = {native_name(code) for code in shipped_codes()}
    with (ROOT / "live" / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        allowed |= {m.id for m in read_po(po) if isinstance(m.id, str) and m.id == m.string}
    return allowed


def test_no_english_is_left_that_the_catalogue_does_not_hold(browser, server, clients):
    """The walks above find the catalogue's sentences; this one finds text that never went
    through the catalogue: a line of the German attendee page (both tabs), console (with its
    log) or screen that reads exactly as on the English one, and is not the webinar's content."""
    from .test_e2e import moderator

    # a line in the moderation log, whatever ran before
    assert moderator(server, clients).call("screen", {"kind": "welcome"})["ok"]
    content = (ROOT / "live" / "webinars" / "nets4dem.toml").read_text(encoding="utf-8")
    allowed = same_in_both("de")
    pages = {
        "attendee": f"/e/{CODE}",
        "console": f"/e/{CODE}/moderate?key=e2e-moderator-key",
        "screen": f"/e/{CODE}/present",
    }
    seen: dict[str, dict[str, set[str]]] = {"en": {}, "de": {}}
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        for lang in seen:
            for name, path in pages.items():
                page.goto(f"{server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
                expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
                found = ui_segments(page)
                if name == "attendee":
                    page.locator("#tab-polls").click()
                    found |= ui_segments(page)
                if name == "console":
                    page.locator(".log-section summary").click()
                    expect(page.locator("#log li").first).to_be_visible()
                    found |= ui_segments(page)
                seen[lang][name] = found
    finally:
        context.close()
    for name in pages:
        same = seen["en"][name] & seen["de"][name]
        left = sorted(
            text
            for text in same - allowed
            if text not in content and not re.fullmatch(r"(https?://\S+|/\S*|[a-z0-9-]+)", text)
        )
        assert left == [], name


def test_moderators_choose_the_language_of_the_screen_and_the_downloads(browser, server):
    context = browser.new_context(locale="de-DE", viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/e/{CODE}/moderate?key=e2e-moderator-key")
        choice = page.get_by_label("Sprache von Projektor, Einblendung und Downloads")
        # the webinar's language by default, each language named in itself
        expect(choice).to_have_value("en")
        choice.select_option(label="Français")
        projector = page.get_by_role("link", name="Projektoransicht öffnen")
        expect(projector).to_have_attribute("href", f"/e/{CODE}/present?lang=fr")
        with page.expect_download() as download:
            page.get_by_role("link", name="Bericht (Markdown)").click()
        assert "## Sondages" in Path(download.value.path()).read_text(encoding="utf-8")
        # kept in this browser for the webinar; the webinar's own language takes ?lang away
        page.reload()
        expect(choice).to_have_value("fr")
        choice.select_option("en")
        expect(projector).to_have_attribute("href", f"/e/{CODE}/present")
    finally:
        context.close()


def test_every_kind_of_poll_reads_in_german_french_and_greek(browser, server, clients):
    """A poll of each kind open at once; the attendee's Polls tab in each language shows none of
    the catalogue's English (the options are the webinar's own words, as typed)."""
    from .test_e2e import moderator

    mod = moderator(server, clients)
    kinds = {
        "single": ["Yes", "No"],
        "multiple": ["Parks", "Schools", "Buses"],
        "rating": [],
        "ranking": ["Housing", "Transport", "Climate"],
        "words": [],
        "text": [],
    }
    for kind, options in kinds.items():
        made = mod.call(
            "create_poll", {"prompt": f"Poll of kind {kind}", "kind": kind, "options": options}
        )
        assert mod.call("poll", {"poll": made["poll"]["id"], "action": "open"})["ok"]
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        for lang in ("de", "fr", "el"):
            page.goto(f"{server.url}/e/{CODE}?lang={lang}")
            page.locator("#tab-polls").click()
            for kind in kinds:
                expect(page.locator("form.poll", has_text=f"Poll of kind {kind}")).to_be_visible()
            text = page.evaluate(VISIBLE_TEXT)
            left = [message for message in english_messages() if message in text]
            assert left == [], lang
            # the English page shows the same cards with the catalogue's sentences
            assert "Submit vote" not in text and "stars" not in text, lang
    finally:
        context.close()
