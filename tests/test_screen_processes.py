"""The screen over real server processes: the same on two processes sharing Redis, and kept after
a process is killed (kill -9) with SQLite."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from .servers import LiveServer
from .test_e2e import CODE, Client, attendee, moderator
from .test_e2e import server as server  # noqa: PLC0414  (the fixture: one process, SQLite)
from .test_redis_processes import processes as processes  # noqa: PLC0414  (two, over Redis)
from .test_redis_processes import redis_server as redis_server  # noqa: PLC0414

pytestmark = pytest.mark.e2e


def last_screen(client: Client) -> dict[str, Any] | None:
    """Return the screen of the latest message that carried one."""
    found = None
    for message in [*client.snapshots[-1:], *client.updates]:
        found = message.get("screen", found)
    return found


@pytest.mark.redis
def test_the_screen_chosen_on_one_process_is_shown_by_the_other(processes, clients):
    a, b = processes
    mod, viewer_b = moderator(a, clients), attendee(b, clients)
    asked = attendee(b, clients).call("ask", {"text": "Shown everywhere?"})
    question = asked["question"]["id"]
    assert mod.call("screen", {"kind": "question", "id": question})["ok"]
    wanted = {"kind": "question", "id": question}
    viewer_b.wait_for(lambda: last_screen(viewer_b) == wanted, timeout=3)
    poll = mod.snapshots[0]["polls"][0]["id"]
    assert mod.call("poll", {"poll": poll, "action": "open"})["ok"]
    assert mod.call("screen", {"kind": "results", "id": poll})["ok"]
    wanted = {"kind": "results", "id": poll}
    viewer_b.wait_for(lambda: last_screen(viewer_b) == wanted, timeout=3)
    # the results on screen are public on the other process too
    polls = [p for u in viewer_b.updates for p in u.get("polls", []) if p["id"] == poll]
    assert polls[-1]["results"] is not None
    # a process that connects later gets it in its snapshot
    assert attendee(b, clients).snapshots[0]["screen"] == wanted


def test_the_screen_survives_kill_9(server: LiveServer, clients):
    mod = moderator(server, clients)
    assert mod.call("screen", {"kind": "top"})["ok"]
    server.kill()
    server.start()
    assert attendee(server, clients).snapshots[0]["screen"] == {"kind": "top", "id": None}
    # a question on screen: the projector and the overlay (viewers) and the public JSON show it
    asked = attendee(server, clients).call("ask", {"text": "Still on screen after a crash?"})
    question = asked["question"]["id"]
    assert moderator(server, clients).call("screen", {"kind": "question", "id": question})["ok"]
    server.kill()
    server.start()
    wanted = {"kind": "question", "id": question}
    viewer = Client(server.url, {"webinar": CODE, "viewer": True}).connect()
    clients.append(viewer)
    assert viewer.snapshots[0]["screen"] == wanted
    shown = [q["text"] for q in viewer.snapshots[0]["questions"] if q["id"] == question]
    assert shown == ["Still on screen after a crash?"]
    with urllib.request.urlopen(f"{server.url}/api/webinars/{CODE}", timeout=5) as response:
        assert json.load(response)["screen"] == wanted
