"""Socket.IO handlers: check who is asking and what they sent, call the service, mark the change.

Every client event is acknowledged with ``{ok: true, ...}`` or ``{ok: false, error, message}``;
changes reach the rooms through the broadcaster's coalesced ``update``. The protocol is documented
in ``docs/protocol.md``.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, disconnect, emit, join_room

from . import Connection, Live, domain, service, socketio
from .broadcast import moderator_room, participant_room, public_room
from .domain import (
    Forbidden,
    Full,
    InvalidInput,
    LiveError,
    LogEntry,
    TooMany,
    Unavailable,
    Webinar,
)
from .identity import key_fingerprint, key_matches
from .links import moderator_url
from .payloads import moderator_poll, question_payload, settings_payload, snapshot
from .similar import similar_questions
from .store import StoreUnavailable

log = logging.getLogger(__name__)
Ack = dict[str, Any]


def current_live() -> Live:
    return current_app.extensions["live"]  # type: ignore[no-any-return]


# a connection refused this many times in a row for flooding is closed
FLOOD_REFUSALS = 50


def _keep_pace(live: Live, connection: Connection) -> None:
    """Refuse a connection's events beyond its pace; close a connection that keeps flooding."""
    if live.socket_events.allow(request.sid):  # type: ignore[attr-defined]
        connection.refused = 0
        return
    connection.refused += 1
    if connection.refused >= FLOOD_REFUSALS:
        log.warning("closing a connection to %s that keeps flooding events", connection.code)
        disconnect()
    raise TooMany("Slow down: too many actions at once.")


def moderator_key_valid(live: Live, code: str, given: object, address: str | None) -> bool:
    """Check a moderator key, counting wrong ones per address: past the limit, refuse any key."""
    address = address or "unknown"
    if live.wrong_keys.blocked(address):
        raise TooMany("Too many wrong moderator keys from your address; wait a minute.")
    if key_matches(given, live.store.moderator_key(code)):
        return True
    live.wrong_keys.allow(address)
    return False


# how often a process that keeps turning people away says so in its log
FULL_LOG_EVERY = 60.0


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
    raise Full("This server is full at the moment; the page tries again by itself.")


def error_ack(error: LiveError) -> Ack:
    return {"ok": False, "error": error.code, "message": error.message}


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    """Sent by every client as it connects: admit it to its webinar's rooms and send a snapshot.

    Attendees need a participant token; moderators a key (or the session cookie of the moderator
    page). Anything else is refused with a message: never silently admitted with fewer rights.
    """
    live = current_live()
    try:
        if live.draining:
            raise Unavailable("The server is restarting; trying again.")
        _refuse_when_full(live)
        if not isinstance(auth, dict):
            raise InvalidInput("Connect with auth: {webinar, participant} or {webinar, key}.")
        webinar = service.get_webinar(live.store, auth.get("webinar"))
        connection = _authenticate(live, auth, webinar)
        # attendees' pages do not show the count: a recent one spares a join storm a recount each
        online = None if connection.moderator else live.broadcaster.recent_online(webinar.code)
        state = snapshot(
            live.store, webinar, connection.moderator, connection.participant, online=online
        )
        if connection.participant is not None and not connection.moderator:
            live.store.join(webinar.code, request.sid, connection.participant)  # type: ignore[attr-defined]
    except LiveError as error:
        # "unavailable" (this process stopping) is not final: the page tries again
        raise ConnectionRefusedError(error.message, {"error": error.code}) from None
    except StoreUnavailable:
        # not final either: the page tries again
        message = "Storage is unavailable for a moment; trying again."
        raise ConnectionRefusedError(message, {"error": "unavailable"}) from None
    live.connections[request.sid] = connection  # type: ignore[attr-defined]
    code = connection.code
    if connection.moderator:
        join_room(moderator_room(code))
    else:
        join_room(public_room(code))
    if not connection.moderator and connection.participant is not None:
        join_room(participant_room(code, connection.participant))
        live.broadcaster.changed(code, presence=True)
    emit("snapshot", state)


def session_moderates(live: Live, code: str) -> bool:
    """Say whether this browser's session proved the webinar's current moderator key."""
    moderates = session.get("moderates")
    return isinstance(moderates, dict) and moderates.get(code) == current_fingerprint(live, code)


