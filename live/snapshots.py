"""The part of a snapshot every attendee shares, read and encoded once per change.

Thousands of attendees who join late in a webinar all see the same questions and polls. That
shared part is read from the store and encoded once, then reused for every connection until a
change mark (broadcast.py hears every change: this process's, and the other processes' marks)
says what to read again: a changed question costs reading and encoding that one question, not
the whole history. Each connection adds only its own small part: ``me``, and its own questions
that others do not see.

A phone shows one screen of questions first, so a snapshot carries the ``FIRST_POPULAR`` most
upvoted and the ``FIRST_NEWEST`` newest of the questions everyone sees, the one on air, and the
attendee's own (with those their merged questions went into); ``more_questions`` says how many
it left out, which a page fetches with the ``questions`` event when its reader wants them
(docs/protocol.md). The moderators' snapshot is not this one: they get everything.
"""

from __future__ import annotations

import json
import threading
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from .domain import Question, Screen, Webinar, dismissed_counts
from .frames import RawJSON
from .payloads import (
    Payload,
    me_payload,
    poll_payload_in,
    public_poll,
    question_payload,
    screen_payload,
    webinar_in,
    webinar_payload,
)
from .store import Store

FIRST_POPULAR = 50
FIRST_NEWEST = 50
# the questions one answer to the ``questions`` event carries
PAGE = 100


def dumps(value: Any) -> str:
    """Encode JSON as python-socketio does (compact)."""
    return json.dumps(value, separators=(",", ":"))


@dataclass(frozen=True)
class SharedPart:
    """What every attendee of one webinar sees, as values and as encoded JSON."""

    webinar: Webinar
    webinar_json: str
    # what the screen shows (the question on air among them) and its JSON
    screen: Screen
    screen_json: str
    # every question of the webinar: the personal parts are taken from here, never sent whole
    questions: Mapping[int, Question]
    # the JSON of each question everyone sees (live or answered)
    encoded: Mapping[int, str]
    # the public polls' payloads by id
    polls: Mapping[int, Payload]
    polls_json: str
    dismissed_json: str
    # the ids of the questions everyone sees, oldest first
    public: tuple[int, ...]
    # those of them a snapshot carries, and their JSON (oldest first)
    first: frozenset[int]
    first_json: str
    # each participant's questions (any status), oldest first
    by_participant: Mapping[str, tuple[int, ...]]
    # the webinar's JSON with one language's translation, made on first use (so once per change
    # per language that connections use); webinar_json carries none
    by_language: dict[str, str] = field(default_factory=dict, compare=False)

    def webinar_json_in(self, language: str) -> str:
        """The webinar's JSON for a page in ``language``: with ``translations`` holding that
        language's content only, where the webinar file translates it."""
        found = self.by_language.get(language)
        if found is None:
            translated = any(t.language == language for t in self.webinar.translations)
            if not translated or language == self.webinar.language:
                return self.webinar_json
            found = dumps(webinar_payload(self.webinar, only=language))
            self.by_language[language] = found
        return found

    @property
    def on_air(self) -> int | None:
        """The question on air (and on screen), if any."""
        return self.screen.id if self.screen.kind == "question" else None

    @cached_property
    def all_json(self) -> str:
        """The JSON of every question everyone sees, oldest first (the public JSON's)."""
        return ",".join(self.encoded[i] for i in self.public)

    def page(self, before: int | None) -> tuple[list[int], bool]:
        """Return the ids of up to ``PAGE`` public questions older than ``before`` (all: the
        newest), newest first, and whether there are older ones still."""
        end = len(self.public) if before is None else bisect_left(self.public, before)
        start = max(0, end - PAGE)
        return list(reversed(self.public[start:end])), start > 0


def build(store: Store, webinar: Webinar) -> SharedPart:
    """Read a webinar's shared part from the store."""
    code = webinar.code
    screen = store.screen(code)
    questions = {q.id: q for q in store.questions(code)}
    polls = {p.id: public_poll(store, p, screen) for p in store.polls(code)}
    return _assemble(
        webinar,
        dumps(webinar_payload(webinar, only="")),
        screen,
        questions,
        {},
        {i: p for i, p in polls.items() if p is not None},
        None,
    )


