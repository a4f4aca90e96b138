"""The Socket.IO protocol through Flask-SocketIO's test client: two attendees and a moderator."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from live.domain import Webinar

from .conftest import CODE, MODERATOR_KEY, ack, received


@pytest.fixture
def people(room):
    """Attendees A and B and a moderator, with their connect snapshots drained."""
    a, b, mod = room.attendee(), room.attendee(), room.moderator()
    room.flush()  # the "online" count
    for client in (a, b, mod):
        client.get_received()
    return a, b, mod


def open_first_poll(mod, live) -> int:
    poll_id = live.store.polls(CODE)[0].id
    assert ack(mod, "poll", {"poll": poll_id, "action": "open"})["ok"]
    return poll_id


# -- connecting ----------------------------------------------------------------------------------


def test_attendee_snapshot_shows_public_state_only(room, live):
    snap = received(room.attendee(), "snapshot")[0]
    assert snap["role"] == "attendee"
    assert snap["webinar"]["code"] == CODE
    assert snap["webinar"]["starts_at"] == "2024-06-27T10:00:00+02:00"
    assert snap["webinar"]["timezone"] == "Europe/Brussels"
    assert [p["title"] for p in snap["webinar"]["programmes"]] == [
        "Democracy Lab",
        "Democracy Innovation Accelerator",
        "Rising Stars Mentorship Programme",
    ]
    assert snap["polls"] == []  # the three polls are drafts
    assert snap["me"] == {"questions": [], "upvoted": [], "ballots": {}, "interests": {}}


def test_moderators_learn_the_allowed_actions_from_the_server(room):
    """The console offers what the server allows; every action it lists is accepted."""
    allowed = received(room.moderator(), "snapshot")[0]["allowed"]
    assert allowed["pending"][:3] == ["approve", "dismiss", "archive"]
    assert "answer" in allowed["live"] and "on_air" in allowed["live"]
    assert "approve" not in allowed["live"] and "on_air" not in allowed["pending"]
    assert allowed["archived"] == ["restore", "edit", "topic", "reply"]
    assert allowed["merged"] == ["edit"]
    assert "allowed" not in received(room.attendee(), "snapshot")[0]
    a, mod = room.attendee(), room.moderator()
    for action in allowed["live"]:
        if action in ("merge", "edit", "topic", "reply", "off_air"):
            continue  # these take more than a question
        qid = ack(a, "ask", {"text": f"Given {action}?"})["question"]["id"]
        assert ack(mod, "moderate", {"question": qid, "action": action})["ok"], action
    qid = ack(a, "ask", {"text": "Answered twice?"})["question"]["id"]
    ack(mod, "moderate", {"question": qid, "action": "answer"})
    refused = ack(mod, "moderate", {"question": qid, "action": "answer"})
    assert "answer" not in allowed["answered"] and refused["error"] == "bad_state"


def test_moderator_snapshot_has_drafts_with_counts(room):
    snap = received(room.moderator(), "snapshot")[0]
    assert snap["role"] == "moderator"
    prompts = [p["prompt"] for p in snap["polls"]]
    assert prompts[:3] == [
        "Which programme is your city interested in?",
        "How likely is your city to apply?",
        "Which department do you work in?",
    ]
    assert snap["polls"][0]["kind"] == "multiple"
    assert snap["polls"][0]["results"] == {
        "counts": [0, 0, 0, 0],
        "percentages": [0.0] * 4,
        "voters": 0,
    }


def second_webinar(live) -> str:
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    live.store.create_webinar(
        Webinar("other", "Other", "", start, start.replace(hour=10)), "k2", []
    )
    return "other"


@pytest.mark.parametrize(
    "auth",
    [
        None,
        "nets4dem",
        {},
        {"webinar": "unknown-one", "participant": "x"},
        {"webinar": CODE},
        {"webinar": CODE, "participant": "forged.token"},
        {"webinar": CODE, "participant": 12},
        {"webinar": CODE, "key": "wrong"},
        {"webinar": CODE, "key": None},
        {"webinar": CODE, "moderator": True},
    ],
)
def test_refused_connections(room, auth):
    client = room.connect(auth)
    assert not client.is_connected()


def test_wrong_key_is_refused_even_with_a_valid_token(room):
    client = room.connect({"webinar": CODE, "participant": room.token(), "key": "wrong"})
    assert not client.is_connected()


def test_token_of_another_webinar_is_refused(room, live):
    other = second_webinar(live)
    assert not room.connect({"webinar": CODE, "participant": room.token(other)}).is_connected()
    assert room.attendee(code=other).is_connected()


def test_moderator_by_session_cookie(room, client):
    assert not room.connect({"webinar": CODE, "moderator": True}, client).is_connected()
    client.get(f"/e/{CODE}/moderate?key={MODERATOR_KEY}")
    mod = room.connect({"webinar": CODE, "moderator": True}, client)
    assert mod.is_connected()
    assert received(mod, "snapshot")[0]["role"] == "moderator"


# -- asking --------------------------------------------------------------------------------------


def test_question_reaches_everyone_in_one_update(people, room):
    a, b, mod = people
    reply = ack(a, "ask", {"text": "  How do we  apply? ", "name": "Ada"})
    assert reply["ok"] is True
    question = reply["question"]
    assert question["text"] == "How do we apply?" and question["name"] == "Ada"
    assert question["status"] == "live" and question["upvotes"] == 0
    room.flush()
    for client in (a, b, mod):
        [update] = received(client, "update")
        assert [q["id"] for q in update["questions"]] == [question["id"]]


def test_a_retried_ask_stores_one_question(people, room, live):
    a, b, _ = people
    payload = {"text": "Sent twice after a timeout?", "idempotency_key": "draft-1"}
    first, retry = ack(a, "ask", payload), ack(a, "ask", payload)
    assert first["ok"] and retry == first
    assert [q.text for q in live.store.questions(CODE)] == ["Sent twice after a timeout?"]
    room.flush()
    assert len(received(b, "update")[0]["questions"]) == 1
    assert ack(a, "ask", {"text": "x", "idempotency_key": "not a key!"})["error"] == "bad_request"
    assert ack(a, "ask", {"text": "x", "idempotency_key": 7})["error"] == "bad_request"


def test_anonymous_question(people, room):
    a, b, _ = people
    assert ack(a, "ask", {"text": "Anonymous?"})["question"]["name"] is None
    room.flush()
    assert received(b, "update")[0]["questions"][0]["name"] is None


def test_names_are_dropped_when_not_asked(people, room):
    a, _, mod = people
    assert ack(mod, "settings", {"ask_names": False})["ok"]
    assert ack(a, "ask", {"text": "Who am I?", "name": "Ada"})["question"]["name"] is None


def test_premoderation_holds_questions_for_review(people, room):
    a, b, mod = people
    assert ack(mod, "settings", {"premoderation": True})["settings"]["premoderation"] is True
    room.flush()
    assert received(b, "update")[0]["settings"]["premoderation"] is True
    a.get_received(), mod.get_received()

    question = ack(a, "ask", {"text": "Is this allowed?"})["question"]
    assert question["status"] == "pending"
    room.flush()
    assert received(b, "update") == []  # another attendee sees nothing
    assert received(mod, "update")[0]["questions"][0]["status"] == "pending"
    assert received(a, "update")[0]["questions"][0]["status"] == "pending"  # the author follows it
    # a newcomer's snapshot does not have it either
    assert received(room.attendee(), "snapshot")[0]["questions"] == []

    assert ack(mod, "moderate", {"question": question["id"], "action": "approve"})["ok"]
    room.flush()
    [update] = received(b, "update")
    assert update["questions"][0]["id"] == question["id"]
    assert update["questions"][0]["status"] == "live"


def test_dismissed_question_leaves_attendees_but_its_author_sees_why(people, room):
    a, b, mod = people
    qid = ack(a, "ask", {"text": "Off topic"})["question"]["id"]
    room.flush()
    for client in people:
        client.get_received()
    dismissed = ack(mod, "moderate", {"question": qid, "action": "dismiss", "reason": "off_topic"})
    assert dismissed["question"]["reason"] == "off_topic"
    room.flush()
    # everyone learns that one more question was dismissed and why, never which or its text
    assert received(b, "update") == [{"dismissed": {"off_topic": 1}, "removed": [qid]}]
    updates = received(a, "update")
    assert {"dismissed": {"off_topic": 1}, "removed": [qid]} in updates
    own = [u["questions"][0] for u in updates if "questions" in u]
    assert own[0]["status"] == "dismissed" and own[0]["reason"] == "off_topic"
    snap = received(room.attendee(), "snapshot")[0]
    assert snap["questions"] == [] and snap["dismissed"] == {"off_topic": 1}
    assert received(a, "snapshot") == []
    # restored: the count goes, and so does the reason
    restored = ack(mod, "moderate", {"question": qid, "action": "restore"})["question"]
    assert restored["status"] == "live" and restored["reason"] is None
    room.flush()
    assert received(b, "update")[0]["dismissed"] == {}


def test_dismiss_reasons_are_checked_and_default_to_other(people, room):
    a, _, mod = people
    first = ack(a, "ask", {"text": "First"})["question"]["id"]
    second = ack(a, "ask", {"text": "Second"})["question"]["id"]
    for payload in (
        {"question": first, "action": "dismiss", "reason": "boring"},
        {"question": first, "action": "dismiss", "reason": ["duplicate"]},
        {"question": first, "action": "approve", "reason": "duplicate"},
    ):
        assert ack(mod, "moderate", payload)["error"] in ("bad_reason", "bad_request")
    assert received(room.attendee(), "snapshot")[0]["dismissed"] == {}
    plain = ack(mod, "moderate", {"question": first, "action": "dismiss"})["question"]
    assert plain["reason"] == "other"
    ack(mod, "moderate", {"question": second, "action": "dismiss", "reason": "duplicate"})
    snap = received(room.attendee(), "snapshot")[0]
    assert snap["dismissed"] == {"other": 1, "duplicate": 1}


# -- upvotes -------------------------------------------------------------------------------------


def test_upvote_toggles_and_counts_once(people, room):
    a, b, _ = people
    qid = ack(a, "ask", {"text": "Upvote me"})["question"]["id"]
    first = ack(b, "upvote", {"question": qid, "up": True})
    assert first == {"ok": True, "question": {"id": qid, "upvotes": 1}, "up": True}
    assert ack(b, "upvote", {"question": qid, "up": True})["question"]["upvotes"] == 1
    assert ack(a, "upvote", {"question": qid, "up": True})["question"]["upvotes"] == 2  # own
    room.flush()
    assert received(b, "update")[-1]["questions"][0]["upvotes"] == 2
    assert ack(b, "upvote", {"question": qid, "up": False})["question"]["upvotes"] == 1
    assert received(room.attendee(), "snapshot")[0]["questions"][0]["upvotes"] == 1


def test_snapshot_remembers_my_upvotes_and_ballots(room, live):
    token = room.token()
    a, mod = room.attendee(token), room.moderator()
    qid = ack(a, "ask", {"text": "Mine"})["question"]["id"]
    ack(a, "upvote", {"question": qid, "up": True})
    poll_id = open_first_poll(mod, live)
    ack(a, "vote", {"poll": poll_id, "options": [2, 0]})
    a.disconnect()
    me = received(room.attendee(token), "snapshot")[0]["me"]
    assert me == {
        "questions": [qid],
        "upvoted": [qid],
        "ballots": {str(poll_id): [0, 2]},
        "interests": {},
    }


def test_snapshot_remembers_rankings_words_and_written_answers(room, live):
    """A reload or a rebuilt card shows the voter what they gave in every kind of poll."""
    token = room.token()
    a, mod = room.attendee(token), room.moderator()
    polls = {}
    for kind, options in (("ranking", ["x", "y", "z"]), ("words", []), ("text", [])):
        poll = {"prompt": f"A {kind}?", "kind": kind, "options": options}
        created = ack(mod, "create_poll", poll)
        polls[kind] = created["poll"]["id"]
        assert ack(mod, "poll", {"poll": polls[kind], "action": "open"})["ok"]
    assert ack(a, "vote", {"poll": polls["ranking"], "options": [2, 0, 1]})["ok"]
    assert ack(a, "vote", {"poll": polls["words"], "words": ["Trust", "open data"]})["ok"]
    assert ack(a, "vote", {"poll": polls["text"], "text": "More assemblies"})["ok"]
    a.disconnect()
    ballots = received(room.attendee(token), "snapshot")[0]["me"]["ballots"]
    assert ballots == {
        str(polls["ranking"]): [2, 0, 1],
        str(polls["words"]): ["trust", "open data"],
        str(polls["text"]): ["More assemblies"],
    }
    # nobody else's
    assert received(room.attendee(), "snapshot")[0]["me"]["ballots"] == {}


def test_a_vote_storm_is_one_update_per_tick(room):
    attendees = [room.attendee() for _ in range(20)]
    qid = ack(attendees[0], "ask", {"text": "Popular"})["question"]["id"]
    room.flush()
    for client in attendees:
        client.get_received()
    for client in attendees:
        assert ack(client, "upvote", {"question": qid, "up": True})["ok"]
    room.flush()
    for client in attendees:
        [update] = received(client, "update")
        assert update["questions"][0]["upvotes"] == 20


def test_cannot_upvote_hidden_or_answered_questions(people, room):
    a, b, mod = people
    ack(mod, "settings", {"premoderation": True})
    pending = ack(a, "ask", {"text": "Hidden"})["question"]["id"]
    assert ack(b, "upvote", {"question": pending, "up": True})["error"] == "not_found"
    ack(mod, "moderate", {"question": pending, "action": "approve"})
    ack(mod, "moderate", {"question": pending, "action": "answer"})
    assert ack(b, "upvote", {"question": pending, "up": True})["error"] == "question_closed"


# -- polls ---------------------------------------------------------------------------------------


def test_poll_flow_with_changed_ballot(people, room, live):
    a, b, mod = people
    poll_id = open_first_poll(mod, live)
    room.flush()
    [update] = received(a, "update")
    assert update["polls"][0]["state"] == "open" and update["polls"][0]["results"] is None
    b.get_received(), mod.get_received()

    assert ack(a, "vote", {"poll": poll_id, "options": [0, 1]}) == {
        "ok": True,
        "poll": poll_id,
        "options": [0, 1],
    }
    assert ack(b, "vote", {"poll": poll_id, "options": [1]})["ok"]
    assert ack(a, "vote", {"poll": poll_id, "options": [2]})["ok"]  # A changes their mind
    room.flush()
    results = received(mod, "update")[0]["polls"][0]["results"]
    assert results == {"counts": [0, 1, 1, 0], "percentages": [0.0, 50.0, 50.0, 0.0], "voters": 2}
    assert received(b, "update") == []  # results are hidden: nothing for attendees to see

    ack(mod, "poll", {"poll": poll_id, "action": "show_results"})
    room.flush()
    assert received(b, "update")[0]["polls"][0]["results"]["voters"] == 2

    assert ack(mod, "poll", {"poll": poll_id, "action": "close"})["poll"]["state"] == "closed"
    assert ack(b, "vote", {"poll": poll_id, "options": [0]})["error"] == "poll_closed"


def test_single_choice_takes_one_option(people, live):
    a, _, mod = people
    poll_id = live.store.polls(CODE)[1].id
    ack(mod, "poll", {"poll": poll_id, "action": "open"})
    assert ack(a, "vote", {"poll": poll_id, "options": [0, 1]})["error"] == "bad_options"
    assert ack(a, "vote", {"poll": poll_id, "options": [9]})["error"] == "bad_options"


def test_draft_polls_take_no_votes_and_stay_hidden(people, room, live):
    a, _, mod = people
    poll_id = live.store.polls(CODE)[0].id
    assert ack(a, "vote", {"poll": poll_id, "options": [0]})["error"] == "not_found"
    created = ack(
        mod, "create_poll", {"prompt": "Coffee?", "kind": "single", "options": ["Yes", "No"]}
    )
    assert created["ok"] and created["poll"]["state"] == "draft"
    room.flush()
    assert received(a, "update") == []
    assert received(mod, "update")[0]["polls"][0]["prompt"] == "Coffee?"


# -- on air and moderation -----------------------------------------------------------------------


def test_one_question_on_air(people, room):
    a, b, mod = people
    first = ack(a, "ask", {"text": "First"})["question"]["id"]
    second = ack(a, "ask", {"text": "Second"})["question"]["id"]
    assert ack(mod, "moderate", {"question": first, "action": "on_air"})["question"]["on_air"]
    room.flush()
    b.get_received()
    ack(mod, "moderate", {"question": second, "action": "on_air"})
    room.flush()
    [update] = received(b, "update")
    assert update["on_air"] == second
    flags = {q["id"]: q["on_air"] for q in update["questions"]}
    assert flags == {first: False, second: True}
    ack(mod, "moderate", {"question": second, "action": "archive"})
    room.flush()
    assert received(b, "update")[0]["on_air"] is None


def test_moderator_edits_and_restores(people, room):
    a, b, mod = people
    qid = ack(a, "ask", {"text": "Typo qestion"})["question"]["id"]
    assert ack(mod, "moderate", {"question": qid, "action": "edit", "text": "Typo question"})["ok"]
    assert (
        ack(mod, "moderate", {"question": qid, "action": "answer"})["question"]["status"]
        == "answered"
    )
    assert (
        ack(mod, "moderate", {"question": qid, "action": "restore"})["question"]["status"] == "live"
    )
    room.flush()
    assert received(b, "update")[-1]["questions"][0]["text"] == "Typo question"
    assert ack(mod, "moderate", {"question": qid, "action": "approve"})["error"] == "bad_state"


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("moderate", {"question": 1, "action": "dismiss"}),
        ("poll", {"poll": 1, "action": "open"}),
        ("create_poll", {"prompt": "Mine?", "kind": "single", "options": ["a", "b"]}),
        ("settings", {"premoderation": True}),
    ],
)
def test_attendees_cannot_moderate(people, room, live, event, payload):
    a, b, _ = people
    ack(a, "ask", {"text": "Keep me"})
    reply = ack(a, event, payload)
    assert reply["ok"] is False and reply["error"] == "forbidden"
    assert live.store.questions(CODE)[0].status == "live"
    assert all(p.state == "draft" for p in live.store.polls(CODE))
    assert live.store.get_webinar(CODE).settings.premoderation is False


def test_viewer_sees_public_state_but_cannot_act(room):
    viewer = room.connect({"webinar": CODE, "viewer": True})
    assert received(viewer, "snapshot")[0]["me"] is None
    assert ack(viewer, "ask", {"text": "Hi"})["error"] == "no_token"


# -- what attendees never receive -----------------------------------------------------------------


def test_no_participant_id_ever_reaches_a_client(people, room, live):
    a, b, mod = people
    ack(a, "ask", {"text": "Who asked?"})
    room.flush()
    participant_ids = {q.participant for q in live.store.questions(CODE)}
    for client in (a, b, mod, room.attendee(), room.moderator()):
        text = json.dumps(client.get_received())
        assert not any(pid in text for pid in participant_ids)


# -- malformed payloads --------------------------------------------------------------------------

MALFORMED = [
    ("ask", None, "bad_request"),
    ("ask", "text", "bad_request"),
    ("ask", ["text"], "bad_request"),
    ("ask", {}, "bad_request"),
    ("ask", {"text": None}, "bad_request"),
    ("ask", {"text": 42}, "bad_request"),
    ("ask", {"text": {"nested": "x"}}, "bad_request"),
    ("ask", {"text": "   "}, "empty"),
    ("ask", {"text": "x" * 301}, "too_long"),
    ("ask", {"text": "ok", "name": 7}, "bad_request"),
    ("ask", {"text": "ok", "name": "x" * 61}, "too_long"),
    ("ask", {"text": "ok", "admin": True}, "bad_request"),
    ("upvote", {"question": 1}, "bad_request"),
    ("upvote", {"question": "1", "up": True}, "bad_request"),
    ("upvote", {"question": None, "up": True}, "bad_request"),
    ("upvote", {"question": True, "up": True}, "bad_request"),
    ("upvote", {"question": 999999, "up": True}, "not_found"),
    ("upvote", {"question": 1, "up": "yes"}, "bad_request"),
    ("vote", {"poll": 1}, "bad_options"),
    ("vote", {"poll": [1], "options": [0]}, "bad_request"),
    ("vote", {"poll": 999999, "options": [0]}, "not_found"),
    ("vote", {"poll": 1, "options": "0"}, "bad_options"),
    ("vote", {"poll": 1, "options": [[0]]}, "bad_options"),
    ("vote", {"poll": 1, "options": [None]}, "bad_options"),
    ("moderate", {"question": 1, "action": "explode"}, "bad_request"),
    ("moderate", {"question": 999999, "action": "dismiss"}, "not_found"),
    ("moderate", {"question": 1, "action": "edit", "text": ""}, "empty"),
    ("moderate", {"question": 1, "action": "edit"}, "bad_request"),
    ("moderate", [], "bad_request"),
    ("poll", {"poll": 1, "action": "delete"}, "bad_request"),
    ("poll", {"poll": 0, "action": "open"}, "bad_request"),
    ("poll", {"poll": 999999, "action": "open"}, "not_found"),
    ("create_poll", {"prompt": "", "kind": "single", "options": ["a", "b"]}, "empty"),
    ("create_poll", {"prompt": "Q", "kind": "free", "options": ["a", "b"]}, "bad_kind"),
    ("create_poll", {"prompt": "Q", "kind": "single", "options": ["a"]}, "bad_options"),
    ("create_poll", {"prompt": "Q", "kind": "single", "options": None}, "bad_options"),
    ("settings", {}, "bad_request"),
    ("settings", {"premoderation": "on"}, "bad_request"),
    ("settings", {"max_question_length": 10**9}, "bad_request"),
    ("settings", {"colour": "red"}, "bad_request"),
]


@pytest.mark.parametrize(("event", "payload", "code"), MALFORMED)
def test_malformed_payloads_get_error_acks(room, live, event, payload, code):
    a, mod = room.attendee(), room.moderator()
    ack(a, "ask", {"text": "A question to act on"})
    poll_id = open_first_poll(mod, live)
    # 1 stands for the real id (but True, which equals 1, stays True)
    if isinstance(payload, dict) and payload.get("poll") == 1 and payload["poll"] is not True:
        payload = {**payload, "poll": poll_id}
    if (
        isinstance(payload, dict)
        and payload.get("question") == 1
        and payload["question"] is not True
    ):
        payload = {**payload, "question": live.store.questions(CODE)[0].id}
    before = (live.store.questions(CODE), live.store.polls(CODE), live.store.get_webinar(CODE))
    client = mod if event in ("moderate", "poll", "create_poll", "settings") else a
    reply = ack(client, event, payload)
    assert reply["ok"] is False, reply
    assert reply["error"] == code and reply["message"]
    assert (
        live.store.questions(CODE),
        live.store.polls(CODE),
        live.store.get_webinar(CODE),
    ) == before
    # and the server keeps serving
    assert ack(a, "ask", {"text": "Still there?"})["ok"]


def test_event_with_two_arguments_is_refused(room):
    a = room.attendee()
    assert a.emit("ask", {"text": "x"}, "extra", callback=True)["error"] == "bad_request"


def test_moderators_follow_who_is_online_and_attendees_are_not_flooded(room):
    mod = room.moderator()
    token = room.token()
    a, _second_tab, b = room.attendee(token), room.attendee(token), room.attendee()
    room.flush()
    assert received(mod, "update")[-1]["online"] == 2  # two tabs of A count once
    assert all("online" not in u for u in received(a, "update"))
    b.disconnect()
    room.flush()
    assert received(mod, "update") == [{"online": 1}]
    assert received(a, "update") == []


def test_suggest_finds_similar_live_questions_only(room, live):
    asker, typist, moderator = room.attendee(), room.attendee(), room.moderator()
    asked = {}
    for text in (
        "When does the Democracy Lab in Barcelona take place?",
        "Is there funding for travel to Barcelona?",
        "How long does the Rising Stars mentorship last?",
        "Will the Democracy Lab sessions be recorded?",
    ):
        asked[text] = ack(asker, "ask", {"text": text})["question"]["id"]
    dismissed = asked["Will the Democracy Lab sessions be recorded?"]
    assert ack(moderator, "moderate", {"question": dismissed, "action": "dismiss"})["ok"]
    live.live_questions.clear()  # the one-second cache of this process

    found = ack(typist, "suggest", {"text": "democracy lab barcelona dates"})
    assert found["ok"]
    assert [q["id"] for q in found["questions"]] == [
        asked["When does the Democracy Lab in Barcelona take place?"]
    ]
    assert found["questions"][0]["score"] >= 70 and "participant" not in found["questions"][0]
    travel = ack(typist, "suggest", {"text": "Are travel costs to Barcelona covered?"})
    assert [q["id"] for q in travel["questions"]] == [
        asked["Is there funding for travel to Barcelona?"]
    ]
    # a start that says nothing yet, and text unlike any question: no suggestion
    assert ack(typist, "suggest", {"text": "When is"})["questions"] == []
    assert ack(typist, "suggest", {"text": "Parking near the venue?"})["questions"] == []
    # at most three, and never a dismissed one
    for n in range(5):
        ack(asker, "ask", {"text": f"Democracy Lab question number {n}?"})
    live.live_questions.clear()
    many = ack(typist, "suggest", {"text": "Democracy Lab question"})["questions"]
    assert len(many) == 3 and dismissed not in [q["id"] for q in many]
    # a question waiting for review is nobody's business but the moderators' and its author's
    assert ack(moderator, "settings", {"premoderation": True})["ok"]
    ack(asker, "ask", {"text": "Rising Stars mentorship waiting for review?"})
    live.live_questions.clear()
    waiting = ack(typist, "suggest", {"text": "Rising Stars mentorship waiting review"})
    assert [q["text"] for q in waiting["questions"]] == [
        "How long does the Rising Stars mentorship last?"
    ]


def test_suggest_refuses_what_is_not_text(room):
    typist = room.attendee()
    for payload in ({"text": 3}, {"text": None}, {}, {"text": "x", "more": 1}):
        assert ack(typist, "suggest", payload)["error"] == "bad_request"
    assert (
        ack(room.connect({"webinar": CODE, "viewer": True}), "suggest", {"text": "a b"})["error"]
        == "no_token"
    )


def test_merging_a_duplicate_into_the_original(people, room):
    a, b, mod = people
    c = room.attendee()
    original = ack(a, "ask", {"text": "When is the Democracy Lab?"})["question"]["id"]
    duplicate = ack(b, "ask", {"text": "Democracy Lab dates?"})["question"]["id"]
    ack(c, "upvote", {"question": original, "up": True})
    ack(c, "upvote", {"question": duplicate, "up": True})
    ack(a, "upvote", {"question": duplicate, "up": True})
    room.flush()
    for client in (a, b, c, mod):
        client.get_received()

    merged = ack(mod, "moderate", {"question": duplicate, "action": "merge", "into": original})
    assert merged["ok"]
    assert merged["question"]["status"] == "merged"
    assert merged["question"]["merged_into"] == original
    # the original keeps its text; upvoters united (c counted once), asked by two people
    into = merged["into"]
    assert into["text"] == "When is the Democracy Lab?"
    assert into["upvotes"] == 2 and into["asked_by"] == 2
    room.flush()
    # everyone sees the original's new counts and the duplicate go
    public = received(c, "update")[0]
    assert public["removed"] == [duplicate]
    assert public["questions"][0]["id"] == original and public["questions"][0]["asked_by"] == 2
    # the duplicate's author sees where their question went
    own = [q for u in received(b, "update") for q in u.get("questions", [])]
    assert {"id": duplicate, "status": "merged", "merged_into": original}.items() <= next(
        q for q in own if q["id"] == duplicate
    ).items()
    # the merged one is gone for attendees; the original goes on counting exactly
    assert ack(c, "upvote", {"question": duplicate, "up": False})["error"] == "not_found"
    assert ack(c, "upvote", {"question": original, "up": False})["question"]["upvotes"] == 1


def test_merge_is_checked(people, room):
    a, b, mod = people
    first = ack(a, "ask", {"text": "First"})["question"]["id"]
    second = ack(b, "ask", {"text": "Second"})["question"]["id"]
    for payload, error in (
        ({"question": first, "action": "merge"}, "bad_request"),
        ({"question": first, "action": "merge", "into": first}, "bad_state"),
        ({"question": first, "action": "merge", "into": 999}, "not_found"),
        ({"question": first, "action": "merge", "into": "2"}, "bad_request"),
        ({"question": first, "action": "approve", "into": second}, "bad_request"),
    ):
        assert ack(mod, "moderate", payload)["error"] == error, payload
    assert (
        ack(a, "moderate", {"question": first, "action": "merge", "into": second})["error"]
        == "forbidden"
    )


def test_a_written_answer_reaches_everyone(people, room):
    a, b, mod = people
    qid = ack(a, "ask", {"text": "Is travel to Barcelona covered?"})["question"]["id"]
    room.flush()
    b.get_received()
    answer = "Yes, for one person per city.\n\nDetails follow by email."
    replied = ack(mod, "moderate", {"question": qid, "action": "reply", "text": answer})
    assert replied["question"]["reply"] == "Yes, for one person per city. Details follow by email."
    room.flush()
    assert received(b, "update")[0]["questions"][0]["reply"] == replied["question"]["reply"]
    assert received(room.attendee(), "snapshot")[0]["questions"][0]["reply"].startswith("Yes")
    # checked like any text; an empty answer removes it; attendees cannot answer
    too_long = {"question": qid, "action": "reply", "text": "x" * 2001}
    assert ack(mod, "moderate", too_long)["error"] == "too_long"
    assert ack(b, "moderate", {"question": qid, "action": "reply", "text": "Me!"})["error"] == (
        "forbidden"
    )
    removed = ack(mod, "moderate", {"question": qid, "action": "reply", "text": "  "})
    assert removed["question"]["reply"] is None


def test_questions_can_be_tagged_with_the_webinars_topics(people, room):
    a, b, mod = people
    snap = received(room.attendee(), "snapshot")[0]
    assert snap["webinar"]["topics"] == [
        "Democracy Lab",
        "Democracy Innovation Accelerator",
        "Rising Stars Mentorship Programme",
        "General",
    ]
    tagged = ack(a, "ask", {"text": "Is the Lab in English?", "topic": "Democracy Lab"})
    assert tagged["question"]["topic"] == "Democracy Lab"
    plain = ack(b, "ask", {"text": "How do we apply?"})["question"]
    assert plain["topic"] is None
    for topic in ("Gardening", 3, ["General"], ""):
        refused = ack(b, "ask", {"text": "Tagged oddly?", "topic": topic})
        assert refused["error"] == "bad_topic", topic
    # moderators tag, retag and untag; everyone sees it
    room.flush()
    b.get_received()
    moved = ack(mod, "moderate", {"question": plain["id"], "action": "topic", "topic": "General"})
    assert moved["question"]["topic"] == "General"
    room.flush()
    assert received(b, "update")[0]["questions"][0]["topic"] == "General"
    cleared = ack(mod, "moderate", {"question": plain["id"], "action": "topic", "topic": None})
    assert cleared["question"]["topic"] is None
    wrong = {"question": plain["id"], "action": "topic", "topic": "Gardening"}
    assert ack(mod, "moderate", wrong)["error"] == "bad_topic"
    assert ack(a, "moderate", {**wrong, "topic": "General"})["error"] == "forbidden"


def test_the_moderation_log_says_who_did_what_in_moderator_terms(people, room, live):
    a, _, first = people
    second = room.moderator()
    qid = ack(a, "ask", {"text": "Log me"})["question"]["id"]
    poll = live.store.polls(CODE)[0].id
    ack(first, "moderate", {"question": qid, "action": "dismiss", "reason": "duplicate"})
    ack(second, "moderate", {"question": qid, "action": "restore"})
    ack(second, "poll", {"poll": poll, "action": "open"})
    ack(first, "settings", {"premoderation": True})
    room.flush()
    logs = [u["log"] for u in received(second, "update") if "log" in u]
    assert [(e["moderator"], e["action"], e["target"], e["detail"]) for e in logs[-1]] == [
        (1, "dismiss", qid, "duplicate"),
        (2, "restore", qid, ""),
        (2, "open", poll, ""),
        (1, "settings", None, "premoderation on"),
    ]
    assert all(e["at"].endswith("+00:00") for e in logs[-1])
    # a moderator's snapshot has it; attendees never get it
    assert len(received(room.moderator(), "snapshot")[0]["log"]) == 4
    assert all("log" not in u for u in received(a, "update"))
    assert "log" not in received(room.attendee(), "snapshot")[0]


def test_a_timed_poll_counts_down_refuses_late_votes_and_closes_by_itself(people, room, live):
    from datetime import UTC, datetime, timedelta

    from live.service import close_due_polls

    a, b, mod = people
    poll = live.store.polls(CODE)[0].id
    for seconds in (4, 3601, "30", True, 30.5):
        answer = ack(mod, "poll", {"poll": poll, "action": "open", "seconds": seconds})
        assert answer["error"] == "bad_request", seconds
    assert ack(mod, "poll", {"poll": poll, "action": "close", "seconds": 30})["error"] == (
        "bad_request"
    )
    opened = ack(mod, "poll", {"poll": poll, "action": "open", "seconds": 30})["poll"]
    closes_at = datetime.fromisoformat(opened["closes_at"])
    assert timedelta(seconds=28) < closes_at - datetime.now(UTC) <= timedelta(seconds=30)
    room.flush()
    assert received(b, "update")[0]["polls"][0]["closes_at"] == opened["closes_at"]
    assert ack(a, "vote", {"poll": poll, "options": [0]})["ok"]
    assert "now" in received(room.attendee(), "snapshot")[0]  # pages count with the server's clock
    # its time is up (as if 30 s went by): a vote is refused even before the poll is closed
    past = datetime.now(UTC) - timedelta(seconds=1)
    live.store.set_poll_state(CODE, poll, "open", {"open"}, past)
    assert ack(b, "vote", {"poll": poll, "options": [1]})["error"] == "poll_closed"
    [closed] = close_due_polls(live.store, CODE)
    assert closed.state == "closed" and closed.closes_at is None
    assert close_due_polls(live.store, CODE) == []  # once
    assert live.store.results(CODE, poll).voters == 1


def test_voters_may_leave_an_address_for_the_programmes_they_chose(people, room, live, client):
    import csv
    import io

    a, b, mod = people
    programmes = live.store.polls(CODE)[0]
    assert programmes.collects_emails  # the Nets4Dem programme poll
    other = live.store.polls(CODE)[1].id
    ack(mod, "poll", {"poll": programmes.id, "action": "open"})
    ack(mod, "poll", {"poll": other, "action": "open"})
    leave = {"poll": programmes.id, "email": "ana@city.example", "consent": True}
    assert ack(a, "interest", leave)["error"] == "no_ballot"  # vote first
    ack(a, "vote", {"poll": programmes.id, "options": [0, 2]})
    for payload, error in (
        ({**leave, "consent": False}, "no_consent"),
        ({"poll": programmes.id, "email": "ana@city.example"}, "no_consent"),
        ({**leave, "email": "not an address"}, "bad_email"),
        ({**leave, "email": "<script>@x.io"}, "bad_email"),
        ({**leave, "poll": other}, "not_collecting"),
    ):
        assert ack(a, "interest", payload)["error"] == error, payload
    assert ack(a, "interest", leave) == {"ok": True, "poll": programmes.id, "email": leave["email"]}
    room.flush()
    # nobody else ever receives the address; moderators see how many left one
    for watcher in (b, mod):
        assert "ana@city.example" not in str(watcher.get_received())
    assert received(room.moderator(), "snapshot")[0]["polls"][0]["interested"] == 1
    # the moderators' export: one row per programme chosen
    assert room.app.test_client().get(f"/e/{CODE}/interest.csv").status_code == 403
    client.get(f"/e/{CODE}/moderate?key={MODERATOR_KEY}")
    export = client.get(f"/e/{CODE}/interest.csv")
    assert export.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [(r["option"], r["email"]) for r in rows] == [
        ("Democracy Lab - Barcelona, 17-19 September", "ana@city.example"),
        ("Rising Stars Mentorship Programme", "ana@city.example"),
    ]
    # withdrawn: gone from the export
    assert ack(a, "interest", {"poll": programmes.id, "email": None})["email"] is None
    assert client.get(f"/e/{CODE}/interest.csv").get_data(as_text=True).splitlines()[1:] == []


def test_a_rating_poll_gives_an_average_and_the_distribution(people, room, live):
    a, b, mod = people
    created = ack(mod, "create_poll", {"prompt": "How useful was this webinar?", "kind": "rating"})
    poll = created["poll"]
    assert poll["kind"] == "rating" and poll["options"] == ["1", "2", "3", "4", "5"]
    refused = {"prompt": "Rate it", "kind": "rating", "options": ["bad", "good"]}
    assert ack(mod, "create_poll", refused)["error"] == "bad_options"
    ack(mod, "poll", {"poll": poll["id"], "action": "open"})
    assert ack(a, "vote", {"poll": poll["id"], "options": [4]})["ok"]  # 5 stars
    assert ack(b, "vote", {"poll": poll["id"], "options": [2]})["ok"]  # 3 stars
    assert ack(b, "vote", {"poll": poll["id"], "options": [2, 3]})["error"] == "bad_options"
    ack(mod, "poll", {"poll": poll["id"], "action": "show_results"})
    snap = received(room.attendee(), "snapshot")[0]
    results = next(p for p in snap["polls"] if p["id"] == poll["id"])["results"]
    assert results["average"] == 4.0 and results["counts"] == [0, 0, 1, 0, 1]
    # other polls have no average
    assert "average" not in (ack(mod, "poll", {"poll": 1, "action": "open"})["poll"]["results"])


def test_a_word_cloud_counts_each_voters_words_once(people, room, live):
    a, b, mod = people
    poll = ack(mod, "create_poll", {"prompt": "One word for democracy?", "kind": "words"})["poll"]
    assert poll["kind"] == "words" and poll["options"] == []
    ack(mod, "poll", {"poll": poll["id"], "action": "open"})
    sent = ack(a, "vote", {"poll": poll["id"], "words": ["Trust", "  open   DATA ", "trust"]})
    assert sent == {"ok": True, "poll": poll["id"], "words": ["trust", "open data"]}
    assert ack(b, "vote", {"poll": poll["id"], "words": ["trust"]})["ok"]
    ack(mod, "poll", {"poll": 1, "action": "open"})  # a choice poll takes no words
    for payload, error in (
        ({"poll": poll["id"], "words": []}, "bad_words"),
        ({"poll": poll["id"], "words": ["a", "b", "c", "d"]}, "bad_words"),
        ({"poll": poll["id"], "words": [3]}, "bad_request"),
        ({"poll": poll["id"], "words": [" "]}, "bad_words"),
        ({"poll": poll["id"], "options": [0]}, "bad_request"),  # the wrong field for its kind
        ({"poll": 1, "words": ["x"]}, "bad_request"),
    ):
        assert ack(b, "vote", payload)["error"] == error, payload
    results = ack(mod, "poll", {"poll": poll["id"], "action": "show_results"})["poll"]["results"]
    assert results == {"voters": 2, "words": [["trust", 2], ["open data", 1]]}


def test_an_open_text_poll_shows_only_the_answers_a_moderator_chooses(people, room):
    a, b, mod = people
    poll = ack(mod, "create_poll", {"prompt": "What should cities try next?", "kind": "text"})
    poll_id = poll["poll"]["id"]
    ack(mod, "poll", {"poll": poll_id, "action": "open"})
    assert ack(a, "vote", {"poll": poll_id, "text": "Citizens' assemblies <b>now</b>"})["ok"]
    assert ack(b, "vote", {"poll": poll_id, "text": "Participatory budgets"})["ok"]
    assert ack(b, "vote", {"poll": poll_id, "text": "x" * 301})["error"] == "too_long"
    assert ack(b, "vote", {"poll": poll_id, "words": ["x"]})["error"] == "bad_request"
    # moderators read every answer; attendees none yet, whatever the results setting
    answers = ack(mod, "poll", {"poll": poll_id, "action": "show_results"})["poll"]["results"]
    assert answers["voters"] == 2 and {a["text"] for a in answers["answers"]} == {
        "Citizens' assemblies <b>now</b>",
        "Participatory budgets",
    }
    public = next(
        p for p in received(room.attendee(), "snapshot")[0]["polls"] if p["id"] == poll_id
    )
    assert public["results"] == {"voters": 2, "answers": []}
    # one is chosen: everyone sees that one, never the other
    chosen = {"poll": poll_id, "action": "show_answer", "answer": "Participatory budgets"}
    assert ack(mod, "poll", chosen)["ok"]
    missing = {**chosen, "answer": "Never given"}
    assert ack(mod, "poll", missing)["error"] == "not_found"
    assert ack(a, "poll", chosen)["error"] == "forbidden"
    public = next(
        p for p in received(room.attendee(), "snapshot")[0]["polls"] if p["id"] == poll_id
    )
    assert public["results"]["answers"] == [
        {"text": "Participatory budgets", "count": 1, "shown": True}
    ]
    ack(mod, "poll", {**chosen, "action": "hide_answer"})
    public = next(
        p for p in received(room.attendee(), "snapshot")[0]["polls"] if p["id"] == poll_id
    )
    assert public["results"]["answers"] == []


def test_a_ranking_gives_each_option_its_average_rank(people, room):
    a, b, mod = people
    created = ack(
        mod,
        "create_poll",
        {
            "prompt": "Rank the programmes",
            "kind": "ranking",
            "options": ["Lab", "Accelerator", "Stars"],
        },
    )
    poll = created["poll"]["id"]
    ack(mod, "poll", {"poll": poll, "action": "open"})
    assert ack(a, "vote", {"poll": poll, "options": [2, 0, 1]}) == {
        "ok": True,
        "poll": poll,
        "options": [2, 0, 1],
    }
    assert ack(b, "vote", {"poll": poll, "options": [0, 2, 1]})["ok"]
    for order in ([0, 1], [0, 0, 1], [0, 1, 3], ["0", 1, 2], [True, 0, 2]):
        assert ack(b, "vote", {"poll": poll, "options": order})["error"] == "bad_options", order
    results = ack(mod, "poll", {"poll": poll, "action": "show_results"})["poll"]["results"]
    # Lab: 2nd and 1st; Accelerator: 3rd twice; Stars: 1st and 2nd
    assert results == {"voters": 2, "ranks": [1.5, 3.0, 1.5]}


@pytest.mark.parametrize(
    "event, payload",
    [
        ("upvote", {"question": 10**19, "up": True}),
        ("vote", {"poll": 2**63, "options": [0]}),
        ("interest", {"poll": 10**19, "email": "ana@city.example", "consent": True}),
    ],
)
def test_huge_ids_from_attendees_are_not_found(room, event, payload):
    reply = ack(room.attendee(), event, payload)
    assert not reply["ok"] and reply["error"] == "not_found"


@pytest.mark.parametrize(
    "payload",
    [
        {"question": 2**63, "action": "approve"},
        {"question": 1, "action": "merge", "into": 10**19},
    ],
)
def test_huge_ids_from_moderators_are_not_found(room, payload):
    mod = room.moderator()
    ack(room.attendee(), "ask", {"text": "A question to merge?"})
    reply = ack(mod, "moderate", payload)
    assert not reply["ok"] and reply["error"] == "not_found"


@pytest.mark.parametrize(
    "email", ["ana\ud800@city.example", "ana\u202e@city.example", "ana\x07@city.example"]
)
def test_odd_characters_in_an_email_address_are_refused(room, live, email):
    voter, mod = room.attendee(), room.moderator()
    poll = next(p for p in live.store.polls(CODE) if p.collects_emails)
    assert ack(mod, "poll", {"poll": poll.id, "action": "open"})["ok"]
    assert ack(voter, "vote", {"poll": poll.id, "options": [0]})["ok"]
    reply = ack(voter, "interest", {"poll": poll.id, "email": email, "consent": True})
    assert not reply["ok"] and reply["error"] == "bad_email"
    assert live.store.interests(CODE, poll.id) == {}


def test_upvoting_ones_own_closed_question_says_it_is_closed(room):
    token = room.token()
    author, other, mod = room.attendee(token), room.attendee(), room.moderator()
    qid = ack(author, "ask", {"text": "Will this be dismissed?"})["question"]["id"]
    assert ack(mod, "moderate", {"question": qid, "action": "dismiss"})["ok"]
    own = ack(author, "upvote", {"question": qid, "up": True})
    assert own["error"] == "question_closed"
    # whoever did not ask it learns nothing of a question they cannot see
    assert ack(other, "upvote", {"question": qid, "up": True})["error"] == "not_found"
