"""The embedded default store: one SQLite file in WAL mode, for a server of one process.

Every verb is one transaction, so what a handler acknowledged is on disk before the ack is sent and
survives a crash of the server process (``kill -9``). ``synchronous=NORMAL`` (the default here)
does not fsync each commit: a power cut may lose the last commits; ``FULL`` fsyncs each one.

The tables of webinars, questions, polls and the moderation log have the columns the codec derives
from the dataclasses; a column a newer version added is added to an older database when it opens.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain import PollResults
from . import Changes, StoreUnavailable
from .local import CODECS, LocalStore

OWNED = "webinar TEXT NOT NULL REFERENCES webinars(code) ON DELETE CASCADE"
KEYS = {
    "webinars": "code TEXT PRIMARY KEY",
    "questions": f"id INTEGER PRIMARY KEY AUTOINCREMENT, {OWNED}",
    "polls": f"id INTEGER PRIMARY KEY AUTOINCREMENT, {OWNED}",
    "moderation_log": f"id INTEGER PRIMARY KEY AUTOINCREMENT, {OWNED}",
}
SCHEMA = """
CREATE INDEX IF NOT EXISTS questions_by_webinar ON questions (webinar, id);
CREATE INDEX IF NOT EXISTS moderation_log_by_webinar ON moderation_log (webinar, id);
CREATE TABLE IF NOT EXISTS asked (
    webinar TEXT NOT NULL,
    participant TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    question INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    PRIMARY KEY (webinar, participant, idempotency_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS answers (
    poll INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    participant TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (poll, participant)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS interests (
    poll INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    participant TEXT NOT NULL,
    email TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (poll, participant)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS askers (
    question INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    participant TEXT NOT NULL,
    PRIMARY KEY (question, participant)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS upvotes (
    question INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    participant TEXT NOT NULL,
    PRIMARY KEY (question, participant)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS upvotes_by_participant ON upvotes (participant);
CREATE TABLE IF NOT EXISTS ballots (
    poll INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    participant TEXT NOT NULL,
    option INTEGER NOT NULL,
    PRIMARY KEY (poll, participant, option)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ballots_by_participant ON ballots (participant);
CREATE TABLE IF NOT EXISTS forgotten (
    webinar TEXT NOT NULL REFERENCES webinars(code) ON DELETE CASCADE,
    participant TEXT NOT NULL,
    PRIMARY KEY (webinar, participant)
) WITHOUT ROWID;
"""
# the columns of each voter's entry in a poll, besides (poll, participant)
KEPT = {"ballots": ("option",), "answers": ("answer",), "interests": ("email", "at")}
# no row has a bigger id (a bigger one does not fit SQLite's integers)
MAX_ID = 2**63 - 1


class SQLiteStore(LocalStore):
    """Keep webinars in one SQLite file; a lock serialises this process's use of its connection."""

    kind = "sqlite"

    def __init__(self, path: str, synchronous: str = "NORMAL") -> None:
        super().__init__()
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        # autocommit mode: transactions are opened explicitly by _write
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"unknown SQLite synchronous mode {synchronous!r}")
        self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=5000")
        for table, keys in KEYS.items():
            declared = CODECS[table].declarations()
            columns = ", ".join(f"{name} {sql}" for name, sql in declared.items())
            self._db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({keys}, {columns})")
            # a database made by an earlier version gets the columns added since (never removed)
            present = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for name in declared.keys() - present:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declared[name]}")
        self._db.executescript(SCHEMA)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise StoreUnavailable(str(error)) from error
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    _transaction = _write

    def _reading(self) -> threading.Lock:
        return self._lock

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- records --------------------------------------------------------------------------------
    def _load(self, table: str, code: str, key: int | None = None) -> dict[str, Any] | None:
        if table == "webinars":
            row = self._db.execute("SELECT * FROM webinars WHERE code = ?", (code,)).fetchone()
        else:
            row = (
                self._db.execute(
                    f"SELECT * FROM {table} WHERE webinar = ? AND id = ?", (code, key)
                ).fetchone()
                if key is not None and key <= MAX_ID
                else None
            )
        return None if row is None else CODECS[table].decode(dict(row))

    def _load_all(
        self, table: str, code: str, ids: Iterable[int] | None = None, last: int | None = None
    ) -> list[dict[str, Any]]:
        sql, args = f"SELECT * FROM {table} WHERE webinar = ?", list[Any]([code])
        if ids is not None:
            wanted = sorted(i for i in set(ids) if i <= MAX_ID)
            sql += f" AND id IN ({','.join('?' * len(wanted))})"
            args += wanted
        if last is not None:
            sql, args = f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT ?)", [*args, last]
        rows = self._db.execute(f"{sql} ORDER BY id", args).fetchall()
        return [CODECS[table].decode(dict(row)) for row in rows]

    def _save(self, table: str, code: str, key: int | None, changes: Changes) -> None:
        stored = CODECS[table].encode(changes)
        assignments = ", ".join(f"{name} = ?" for name in stored)
        where = "code = ?" if table == "webinars" else "webinar = ? AND id = ?"
        args = [*stored.values(), code] + ([] if table == "webinars" else [key])
        self._db.execute(f"UPDATE {table} SET {assignments} WHERE {where}", args)

    def _insert(self, table: str, record: Mapping[str, Any]) -> int:
        codec = CODECS[table]
        stored = {k: v for k, v in record.items() if k in codec.keys}
        stored |= codec.encode({k: v for k, v in record.items() if k not in codec.keys})
        marks = ", ".join("?" * len(stored))
        cursor = self._db.execute(
            f"INSERT INTO {table} ({', '.join(stored)}) VALUES ({marks})", list(stored.values())
        )
        return int(cursor.lastrowid or 0)

    def _members(self, name: str, question_id: int) -> set[str]:
        rows = self._db.execute(
            f"SELECT participant FROM {name} WHERE question = ?", (question_id,)
        )
        return {row[0] for row in rows}

    def _add_members(self, name: str, question_id: int, who: Iterable[str]) -> int:
        return self._db.executemany(
            f"INSERT OR IGNORE INTO {name} (question, participant) VALUES (?, ?)",
            [(question_id, participant) for participant in who],
        ).rowcount

    def _remove_member(self, name: str, question_id: int, who: str) -> int:
        return self._db.execute(
            f"DELETE FROM {name} WHERE question = ? AND participant = ?", (question_id, who)
        ).rowcount

    def _keep(self, name: str, poll_id: int, participant: str, value: Any) -> None:
        self._db.execute(
            f"DELETE FROM {name} WHERE poll = ? AND participant = ?", (poll_id, participant)
        )
        if value is None:
            return
        rows: list[tuple[Any, ...]]
        if name == "ballots":
            rows = [(option,) for option in value]
        elif name == "answers":
            rows = [(json.dumps(list(value)),)]
        else:
            rows = [(value[0], value[1].isoformat())]
        columns = ", ".join(("poll", "participant", *KEPT[name]))
        marks = ", ".join("?" * (2 + len(KEPT[name])))
        self._db.executemany(
            f"INSERT INTO {name} ({columns}) VALUES ({marks})",
            [(poll_id, participant, *row) for row in rows],
        )

    def _kept(self, name: str, poll_id: int) -> dict[str, Any]:
        rows = self._db.execute(
            f"SELECT participant, {', '.join(KEPT[name])} FROM {name} WHERE poll = ?"
            " ORDER BY participant",
            (poll_id,),
        ).fetchall()
        if name == "ballots":
            kept: dict[str, Any] = {}
            for participant, option in sorted(rows, key=lambda row: (row[0], row[1])):
                kept[participant] = (*kept.get(participant, ()), option)
            return kept
        if name == "answers":
            return {row[0]: tuple(json.loads(row[1])) for row in rows}
        return {row[0]: (row[1], datetime.fromisoformat(row[2])) for row in rows}

    def _asked_id(self, code: str, participant: str, idempotency_key: str) -> int | None:
        row = self._db.execute(
            "SELECT question FROM asked WHERE webinar = ? AND participant = ?"
            " AND idempotency_key = ?",
            (code, participant, idempotency_key),
        ).fetchone()
        return None if row is None else int(row[0])

    def _remember(self, code: str, participant: str, idempotency_key: str, question: int) -> None:
        self._db.execute(
            "INSERT INTO asked (webinar, participant, idempotency_key, question)"
            " VALUES (?, ?, ?, ?)",
            (code, participant, idempotency_key, question),
        )

    def _forget_asked(self, code: str, participant: str | None) -> None:
        if participant is None:
            self._db.execute("DELETE FROM asked WHERE webinar = ?", (code,))
        else:
            self._db.execute(
                "DELETE FROM asked WHERE webinar = ? AND participant = ?", (code, participant)
            )

    def _revoke(self, code: str, participant: str | None) -> None:
        if participant is None:
            self._db.execute("DELETE FROM forgotten WHERE webinar = ?", (code,))
        else:
            self._db.execute(
                "INSERT OR IGNORE INTO forgotten (webinar, participant) VALUES (?, ?)",
                (code, participant),
            )

    def _revoked(self, code: str, participant: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM forgotten WHERE webinar = ? AND participant = ?", (code, participant)
        ).fetchone()
        return row is not None

    # -- reads and deletes SQL does better ------------------------------------------------------
    def webinar_codes(self) -> list[str]:
        return [row["code"] for row in self._read("SELECT code FROM webinars ORDER BY code")]

    def webinar_field(self, code: str, name: str) -> Any:
        CODECS["webinars"].check({name: None})
        rows = self._read(f"SELECT {name} FROM webinars WHERE code = ?", (code,))
        return CODECS["webinars"].read(name, rows[0][0]) if rows else None

    def delete_webinar(self, code: str) -> bool:
        with self._write() as db:
            # the questions' and polls' own rows go with them (ON DELETE CASCADE)
            db.execute(
                "DELETE FROM asked WHERE question IN (SELECT id FROM questions WHERE webinar = ?)",
                (code,),
            )
            for table in ("moderation_log", "questions", "polls", "forgotten"):
                db.execute(f"DELETE FROM {table} WHERE webinar = ?", (code,))
            deleted = db.execute("DELETE FROM webinars WHERE code = ?", (code,)).rowcount
        self._connections.pop(code, None)
        return bool(deleted)

    def interest_of(self, code: str, participant: str) -> dict[int, str]:
        rows = self._read(
            "SELECT interests.poll, interests.email FROM interests"
            " JOIN polls ON polls.id = interests.poll"
            " WHERE polls.webinar = ? AND interests.participant = ?",
            (code, participant),
        )
        return {row["poll"]: row["email"] for row in rows}

    def upvoted(self, code: str, participant: str) -> set[int]:
        rows = self._read(
            "SELECT upvotes.question FROM upvotes JOIN questions ON questions.id = upvotes.question"
            " WHERE upvotes.participant = ? AND questions.webinar = ?",
            (participant, code),
        )
        return {row[0] for row in rows}

    def results(self, code: str, poll_id: int) -> PollResults:
        with self._lock:
            poll = self._load("polls", code, poll_id)
            counts = [0] * len(poll["options"] if poll else ())
            for option, count in self._db.execute(
                "SELECT option, COUNT(*) FROM ballots WHERE poll = ? GROUP BY option", (poll_id,)
            ):
                counts[option] = count
            voters = self._db.execute(
                "SELECT COUNT(DISTINCT participant) FROM ballots WHERE poll = ?", (poll_id,)
            ).fetchone()[0]
        return PollResults(counts=tuple(counts), voters=voters if poll else 0)

    def ballots(self, code: str, participant: str) -> dict[int, tuple[int, ...]]:
        rows = self._read(
            "SELECT ballots.poll, ballots.option FROM ballots JOIN polls ON polls.id = ballots.poll"
            " WHERE ballots.participant = ? AND polls.webinar = ? ORDER BY ballots.option",
            (participant, code),
        )
        chosen: dict[int, list[int]] = {}
        for row in rows:
            chosen.setdefault(row[0], []).append(row[1])
        return {poll: tuple(options) for poll, options in chosen.items()}

    def answers_of(self, code: str, participant: str) -> dict[int, tuple[str, ...]]:
        rows = self._read(
            "SELECT answers.poll, answers.answer FROM answers JOIN polls ON polls.id = answers.poll"
            " WHERE answers.participant = ? AND polls.webinar = ?",
            (participant, code),
        )
        return {row[0]: tuple(json.loads(row[1])) for row in rows}

    # -- service --------------------------------------------------------------------------------
    def ping(self) -> None:
        try:
            self._read("SELECT 1")
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error)) from error

    def close(self) -> None:
        with self._lock:
            self._db.close()
