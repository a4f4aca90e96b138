"""Use cases of the live room: plain functions that take the store, apply the rules, raise errors.

Called by the Socket.IO handlers and the HTTP routes (which only parse and reply), and by tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from . import domain, wordfilter
from .domain import (
    MODERATION_ACTIONS,
    POLL_ACTIONS,
    Conflict,
    InvalidInput,
    NotFound,
    Poll,
    Question,
    Screen,
    TooMany,
    Webinar,
)
from .identity import new_moderator_key
from .msgids import N_
from .store import Condition, Later, Store

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Moderated:
    """What a moderation action changed: the question, and whether the on-air question changed."""

    question: Question
    on_air_changed: bool
    # whether the count of dismissed questions (per reason) changed
    dismissed_changed: bool = False
    # after a merge: the question this one went into
    merged_into: Question | None = None


def get_webinar(store: Store, code: object) -> Webinar:
    """Return the webinar a code names (any case), or raise ``NotFound``."""
    webinar = store.get_webinar(domain.normalise_code(code))
    if webinar is None:
        raise NotFound(N_("There is no webinar with that code."), "unknown_webinar")
    return webinar


def get_question(store: Store, code: str, question_id: object) -> Question:
    """Return a question of this webinar by id, or raise."""
    found = store.questions(code, [_check_id(question_id, "question")])
    if not found:
        raise NotFound(N_("There is no such question in this webinar."))
    return found[0]


def get_poll(store: Store, code: str, poll_id: object) -> Poll:
    """Return a poll of this webinar by id, or raise."""
    found = store.polls(code, [_check_id(poll_id, "poll")])
    if not found:
        raise NotFound(N_("There is no such poll in this webinar."))
    return found[0]


def ask(
    store: Store,
    webinar: Webinar,
    participant: str,
    text: object,
    name: object = None,
    idempotency_key: object = None,
    topic: object = None,
    budget: Callable[[], bool] | None = None,
) -> Question:
    """Store an attendee's question: live at once, or pending under pre-moderation or when the
    word filter matches its text or name, tagged with one of the webinar's topics if the
    attendee chose one.

    The same ``idempotency_key`` from the same participant asks once: a retry gets the question
    the first attempt stored, whatever the budget. ``budget`` takes one of the participant's
    tokens for a new question (False: none left); a refused ask takes none.
    """
    if idempotency_key is not None and (
        not isinstance(idempotency_key, str) or not IDEMPOTENCY_KEY.match(idempotency_key)
    ):
        raise InvalidInput(N_("'idempotency_key' is 1-64 letters, digits, '-' or '_'."))
    settings = webinar.settings
    text = domain.clean_text(text, max_length=settings.max_question_length, what="question")
    name = domain.clean_name(name) if settings.ask_names else None
    # nothing rewritten, nothing dropped: a match waits for a moderator, whatever pre-moderation
    held = bool(settings.word_filter) and wordfilter.matches(settings.word_filter, text, name)
    question = Question(
        id=0,
        webinar=webinar.code,
        text=text,
        name=name,
        participant=participant,
        created_at=datetime.now(UTC),
        status="pending" if settings.premoderation or held else "live",
        topic=domain.question_topic(webinar, topic),
        held=held,
    )
    if idempotency_key is not None:
        earlier = store.asked(webinar.code, participant, idempotency_key)
        if earlier is not None:
            return earlier
    if budget is not None and not budget():
        raise TooMany(N_("You asked many questions in the last minute; wait a little."))
    stored = store.add_question(question, idempotency_key)
    if stored is None:
        raise NotFound(N_("There is no webinar with that code."), "unknown_webinar")
    return stored


def upvote(store: Store, code: str, participant: str, question_id: object, up: object) -> Question:
    """Add or withdraw the participant's upvote of a live question; repeating it changes nothing.

    The question must still be live when the upvote is written (checked in the same step).
    """
    if not isinstance(up, bool):
        raise InvalidInput(N_("'up' is true (upvote) or false (withdraw the upvote)."))
    question_id = _check_id(question_id, "question")
    live = {"status": domain.UPVOTE_STATUSES}
    if store.upvote(code, question_id, participant, up, live) is None:
        question = get_question(store, code, question_id)
        # attendees only know of public questions, and of their own
        if not question.is_public and question.participant != participant:
            raise NotFound(N_("There is no such question in this webinar."))
        raise Conflict(N_("Only live questions can be upvoted."), "question_closed")
    return get_question(store, code, question_id)


def vote(
    store: Store,
    code: str,
    participant: str,
    poll_id: object,
    options: object,
    words: object = None,
    text: object = None,
) -> Poll:
    """Record or replace the participant's ballot (``options``), their ``words`` in a word cloud
    or their ``text`` in an open text poll, in an open poll."""
    poll = get_poll(store, code, poll_id)
    if poll.state == "draft":
        raise NotFound(N_("There is no such poll in this webinar."))
    given = {"options": options, "words": words, "text": text}
    wanted = {"words": "words", "text": "text"}.get(poll.kind, "options")
    if any(value is not None for name, value in given.items() if name != wanted):
        raise InvalidInput(N_("This poll takes '%(field)s'."), "bad_request", field=wanted)
    if poll.kind == "words":
        answer = domain.check_words(poll, words)
    elif poll.kind == "text":
        answer = domain.check_text_answer(poll, text)
    elif poll.kind == "ranking":
        answer = tuple(str(o) for o in domain.check_ranking(poll, options))
    else:
        ballot = domain.check_ballot(poll, options)
    now = datetime.now(UTC)
    if not domain.is_open(poll, now):
        # its time is up, whether or not it has been closed yet
        raise Conflict(N_("This poll has closed."), "poll_closed")
    typed = poll.kind in domain.ANSWER_KINDS
    # still open when the vote is written, checked in the same step
    if not store.cast_vote(
        code, poll.id, participant, answer if typed else ballot, _open(now), typed
    ):
        raise Conflict(N_("This poll is not open for votes."), "poll_closed")
    return poll


def _open(now: datetime) -> Condition:
    """Return the precondition of a poll open at ``now`` (see ``domain.is_open``)."""
    return {"state": domain.OPEN_STATES, "closes_at": Later(now)}


def moderate(
    store: Store,
    webinar: Webinar,
    question_id: object,
    action: object,
    text: object = None,
    reason: object = None,
    into: object = None,
    topic: object = None,
) -> Moderated:
    """Apply a moderator's action to a question (``reason``: why it is dismissed; ``into``: the
    question it is merged into)."""
    if action not in MODERATION_ACTIONS:
        raise InvalidInput(
            N_("'action' is one of %(choices)s."), choices=", ".join(MODERATION_ACTIONS)
        )
    if reason is not None and action != "dismiss":
        raise InvalidInput(N_("Only 'dismiss' takes a reason."))
    if topic is not None and action != "topic":
        raise InvalidInput(N_("Only 'topic' takes a topic."))
    if (into is not None) != (action == "merge"):
        raise InvalidInput(N_("'merge' takes 'into', the id of the question to merge into."))
    question = get_question(store, webinar.code, question_id)
    if action == "merge":
        return _merge(store, webinar.code, question, into)
    code = webinar.code
    if action == "topic":
        changes = {"topic": domain.question_topic(webinar, topic)}
        return Moderated(store.change_question(code, question.id, changes) or question, False)
    if action == "reply":
        # an empty answer removes the written answer
        written = domain.clean_text(
            "" if text is None else text,
            max_length=domain.MAX_REPLY_LENGTH,
            what="answer",
            required=False,
        )
        replyable = {"status": domain.REPLY_STATUSES}
        replied = store.change_question(code, question.id, {"reply": written or None}, replyable)
        if replied is None:
            raise Conflict(N_("A merged question is answered where it went."), "bad_state")
        return Moderated(replied, on_air_changed=False)
    if action == "edit":
        limit = webinar.settings.max_question_length
        edited = domain.clean_text(text, max_length=limit, what="question")
        changed = store.change_question(code, question.id, {"text": edited})
        return Moderated(changed or question, on_air_changed=False)
    if action in ("on_air", "off_air"):
        return _air(store, code, question, on_air=action == "on_air")
    target = domain.moderation_target(str(action), question.status)
    why = domain.dismiss_reason(reason) if target == "dismissed" else None
    was_on_air = store.on_air(code) == question.id
    # a question that attendees no longer see leaves the air in the same step
    leaves_air = target not in domain.ON_AIR_STATUSES
    moved = store.change_question(
        code,
        question.id,
        {"status": target, "reason": why},
        {"status": {question.status}},
        air=False if leaves_air else None,
    )
    if moved is None:
        raise Conflict(N_("The question changed meanwhile; try again."), "bad_state")
    dismissed = "dismissed" in (question.status, target)
    return Moderated(moved, on_air_changed=was_on_air and leaves_air, dismissed_changed=dismissed)


def _merge(store: Store, code: str, question: Question, into: object) -> Moderated:
    target = get_question(store, code, into)
    was_on_air = store.on_air(code) == question.id
    merged = store.merge_question(
        code, question.id, target.id, {"status": domain.MERGE_FROM}, {"status": domain.MERGE_INTO}
    )
    if merged is None:
        raise Conflict(
            N_("Merge a waiting, live or answered question into another live or answered one."),
            "bad_state",
        )
    source, target = merged
    return Moderated(source, on_air_changed=was_on_air, merged_into=target)


def _air(store: Store, code: str, question: Question, on_air: bool) -> Moderated:
    current = store.on_air(code)
    if on_air:
        airable = {"status": domain.ON_AIR_STATUSES}
        if store.change_question(code, question.id, {}, airable, air=True) is None:
            raise Conflict(N_("Only live or answered questions can go on screen."), "bad_state")
        return Moderated(question, on_air_changed=current != question.id)
    if current != question.id:
        return Moderated(question, on_air_changed=False)
    store.change_question(code, question.id, {}, air=False)
    return Moderated(question, on_air_changed=True)


def poll_action(
    store: Store,
    code: str,
    poll_id: object,
    action: object,
    seconds: object = None,
    answer: object = None,
) -> Poll:
    """Open (for ``seconds`` if given: a timed poll), close, or show or hide the results of a
    poll, or show or hide one ``answer`` of an open text poll to everyone."""
    if action not in POLL_ACTIONS:
        raise InvalidInput(N_("'action' is one of %(choices)s."), choices=", ".join(POLL_ACTIONS))
    if (answer is not None) != (action in ("show_answer", "hide_answer")):
        raise InvalidInput(N_("'show_answer' and 'hide_answer' take 'answer', the answer's text."))
    if action in ("show_answer", "hide_answer"):
        return _choose_answer(store, code, poll_id, action == "show_answer", answer)
    closes_at = None
    if seconds is not None:
        low, high = domain.POLL_SECONDS
        if action != "open":
            raise InvalidInput(N_("Only 'open' takes 'seconds'."))
        if not isinstance(seconds, int) or isinstance(seconds, bool) or not low <= seconds <= high:
            raise InvalidInput(
                N_("'seconds' is a whole number from %(low)d to %(high)d."), low=low, high=high
            )
        closes_at = datetime.now(UTC) + timedelta(seconds=seconds)
    poll = get_poll(store, code, poll_id)
    if action in ("show_results", "hide_results"):
        changed = store.change_poll(code, poll.id, {"results_visible": action == "show_results"})
        if action == "show_results":
            # the poll on screen shows its results with them
            _replace_screen(store, code, Screen("poll", poll.id), Screen("results", poll.id))
    else:
        target = domain.poll_target(str(action), poll.state)
        changed = store.set_poll_state(code, poll.id, target, {poll.state}, closes_at)
        if changed is None:
            raise Conflict(N_("The poll changed meanwhile; try again."), "bad_state")
        if target == "open":
            # the room votes on what it sees: an opened poll takes the screen
            _show(store, code, Screen("poll", poll.id))
        else:
            _replace_screen(store, code, Screen("poll", poll.id), Screen())
    return changed or poll


def show_on_screen(store: Store, code: str, kind: object, target: object) -> Screen:
    """Put what a moderator chose on the screen, replacing what was there: the welcome screen,
    the top questions, nothing (blank), a question (it goes on air), a poll or its results."""
    screen = domain.check_screen(kind, target)
    if screen.kind == "question":
        question = get_question(store, code, screen.id)
        _air(store, code, question, on_air=True)
        return screen
    if screen.id is not None:
        poll = get_poll(store, code, screen.id)
        if not poll.is_public:
            raise Conflict(N_("A draft poll cannot go on screen: open it first."), "bad_state")
    _show(store, code, screen)
    return screen


def _show(store: Store, code: str, screen: Screen) -> None:
    """Put a screen other than a question on screen (the question on air leaves it)."""
    store.change_webinar(code, {"screen": screen.stored(), "on_air": None})


def _replace_screen(store: Store, code: str, shown: Screen, by: Screen) -> None:
    """Put ``by`` on the screen if it still shows ``shown`` (compare-and-set: a moderator who
    chose another screen meanwhile keeps it)."""
    store.change_webinar(
        code, {"screen": by.stored()}, {"screen": {shown.stored()}, "on_air": {None}}
    )


def _choose_answer(store: Store, code: str, poll_id: object, show: bool, answer: object) -> Poll:
    poll = get_poll(store, code, poll_id)
    if poll.kind != "text":
        raise InvalidInput(N_("Only the answers of an open text poll are chosen one by one."))
    given = {a[0] for a in store.answers(code, poll.id)}
    if not isinstance(answer, str) or (show and answer not in given):
        raise NotFound(N_("There is no such answer in this poll."))
    shown = tuple(a for a in poll.shown if a != answer) + ((answer,) if show else ())
    # compare-and-set: two moderators choosing at once do not undo each other's choice
    changed = store.change_poll(code, poll.id, {"shown": shown}, {"shown": {poll.shown}})
    if changed is None:
        raise Conflict(N_("The poll changed meanwhile; try again."), "bad_state")
    return changed


def close_due_polls(store: Store, code: str, now: datetime | None = None) -> list[Poll]:
    """Close the webinar's timed polls whose time is up; return those this call closed (when
    several processes try, the store lets one of them do it)."""
    now = now or datetime.now(UTC)
    closed = []
    for poll in store.polls(code):
        if poll.state == "open" and poll.closes_at is not None and poll.closes_at <= now:
            done = store.set_poll_state(code, poll.id, "closed", {"open"})
            if done is not None:
                _replace_screen(store, code, Screen("poll", poll.id), Screen())
                closed.append(done)
    return closed


def create_poll(store: Store, code: str, prompt: object, kind: object, options: object) -> Poll:
    """Add a draft poll that the moderator can open later."""
    poll = store.add_poll(domain.new_poll(code, prompt, kind, options))
    if poll is None:
        raise NotFound(N_("There is no webinar with that code."), "unknown_webinar")
    return poll


def change_settings(store: Store, webinar: Webinar, changes: dict[str, Any]) -> Webinar:
    """Change some of a webinar's settings; return the webinar with its new settings."""
    if not changes:
        raise InvalidInput(N_("Name at least one setting to change."))
    settings = domain.with_settings(webinar.settings, changes)
    # the values as checked (a list of languages becomes a tuple)
    store.update_settings(webinar.code, {name: getattr(settings, name) for name in changes})
    return replace(webinar, settings=settings)


