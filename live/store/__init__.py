"""The storage interface every backend implements, and the factory that picks one by URL.

Each method is one atomic verb (never "read the whole object, change it, write it back"), so that
two handlers, or two server processes sharing a backend, can never lose each other's changes. The
interface says what; ``memory.py``, ``sqlite.py`` (and later ``redis.py``) say only how.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..domain import LogEntry, Poll, PollResults, Question, Webinar


class StoreUnavailable(Exception):
    """The backend cannot be reached; the write was not made."""


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
    def moderator_key(self, code: str) -> str | None:
        """Return the webinar's moderator key."""

    @abstractmethod
    def set_moderator_key(self, code: str, key: str) -> None:
        """Replace the webinar's moderator key."""

    @abstractmethod
    def update_settings(self, code: str, changes: dict[str, Any]) -> None:
        """Set the given settings fields (and only those)."""

    # -- questions ------------------------------------------------------------------------------
    @abstractmethod
    def add_question(self, question: Question, idempotency_key: str | None = None) -> Question:
        """Store a new question (its ``id`` is ignored) and return it with the id it was given.

        With an ``idempotency_key``, a second call by the same participant in the same webinar
        with the same key stores nothing and returns the question the first call stored (a
        client retrying after a timeout asks once).
        """

    @abstractmethod
    def questions(self, code: str, ids: Iterable[int] | None = None) -> list[Question]:
        """Return the webinar's questions (all, or those with the given ids), oldest first."""

    @abstractmethod
    def set_status(
        self,
        code: str,
        question_id: int,
        status: str,
        only_from: Iterable[str],
        reason: str | None = None,
    ) -> Question | None:
        """Move a question to ``status`` if its status is one of ``only_from``, with ``reason``
        (why it was dismissed; None clears it).

        A question that leaves the public statuses also leaves the air, in the same step. Returns
        the changed question, or None if it does not exist or was not in one of ``only_from``.
        """

    @abstractmethod
    def merge_question(
        self, code: str, source_id: int, target_id: int
    ) -> tuple[Question, Question] | None:
        """Merge question ``source_id`` into ``target_id``, in one step.

        The target keeps its text; its upvoters become the union of both questions' upvoters (one
        person counted once) and its askers the union of both questions' askers (``asked_by``).
        The source gets the status ``merged`` and ``merged_into`` = the target, and leaves the
        air. Returns (source, target) as they are now, or None when either does not exist in the
        webinar, they are the same, the source is not in ``MERGE_FROM`` or the target not in
        ``MERGE_INTO``.
        """

    @abstractmethod
    def update_webinar(self, webinar: Webinar) -> bool:
        """Replace a webinar's details (title, description, organiser, times, time zone, topics),
        keeping its settings, questions and polls; False if there is none."""

    @abstractmethod
    def delete_webinar(self, code: str) -> bool:
        """Delete a webinar and everything of it: questions, upvotes, polls, ballots, email
        addresses, the moderation log, its key and who is online. False if there was none."""

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

    @abstractmethod
    def next_moderator_number(self, code: str) -> int:
        """Return the next number of a moderator of the webinar (1, 2, …), for the log."""

    @abstractmethod
    def log_action(self, entry: LogEntry) -> LogEntry:
        """Append a moderator action to the webinar's log; return it with its id."""

    @abstractmethod
    def moderation_log(self, code: str, last: int | None = None) -> list[LogEntry]:
        """Return the webinar's log, oldest first (only the ``last`` entries if given)."""

    @abstractmethod
    def set_topics(self, code: str, topics: Sequence[str]) -> None:
        """Replace the topics a webinar's questions can be tagged with."""

    @abstractmethod
    def set_topic(self, code: str, question_id: int, topic: str | None) -> Question | None:
        """Tag a question with a topic (None removes it); return it, or None if it does not
        exist."""

    @abstractmethod
    def set_reply(self, code: str, question_id: int, reply: str | None) -> Question | None:
        """Attach a written answer to a question (None removes it); return the question, or None
        if it does not exist."""

    @abstractmethod
    def edit_question(self, code: str, question_id: int, text: str) -> Question | None:
        """Replace a question's text; return it, or None if it does not exist."""

    @abstractmethod
    def upvote(self, code: str, question_id: int, participant: str, up: bool) -> bool:
        """Add (``up``) or remove the participant's upvote; return whether anything changed.

        The question's count changes in the same step, so it always equals the number of upvoters.
        """

    @abstractmethod
    def upvoted(self, code: str, participant: str) -> set[int]:
        """Return the ids of the questions the participant has upvoted."""

    @abstractmethod
    def on_air(self, code: str) -> int | None:
        """Return the id of the question on air, if any."""

    @abstractmethod
    def set_on_air(self, code: str, question_id: int | None) -> bool:
        """Put a public question on air (replacing any other), or clear it with None.

        Returns False, changing nothing, if the question does not exist or is not public.
        """

    # -- polls ----------------------------------------------------------------------------------
    @abstractmethod
    def add_poll(self, poll: Poll) -> Poll:
        """Store a new poll (its ``id`` is ignored) and return it with the id it was given."""

    @abstractmethod
    def polls(self, code: str, ids: Iterable[int] | None = None) -> list[Poll]:
        """Return the webinar's polls (all, or those with the given ids), in creation order."""

    @abstractmethod
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

    @abstractmethod
    def set_results_visible(self, code: str, poll_id: int, visible: bool) -> Poll | None:
        """Show or hide a poll's results to attendees; None if there is no such poll."""

    @abstractmethod
    def cast_vote(self, code: str, poll_id: int, participant: str, options: Sequence[int]) -> bool:
        """Replace the participant's ballot if the poll is open; return False if it is not."""

    @abstractmethod
    def set_shown_answers(self, code: str, poll_id: int, shown: Sequence[str]) -> Poll | None:
        """Set which answers of an open text poll everyone sees; None if there is no such poll."""

    @abstractmethod
    def set_answer(self, code: str, poll_id: int, participant: str, answer: Sequence[str]) -> bool:
        """Record or replace a voter's typed answer (a word cloud's words) in an open poll;
        False if the poll does not exist or is not open."""

    @abstractmethod
    def answers(self, code: str, poll_id: int) -> list[tuple[str, ...]]:
        """Return every voter's typed answer in a poll (no voter named)."""

    @abstractmethod
    def results(self, code: str, poll_id: int) -> PollResults:
        """Count the ballots of a poll."""

    @abstractmethod
    def ballots(self, code: str, participant: str) -> dict[int, tuple[int, ...]]:
        """Return the participant's ballot in each poll they voted in."""

    # -- presence -------------------------------------------------------------------------------
    @abstractmethod
    def join(self, code: str, connection: str, participant: str) -> None:
        """Record that an attendee's connection is open."""

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


class LocalPresence:
    """Who is online, kept in this process: right for the backends that serve one process."""

    def __init__(self) -> None:
        self._connections: dict[str, dict[str, str]] = {}

    def join(self, code: str, connection: str, participant: str) -> None:
        self._connections.setdefault(code, {})[connection] = participant

    def leave(self, code: str, connection: str) -> None:
        self._connections.get(code, {}).pop(connection, None)

    def online(self, code: str) -> int:
        return len(set(self._connections.get(code, {}).values()))


def stored_time(stamp: str, zone: str) -> datetime:
    """Read a stored ISO time back in the webinar's named zone (kept beside it: ISO drops names)."""
    moment = datetime.fromisoformat(stamp)
    try:
        return moment.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        # a fixed offset such as "UTC+02:00" rather than a zone name: keep the offset
        return moment


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
