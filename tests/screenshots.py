"""Write screenshots of the three views to docs/screenshots/ (``make screenshots``).

Starts a real server on a temporary store, fills the Nets4Dem webinar with a few questions, upvotes
and ballots through the Socket.IO protocol, then photographs, in Debian's Chromium, the attendee
page and the console as their first screen (what fits the viewport, with a poll open) on phones of
360x740 and 320x640 and a 1366x768 laptop, in the light and the dark colour scheme; the projector
at 1920x1080 and 1280x720; then a long question fitted on the projector at 1920x1080 and 1024x768;
the projector in its light theme; the overlay for streams (a question as a lower third, a poll's
results as a panel) laid over a checkerboard, which shows through wherever the overlay is
transparent.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

import socketio
from playwright.sync_api import sync_playwright

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .servers import ROOT, LiveServer

CODE = "nets4dem"
KEY = "e2e-moderator-key"
QUESTIONS = [
    (
        "Can two people from the same city apply to the Democracy Lab together?",
        "Marta, Barcelona",
        "Democracy Lab",
    ),
    ("Is there funding for travel to Barcelona in September?", None, "Democracy Lab"),
    (
        "How much staff time does the Accelerator need from a city each month?",
        "Jonas",
        "Democracy Innovation Accelerator",
    ),
    (
        "Can mentors in the Rising Stars programme come from outside Eurocities members?",
        None,
        "Rising Stars Mentorship Programme",
    ),
]


def token(url: str) -> str:
    request = urllib.request.Request(f"{url}/api/webinars/{CODE}/join", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)["participant"]  # type: ignore[no-any-return]


def client(url: str, auth: dict[str, object]) -> socketio.SimpleClient:
    sio = socketio.SimpleClient()
    sio.connect(url, auth=auth, transports=["websocket"])
    return sio


def fill_the_room(url: str) -> None:
    """Ask, upvote and vote as a dozen attendees; open a poll and show its results, then put a
    question on screen (it replaces the poll there: the console's preview shows it too)."""
    attendees = [client(url, {"webinar": CODE, "participant": token(url)}) for _ in range(12)]
    mod = client(url, {"webinar": CODE, "key": KEY})
    ids = [
        attendees[i].call(
            "ask", {"text": text, "topic": topic, **({"name": name} if name else {})}
        )["question"]["id"]
        for i, (text, name, topic) in enumerate(QUESTIONS)
    ]
    for n, sio in enumerate(attendees):
        for qid in ids[: 1 + n % len(ids)]:
            sio.call("upvote", {"question": qid, "up": True})
    polls = mod.receive(timeout=5)[1]["polls"]
    mod.call("poll", {"poll": polls[0]["id"], "action": "open"})
    mod.call("poll", {"poll": polls[0]["id"], "action": "show_results"})
    for n, sio in enumerate(attendees):
        # most want the Democracy Lab, some several programmes, a few are not sure yet
        choice = [[0], [0, 1], [1], [0, 2], [3], [2], [0], [0, 1, 2]][n % 8]
        sio.call("vote", {"poll": polls[0]["id"], "options": choice})
    mod.call("moderate", {"question": ids[1], "action": "on_air"})
    mod.call(
        "moderate",
        {
            "question": ids[2],
            "action": "reply",
            "text": "About two days a month from one officer, for six months.",
        },
    )
    mod.call("settings", {"premoderation": True})
    attendees[0].call("ask", {"text": "Will the webinar recording be shared afterwards?"})
    for sio in (*attendees, mod):
        sio.disconnect()


LONG_QUESTION = (
    "Our city ran a citizens' assembly on climate last year and the council adopted most of "
    "its recommendations, but the follow-up stalled after the election: could "
    "the Democracy Innovation Accelerator help us bring the assembly back, and would the "
    "mentors work with the new councillors too?"
)
LONG_REPLY = (
    "Yes. The Accelerator works with the officers and the elected members together, old and new: "
    "the first month is a review of what the assembly asked for and what happened since, the "
    "second a plan with the council. Write to the Nets4Dem team with the assembly's report."
)


def long_question_on_screen(url: str) -> None:
    """Put a question of 300 characters, with its name, topic and written answer, on screen."""
    attendee = client(url, {"webinar": CODE, "participant": token(url)})
    mod = client(url, {"webinar": CODE, "key": KEY})
    ask = {
        "text": LONG_QUESTION,
        "name": "Ana, Lisbon",
        "topic": "Democracy Innovation Accelerator",
    }
    qid = attendee.call("ask", ask)["question"]["id"]
    mod.call("moderate", {"question": qid, "action": "approve"})  # the room is premoderated
    mod.call("moderate", {"question": qid, "action": "reply", "text": LONG_REPLY})
    mod.call("screen", {"kind": "question", "id": qid})
    for sio in (attendee, mod):
        sio.disconnect()


def results_on_screen(url: str) -> None:
    """Put the first poll's results on screen."""
    mod = client(url, {"webinar": CODE, "key": KEY})
    polls = mod.receive(timeout=5)[1]["polls"]
    mod.call("screen", {"kind": "results", "id": polls[0]["id"]})
    mod.disconnect()


def photograph(
    browser: Any, url: str, out: Path, shots: list[tuple[str, str, dict[str, int]]]
) -> None:
    """Open each page at its viewport and write its PNG (whole page but for the projector)."""
    for name, path, viewport in shots:
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        page.goto(url + path)
        page.wait_for_selector("#connection[data-state=connected]")
        page.wait_for_timeout(1000)  # let the bars finish their animation
        page.screenshot(path=str(out / name), full_page=not name.startswith("projector"))
        context.close()
        print(out / name)


# the first screens people see (viewport captures, not the whole page): phones with a poll open,
# the console on a laptop; light, and dark as the device may ask for
FIRST_SCREENS = [
    ("attendee-360x740.png", f"/e/{CODE}", (360, 740), "light", None),
    ("attendee-320x640.png", f"/e/{CODE}", (320, 640), "light", None),
    ("attendee-polls-360x740.png", f"/e/{CODE}", (360, 740), "light", "Polls"),
    ("attendee-360x740-dark.png", f"/e/{CODE}", (360, 740), "dark", None),
    # the attendee page in two of the other languages (issue 15)
    ("attendee-de-360x740.png", f"/e/{CODE}?lang=de", (360, 740), "light", None),
    ("attendee-el-360x740.png", f"/e/{CODE}?lang=el", (360, 740), "light", None),
    ("moderator-1366x768.png", f"/e/{CODE}/moderate?key={KEY}", (1366, 768), "light", None),
    ("moderator-1366x768-dark.png", f"/e/{CODE}/moderate?key={KEY}", (1366, 768), "dark", None),
]


def photograph_first_screens(browser: Any, url: str, out: Path) -> None:
    """Write the first screen of each page in FIRST_SCREENS, in its colour scheme; ``tab``
    chooses the attendee page's tab first."""
    for name, path, (width, height), scheme, tab in FIRST_SCREENS:
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=1, color_scheme=scheme
        )
        page = context.new_page()
        page.goto(url + path)
        page.wait_for_selector("#connection[data-state=connected]")
        if tab:
            page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(1000)  # let the bars finish their animation
        page.screenshot(path=str(out / name))
        context.close()
        print(out / name)


