"""The storage interface every backend implements, and the factory that picks one by URL.

The rules (which transitions exist, when a poll is open, what may be merged) are decided by the
domain and the service; a store applies the result in one atomic step. Plain field changes go
through one generic update per kind of record (``change_webinar``, ``change_question``,
``change_poll``) with an optional precondition checked in the same step (compare-and-set); writes
that collide (upvotes, votes, merges, new questions, tokens) are verbs of their own. Every verb on
a webinar, question or poll that does not exist returns None, False or nothing, and writes nothing.

The interface says what; ``local.py`` (one process: memory, SQLite) and ``redis.py`` say how.
"""

from __future__ import annotations

import hashlib
import secrets
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..domain import (
    LogEntry,
    Personal,
    Poll,
    PollResults,
    Question,
    Screen,
    Webinar,
    stored_screen,
)
from .codec import WEBINARS, stored_time

__all__ = ["Later", "Store", "StoreUnavailable", "store_from_url", "stored_time"]


class StoreUnavailable(Exception):
    """The backend cannot be reached; the write was not made."""


@dataclass(frozen=True)
class Later:
    """A precondition on a time field: it is unset, or later than ``moment``."""

    moment: datetime


# a precondition: field -> the values it may have (or Later), all checked with the write; None:
# no precondition
Condition = Mapping[str, Collection[Any] | Later] | None
# fields to change -> their new values
Changes = Mapping[str, Any]
# the fields of a webinar that are its details (what editing a webinar changes)
SETTINGS = {name for name, c in WEBINARS.columns.items() if c.parent == "settings"}
# the privacy notice's facts and the retention period (the webinar file's [privacy] table)
PRIVACY = tuple(name for name, c in WEBINARS.columns.items() if c.parent == "privacy")
DETAILS = (
    "title",
    "description",
    "organiser",
    "starts_at",
    "ends_at",
    "topics",
    "accent",
    "logo",
    "passcode",
    "language",
    "translations",
    *PRIVACY,
)
# what a participant id becomes once unlinked from its person: "~" and 16 hex digits, a keyed
# hash whose key is thrown away (no participant token starts with "~")
ANONYMOUS = "~"


def anonymous_id(salt: str, where: str, participant: str) -> str:
    """Return the anonymous id an entry of ``participant`` in ``where`` (a question's upvotes, a
    poll's ballots) gets in a purge or "forget me" whose random ``salt`` is then thrown away."""
    digest = hashlib.sha1(f"{salt}{where}\0{participant}".encode()).hexdigest()
    return ANONYMOUS + digest[:16]


def is_person(participant: str | None, only: str | None = None) -> bool:
    """Say whether a stored participant id is a person's (``only``: that person's) rather than
    an anonymous id or an author link already removed."""
    if not participant or participant.startswith(ANONYMOUS):
        return False
    return only is None or participant == only


def created_fields(webinar: Webinar) -> dict[str, Any]:
    """Return the stored fields of a webinar being created, with a generation of its own."""
    return WEBINARS.fields_of(replace(webinar, generation=secrets.token_hex(8)))


def meets(record: Mapping[str, Any], only_if: Condition) -> bool:
    """Say whether a record (its fields as Python values) meets a precondition."""
    for name, test in (only_if or {}).items():
        value = record.get(name)
        if isinstance(test, Later):
            if value is not None and value <= test.moment:
                return False
        elif value not in test:
            return False
    return True


