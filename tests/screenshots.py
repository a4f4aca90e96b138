"""Write screenshots of the three views to docs/screenshots/ (``make screenshots``).

Starts a real server on a temporary store, fills the Nets4Dem webinar with a few questions, upvotes
and ballots through the Socket.IO protocol, then photographs the attendee page on a phone, the
moderator console on a laptop and the projector at 1920x1080 and 1280x720 in Debian's Chromium.
"""

from __future__ import annotations

import json
import sys
import tempfile
import urllib.request
from pathlib import Path

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


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        server = LiveServer(Path(workdir)).start()
        try:
            fill_the_room(server.url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                shots = [
                    ("attendee.png", f"/e/{CODE}", {"width": 390, "height": 844}, 1),
                    (
                        "moderator.png",
                        f"/e/{CODE}/moderate?key={KEY}",
                        {"width": 1366, "height": 768},
                        1,
                    ),
                    (
                        "projector-1920x1080.png",
                        f"/e/{CODE}/present",
                        {"width": 1920, "height": 1080},
                        1,
                    ),
                    (
                        "projector-1280x720.png",
                        f"/e/{CODE}/present",
                        {"width": 1280, "height": 720},
                        1,
                    ),
                ]
                for name, path, viewport, scale in shots:
                    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
                    page = context.new_page()
                    page.goto(server.url + path)
                    page.wait_for_selector("#connection[data-state=connected]")
                    page.wait_for_timeout(1000)  # let the bars finish their animation
                    page.screenshot(
                        path=str(out / name), full_page=not name.startswith("projector")
                    )
                    context.close()
                    print(out / name)
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
