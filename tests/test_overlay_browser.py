"""The overlay for streams and the screen's themes and branding in a real browser (Debian's
Chromium against the real eventlet server): the overlay's page is transparent and shows the
screen's question, poll or results, nothing else; its position and scale; the light theme fits
and, like the dark one, passes axe; the webinar's logo and accent colour are shown."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from .servers import ROOT, LiveServer
from .test_screen_fits import CHECK, Room, sentence

pytestmark = pytest.mark.browser
CODE = "nets4dem"
ACCENT = "rgb(122, 31, 92)"  # #7a1f5c, as the browser computes it
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
    '<rect width="120" height="40" rx="6" fill="#7a1f5c"/></svg>'
)
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# the alpha of a screenshot's pixels at the given points (0: fully transparent)
ALPHA = """
async ([png, points]) => {
  const image = new Image();
  image.src = `data:image/png;base64,${png}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, image.width, image.height).data;
  let opaque = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) opaque += 1;
  return { opaque, at: points.map(([x, y]) => data[(y * image.width + x) * 4 + 3]) };
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    """The Nets4Dem webinar with an accent colour and an SVG logo beside its file."""
    folder = tmp_path_factory.mktemp("branded")
    (folder / "logo.svg").write_text(LOGO)
    shipped = (ROOT / "live" / "webinars" / "nets4dem.toml").read_text()
    branded = shipped.replace(
        'timezone = "', 'accent = "#7a1f5c"\nlogo = "logo.svg"\ntimezone = "', 1
    )
    (folder / "branded.toml").write_text(branded)
    live_server = LiveServer(folder, args=("--webinar", str(folder / "branded.toml"))).start()
    yield live_server
    live_server.stop()


@pytest.fixture(scope="module")
def room(server) -> Iterator[Room]:
    result = Room(server.url)
    yield result
    for sio in result.clients:
        sio.disconnect()


def open_page(browser, url: str, width: int = 1920, height: int = 1080, motion: str = "reduce"):
    """Open a page in a context of its own; without motion unless asked (the overlay's panel then
    stands still where it is measured)."""
    size = {"width": width, "height": height}
    context = browser.new_context(viewport=size, reduced_motion=motion)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(url)
    page.wait_for_selector("#connection[data-state=connected]")
    return page


def alpha(page, points: list[tuple[int, int]]) -> dict:
    """Screenshot the page without a background; return how many pixels are not transparent and
    the alpha at each point."""
    png = base64.b64encode(page.screenshot(omit_background=True)).decode()
    return page.evaluate(ALPHA, [png, [list(p) for p in points]])


def ask(room: Room, text: str, **extra: str) -> int:
    return room.call(room.attendee(), "ask", {"text": text, **extra})["question"]["id"]


def test_the_overlay_is_transparent_and_shows_questions_and_polls_only(browser, server, room):
    page = open_page(browser, f"{server.url}/e/{CODE}/overlay")
    panel = page.locator(".overlay .stage")
    # the page itself is transparent: no chroma key needed
    backgrounds = page.evaluate(
        "[document.documentElement, document.body].map((e) => getComputedStyle(e).backgroundColor)"
    )
    assert backgrounds == ["rgba(0, 0, 0, 0)", "rgba(0, 0, 0, 0)"]
    # the welcome screen (a new webinar's): nothing at all is drawn
    expect(panel).to_be_hidden()
    assert alpha(page, [(960, 540)])["opaque"] == 0

    # a question on screen: a lower third with its text, name and topic
    question = ask(room, "Can a town of 5,000 people apply?", name="Ines", topic="Democracy Lab")
    room.screen("question", question)
    expect(panel.locator("blockquote")).to_have_text("Can a town of 5,000 people apply?")
    expect(panel.locator(".meta")).to_have_text("Ines · Democracy Lab")
    expect(panel).not_to_have_class("stage out")
    box = panel.bounding_box()
    assert box and box["y"] > 1080 / 2 and box["y"] + box["height"] <= 1080 - 40
    inside = (int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2))
    seen = alpha(page, [(20, 20), (1900, 20), inside])
    assert seen["at"] == [0, 0, 255]
    # the webinar's logo and accent colour
    assert page.locator(".overlay .logo").evaluate("(img) => img.naturalWidth") == 120
    stripe = panel.evaluate("(el) => getComputedStyle(el).borderLeftColor")
    assert stripe == ACCENT

    # a timed poll for voting, with its countdown; then its results
    poll = room.poll("Which city should host the next lab?", "single", ["Lisbon", "Ghent"])
    room.call(room.mod, "poll", {"poll": poll, "action": "close"})
    room.call(room.mod, "poll", {"poll": poll, "action": "open", "seconds": 120})
    expect(panel.locator("h2")).to_have_text("Which city should host the next lab?")
    expect(panel.locator(".screen-hint")).to_have_text("Vote on your phone now")
    expect(panel.locator(".countdown")).to_contain_text("Closes in")
    room.screen("results", poll)
    expect(panel.locator(".results")).to_be_visible()
    expect(panel.locator(".bar-value")).to_have_count(2)

    # the top questions, blank and welcome: nothing
    for kind in ("top", "blank", "welcome"):
        room.screen("question", question)
        expect(panel).to_be_visible()
        room.screen(kind)
        expect(panel).to_be_hidden()
        assert alpha(page, [(960, 540)])["opaque"] == 0, kind
    page.context.close()


def test_position_scale_and_a_long_question(browser, server, room):
    long = sentence(300, "Could the overlay")
    question = ask(room, long, name="Ana, Lisbon", topic="General")
    room.screen("question", question)
    sizes = {}
    for query in ("", "?position=top&scale=0.5", "?scale=2", "?scale=oops&position=left"):
        page = open_page(browser, f"{server.url}/e/{CODE}/overlay{query}")
        panel = page.locator(".overlay .stage")
        expect(panel.locator("blockquote")).to_have_text(long)
        expect(panel).not_to_have_class("stage out")
        box = panel.bounding_box()
        assert box
        sizes[query] = box
        # the whole question is in the panel, the panel in the source, the text readable
        text = panel.locator("blockquote").bounding_box()
        assert text and text["y"] + text["height"] <= box["y"] + box["height"] + 1
        assert 0 <= box["y"] and box["y"] + box["height"] <= 1080
        size = panel.locator("blockquote").evaluate(
            "(el) => parseFloat(getComputedStyle(el).fontSize)"
        )
        scale = {"?position=top&scale=0.5": 0.5, "?scale=2": 2}.get(query, 1)
        assert size >= 26 * scale - 0.5
        page.context.close()
    top, double, bad = (
        sizes["?position=top&scale=0.5"],
        sizes["?scale=2"],
        sizes["?scale=oops&position=left"],
    )
    assert top["y"] < 100 and top["width"] < sizes[""]["width"] * 0.6
    assert double["width"] > sizes[""]["width"] and double["height"] > sizes[""]["height"] * 1.5
    # options that cannot be read are the defaults: never an error page in a stream
    assert bad == sizes[""]


def test_the_overlay_moves_unless_reduced_motion_is_asked_for(browser, server, room):
    first, second = ask(room, "Does the panel slide in?"), ask(room, "And the next one fade in?")
    moves = []
    for motion in ("no-preference", "reduce"):
        page = open_page(browser, f"{server.url}/e/{CODE}/overlay", motion=motion)
        panel = page.locator(".overlay .stage")
        # it enters; another question replacing it fades in; it leaves (after its transition)
        room.screen("question", first)
        expect(panel.locator("blockquote")).to_have_text("Does the panel slide in?")
        room.screen("question", second)
        expect(panel.locator("blockquote")).to_have_text("And the next one fade in?")
        expect(panel.locator(".screen-stage")).to_have_class("screen-stage swap")
        moves.append(
            panel.evaluate(
                "(el) => [getComputedStyle(el).transitionDuration,"
                " getComputedStyle(el.querySelector('.screen-stage')).animationName]"
            )
        )
        room.screen("blank")
        expect(panel).to_be_hidden()
        page.context.close()
    assert moves == [["0.35s, 0.35s", "overlay-swap"], ["0s", "none"]]


def test_the_light_theme_fits_and_both_themes_pass_axe(browser, server, room):
    from axe_playwright_python.sync_playwright import Axe

    question = ask(room, sentence(300, "In a bright room"), name="Jonas", topic="General")
    room.screen("question", question)
    for theme in ("dark", "light"):
        for path in ("present", "overlay"):
            page = open_page(browser, f"{server.url}/e/{CODE}/{path}?theme={theme}")
            page.wait_for_selector(".screen-question blockquote")
            if path == "present":
                # the badge in the webinar's accent, its logo beside the title
                badge = page.locator(".badge").evaluate(
                    "(e) => getComputedStyle(e).backgroundColor"
                )
                assert badge == ACCENT
                assert page.locator(".screen-head .logo").evaluate("(i) => i.naturalWidth") == 120
                # the light theme keeps the floors of size and contrast of "it always fits"
                page.wait_for_timeout(100)
                assert page.evaluate(CHECK)["problems"] == [], theme
            results = Axe().run(page, options=WCAG)
            assert results.violations_count == 0, (theme, path, results.generate_report())
            page.context.close()


def test_the_attendee_header_shows_the_logo_in_the_accent(browser, server):
    page = open_page(browser, f"{server.url}/e/{CODE}", 390, 844)
    logo = page.locator(".webinar-header img.logo")
    expect(logo).to_have_attribute("alt", "Logo of Eurocities / Nets4Dem")
    assert logo.evaluate("(img) => img.naturalWidth") == 120
    page.get_by_role("tab", name=re.compile("^Polls")).click()  # the poll is on the Polls tab
    button = page.get_by_role("button", name="Submit vote").first
    assert button.evaluate("(b) => getComputedStyle(b).backgroundColor") == ACCENT
    page.context.close()