class Store(ABC):
    """Webinars, their questions, upvotes, polls, ballots and who is online."""

    kind: str = "abstract"

    # -- webinars -------------------------------------------------------------------------------
    @abstractmethod
    def create_webinar(self, webinar: Webinar, moderator_key: str, polls: Sequence[Poll]) -> bool:
        """Create a webinar with its draft polls; return False (and change nothing) if it exists."""

    @abstractmethod
    def get_webinar(self, code: str) -> Webinar | None:
        """Return the webinar with its current settings."""

    @abstractmethod
    def webinar_codes(self) -> list[str]:
        """Return every webinar's code, sorted."""

    @abstractmethod
    def webinar_field(self, code: str, name: str) -> Any:
        """Return one stored field of a webinar (``on_air``, ``moderator_key``…); None if there
        is no such webinar."""

    @abstractmethod
    def change_webinar(self, code: str, changes: Changes, only_if: Condition = None) -> bool:
        """Change fields of a webinar (its own, its settings' or those a store keeps beside it)
        if it exists and meets ``only_if``; say whether it did."""

    @abstractmethod
    def delete_webinar(self, code: str) -> bool:
        """Delete a webinar and everything of it: questions, upvotes, polls, ballots, email
        addresses, the moderation log, its key and who is online. False if there was none."""

    # -- questions ------------------------------------------------------------------------------
    @abstractmethod
    def add_question(
        self, question: Question, idempotency_key: str | None = None
    ) -> Question | None:
        """Store a new question (its ``id`` is ignored) and return it with the id it was given;
        None if its webinar does not exist.

        With an ``idempotency_key``, a second call by the same participant in the same webinar
        with the same key stores nothing and returns the question the first call stored (a
        client retrying after a timeout asks once).
        """

    @abstractmethod
    def asked(self, code: str, participant: str, idempotency_key: str) -> Question | None:
        """Return the question a participant stored with an idempotency key, if any."""

    @abstractmethod
    def questions(self, code: str, ids: Iterable[int] | None = None) -> list[Question]:
        """Return the webinar's questions (all, or those with the given ids), oldest first."""

    @abstractmethod
    def change_question(
        self,
        code: str,
        question_id: int,
        changes: Changes,
        only_if: Condition = None,
        air: bool | None = None,
    ) -> Question | None:
        """Change fields of a question if it exists and meets ``only_if``, and in the same step
        put it on air (``air`` True, replacing any other question and whatever the screen
        showed) or take it off air if it is there (False). Returns the question as it is now, or
        None if nothing was done."""

    @abstractmethod
    def merge_question(
        self,
        code: str,
        source_id: int,
        target_id: int,
        only_if: Condition = None,
        into_if: Condition = None,
    ) -> tuple[Question, Question] | None:
        """Merge question ``source_id`` (if it meets ``only_if``) into ``target_id`` (if it
        meets ``into_if``), in one step.

        The target keeps its text; its upvoters become the union of both questions' upvoters (one
        person counted once) and its askers the union of both questions' askers (``asked_by``).
        The source gets the status ``merged`` and ``merged_into`` = the target, loses its reason
        and leaves the air. Returns (source, target) as they are now, or None when either does
        not exist in the webinar or they are the same.
        """

    @abstractmethod
    def upvote(
        self, code: str, question_id: int, participant: str, up: bool, only_if: Condition = None
    ) -> bool | None:
        """Add (``up``) or remove the participant's upvote if the question meets ``only_if``.

        Returns whether anything changed, or None if the question does not exist or does not
        meet ``only_if``. The count changes in the same step: it always equals the upvoters.
        """

    @abstractmethod
    def upvoted(self, code: str, participant: str) -> set[int]:
        """Return the ids of the questions the participant has upvoted."""

    # -- polls ----------------------------------------------------------------------------------
    @abstractmethod
    def add_poll(self, poll: Poll) -> Poll | None:
        """Store a new poll (its ``id`` is ignored) and return it with the id it was given;
        None if its webinar does not exist."""

    @abstractmethod
    def polls(self, code: str, ids: Iterable[int] | None = None) -> list[Poll]:
        """Return the webinar's polls (all, or those with the given ids), in creation order."""

    @abstractmethod
    def change_poll(
        self, code: str, poll_id: int, changes: Changes, only_if: Condition = None
    ) -> Poll | None:
        """Change fields of a poll if it exists and meets ``only_if``; return it as it is now,
        or None if nothing was done."""

    @abstractmethod
    def cast_vote(
        self,
        code: str,
        poll_id: int,
        participant: str,
        choice: Sequence[Any],
        only_if: Condition = None,
        typed: bool = False,
    ) -> bool:
        """Record or replace the participant's ballot (option indexes) or, ``typed``, their
        answer (texts, or a ranking) if the poll meets ``only_if``; False if it does not or
        does not exist."""

    @abstractmethod
    def answers(self, code: str, poll_id: int) -> list[tuple[str, ...]]:
        """Return every voter's typed answer in a poll (no voter named)."""

    @abstractmethod
    def results(self, code: str, poll_id: int) -> PollResults:
        """Count the ballots of a poll (no counts and no voters if there is no such poll)."""

    @abstractmethod
    def ballots(self, code: str, participant: str) -> dict[int, tuple[int, ...]]:
        """Return the participant's ballot in each poll they voted in."""

    @abstractmethod
    def answers_of(self, code: str, participant: str) -> dict[int, tuple[str, ...]]:
        """Return the participant's typed answer (words, a text, a ranking) in each poll they
        answered."""

    @abstractmethod
    def set_interest(
        self, code: str, poll_id: int, participant: str, email: str | None, at: datetime
    ) -> bool:
        """Keep (or, with None, delete) the email address a voter left on a poll that collects
        them, with the moment they consented; False if the poll does not exist."""

    @abstractmethod
    def interests(self, code: str, poll_id: int) -> dict[str, tuple[str, datetime]]:
        """Return the addresses left on a poll: participant -> (email, when they consented)."""

    @abstractmethod
    def interest_of(self, code: str, participant: str) -> dict[int, str]:
        """Return the addresses one participant left, per poll id."""

    # -- moderators -----------------------------------------------------------------------------
    @abstractmethod
    def next_moderator_number(self, code: str) -> int:
        """Return the next number of a moderator of the webinar (1, 2, …), for the log; 0 if
        there is no such webinar."""

    @abstractmethod
    def log_action(self, entry: LogEntry) -> LogEntry | None:
        """Append a moderator action to the webinar's log; return it with its id (None if there
        is no such webinar)."""

    @abstractmethod
    def moderation_log(self, code: str, last: int | None = None) -> list[LogEntry]:
        """Return the webinar's log, oldest first (only the ``last`` entries if given)."""

    # -- personal data --------------------------------------------------------------------------
    @abstractmethod
    def personal_data(self, code: str, participant: str | None = None) -> Personal:
        """Count the personal data the webinar holds (of everyone, or of one participant):
        what ``remove_personal`` would remove. Nothing if there is no such webinar."""

    @abstractmethod
    def remove_personal(
        self, code: str, participant: str | None = None, at: datetime | None = None
    ) -> Personal | None:
        """Remove personal data in one step and return what was removed (None: no webinar).

        With ``participant`` None (the purge at the end of the retention period): every name on
        a question, every email address, and the link between participants and their questions,
        upvotes and ballots; the list of forgotten participants and the idempotency keys go too,
        and ``purged_at`` becomes ``at``. With a ``participant`` ("forget me"): the same for that
        participant only, whose token is then refused (``forgotten``).

        Counts, question texts and results stay: an upvote or a ballot keeps counting under an
        anonymous id (``ANONYMOUS`` and a hash whose key is thrown away, different per question
        and poll), so that nothing links it to anyone, nor to the same person's other entries.
        """

    @abstractmethod
    def forgotten(self, code: str, participant: str) -> bool:
        """Say whether the participant asked to be forgotten (their token is refused)."""

    def try_lock(self, name: str, seconds: float) -> bool:
        """Take an installation-wide lock for ``seconds`` (not released: it expires), so that of
        several processes one does a periodic job; True for stores that serve one process."""
        return True

    # -- presence -------------------------------------------------------------------------------
    @abstractmethod
    def join(self, code: str, connection: str, participant: str) -> None:
        """Record that an attendee's connection to an existing webinar is open."""

    @abstractmethod
    def leave(self, code: str, connection: str) -> None:
        """Record that an attendee's connection closed."""

    @abstractmethod
    def online(self, code: str) -> int:
        """Count the distinct attendees with at least one open connection."""

    def refresh(self, code: str, connections: dict[str, str]) -> None:
        """Confirm that this process's connections (connection -> participant) are still open.

        Backends shared by several processes let entries expire unless refreshed, so that the
        attendees of a crashed process stop counting as online; the others have nothing to do.
        """
        return None

    # -- derived from the verbs above ---------------------------------------------------------
    def has_webinar(self, code: str) -> bool:
        """Say whether the webinar exists."""
        return self.webinar_field(code, "moderator_key") is not None

    def moderator_key(self, code: str) -> str | None:
        """Return the webinar's moderator key."""
        return self.webinar_field(code, "moderator_key")  # type: ignore[no-any-return]

    def set_moderator_key(self, code: str, key: str) -> bool:
        """Replace the webinar's moderator key."""
        return self.change_webinar(code, {"moderator_key": key})

    def update_settings(self, code: str, changes: Changes) -> bool:
        """Set the given settings fields (and only those)."""
        if not set(changes) <= SETTINGS:
            raise ValueError(f"unknown settings {sorted(set(changes) - SETTINGS)}")
        return self.change_webinar(code, changes)

    def set_topics(self, code: str, topics: Sequence[str]) -> bool:
        """Replace the topics a webinar's questions can be tagged with."""
        return self.change_webinar(code, {"topics": tuple(topics)})

    def update_webinar(self, webinar: Webinar) -> bool:
        """Replace a webinar's details (title, description, organiser, times, time zone, topics,
        privacy facts), keeping its settings, questions and polls; False if there is none."""
        fields = WEBINARS.fields_of(webinar)
        return self.change_webinar(webinar.code, {name: fields[name] for name in DETAILS})

    def on_air(self, code: str) -> int | None:
        """Return the id of the question on air, if any."""
        return self.webinar_field(code, "on_air")  # type: ignore[no-any-return]

    def screen(self, code: str) -> Screen:
        """Return what the webinar's screen shows: the question on air, else the screen chosen
        last (a question goes on air with ``change_question(air=True)``, which replaces the
        screen in the same step; another screen is set with ``change_webinar`` and
        ``on_air`` None)."""
        # read in this order: a question put on air between the reads shows on the next change
        stored = self.webinar_field(code, "screen")
        return stored_screen(self.on_air(code), stored)

    def set_poll_state(
        self,
        code: str,
        poll_id: int,
        state: str,
        only_from: Iterable[str],
        closes_at: datetime | None = None,
    ) -> Poll | None:
        """Move a poll to ``state`` if its state is one of ``only_from``, with the moment it
        closes by itself (``closes_at``; None: untimed); None if it could not."""
        changes = {"state": state, "closes_at": closes_at}
        return self.change_poll(code, poll_id, changes, {"state": set(only_from)})

    # -- service --------------------------------------------------------------------------------
    def shared_secret(self, candidate: str, name: str = "secret_key") -> str | None:
        """Return the installation's secret ``name`` (the one that signs tokens, the admin key),
        kept in a store shared by several processes (the first process's ``candidate`` wins);
        None for stores that serve one process."""
        return None

    def rate_limiter(self, name: str, limit: int, period: float = 60.0) -> Any:
        """Return a rate limiter (``allow(key)``, ``blocked(key)``) for ``limit`` events per
        ``period`` seconds: shared by every process of a shared store, else this process's own."""
        from ..limits import RateLimiter

        return RateLimiter(limit, period)

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` if the backend cannot serve requests."""
        return None

    def close(self) -> None:
        """Release connections and files."""
        return None


def store_from_url(url: str) -> Store:
    """Open the store a URL names: ``memory://``, ``sqlite:///path``, ``redis://host:port/db``."""
    if url == "memory://":
        from .memory import MemoryStore

        return MemoryStore()
    if url.startswith("sqlite:///"):
        from .sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("redis://", "rediss://", "unix://")):
        from .redis import RedisStore

        return RedisStore(url)
    raise ValueError(f"unknown store URL {url!r}: use memory://, sqlite:///path or redis://host")
