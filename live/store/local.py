"""What the stores of one process share: every verb is a read-modify-write under one transaction.

A backend that can hold a transaction (a lock in memory, ``BEGIN IMMEDIATE`` in SQLite) writes
only how to load, save and insert records and keep a few sets and per-voter values; the verbs are
written once, here. Who is online is kept in the process.
"""

from __future__ import annotations

import secrets
from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..domain import LogEntry, Personal, Poll, PollResults, Question, Webinar
from . import Changes, Condition, Store, anonymous_id, created_fields, is_person, meets
from .codec import LOG, POLLS, QUESTIONS, WEBINARS, Codec

CODECS: dict[str, Codec[Any]] = {
    "webinars": WEBINARS,
    "questions": QUESTIONS,
    "polls": POLLS,
    "moderation_log": LOG,
}


class LocalStore(Store):
    """The verbs of a store that serves one process, written once over a few primitives."""

    def __init__(self) -> None:
        self._connections: dict[str, dict[str, str]] = {}

    # -- what each backend writes ---------------------------------------------------------------
    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Any]:
        """Hold the backend's write transaction: loads and saves inside it are one atomic step."""

    @abstractmethod
    def _reading(self) -> AbstractContextManager[Any]:
        """Hold the backend for a consistent read."""

    @abstractmethod
    def _load(self, table: str, code: str, key: int | None = None) -> dict[str, Any] | None:
        """Return a record of the webinar (its own with ``key`` None) as Python values."""

    @abstractmethod
    def _load_all(
        self, table: str, code: str, ids: Iterable[int] | None = None, last: int | None = None
    ) -> list[dict[str, Any]]:
        """Return the webinar's records of a table (all, those with ``ids``, or the ``last``),
        by id."""

    @abstractmethod
    def _save(self, table: str, code: str, key: int | None, changes: Changes) -> None:
        """Change fields of a record that exists."""

    @abstractmethod
    def _insert(self, table: str, record: Mapping[str, Any]) -> int:
        """Insert a record; return the id it was given."""

    @abstractmethod
    def _members(self, name: str, question_id: int) -> set[str]:
        """Return a question's ``upvotes`` (who upvoted) or ``askers`` (once others merged in)."""

    @abstractmethod
    def _add_members(self, name: str, question_id: int, who: Iterable[str]) -> int:
        """Add people to a question's set; return how many were not in it."""

    @abstractmethod
    def _remove_member(self, name: str, question_id: int, who: str) -> int:
        """Remove someone from a question's set; return 1 if they were in it."""

    @abstractmethod
    def _keep(self, name: str, poll_id: int, participant: str, value: Any) -> None:
        """Keep a voter's ``ballots``, ``answers`` or ``interests`` entry (None deletes it)."""

    @abstractmethod
    def _kept(self, name: str, poll_id: int) -> dict[str, Any]:
        """Return a poll's ``ballots``, ``answers`` or ``interests`` entries, per voter."""

    @abstractmethod
    def _asked_id(self, code: str, participant: str, idempotency_key: str) -> int | None:
        """Return the id of the question stored with an idempotency key."""

    @abstractmethod
    def _remember(self, code: str, participant: str, idempotency_key: str, question: int) -> None:
        """Keep the question stored with an idempotency key."""

    @abstractmethod
    def _forget_asked(self, code: str, participant: str | None) -> None:
        """Delete the idempotency keys of a participant's questions (None: everyone's)."""

    @abstractmethod
    def _revoke(self, code: str, participant: str | None) -> None:
        """Add a participant to the webinar's forgotten ones (None: empty that list)."""

    @abstractmethod
    def _revoked(self, code: str, participant: str) -> bool:
        """Say whether a participant is one of the webinar's forgotten ones."""

    # -- webinars -------------------------------------------------------------------------------
    def create_webinar(self, webinar: Webinar, moderator_key: str, polls: Sequence[Poll]) -> bool:
        record = {"code": webinar.code, **created_fields(webinar)}
        with self._transaction():
            if self._load("webinars", webinar.code) is not None:
                return False
            self._insert("webinars", {**record, "moderator_key": moderator_key})
            for poll in polls:
                self._insert("polls", {"webinar": poll.webinar, **POLLS.fields_of(poll)})
            return True

    def get_webinar(self, code: str) -> Webinar | None:
        with self._reading():
            record = self._load("webinars", code)
        return None if record is None else WEBINARS.build(record)

    def webinar_field(self, code: str, name: str) -> Any:
        with self._reading():
            record = self._load("webinars", code)
        return None if record is None else record[name]

    def _change(
        self, table: str, code: str, key: int | None, changes: Changes, only_if: Condition = None
    ) -> dict[str, Any] | None:
        """Change a record under the open transaction; return it as it is now, or None."""
        CODECS[table].check(changes)
        record = self._load(table, code, key)
        if record is None or not meets(record, only_if):
            return None
        if changes:
            self._save(table, code, key, changes)
        return {**record, **changes}

    def change_webinar(self, code: str, changes: Changes, only_if: Condition = None) -> bool:
        with self._transaction():
            return self._change("webinars", code, None, changes, only_if) is not None

    # -- questions ------------------------------------------------------------------------------
    def add_question(
        self, question: Question, idempotency_key: str | None = None
    ) -> Question | None:
        record = {"webinar": question.webinar, **QUESTIONS.fields_of(question), "upvotes": 0}
        who = question.participant
        with self._transaction():
            if self._load("webinars", question.webinar) is None:
                return None
            if idempotency_key is not None:
                earlier = self._asked_id(question.webinar, who, idempotency_key)
                if earlier is not None:
                    return QUESTIONS.build(self._load("questions", question.webinar, earlier) or {})
            record["id"] = self._insert("questions", record)
            if idempotency_key is not None:
                self._remember(question.webinar, who, idempotency_key, record["id"])
            return QUESTIONS.build(record)

    def asked(self, code: str, participant: str, idempotency_key: str) -> Question | None:
        with self._reading():
            earlier = self._asked_id(code, participant, idempotency_key)
            record = None if earlier is None else self._load("questions", code, earlier)
        return None if record is None else QUESTIONS.build(record)

    def questions(self, code: str, ids: Iterable[int] | None = None) -> list[Question]:
        with self._reading():
            return [QUESTIONS.build(r) for r in self._load_all("questions", code, ids)]

    def change_question(
        self,
        code: str,
        question_id: int,
        changes: Changes,
        only_if: Condition = None,
        air: bool | None = None,
    ) -> Question | None:
        with self._transaction():
            record = self._change("questions", code, question_id, changes, only_if)
            if record is None:
                return None
            if air:
                # the question replaces what was on screen: taking it off shows the default
                self._save("webinars", code, None, {"on_air": question_id, "screen": None})
            elif air is False:
                self._take_off_air(code, question_id)
            return QUESTIONS.build(record)

    def _take_off_air(self, code: str, question_id: int) -> None:
        if (self._load("webinars", code) or {}).get("on_air") == question_id:
            self._save("webinars", code, None, {"on_air": None})

    def merge_question(
        self,
        code: str,
        source_id: int,
        target_id: int,
        only_if: Condition = None,
        into_if: Condition = None,
    ) -> tuple[Question, Question] | None:
        if source_id == target_id:
            return None
        with self._transaction():
            source = self._load("questions", code, source_id)
            target = self._load("questions", code, target_id)
            if source is None or target is None:
                return None
            if not meets(source, only_if) or not meets(target, into_if):
                return None
            # a question's askers are kept once others were merged into it
            askers = {source["participant"], target["participant"]}
            askers |= self._members("askers", source_id) | self._members("askers", target_id)
            self._add_members("askers", target_id, askers)
            self._add_members("upvotes", target_id, self._members("upvotes", source_id))
            counts = {"upvotes": len(self._members("upvotes", target_id)), "asked_by": len(askers)}
            merged = {"status": "merged", "merged_into": target_id, "reason": None}
            self._save("questions", code, target_id, counts)
            self._save("questions", code, source_id, merged)
            self._take_off_air(code, source_id)
            return QUESTIONS.build({**source, **merged}), QUESTIONS.build({**target, **counts})

    def upvote(
        self, code: str, question_id: int, participant: str, up: bool, only_if: Condition = None
    ) -> bool | None:
        with self._transaction():
            record = self._load("questions", code, question_id)
            if record is None or not meets(record, only_if):
                return None
            if up:
                changed = self._add_members("upvotes", question_id, [participant])
            else:
                changed = self._remove_member("upvotes", question_id, participant)
            if changed:
                count = record["upvotes"] + (1 if up else -1)
                self._save("questions", code, question_id, {"upvotes": count})
            return bool(changed)

    # -- polls ----------------------------------------------------------------------------------
    def add_poll(self, poll: Poll) -> Poll | None:
        record = {"webinar": poll.webinar, **POLLS.fields_of(poll)}
        with self._transaction():
            if self._load("webinars", poll.webinar) is None:
                return None
            record["id"] = self._insert("polls", record)
            return POLLS.build(record)

    def polls(self, code: str, ids: Iterable[int] | None = None) -> list[Poll]:
        with self._reading():
            return [POLLS.build(r) for r in self._load_all("polls", code, ids)]

    def change_poll(
        self, code: str, poll_id: int, changes: Changes, only_if: Condition = None
    ) -> Poll | None:
        with self._transaction():
            record = self._change("polls", code, poll_id, changes, only_if)
            return None if record is None else POLLS.build(record)

    def cast_vote(
        self,
        code: str,
        poll_id: int,
        participant: str,
        choice: Sequence[Any],
        only_if: Condition = None,
        typed: bool = False,
    ) -> bool:
        with self._transaction():
            record = self._load("polls", code, poll_id)
            if record is None or not meets(record, only_if):
                return False
            self._keep("answers" if typed else "ballots", poll_id, participant, tuple(choice))
            return True

    def _kept_of(self, name: str, code: str, poll_id: int) -> tuple[Any, dict[str, Any]]:
        """Return a poll's record and its entries of one kind, if it is the webinar's."""
        with self._reading():
            poll = self._load("polls", code, poll_id)
            return poll, {} if poll is None else self._kept(name, poll_id)

    def answers(self, code: str, poll_id: int) -> list[tuple[str, ...]]:
        return list(self._kept_of("answers", code, poll_id)[1].values())

    def results(self, code: str, poll_id: int) -> PollResults:
        poll, ballots = self._kept_of("ballots", code, poll_id)
        counts = [0] * len(poll["options"] if poll else ())
        for ballot in ballots.values():
            for option in ballot:
                counts[option] += 1
        return PollResults(counts=tuple(counts), voters=len(ballots))

    def set_interest(
        self, code: str, poll_id: int, participant: str, email: str | None, at: datetime
    ) -> bool:
        with self._transaction():
            if self._load("polls", code, poll_id) is None:
                return False
            self._keep("interests", poll_id, participant, None if email is None else (email, at))
            return True

    def interests(self, code: str, poll_id: int) -> dict[str, tuple[str, datetime]]:
        return self._kept_of("interests", code, poll_id)[1]

    # -- moderators -----------------------------------------------------------------------------
    def next_moderator_number(self, code: str) -> int:
        with self._transaction():
            record = self._load("webinars", code)
            if record is None:
                return 0
            self._save("webinars", code, None, {"moderators": record["moderators"] + 1})
            return int(record["moderators"]) + 1

    def log_action(self, entry: LogEntry) -> LogEntry | None:
        with self._transaction():
            if self._load("webinars", entry.webinar) is None:
                return None
            record = {"webinar": entry.webinar, **LOG.fields_of(entry)}
            return replace(entry, id=self._insert("moderation_log", record))

    def moderation_log(self, code: str, last: int | None = None) -> list[LogEntry]:
        with self._reading():
            return [LOG.build(r) for r in self._load_all("moderation_log", code, last=last)]

    # -- personal data --------------------------------------------------------------------------
    def personal_data(self, code: str, participant: str | None = None) -> Personal:
        with self._reading():
            return self._personal(code, participant, None)

    def remove_personal(
        self, code: str, participant: str | None = None, at: datetime | None = None
    ) -> Personal | None:
        with self._transaction():
            if self._load("webinars", code) is None:
                return None
            removed = self._personal(code, participant, secrets.token_hex(16))
            self._forget_asked(code, participant)
            self._revoke(code, participant)
            if participant is None:
                self._save("webinars", code, None, {"purged_at": at})
            return removed

    def forgotten(self, code: str, participant: str) -> bool:
        with self._reading():
            return self._revoked(code, participant)

    def _personal(self, code: str, only: str | None, salt: str | None) -> Personal:
        """Count (``salt`` None) or remove the personal data of everyone or of ``only``, under
        the open transaction or read."""
        names = emails = questions = upvotes = ballots = 0
        for record in self._load_all("questions", code):
            author, qid = record["participant"], record["id"]
            linked = is_person(author, only)
            named = record["name"] is not None and (linked or only is None)
            questions += linked
            names += named
            if salt is not None and (linked or named):
                self._save("questions", code, qid, {"participant": "", "name": None})
            for kind in ("upvotes", "askers"):
                for who in self._members(kind, qid):
                    if not is_person(who, only):
                        continue
                    # a merged question's askers hold its author too: counted once
                    upvotes += kind == "upvotes"
                    questions += kind == "askers" and who != author
                    if salt is not None:
                        self._remove_member(kind, qid, who)
                        self._add_members(kind, qid, [anonymous_id(salt, f"{kind}{qid}", who)])
        for poll in self._load_all("polls", code):
            pid = poll["id"]
            for kind in ("ballots", "answers", "interests"):
                for who, value in self._kept(kind, pid).items():
                    if not is_person(who, only):
                        continue
                    emails += kind == "interests"
                    ballots += kind != "interests"
                    if salt is not None:
                        self._keep(kind, pid, who, None)
                        if kind != "interests":
                            self._keep(kind, pid, anonymous_id(salt, f"{kind}{pid}", who), value)
        return Personal(names, emails, questions, upvotes, ballots)

    # -- presence -------------------------------------------------------------------------------
    def join(self, code: str, connection: str, participant: str) -> None:
        if self.has_webinar(code):
            self._connections.setdefault(code, {})[connection] = participant

    def leave(self, code: str, connection: str) -> None:
        self._connections.get(code, {}).pop(connection, None)

    def online(self, code: str) -> int:
        return len(set(self._connections.get(code, {}).values()))
