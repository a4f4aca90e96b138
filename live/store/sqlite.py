"""The embedded default store: one SQLite file in WAL mode, for a server of one process.

Every verb is one transaction, so what a handler acknowledged is on disk before the ack is sent and
survives a crash of the server process (``kill -9``). ``synchronous=NORMAL`` (the default here)
does not fsync each commit: a power cut may lose the last commits; ``FULL`` fsyncs each one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain import (
    MERGE_FROM,
    MERGE_INTO,
    ON_AIR_STATUSES,
    LogEntry,
    Poll,
    PollResults,
    Programme,
    Question,
    Webinar,
    WebinarSettings,
)
from . import LocalPresence, Store, StoreUnavailable, stored_time

SCHEMA = """
CREATE TABLE IF NOT EXISTS webinars (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    organiser TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    timezone TEXT NOT NULL,
    programmes TEXT NOT NULL,
    premoderation INTEGER NOT NULL,
    max_question_length INTEGER NOT NULL,
    ask_names INTEGER NOT NULL,
    moderator_key TEXT NOT NULL,
    topics TEXT NOT NULL DEFAULT '[]',
    moderators INTEGER NOT NULL DEFAULT 0,
    follow_up INTEGER NOT NULL DEFAULT 0,
    on_air INTEGER
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webinar TEXT NOT NULL REFERENCES webinars(code) ON DELETE CASCADE,
    text TEXT NOT NULL,
    name TEXT,
    participant TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    upvotes INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    merged_into INTEGER,
    asked_by INTEGER NOT NULL DEFAULT 1,
    reply TEXT,
    topic TEXT
);
CREATE INDEX IF NOT EXISTS questions_by_webinar ON questions (webinar, id);
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
CREATE TABLE IF NOT EXISTS moderation_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webinar TEXT NOT NULL REFERENCES webinars(code) ON DELETE CASCADE,
    at TEXT NOT NULL,
    moderator INTEGER NOT NULL,
    action TEXT NOT NULL,
    target INTEGER,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS moderation_log_by_webinar ON moderation_log (webinar, id);
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
CREATE TABLE IF NOT EXISTS polls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webinar TEXT NOT NULL REFERENCES webinars(code) ON DELETE CASCADE,
    prompt TEXT NOT NULL,
    kind TEXT NOT NULL,
    options TEXT NOT NULL,
    state TEXT NOT NULL,
    results_visible INTEGER NOT NULL DEFAULT 0,
    closes_at TEXT,
    collects_emails INTEGER NOT NULL DEFAULT 0,
    shown TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS ballots (
    poll INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    participant TEXT NOT NULL,
    option INTEGER NOT NULL,
    PRIMARY KEY (poll, participant, option)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ballots_by_participant ON ballots (participant);
"""

SETTINGS_COLUMNS = ("premoderation", "max_question_length", "ask_names", "follow_up")
# columns added since the first release: (table, column, type), added to older databases at open
ADDED_COLUMNS = (
    ("questions", "reason", "TEXT"),
    ("questions", "merged_into", "INTEGER"),
    ("questions", "asked_by", "INTEGER NOT NULL DEFAULT 1"),
    ("questions", "reply", "TEXT"),
    ("questions", "topic", "TEXT"),
    ("webinars", "topics", "TEXT NOT NULL DEFAULT '[]'"),
    ("webinars", "moderators", "INTEGER NOT NULL DEFAULT 0"),
    ("webinars", "follow_up", "INTEGER NOT NULL DEFAULT 0"),
    ("polls", "closes_at", "TEXT"),
    ("polls", "collects_emails", "INTEGER NOT NULL DEFAULT 0"),
    ("polls", "shown", "TEXT NOT NULL DEFAULT '[]'"),
)


class SQLiteStore(LocalPresence, Store):
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
        self._db.executescript(SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Bring a database made by an earlier version up to date (columns are only added)."""
        for table, column, kind in ADDED_COLUMNS:
            present = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in present:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

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

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- webinars -------------------------------------------------------------------------------
    def create_webinar(self, webinar: Webinar, moderator_key: str, polls: Sequence[Poll]) -> bool:
        programmes = [p.__dict__ for p in webinar.programmes]
        with self._write() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO webinars (code, title, description, organiser, starts_at,"
                " ends_at, timezone, programmes, premoderation, max_question_length, ask_names,"
                " moderator_key, topics, follow_up)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    webinar.code,
                    webinar.title,
                    webinar.description,
                    webinar.organiser,
                    webinar.starts_at.isoformat(),
                    webinar.ends_at.isoformat(),
                    str(webinar.starts_at.tzinfo),
                    json.dumps(programmes),
                    webinar.settings.premoderation,
                    webinar.settings.max_question_length,
                    webinar.settings.ask_names,
                    moderator_key,
                    json.dumps(list(webinar.topics)),
                    webinar.settings.follow_up,
                ),
            ).rowcount
            if not inserted:
                return False
            for poll in polls:
                self._insert_poll(db, poll)
            return True

    def get_webinar(self, code: str) -> Webinar | None:
        rows = self._read("SELECT * FROM webinars WHERE code = ?", (code,))
        if not rows:
            return None
        row = rows[0]
        return Webinar(
            code=row["code"],
            title=row["title"],
            description=row["description"],
            organiser=row["organiser"],
            starts_at=stored_time(row["starts_at"], row["timezone"]),
            ends_at=stored_time(row["ends_at"], row["timezone"]),
            programmes=tuple(Programme(**p) for p in json.loads(row["programmes"])),
            settings=WebinarSettings(
                premoderation=bool(row["premoderation"]),
                max_question_length=row["max_question_length"],
                ask_names=bool(row["ask_names"]),
                follow_up=bool(row["follow_up"]),
            ),
            topics=tuple(json.loads(row["topics"])),
        )

    def webinar_codes(self) -> list[str]:
        return [row["code"] for row in self._read("SELECT code FROM webinars ORDER BY code")]

    def moderator_key(self, code: str) -> str | None:
        rows = self._read("SELECT moderator_key FROM webinars WHERE code = ?", (code,))
        return rows[0]["moderator_key"] if rows else None

    def set_moderator_key(self, code: str, key: str) -> None:
        with self._write() as db:
            db.execute("UPDATE webinars SET moderator_key = ? WHERE code = ?", (key, code))

    def update_settings(self, code: str, changes: dict[str, Any]) -> None:
        if not set(changes) <= set(SETTINGS_COLUMNS):
            raise ValueError(f"unknown settings {sorted(set(changes) - set(SETTINGS_COLUMNS))}")
        assignments = ", ".join(f"{column} = ?" for column in changes)
        with self._write() as db:
            db.execute(
                f"UPDATE webinars SET {assignments} WHERE code = ?", (*changes.values(), code)
            )

    # -- questions ------------------------------------------------------------------------------
    def add_question(self, question: Question, idempotency_key: str | None = None) -> Question:
        with self._write() as db:
            if idempotency_key is not None:
                earlier = db.execute(
                    "SELECT question FROM asked WHERE webinar = ? AND participant = ?"
                    " AND idempotency_key = ?",
                    (question.webinar, question.participant, idempotency_key),
                ).fetchone()
                if earlier:
                    return _question(self._one(db, "questions", earlier[0]))
            cursor = db.execute(
                "INSERT INTO questions (webinar, text, name, participant, created_at, status,"
                " topic) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    question.webinar,
                    question.text,
                    question.name,
                    question.participant,
                    question.created_at.isoformat(),
                    question.status,
                    question.topic,
                ),
            )
            if idempotency_key is not None:
                db.execute(
                    "INSERT INTO asked (webinar, participant, idempotency_key, question)"
                    " VALUES (?, ?, ?, ?)",
                    (question.webinar, question.participant, idempotency_key, cursor.lastrowid),
                )
            return _question(self._one(db, "questions", cursor.lastrowid))

    def questions(self, code: str, ids: Iterable[int] | None = None) -> list[Question]:
        if ids is None:
            rows = self._read("SELECT * FROM questions WHERE webinar = ? ORDER BY id", (code,))
        else:
            wanted = sorted(set(ids))
            marks = ",".join("?" * len(wanted))
            rows = self._read(
                f"SELECT * FROM questions WHERE webinar = ? AND id IN ({marks}) ORDER BY id",
                (code, *wanted),
            )
        return [_question(row) for row in rows]

    def set_status(
        self,
        code: str,
        question_id: int,
        status: str,
        only_from: Iterable[str],
        reason: str | None = None,
    ) -> Question | None:
        allowed = sorted(set(only_from))
        marks = ",".join("?" * len(allowed))
        with self._write() as db:
            changed = db.execute(
                "UPDATE questions SET status = ?, reason = ? WHERE webinar = ? AND id = ?"
                f" AND status IN ({marks})",
                (status, reason, code, question_id, *allowed),
            ).rowcount
            if not changed:
                return None
            if status not in ON_AIR_STATUSES:
                db.execute(
                    "UPDATE webinars SET on_air = NULL WHERE code = ? AND on_air = ?",
                    (code, question_id),
                )
            return _question(self._one(db, "questions", question_id))

    def merge_question(
        self, code: str, source_id: int, target_id: int
    ) -> tuple[Question, Question] | None:
        if source_id == target_id:
            return None
        with self._write() as db:
            rows = {
                row["id"]: row
                for row in db.execute(
                    "SELECT id, status, participant FROM questions"
                    " WHERE webinar = ? AND id IN (?, ?)",
                    (code, source_id, target_id),
                )
            }
            source, target = rows.get(source_id), rows.get(target_id)
            if (
                source is None
                or target is None
                or source["status"] not in MERGE_FROM
                or target["status"] not in MERGE_INTO
            ):
                return None
            # the askers table lists a question's askers once others were merged into it
            db.executemany(
                "INSERT OR IGNORE INTO askers (question, participant) VALUES (?, ?)",
                [(target_id, target["participant"]), (target_id, source["participant"])],
            )
            db.execute(
                "INSERT OR IGNORE INTO askers (question, participant)"
                " SELECT ?, participant FROM askers WHERE question = ?",
                (target_id, source_id),
            )
            db.execute(
                "INSERT OR IGNORE INTO upvotes (question, participant)"
                " SELECT ?, participant FROM upvotes WHERE question = ?",
                (target_id, source_id),
            )
            db.execute(
                "UPDATE questions SET"
                " upvotes = (SELECT COUNT(*) FROM upvotes WHERE question = :id),"
                " asked_by = (SELECT COUNT(*) FROM askers WHERE question = :id)"
                " WHERE id = :id",
                {"id": target_id},
            )
            db.execute(
                "UPDATE questions SET status = 'merged', merged_into = ?, reason = NULL"
                " WHERE id = ?",
                (target_id, source_id),
            )
            db.execute(
                "UPDATE webinars SET on_air = NULL WHERE code = ? AND on_air = ?",
                (code, source_id),
            )
            return (
                _question(self._one(db, "questions", source_id)),
                _question(self._one(db, "questions", target_id)),
            )

    def update_webinar(self, webinar: Webinar) -> bool:
        with self._write() as db:
            return bool(
                db.execute(
                    "UPDATE webinars SET title = ?, description = ?, organiser = ?,"
                    " starts_at = ?, ends_at = ?, timezone = ?, topics = ? WHERE code = ?",
                    (
                        webinar.title,
                        webinar.description,
                        webinar.organiser,
                        webinar.starts_at.isoformat(),
                        webinar.ends_at.isoformat(),
                        str(webinar.starts_at.tzinfo),
                        json.dumps(list(webinar.topics)),
                        webinar.code,
                    ),
                ).rowcount
            )

    def delete_webinar(self, code: str) -> bool:
        with self._write() as db:
            # the questions' and polls' own rows go with them (ON DELETE CASCADE)
            db.execute(
                "DELETE FROM asked WHERE question IN (SELECT id FROM questions WHERE webinar = ?)",
                (code,),
            )
            db.execute("DELETE FROM moderation_log WHERE webinar = ?", (code,))
            db.execute("DELETE FROM questions WHERE webinar = ?", (code,))
            db.execute("DELETE FROM polls WHERE webinar = ?", (code,))
            deleted = db.execute("DELETE FROM webinars WHERE code = ?", (code,)).rowcount
        self._connections.pop(code, None)
        return bool(deleted)

    def set_interest(
        self, code: str, poll_id: int, participant: str, email: str | None, at: datetime
    ) -> bool:
        with self._write() as db:
            if not db.execute(
                "SELECT 1 FROM polls WHERE webinar = ? AND id = ?", (code, poll_id)
            ).fetchone():
                return False
            if email is None:
                db.execute(
                    "DELETE FROM interests WHERE poll = ? AND participant = ?",
                    (poll_id, participant),
                )
            else:
                db.execute(
                    "INSERT OR REPLACE INTO interests (poll, participant, email, at)"
                    " VALUES (?, ?, ?, ?)",
                    (poll_id, participant, email, at.isoformat()),
                )
            return True

    def interests(self, code: str, poll_id: int) -> dict[str, tuple[str, datetime]]:
        rows = self._read(
            "SELECT interests.* FROM interests JOIN polls ON polls.id = interests.poll"
            " WHERE polls.webinar = ? AND interests.poll = ?",
            (code, poll_id),
        )
        return {
            row["participant"]: (row["email"], datetime.fromisoformat(row["at"])) for row in rows
        }

    def interest_of(self, code: str, participant: str) -> dict[int, str]:
        rows = self._read(
            "SELECT interests.poll, interests.email FROM interests"
            " JOIN polls ON polls.id = interests.poll"
            " WHERE polls.webinar = ? AND interests.participant = ?",
            (code, participant),
        )
        return {row["poll"]: row["email"] for row in rows}

    def next_moderator_number(self, code: str) -> int:
        with self._write() as db:
            db.execute("UPDATE webinars SET moderators = moderators + 1 WHERE code = ?", (code,))
            row = db.execute("SELECT moderators FROM webinars WHERE code = ?", (code,)).fetchone()
            return int(row[0]) if row else 0

    def log_action(self, entry: LogEntry) -> LogEntry:
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO moderation_log (webinar, at, moderator, action, target, detail)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    entry.webinar,
                    entry.at.isoformat(),
                    entry.moderator,
                    entry.action,
                    entry.target,
                    entry.detail,
                ),
            )
            return replace(entry, id=int(cursor.lastrowid or 0))

    def moderation_log(self, code: str, last: int | None = None) -> list[LogEntry]:
        rows = self._read(
            "SELECT * FROM (SELECT * FROM moderation_log WHERE webinar = ? ORDER BY id DESC"
            " LIMIT ?) ORDER BY id",
            (code, -1 if last is None else last),
        )
        return [
            LogEntry(
                id=row["id"],
                webinar=row["webinar"],
                at=datetime.fromisoformat(row["at"]),
                moderator=row["moderator"],
                action=row["action"],
                target=row["target"],
                detail=row["detail"],
            )
            for row in rows
        ]

    def set_topics(self, code: str, topics: Sequence[str]) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE webinars SET topics = ? WHERE code = ?", (json.dumps(list(topics)), code)
            )

    def set_topic(self, code: str, question_id: int, topic: str | None) -> Question | None:
        with self._write() as db:
            changed = db.execute(
                "UPDATE questions SET topic = ? WHERE webinar = ? AND id = ?",
                (topic, code, question_id),
            ).rowcount
            return _question(self._one(db, "questions", question_id)) if changed else None

    def set_reply(self, code: str, question_id: int, reply: str | None) -> Question | None:
        with self._write() as db:
            changed = db.execute(
                "UPDATE questions SET reply = ? WHERE webinar = ? AND id = ?",
                (reply, code, question_id),
            ).rowcount
            return _question(self._one(db, "questions", question_id)) if changed else None

    def edit_question(self, code: str, question_id: int, text: str) -> Question | None:
        with self._write() as db:
            changed = db.execute(
                "UPDATE questions SET text = ? WHERE webinar = ? AND id = ?",
                (text, code, question_id),
            ).rowcount
            return _question(self._one(db, "questions", question_id)) if changed else None

    def upvote(self, code: str, question_id: int, participant: str, up: bool) -> bool:
        with self._write() as db:
            if not db.execute(
                "SELECT 1 FROM questions WHERE webinar = ? AND id = ?", (code, question_id)
            ).fetchone():
                return False
            if up:
                sql = "INSERT OR IGNORE INTO upvotes (question, participant) VALUES (?, ?)"
            else:
                sql = "DELETE FROM upvotes WHERE question = ? AND participant = ?"
            if not db.execute(sql, (question_id, participant)).rowcount:
                return False
            db.execute(
                "UPDATE questions SET upvotes = upvotes + ? WHERE id = ?",
                (1 if up else -1, question_id),
            )
            return True

    def upvoted(self, code: str, participant: str) -> set[int]:
        rows = self._read(
            "SELECT upvotes.question FROM upvotes JOIN questions ON questions.id = upvotes.question"
            " WHERE upvotes.participant = ? AND questions.webinar = ?",
            (participant, code),
        )
        return {row[0] for row in rows}

    def on_air(self, code: str) -> int | None:
        rows = self._read("SELECT on_air FROM webinars WHERE code = ?", (code,))
        return rows[0]["on_air"] if rows else None

    def set_on_air(self, code: str, question_id: int | None) -> bool:
        with self._write() as db:
            if question_id is not None:
                marks = ",".join("?" * len(ON_AIR_STATUSES))
                if not db.execute(
                    f"SELECT 1 FROM questions WHERE webinar = ? AND id = ? AND status IN ({marks})",
                    (code, question_id, *sorted(ON_AIR_STATUSES)),
                ).fetchone():
                    return False
            db.execute("UPDATE webinars SET on_air = ? WHERE code = ?", (question_id, code))
            return True

    # -- polls ----------------------------------------------------------------------------------
    @staticmethod
    def _insert_poll(db: sqlite3.Connection, poll: Poll) -> Poll:
        cursor = db.execute(
            "INSERT INTO polls (webinar, prompt, kind, options, state, results_visible,"
            " collects_emails) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                poll.webinar,
                poll.prompt,
                poll.kind,
                json.dumps(poll.options),
                poll.state,
                poll.results_visible,
                poll.collects_emails,
            ),
        )
        return _poll(SQLiteStore._one(db, "polls", cursor.lastrowid))

    def add_poll(self, poll: Poll) -> Poll:
        with self._write() as db:
            return self._insert_poll(db, poll)

    def polls(self, code: str, ids: Iterable[int] | None = None) -> list[Poll]:
        if ids is None:
            rows = self._read("SELECT * FROM polls WHERE webinar = ? ORDER BY id", (code,))
        else:
            wanted = sorted(set(ids))
            marks = ",".join("?" * len(wanted))
            rows = self._read(
                f"SELECT * FROM polls WHERE webinar = ? AND id IN ({marks}) ORDER BY id",
                (code, *wanted),
            )
        return [_poll(row) for row in rows]

    def set_poll_state(
        self,
        code: str,
        poll_id: int,
        state: str,
        only_from: Iterable[str],
        closes_at: datetime | None = None,
    ) -> Poll | None:
        allowed = sorted(set(only_from))
        marks = ",".join("?" * len(allowed))
        deadline = closes_at.isoformat() if closes_at else None
        with self._write() as db:
            changed = db.execute(
                "UPDATE polls SET state = ?, closes_at = ? WHERE webinar = ? AND id = ?"
                f" AND state IN ({marks})",
                (state, deadline, code, poll_id, *allowed),
            ).rowcount
            return _poll(self._one(db, "polls", poll_id)) if changed else None

    def _set_poll_field(self, code: str, poll_id: int, column: str, value: Any) -> Poll | None:
        """Set one column of a poll of the webinar; return the poll, or None if there is none."""
        with self._write() as db:
            changed = db.execute(
                f"UPDATE polls SET {column} = ? WHERE webinar = ? AND id = ?",
                (value, code, poll_id),
            ).rowcount
            return _poll(self._one(db, "polls", poll_id)) if changed else None

    def set_results_visible(self, code: str, poll_id: int, visible: bool) -> Poll | None:
        return self._set_poll_field(code, poll_id, "results_visible", visible)

    def cast_vote(self, code: str, poll_id: int, participant: str, options: Sequence[int]) -> bool:
        with self._write() as db:
            if not _is_open(db, code, poll_id):
                return False
            db.execute(
                "DELETE FROM ballots WHERE poll = ? AND participant = ?", (poll_id, participant)
            )
            db.executemany(
                "INSERT INTO ballots (poll, participant, option) VALUES (?, ?, ?)",
                [(poll_id, participant, option) for option in options],
            )
            return True

    def set_shown_answers(self, code: str, poll_id: int, shown: Sequence[str]) -> Poll | None:
        return self._set_poll_field(code, poll_id, "shown", json.dumps(list(shown)))

    def set_answer(self, code: str, poll_id: int, participant: str, answer: Sequence[str]) -> bool:
        with self._write() as db:
            if not _is_open(db, code, poll_id):
                return False
            db.execute(
                "INSERT OR REPLACE INTO answers (poll, participant, answer) VALUES (?, ?, ?)",
                (poll_id, participant, json.dumps(list(answer))),
            )
            return True

    def answers(self, code: str, poll_id: int) -> list[tuple[str, ...]]:
        rows = self._read(
            "SELECT answers.answer FROM answers JOIN polls ON polls.id = answers.poll"
            " WHERE polls.webinar = ? AND answers.poll = ?",
            (code, poll_id),
        )
        return [tuple(json.loads(row[0])) for row in rows]

    def results(self, code: str, poll_id: int) -> PollResults:
        with self._lock:
            options = self._db.execute(
                "SELECT options FROM polls WHERE webinar = ? AND id = ?", (code, poll_id)
            ).fetchone()["options"]
            counts = [0] * len(json.loads(options))
            for option, count in self._db.execute(
                "SELECT option, COUNT(*) FROM ballots WHERE poll = ? GROUP BY option", (poll_id,)
            ):
                counts[option] = count
            voters = self._db.execute(
                "SELECT COUNT(DISTINCT participant) FROM ballots WHERE poll = ?", (poll_id,)
            ).fetchone()[0]
        return PollResults(counts=tuple(counts), voters=voters)

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

    # -- service --------------------------------------------------------------------------------
    def ping(self) -> None:
        try:
            self._read("SELECT 1")
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error)) from error

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @staticmethod
    def _one(db: sqlite3.Connection, table: str, row_id: int | None) -> sqlite3.Row:
        return db.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()


