""" "Forget me": the forget event removes an attendee's personal data and retires their token."""

from __future__ import annotations

from .conftest import CODE, ack, received
from .test_connect import refusals as refusals  # noqa: PLC0414  (the fixture)
from .test_connect import refused_with


def test_forget_me_removes_what_links_to_the_attendee_and_says_so(room, live, refusals, client):
    token = room.token()
    a, tab, b, mod = room.attendee(token), room.attendee(token), room.attendee(), room.moderator()
    mine = ack(a, "ask", {"text": "Who funds the lab?", "name": "Ada"})["question"]["id"]
    theirs = ack(b, "ask", {"text": "When does it start?", "name": "Bo"})["question"]["id"]
    assert ack(a, "upvote", {"question": theirs, "up": True})["ok"]
    poll = live.store.polls(CODE)[0].id
    assert ack(mod, "poll", {"poll": poll, "action": "open"})["ok"]
    assert ack(a, "vote", {"poll": poll, "options": [0]})["ok"]
    email = {"poll": poll, "email": "ada@city.example", "consent": True}
    assert ack(a, "interest", email)["ok"]
    room.flush()
    for c in (a, tab, b, mod):
        c.get_received()

    answer = ack(a, "forget", {})
    assert answer["ok"], answer
    assert answer["removed"] == {
        "names": 1,
        "emails": 1,
        "questions": 1,
        "upvotes": 1,
        "ballots": 1,
    }
    assert answer["message"].startswith(
        "Removed: 1 name, 1 email address, 1 link to a question, 1 link to an upvote, "
        "1 link to a ballot."
    )
    # the other tab of the same person is signed out; the sender goes on as a viewer
    assert not tab.is_connected()
    assert [p["args"][0]["reason"] for p in tab.queue if p["name"] == "signed_out"] == ["forgotten"]
    assert a.is_connected()
    assert ack(a, "ask", {"text": "And now?"})["error"] == "no_token"
    # everyone sees the question without its name; texts, counts and results stay
    room.flush()
    updates = received(b, "update")
    shown = [q for u in updates for q in u.get("questions", []) if q["id"] == mine]
    assert shown and shown[-1]["name"] is None and shown[-1]["text"] == "Who funds the lab?"
    [question] = live.store.questions(CODE, [mine])
    assert question.name is None and question.participant == ""
    assert live.store.questions(CODE, [theirs])[0].upvotes == 1
    assert live.store.results(CODE, poll).counts[0] == 1
    assert live.store.interests(CODE, poll) == {}
    # the token is refused from now on, and the page gives the browser a new one
    assert refused_with(room, refusals, {"webinar": CODE, "participant": token}) == "forgotten"
    client.set_cookie(f"live_participant_{CODE}", token)
    page = client.get(f"/e/{CODE}").get_data(as_text=True)
    new = client.get_cookie(f"live_participant_{CODE}").value
    assert new != token and f'data-participant="{new}"' in page
    fresh = room.attendee(new)
    assert received(fresh, "snapshot")[0]["me"]["questions"] == []
    # B is untouched
    assert live.store.personal_data(CODE).names == 1


def test_forget_me_with_nothing_stored_and_twice(room):
    a = room.attendee()
    first = ack(a, "forget", {})
    assert first["ok"] and set(first["removed"].values()) == {0}
    assert first["message"].startswith("Removed: nothing.")
    # the connection is a viewer's now
    assert ack(a, "forget", {})["error"] == "no_token"


def test_forget_takes_no_fields_and_is_for_attendees(room):
    a = room.attendee()
    assert ack(a, "forget", {"all": True})["error"] == "bad_request"
    viewer = room.connect({"webinar": CODE, "viewer": True})
    assert ack(viewer, "forget", {})["error"] == "no_token"


def test_a_tab_on_another_process_can_no_longer_ask_or_leave_an_address(room, live):
    token = room.token()
    tab = room.attendee(token)
    participant = live.identities.participant(CODE, token)
    poll = live.store.polls(CODE)[0].id
    # another process heard "forget me" (it wrote to the shared store; this one signs out nobody)
    live.store.remove_personal(CODE, participant)
    asked = ack(tab, "ask", {"text": "Still me?", "name": "Ada"})
    assert asked["error"] == "forgotten" and "reload the page" in asked["message"]
    email = {"poll": poll, "email": "ada@city.example", "consent": True}
    assert ack(tab, "interest", email)["error"] == "forgotten"
    assert live.store.questions(CODE) == []
