"""Socket.IO's rooms with the indexed manager: who leaves is out of every room, nobody else is."""

from __future__ import annotations

from live import socketio

from .conftest import ack, received


def memberships(sid: str) -> list[object]:
    """Every room of the namespace that holds ``sid``, found by looking into each one."""
    rooms = socketio.server.manager.rooms.get("/", {})
    return [name for name, members in rooms.items() if sid in members]


def test_a_client_that_leaves_is_in_no_room_and_the_others_keep_theirs(room):
    token = room.token()
    staying, leaving, other_tab, mod = (
        room.attendee(),
        room.attendee(token),
        room.attendee(token),
        room.moderator(),
    )
    manager = socketio.server.manager
    gone = manager.sid_from_eio_sid(leaving.eio_sid, "/")
    kept = manager.sid_from_eio_sid(other_tab.eio_sid, "/")
    # every client's room (None), its own, the webinar's and its participant's
    assert len(memberships(gone)) == 4
    assert set(manager.get_rooms(gone, "/")) == set(memberships(gone)) - {None}

    leaving.disconnect()
    assert memberships(gone) == [] and manager.get_rooms(gone, "/") == []
    assert len(memberships(kept)) == 4

    # the room of their participant still reaches the other tab: their hidden question's update
    ack(mod, "settings", {"premoderation": True})
    question = ack(other_tab, "ask", {"text": "Held for review?"})["question"]["id"]
    room.flush()
    for client in (staying, other_tab, mod):
        client.get_received()
    ack(mod, "moderate", {"question": question, "action": "dismiss"})
    room.flush()
    own = received(other_tab, "update")
    assert any(q["id"] == question for update in own for q in update.get("questions", []))
    others = received(staying, "update")
    assert not any(q["id"] == question for update in others for q in update.get("questions", []))


def test_many_clients_leaving_leave_no_room_behind(room):
    clients = [room.attendee() for _ in range(30)] + [room.moderator() for _ in range(3)]
    for client in clients:
        client.disconnect()
    assert socketio.server.manager.rooms.get("/", {}) == {}
    assert socketio.server.manager._rooms_of == {}
