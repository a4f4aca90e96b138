"""The screen: one state per webinar that moderators choose, sent to every room (Socket.IO)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from live.domain import Question

from .conftest import CODE, ack, received

WELCOME = {"kind": "welcome", "id": None}


@pytest.fixture
def people(room):
    """An attendee, a viewer (the projector) and a moderator, their snapshots drained."""
    viewer = room.connect({"webinar": CODE, "viewer": True})
    a, mod = room.attendee(), room.moderator()
    room.flush()
    for client in (a, viewer, mod):
        client.get_received()
    return a, viewer, mod


def screens(room, *clients):
    """Send the pending updates; return the last screen each client was sent (None: none)."""
    room.flush()
    found = []
    for client in clients:
        sent = [u["screen"] for u in received(client, "update") if "screen" in u]
        found.append(sent[-1] if sent else None)
    return found


def ask(room, text="Why?"):
    question = ack(room.attendee(), "ask", {"text": text})["question"]
    return question["id"]


def test_a_new_webinar_shows_welcome_in_every_snapshot(room, client):
    assert received(room.attendee(), "snapshot")[0]["screen"] == WELCOME
    assert received(room.moderator(), "snapshot")[0]["screen"] == WELCOME
    viewer = room.connect({"webinar": CODE, "viewer": True})
    assert received(viewer, "snapshot")[0]["screen"] == WELCOME
    assert client.get(f"/api/webinars/{CODE}").get_json()["screen"] == WELCOME


def test_moderator_chooses_the_screen_and_every_room_sees_it(room, people):
    a, viewer, mod = people
    assert ack(mod, "screen", {"kind": "top"}) == {
        "ok": True,
        "screen": {"kind": "top", "id": None},
    }
    assert screens(room, a, viewer, mod) == [{"kind": "top", "id": None}] * 3
    assert ack(mod, "screen", {"kind": "blank", "id": None})["ok"]
    assert screens(room, a, viewer, mod) == [{"kind": "blank", "id": None}] * 3
    # a later connection's snapshot has it too
    assert received(room.attendee(), "snapshot")[0]["screen"] == {"kind": "blank", "id": None}


def test_the_issues_first_sequence_shows_the_question(room, people, live):
    """Open poll 1, show its results, close it, then put a question on screen: the screen shows
    the question (it kept the poll)."""
    a, viewer, mod = people
    question = ask(room)
    poll = live.store.polls(CODE)[0].id
    assert ack(mod, "poll", {"poll": poll, "action": "open"})["ok"]
    assert screens(room, viewer) == [{"kind": "poll", "id": poll}]
    assert ack(mod, "poll", {"poll": poll, "action": "show_results"})["ok"]
    assert screens(room, viewer) == [{"kind": "results", "id": poll}]
    assert ack(mod, "poll", {"poll": poll, "action": "close"})["ok"]
    assert screens(room, viewer) == [{"kind": "results", "id": poll}]  # final results stay
    assert ack(mod, "moderate", {"question": question, "action": "on_air"})["ok"]
    room.flush()
    updates = received(viewer, "update")
    assert updates[-1]["screen"] == {"kind": "question", "id": question}
    assert updates[-1]["on_air"] == question
    assert [q["on_air"] for q in updates[-1]["questions"]] == [True]


def test_the_issues_second_sequence_shows_the_reopened_poll(room, people, live):
    """Show poll 2's results, then reopen poll 1: the screen shows poll 1 to vote on."""
    a, viewer, mod = people
    one, two = (p.id for p in live.store.polls(CODE)[:2])
    assert ack(mod, "poll", {"poll": one, "action": "open"})["ok"]
    assert ack(mod, "poll", {"poll": one, "action": "close"})["ok"]
    assert ack(mod, "poll", {"poll": two, "action": "open"})["ok"]
    assert ack(mod, "poll", {"poll": two, "action": "show_results"})["ok"]
    assert screens(room, viewer) == [{"kind": "results", "id": two}]
    assert ack(mod, "poll", {"poll": one, "action": "open"})["ok"]
    assert screens(room, a, viewer) == [{"kind": "poll", "id": one}] * 2
    # and "Show on screen" puts poll 2's results back, without touching what attendees see
    assert ack(mod, "screen", {"kind": "results", "id": two})["screen"]["id"] == two
    assert screens(room, viewer) == [{"kind": "results", "id": two}]
    assert live.store.polls(CODE, [one])[0].results_visible is False


def test_results_on_screen_are_public_while_there_only(room, people, live):
    a, viewer, mod = people
    poll = live.store.polls(CODE)[0].id
    assert ack(mod, "poll", {"poll": poll, "action": "open"})["ok"]
    room.flush()
    assert received(viewer, "update")[-1]["polls"][0]["results"] is None
    assert ack(mod, "screen", {"kind": "results", "id": poll})["ok"]
    room.flush()
    [update] = received(viewer, "update")
    assert update["screen"] == {"kind": "results", "id": poll}
    assert update["polls"][0]["results"]["voters"] == 0
    assert update["polls"][0]["results_visible"] is False
    assert received(room.attendee(), "snapshot")[0]["polls"][0]["results"] is not None
    # another screen: the results are the moderators' again
    assert ack(mod, "screen", {"kind": "welcome"})["ok"]
    room.flush()
    assert received(a, "update")[-1]["polls"][0]["results"] is None
    assert received(room.attendee(), "snapshot")[0]["polls"][0]["results"] is None