def refresh(
    store: Store, part: SharedPart, webinar: Webinar, questions: set[int], polls: set[int]
) -> SharedPart:
    """Read again what changed since ``part`` was read: the marked questions and polls, the
    question on air (and the two whose flag that changes), the screen (and the polls whose
    results it shows or showed), the webinar's details."""
    code = webinar.code
    screen = store.screen(code)
    on_air = screen.id if screen.kind == "question" else None
    if on_air != part.on_air:
        questions = questions | {i for i in (part.on_air, on_air) if i is not None}
    if screen != part.screen:
        polls = polls | {s.id for s in (part.screen, screen) if s.kind == "results" and s.id}
    by_id = dict(part.questions)
    by_id.update((q.id, q) for q in (store.questions(code, questions) if questions else ()))
    encoded = {i: text for i, text in part.encoded.items() if i not in questions}
    poll_payloads = dict(part.polls)
    for poll in store.polls(code, polls) if polls else ():
        payload = public_poll(store, poll, screen)
        if payload is None:
            poll_payloads.pop(poll.id, None)
        else:
            poll_payloads[poll.id] = payload
    same_webinar = webinar == part.webinar
    webinar_json = part.webinar_json if same_webinar else dumps(webinar_payload(webinar, only=""))
    polls_json = part.polls_json if not polls else None
    return _assemble(webinar, webinar_json, screen, by_id, encoded, poll_payloads, polls_json)


def _assemble(
    webinar: Webinar,
    webinar_json: str,
    screen: Screen,
    questions: dict[int, Question],
    encoded: dict[int, str],
    polls: dict[int, Payload],
    polls_json: str | None,
) -> SharedPart:
    """Encode what is not encoded yet and choose the questions a snapshot carries."""
    on_air = screen.id if screen.kind == "question" else None
    public = tuple(sorted(i for i, q in questions.items() if q.is_public))
    for i in public:
        if i not in encoded:
            encoded[i] = dumps(question_payload(questions[i], on_air))
    popular = sorted(public, key=lambda i: (-questions[i].upvotes, i))[:FIRST_POPULAR]
    first = {*popular, *public[-FIRST_NEWEST:]}
    if on_air in encoded:
        first.add(on_air)
    by_participant: dict[str, list[int]] = {}
    for i in sorted(questions):
        by_participant.setdefault(questions[i].participant, []).append(i)
    return SharedPart(
        webinar=webinar,
        webinar_json=webinar_json,
        screen=screen,
        screen_json=dumps(screen_payload(screen)),
        questions=questions,
        encoded=encoded,
        polls=polls,
        polls_json=polls_json or dumps([polls[i] for i in sorted(polls)]),
        dismissed_json=dumps(dismissed_counts(questions.values())),
        public=public,
        first=frozenset(first),
        first_json=",".join(encoded[i] for i in sorted(first)),
        by_participant={p: tuple(ids) for p, ids in by_participant.items()},
    )


@dataclass
class _Marks:
    """What changed in a webinar since its shared part was read."""

    questions: set[int] = field(default_factory=set)
    polls: set[int] = field(default_factory=set)
    everything: bool = False


class SharedParts:
    """Every webinar's shared part in this process, read again as change marks say."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # how many times a part was read from the store, whole or in part (tests, measurements)
        self.reads = 0
        self._parts: dict[str, SharedPart] = {}
        self._marks: dict[str, _Marks] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def mark(
        self,
        code: str,
        questions: Iterable[int] = (),
        polls: Iterable[int] = (),
        everything: bool = False,
    ) -> None:
        """Say what changed in a webinar: it is read again before its part is used next."""
        with self._guard:
            marks = self._marks.setdefault(code, _Marks())
            marks.questions.update(questions)
            marks.polls.update(polls)
            marks.everything |= everything

    def get(self, webinar: Webinar) -> SharedPart:
        """Return the webinar's shared part as it is now, reading only what changed."""
        code = webinar.code
        with self._guard:
            lock = self._locks.setdefault(code, threading.Lock())
        # one connection reads, those arriving meanwhile wait for its result (a join storm
        # after a change reads once)
        with lock:
            with self._guard:
                marks = self._marks.pop(code, None)
                part = self._parts.get(code)
            # a webinar deleted and created again is another one: nothing of it is reused
            if part is not None and part.webinar.generation != webinar.generation:
                part = None
            if part is not None and marks is None and part.webinar == webinar:
                return part
            try:
                if part is None or (marks is not None and marks.everything):
                    part = build(self.store, webinar)
                else:
                    marks = marks or _Marks()
                    part = refresh(self.store, part, webinar, marks.questions, marks.polls)
            except BaseException:
                # what was marked is not lost: read everything next time
                self.mark(code, everything=True)
                raise
            self.reads += 1
            self._parts[code] = part
            return part


