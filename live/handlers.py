"""Socket.IO event handlers: take a typed command, call the service, mark what changed.

Changes reach the rooms through the broadcaster's coalesced ``update``. The protocol is
documented in ``docs/protocol.md``; the checks every event shares are in events.py.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from flask import request
from flask_socketio import SocketIO

from . import Connection, Live, domain, personal, service
from .commands import (
    Ask,
    CreatePoll,
    Forget,
    Interest,
    Moderate,
    PollAction,
    Questions,
    RotateKey,
    Settings,
    ShowScreen,
    Suggest,
    Upvote,
    Vote,
)
from .events import Ack, event
from .events import register as register_events
from .keys import rotate_moderator_key, sign_out
from .links import moderator_url
from .moderation_log import log_action
from .msgids import N_
from .payloads import moderator_poll, question_payload, screen_payload, settings_payload
from .personal_text import forget_message
from .similar import similar_questions
from .snapshots import questions_page

# how long a process reuses the list of live questions it compares typed text with
SUGGEST_CACHE_SECONDS = 1.0


@event(Ask, participant=True)
def on_ask(live: Live, connection: Connection, command: Ask) -> Ack:
    """Sent by an attendee with a new question; everyone (or, under pre-moderation, the moderators
    and the author) sees it with the next update."""
    webinar = service.get_webinar(live.store, code=connection.code)
    refuse_forgotten(live, connection)
    budget = f"{webinar.code} {connection.participant}"
    question = service.ask(
        live.store,
        webinar=webinar,
        participant=str(connection.participant),
        text=command.text,
        name=command.name,
        idempotency_key=command.idempotency_key,
        topic=command.topic,
        # only a question that is stored takes one of the participant's tokens
        budget=lambda: live.questions_asked.allow(budget),
    )
    live.broadcaster.changed(webinar.code, questions=(question.id,))
    return {"question": question_payload(question, None)}


@event(Upvote, participant=True)
def on_upvote(live: Live, connection: Connection, command: Upvote) -> Ack:
    """Sent by an attendee to add or withdraw their upvote; the new count goes to the room."""
    question = service.upvote(
        live.store,
        code=connection.code,
        participant=str(connection.participant),
        question_id=command.question,
        up=command.up,
    )
    live.broadcaster.changed(connection.code, questions=(question.id,))
    return {"question": {"id": question.id, "upvotes": question.upvotes}, "up": command.up}


@event(Vote, participant=True)
def on_vote(live: Live, connection: Connection, command: Vote) -> Ack:
    """Sent by an attendee with their ballot (a list of option indexes; in a word cloud, a list
    of words); it replaces any earlier one of theirs while the poll is open."""
    poll = service.vote(
        live.store,
        code=connection.code,
        participant=str(connection.participant),
        poll_id=command.poll,
        options=command.options,
        words=command.words,
        text=command.text,
    )
    live.broadcaster.changed(connection.code, polls=(poll.id,))
    if poll.kind == "words":
        return {"poll": poll.id, "words": list(domain.check_words(poll, command.words))}
    if poll.kind == "text":
        return {"poll": poll.id, "text": domain.check_text_answer(poll, command.text)[0]}
    options: list[int] = list(command.options)  # type: ignore[call-overload]  # checked above
    # a ranking in the voter's order; other ballots sorted
    return {"poll": poll.id, "options": options if poll.kind == "ranking" else sorted(options)}


def record(
    live: Live, connection: Connection, action: str, target: int | None = None, detail: str = ""
) -> None:
    """Write a moderator's action to the webinar's moderation log; moderators see it next tick."""
    log_action(live, connection.code, connection.moderator_number, action, target, detail)


def _detail(command: Moderate, result: service.Moderated) -> str:
    """What the log says besides the action: why, where, which topic."""
    if command.action == "dismiss":
        return str(result.question.reason)
    if command.action == "merge" and result.merged_into is not None:
        return f"into #{result.merged_into.id}"
    if command.action == "topic":
        return result.question.topic or "no topic"
    if command.action == "reply":
        return "written answer" if result.question.reply else "written answer removed"
    return ""


@event(Moderate, moderator=True)
def on_moderate(live: Live, connection: Connection, command: Moderate) -> Ack:
    """Sent by a moderator to approve, dismiss, answer, archive, restore, edit, merge, tag or reply
    to a question or put it on or off the air; every room sees the result with the next update."""
    webinar = service.get_webinar(live.store, code=connection.code)
    result = service.moderate(
        live.store,
        webinar=webinar,
        question_id=command.question,
        action=command.action,
        text=command.text,
        reason=command.reason,
        into=command.into,
        topic=command.topic,
    )
    changed = [q for q in (result.question, result.merged_into) if q is not None]
    live.broadcaster.changed(
        webinar.code,
        questions=tuple(q.id for q in changed),
        on_air=result.on_air_changed,
        dismissed=result.dismissed_changed,
    )
    record(live, connection, str(command.action), result.question.id, _detail(command, result))
    on_air = live.store.on_air(webinar.code)
    answer: Ack = {"question": question_payload(result.question, on_air)}
    if result.merged_into is not None:
        answer["into"] = question_payload(result.merged_into, on_air)
    return answer


@event(PollAction, moderator=True)
def on_poll(live: Live, connection: Connection, command: PollAction) -> Ack:
    """Sent by a moderator to open (for some seconds, if given) or close a poll, show or hide its
    results to attendees, or show or hide one answer of an open text poll."""
    poll = service.poll_action(
        live.store,
        code=connection.code,
        poll_id=command.poll,
        action=command.action,
        seconds=command.seconds,
        answer=command.answer,
    )
    # opening a poll, showing its results or closing it can change the screen
    live.broadcaster.changed(connection.code, polls=(poll.id,), screen=True)
    detail = f"for {command.seconds} s" if command.seconds else ""
    record(live, connection, str(command.action), poll.id, detail)
    return {"poll": moderator_poll(live.store, poll)}


@event(ShowScreen, moderator=True)
def on_screen(live: Live, connection: Connection, command: ShowScreen) -> Ack:
    """Sent by a moderator to choose what the screen shows (replacing what it showed); every
    room gets the new screen with the next update."""
    screen = service.show_on_screen(live.store, connection.code, command.kind, command.id)
    live.broadcaster.changed(connection.code, on_air=True, screen=True)
    record(live, connection, "screen", screen.id, screen.kind)
    return {"screen": screen_payload(screen)}


@event(CreatePoll, moderator=True)
def on_create_poll(live: Live, connection: Connection, command: CreatePoll) -> Ack:
    """Sent by a moderator with a new poll; it is created as a draft, seen by moderators only."""
    poll = service.create_poll(
        live.store,
        code=connection.code,
        prompt=command.prompt,
        kind=command.kind,
        options=command.options,
    )
    live.broadcaster.changed(connection.code, polls=(poll.id,))
    record(live, connection, "create_poll", poll.id, poll.prompt)
    return {"poll": moderator_poll(live.store, poll)}


@event(Settings, moderator=True)
def on_settings(live: Live, connection: Connection, command: Settings) -> Ack:
    """Sent by a moderator to change the webinar's settings; every room gets the new settings."""
    webinar = service.get_webinar(live.store, code=connection.code)
    changes = command.changes()
    webinar = service.change_settings(live.store, webinar=webinar, changes=changes)
    live.broadcaster.changed(webinar.code, settings=True)
    said = ", ".join(
        f"{name} {'on' if value is True else 'off' if value is False else value}"
        for name, value in sorted(changes.items())
    )
    record(live, connection, "settings", None, said)
    return {"settings": settings_payload(webinar)}


