"""Admitting a Socket.IO connection: who it is (attendee, moderator, viewer), or why it is refused.

Every refusal answers ``connect_error`` with ``{message, data: {error: <code>}}`` (the codes are
in docs/protocol.md), whatever the client sent: a client is never left waiting for an answer.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room

from . import Connection, Live, current_live, private, service
from .broadcast import moderator_room, participant_room, public_room
from .domain import Forbidden, Full, InvalidInput, LiveError, Unavailable, Webinar
from .frames import RawJSON
from .i18n import connection_language, error_message, translate
from .identity import key_fingerprint
from .keys import current_fingerprint, moderator_key_valid, session_moderates
from .msgids import N_
from .payloads import snapshot
from .snapshots import attendee_snapshot
from .store import StoreUnavailable

log = logging.getLogger(__name__)
# how often a process that keeps turning people away says so in its log
FULL_LOG_EVERY = 60.0


def on_connect(auth: Any = None) -> None:
    """Sent by every client as it connects: admit it to its webinar's rooms and send it, alone,
    a snapshot.

    Attendees need a participant token; moderators a key (or the session cookie of the moderator
    page). Anything else is refused with a message: never silently admitted with fewer rights.
    """
    live = current_live()
    # the refusal's message and later acks' are in the page's language; the codes never change
    language = connection_language(auth)
    try:
        connection, state = _admit(live, auth)
    except LiveError as error:
        # "unavailable", "rate_limited" and "full" are not final: the page tries again
        message = error_message(error, language)
        raise ConnectionRefusedError(message, {"error": error.code}) from None
    except StoreUnavailable:
        message = translate(N_("Storage is unavailable for a moment; trying again."), language)
        raise ConnectionRefusedError(message, {"error": "unavailable"}) from None
    except Exception:
        # a bug: refused all the same, so that the client is not left waiting
        log.exception("a connection was refused by an error")
        message = translate(N_("Something went wrong on the server."), language)
        raise ConnectionRefusedError(message, {"error": "internal"}) from None
    connection.language = language
    live.connections[request.sid] = connection  # type: ignore[attr-defined]
    code = connection.code
    join_room(moderator_room(code) if connection.moderator else public_room(code))
    if connection.role == "attendee":
        join_room(participant_room(code, str(connection.participant)))
        live.broadcaster.changed(code, presence=True)
    # to this socket of this process only: never through the queue to the other processes
    emit("snapshot", state, ignore_queue=True)


def _admit(live: Live, auth: Any) -> tuple[Connection, dict[str, Any] | RawJSON]:
    """Return who the connecting client is and the snapshot it gets, or raise why not."""
    if live.draining:
        raise Unavailable(N_("The server is restarting; trying again."))
    _refuse_when_full(live)
    if not isinstance(auth, dict):
        raise InvalidInput(N_("Connect with auth: {webinar, participant} or {webinar, key}."))
    webinar = service.get_webinar(live.store, code=auth.get("webinar"))
    connection = _authenticate(live, auth, webinar)
    state = _snapshot(live, webinar, connection, connection_language(auth))
    if connection.participant is not None and not connection.moderator:
        live.store.join(webinar.code, request.sid, connection.participant)  # type: ignore[attr-defined]
    return connection, state


def _snapshot(
    live: Live, webinar: Webinar, connection: Connection, language: str
) -> dict[str, Any] | RawJSON:
    """Build a moderator's whole snapshot; an attendee's or viewer's from the shared part, as
    encoded already, and their own."""
    if connection.moderator:
        state = snapshot(live.store, webinar, True, connection.participant)
        state["role"] = connection.role
        return state
    # attendees' pages do not show the count: a recent one spares a join storm a recount each
    online = live.broadcaster.recent_online(webinar.code)
    if online is None:
        online = live.store.online(webinar.code)
    part = live.broadcaster.snapshots.get(webinar)
    return attendee_snapshot(
        live.store, part, connection.role, connection.participant, online, language
    )


def _refuse_when_full(live: Live) -> None:
    """Refuse a newcomer when this process holds ``MAX_CONNECTIONS`` (the page retries later)."""
    limit = int(current_app.config["MAX_CONNECTIONS"])
    if len(live.connections) < limit:
        return
    now = time.monotonic()
    if live.full_logged_at is None or now - live.full_logged_at >= FULL_LOG_EVERY:
        live.full_logged_at = now
        log.warning(
            "connection limit reached: %d connections held (LIVE_MAX_CONNECTIONS=%d); "
            "refusing newcomers until some leave",
            len(live.connections),
            limit,
        )
    raise Full(N_("This server is full at the moment; the page tries again by itself."))


def _authenticate(live: Live, auth: dict[str, Any], webinar: Webinar) -> Connection:
    """Return the connection's identity as its ``auth`` proves it, or raise ``Forbidden``."""
    participant = None
    if "participant" in auth:
        scope = private.scope(webinar)
        participant = live.identities.participant(webinar.code, auth["participant"], scope)
        if live.store.forgotten(webinar.code, participant):
            raise Forbidden(
                N_("You asked to be forgotten: reload the page for a new identity."), "forgotten"
            )
    if "key" in auth:
        if not moderator_key_valid(live, webinar.code, auth["key"], request.remote_addr):
            raise Forbidden(N_("The moderator key is not valid for this webinar."), "bad_key")
        return Connection(
            webinar.code,
            True,
            participant,
            key_fingerprint=key_fingerprint(auth["key"]),
            moderator_number=live.store.next_moderator_number(webinar.code),
        )
    if auth.get("moderator") is True:
        if not session_moderates(live, webinar.code):
            raise Forbidden(N_("Open the moderator link with its key first."), "not_moderator")
        # the number this browser got when it signed in (routes.moderate)
        numbers = session.get("moderator_numbers")
        number = numbers.get(webinar.code) if isinstance(numbers, dict) else None
        if not isinstance(number, int):
            number = live.store.next_moderator_number(webinar.code)
        fingerprint = current_fingerprint(live, webinar.code)
        return Connection(
            webinar.code, True, participant, key_fingerprint=fingerprint, moderator_number=number
        )
    if auth.get("viewer") is True:
        # the projector: public content only, no participant, not counted as online
        if not private.admitted(live, webinar):
            raise Forbidden(private.NEEDED, "bad_passcode")
        return Connection(webinar.code, moderator=False, participant=None)
    if participant is None:
        raise Forbidden(
            N_("A participant token is needed; get one from the join endpoint."), "no_token"
        )
    return Connection(webinar.code, moderator=False, participant=participant)


def on_disconnect(*_: Any) -> None:
    """Sent when a client goes away: it no longer counts as online."""
    live = current_live()
    connection = live.connections.pop(request.sid, None)  # type: ignore[attr-defined]
    if connection is not None and connection.role == "attendee":
        try:
            live.store.leave(connection.code, request.sid)  # type: ignore[attr-defined]
        except StoreUnavailable:
            # a shared store lets the connection expire by itself
            log.warning("could not record that a connection left: the store is unavailable")
        live.broadcaster.changed(connection.code, presence=True)


def register(socketio: SocketIO) -> None:
    """Give the connect and disconnect handlers to the app's Socket.IO server."""
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