def _is_open(db: sqlite3.Connection, code: str, poll_id: int) -> bool:
    """Say whether the webinar has this poll and it is open (votes and answers need that)."""
    return bool(
        db.execute(
            "SELECT 1 FROM polls WHERE webinar = ? AND id = ? AND state = 'open'", (code, poll_id)
        ).fetchone()
    )


def _question(row: sqlite3.Row) -> Question:
    return Question(
        id=row["id"],
        webinar=row["webinar"],
        text=row["text"],
        name=row["name"],
        participant=row["participant"],
        created_at=datetime.fromisoformat(row["created_at"]),
        status=row["status"],
        upvotes=row["upvotes"],
        reason=row["reason"],
        merged_into=row["merged_into"],
        asked_by=row["asked_by"],
        reply=row["reply"],
        topic=row["topic"],
    )


def _poll(row: sqlite3.Row) -> Poll:
    return Poll(
        id=row["id"],
        webinar=row["webinar"],
        prompt=row["prompt"],
        kind=row["kind"],
        options=tuple(json.loads(row["options"])),
        state=row["state"],
        results_visible=bool(row["results_visible"]),
        closes_at=datetime.fromisoformat(row["closes_at"]) if row["closes_at"] else None,
        collects_emails=bool(row["collects_emails"]),
        shown=tuple(json.loads(row["shown"])),
    )