CHECKERBOARD = """
<!doctype html><style>
  html, body { margin: 0; }
  body { width: 1920px; height: 1080px;
    background: repeating-conic-gradient(#b9bec5 0 25%, #eef0f3 0 50%) 0 0 / 40px 40px; }
  img { display: block; }
</style><img alt="" src="data:image/png;base64,PNG">
"""


def overlay_shot(browser: Any, url: str, out: Path, name: str, query: str = "") -> None:
    """Photograph the overlay without a background, then laid over a checkerboard (the grey
    squares show through where the overlay is transparent, as the video does in a stream)."""
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, device_scale_factor=1, reduced_motion="reduce"
    )
    page = context.new_page()
    page.goto(f"{url}/e/{CODE}/overlay{query}")
    page.wait_for_selector("#connection[data-state=connected]")
    page.wait_for_selector(".overlay .stage:not([hidden])")
    page.wait_for_timeout(1000)  # let the bars finish their animation
    png = base64.b64encode(page.screenshot(omit_background=True)).decode()
    # a blank page of its own: the app's pages allow no inline style
    board = context.new_page()
    board.set_content(CHECKERBOARD.replace("PNG", png))
    board.screenshot(path=str(out / name))
    context.close()
    print(out / name)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        server = LiveServer(Path(workdir)).start()
        try:
            fill_the_room(server.url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                present = f"/e/{CODE}/present"
                photograph(
                    browser,
                    server.url,
                    out,
                    [
                        ("projector-1920x1080.png", present, {"width": 1920, "height": 1080}),
                        ("projector-1280x720.png", present, {"width": 1280, "height": 720}),
                        (
                            "projector-light-1920x1080.png",
                            f"{present}?theme=light",
                            {"width": 1920, "height": 1080},
                        ),
                    ],
                )
                photograph_first_screens(browser, server.url, out)
                # the question on screen, as a stream's lower third
                overlay_shot(browser, server.url, out, "overlay-question.png")
                # a long question fitted: the text shrinks, never below what a room can read
                long_question_on_screen(server.url)
                photograph(
                    browser,
                    server.url,
                    out,
                    [
                        (f"projector-long-question-{w}x{h}.png", present, {"width": w, "height": h})
                        for w, h in ((1920, 1080), (1024, 768))
                    ],
                )
                # a poll's results on screen, as a stream's panel (light theme, at the top)
                results_on_screen(server.url)
                overlay_shot(
                    browser, server.url, out, "overlay-results.png", "?theme=light&position=top"
                )
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