def test_hiding_results_from_attendees_leaves_the_screen(room, people, live):
    a, viewer, mod = people
    poll = live.store.polls(CODE)[0].id
    assert ack(mod, "poll", {"poll": poll, "action": "open"})["ok"]
    assert ack(mod, "poll", {"poll": poll, "action": "show_results"})["ok"]
    assert ack(mod, "poll", {"poll": poll, "action": "hide_results"})["ok"]
    room.flush()
    viewer.get_received()
    assert live.store.screen(CODE).kind == "results"
    # showing results to attendees of a poll that is not on screen does not take the screen
    question = ask(room)
    assert ack(mod, "screen", {"kind": "question", "id": question})["ok"]
    assert ack(mod, "poll", {"poll": poll, "action": "show_results"})["ok"]
    assert screens(room, viewer) == [{"kind": "question", "id": question}]


@pytest.mark.parametrize("action", ["off_air", "dismiss", "archive", "merge"])
def test_a_question_leaving_the_screen_falls_back_to_welcome(room, people, action):
    a, viewer, mod = people
    question, other = ask(room), ask(room, "Another one?")
    assert ack(mod, "screen", {"kind": "question", "id": question})["ok"]
    assert screens(room, viewer) == [{"kind": "question", "id": question}]
    extra = {"into": other} if action == "merge" else {}
    assert ack(mod, "moderate", {"question": question, "action": action, **extra})["ok"]
    assert screens(room, a, viewer, mod) == [WELCOME] * 3


def test_closing_a_poll_on_screen_falls_back_to_welcome(room, people, live):
    a, viewer, mod = people
    poll = live.store.polls(CODE)[0].id
    assert ack(mod, "poll", {"poll": poll, "action": "open", "seconds": 5})["ok"]
    room.flush()
    viewer.get_received()
    assert ack(mod, "poll", {"poll": poll, "action": "close"})["ok"]
    room.flush()
    # one update: the projector never shows the closed poll waiting for its fallback
    updates = received(viewer, "update")
    assert len(updates) == 1 and updates[0]["screen"] == WELCOME
    assert [(p["id"], p["state"]) for p in updates[0]["polls"]] == [(poll, "closed")]


def test_the_old_on_air_actions_set_and_clear_the_question_screen(room, people):
    a, viewer, mod = people
    question = ask(room)
    assert ack(mod, "screen", {"kind": "top"})["ok"]
    reply = ack(mod, "moderate", {"question": question, "action": "on_air"})
    assert reply["question"]["on_air"] is True
    assert screens(room, viewer) == [{"kind": "question", "id": question}]
    assert ack(mod, "moderate", {"question": question, "action": "off_air"})["ok"]
    assert screens(room, viewer) == [WELCOME]


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"kind": "movie"}, "bad_kind"),
        ({"kind": None}, "bad_kind"),
        ({"kind": "top", "id": 3}, "bad_request"),
        ({"kind": "poll"}, "bad_request"),
        ({"kind": "question", "id": "1"}, "bad_request"),
        ({"kind": "question", "id": True}, "bad_request"),
        ({"kind": "question", "id": 999}, "not_found"),
        ({"kind": "results", "id": 2**63}, "not_found"),
        ({"kind": "poll", "id": "draft"}, "bad_state"),
        ({"kind": "results", "id": "draft"}, "bad_state"),
        ({"kind": "question", "id": "pending"}, "bad_state"),
        ({"kind": "question", "id": "dismissed"}, "bad_state"),
    ],
)
def test_a_screen_that_cannot_be_shown_is_refused(room, people, live, payload, error):
    a, viewer, mod = people
    assert ack(mod, "screen", {"kind": "top"})["ok"]
    question = ask(room)
    assert ack(mod, "moderate", {"question": question, "action": "dismiss"})["ok"]
    ids = {
        "draft": live.store.polls(CODE)[0].id,
        "dismissed": question,
        "pending": live.store.add_question(
            Question(0, CODE, "Wait", None, "p", datetime.now(UTC), "pending")
        ).id,
    }
    if isinstance(payload.get("id"), str) and payload["id"] in ids:
        payload = {**payload, "id": ids[payload["id"]]}
    reply = ack(mod, "screen", payload)
    assert reply["ok"] is False and reply["error"] == error and reply["message"]
    assert live.store.screen(CODE).kind == "top"


def test_attendees_cannot_choose_the_screen(room, people, live):
    a, viewer, mod = people
    assert ack(a, "screen", {"kind": "blank"})["error"] == "forbidden"
    assert ack(viewer, "screen", {"kind": "blank"})["error"] == "forbidden"
    assert live.store.screen(CODE).kind == "welcome"


def test_a_screen_change_is_logged(room, people, live):
    a, viewer, mod = people
    assert ack(mod, "screen", {"kind": "top"})["ok"]
    entry = live.store.moderation_log(CODE)[-1]
    assert (entry.action, entry.detail) == ("screen", "top")
