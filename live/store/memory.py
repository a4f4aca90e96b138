"""An in-memory store for fast tests and throw-away rooms; it is gone when the process ends."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..domain import (
    MERGE_FROM,
    MERGE_INTO,
    ON_AIR_STATUSES,
    LogEntry,
    Poll,
    PollResults,
    Question,
    Webinar,
)
from . import LocalPresence, Store


class MemoryStore(LocalPresence, Store):
    """Keep every webinar in dictionaries; one lock makes each verb atomic."""

    kind = "memory"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._webinars: dict[str, Webinar] = {}
        self._keys: dict[str, str] = {}
        self._questions: dict[str, dict[int, Question]] = {}
        self._upvoters: dict[tuple[str, int], set[str]] = {}
        # who asked a question that others were merged into
        self._askers: dict[tuple[str, int], set[str]] = {}
        self._moderators: dict[str, int] = {}
        self._interests: dict[tuple[str, int], dict[str, tuple[str, datetime]]] = {}
        self._log: dict[str, list[LogEntry]] = {}
        self._log_ids = 0
        self._on_air: dict[str, int | None] = {}
        self._polls: dict[str, dict[int, Poll]] = {}
        self._ballots: dict[tuple[str, int], dict[str, tuple[int, ...]]] = {}
        self._answers: dict[tuple[str, int], dict[str, tuple[str, ...]]] = {}
        self._asked: dict[tuple[str, str, str | None], int] = {}
        self._next_id = 0

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def create_webinar(self, webinar: Webinar, moderator_key: str, polls: Sequence[Poll]) -> bool:
        with self._lock:
            if webinar.code in self._webinars:
                return False
            self._webinars[webinar.code] = webinar
            self._keys[webinar.code] = moderator_key
            self._questions[webinar.code] = {}
            self._on_air[webinar.code] = None
            self._polls[webinar.code] = {}
            for poll in polls:
                self._insert_poll(poll)
            return True

    def get_webinar(self, code: str) -> Webinar | None:
        return self._webinars.get(code)

    def webinar_codes(self) -> list[str]:
        return sorted(self._webinars)

    def moderator_key(self, code: str) -> str | None:
        return self._keys.get(code)

    def set_moderator_key(self, code: str, key: str) -> None:
        with self._lock:
            if code in self._webinars:
                self._keys[code] = key

    def update_settings(self, code: str, changes: dict[str, Any]) -> None:
        with self._lock:
            webinar = self._webinars[code]
            settings = replace(webinar.settings, **changes)
            self._webinars[code] = replace(webinar, settings=settings)

    def add_question(self, question: Question, idempotency_key: str | None = None) -> Question:
        with self._lock:
            key = (question.webinar, question.participant, idempotency_key)
            if idempotency_key is not None and key in self._asked:
                return self._questions[question.webinar][self._asked[key]]
            question = replace(question, id=self._new_id(), upvotes=0)
            self._questions[question.webinar][question.id] = question
            if idempotency_key is not None:
                self._asked[key] = question.id
            return question

    def questions(self, code: str, ids: Iterable[int] | None = None) -> list[Question]:
        stored = self._questions.get(code, {})
        if ids is None:
            return list(stored.values())
        return [stored[i] for i in sorted(set(ids)) if i in stored]

    def set_status(
        self,
        code: str,
        question_id: int,
        status: str,
        only_from: Iterable[str],
        reason: str | None = None,
    ) -> Question | None:
        with self._lock:
            question = self._questions.get(code, {}).get(question_id)
            if question is None or question.status not in set(only_from):
                return None
            question = replace(question, status=status, reason=reason)
            self._questions[code][question_id] = question
            if status not in ON_AIR_STATUSES and self._on_air.get(code) == question_id:
                self._on_air[code] = None
            return question

    def merge_question(
        self, code: str, source_id: int, target_id: int
    ) -> tuple[Question, Question] | None:
        with self._lock:
            questions = self._questions.get(code, {})
            source, target = questions.get(source_id), questions.get(target_id)
            if (
                source is None
                or target is None
                or source_id == target_id
                or source.status not in MERGE_FROM
                or target.status not in MERGE_INTO
            ):
                return None
            voters = self._upvoters.setdefault((code, target_id), set())
            voters |= self._upvoters.get((code, source_id), set())
            askers = self._askers.setdefault((code, target_id), {target.participant})
            askers |= self._askers.get((code, source_id), {source.participant})
            target = replace(target, upvotes=len(voters), asked_by=len(askers))
            source = replace(source, status="merged", merged_into=target_id, reason=None)
            questions[target_id], questions[source_id] = target, source
            if self._on_air.get(code) == source_id:
                self._on_air[code] = None
            return source, target

    def update_webinar(self, webinar: Webinar) -> bool:
        with self._lock:
            stored = self._webinars.get(webinar.code)
            if stored is None:
                return False
            self._webinars[webinar.code] = replace(
                webinar, settings=stored.settings, programmes=stored.programmes
            )
            return True

    def delete_webinar(self, code: str) -> bool:
        with self._lock:
            if self._webinars.pop(code, None) is None:
                return False
            for per_code in (self._keys, self._questions, self._moderators, self._log):
                per_code.pop(code, None)  # type: ignore[attr-defined]
            self._on_air.pop(code, None)
            self._polls.pop(code, None)
            self._connections.pop(code, None)
            for keyed in (
                self._upvoters,
                self._askers,
                self._interests,
                self._ballots,
                self._answers,
            ):
                for key in [k for k in keyed if k[0] == code]:
                    del keyed[key]  # type: ignore[attr-defined]
            for asked in [k for k in self._asked if k[0] == code]:
                del self._asked[asked]
            return True

    def set_interest(
        self, code: str, poll_id: int, participant: str, email: str | None, at: datetime
    ) -> bool:
        with self._lock:
            if poll_id not in self._polls.get(code, {}):
                return False
            kept = self._interests.setdefault((code, poll_id), {})
            if email is None:
                kept.pop(participant, None)
            else:
                kept[participant] = (email, at)
            return True

    def interests(self, code: str, poll_id: int) -> dict[str, tuple[str, datetime]]:
        with self._lock:
            return dict(self._interests.get((code, poll_id), {}))

    def interest_of(self, code: str, participant: str) -> dict[int, str]:
        with self._lock:
            return {
                poll_id: kept[participant][0]
                for (c, poll_id), kept in self._interests.items()
                if c == code and participant in kept
            }

    def next_moderator_number(self, code: str) -> int:
        with self._lock:
            self._moderators[code] = self._moderators.get(code, 0) + 1
            return self._moderators[code]

    def log_action(self, entry: LogEntry) -> LogEntry:
        with self._lock:
            self._log_ids += 1
            entry = replace(entry, id=self._log_ids)
            self._log.setdefault(entry.webinar, []).append(entry)
            return entry

    def moderation_log(self, code: str, last: int | None = None) -> list[LogEntry]:
        with self._lock:
            entries = self._log.get(code, [])
            return list(entries if last is None else entries[-last:])

    def set_topics(self, code: str, topics: Sequence[str]) -> None:
        with self._lock:
            self._webinars[code] = replace(self._webinars[code], topics=tuple(topics))

    def set_topic(self, code: str, question_id: int, topic: str | None) -> Question | None:
        with self._lock:
            question = self._questions.get(code, {}).get(question_id)
            if question is None:
                return None
            question = self._questions[code][question_id] = replace(question, topic=topic)
            return question

    def set_reply(self, code: str, question_id: int, reply: str | None) -> Question | None:
        with self._lock:
            question = self._questions.get(code, {}).get(question_id)
            if question is None:
                return None
            question = self._questions[code][question_id] = replace(question, reply=reply)
            return question

    def edit_question(self, code: str, question_id: int, text: str) -> Question | None:
        with self._lock:
            question = self._questions.get(code, {}).get(question_id)
            if question is None:
                return None
            question = self._questions[code][question_id] = replace(question, text=text)
            return question

    def upvote(self, code: str, question_id: int, participant: str, up: bool) -> bool:
        with self._lock:
            question = self._questions.get(code, {}).get(question_id)
            if question is None:
                return False
            voters = self._upvoters.setdefault((code, question_id), set())
            if up == (participant in voters):
                return False
            (voters.add if up else voters.discard)(participant)
            self._questions[code][question_id] = replace(question, upvotes=len(voters))
            return True

    def upvoted(self, code: str, participant: str) -> set[int]:
        with self._lock:
            return {
                qid
                for (c, qid), voters in self._upvoters.items()
                if c == code and participant in voters
            }

    def on_air(self, code: str) -> int | None:
        return self._on_air.get(code)

    def set_on_air(self, code: str, question_id: int | None) -> bool:
        with self._lock:
            if question_id is not None:
                question = self._questions.get(code, {}).get(question_id)
                if question is None or question.status not in ON_AIR_STATUSES:
                    return False
            self._on_air[code] = question_id
            return True

    def _insert_poll(self, poll: Poll) -> Poll:
        poll = replace(poll, id=self._new_id())
        self._polls[poll.webinar][poll.id] = poll
        return poll

    def add_poll(self, poll: Poll) -> Poll:
        with self._lock:
            return self._insert_poll(poll)

    def polls(self, code: str, ids: Iterable[int] | None = None) -> list[Poll]:
        stored = self._polls.get(code, {})
        if ids is None:
            return list(stored.values())
        return [stored[i] for i in sorted(set(ids)) if i in stored]

    def _update_poll(self, code: str, poll_id: int, **changes: Any) -> Poll | None:
        poll = self._polls.get(code, {}).get(poll_id)
        if poll is None:
            return None
        poll = self._polls[code][poll_id] = replace(poll, **changes)
        return poll

    def set_poll_state(
        self,
        code: str,
        poll_id: int,
        state: str,
        only_from: Iterable[str],
        closes_at: datetime | None = None,
    ) -> Poll | None:
        with self._lock:
            poll = self._polls.get(code, {}).get(poll_id)
            if poll is None or poll.state not in set(only_from):
                return None
            return self._update_poll(code, poll_id, state=state, closes_at=closes_at)

    def set_results_visible(self, code: str, poll_id: int, visible: bool) -> Poll | None:
        with self._lock:
            return self._update_poll(code, poll_id, results_visible=visible)

    def cast_vote(self, code: str, poll_id: int, participant: str, options: Sequence[int]) -> bool:
        with self._lock:
            poll = self._polls.get(code, {}).get(poll_id)
            if poll is None or poll.state != "open":
                return False
            self._ballots.setdefault((code, poll_id), {})[participant] = tuple(options)
            return True

    def set_shown_answers(self, code: str, poll_id: int, shown: Sequence[str]) -> Poll | None:
        with self._lock:
            return self._update_poll(code, poll_id, shown=tuple(shown))

    def set_answer(self, code: str, poll_id: int, participant: str, answer: Sequence[str]) -> bool:
        with self._lock:
            poll = self._polls.get(code, {}).get(poll_id)
            if poll is None or poll.state != "open":
                return False
            self._answers.setdefault((code, poll_id), {})[participant] = tuple(answer)
            return True

    def answers(self, code: str, poll_id: int) -> list[tuple[str, ...]]:
        with self._lock:
            return list(self._answers.get((code, poll_id), {}).values())

    def results(self, code: str, poll_id: int) -> PollResults:
        with self._lock:
            poll = self._polls[code][poll_id]
            ballots = list(self._ballots.get((code, poll_id), {}).values())
        counts = [0] * len(poll.options)
        for ballot in ballots:
            for option in ballot:
                counts[option] += 1
        return PollResults(counts=tuple(counts), voters=len(ballots))

    def ballots(self, code: str, participant: str) -> dict[int, tuple[int, ...]]:
        with self._lock:
            return {
                pid: ballots[participant]
                for (c, pid), ballots in self._ballots.items()
                if c == code and participant in ballots
            }
