"""Changing a webinar's moderator key: the old one stops working everywhere, at once."""

from __future__ import annotations

from live.keys import sign_out_stale_moderators

from .conftest import CODE, MODERATOR_KEY, ack


def told_why(client) -> list[str]:  # noqa: ANN001
    """The reasons a client was given as it was signed out (read after it was disconnected)."""
    return [p["args"][0]["reason"] for p in client.queue if p["name"] == "signed_out"]


def test_changing_the_key_signs_out_every_other_moderator_at_once(room):
    changer, other, attendee = room.moderator(), room.moderator(), room.attendee()
    answer = ack(changer, "rotate_key", {})
    assert answer["ok"] and answer["moderator_key"] != MODERATOR_KEY
    new_key = answer["moderator_key"]
    assert answer["moderator_url"].endswith(f"/e/{CODE}/moderate?key={new_key}")
    # the other moderator is told why, then disconnected; the attendee notices nothing
    assert told_why(other) == ["key_changed"]
    assert not other.is_connected()
    assert attendee.is_connected()
    # the one who changed it goes on moderating
    assert ack(changer, "settings", {"premoderation": True})["ok"]
    # the old key is refused, the new one works
    assert not room.moderator().is_connected()
    assert room.moderator(key=new_key).is_connected()


def test_attendees_cannot_change_the_key(room, live):
    attendee = room.attendee()
    assert ack(attendee, "rotate_key", {})["error"] == "forbidden"
    assert ack(room.moderator(), "rotate_key", {"key": "mine"})["error"] == "bad_request"
    assert live.store.moderator_key(CODE) == MODERATOR_KEY


def test_a_key_changed_elsewhere_refuses_the_next_moderator_action(room, live):
    moderator = room.moderator()
    question = ack(room.attendee(), "ask", {"text": "Is it still me moderating?"})["question"]
    # as the command line or another process does it: only the store knows
    live.store.set_moderator_key(CODE, "changed-elsewhere-key")
    answer = ack(moderator, "moderate", {"question": question["id"], "action": "dismiss"})
    assert answer["error"] == "key_changed"
    assert not moderator.is_connected() and told_why(moderator) == ["key_changed"]
    assert live.store.questions(CODE, [question["id"]])[0].status == "live"


def test_each_process_checks_its_moderators_keys(room, live):
    """What every process's background check does, every second."""
    moderator, attendee = room.moderator(), room.attendee()
    assert sign_out_stale_moderators(live) == 0 and moderator.is_connected()
    live.store.set_moderator_key(CODE, "changed-elsewhere-key")
    assert sign_out_stale_moderators(live) == 1
    assert not moderator.is_connected() and attendee.is_connected()


def test_the_http_api_changes_the_key_and_ends_old_sessions(app, client, room):
    assert client.get(f"/e/{CODE}/moderate?key={MODERATOR_KEY}").status_code == 303
    assert client.get(f"/e/{CODE}/moderate").status_code == 200
    session_socket = room.connect({"webinar": CODE, "moderator": True}, client)
    assert session_socket.is_connected()
    path = f"/api/webinars/{CODE}/moderator-key"
    # a session cookie is not enough (no other site can make a browser do this): the key is
    assert client.post(path).status_code == 403
    assert (
        app.test_client().post(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
    )
    changed = app.test_client().post(path, headers={"Authorization": f"Bearer {MODERATOR_KEY}"})
    assert changed.status_code == 200
    new_key = changed.get_json()["moderator_key"]
    assert changed.get_json()["moderator_url"].endswith(f"/e/{CODE}/moderate?key={new_key}")
    # the session of the old key has ended, its socket too; the old key opens nothing
    assert not session_socket.is_connected()
    assert client.get(f"/e/{CODE}/moderate").status_code == 401
    assert not room.connect({"webinar": CODE, "moderator": True}, client).is_connected()
    export = f"/e/{CODE}/export.json"
    old = app.test_client().get(export, headers={"Authorization": f"Bearer {MODERATOR_KEY}"})
    assert old.status_code == 403
    new = app.test_client().get(export, headers={"Authorization": f"Bearer {new_key}"})
    assert new.status_code == 200


def test_each_process_closes_its_connections_to_a_deleted_webinar(room, live):
    """What every process's background check does, every second, after a deletion elsewhere."""
    from live.tasks import sign_out_of_deleted_webinars

    attendee, moderator = room.attendee(), room.moderator()
    assert sign_out_of_deleted_webinars(live) == 0 and attendee.is_connected()
    live.store.delete_webinar(CODE)
    assert sign_out_of_deleted_webinars(live) == 2
    assert not attendee.is_connected() and not moderator.is_connected()
    assert told_why(attendee) == ["deleted"]