def current_fingerprint(live: Live, code: str) -> str:
    return key_fingerprint(live.store.moderator_key(code))


def _authenticate(live: Live, auth: dict[str, Any], webinar: Webinar) -> Connection:
    participant = None
    if "participant" in auth:
        participant = live.identities.participant(webinar.code, auth["participant"])
    if "key" in auth:
        if not moderator_key_valid(live, webinar.code, auth["key"], request.remote_addr):
            raise Forbidden("The moderator key is not valid for this webinar.", "bad_key")
        return Connection(
            webinar.code,
            True,
            participant,
            key_fingerprint=key_fingerprint(auth["key"]),
            moderator_number=live.store.next_moderator_number(webinar.code),
        )
    if auth.get("moderator") is True:
        if not session_moderates(live, webinar.code):
            raise Forbidden("Open the moderator link with its key first.", "not_moderator")
        fingerprint = current_fingerprint(live, webinar.code)
        # the number this browser got when it signed in (routes.moderate)
        numbers = session.get("moderator_numbers")
        number = numbers.get(webinar.code) if isinstance(numbers, dict) else None
        if not isinstance(number, int):
            number = live.store.next_moderator_number(webinar.code)
        return Connection(
            webinar.code, True, participant, key_fingerprint=fingerprint, moderator_number=number
        )
    if auth.get("viewer") is True:
        # the projector: public content only, no participant, not counted as online
        return Connection(webinar.code, moderator=False, participant=None)
    if participant is None:
        raise Forbidden(
            "A participant token is needed; get one from the join endpoint.", "no_token"
        )
    return Connection(webinar.code, moderator=False, participant=participant)


@socketio.on("disconnect")
def on_disconnect(*_: Any) -> None:
    """Sent when a client goes away: it no longer counts as online."""
    live = current_live()
    connection = live.connections.pop(request.sid, None)  # type: ignore[attr-defined]
    if connection is not None and not connection.moderator and connection.participant:
        try:
            live.store.leave(connection.code, request.sid)  # type: ignore[attr-defined]
        except StoreUnavailable:
            # a shared store lets the connection expire by itself
            log.warning("could not record that a connection left: the store is unavailable")
        live.broadcaster.changed(connection.code, presence=True)


KEY_CHANGED = "The moderator key was changed: open the new moderator link to go on moderating."
# how often each process checks that its moderators' key is still the webinar's
KEY_CHECK_SECONDS = 1.0


def sign_out_stale_moderators(live: Live) -> int:
    """Disconnect this process's moderator connections whose key is no longer their webinar's.

    Called at once where a key is changed, and every ``KEY_CHECK_SECONDS`` by each process, so
    that a change made by another process or the command line reaches every moderator too.
    """
    current: dict[str, str] = {}
    stale = []
    for sid, connection in list(live.connections.items()):
        if not connection.moderator:
            continue
        if connection.code not in current:
            current[connection.code] = current_fingerprint(live, connection.code)
        if connection.key_fingerprint != current[connection.code]:
            stale.append(sid)
    for sid in stale:
        # say why first: a Socket.IO disconnect tells the page not to reconnect by itself
        socketio.emit(
            "signed_out",
            {"reason": "key_changed", "message": KEY_CHANGED},
            to=sid,
            ignore_queue=True,
        )
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
    if stale:
        log.info("signed out %d moderator connections: their key was changed", len(stale))
    return len(stale)


WEBINAR_DELETED = "This webinar has been deleted by its organisers."


def sign_out_of_deleted_webinars(live: Live) -> int:
    """Disconnect this process's connections to webinars that no longer exist (deleted on the
    organiser page, the command line or another process), so that nothing of theirs (presence)
    is written again for a deleted webinar."""
    codes = {connection.code for connection in list(live.connections.values())}
    gone = {code for code in codes if live.store.get_webinar(code) is None}
    if not gone:
        return 0
    leaving = [sid for sid, c in list(live.connections.items()) if c.code in gone]
    for sid in leaving:
        socketio.emit(
            "signed_out",
            {"reason": "deleted", "message": WEBINAR_DELETED},
            to=sid,
            ignore_queue=True,
        )
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
    log.info("closed %d connections to deleted webinars %s", len(leaving), sorted(gone))
    return len(leaving)


