"""Shared state for several server processes: every verb is one Lua script or one read on Redis.

Keys are namespaced per webinar with a hash tag (``live:{nets4dem}:q:12``), so that each webinar
lives on one slot; the Lua scripts are package data (``lua/*.lua``), loaded once and run by hash.
A Redis that cannot be reached turns every call into ``StoreUnavailable`` within the command
timeout; nothing is written half-way.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from importlib import resources
from typing import Any, TypeVar

import redis

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
from . import Store, StoreUnavailable, stored_time

# a connection of a crashed process stops counting as online after this many seconds
PRESENCE_TTL = 30.0
SCRIPTS = (
    "create_webinar",
    "add_question",
    "set_status",
    "set_field_if_exists",
    "upvote",
    "set_on_air",
    "set_poll_state",
    "cast_vote",
    "online",
    "leave",
    "take_token",
    "merge",
    "set_answer",
)
F = TypeVar("F", bound=Callable[..., Any])


def _guarded(method: F) -> F:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as error:
            raise StoreUnavailable(str(error)) from error

    return call  # type: ignore[return-value]


class RedisStore(Store):
    """Keep webinars in Redis, shared by every server process that uses the same URL."""

    kind = "redis"

    def __init__(
        self,
        url: str,
        prefix: str = "live",
        timeout: float = 5.0,
        presence_ttl: float = PRESENCE_TTL,
        max_connections: int = 32,
    ) -> None:
        # commands time out so that a hung Redis never stalls the event loop for long; a vote
        # storm waits its turn for one of a bounded number of connections
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            decode_responses=True,
            health_check_interval=10,
        )
        # Any: redis-py's types cannot say that decode_responses=True answers with str
        self.redis: Any = redis.Redis(connection_pool=pool)
        self.prefix = prefix
        self.presence_ttl = presence_ttl
        lua = resources.files("live.store") / "lua"
        self._scripts = {
            name: self.redis.register_script((lua / f"{name}.lua").read_text()) for name in SCRIPTS
        }

    # -- keys -----------------------------------------------------------------------------------
    def _w(self, code: str) -> str:
        return f"{self.prefix}:{{{code}}}"

    def _run(self, script: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        return self._scripts[script](keys=list(keys), args=list(args))

    # -- webinars -------------------------------------------------------------------------------
    def create_webinar(self, webinar: Webinar, moderator_key: str, polls: Sequence[Poll]) -> bool:
        w = self._w(webinar.code)
        fields = {
            **_details(webinar),
            "programmes": json.dumps([p.__dict__ for p in webinar.programmes]),
            "premoderation": int(webinar.settings.premoderation),
            "max_question_length": webinar.settings.max_question_length,
            "ask_names": int(webinar.settings.ask_names),
            "follow_up": int(webinar.settings.follow_up),
            "moderator_key": moderator_key,
        }
        encoded = [
            {
                "prompt": p.prompt,
                "kind": p.kind,
                "options": json.dumps(p.options),
                "state": p.state,
                "results_visible": str(int(p.results_visible)),
                "collects_emails": str(int(p.collects_emails)),
            }
            for p in polls
        ]
        keys = [f"{w}:webinar", f"{self.prefix}:webinars", f"{self.prefix}:poll_ids", f"{w}:polls"]
        args = [webinar.code, json.dumps(fields), json.dumps(encoded), w]
        return bool(self._run("create_webinar", keys, args))

    def get_webinar(self, code: str) -> Webinar | None:
        row = self.redis.hgetall(f"{self._w(code)}:webinar")
        if not row:
            return None
        return Webinar(
            code=code,
            title=row["title"],
            description=row["description"],
            organiser=row["organiser"],
            starts_at=stored_time(row["starts_at"], row["timezone"]),
            ends_at=stored_time(row["ends_at"], row["timezone"]),
            programmes=tuple(Programme(**p) for p in json.loads(row["programmes"])),
            topics=tuple(json.loads(row.get("topics") or "[]")),
            settings=WebinarSettings(
                premoderation=row["premoderation"] == "1",
                max_question_length=int(row["max_question_length"]),
                ask_names=row["ask_names"] == "1",
                follow_up=row.get("follow_up") == "1",
            ),
        )

    def webinar_codes(self) -> list[str]:
        return sorted(self.redis.smembers(f"{self.prefix}:webinars"))

    def moderator_key(self, code: str) -> str | None:
        return self.redis.hget(f"{self._w(code)}:webinar", "moderator_key")  # type: ignore[no-any-return]

    def set_moderator_key(self, code: str, key: str) -> None:
        self._run("set_field_if_exists", [f"{self._w(code)}:webinar"], ["moderator_key", key])

    def update_settings(self, code: str, changes: dict[str, Any]) -> None:
        encoded = {k: int(v) if isinstance(v, bool) else v for k, v in changes.items()}
        self.redis.hset(f"{self._w(code)}:webinar", mapping=encoded)

    # -- questions ------------------------------------------------------------------------------
    def add_question(self, question: Question, idempotency_key: str | None = None) -> Question:
        w = self._w(question.webinar)
        args = [
            w,
            question.text,
            question.name or "",
            question.participant,
            question.created_at.isoformat(),
            question.status,
            "" if idempotency_key is None else f"{question.participant} {idempotency_key}",
            question.topic or "",
        ]
        keys = [f"{self.prefix}:question_ids", f"{w}:questions", f"{w}:asked"]
        question_id = self._run("add_question", keys, args)
        return self.questions(question.webinar, [int(question_id)])[0]

    def _hashes(
        self, code: str, index: str, kind: str, ids: Iterable[int] | None
    ) -> list[tuple[int, dict[str, str]]]:
        """Read the hashes of a webinar's questions or polls (all in the index, or ``ids``) in
        one round trip; those that do not exist are left out."""
        w = self._w(code)
        wanted = (
            [int(i) for i in self.redis.zrange(f"{w}:{index}", 0, -1)]
            if ids is None
            else sorted(set(ids))
        )
        pipe = self.redis.pipeline(transaction=False)
        for object_id in wanted:
            pipe.hgetall(f"{w}:{kind}:{object_id}")
        return [(i, row) for i, row in zip(wanted, pipe.execute(), strict=True) if row]

    def questions(self, code: str, ids: Iterable[int] | None = None) -> list[Question]:
        return [_question(code, qid, row) for qid, row in self._hashes(code, "questions", "q", ids)]

    def set_status(
        self,
        code: str,
        question_id: int,
        status: str,
        only_from: Iterable[str],
        reason: str | None = None,
    ) -> Question | None:
        w = self._w(code)
        stays = "1" if status in ON_AIR_STATUSES else "0"
        keys = [f"{w}:q:{question_id}", f"{w}:webinar"]
        args = [question_id, status, stays, reason or "", *sorted(set(only_from))]
        if not self._run("set_status", keys, args):
            return None
        return self.questions(code, [question_id])[0]

    def merge_question(
        self, code: str, source_id: int, target_id: int
    ) -> tuple[Question, Question] | None:
        if source_id == target_id:
            return None
        w = self._w(code)
        keys = [
            f"{w}:q:{source_id}",
            f"{w}:q:{target_id}",
            f"{w}:q:{source_id}:upvoters",
            f"{w}:q:{target_id}:upvoters",
            f"{w}:q:{source_id}:askers",
            f"{w}:q:{target_id}:askers",
            f"{w}:webinar",
        ]
        args = [source_id, target_id, ",".join(sorted(MERGE_FROM)), ",".join(sorted(MERGE_INTO))]
        if not self._run("merge", keys, args):
            return None
        now = {q.id: q for q in self.questions(code, [source_id, target_id])}
        return now[source_id], now[target_id]

    def update_webinar(self, webinar: Webinar) -> bool:
        key = f"{self._w(webinar.code)}:webinar"
        pairs = [item for field in _details(webinar).items() for item in field]
        return bool(self._run("set_field_if_exists", [key], pairs))

    def delete_webinar(self, code: str) -> bool:
        w = self._w(code)
        if not self.redis.exists(f"{w}:webinar"):
            return False
        # every key of a webinar starts with its prefix ("live:{code}:"): they go in batches
        batch = []
        for key in self.redis.scan_iter(match=f"{w}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                self.redis.unlink(*batch)
                batch = []
        if batch:
            self.redis.unlink(*batch)
        self.redis.srem(f"{self.prefix}:webinars", code)
        return True

    def set_interest(
        self, code: str, poll_id: int, participant: str, email: str | None, at: datetime
    ) -> bool:
        w = self._w(code)
        if not self.redis.exists(f"{w}:poll:{poll_id}"):
            return False
        key = f"{w}:poll:{poll_id}:interest"
        if email is None:
            self.redis.hdel(key, participant)
        else:
            self.redis.hset(key, participant, json.dumps([email, at.isoformat()]))
        return True

    def interests(self, code: str, poll_id: int) -> dict[str, tuple[str, datetime]]:
        kept = self.redis.hgetall(f"{self._w(code)}:poll:{poll_id}:interest")
        return {
            participant: (email, datetime.fromisoformat(at))
            for participant, (email, at) in ((p, json.loads(v)) for p, v in kept.items())
        }

    def interest_of(self, code: str, participant: str) -> dict[int, str]:
        w = self._w(code)
        ids = [int(i) for i in self.redis.zrange(f"{w}:polls", 0, -1)]
        pipe = self.redis.pipeline(transaction=False)
        for poll_id in ids:
            pipe.hget(f"{w}:poll:{poll_id}:interest", participant)
        return {
            poll_id: json.loads(value)[0]
            for poll_id, value in zip(ids, pipe.execute(), strict=True)
            if value
        }

    def next_moderator_number(self, code: str) -> int:
        return int(self.redis.hincrby(f"{self._w(code)}:webinar", "moderators", 1))

    def log_action(self, entry: LogEntry) -> LogEntry:
        w = self._w(entry.webinar)
        entry_id = int(self.redis.incr(f"{w}:log_ids"))
        record = {
            "id": entry_id,
            "at": entry.at.isoformat(),
            "moderator": entry.moderator,
            "action": entry.action,
            "target": entry.target,
            "detail": entry.detail,
        }
        self.redis.rpush(f"{w}:log", json.dumps(record))
        return LogEntry(
            entry_id,
            entry.webinar,
            entry.at,
            entry.moderator,
            entry.action,
            entry.target,
            entry.detail,
        )

    def moderation_log(self, code: str, last: int | None = None) -> list[LogEntry]:
        start = 0 if last is None else -last
        records = [json.loads(r) for r in self.redis.lrange(f"{self._w(code)}:log", start, -1)]
        # ids come from a counter incremented before the push: sort in case two pushes crossed
        return sorted(
            (
                LogEntry(
                    id=r["id"],
                    webinar=code,
                    at=datetime.fromisoformat(r["at"]),
                    moderator=r["moderator"],
                    action=r["action"],
                    target=r["target"],
                    detail=r["detail"],
                )
                for r in records
            ),
            key=lambda e: e.id,
        )

    def set_topics(self, code: str, topics: Sequence[str]) -> None:
        self.redis.hset(f"{self._w(code)}:webinar", "topics", json.dumps(list(topics)))

    def set_topic(self, code: str, question_id: int, topic: str | None) -> Question | None:
        key = f"{self._w(code)}:q:{question_id}"
        if not self._run("set_field_if_exists", [key], ["topic", topic or ""]):
            return None
        return self.questions(code, [question_id])[0]

    def set_reply(self, code: str, question_id: int, reply: str | None) -> Question | None:
        key = f"{self._w(code)}:q:{question_id}"
        if not self._run("set_field_if_exists", [key], ["reply", reply or ""]):
            return None
        return self.questions(code, [question_id])[0]

    def edit_question(self, code: str, question_id: int, text: str) -> Question | None:
        if not self._run(
            "set_field_if_exists", [f"{self._w(code)}:q:{question_id}"], ["text", text]
        ):
            return None
        return self.questions(code, [question_id])[0]

    def upvote(self, code: str, question_id: int, participant: str, up: bool) -> bool:
        w = self._w(code)
        keys = [f"{w}:q:{question_id}", f"{w}:q:{question_id}:upvoters"]
        return bool(self._run("upvote", keys, [participant, "1" if up else "0"]))

    def upvoted(self, code: str, participant: str) -> set[int]:
        w = self._w(code)
        ids = [int(i) for i in self.redis.zrange(f"{w}:questions", 0, -1)]
        pipe = self.redis.pipeline(transaction=False)
        for question_id in ids:
            pipe.sismember(f"{w}:q:{question_id}:upvoters", participant)
        return {qid for qid, member in zip(ids, pipe.execute(), strict=True) if member}

    def on_air(self, code: str) -> int | None:
        value = self.redis.hget(f"{self._w(code)}:webinar", "on_air")
        return int(value) if value else None

    def set_on_air(self, code: str, question_id: int | None) -> bool:
        w = self._w(code)
        keys = [f"{w}:webinar", f"{w}:q:{question_id or 0}"]
        args = ["" if question_id is None else question_id, *sorted(ON_AIR_STATUSES)]
        return bool(self._run("set_on_air", keys, args))

    # -- polls ----------------------------------------------------------------------------------
    def add_poll(self, poll: Poll) -> Poll:
        w = self._w(poll.webinar)
        poll_id = int(self.redis.incr(f"{self.prefix}:poll_ids"))
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                f"{w}:poll:{poll_id}",
                mapping={
                    "prompt": poll.prompt,
                    "kind": poll.kind,
                    "options": json.dumps(poll.options),
                    "state": poll.state,
                    "results_visible": int(poll.results_visible),
                    "collects_emails": int(poll.collects_emails),
                },
            )
            pipe.zadd(f"{w}:polls", {str(poll_id): poll_id})
            pipe.execute()
        return self.polls(poll.webinar, [poll_id])[0]

    def polls(self, code: str, ids: Iterable[int] | None = None) -> list[Poll]:
        return [_poll(code, pid, row) for pid, row in self._hashes(code, "polls", "poll", ids)]

    def set_poll_state(
        self,
        code: str,
        poll_id: int,
        state: str,
        only_from: Iterable[str],
        closes_at: datetime | None = None,
    ) -> Poll | None:
        key = f"{self._w(code)}:poll:{poll_id}"
        deadline = closes_at.isoformat() if closes_at else ""
        if not self._run("set_poll_state", [key], [state, deadline, *sorted(set(only_from))]):
            return None
        return self.polls(code, [poll_id])[0]

    def set_results_visible(self, code: str, poll_id: int, visible: bool) -> Poll | None:
        key = f"{self._w(code)}:poll:{poll_id}"
        if not self._run("set_field_if_exists", [key], ["results_visible", int(visible)]):
            return None
        return self.polls(code, [poll_id])[0]

    def cast_vote(self, code: str, poll_id: int, participant: str, options: Sequence[int]) -> bool:
        p = f"{self._w(code)}:poll:{poll_id}"
        keys = [p, f"{p}:ballots", f"{p}:counts"]
        return bool(self._run("cast_vote", keys, [participant, json.dumps(list(options))]))

    def set_shown_answers(self, code: str, poll_id: int, shown: Sequence[str]) -> Poll | None:
        key = f"{self._w(code)}:poll:{poll_id}"
        if not self._run("set_field_if_exists", [key], ["shown", json.dumps(list(shown))]):
            return None
        return self.polls(code, [poll_id])[0]

    def set_answer(self, code: str, poll_id: int, participant: str, answer: Sequence[str]) -> bool:
        w = self._w(code)
        keys = [f"{w}:poll:{poll_id}", f"{w}:poll:{poll_id}:answers"]
        return bool(self._run("set_answer", keys, [participant, json.dumps(list(answer))]))

    def answers(self, code: str, poll_id: int) -> list[tuple[str, ...]]:
        kept = self.redis.hvals(f"{self._w(code)}:poll:{poll_id}:answers")
        return [tuple(json.loads(value)) for value in kept]

    def results(self, code: str, poll_id: int) -> PollResults:
        p = f"{self._w(code)}:poll:{poll_id}"
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hget(p, "options")
            pipe.hgetall(f"{p}:counts")
            pipe.hlen(f"{p}:ballots")
            options, counts, voters = pipe.execute()
        return PollResults(
            counts=tuple(int(counts.get(str(i), 0)) for i in range(len(json.loads(options)))),
            voters=int(voters),
        )

    def ballots(self, code: str, participant: str) -> dict[int, tuple[int, ...]]:
        w = self._w(code)
        ids = [int(i) for i in self.redis.zrange(f"{w}:polls", 0, -1)]
        pipe = self.redis.pipeline(transaction=False)
        for poll_id in ids:
            pipe.hget(f"{w}:poll:{poll_id}:ballots", participant)
        return {
            pid: tuple(json.loads(ballot))
            for pid, ballot in zip(ids, pipe.execute(), strict=True)
            if ballot
        }

    # -- presence -------------------------------------------------------------------------------
    def join(self, code: str, connection: str, participant: str) -> None:
        self.refresh(code, {connection: participant})

    def leave(self, code: str, connection: str) -> None:
        w = self._w(code)
        self._run("leave", [f"{w}:online", f"{w}:online:connections"], [connection])

    def refresh(self, code: str, connections: dict[str, str]) -> None:
        # an expiry time per connection: a crashed process's attendees stop counting by themselves
        if connections:
            w = self._w(code)
            expires = time.time() + self.presence_ttl
            with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(f"{w}:online:connections", mapping=connections)
                pipe.zadd(
                    f"{w}:online", {f"{p} {conn}": expires for conn, p in connections.items()}
                )
                pipe.execute()

    def online(self, code: str) -> int:
        w = self._w(code)
        return int(self._run("online", [f"{w}:online", f"{w}:online:connections"], [time.time()]))

    # -- service --------------------------------------------------------------------------------
    def shared_secret(self, candidate: str, name: str = "secret_key") -> str | None:
        key = f"{self.prefix}:{name}"
        self.redis.set(key, candidate, nx=True)
        return self.redis.get(key)  # type: ignore[no-any-return]

    def rate_limiter(self, name: str, limit: int, period: float = 60.0) -> Any:
        """A limiter whose budgets all processes on this Redis share."""
        return SharedRateLimiter(self, name, limit, period)

    def take_token(self, bucket: str, limit: int, period: float, take: bool) -> bool:
        key = f"{self.prefix}:limit:{bucket}"
        return bool(self._run("take_token", [key], [limit, period, int(take)]))

    def ping(self) -> None:
        self.redis.ping()

    def close(self) -> None:
        self.redis.close()
        # a pool passed to the client is not the client's to close: disconnect its connections
        self.redis.connection_pool.disconnect()


# every public verb turns an unreachable Redis into StoreUnavailable
for _name, _method in list(vars(RedisStore).items()):
    if callable(_method) and not _name.startswith("_"):
        setattr(RedisStore, _name, _guarded(_method))


class SharedRateLimiter:
    """``limits.RateLimiter``'s interface, with each budget kept in Redis: an address gets the
    same budget however many processes behind the proxy it reaches."""

    def __init__(self, store: RedisStore, name: str, limit: int, period: float) -> None:
        self.store = store
        self.name = name
        self.limit = limit
        self.period = period

    def allow(self, key: str) -> bool:
        """Take one token for ``key``; say whether there was one."""
        if self.limit <= 0:
            return True
        return self.store.take_token(f"{self.name}:{key}", self.limit, self.period, take=True)

    def blocked(self, key: str) -> bool:
        """Say whether ``key`` has no token left, without taking one."""
        if self.limit <= 0:
            return False
        return not self.store.take_token(f"{self.name}:{key}", self.limit, self.period, take=False)


def _details(webinar: Webinar) -> dict[str, str]:
    """A webinar's details as its hash keeps them (what creating and editing it write)."""
    return {
        "title": webinar.title,
        "description": webinar.description,
        "organiser": webinar.organiser,
        "starts_at": webinar.starts_at.isoformat(),
        "ends_at": webinar.ends_at.isoformat(),
        "timezone": str(webinar.starts_at.tzinfo),
        "topics": json.dumps(list(webinar.topics)),
    }


def _question(code: str, question_id: int, row: dict[str, str]) -> Question:
    return Question(
        id=question_id,
        webinar=code,
        text=row["text"],
        name=row["name"] or None,
        participant=row["participant"],
        created_at=datetime.fromisoformat(row["created_at"]),
        status=row["status"],
        upvotes=int(row["upvotes"]),
        reason=row.get("reason") or None,
        merged_into=int(row["merged_into"]) if row.get("merged_into") else None,
        asked_by=int(row.get("asked_by") or 1),
        reply=row.get("reply") or None,
        topic=row.get("topic") or None,
    )


def _poll(code: str, poll_id: int, row: dict[str, str]) -> Poll:
    return Poll(
        id=poll_id,
        webinar=code,
        prompt=row["prompt"],
        kind=row["kind"],
        options=tuple(json.loads(row["options"])),
        state=row["state"],
        results_visible=row["results_visible"] == "1",
        closes_at=datetime.fromisoformat(row["closes_at"]) if row.get("closes_at") else None,
        collects_emails=row.get("collects_emails") == "1",
        shown=tuple(json.loads(row.get("shown") or "[]")),
    )
