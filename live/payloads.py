"""The JSON shapes sent to clients: webinars, questions, polls and whole snapshots per role.

One place decides what each role may see: attendees never get another participant's pending or
dismissed questions, draft polls or hidden results, nor any participant id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .domain import (
    QUESTION_STATUSES,
    ContentTranslation,
    LogEntry,
    Poll,
    Question,
    Screen,
    Webinar,
    allowed_actions,
    average_ranks,
    content_in,
    dismissed_counts,
    poll_in,
    word_counts,
)
from .store import Store

Payload = dict[str, Any]


def webinar_payload(webinar: Webinar, only: str | None = None) -> Payload:
    """Describe a webinar for every role (times are ISO 8601 with their offset); with ``only``,
    its ``translations`` hold that language's alone (none for ""): an attendee's snapshot carries
    the content of its page's language, not all ten."""
    return {
        "code": webinar.code,
        "title": webinar.title,
        "description": webinar.description,
        "organiser": webinar.organiser,
        "starts_at": webinar.starts_at.isoformat(),
        "ends_at": webinar.ends_at.isoformat(),
        "timezone": str(webinar.starts_at.tzinfo),
        "programmes": [
            {"title": p.title, "when": p.when, "description": p.description}
            for p in webinar.programmes
        ],
        "settings": settings_payload(webinar),
        "topics": list(webinar.topics),
        # the content's own language, and the same content in every language the webinar's
        # file translates it to, complete (what a translation leaves out is the webinar's):
        # a page shows ``translations[its language]`` where there is one (docs/protocol.md)
        "language": webinar.language,
        "translations": {
            t.language: _content(content_in(webinar, t.language))
            for t in webinar.translations
            if t.language != webinar.language and (only is None or t.language == only)
        },
    }


def _content(content: ContentTranslation) -> Payload:
    return {
        "title": content.title,
        "description": content.description,
        "programmes": [
            {"title": p.title, "when": p.when, "description": p.description}
            for p in content.programmes
        ],
        "topics": list(content.topics),
    }


def webinar_in(payload: Payload, language: str) -> Payload:
    """A webinar's payload with its content in ``language`` where translated (the public JSON's
    ``?lang=``); topics a question carries stay the webinar's own names."""
    given = payload.get("translations", {}).get(language)
    return {**payload, **given} if given else payload


def poll_payload_in(payload: Payload, language: str) -> Payload:
    """A poll's payload with its prompt and options in ``language`` where translated (the
    options keep their order, so the results are the same ballots)."""
    given = payload.get("translations", {}).get(language)
    return {**payload, **given} if given else payload


def settings_payload(webinar: Webinar) -> Payload:
    settings = webinar.settings
    return {
        "premoderation": settings.premoderation,
        "max_question_length": settings.max_question_length,
        "ask_names": settings.ask_names,
        "follow_up": settings.follow_up,
        "show_passcode": settings.show_passcode,
        "passcode_in_qr": settings.passcode_in_qr,
        "word_filter": list(settings.word_filter),
    }


def question_payload(question: Question, on_air: int | None) -> Payload:
    """Describe a question without the participant who asked it."""
    return {
        "id": question.id,
        "text": question.text,
        "name": question.name,
        "created_at": question.created_at.isoformat(),
        "status": question.status,
        "upvotes": question.upvotes,
        "on_air": question.id == on_air,
        # only moderators and the author ever receive a dismissed question
        "reason": question.reason,
        "merged_into": question.merged_into,
        "asked_by": question.asked_by,
        "reply": question.reply,
        "topic": question.topic,
        # held by the word filter (moderators show it while it waits for review)
        "held": question.held,
    }


