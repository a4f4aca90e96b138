"""Shared state for several server processes: every verb is one Lua script or one read on Redis.

Keys are namespaced per webinar with a hash tag (``live:{nets4dem}:q:12``), so that each webinar
lives on one slot; the Lua scripts are package data (``lua/*.lua``), loaded once and run by hash.
Questions, polls and webinars are hashes whose fields the codec derives from the dataclasses; one
script changes any of them under a precondition. A Redis that cannot be reached turns every call
into ``StoreUnavailable`` within the command timeout; nothing is written half-way.
"""

from __future__ import annotations

import functools
import json
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from importlib import resources
from typing import Any, TypeVar

import redis

from ..domain import LogEntry, Personal, Poll, PollResults, Question, Webinar
from . import Changes, Condition, Later, Store, StoreUnavailable, created_fields
from .codec import LOG, POLLS, QUESTIONS, WEBINARS, Codec

# a connection of a crashed process stops counting as online after this many seconds
PRESENCE_TTL = 30.0
SCRIPTS = (
    "add",
    "change",
    "create_webinar",
    "increment",
    "keep",
    "leave",
    "log",
    "merge",
    "online",
    "personal",
    "refresh",
    "take_token",
    "upvote",
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


def _hash(codec: Codec[Any], values: Mapping[str, Any]) -> dict[str, str | None]:
    """Return fields as a hash keeps them: text, or None for a field to delete."""
    return {k: None if v is None else str(v) for k, v in codec.encode(values).items()}


def _tests(codec: Codec[Any], only_if: Condition) -> str:
    """Return a precondition as the scripts read it (see ``lua/meets.lua``)."""
    tests: dict[str, Any] = {}
    for name, test in (only_if or {}).items():
        if isinstance(test, Later):
            tests[name] = {"after": codec.value(name, test.moment)}
        else:
            stored = (codec.value(name, value) for value in test)
            tests[name] = {"in": ["" if v is None else str(v) for v in stored]}
    return json.dumps(tests)


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
        # every script starts with the shared precondition check
        meets = (lua / "meets.lua").read_text()
        self._scripts = {
            name: self.redis.register_script(meets + (lua / f"{name}.lua").read_text())
            for name in SCRIPTS
        }

    # -- keys -----------------------------------------------------------------------------------
    def _w(self, code: str) -> str:
        return f"{self.prefix}:{{{code}}}"

    def _run(self, script: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        return self._scripts[script](keys=list(keys), args=list(args))

    def _hashes(
        self, code: str, index: str, kind: str, ids: Iterable[int] | None
    ) -> list[dict[str, Any]]:
        """Read the hashes of a webinar's questions or polls (all in the index, or ``ids``) in
        one round trip, as records; those that do not exist are left out."""
        w = self._w(code)
        wanted = (
            [int(i) for i in self.redis.zrange(f"{w}:{index}", 0, -1)]
            if ids is None
            else sorted(set(ids))
        )
        pipe = self.redis.pipeline(transaction=False)
        for object_id in wanted:
            pipe.hgetall(f"{w}:{kind}:{object_id}")
        codec = QUESTIONS if kind == "q" else POLLS
        return [
            {"id": i, "webinar": code, **codec.decode(row)}
            for i, row in zip(wanted, pipe.execute(), strict=True)
            if row
        ]

    def _change(
        self,
        codec: Codec[Any],
        code: str,
        key: str,
        changes: Changes,
        only_if: Condition,
        air: str = "",
        record_id: int = 0,
    ) -> bool:
        args = [json.dumps(_hash(codec, changes)), _tests(codec, only_if), air, record_id]
        return bool(self._run("change", [key, f"{self._w(code)}:webinar"], args))

    # -- webinars -------------------------------------------------------------------------------
    def create_webinar(self, webinar: Webinar, moderator_key: str, polls: Sequence[Poll]) -> bool:
        w = self._w(webinar.code)
        fields = {**created_fields(webinar), "moderator_key": moderator_key}
        encoded = [_hash(POLLS, POLLS.fields_of(p)) for p in polls]
        keys = [f"{w}:webinar", f"{self.prefix}:webinars", f"{self.prefix}:poll_ids", f"{w}:polls"]
        args = [webinar.code, json.dumps(_present(_hash(WEBINARS, fields)))]
        args += [json.dumps([_present(p) for p in encoded]), f"{w}:poll:"]
        return bool(self._run("create_webinar", keys, args))

    def get_webinar(self, code: str) -> Webinar | None:
        row = self.redis.hgetall(f"{self._w(code)}:webinar")
        return WEBINARS.build({"code": code, **WEBINARS.decode(row)}) if row else None

    def webinar_codes(self) -> list[str]:
        return sorted(self.redis.smembers(f"{self.prefix}:webinars"))

    def webinar_field(self, code: str, name: str) -> Any:
        WEBINARS.check({name: None})
        raw = self.redis.hget(f"{self._w(code)}:webinar", name)
        return None if raw is None else WEBINARS.read(name, raw)

    def change_webinar(self, code: str, changes: Changes, only_if: Condition = None) -> bool:
        return self._change(WEBINARS, code, f"{self._w(code)}:webinar", changes, only_if)

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

    # -- questions ------------------------------------------------------------------------------
    def add_question(
        self, question: Question, idempotency_key: str | None = None
    ) -> Question | None:
        w = self._w(question.webinar)
        fields = _present(_hash(QUESTIONS, {**QUESTIONS.fields_of(question), "upvotes": 0}))
        asked = "" if idempotency_key is None else f"{question.participant} {idempotency_key}"
        keys = [f"{self.prefix}:question_ids", f"{w}:questions", f"{w}:webinar", f"{w}:asked"]
        question_id = int(self._run("add", keys, [f"{w}:q:", json.dumps(fields), asked]))
        return self._question(question.webinar, question_id)

    def _question(self, code: str, question_id: int) -> Question | None:
        found = self.questions(code, [question_id]) if question_id else []
        return found[0] if found else None

    def asked(self, code: str, participant: str, idempotency_key: str) -> Question | None:
        earlier = self.redis.hget(f"{self._w(code)}:asked", f"{participant} {idempotency_key}")
        return self._question(code, int(earlier)) if earlier else None

    def questions(self, code: str, ids: Iterable[int] | None = None) -> list[Question]:
        return [QUESTIONS.build(r) for r in self._hashes(code, "questions", "q", ids)]

    def change_question(
        self,
        code: str,
        question_id: int,
        changes: Changes,
        only_if: Condition = None,
        air: bool | None = None,
    ) -> Question | None:
        key = f"{self._w(code)}:q:{question_id}"
        on_air = "" if air is None else str(int(air))
        if not self._change(QUESTIONS, code, key, changes, only_if, on_air, question_id):
            return None
        return self._question(code, question_id)

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
        w = self._w(code)
        # B's and A's hashes, upvoters and askers (in that order), then the webinar
        keys = [
            f"{w}:q:{i}{kind}"
            for kind in ("", ":upvoters", ":askers")
            for i in (source_id, target_id)
        ]
        keys.append(f"{w}:webinar")
        tests = [_tests(QUESTIONS, only_if), _tests(QUESTIONS, into_if)]
        if not self._run("merge", keys, [source_id, target_id, *tests]):
            return None
        now = {q.id: q for q in self.questions(code, [source_id, target_id])}
        return now[source_id], now[target_id]

    def upvote(
        self, code: str, question_id: int, participant: str, up: bool, only_if: Condition = None
    ) -> bool | None:
        w = self._w(code)
        keys = [f"{w}:q:{question_id}", f"{w}:q:{question_id}:upvoters"]
        args = [_tests(QUESTIONS, only_if), participant, "1" if up else "0"]
        changed = int(self._run("upvote", keys, args))
        return None if changed < 0 else bool(changed)

    def upvoted(self, code: str, participant: str) -> set[int]:
        w = self._w(code)
        ids = [int(i) for i in self.redis.zrange(f"{w}:questions", 0, -1)]
        pipe = self.redis.pipeline(transaction=False)
        for question_id in ids:
            pipe.sismember(f"{w}:q:{question_id}:upvoters", participant)
        return {qid for qid, member in zip(ids, pipe.execute(), strict=True) if member}

    # -- polls ----------------------------------------------------------------------------------
    def add_poll(self, poll: Poll) -> Poll | None:
        w = self._w(poll.webinar)
        fields = json.dumps(_present(_hash(POLLS, POLLS.fields_of(poll))))
        keys = [f"{self.prefix}:poll_ids", f"{w}:polls", f"{w}:webinar", f"{w}:asked"]
        poll_id = int(self._run("add", keys, [f"{w}:poll:", fields, ""]))
        found = self.polls(poll.webinar, [poll_id]) if poll_id else []
        return found[0] if found else None

    def polls(self, code: str, ids: Iterable[int] | None = None) -> list[Poll]:
        return [POLLS.build(r) for r in self._hashes(code, "polls", "poll", ids)]

    def change_poll(
        self, code: str, poll_id: int, changes: Changes, only_if: Condition = None
    ) -> Poll | None:
        key = f"{self._w(code)}:poll:{poll_id}"
        if not self._change(POLLS, code, key, changes, only_if):
            return None
        found = self.polls(code, [poll_id])
        return found[0] if found else None

    def _keep(
        self, code: str, poll_id: int, kind: str, participant: str, entry: str, tests: str
    ) -> bool:
        p = f"{self._w(code)}:poll:{poll_id}"
        keys = [p, f"{p}:{kind}", f"{p}:counts"]
        return bool(self._run("keep", keys, [tests, participant, entry, int(kind == "ballots")]))

    def cast_vote(
        self,
        code: str,
        poll_id: int,
        participant: str,
        choice: Sequence[Any],
        only_if: Condition = None,
        typed: bool = False,
    ) -> bool:
        kind = "answers" if typed else "ballots"
        tests = _tests(POLLS, only_if)
        return self._keep(code, poll_id, kind, participant, json.dumps(list(choice)), tests)

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
        if options is None:
            return PollResults(counts=(), voters=0)
        return PollResults(
            counts=tuple(int(counts.get(str(i), 0)) for i in range(len(json.loads(options)))),
            voters=int(voters),
        )

    def ballots(self, code: str, participant: str) -> dict[int, tuple[int, ...]]:
        return {p: tuple(v) for p, v in self._per_poll("ballots", code, participant).items()}

    def answers_of(self, code: str, participant: str) -> dict[int, tuple[str, ...]]:
        return {p: tuple(v) for p, v in self._per_poll("answers", code, participant).items()}

    def _per_poll(self, kind: str, code: str, participant: str) -> dict[int, Any]:
        """Return one participant's entries of one kind in each poll of the webinar."""
        w = self._w(code)
        ids = [int(i) for i in self.redis.zrange(f"{w}:polls", 0, -1)]
        pipe = self.redis.pipeline(transaction=False)
        for poll_id in ids:
            pipe.hget(f"{w}:poll:{poll_id}:{kind}", participant)
        return {
            poll_id: json.loads(value)
            for poll_id, value in zip(ids, pipe.execute(), strict=True)
            if value
        }

    def set_interest(
        self, code: str, poll_id: int, participant: str, email: str | None, at: datetime
    ) -> bool:
        entry = "" if email is None else json.dumps([email, at.isoformat()])
        return self._keep(code, poll_id, "interest", participant, entry, "{}")

    def interests(self, code: str, poll_id: int) -> dict[str, tuple[str, datetime]]:
        kept = self.redis.hgetall(f"{self._w(code)}:poll:{poll_id}:interest")
        return {
            participant: (email, datetime.fromisoformat(at))
            for participant, (email, at) in ((p, json.loads(v)) for p, v in kept.items())
        }

    def interest_of(self, code: str, participant: str) -> dict[int, str]:
        return {p: kept[0] for p, kept in self._per_poll("interest", code, participant).items()}

    # -- moderators -----------------------------------------------------------------------------
    def next_moderator_number(self, code: str) -> int:
        return int(self._run("increment", [f"{self._w(code)}:webinar"], ["moderators"]))

    def log_action(self, entry: LogEntry) -> LogEntry | None:
        w = self._w(entry.webinar)
        record = json.dumps(LOG.encode(LOG.fields_of(entry)))
        entry_id = int(self._run("log", [f"{w}:webinar", f"{w}:log_ids", f"{w}:log"], [record]))
        return replace(entry, id=entry_id) if entry_id else None

    def moderation_log(self, code: str, last: int | None = None) -> list[LogEntry]:
        start = 0 if last is None else -last
        records = [json.loads(r) for r in self.redis.lrange(f"{self._w(code)}:log", start, -1)]
        # ids come from a counter incremented in the same script as the push: sorted anyway
        entries = [LOG.build({"webinar": code, **LOG.decode(r), "id": r["id"]}) for r in records]
        return sorted(entries, key=lambda e: e.id)

    # -- personal data --------------------------------------------------------------------------
    def _personal(
        self, code: str, participant: str | None, remove: bool, at: datetime | None = None
    ) -> Personal | None:
        w = self._w(code)
        keys = [f"{w}:webinar", f"{w}:questions", f"{w}:polls", f"{w}:asked", f"{w}:forgotten"]
        when = _hash(WEBINARS, {"purged_at": at})["purged_at"] or ""
        args = [w, participant or "", int(remove), secrets.token_hex(16), when]
        found = self._run("personal", keys, args)
        return None if found is None else Personal(*(int(n) for n in found))

    def personal_data(self, code: str, participant: str | None = None) -> Personal:
        return self._personal(code, participant, False) or Personal()

    def remove_personal(
        self, code: str, participant: str | None = None, at: datetime | None = None
    ) -> Personal | None:
        return self._personal(code, participant, True, at)

    def forgotten(self, code: str, participant: str) -> bool:
        return bool(self.redis.sismember(f"{self._w(code)}:forgotten", participant))

    def try_lock(self, name: str, seconds: float) -> bool:
        """Take the lock if no process holds it: it expires after ``seconds``, never released,
        so that a job done by one process is not done again by another within that time."""
        key = f"{self.prefix}:lock:{name}"
        return bool(self.redis.set(key, str(time.time()), nx=True, px=int(seconds * 1000)))

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
            keys = [f"{w}:webinar", f"{w}:online", f"{w}:online:connections"]
            pairs = [item for connection in connections.items() for item in connection]
            self._run("refresh", keys, [time.time() + self.presence_ttl, *pairs])

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


def _present(fields: Mapping[str, str | None]) -> dict[str, str]:
    """Leave out the fields without a value (a new record does not store them)."""
    return {k: v for k, v in fields.items() if v is not None}