# how often each process looks for timed polls whose time is up
POLL_CHECK_SECONDS = 0.5


def close_timed_polls(app: Any, sleep: Callable[[float], Any]) -> None:
    """Close timed polls when their time is up (background task of each process, for the
    webinars it has connections to; votes after the deadline are refused anyway)."""
    live: Live = app.extensions["live"]
    while True:
        sleep(POLL_CHECK_SECONDS)
        for code in {c.code for c in list(live.connections.values())}:
            try:
                closed = service.close_due_polls(live.store, code)
            except StoreUnavailable:
                continue
            except Exception:
                log.exception("timed polls of %s not checked", code)
                continue
            if closed:
                live.broadcaster.changed(code, polls=tuple(p.id for p in closed))
                for poll in closed:
                    log_action(live, code, 0, "close", poll.id, "its time was up")


def watch_moderator_keys(app: Any, sleep: Callable[[float], Any]) -> None:
    """Close the connections to deleted webinars and sign out moderators whose key was changed
    elsewhere (background task of each process)."""
    live: Live = app.extensions["live"]
    while True:
        sleep(KEY_CHECK_SECONDS)
        try:
            sign_out_of_deleted_webinars(live)
            sign_out_stale_moderators(live)
        except StoreUnavailable:
            log.warning("moderator keys not checked: the store is unavailable")
        except Exception:
            log.exception("moderator keys not checked")


Handler = Callable[[Live, Connection, dict[str, Any]], Ack]


def event(name: str, fields: set[str], moderator: bool = False, participant: bool = False):  # noqa: ANN201
    """Register a handler for a client event, with the checks every event shares.

    The payload must be an object with only the given fields; moderator events are authorised
    on every message; errors become error acks and never reach the other clients.
    """

    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def on_event(payload: Any = None, *extra: Any) -> Ack:
            live = current_live()
            connection = live.connections.get(request.sid)  # type: ignore[attr-defined]
            live.in_flight += 1
            try:
                if connection is None:
                    raise Forbidden("This connection is not admitted to a webinar.")
                if live.draining:
                    # refused, not half-done: the client knows nothing changed
                    raise Unavailable("The server is restarting; try again in a moment.")
                _keep_pace(live, connection)
                if moderator and not connection.moderator:
                    raise Forbidden("Only moderators may do this.", "forbidden")
                if moderator and connection.key_fingerprint != current_fingerprint(
                    live, connection.code
                ):
                    # the key changed (elsewhere, a moment ago): not one more action with the old
                    sign_out_stale_moderators(live)
                    raise Forbidden(KEY_CHANGED, "key_changed")
                if participant and connection.participant is None:
                    raise Forbidden("Connect with a participant token to do this.", "no_token")
                if extra or not isinstance(payload, dict):
                    raise InvalidInput(
                        f"'{name}' takes one object with: {', '.join(sorted(fields))}."
                    )
                if unknown := set(payload) - fields:
                    raise InvalidInput(
                        f"Unknown fields for '{name}': {', '.join(sorted(unknown))}."
                    )
                return {"ok": True, **handler(live, connection, payload)}
            except LiveError as error:
                return error_ack(error)
            except StoreUnavailable as error:
                log.warning("'%s' refused: the store is unavailable (%s)", name, error)
                return {
                    "ok": False,
                    "error": "unavailable",
                    "message": "Storage is unavailable; try again.",
                }
            except Exception:
                log.exception("'%s' failed", name)
                return {
                    "ok": False,
                    "error": "internal",
                    "message": "Something went wrong on the server.",
                }
            finally:
                live.in_flight -= 1

        socketio.on_event(name, on_event)
        return handler

    return register


@event("ask", {"text", "name", "idempotency_key", "topic"}, participant=True)
def on_ask(live: Live, connection: Connection, payload: dict[str, Any]) -> Ack:
    """Sent by an attendee with a new question; everyone (or, under pre-moderation, the moderators
    and the author) sees it with the next update."""
    webinar = service.get_webinar(live.store, connection.code)
    if not live.questions_asked.allow(f"{webinar.code} {connection.participant}"):
        raise TooMany("You asked many questions in the last minute; wait a little.")
    question = service.ask(
        live.store,
        webinar,
        str(connection.participant),
        payload.get("text"),
        payload.get("name"),
        payload.get("idempotency_key"),
        payload.get("topic"),
    )
    live.broadcaster.changed(webinar.code, questions=(question.id,))
    return {"question": question_payload(question, None)}