def attendee_snapshot(
    store: Store,
    part: SharedPart,
    role: str,
    participant: str | None,
    online: int,
    language: str = "",
) -> RawJSON:
    """Return the snapshot of an attendee (with ``participant``) or a viewer: the shared part
    as encoded already, and the personal part encoded for this connection."""
    code = part.webinar.code
    own = part.by_participant.get(participant, ()) if participant is not None else ()
    extra = [i for i in own if i not in part.first]
    for i in own:
        into = part.questions[i].merged_into
        # where one's merged question went: the page names it
        if into is not None and into in part.encoded and into not in part.first:
            extra.append(into)
    extra = sorted(set(extra))
    texts = [part.first_json] if part.first_json else []
    texts += [
        part.encoded.get(i) or dumps(question_payload(part.questions[i], part.on_air))
        for i in extra
    ]
    public_sent = len(part.first) + sum(1 for i in extra if i in part.encoded)
    me = None if participant is None else me_payload(store, code, participant, list(own))
    more = len(part.public) - public_sent
    webinar = part.webinar_json_in(language) if language else None
    return RawJSON(_state_json(part, role, ",".join(texts), more, online, me, webinar_json=webinar))


def public_json(part: SharedPart, online: int, join_url: str, language: str = "") -> str:
    """Return the public JSON of a webinar: what an attendee without identity sees, with every
    question everyone sees (it is not paged); with ``language`` (``?lang=``), the webinar's
    content and its polls' prompts and options in that language where translated."""
    join = ',"join_url":' + dumps(join_url)
    if not language or language == part.webinar.language:
        return _state_json(part, "attendee", part.all_json, 0, online, None, join)
    # made for this request only: the shared part stays one per change, in every language
    webinar = dumps(webinar_in(webinar_payload(part.webinar, only=language), language))
    polls = dumps([poll_payload_in(part.polls[i], language) for i in sorted(part.polls)])
    return _state_json(
        part,
        "attendee",
        part.all_json,
        0,
        online,
        None,
        join,
        webinar_json=webinar,
        polls_json=polls,
    )


def _state_json(
    part: SharedPart,
    role: str,
    questions: str,
    more: int,
    online: int,
    me: Payload | None,
    extra: str = "",
    webinar_json: str | None = None,
    polls_json: str | None = None,
) -> str:
    """Splice a state's JSON (the snapshot's fields, in order) from the shared part's encoded
    pieces, the ``questions`` already encoded, and what is this connection's own."""
    return "".join(
        (
            '{"role":',
            dumps(role),
            ',"webinar":',
            webinar_json or part.webinar_json,
            ',"questions":[',
            questions,
            '],"more_questions":',
            str(more),
            ',"polls":',
            polls_json or part.polls_json,
            ',"on_air":',
            dumps(part.on_air),
            ',"screen":',
            part.screen_json,
            ',"online":',
            dumps(online),
            ',"dismissed":',
            part.dismissed_json,
            ',"me":',
            dumps(me),
            ',"now":',
            dumps(datetime.now(UTC).isoformat()),
            extra,
            "}",
        )
    )


def questions_page(part: SharedPart, before: int | None) -> dict[str, Any]:
    """Return the answer to a ``questions`` event: a page of public questions, newest first."""
    ids, more = part.page(before)
    return {"questions": RawJSON("[" + ",".join(part.encoded[i] for i in ids) + "]"), "more": more}
