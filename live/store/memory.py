"""An in-memory store for fast tests and throw-away rooms; it is gone when the process ends."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from itertools import count
from typing import Any

from . import Changes
from .local import CODECS, LocalStore


class MemoryStore(LocalStore):
    """Keep every record in dictionaries; one lock makes each verb atomic."""

    kind = "memory"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        # table -> webinar code -> id (None: the webinar's own record) -> record
        self._rows: dict[str, dict[str, dict[int | None, dict[str, Any]]]] = {t: {} for t in CODECS}
        # (upvotes | askers, question id) -> people
        self._sets: dict[tuple[str, int], set[str]] = {}
        # (ballots | answers | interests, poll id) -> participant -> value
        self._values: dict[tuple[str, int], dict[str, Any]] = {}
        self._asked: dict[tuple[str, str, str], int] = {}
        # webinar code -> the participants who asked to be forgotten
        self._forgotten: dict[str, set[str]] = {}
        # questions and polls share their ids, the log has its own
        self._ids = {"questions": count(1), "moderation_log": count(1)}
        self._ids["polls"] = self._ids["questions"]

    def _transaction(self) -> threading.Lock:
        return self._lock

    _reading = _transaction

    def _load(self, table: str, code: str, key: int | None = None) -> dict[str, Any] | None:
        record = self._rows[table].get(code, {}).get(key)
        return None if record is None else dict(record)

    def _load_all(
        self, table: str, code: str, ids: Iterable[int] | None = None, last: int | None = None
    ) -> list[dict[str, Any]]:
        rows = self._rows[table].get(code, {})
        keys = sorted(k for k in (rows if ids is None else set(ids) & rows.keys()) if k)
        return [dict(rows[k]) for k in (keys if last is None else keys[max(0, len(keys) - last) :])]

    def _save(self, table: str, code: str, key: int | None, changes: Changes) -> None:
        self._rows[table][code][key].update(changes)

    def _insert(self, table: str, record: Mapping[str, Any]) -> int:
        record = {**CODECS[table].defaults(), **record}
        if table == "webinars":
            self._rows[table][record["code"]] = {None: record}
            return 0
        new_id = next(self._ids[table])
        self._rows[table].setdefault(record["webinar"], {})[new_id] = {**record, "id": new_id}
        return new_id

    def _members(self, name: str, question_id: int) -> set[str]:
        return set(self._sets.get((name, question_id), ()))

    def _add_members(self, name: str, question_id: int, who: Iterable[str]) -> int:
        members = self._sets.setdefault((name, question_id), set())
        before = len(members)
        members.update(who)
        return len(members) - before

    def _remove_member(self, name: str, question_id: int, who: str) -> int:
        members = self._sets.get((name, question_id), set())
        if who not in members:
            return 0
        members.discard(who)
        return 1

    def _keep(self, name: str, poll_id: int, participant: str, value: Any) -> None:
        kept = self._values.setdefault((name, poll_id), {})
        if value is None:
            kept.pop(participant, None)
        else:
            kept[participant] = value

    def _kept(self, name: str, poll_id: int) -> dict[str, Any]:
        return dict(self._values.get((name, poll_id), {}))

    def _asked_id(self, code: str, participant: str, idempotency_key: str) -> int | None:
        return self._asked.get((code, participant, idempotency_key))

    def _remember(self, code: str, participant: str, idempotency_key: str, question: int) -> None:
        self._asked[(code, participant, idempotency_key)] = question

    def _forget_asked(self, code: str, participant: str | None) -> None:
        for asked in [k for k in self._asked if k[0] == code and participant in (None, k[1])]:
            del self._asked[asked]

    def _revoke(self, code: str, participant: str | None) -> None:
        if participant is None:
            self._forgotten.pop(code, None)
        else:
            self._forgotten.setdefault(code, set()).add(participant)

    def _revoked(self, code: str, participant: str) -> bool:
        return participant in self._forgotten.get(code, ())

    def webinar_codes(self) -> list[str]:
        with self._lock:
            return sorted(self._rows["webinars"])

    def delete_webinar(self, code: str) -> bool:
        with self._lock:
            if code not in self._rows["webinars"]:
                return False
            ids = set(self._rows["questions"].get(code, {})) | set(
                self._rows["polls"].get(code, {})
            )
            for rows in self._rows.values():
                rows.pop(code, None)
            for keyed in (self._sets, self._values):
                for key in [k for k in keyed if k[1] in ids]:
                    del keyed[key]  # type: ignore[attr-defined]
            self._forget_asked(code, None)
            self._forgotten.pop(code, None)
            self._connections.pop(code, None)
            return True

    def _per_poll(self, name: str, code: str, participant: str) -> dict[int, Any]:
        """Return one participant's entries of one kind in each poll of the webinar."""
        with self._lock:
            polls = [p for p in self._rows["polls"].get(code, {}) if p]
            kept = {p: self._values.get((name, p), {}) for p in polls}
            return {p: values[participant] for p, values in kept.items() if participant in values}

    def ballots(self, code: str, participant: str) -> dict[int, tuple[int, ...]]:
        return self._per_poll("ballots", code, participant)

    def answers_of(self, code: str, participant: str) -> dict[int, tuple[str, ...]]:
        return self._per_poll("answers", code, participant)

    def interest_of(self, code: str, participant: str) -> dict[int, str]:
        return {p: kept[0] for p, kept in self._per_poll("interests", code, participant).items()}

    def upvoted(self, code: str, participant: str) -> set[int]:
        with self._lock:
            questions = self._rows["questions"].get(code, {})
            upvoted = (
                q for q in questions if q and participant in self._sets.get(("upvotes", q), ())
            )
            return set(upvoted)
