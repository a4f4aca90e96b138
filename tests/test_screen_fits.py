"""The screen always fits: every kind of long content at 1920x1080, 1280x720 and 1024x768, without
scrolling or cutting, its text no smaller than a room can read and with enough contrast (Debian's
Chromium against the real eventlet server, the content made through the Socket.IO protocol)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from .servers import LiveServer

pytestmark = pytest.mark.browser
CODE = "nets4dem"
KEY = "e2e-moderator-key"
SIZES = [(1920, 1080), (1280, 720), (1024, 768)]

# every problem a user would notice on the screen, as text (an empty list when none): the page
# scrolls, an element of the stage is outside it (cut), text is under its floor (28 px main, 22 px
# secondary at 1080p, scaled by the viewport's height) or under its contrast (7:1 main, 4.5:1 other)
CHECK = """
() => {
  const problems = [];
  const h = innerHeight;
  const tall = document.documentElement.scrollHeight;
  if (tall > h) problems.push(`scrolls: ${tall}`);
  const stage = document.querySelector(".screen .stage").getBoundingClientRect();
  const lum = (rgb) => {
    const c = rgb.map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const parse = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const MAIN = "blockquote, h2, .screen-options li:not(.more), .bar-label, "
    + ".screen-top li > span:not(.votes), .answer-text, .cloud li:not(.more), .average";
  const texts = [];
  for (const el of document.querySelectorAll(".screen .stage *")) {
    if (el.closest("[hidden], .visually-hidden")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < stage.left - 1 || r.top < stage.top - 1 || r.right > stage.right + 1
        || r.bottom > stage.bottom + 1 || r.bottom > h) {
      problems.push(`cut: ${el.tagName}.${el.className} ${JSON.stringify(r)}`);
    }
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const main = el.matches(MAIN);
    const size = parseFloat(style.fontSize);
    const floor = ((main ? 28 : 22) * h) / 1080;
    const what = `${el.tagName}.${el.className}`;
    if (size < floor - 0.5) problems.push(`small: ${what} ${size} < ${floor}`);
    const [a, b] = [lum(parse(style.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < (main ? 7 : 4.5)) problems.push(`contrast: ${what} ${ratio.toFixed(2)}`);
    texts.push(el.textContent);
  }
  const more = [...document.querySelectorAll(".screen .more")].map((e) => e.textContent);
  return { problems, texts, more };
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    live_server = LiveServer(tmp_path_factory.mktemp("fits")).start()
    yield live_server
    live_server.stop()


class Room:
    """The moderator and attendees of the webinar, as Socket.IO clients."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: list[socketio.SimpleClient] = []
        self.mod = self.connect({"webinar": CODE, "key": KEY})

    def connect(self, auth: dict[str, object]) -> socketio.SimpleClient:
        sio = socketio.SimpleClient()
        sio.connect(self.url, auth=auth, transports=["websocket"])
        self.clients.append(sio)
        return sio

    def attendee(self) -> socketio.SimpleClient:
        request = urllib.request.Request(f"{self.url}/api/webinars/{CODE}/join", method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            participant = json.load(response)["participant"]
        return self.connect({"webinar": CODE, "participant": participant})

    def call(self, sio: socketio.SimpleClient, event: str, payload: dict[str, Any]) -> Any:
        ack = sio.call(event, payload)
        assert ack["ok"], ack
        return ack

    def poll(self, prompt: str, kind: str, options: list[str]) -> int:
        ack = self.call(
            self.mod, "create_poll", {"prompt": prompt, "kind": kind, "options": options}
        )
        poll_id: int = ack["poll"]["id"]
        self.call(self.mod, "poll", {"poll": poll_id, "action": "open"})
        return poll_id

    def screen(self, kind: str, id: int | None = None) -> None:
        self.call(self.mod, "screen", {"kind": kind, "id": id})


@pytest.fixture(scope="module")
def room(server) -> Iterator[Room]:
    result = Room(server.url)
    yield result
    for sio in result.clients:
        sio.disconnect()


@pytest.fixture(scope="module")
def screens(browser, server) -> Iterator[list]:
    """The projector page at each of the three sizes."""
    contexts = [browser.new_context(viewport={"width": w, "height": h}) for w, h in SIZES]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.set_default_timeout(15000)
        page.goto(f"{server.url}/e/{CODE}/present")
        page.wait_for_selector("#connection[data-state=connected]")
    yield pages
    for context in contexts:
        context.close()


def check(screens, selector: str) -> list[dict[str, Any]]:
    """Wait until every screen shows the selector, then return what CHECK found on each, having
    asserted there is no problem."""
    found = []
    for page in screens:
        page.wait_for_selector(selector)
        page.wait_for_timeout(100)
        result = page.evaluate(CHECK)
        size = page.viewport_size
        assert result["problems"] == [], (size, result["problems"])
        found.append(result)
    return found


def sentence(n: int, start: str) -> str:
    """A text of exactly n characters of ordinary words."""
    words = f"{start} " + " ".join(
        ["participatory", "budgeting", "citizens", "assembly", "city", "council", "lottery"] * 80
    )
    return words[: n - 1].rstrip() + "?"


def test_the_welcome_screen(screens):
    for result in check(screens, ".screen-welcome .join-code"):
        assert "Ask your questions and vote from your phone" in result["texts"]


def test_a_long_question_with_its_topic_name_and_written_answer(room, screens):
    sio = room.attendee()
    text = sentence(300, "How does the long question fit")
    ack = room.call(
        sio,
        "ask",
        {"text": text, "name": "Marta Fernández-López, Barcelona", "topic": "Democracy Lab"},
    )
    qid = ack["question"]["id"]
    reply = " ".join(["The city council answered with a written answer."] * 60)[:2000]
    room.call(room.mod, "moderate", {"question": qid, "action": "reply", "text": reply})
    room.screen("question", qid)
    cut = []
    for result in check(screens, ".screen-question .reply-text"):
        assert text in result["texts"]
        assert any("Marta" in t and "Democracy Lab" in t for t in result["texts"])
        # the answer is whole, or cut where the room can still read it, saying so
        shown = next(t for t in result["texts"] if t.startswith("The city council"))
        note = "… (the full answer is on the attendees' page)"
        assert shown == reply or (shown.endswith(note) and reply.startswith(shown[: -len(note)]))
        cut.append(shown != reply)
    assert not cut[0], "at 1920x1080 the whole answer is on screen"
    # in a narrow window the answer is cut where it stops fitting, and says so; the screen fits
    # again when the window grows (measured on resize)
    small = screens[2]
    small.set_viewport_size({"width": 800, "height": 900})
    small.wait_for_timeout(200)
    result = small.evaluate(CHECK)
    assert result["problems"] == []
    shown = next(t for t in result["texts"] if t.startswith("The city council"))
    assert shown.endswith(note) and len(shown) < len(reply)
    small.set_viewport_size({"width": 1024, "height": 768})
    small.wait_for_timeout(200)
    result = small.evaluate(CHECK)
    assert result["problems"] == [] and reply in result["texts"]


def test_a_poll_of_twelve_long_options(room, screens):
    options = [sentence(100, f"Option {i} about") for i in range(1, 13)]
    room.screen("poll", room.poll("Which of these should the city try first?", "single", options))
    for result in check(screens, ".screen-options li"):
        # every option, whole, in order (in two columns when one would not fit)
        assert [o for o in options if o in result["texts"]] == options
        assert result["more"] == []


def result_count(page, selector: str) -> int:
    return page.locator(selector).count()


def test_the_top_five_long_questions(room, screens):
    texts = [sentence(300, f"Top question {i}") for i in range(5)]
    for text in texts:
        room.call(room.attendee(), "ask", {"text": text})
    room.screen("top")
    for page, result in zip(screens, check(screens, ".screen-top li"), strict=True):
        # all five, whole, at each size
        assert result_count(page, ".screen-top li:not([hidden]):not(.more)") == 5
        assert result["more"] == []
        assert "Top questions" in result["texts"]


def test_rating_results_with_the_average(room, screens):
    poll = room.poll("How useful was this session?", "rating", [])
    for stars in (3, 3, 4):  # option indexes: 4, 4 and 5 stars
        room.call(room.attendee(), "vote", {"poll": poll, "options": [stars]})
    room.screen("results", poll)
    for result in check(screens, ".screen-poll .average:not([hidden])"):
        assert "Average rating: 4.3 of 5 stars" in result["texts"]


def test_a_word_cloud_of_a_hundred_words(room, screens):
    poll = room.poll("One word for your city?", "words", [])
    words = [f"word{i:03d}" for i in range(100)]
    for i in range(0, 100, 3):
        room.call(room.attendee(), "vote", {"poll": poll, "words": words[i : i + 3]})
    room.screen("results", poll)
    for page, result in zip(screens, check(screens, ".screen-poll .cloud li"), strict=True):
        # the server sends the 50 most frequent words; those that do not fit are counted
        given = result_count(page, ".cloud li:not(.more)")
        shown = result_count(page, ".cloud li:not([hidden]):not(.more)")
        assert given == 50 and shown > 20
        assert result["more"] == ([f"and {given - shown} more"] if shown < given else [])


def test_a_ranking_of_twelve(room, screens):
    options = [f"Programme {i}: a long name for a ranked option" for i in range(1, 13)]
    poll = room.poll("Rank the programmes", "ranking", options)
    room.call(room.attendee(), "vote", {"poll": poll, "options": list(range(12))})
    room.screen("results", poll)
    for result in check(screens, ".screen-poll .ranking li"):
        # all twelve, with their average rank (secondary text, readable on the dark screen)
        assert all(any(t.startswith(o) for t in result["texts"]) for o in options)
        assert any("average rank 12.0" in t for t in result["texts"]) and result["more"] == []


def test_ten_open_text_answers_shown(room, screens):
    poll = room.poll("What would you ask the mayor?", "text", [])
    # answers of the longest kind (300 characters): ten of them cannot all be read at once, so
    # the screen shows the first that fit and says how many more there are
    answers = [sentence(300, f"Answer {i} asks") for i in range(10)]
    for answer in answers:
        room.call(room.attendee(), "vote", {"poll": poll, "text": answer})
    for answer in answers:
        room.call(room.mod, "poll", {"poll": poll, "action": "show_answer", "answer": answer})
    room.screen("poll", poll)
    for result in check(screens, ".screen-poll .answers li"):
        shown = [a for a in answers if a in result["texts"]]
        assert len(shown) >= 5 and shown == answers[: len(shown)]
        assert result["more"] == [f"and {10 - len(shown)} more"]
