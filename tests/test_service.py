"""The service's rules on a real store: races closed in the atomic step, the ask budget, ids.

A race is made deterministic by a store that lets the other side act just before the service's
write (``Meanwhile``), rather than by timing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from live import service
from live.domain import LiveError, Poll, Question, TooMany, Webinar
from live.limits import RateLimiter
from live.store.sqlite import SQLiteStore

CODE = "w1"
START = datetime(2024, 6, 27, 8, 0, tzinfo=UTC)
# bigger than any id SQLite can even look up (2**63 - 1)
HUGE = 10**19


@pytest.fixture
def store(tmp_path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(str(tmp_path / "live.sqlite3"))
    polls = [Poll(0, CODE, "Which?", "single", ("A", "B")), Poll(0, CODE, "A word?", "words", ())]
    store.create_webinar(WEBINAR, "key", polls)
    yield store
    store.close()


WEBINAR = Webinar(CODE, "Webinar", "About it", START, START + timedelta(hours=1))


class Meanwhile:
    """A store that lets something else happen just before one of its verbs runs."""

    def __init__(self, store: SQLiteStore, verb: str, happen: Callable[[], Any]) -> None:
        self.store, self.verb, self.happen = store, verb, happen

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.store, name)
        if name != self.verb:
            return method

        def racing(*args: Any, **kwargs: Any) -> Any:
            self.happen()
            return method(*args, **kwargs)

        return racing


def refused(call: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """Return the error code a call is refused with."""
    with pytest.raises(LiveError) as error:
        call(*args, **kwargs)
    return error.value.code


# -- races --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "code"), [("answer", "question_closed"), ("dismiss", "not_found")]
)
def test_a_question_closed_meanwhile_is_not_upvoted(store, action, code):
    q = service.ask(store, WEBINAR, "ann", "Why?")
    racing = Meanwhile(store, "upvote", lambda: service.moderate(store, WEBINAR, q.id, action))
    assert refused(lambda: service.upvote(racing, CODE, "bob", q.id, True)) == code  # type: ignore[arg-type]
    assert store.questions(CODE)[0].upvotes == 0 and store.upvoted(CODE, "bob") == set()


@pytest.mark.parametrize(("poll", "choice"), [(0, {"options": [0]}), (1, {"words": ["trust"]})])
def test_a_poll_closed_meanwhile_takes_no_vote(store, poll, choice):
    poll_id = store.polls(CODE)[poll].id
    service.poll_action(store, CODE, poll_id, "open")
    racing = Meanwhile(
        store, "cast_vote", lambda: service.poll_action(store, CODE, poll_id, "close")
    )
    vote = {"options": None, **choice}
    assert refused(lambda: service.vote(racing, CODE, "ann", poll_id, **vote)) == "poll_closed"  # type: ignore[arg-type]
    assert store.results(CODE, poll_id).voters == 0 and store.answers(CODE, poll_id) == []


@pytest.mark.parametrize(("poll", "choice"), [(0, {"options": [0]}), (1, {"words": ["trust"]})])
def test_a_timed_poll_whose_time_is_up_takes_no_vote_before_it_is_closed(store, poll, choice):
    poll_id = store.polls(CODE)[poll].id
    service.poll_action(store, CODE, poll_id, "open", seconds=60)

    def time_is_up() -> None:
        # what the clock does meanwhile: the background task has not closed the poll yet
        store.change_poll(CODE, poll_id, {"closes_at": datetime.now(UTC) - timedelta(seconds=1)})

    racing = Meanwhile(store, "cast_vote", time_is_up)
    vote = {"options": None, **choice}
    assert refused(lambda: service.vote(racing, CODE, "ann", poll_id, **vote)) == "poll_closed"  # type: ignore[arg-type]
    assert store.polls(CODE, [poll_id])[0].state == "open"
    assert store.results(CODE, poll_id).voters == 0 and store.answers(CODE, poll_id) == []
    # and, read after the time is up, the service refuses it itself
    assert refused(lambda: service.vote(store, CODE, "ann", poll_id, **vote)) == "poll_closed"


# -- asking: only stored questions take from the budget -----------------------------------------
def test_refused_asks_take_no_budget_and_a_retry_always_gets_its_question(store):
    limiter = RateLimiter(3, 60)

    def ask(text: str, key: str | None = None):  # noqa: ANN202
        budget = lambda: limiter.allow(f"{CODE} ann")  # noqa: E731
        return service.ask(store, WEBINAR, "ann", text, idempotency_key=key, budget=budget)

    for _ in range(10):
        assert refused(lambda: ask("   ")) == "empty"
    first = ask("First?", "k-1")
    assert ask("First, sent again?", "k-1") == first  # a retry takes nothing either
    ask("Second?")
    ask("Third?")
    with pytest.raises(TooMany) as spent:
        ask("Fourth?")
    assert spent.value.code == "rate_limited"
    assert ask("First, after the budget is spent?", "k-1") == first
    assert [q.text for q in store.questions(CODE)] == ["First?", "Second?", "Third?"]


def test_an_ask_to_a_webinar_deleted_meanwhile_is_not_found(store):
    racing = Meanwhile(store, "add_question", lambda: store.delete_webinar(CODE))
    assert refused(lambda: service.ask(racing, WEBINAR, "ann", "Why?")) == "unknown_webinar"  # type: ignore[arg-type]


# -- ids and questions attendees may not see ----------------------------------------------------
@pytest.mark.parametrize("big", [HUGE, 2**63, 2**63 - 1])
def test_ids_too_big_for_any_store_are_not_found(store, big):
    q = service.ask(store, WEBINAR, "ann", "Why?")
    calls = [
        lambda: service.upvote(store, CODE, "ann", big, True),
        lambda: service.vote(store, CODE, "ann", big, [0]),
        lambda: service.leave_interest(store, WEBINAR, "ann", big, "ana@city.example", True),
        lambda: service.moderate(store, WEBINAR, big, "approve"),
        lambda: service.moderate(store, WEBINAR, q.id, "merge", into=big),
        lambda: service.poll_action(store, CODE, big, "open"),
    ]
    assert [refused(call) for call in calls] == ["not_found"] * len(calls)


def test_upvoting_ones_own_closed_question_says_it_is_closed(store):
    pending = store.add_question(Question(0, CODE, "Waiting?", None, "ann", START, "pending"))
    dismissed = service.ask(store, WEBINAR, "ann", "Dismissed?")
    service.moderate(store, WEBINAR, dismissed.id, "dismiss")
    merged = service.ask(store, WEBINAR, "ann", "Merged?")
    target = service.ask(store, WEBINAR, "cy", "Kept")
    service.moderate(store, WEBINAR, merged.id, "merge", into=target.id)
    for closed in (pending, dismissed, merged):
        assert closed is not None
        assert refused(service.upvote, store, CODE, "ann", closed.id, True) == "question_closed"
        assert refused(service.upvote, store, CODE, "bob", closed.id, True) == "not_found"
    assert store.upvoted(CODE, "ann") == set() == store.upvoted(CODE, "bob")