@event(RotateKey, moderator=True)
def on_rotate_key(live: Live, connection: Connection, command: RotateKey) -> Ack:
    """Sent by a moderator to change the webinar's moderator key (a link that leaked): every other
    moderator is signed out at once; the sender stays and gets the new link to pass on."""
    key = rotate_moderator_key(live, connection.code, by=connection)
    return {"moderator_key": key, "moderator_url": moderator_url(connection.code, key)}


def live_questions(live: Live, code: str) -> list[Any]:
    """The webinar's live (public, open) questions, read at most once a second per process:
    a room of typists must not turn into a read of every question per keystroke."""
    now = time.monotonic()
    cached = live.live_questions.get(code)
    if cached is None or now - cached[0] > SUGGEST_CACHE_SECONDS:
        cached = (now, [q for q in live.store.questions(code) if q.status == "live"])
        live.live_questions[code] = cached
    return cached[1]


@event(Suggest, participant=True)
def on_suggest(live: Live, connection: Connection, command: Suggest) -> Ack:
    """Sent by an attendee's page while they type a question: up to three similar live questions,
    so that they can upvote one instead of asking it again."""
    if not isinstance(command.text, str):
        raise domain.InvalidInput("'suggest' takes the text typed so far.")
    found = similar_questions(
        command.text[:2000], live_questions(live, connection.code), language=connection.language
    )
    return {"questions": [{**question_payload(q, None), "score": score} for q, score in found]}


