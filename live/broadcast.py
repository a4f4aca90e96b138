"""Coalesced updates: collect what changed and send one ``update`` per room per tick.

Handlers only mark what they changed. Every tick the broadcaster reads the current state of the
marked objects from the store (counts, not deltas) and emits one ``update`` to the moderators' room,
one to the attendees' room and one to each author whose own hidden question changed. A storm of
upvotes on one question therefore costs one message per attendee per tick, and a lost message is
repaired by the next change or the next snapshot.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .domain import Screen, dismissed_counts
from .payloads import (
    Payload,
    log_payload,
    moderator_poll,
    public_poll,
    question_payload,
    screen_payload,
    settings_payload,
)
from .snapshots import SharedParts
from .store import Store, StoreUnavailable

log = logging.getLogger(__name__)

Emit = Callable[[str, Payload, str], None]
# the moderation log entries an update to moderators carries
LOG_TAIL = 20
_UNSENT = object()
# the flags of a change mark, as ``changed`` shares them
MARK_FLAGS = ("on_air", "settings", "presence", "dismissed", "log", "screen")


def public_room(code: str) -> str:
    return f"webinar:{code}"


def moderator_room(code: str) -> str:
    return f"webinar:{code}:mod"


def participant_room(code: str, participant: str) -> str:
    return f"webinar:{code}:p:{participant}"


@dataclass
class _Changes:
    questions: set[int] = field(default_factory=set)
    polls: set[int] = field(default_factory=set)
    on_air: bool = False
    settings: bool = False
    presence: bool = False
    dismissed: bool = False
    log: bool = False
    screen: bool = False

    def merge(self, other: _Changes) -> None:
        self.questions |= other.questions
        self.polls |= other.polls
        self.on_air |= other.on_air
        self.settings |= other.settings
        self.presence |= other.presence
        self.dismissed |= other.dismissed
        self.log |= other.log
        self.screen |= other.screen


class Broadcaster:
    """Send the changes of every webinar of this process, at most once per tick."""

    def __init__(self, store: Store, emit: Emit, tick: float) -> None:
        self.store = store
        self.emit = emit
        self.tick = tick
        # tells the other server processes what changed (set when they share a store)
        self.share: Callable[[dict[str, Any]], None] | None = None
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._pending: dict[str, _Changes] = {}
        # what the attendees' room was last sent, to skip unchanged public payloads
        self._public_sent: dict[tuple[str, str, int], Any] = {}
        self._screen_sent: dict[str, Screen] = {}
        self._online_sent: dict[str, int] = {}
        self._store_failing = False
        # the part of the snapshots every attendee shares, read again as the marks say
        self.snapshots = SharedParts(store)

    def changed(
        self,
        code: str,
        questions: tuple[int, ...] = (),
        polls: tuple[int, ...] = (),
        on_air: bool = False,
        settings: bool = False,
        presence: bool = False,
        dismissed: bool = False,
        log: bool = False,
        screen: bool = False,
        shared: bool = True,
    ) -> None:
        """Mark what a handler changed; it goes out with the next tick.

        With several processes, each sends updates to its own attendees only, reading the state
        from the shared store; the marks travel between processes (``shared``: tell the others),
        which costs one small message per change instead of every process sending every other
        process's updates. The shared part of the snapshots is marked here too, for the same
        reason: every change, whichever process made it, comes through here.
        """
        if questions or polls or on_air or settings or dismissed or screen:
            self.snapshots.mark(code, questions, polls)
        with self._lock:
            self._pending.setdefault(code, _Changes()).merge(
                _Changes(
                    set(questions), set(polls), on_air, settings, presence, dismissed, log, screen
                )
            )
        if shared and self.share is not None:
            self.share(
                {
                    "code": code,
                    "questions": list(questions),
                    "polls": list(polls),
                    "on_air": on_air,
                    "settings": settings,
                    "presence": presence,
                    "dismissed": dismissed,
                    "log": log,
                    "screen": screen,
                }
            )

    def changed_elsewhere(self, marks: dict[str, Any]) -> None:
        """Mark what another process changed (its ``share``), for this process's clients."""
        self.changed(
            str(marks["code"]),
            tuple(int(q) for q in marks.get("questions", ())),
            tuple(int(p) for p in marks.get("polls", ())),
            **{flag: bool(marks.get(flag)) for flag in MARK_FLAGS},
            shared=False,
        )

    def recent_online(self, code: str) -> int | None:
        """Return the online count sent last (at most a tick old), if there is one."""
        return self._online_sent.get(code)

    def resync(self, code: str) -> None:
        """Send the webinar's whole state again with the next tick (after updates may have been
        lost, as when this process lost its message queue for a while)."""
        self.snapshots.mark(code, everything=True)
        questions = tuple(q.id for q in self.store.questions(code))
        polls = tuple(p.id for p in self.store.polls(code))
        with self._flushing:
            for key in [key for key in self._public_sent if key[0] == code]:
                del self._public_sent[key]
            self._online_sent.pop(code, None)
        self.changed(
            code,
            questions,
            polls,
            on_air=True,
            settings=True,
            presence=True,
            dismissed=True,
            screen=True,
            shared=False,
        )

    def flush(self) -> None:
        """Send one update per room for everything marked since the last flush."""
        with self._flushing:
            with self._lock:
                pending, self._pending = self._pending, {}
            for code, changes in pending.items():
                try:
                    self._send(code, changes)
                except StoreUnavailable as error:
                    # the store's outage is logged once; the update waits for its return
                    if not self._store_failing:
                        log.warning("updates wait: the store is unavailable (%s)", error)
                    self._store_failing = True
                    self._retry(code, changes)
                    continue
                except Exception:
                    log.exception("update for webinar %s failed; retrying next tick", code)
                    self._retry(code, changes)
                    continue
                if self._store_failing:
                    log.info("updates flow again")
                    self._store_failing = False

    def _retry(self, code: str, changes: _Changes) -> None:
        with self._lock:
            self._pending.setdefault(code, _Changes()).merge(changes)

    def run(self, sleep: Callable[[float], Any]) -> None:
        """Flush forever, adapting the tick to the cost of the fan-out.

        Sending one update to 5,000 sockets costs a large part of a second of CPU. If the next
        flush came before those sends were done, updates would queue behind each other and
        latency would grow without bound. So each flush waits for its own sends to be done, and
        the pause after it lasts at least a quarter as long, which leaves a fifth of the time at
        least to read and handle what attendees send (bench/: S2 measures the trade-off).
        """
        while True:
            started = time.monotonic()
            self.flush()
            # one yield lets the sends this flush queued run, so that they count in its cost
            sleep(0)
            cost = time.monotonic() - started
            sleep(max(self.tick - cost, cost / 4))

    def _send(self, code: str, changes: _Changes) -> None:
        store = self.store
        screen = store.screen(code)
        question_ids, poll_ids = set(changes.questions), set(changes.polls)
        common: Payload = {}
        previous = self._screen_sent.get(code, screen)
        # the question on air is the question on screen
        on_air = screen.id if screen.kind == "question" else None
        if changes.on_air or changes.screen or previous != screen:
            common["on_air"] = on_air
            common["screen"] = screen_payload(screen)
            # the question leaving the screen and the one entering it both change their flag; a
            # poll's results are public while they are on screen
            for side in (previous, screen):
                if side.kind == "question" and side.id is not None:
                    question_ids.add(side.id)
                elif side.kind == "results" and side.id is not None:
                    poll_ids.add(side.id)
        self._screen_sent[code] = screen
        questions = store.questions(code, question_ids) if question_ids else []
        polls = store.polls(code, poll_ids) if poll_ids else []

        if changes.settings:
            webinar = store.get_webinar(code)
            if webinar is not None:
                common["settings"] = settings_payload(webinar)
        if changes.dismissed:
            # how many were dismissed and why, never which: for everyone
            common["dismissed"] = dismissed_counts(store.questions(code))

        moderators = dict(common)
        if changes.presence:
            # for moderators only: attendees' pages do not show it, and in a join storm it
            # would change every tick for thousands of them
            online = store.online(code)
            if online != self._online_sent.get(code):
                moderators["online"] = self._online_sent[code] = online
        if questions:
            moderators["questions"] = [question_payload(q, on_air) for q in questions]
        if polls:
            moderators["polls"] = [moderator_poll(store, p) for p in polls]
        if changes.log:
            # the latest entries, which pages merge by id: stateless, and a lost one comes back
            moderators["log"] = [log_payload(e) for e in store.moderation_log(code, last=LOG_TAIL)]
        if moderators:
            self.emit("update", moderators, moderator_room(code))

        attendees = dict(common)
        shown, removed = [], []
        for question in questions:
            payload = question_payload(question, on_air) if question.is_public else None
            # a pending question has never been public: nothing to remove
            never_shown = payload is None and question.status == "pending"
            if not never_shown and self._remember(code, "question", question.id, payload):
                (shown.append(payload) if payload else removed.append(question.id))
            if not question.is_public:
                # the author alone follows their hidden question (pending, dismissed, archived)
                own = {"questions": [question_payload(question, on_air)]}
                self.emit("update", own, participant_room(code, question.participant))
        shown_polls = []
        for poll in polls:
            payload = public_poll(store, poll, screen)
            if payload is not None and self._remember(code, "poll", poll.id, payload):
                shown_polls.append(payload)
        if shown:
            attendees["questions"] = shown
        if removed:
            attendees["removed"] = removed
        if shown_polls:
            attendees["polls"] = shown_polls
        if attendees:
            self.emit("update", attendees, public_room(code))

    def _remember(self, code: str, kind: str, object_id: int, payload: Payload | None) -> bool:
        """Record what attendees now see of an object; say whether it differs from what they saw.

        An object never sent by this process counts as different, so that a removal decided here
        reaches attendees to whom another process showed it.
        """
        key = (code, kind, object_id)
        before = self._public_sent.get(key, _UNSENT)
        self._public_sent[key] = payload
        return before is _UNSENT or before != payload