@event("upvote", {"question", "up"}, participant=True)
def on_upvote(live: Live, connection: Connection, payload: dict[str, Any]) -> Ack:
    """Sent by an attendee to add or withdraw their upvote; the new count goes to the room."""
    question = service.upvote(
        live.store,
        connection.code,
        str(connection.participant),
        payload.get("question"),
        payload.get("up"),
    )
    live.broadcaster.changed(connection.code, questions=(question.id,))
    return {"question": {"id": question.id, "upvotes": question.upvotes}, "up": payload["up"]}


@event("vote", {"poll", "options", "words", "text"}, participant=True)
def on_vote(live: Live, connection: Connection, payload: dict[str, Any]) -> Ack:
    """Sent by an attendee with their ballot (a list of option indexes; in a word cloud, a list
    of words); it replaces any earlier one of theirs while the poll is open."""
    poll = service.vote(
        live.store,
        connection.code,
        str(connection.participant),
        payload.get("poll"),
        payload.get("options"),
        payload.get("words"),
        payload.get("text"),
    )
    live.broadcaster.changed(connection.code, polls=(poll.id,))
    if poll.kind == "words":
        return {"poll": poll.id, "words": list(domain.check_words(poll, payload["words"]))}
    if poll.kind == "text":
        return {"poll": poll.id, "text": domain.check_text_answer(poll, payload["text"])[0]}
    if poll.kind == "ranking":
        return {"poll": poll.id, "options": list(payload["options"])}  # in the voter's order
    return {"poll": poll.id, "options": sorted(payload["options"])}


def record(
    live: Live, connection: Connection, action: str, target: int | None = None, detail: str = ""
) -> None:
    """Write a moderator's action to the webinar's moderation log; moderators see it next tick."""
    log_action(live, connection.code, connection.moderator_number, action, target, detail)


def log_action(
    live: Live, code: str, moderator: int, action: str, target: int | None, detail: str
) -> None:
    """Log an action of moderator ``moderator`` (0: by the API or the command line)."""
    entry = LogEntry(0, code, datetime.now(UTC), moderator, action, target, detail[:200])
    live.store.log_action(entry)
    live.broadcaster.changed(code, log=True)


def _detail(payload: dict[str, Any], result: service.Moderated) -> str:
    """What the log says besides the action: why, where, which topic."""
    action = payload["action"]
    if action == "dismiss":
        return str(result.question.reason)
    if action == "merge" and result.merged_into is not None:
        return f"into #{result.merged_into.id}"
    if action == "topic":
        return result.question.topic or "no topic"
    if action == "reply":
        return "written answer" if result.question.reply else "written answer removed"
    return ""


@event("moderate", {"question", "action", "text", "reason", "into", "topic"}, moderator=True)
def on_moderate(live: Live, connection: Connection, payload: dict[str, Any]) -> Ack:
    """Sent by a moderator to approve, dismiss, answer, archive, restore, edit a question or put it
    on or off the air; every room sees the result with the next update."""
    webinar = service.get_webinar(live.store, connection.code)
    result = service.moderate(
        live.store,
        webinar,
        payload.get("question"),
        payload.get("action"),
        payload.get("text"),
        payload.get("reason"),
        payload.get("into"),
        payload.get("topic"),
    )
    changed = [result.question]
    if result.merged_into is not None:
        changed.append(result.merged_into)
    live.broadcaster.changed(
        webinar.code,
        questions=tuple(q.id for q in changed),
        on_air=result.on_air_changed,
        dismissed=result.dismissed_changed,
    )
    record(live, connection, str(payload["action"]), result.question.id, _detail(payload, result))
    on_air = live.store.on_air(webinar.code)
    answer: Ack = {"question": question_payload(result.question, on_air)}
    if result.merged_into is not None:
        answer["into"] = question_payload(result.merged_into, on_air)
    return answer