@event(Interest, participant=True)
def on_interest(live: Live, connection: Connection, command: Interest) -> Ack:
    """Sent by a voter who wants application information about the programmes they chose (an
    email address, with their consent), or (email null) who withdraws it. Only the moderators'
    export ever contains the address."""
    webinar = service.get_webinar(live.store, code=connection.code)
    refuse_forgotten(live, connection)
    kept = service.leave_interest(
        live.store,
        webinar=webinar,
        participant=str(connection.participant),
        poll_id=command.poll,
        email=command.email,
        consent=command.consent,
    )
    live.broadcaster.changed(connection.code, polls=(int(command.poll),))  # type: ignore[call-overload]
    return {"poll": command.poll, "email": kept}


FORGOTTEN = N_("You asked to be forgotten: reload the page to go on with a new anonymous identity.")


def refuse_forgotten(live: Live, connection: Connection) -> None:
    """Refuse a name or an address from a participant who asked to be forgotten (a tab still
    connected to another process than the one that heard it)."""
    if live.store.forgotten(connection.code, str(connection.participant)):
        raise domain.Forbidden(FORGOTTEN, "forgotten")


@event(Forget, participant=True)
def on_forget(live: Live, connection: Connection, command: Forget) -> Ack:
    """Sent by an attendee who asks to be forgotten: their name, email addresses and links to
    their questions, upvotes and ballots go (texts and counts stay), their token is refused from
    now on, and their other connections here are signed out. The answer, to them alone, says what
    was removed; this connection goes on as a viewer."""
    participant = str(connection.participant)
    removed, theirs = personal.forget(live.store, connection.code, participant)
    live.store.leave(connection.code, request.sid)  # type: ignore[attr-defined]
    connection.participant = None
    others = [
        sid
        for sid, c in list(live.connections.items())
        if c.code == connection.code and c.participant == participant and not c.moderator
    ]
    sign_out(others, "forgotten", FORGOTTEN)
    live.broadcaster.changed(connection.code, questions=theirs, presence=True)
    return {
        "removed": asdict(removed),
        "message": forget_message(removed, connection.language),
    }


@event(Questions)
def on_questions(live: Live, connection: Connection, command: Questions) -> Ack:
    """Sent by a page for questions its snapshot left out (snapshots.py); the answer, to the
    sender alone, holds up to 100 of the questions everyone sees that are older than ``before``,
    newest first, and whether there are older ones still."""
    before = command.before
    if before is not None and (type(before) is not int or before < 1):
        raise domain.InvalidInput("before is the id of a question: a positive whole number.")
    webinar = service.get_webinar(live.store, code=connection.code)
    return questions_page(live.broadcaster.snapshots.get(webinar), before)


HANDLERS = (
    on_ask,
    on_upvote,
    on_vote,
    on_interest,
    on_forget,
    on_suggest,
    on_questions,
    on_moderate,
    on_poll,
    on_screen,
    on_create_poll,
    on_settings,
    on_rotate_key,
)


def register(socketio: SocketIO) -> None:
    """Give every client event's handler to the app's Socket.IO server."""
    register_events(socketio, HANDLERS)
