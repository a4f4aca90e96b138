"""Snapshots late in a webinar: the shared part is read once per change and is always current,
a phone gets what it shows first and pages the rest, and nobody gets what is not theirs."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from socketio import packet

from live.frames import GuardedPacket, RawJSON
from live.payloads import snapshot

from .conftest import CODE, ack, received


def ask_many(room, count: int, per_asker: int = 10) -> list[int]:
    """Ask ``count`` questions through the protocol (each asker within the question budget)."""
    ids: list[int] = []
    asker = None
    for n in range(count):
        if n % per_asker == 0:
            asker = room.attendee()
        asked = ack(asker, "ask", {"text": f"Question number {n + 1} about the programme?"})
        ids.append(asked["question"]["id"])
    return ids


def snapshot_of(client) -> dict[str, Any]:
    (snap,) = received(client, "snapshot")
    return snap  # type: ignore[no-any-return]


def ids_of(snap: dict[str, Any]) -> set[int]:
    return {q["id"] for q in snap["questions"]}


def test_a_late_joiner_gets_the_most_upvoted_and_the_newest_and_pages_the_rest(room):
    ids = ask_many(room, 130)
    voters = [room.attendee() for _ in range(3)]
    for voter in voters:
        for question in ids[:5]:
            assert ack(voter, "upvote", {"question": question, "up": True})["ok"]

    late = snapshot_of(room.attendee())
    got = ids_of(late)
    # the five most upvoted (the oldest), the rest of the 50 most upvoted, the 50 newest
    assert set(ids[:50]) | set(ids[-50:]) == got
    assert late["more_questions"] == 30

    pager = room.attendee()
    first = ack(pager, "questions", {})
    assert first["ok"] and first["more"] is True
    assert [q["id"] for q in first["questions"]] == ids[::-1][:100]
    second = ack(pager, "questions", {"before": first["questions"][-1]["id"]})
    assert second["more"] is False
    assert [q["id"] for q in second["questions"]] == ids[::-1][100:]

    everything = snapshot_of(room.moderator())
    assert ids_of(everything) == set(ids) and everything["more_questions"] == 0


def test_the_shared_part_is_read_once_per_change_and_every_change_is_in_the_next_one(room, live):
    ids = ask_many(room, 3)
    snapshot_of(room.attendee())
    reads = live.broadcaster.snapshots.reads
    for _ in range(3):
        snapshot_of(room.attendee())
    assert live.broadcaster.snapshots.reads == reads  # nothing changed: nothing read again

    mod = room.moderator()
    edit = {"question": ids[0], "action": "edit", "text": "An edited question?"}
    assert ack(mod, "moderate", edit)["ok"]
    assert ack(room.attendee(), "upvote", {"question": ids[1], "up": True})["ok"]
    assert ack(mod, "moderate", {"question": ids[2], "action": "on_air"})["ok"]
    after = {q["id"]: q for q in snapshot_of(room.attendee())["questions"]}
    assert after[ids[0]]["text"] == "An edited question?"
    assert after[ids[1]]["upvotes"] == 1
    assert after[ids[2]]["on_air"] is True

    assert ack(mod, "moderate", {"question": ids[1], "action": "on_air"})["ok"]
    assert ack(mod, "moderate", {"question": ids[0], "action": "dismiss"})["ok"]
    snap = snapshot_of(room.attendee())
    flags = {q["id"]: q["on_air"] for q in snap["questions"]}
    assert snap["on_air"] == ids[1] and flags == {ids[1]: True, ids[2]: False}
    assert snap["dismissed"] == {"other": 1}


def test_poll_results_and_details_changed_anywhere_are_in_the_next_snapshot(room, live):
    mod = room.moderator()
    poll = snapshot_of(mod)["polls"][0]["id"]
    for action in ("open", "show_results"):
        assert ack(mod, "poll", {"poll": poll, "action": action})["ok"]
    before = snapshot_of(room.attendee())
    assert next(p for p in before["polls"] if p["id"] == poll)["results"]["voters"] == 0
    assert ack(room.attendee(), "vote", {"poll": poll, "options": [1]})["ok"]
    # a change no handler marks (the organiser page, or the command line on another process)
    webinar = live.store.get_webinar(CODE)
    live.store.update_webinar(replace(webinar, title="A new title"))
    after = snapshot_of(room.attendee())
    assert next(p for p in after["polls"] if p["id"] == poll)["results"]["voters"] == 1
    assert after["webinar"]["title"] == "A new title"


def test_nobody_gets_another_participants_hidden_question_or_any_participant_id(room, live, client):
    mod = room.moderator()
    tokens = [room.token() for _ in range(3)]
    shy, dismissed, reader = (room.attendee(token) for token in tokens)
    public = ack(reader, "ask", {"text": "A question everyone sees?"})["question"]["id"]
    gone = ack(dismissed, "ask", {"text": "A question that will be dismissed?"})["question"]["id"]
    assert ack(mod, "moderate", {"question": gone, "action": "dismiss"})["ok"]
    assert ack(mod, "settings", {"premoderation": True})["ok"]
    pending = ack(shy, "ask", {"text": "A question waiting for review?"})["question"]["id"]
    participants = [live.identities.participant(CODE, token) for token in tokens]

    fresh = snapshot_of(room.attendee())
    assert ids_of(fresh) == {public}
    viewer = snapshot_of(room.connect({"webinar": CODE, "viewer": True}))
    assert ids_of(viewer) == {public} and viewer["me"] is None and viewer["role"] == "viewer"
    own = snapshot_of(room.attendee(tokens[0]))
    assert ids_of(own) == {public, pending} and own["me"]["questions"] == [pending]
    assert ids_of(snapshot_of(room.attendee(tokens[1]))) == {public, gone}
    public_json = client.get(f"/api/webinars/{CODE}").get_json()
    assert {q["id"] for q in public_json["questions"]} == {public}
    page = ack(room.attendee(), "questions", {})
    assert [q["id"] for q in page["questions"]] == [public]
    for seen in (fresh, viewer, own, public_json, page):
        text = json.dumps(seen)
        assert not any(participant in text for participant in participants)
    assert ids_of(snapshot_of(room.moderator())) == {public, gone, pending}


def test_ones_merged_question_comes_with_the_question_it_went_into(room):
    ids = ask_many(room, 129)
    token = room.token()
    mine = ack(room.attendee(token), "ask", {"text": "The same as number sixty?"})["question"]
    mod = room.moderator()
    merge = {"question": mine["id"], "action": "merge", "into": ids[60]}
    assert ack(mod, "moderate", merge)["ok"]
    snap = snapshot_of(room.attendee(token))
    questions = {q["id"]: q for q in snap["questions"]}
    # number sixty is neither among the most upvoted nor the newest: it comes for the author
    assert questions[mine["id"]]["merged_into"] == ids[60] and ids[60] in questions
    assert ids[60] not in ids_of(snapshot_of(room.attendee()))


def test_the_public_json_has_every_question_as_a_snapshot_builds_it(room, live, client):
    ids = ask_many(room, 120)
    mod = room.moderator()
    assert ack(mod, "moderate", {"question": ids[3], "action": "answer"})["ok"]
    assert ack(mod, "moderate", {"question": ids[4], "action": "dismiss"})["ok"]
    assert ack(mod, "moderate", {"question": ids[5], "action": "on_air"})["ok"]
    response = client.get(f"/api/webinars/{CODE}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    state = response.get_json()
    reference = snapshot(live.store, live.store.get_webinar(CODE), False, None)
    for name in ("webinar", "questions", "polls", "on_air", "dismissed", "me"):
        assert state[name] == reference[name], name
    assert state["more_questions"] == 0 and state["join_url"].endswith(f"/e/{CODE}")
    assert len(state["questions"]) == 119


@pytest.mark.parametrize("before", ["12", 0, -1, True, 1.5, [1], {"id": 1}])
def test_a_page_before_something_that_is_not_an_id_is_refused(room, before):
    reply = ack(room.attendee(), "questions", {"before": before})
    assert reply["ok"] is False and reply["error"] == "bad_request" and reply["message"]


def test_a_page_takes_only_before(room):
    reply = ack(room.attendee(), "questions", {"before": 5, "after": 1})
    assert reply["ok"] is False and reply["error"] == "bad_request"
    assert ack(room.attendee(), "questions", {"before": 2**70}) == {
        "ok": True,
        "questions": [],
        "more": False,
    }


@pytest.mark.parametrize(
    ("data", "namespace", "ack_id"),
    [
        (["snapshot", {"a": [1, "é"], "b": None}], None, None),
        ([{"ok": True, "questions": [{"id": 1}], "more": False}], "/", 7),
        (["x", {"nested": {"raw": 1}}, 3], "/other", None),
    ],
)
def test_pre_encoded_json_is_sent_as_the_same_packet(data, namespace, ack_id):
    def raw(item: Any) -> Any:
        if isinstance(item, dict):
            return {k: RawJSON(json.dumps(v)) for k, v in item.items()}
        return RawJSON(json.dumps(item, separators=(",", ":")))

    kind = packet.ACK if ack_id else packet.EVENT
    plain = GuardedPacket(kind, data=data, namespace=namespace, id=ack_id).encode()
    # an event's name stays as it is; its arguments, or an ack's, are encoded already
    given = [item if n == 0 and kind == packet.EVENT else raw(item) for n, item in enumerate(data)]
    spliced = GuardedPacket(kind, data=given, namespace=namespace, id=ack_id).encode()
    head = plain[: plain.index("[")]
    assert spliced.startswith(head) and "[" not in head
    assert json.loads(spliced[len(head) :]) == json.loads(plain[len(head) :]) == data


@pytest.mark.redis
@pytest.mark.e2e
def test_a_change_on_another_process_is_in_this_ones_next_snapshot(tmp_path, redis_url, clients):
    from .servers import LiveServer
    from .test_e2e import attendee, moderator

    # a store of this test's own on the shared test Redis
    prefix = f"snapshots-{tmp_path.name}"
    a, b = (
        LiveServer(tmp_path / name, LIVE_REDIS_URL=redis_url, LIVE_REDIS_PREFIX=prefix)
        for name in ("a", "b")
    )
    for process in (a, b):
        process.workdir.mkdir()
        process.start()
    try:
        watcher = attendee(b, clients)  # process b has read the shared part
        on_a = attendee(a, clients)
        asked = on_a.call("ask", {"text": "Asked on the other process?"})["question"]
        mod = moderator(a, clients)
        assert mod.call("moderate", {"question": asked["id"], "action": "on_air"})["ok"]
        # process b has the mark once its attendee has the update
        watcher.wait_for(lambda: (watcher.seen(asked["id"]) or {}).get("on_air"))
        late = attendee(b, clients).snapshots[0]
        assert late["on_air"] == asked["id"]
        assert {q["id"]: q["on_air"] for q in late["questions"]} == {asked["id"]: True}
    finally:
        a.stop()
        b.stop()


@pytest.mark.parametrize(
    "backend", ["memory", "sqlite", pytest.param("redis", marks=pytest.mark.redis)]
)
def test_a_webinar_deleted_and_created_again_is_not_served_from_the_old_ones_part(
    backend, request, tmp_path
):
    """Deleting and creating a webinar marks nothing (the organiser page, the command line, or
    another process): the cached shared part must still not serve the old webinar's questions.
    With Redis, the part is cached by a second process that never heard of either change."""
    from live.snapshots import SharedParts

    from .test_store_contract import question, webinar

    if backend == "redis":
        from live.store.redis import RedisStore

        url, prefix = request.getfixturevalue("redis_url"), f"recreate-{tmp_path.name}"
        here, elsewhere = RedisStore(url, prefix=prefix), RedisStore(url, prefix=prefix)
    else:
        from live.store import store_from_url

        here = elsewhere = store_from_url(
            "memory://" if backend == "memory" else f"sqlite:///{tmp_path / 'live.sqlite3'}"
        )
    parts = SharedParts(elsewhere)
    details = webinar("w1")
    assert here.create_webinar(details, "key", [])
    old = here.add_question(question("w1"))
    assert old is not None
    cached = parts.get(elsewhere.get_webinar("w1"))
    assert set(cached.public) == {old.id}

    assert here.delete_webinar("w1")
    assert here.create_webinar(details, "key", [])
    new = here.add_question(replace(question("w1"), text="Asked in the new one?"))
    assert new is not None

    again = elsewhere.get_webinar("w1")
    assert again is not None and again.generation != cached.webinar.generation
    part = parts.get(again)
    assert set(part.public) == {new.id}
    assert "Why?" not in part.first_json and "Asked in the new one?" in part.first_json