def _check_id(value: object, what: str) -> int:
    """Return an id as given by a client, or raise if it cannot be one."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput(
            N_("'question' is the id of a question (a positive whole number).")
            if what == "question"
            else N_("'poll' is the id of a poll (a positive whole number).")
        )
    if value > domain.MAX_ID:
        # no store gives such ids (SQLite could not even look one up)
        raise NotFound(
            N_("There is no such question in this webinar.")
            if what == "question"
            else N_("There is no such poll in this webinar.")
        )
    return value


def rotate_moderator_key(store: Store, code: str) -> str:
    """Give a webinar a new moderator key and return it; the old one stops working at once."""
    key = new_moderator_key()
    store.set_moderator_key(code, key)
    return key


def leave_interest(
    store: Store,
    webinar: Webinar,
    participant: str,
    poll_id: object,
    email: object,
    consent: object,
) -> str | None:
    """Keep the email address a voter leaves on a poll that collects them, to receive
    information about the options they chose; ``email`` None withdraws it. Returns the address
    kept (None after a withdrawal)."""
    poll = get_poll(store, webinar.code, poll_id)
    if poll.state == "draft" or not poll.collects_emails:
        raise InvalidInput(N_("This poll does not collect email addresses."), "not_collecting")
    if email is None:
        store.set_interest(webinar.code, poll.id, participant, None, datetime.now(UTC))
        return None
    if consent is not True:
        raise InvalidInput(
            N_("Tick the box to agree to how the address is used before sending it."), "no_consent"
        )
    address = domain.clean_email(email)
    if poll.id not in store.ballots(webinar.code, participant):
        raise Conflict(N_("Vote first: the address is for the programmes you choose."), "no_ballot")
    store.set_interest(webinar.code, poll.id, participant, address, datetime.now(UTC))
    return address


def duplicate_webinar(
    store: Store, code: str, new_code: str, title: str | None = None
) -> tuple[Webinar, str, int]:
    """Start a new webinar from an earlier one: its details, settings and topics, and its polls
    as drafts; no questions, votes or addresses, a new moderator key, the follow-up page not
    published. Returns (the new webinar, its moderator key, how many polls it got)."""
    source = get_webinar(store, code)
    copy = replace(
        source,
        code=new_code.strip().lower(),
        title=title or source.title,
        settings=replace(source.settings, follow_up=False),
    )
    polls = [
        Poll(0, copy.code, p.prompt, p.kind, p.options, collects_emails=p.collects_emails)
        for p in store.polls(source.code)
    ]
    key = new_moderator_key()
    if not store.create_webinar(copy, key, polls):
        raise Conflict(N_("The code %(webinar)s is taken."), "code_taken", webinar=copy.code)
    return copy, key, len(polls)