def log_payload(entry: LogEntry) -> Payload:
    """Describe one moderation log entry (moderators only)."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "moderator": entry.moderator,
        "action": entry.action,
        "target": entry.target,
        "detail": entry.detail,
    }


def poll_results(store: Store, poll: Poll, moderator: bool = True) -> Payload:
    """A poll's results: counts and shares per option (a rating's average too), for a word
    cloud the most frequent words with their counts, for an open text poll its answers (all of
    them for ``moderator``, else only those a moderator chose to show)."""
    if poll.kind == "text":
        answers = store.answers(poll.webinar, poll.id)
        counts = word_counts(answers, limit=None)
        return {
            "voters": len(answers),
            "answers": [
                {"text": text, "count": count, "shown": text in poll.shown}
                for text, count in counts
                if moderator or text in poll.shown
            ],
        }
    if poll.kind == "ranking":
        rankings = store.answers(poll.webinar, poll.id)
        return {"voters": len(rankings), "ranks": average_ranks(poll, rankings)}
    if poll.kind == "words":
        answers = store.answers(poll.webinar, poll.id)
        return {"voters": len(answers), "words": [list(w) for w in word_counts(answers)]}
    results = store.results(poll.webinar, poll.id)
    payload: Payload = {
        "counts": list(results.counts),
        "percentages": list(results.percentages),
        "voters": results.voters,
    }
    if poll.kind == "rating":
        payload["average"] = results.average
    return payload


def poll_payload(poll: Poll, results: Payload | None) -> Payload:
    """Describe a poll; ``results`` is None where the receiver may not see them."""
    payload: Payload = {
        "id": poll.id,
        "prompt": poll.prompt,
        "kind": poll.kind,
        "options": list(poll.options),
        "state": poll.state,
        "results_visible": poll.results_visible,
        "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
        "collects_emails": poll.collects_emails,
        "results": results,
        # the prompt and options in the languages they are translated to (complete, in the
        # options' order: an index is the same option in every language)
        "translations": {
            t.language: {
                "prompt": translated.prompt,
                "options": list(translated.options),
            }
            for t in poll.translations
            for translated in (poll_in(poll, t.language),)
        },
    }
    return payload


def screen_payload(screen: Screen) -> Payload:
    """Describe what the screen shows: ``{kind, id}`` (id null but for a question or poll)."""
    return {"kind": screen.kind, "id": screen.id}


def results_public(poll: Poll, screen: Screen | None) -> bool:
    """Say whether a poll's results are public: shown to attendees, or on the screen (which the
    room sees anyway, and the projector page gets as attendees do)."""
    return poll.results_visible or screen == Screen("results", poll.id)


def public_poll(store: Store, poll: Poll, screen: Screen | None = None) -> Payload | None:
    """Return what attendees see of a poll: nothing of a draft, results only when shown to them
    or on ``screen`` (None: results shown to attendees only, as the follow-up page has them)."""
    if not poll.is_public:
        return None
    if poll.kind == "text":
        # the answers a moderator chose are for everyone, whether or not results are shown
        return poll_payload(poll, poll_results(store, poll, moderator=False))
    shown = results_public(poll, screen)
    return poll_payload(poll, poll_results(store, poll) if shown else None)


def moderator_poll(store: Store, poll: Poll) -> Payload:
    payload = poll_payload(poll, poll_results(store, poll))
    if poll.collects_emails:
        # how many voters left an address (the addresses are in the moderators' export only)
        payload["interested"] = len(store.interests(poll.webinar, poll.id))
    return payload


def me_payload(store: Store, code: str, participant: str, questions: list[int]) -> Payload:
    """Describe what is one participant's own: their questions' ids, upvotes, ballots (and typed
    answers) and the addresses they left."""
    ballots: dict[str, list[Any]] = {
        str(poll): list(options) for poll, options in store.ballots(code, participant).items()
    }
    typed = store.answers_of(code, participant)
    if typed:
        # a ranking is kept as texts: its ballot, like any other, lists option indexes
        rankings = {p.id for p in store.polls(code, list(typed)) if p.kind == "ranking"}
        for poll, answer in typed.items():
            ballots[str(poll)] = [int(a) for a in answer] if poll in rankings else list(answer)
    return {
        "questions": questions,
        "upvoted": sorted(store.upvoted(code, participant)),
        # every poll this participant answered: option indexes (a ranking's in their order),
        # the words given in a word cloud, the one answer of an open text poll
        "ballots": dict(sorted(ballots.items(), key=lambda item: int(item[0]))),
        # the addresses this participant left, per poll: theirs to see and withdraw
        "interests": {
            str(poll): email for poll, email in store.interest_of(code, participant).items()
        },
    }


# the moderation log entries a moderator's snapshot carries (the export has them all)
LOG_IN_SNAPSHOT = 500


def snapshot(
    store: Store,
    webinar: Webinar,
    moderator: bool,
    participant: str | None,
    online: int | None = None,
) -> Payload:
    """Build the whole state one client may see: the moderators' snapshot (attendees and viewers
    get theirs from snapshots.py, which leaves out what a phone does not show first).

    ``online`` may be given when a recent count will do: counting is the one read that grows
    with the size of the room.
    """
    code = webinar.code
    screen = store.screen(code)
    on_air = screen.id if screen.kind == "question" else None
    questions = store.questions(code)
    polls = store.polls(code)
    if moderator:
        question_list = [question_payload(q, on_air) for q in questions]
        poll_list = [moderator_poll(store, p) for p in polls]
    else:
        visible = (q for q in questions if q.is_public or q.participant == participant)
        question_list = [question_payload(q, on_air) for q in visible]
        poll_list = [p for p in (public_poll(store, p, screen) for p in polls) if p is not None]
    me = None
    if participant is not None:
        own = [q.id for q in questions if q.participant == participant]
        me = me_payload(store, code, participant, own)
    state: Payload = {
        "role": "moderator" if moderator else "attendee",
        # moderators see every translation (the console edits them); attendees get their
        # page's language only, added where the snapshot is made (live/snapshots.py)
        "webinar": webinar_payload(webinar, only=None if moderator else ""),
        "questions": question_list,
        "more_questions": 0,
        "polls": poll_list,
        "on_air": on_air,
        "screen": screen_payload(screen),
        "online": store.online(code) if online is None else online,
        "dismissed": dismissed_counts(questions),
        "me": me,
        # lets a page count a timed poll down with the server's clock, not the device's
        "now": datetime.now(UTC).isoformat(),
    }
    if moderator:
        state["log"] = [log_payload(e) for e in store.moderation_log(code, last=LOG_IN_SNAPSHOT)]
        # what a console may offer per status: the rules stay the server's, the page asks them
        state["allowed"] = {status: list(allowed_actions(status)) for status in QUESTION_STATUSES}
    return state