@event("poll", {"poll", "action", "seconds", "answer"}, moderator=True)
def on_poll(live: Live, connection: Connection, payload: dict[str, Any]) -> Ack:
    """Sent by a moderator to open (for some seconds, if given) or close a poll or show or hide
    its results to attendees."""
    poll = service.poll_action(
        live.store,
        connection.code,
        payload.get("poll"),
        payload.get("action"),
        payload.get("seconds"),
        payload.get("answer"),
    )
    live.broadcaster.changed(connection.code, polls=(poll.id,))
    seconds = payload.get("seconds")
    record(live, connection, str(payload["action"]), poll.id, f"for {seconds} s" if seconds else "")
    return {"poll": moderator_poll(live.store, poll)}


@event("create_poll", {"prompt", "kind", "options"}, moderator=True)
def on_create_poll(live: Live, connection: Connection, payload: dict[str, Any]) -> Ack:
    """Sent by a moderator with a new poll; it is created as a draft, seen by moderators only."""
    poll = service.create_poll(
        live.store,
        connection.code,
        payload.get("prompt"),
        payload.get("kind"),
        payload.get("options"),
    )
    live.broadcaster.changed(connection.code, polls=(poll.id,))
    record(live, connection, "create_poll", poll.id, poll.prompt)
    return {"poll": moderator_poll(live.store, poll)}


@event(
    "settings",
    {"premoderation", "max_question_length", "ask_names", "follow_up"},
    moderator=True,
)
def on_settings(live: Live, connection: Connection, payload: dict[str, Any]) -> Ack:
    """Sent by a moderator to change the webinar's settings; every room gets the new settings."""
    webinar = service.get_webinar(live.store, connection.code)
    webinar = service.change_settings(live.store, webinar, payload)
    live.broadcaster.changed(webinar.code, settings=True)
    changes = ", ".join(
        f"{name} {'on' if value is True else 'off' if value is False else value}"
        for name, value in sorted(payload.items())
    )
    record(live, connection, "settings", None, changes)
    return {"settings": settings_payload(webinar)}


@event("rotate_key", set(), moderator=True)
def on_rotate_key(live: Live, connection: Connection, payload: dict[str, Any]) -> Ack:
    """Sent by a moderator to change the webinar's moderator key (a link that leaked): every other
    moderator is signed out at once; the sender stays and gets the new link to pass on."""
    key = service.rotate_moderator_key(live.store, connection.code)
    connection.key_fingerprint = key_fingerprint(key)
    sign_out_stale_moderators(live)
    record(live, connection, "rotate_key")
    return {"moderator_key": key, "moderator_url": moderator_url(connection.code, key)}


# how long a process reuses the list of live questions it compares typed text with
SUGGEST_CACHE_SECONDS = 1.0


def live_questions(live: Live, code: str) -> list[Any]:
    """The webinar's live (public, open) questions, read at most once a second per process:
    a room of typists must not turn into a read of every question per keystroke."""
    now = time.monotonic()
    cached = live.live_questions.get(code)
    if cached is None or now - cached[0] > SUGGEST_CACHE_SECONDS:
        cached = (now, [q for q in live.store.questions(code) if q.status == "live"])
        live.live_questions[code] = cached
    return cached[1]


@event("suggest", {"text"}, participant=True)
def on_suggest(live: Live, connection: Connection, payload: dict[str, Any]) -> Ack:
    """Sent by an attendee's page while they type a question: up to three similar live questions,
    so that they can upvote one instead of asking it again."""
    text = payload.get("text")
    if not isinstance(text, str):
        raise InvalidInput("'suggest' takes the text typed so far.")
    found = similar_questions(text[:2000], live_questions(live, connection.code))
    return {"questions": [{**question_payload(q, None), "score": score} for q, score in found]}


@event("interest", {"poll", "email", "consent"}, participant=True)
def on_interest(live: Live, connection: Connection, payload: dict[str, Any]) -> Ack:
    """Sent by a voter who wants application information about the programmes they chose (an
    email address, with their consent), or (email null) who withdraws it. Only the moderators'
    export ever contains the address."""
    webinar = service.get_webinar(live.store, connection.code)
    kept = service.leave_interest(
        live.store,
        webinar,
        str(connection.participant),
        payload.get("poll"),
        payload.get("email"),
        payload.get("consent"),
    )
    live.broadcaster.changed(connection.code, polls=(int(payload["poll"]),))
    return {"poll": payload["poll"], "email": kept}
