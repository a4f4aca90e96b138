"""One contract for every store: each backend must pass the same tests.

A new backend plugs in by adding its name to ``BACKENDS`` and a branch in ``make_store``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from live.domain import (
    MERGE_FROM,
    MERGE_INTO,
    ON_AIR_STATUSES,
    ContentTranslation,
    Poll,
    PollTranslation,
    Programme,
    Question,
    Screen,
    Webinar,
    WebinarSettings,
    content_in,
    poll_in,
)
from live.store import Later, Store, store_from_url
from live.store.redis import RedisStore
from live.store.sqlite import SQLiteStore

BACKENDS = ["memory", "sqlite", pytest.param("redis", marks=pytest.mark.redis)]
START = datetime(2024, 6, 27, 8, 0, tzinfo=UTC)


def make_store(request, tmp_path) -> Store:
    if request.param == "memory":
        return store_from_url("memory://")
    if request.param == "sqlite":
        return store_from_url(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    if request.param == "redis":
        # keys of this test only, in the tests' own Redis
        return RedisStore(request.getfixturevalue("redis_url"), prefix=f"test-{uuid.uuid4().hex}")
    raise AssertionError(request.param)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path) -> Iterator[Store]:
    backend = make_store(request, tmp_path)
    backend.create_webinar(webinar("w1"), "key-1", [draft_poll("w1")])
    backend.create_webinar(webinar("w2"), "key-2", [])
    yield backend
    backend.close()


def webinar(code: str, **settings) -> Webinar:
    return Webinar(
        code=code,
        title=f"Webinar {code}",
        description="About it",
        starts_at=START,
        ends_at=START.replace(hour=9),
        settings=WebinarSettings(**settings),
    )


def draft_poll(code: str, kind: str = "single") -> Poll:
    return Poll(0, code, "Which?", kind, ("A", "B", "C"))


def question(code: str = "w1", participant: str = "p1", status: str = "live") -> Question:
    return Question(0, code, "Why?", None, participant, START, status)


OPEN = {"state": {"open"}}


def set_status(store, code, question_id, status, only_from, reason=None):
    """Move a question as the service does: a status off the air takes it off the air."""
    changes = {"status": status, "reason": reason}
    air = None if status in ON_AIR_STATUSES else False
    return store.change_question(code, question_id, changes, {"status": only_from}, air=air)


def set_on_air(store, code, question_id):
    return store.change_question(code, question_id, {}, {"status": ON_AIR_STATUSES}, air=True)


def merge(store, code, source_id, target_id):
    status = {"status": MERGE_FROM}, {"status": MERGE_INTO}
    return store.merge_question(code, source_id, target_id, *status)


def test_create_webinar_once(store):
    assert store.create_webinar(webinar("w1", premoderation=True), "other", []) is False
    assert store.get_webinar("w1").settings.premoderation is False
    assert store.moderator_key("w1") == "key-1"
    assert store.webinar_codes() == ["w1", "w2"]
    assert store.get_webinar("nope") is None


def test_webinar_round_trip_keeps_time_zone(store):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Brussels")
    local = replace(
        webinar("w3"),
        starts_at=datetime(2024, 6, 27, 10, tzinfo=zone),
        ends_at=datetime(2024, 6, 27, 11, tzinfo=zone),
    )
    store.create_webinar(local, "k", [])
    stored = store.get_webinar("w3")
    assert (
        stored.starts_at == local.starts_at
        and stored.starts_at.utcoffset() == local.starts_at.utcoffset()
    )
    assert str(stored.starts_at.tzinfo) == "Europe/Brussels"


def test_settings_and_key(store):
    store.update_settings("w1", {"premoderation": True})
    settings = store.get_webinar("w1").settings
    assert settings.premoderation is True and settings.max_question_length == 300
    store.set_moderator_key("w1", "new")
    assert store.moderator_key("w1") == "new"


def test_questions_get_ids_and_keep_their_fields(store):
    first = store.add_question(question())
    second = store.add_question(replace(question(), name="Ada", text="How?"))
    assert first.id != second.id and first.id > 0
    assert [q.text for q in store.questions("w1")] == ["Why?", "How?"]
    assert store.questions("w1", [second.id])[0].name == "Ada"
    assert store.questions("w2") == [] and store.questions("w2", [first.id]) == []
    assert store.questions("w1", [first.id])[0].created_at == START


def test_upvotes_toggle_and_count_once(store):
    q = store.add_question(question())
    assert store.upvote("w1", q.id, "p1", True) is True
    assert store.upvote("w1", q.id, "p1", True) is False
    assert store.upvote("w1", q.id, "p2", True) is True
    assert store.questions("w1", [q.id])[0].upvotes == 2
    assert store.upvoted("w1", "p1") == {q.id}
    assert store.upvote("w1", q.id, "p1", False) is True
    assert store.upvote("w1", q.id, "p1", False) is False
    assert store.questions("w1", [q.id])[0].upvotes == 1
    assert store.upvoted("w1", "p1") == set()
    # another webinar's question is out of reach
    assert store.upvote("w2", q.id, "p3", True) is None


def test_concurrent_upvotes_are_exact(store):
    q = store.add_question(question())

    def storm(participant: str) -> None:
        for up in (True, True, False, True, True):
            store.upvote("w1", q.id, participant, up)

    threads = [threading.Thread(target=storm, args=(f"p{i}",)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.questions("w1", [q.id])[0].upvotes == 40


def test_status_moves_only_from_allowed_states(store):
    q = store.add_question(question(status="pending"))
    assert set_status(store, "w1", q.id, "live", {"live"}) is None
    assert set_status(store, "w1", q.id, "live", {"pending"}).status == "live"
    assert set_status(store, "w2", q.id, "dismissed", {"live"}) is None
    assert store.questions("w1", [q.id])[0].status == "live"


def test_one_question_on_air_and_it_leaves_with_its_status(store):
    a = store.add_question(question())
    b = store.add_question(question())
    pending = store.add_question(question(status="pending"))
    assert store.on_air("w1") is None
    assert set_on_air(store, "w1", a.id) == a
    assert set_on_air(store, "w1", b.id) == b
    assert store.on_air("w1") == b.id
    assert set_on_air(store, "w1", pending.id) is None
    assert set_on_air(store, "w2", a.id) is None
    assert store.on_air("w1") == b.id
    set_status(store, "w1", b.id, "answered", {"live"})
    assert store.on_air("w1") == b.id
    set_status(store, "w1", b.id, "dismissed", {"answered"})
    assert store.on_air("w1") is None
    assert set_on_air(store, "w1", a.id) and store.change_webinar("w1", {"on_air": None})
    assert store.on_air("w1") is None
    # off the air: only if it is there
    assert set_on_air(store, "w1", a.id) and store.change_question("w1", b.id, {}, air=False)
    assert store.on_air("w1") == a.id
    assert store.change_question("w1", a.id, {}, air=False) and store.on_air("w1") is None


def test_edit_question(store):
    q = store.add_question(question())
    assert store.change_question("w1", q.id, {"text": "Better?"}).text == "Better?"
    assert store.change_question("w2", q.id, {"text": "No"}) is None
    assert store.questions("w1")[0].text == "Better?"


def test_polls_and_their_states(store):
    [poll] = store.polls("w1")
    assert poll.options == ("A", "B", "C") and poll.state == "draft"
    added = store.add_poll(draft_poll("w1", "multiple"))
    assert [p.id for p in store.polls("w1")] == [poll.id, added.id]
    assert store.polls("w1", [added.id])[0].kind == "multiple"
    assert store.set_poll_state("w1", poll.id, "closed", {"open"}) is None
    assert store.set_poll_state("w1", poll.id, "open", {"draft"}).state == "open"
    assert store.change_poll("w1", poll.id, {"results_visible": True}).results_visible is True
    assert store.change_poll("w2", poll.id, {"results_visible": True}) is None
    assert store.polls("w1")[0].results_visible is True
    assert store.polls("w2") == []


def test_ballots_count_once_and_can_change_while_open(store):
    [poll] = store.polls("w1")
    assert store.cast_vote("w1", poll.id, "p1", [0], OPEN) is False  # a draft takes no votes
    store.set_poll_state("w1", poll.id, "open", {"draft"})
    assert store.cast_vote("w1", poll.id, "p1", [0], OPEN)
    assert store.cast_vote("w1", poll.id, "p2", [0], OPEN)
    assert store.cast_vote("w1", poll.id, "p1", [2], OPEN)
    results = store.results("w1", poll.id)
    assert results.counts == (1, 0, 1) and results.voters == 2
    assert store.ballots("w1", "p1") == {poll.id: (2,)}
    store.set_poll_state("w1", poll.id, "closed", {"open"})
    assert store.cast_vote("w1", poll.id, "p1", [1], OPEN) is False
    assert store.results("w1", poll.id).counts == (1, 0, 1)
    assert store.cast_vote("w2", poll.id, "p3", [1], OPEN) is False


def test_a_participants_typed_answers_are_theirs_to_read_back(store):
    poll = store.add_poll(draft_poll("w1", "words"))
    store.set_poll_state("w1", poll.id, "open", {"draft"})
    assert store.answers_of("w1", "p1") == {}
    store.cast_vote("w1", poll.id, "p1", ["trust", "open data"], OPEN, typed=True)
    store.cast_vote("w1", poll.id, "p2", ["budgets"], OPEN, typed=True)
    store.cast_vote("w1", poll.id, "p1", ["trust"], OPEN, typed=True)
    assert store.answers_of("w1", "p1") == {poll.id: ("trust",)}
    assert store.answers_of("w2", "p1") == {}
    assert store.ballots("w1", "p1") == {}


def test_multiple_choice_counts_each_option_and_voters_once(store):
    poll = store.add_poll(draft_poll("w1", "multiple"))
    store.set_poll_state("w1", poll.id, "open", {"draft"})
    store.cast_vote("w1", poll.id, "p1", [0, 1], OPEN)
    store.cast_vote("w1", poll.id, "p2", [1, 2], OPEN)
    store.cast_vote("w1", poll.id, "p1", [0, 1, 2], OPEN)
    results = store.results("w1", poll.id)
    assert results.counts == (1, 2, 2) and results.voters == 2
    assert store.ballots("w1", "p2") == {poll.id: (1, 2)}


def test_presence_counts_distinct_attendees(store):
    store.join("w1", "c1", "p1")
    store.join("w1", "c2", "p1")  # a second tab
    store.join("w1", "c3", "p2")
    store.join("w2", "c4", "p3")
    assert store.online("w1") == 2
    store.leave("w1", "c1")
    assert store.online("w1") == 2
    store.leave("w1", "c2")
    assert store.online("w1") == 1 and store.online("w2") == 1


def test_ping(store):
    store.ping()


def test_sqlite_survives_reopening(tmp_path):
    path = tmp_path / "live.sqlite3"
    first = SQLiteStore(str(path))
    first.create_webinar(webinar("w1"), "k", [draft_poll("w1")])
    q = first.add_question(question())
    first.upvote("w1", q.id, "p1", True)
    [poll] = first.polls("w1")
    first.set_poll_state("w1", poll.id, "open", {"draft"})
    first.cast_vote("w1", poll.id, "p1", [1], OPEN)
    first.close()
    again = SQLiteStore(str(path))
    assert again.questions("w1")[0].upvotes == 1
    assert again.results("w1", poll.id).counts == (0, 1, 0)
    assert again._read("PRAGMA journal_mode")[0][0] == "wal"
    again.close()


@pytest.mark.redis
def test_redis_forgets_connections_of_a_crashed_process(redis_url):
    import time

    store = RedisStore(redis_url, prefix=f"test-{uuid.uuid4().hex}", presence_ttl=0.3)
    store.create_webinar(webinar("w1"), "k", [])
    store.join("w1", "c1", "p1")  # a process that will crash
    store.join("w1", "c2", "p2")  # a process that keeps confirming its connection
    assert store.online("w1") == 2
    time.sleep(0.2)
    store.refresh("w1", {"c2": "p2"})
    time.sleep(0.2)
    assert store.online("w1") == 1
    store.leave("w1", "c2")
    assert store.online("w1") == 0
    store.close()


@pytest.mark.redis
def test_redis_keys_are_namespaced_per_webinar(redis_url):
    prefix = f"test-{uuid.uuid4().hex}"
    store = RedisStore(redis_url, prefix=prefix)
    store.create_webinar(webinar("w1"), "k", [draft_poll("w1")])
    store.add_question(question())
    keys = set(store.redis.scan_iter(f"{prefix}:*"))
    per_webinar = {key for key in keys if key.startswith(f"{prefix}:{{w1}}:")}
    assert per_webinar and keys - per_webinar == {
        f"{prefix}:webinars",
        f"{prefix}:question_ids",
        f"{prefix}:poll_ids",
    }
    store.close()


def test_an_idempotency_key_asks_once(store):
    first = store.add_question(question(participant="p1"), idempotency_key="k-1")
    again = store.add_question(replace(question(participant="p1"), text="Twice?"), "k-1")
    assert again == first and [q.id for q in store.questions("w1")] == [first.id]
    # the same key from someone else, or in another webinar, or a new key: new questions
    other = store.add_question(question(participant="p2"), idempotency_key="k-1")
    elsewhere = store.add_question(question(code="w2", participant="p1"), idempotency_key="k-1")
    new_key = store.add_question(question(participant="p1"), idempotency_key="k-2")
    assert len({first.id, other.id, elsewhere.id, new_key.id}) == 4
    assert len(store.questions("w1")) == 3


def test_rate_limits_from_the_store(store):
    limiter = store.rate_limiter("test", 3, period=60)
    assert [limiter.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.blocked("10.0.0.1") and not limiter.blocked("10.0.0.2")
    assert limiter.allow("10.0.0.2")  # every address has its own budget
    assert store.rate_limiter("test", 0).allow("10.0.0.1")  # 0 switches it off


@pytest.mark.redis
def test_redis_rate_limits_are_shared_by_processes_and_refill(redis_url):
    import time

    prefix = f"test-{uuid.uuid4().hex}"
    one, other = RedisStore(redis_url, prefix=prefix), RedisStore(redis_url, prefix=prefix)
    first, second = one.rate_limiter("keys", 4, period=1), other.rate_limiter("keys", 4, period=1)
    assert first.allow("10.0.0.1") and first.allow("10.0.0.1")
    assert second.allow("10.0.0.1") and second.allow("10.0.0.1")
    assert not first.allow("10.0.0.1") and second.blocked("10.0.0.1")
    time.sleep(0.6)  # four a second: two tokens back, not more
    assert second.allow("10.0.0.1") and first.allow("10.0.0.1")
    # a bucket expires once it would be full again: nothing piles up in Redis
    assert one.redis.pttl(f"{prefix}:limit:keys:10.0.0.1") <= 1000
    one.close()
    other.close()


def test_a_dismissed_question_keeps_its_reason_until_restored(store):
    q = store.add_question(question())
    dismissed = set_status(store, "w1", q.id, "dismissed", {"live"}, "duplicate")
    assert dismissed is not None and dismissed.reason == "duplicate"
    assert store.questions("w1", [q.id])[0].reason == "duplicate"
    restored = set_status(store, "w1", q.id, "live", {"dismissed"})
    assert restored is not None and restored.reason is None
    assert store.questions("w1")[0].reason is None


def test_sqlite_adds_new_columns_to_an_older_database(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE questions (id INTEGER PRIMARY KEY AUTOINCREMENT, webinar TEXT NOT NULL,"
        " text TEXT NOT NULL, name TEXT, participant TEXT NOT NULL, created_at TEXT NOT NULL,"
        " status TEXT NOT NULL, upvotes INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO questions (webinar, text, participant, created_at, status)"
        " VALUES ('w1', 'From before', 'p1', '2024-06-27T08:00:00+00:00', 'dismissed');"
    )
    old.commit()
    old.close()
    store = SQLiteStore(str(path))
    [kept] = store.questions("w1")
    assert kept.text == "From before" and kept.reason is None
    store.close()


def test_merging_unites_upvoters_and_askers_counting_each_person_once(store):
    a = store.add_question(question(participant="ann"))
    b = store.add_question(replace(question(participant="bob"), text="Same as A?"))
    c = store.add_question(replace(question(participant="ann"), text="A again, by its author"))
    for voter in ("v1", "v2"):
        store.upvote("w1", a.id, voter, True)
    for voter in ("v2", "v3"):
        store.upvote("w1", b.id, voter, True)
    assert set_on_air(store, "w1", b.id)
    merged = merge(store, "w1", b.id, a.id)
    assert merged is not None
    source, target = merged
    assert source.status == "merged" and source.merged_into == a.id
    assert target.text == a.text and target.status == "live" and target.merged_into is None
    assert target.upvotes == 3  # v1, v2 and v3: v2 upvoted both, counted once
    assert target.asked_by == 2
    assert store.on_air("w1") is None  # the merged question left the screen
    # ann asked A and C: merging C adds nobody new; the upvote count stays exact afterwards
    _, target = merge(store, "w1", c.id, a.id) or (None, None)
    assert target is not None and target.asked_by == 2 and target.upvotes == 3
    assert store.upvote("w1", a.id, "v3", False) and store.questions("w1", [a.id])[0].upvotes == 2
    assert store.upvote("w1", a.id, "v4", True) and store.questions("w1", [a.id])[0].upvotes == 3
    assert store.questions("w1", [b.id])[0].status == "merged"


def test_merging_refuses_what_does_not_fit(store):
    a = store.add_question(question(participant="ann"))
    b = store.add_question(question(participant="bob"))
    pending = store.add_question(question(participant="cid", status="pending"))
    elsewhere = store.add_question(question(code="w2", participant="dan"))
    assert merge(store, "w1", a.id, a.id) is None  # into itself
    assert merge(store, "w1", b.id, pending.id) is None  # into a hidden question
    assert merge(store, "w1", b.id, elsewhere.id) is None  # into another webinar's
    assert merge(store, "w1", b.id, 999) is None
    assert set_status(store, "w1", b.id, "dismissed", {"live"}, "duplicate")
    assert merge(store, "w1", b.id, a.id) is None  # a closed question stays closed
    assert merge(store, "w1", pending.id, a.id) is not None  # waiting ones may go in
    assert merge(store, "w1", a.id, pending.id) is None  # a merged one is closed


def test_a_written_answer_is_kept_and_removed(store):
    q = store.add_question(question())
    text = "Yes: travel is covered for one person per city."
    replied = store.change_question("w1", q.id, {"reply": text})
    assert (
        replied is not None and replied.reply == "Yes: travel is covered for one person per city."
    )
    assert store.questions("w1")[0].reply == replied.reply
    assert store.change_question("w1", q.id, {"reply": None}) is not None
    assert store.questions("w1")[0].reply is None
    assert store.change_question("w1", 999, {"reply": "Nobody asked"}) is None
    assert store.change_question("w2", q.id, {"reply": "Another webinar's question"}) is None


def test_topics_of_webinars_and_questions(store):
    topical = replace(webinar("w3"), topics=("Parks", "Schools"))
    assert store.create_webinar(topical, "key-3", [])
    assert store.get_webinar("w3").topics == ("Parks", "Schools")
    assert store.get_webinar("w1").topics == ()
    store.set_topics("w1", ["Budget", "General"])
    assert store.get_webinar("w1").topics == ("Budget", "General")
    q = store.add_question(replace(question(), topic="Budget"))
    assert q.topic == "Budget" and store.questions("w1")[0].topic == "Budget"
    retagged = store.change_question("w1", q.id, {"topic": "General"})
    assert retagged is not None and retagged.topic == "General"
    assert store.change_question("w1", q.id, {"topic": None}).topic is None
    assert store.questions("w1")[0].topic is None
    assert store.change_question("w2", q.id, {"topic": "General"}) is None


def test_moderator_numbers_and_the_moderation_log(store):
    from live.domain import LogEntry

    assert [store.next_moderator_number("w1") for _ in range(3)] == [1, 2, 3]
    assert store.next_moderator_number("w2") == 1  # numbered per webinar
    written = [
        store.log_action(LogEntry(0, "w1", START, 1, "dismiss", 4, "duplicate")),
        store.log_action(LogEntry(0, "w1", START, 2, "open", 1)),
        store.log_action(LogEntry(0, "w2", START, 1, "settings", None, "premoderation on")),
        store.log_action(LogEntry(0, "w1", START, 2, "rotate_key")),
    ]
    assert written[0].id < written[1].id < written[3].id
    log = store.moderation_log("w1")
    assert [(e.moderator, e.action, e.target, e.detail) for e in log] == [
        (1, "dismiss", 4, "duplicate"),
        (2, "open", 1, ""),
        (2, "rotate_key", None, ""),
    ]
    assert log[0].at == START
    assert [e.action for e in store.moderation_log("w1", last=2)] == ["open", "rotate_key"]
    assert [e.action for e in store.moderation_log("w2")] == ["settings"]


def test_a_timed_poll_keeps_its_deadline_until_closed(store):
    [poll] = store.polls("w1")
    deadline = START.replace(minute=5)
    opened = store.set_poll_state("w1", poll.id, "open", {"draft"}, deadline)
    assert opened is not None and opened.closes_at == deadline
    assert store.polls("w1")[0].closes_at == deadline
    closed = store.set_poll_state("w1", poll.id, "closed", {"open"})
    assert closed is not None and closed.closes_at is None


def test_addresses_left_on_a_poll_are_kept_and_withdrawn(store):
    [poll] = store.polls("w1")
    assert store.set_interest("w1", poll.id, "p1", "ana@city.example", START)
    assert store.set_interest("w1", poll.id, "p2", "bo@town.example", START)
    assert store.set_interest("w1", poll.id, "p1", "ana@new.example", START)  # replaced
    assert store.interests("w1", poll.id) == {
        "p1": ("ana@new.example", START),
        "p2": ("bo@town.example", START),
    }
    assert store.interest_of("w1", "p1") == {poll.id: "ana@new.example"}
    assert store.set_interest("w1", poll.id, "p1", None, START)  # withdrawn
    assert store.interests("w1", poll.id) == {"p2": ("bo@town.example", START)}
    assert store.interest_of("w1", "p1") == {}
    assert not store.set_interest("w2", poll.id, "p3", "x@y.example", START)  # another webinar's


def test_deleting_a_webinar_deletes_all_its_data(store):
    from live.domain import LogEntry

    [poll] = store.polls("w1")
    q = store.add_question(question(), idempotency_key="k-1")
    other = store.add_question(question(participant="p2"))
    store.upvote("w1", q.id, "p2", True)
    merge(store, "w1", other.id, q.id)
    store.set_poll_state("w1", poll.id, "open", {"draft"})
    store.cast_vote("w1", poll.id, "p1", [0], OPEN)
    store.set_interest("w1", poll.id, "p1", "ana@city.example", START)
    store.log_action(LogEntry(0, "w1", START, 1, "open", poll.id))
    store.join("w1", "c1", "p1")
    kept = store.add_question(question(code="w2"))

    assert store.delete_webinar("w1")
    assert store.get_webinar("w1") is None and store.moderator_key("w1") is None
    assert "w1" not in store.webinar_codes()
    assert store.questions("w1") == [] and store.polls("w1") == []
    assert store.upvoted("w1", "p2") == set() and store.ballots("w1", "p1") == {}
    assert store.interest_of("w1", "p1") == {} and store.moderation_log("w1") == []
    assert store.online("w1") == 0
    assert not store.delete_webinar("w1")
    # the other webinar is untouched; the code can be used again, from scratch
    assert store.questions("w2") == [kept] and store.get_webinar("w2") is not None
    assert store.create_webinar(webinar("w1"), "new-key", [])
    assert store.questions("w1") == [] and store.moderator_key("w1") == "new-key"
    again = store.add_question(question(), idempotency_key="k-1")
    assert again.id != q.id  # the old idempotency key is gone with it


@pytest.mark.redis
def test_redis_keeps_no_key_of_a_deleted_webinar(redis_url):
    prefix = f"test-{uuid.uuid4().hex}"
    store = RedisStore(redis_url, prefix=prefix)
    store.create_webinar(webinar("w1"), "k", [draft_poll("w1")])
    q = store.add_question(question())
    store.upvote("w1", q.id, "p2", True)
    assert list(store.redis.scan_iter(f"{prefix}:{{w1}}:*"))
    store.delete_webinar("w1")
    assert list(store.redis.scan_iter(f"{prefix}:{{w1}}:*")) == []
    store.close()


def test_a_webinars_details_can_be_edited(store):
    from zoneinfo import ZoneInfo

    lisbon = ZoneInfo("Europe/Lisbon")
    edited = replace(
        webinar("w1"),
        title="Edited title",
        organiser="City of Lisbon",
        description="New description",
        starts_at=START.astimezone(lisbon).replace(hour=18),
        ends_at=START.astimezone(lisbon).replace(hour=19),
        topics=("Parks",),
    )
    store.update_settings("w1", {"premoderation": True})
    assert store.update_webinar(edited)
    stored = store.get_webinar("w1")
    assert stored is not None
    assert (stored.title, stored.organiser, stored.description, stored.topics) == (
        "Edited title",
        "City of Lisbon",
        "New description",
        ("Parks",),
    )
    assert stored.starts_at == edited.starts_at and str(stored.starts_at.tzinfo) == "Europe/Lisbon"
    assert stored.settings.premoderation is True  # settings are not details
    assert len(store.polls("w1")) == 1
    assert not store.update_webinar(replace(edited, code="nope"))


def test_typed_answers_replace_each_other_and_need_an_open_poll(store):
    poll = store.add_poll(Poll(0, "w1", "One word?", "words", ()))
    assert not store.cast_vote(
        "w1", poll.id, "p1", ["early"], OPEN, typed=True
    )  # a draft takes nothing
    store.set_poll_state("w1", poll.id, "open", {"draft"})
    assert store.cast_vote("w1", poll.id, "p1", ["trust", "open data"], OPEN, typed=True)
    assert store.cast_vote("w1", poll.id, "p2", ["trust"], OPEN, typed=True)
    assert store.cast_vote("w1", poll.id, "p1", ["participation"], OPEN, typed=True)  # replaced
    assert sorted(store.answers("w1", poll.id)) == [("participation",), ("trust",)]
    store.set_poll_state("w1", poll.id, "closed", {"open"})
    assert not store.cast_vote("w1", poll.id, "p3", ["late"], OPEN, typed=True)
    assert not store.cast_vote("w2", poll.id, "p3", ["elsewhere"], OPEN, typed=True)
    assert len(store.answers("w1", poll.id)) == 2


def test_the_answers_chosen_for_everyone(store):
    poll = store.add_poll(Poll(0, "w1", "What next?", "text", ()))
    chosen = store.change_poll("w1", poll.id, {"shown": ("Assemblies", "Budgets")})
    assert chosen is not None and chosen.shown == ("Assemblies", "Budgets")
    assert store.polls("w1", [poll.id])[0].shown == ("Assemblies", "Budgets")
    assert store.change_poll("w1", poll.id, {"shown": ()}).shown == ()
    assert store.change_poll("w1", 999, {"shown": ("x",)}) is None


# -- missing entities: every verb, one behaviour on every store ----------------------------------
NOWHERE = "nope"  # no such webinar
NO_ID = 987654  # no such question or poll


def keys_of(store, code: str) -> list[str]:
    """Return what Redis keeps of a webinar (nothing to look at in the other stores)."""
    if not isinstance(store, RedisStore):
        return []
    return list(store.redis.scan_iter(f"{store.prefix}:{{{code}}}:*"))


def test_every_verb_on_an_unknown_webinar_does_nothing(store):
    from live.domain import LogEntry, PollResults

    code = NOWHERE
    [poll] = store.polls("w1")
    q = store.add_question(question())
    assert store.update_settings(code, {"premoderation": True}) is False
    assert store.change_webinar(code, {"title": "Ghost"}) is False
    assert store.set_moderator_key(code, "k") is False
    assert store.set_topics(code, ["Parks"]) is False
    assert store.update_webinar(webinar(code)) is False
    assert store.add_question(question(code=code)) is None
    assert store.add_question(question(code=code), idempotency_key="k-1") is None
    assert store.add_poll(draft_poll(code)) is None
    assert store.next_moderator_number(code) == 0
    assert store.log_action(LogEntry(0, code, START, 1, "open", 1)) is None
    assert store.change_question(code, q.id, {"text": "Moved?"}, air=True) is None
    assert store.upvote(code, q.id, "p2", True) is None
    assert merge(store, code, q.id, q.id + 1) is None
    assert store.change_poll(code, poll.id, {"results_visible": True}) is None
    assert store.set_poll_state(code, poll.id, "open", {"draft"}) is None
    assert store.cast_vote(code, poll.id, "p1", [0], OPEN) is False
    assert store.set_interest(code, poll.id, "p1", "ana@city.example", START) is False
    store.join(code, "c1", "p1")
    store.refresh(code, {"c1": "p1"})
    store.leave(code, "c2")
    assert store.remove_personal(code, at=START) is None
    assert store.remove_personal(code, "p1") is None
    assert store.delete_webinar(code) is False
    # and every read answers "nothing"
    assert store.get_webinar(code) is None and not store.has_webinar(code)
    assert store.moderator_key(code) is None and store.on_air(code) is None
    assert store.questions(code) == [] and store.polls(code) == []
    assert store.asked(code, "p1", "k-1") is None and store.upvoted(code, "p2") == set()
    assert store.results(code, poll.id) == PollResults((), 0) and store.answers(code, poll.id) == []
    assert store.ballots(code, "p1") == {} and store.interests(code, poll.id) == {}
    assert store.interest_of(code, "p1") == {} and store.moderation_log(code) == []
    assert store.online(code) == 0
    assert store.personal_data(code).total == 0 and not store.forgotten(code, "p1")
    assert store.webinar_codes() == ["w1", "w2"] and keys_of(store, code) == []
    # the code is free, and starts from scratch
    assert store.create_webinar(webinar(code), "key-3", [])
    assert store.get_webinar(code).settings.premoderation is False
    assert store.next_moderator_number(code) == 1 and store.moderation_log(code) == []
    # nothing of w1 moved
    assert store.questions("w1") == [q] and store.polls("w1") == [poll]


@pytest.mark.parametrize("code", ["w1", "w2"])  # w2 exists, but the question is w1's
def test_every_verb_on_an_unknown_question_does_nothing(store, code):
    q = store.add_question(question())
    other = q.id if code == "w2" else NO_ID
    assert store.change_question(code, other, {"text": "Ghost?"}) is None
    assert store.change_question(code, other, {}, air=True) is None
    assert set_status(store, code, other, "dismissed", {"live"}, "other") is None
    assert store.upvote(code, other, "p2", True) is None
    assert store.upvote(code, other, "p2", False) is None
    assert merge(store, code, other, q.id) is None and merge(store, code, q.id, other) is None
    assert store.questions(code, [other]) == [] and store.upvoted(code, "p2") == set()
    assert store.on_air(code) is None and store.on_air("w1") is None
    assert store.questions("w1") == [q] and store.upvoted("w1", "p2") == set()
    assert [k for k in keys_of(store, code) if f":q:{other}" in k] == []


@pytest.mark.parametrize("code", ["w1", "w2"])  # w2 exists, but the poll is w1's
def test_every_verb_on_an_unknown_poll_does_nothing(store, code):
    from live.domain import PollResults

    [poll] = store.polls("w1")
    store.set_poll_state("w1", poll.id, "open", {"draft"})
    other = poll.id if code == "w2" else NO_ID
    assert store.change_poll(code, other, {"results_visible": True}) is None
    assert store.set_poll_state(code, other, "closed", {"open"}) is None
    assert store.cast_vote(code, other, "p1", [0], OPEN) is False
    assert store.cast_vote(code, other, "p1", ["word"], OPEN, typed=True) is False
    assert store.set_interest(code, other, "p1", "ana@city.example", START) is False
    assert store.set_interest(code, other, "p1", None, START) is False
    assert store.polls(code, [other]) == [] and store.results(code, other) == PollResults((), 0)
    assert store.answers(code, other) == [] and store.interests(code, other) == {}
    assert store.ballots(code, "p1") == {} and store.interest_of(code, "p1") == {}
    [now] = store.polls("w1")
    assert now.state == "open" and not now.results_visible
    assert store.results("w1", poll.id).voters == 0 and store.ballots("w1", "p1") == {}
    assert [k for k in keys_of(store, code) if f":poll:{other}" in k] == []


def test_an_unknown_field_is_refused(store):
    q = store.add_question(question())
    with pytest.raises(ValueError):
        store.change_question("w1", q.id, {"colour": "red"})
    with pytest.raises(ValueError):
        store.update_settings("w1", {"title": "Not a setting"})
    assert store.questions("w1") == [q]


# -- preconditions, checked in the same step as the write ---------------------------------------
def test_an_upvote_needs_the_question_to_meet_its_precondition(store):
    q = store.add_question(question())
    live = {"status": {"live"}}
    assert store.upvote("w1", q.id, "p1", True, live) is True
    set_status(store, "w1", q.id, "dismissed", {"live"}, "other")
    assert store.upvote("w1", q.id, "p2", True, live) is None
    assert store.upvote("w1", q.id, "p1", False, live) is None
    assert store.questions("w1")[0].upvotes == 1 and store.upvoted("w1", "p2") == set()


def test_a_vote_after_a_timed_poll_is_up_is_refused_before_it_is_closed(store):
    from datetime import timedelta

    [poll] = store.polls("w1")
    words = store.add_poll(Poll(0, "w1", "One word?", "words", ()))
    for timed in (poll, words):
        store.set_poll_state("w1", timed.id, "open", {"draft"}, START + timedelta(minutes=5))
    before, after = START + timedelta(minutes=4), START + timedelta(minutes=5, microseconds=1)
    for now, accepted in ((before, True), (after, False), (START + timedelta(minutes=5), False)):
        open_now = {"state": {"open"}, "closes_at": Later(now)}
        assert store.cast_vote("w1", poll.id, "p1", [1], open_now) is accepted
        assert store.cast_vote("w1", words.id, "p1", ["late"], open_now, typed=True) is accepted
    assert store.results("w1", poll.id).counts == (0, 1, 0)
    assert store.answers("w1", words.id) == [("late",)]
    # an untimed poll has no deadline to pass
    untimed = store.add_poll(draft_poll("w1"))
    store.set_poll_state("w1", untimed.id, "open", {"draft"})
    assert store.cast_vote("w1", untimed.id, "p1", [0], {"closes_at": Later(after)})


def test_a_change_can_compare_and_set(store):
    poll = store.add_poll(Poll(0, "w1", "What next?", "text", ()))
    first = store.change_poll("w1", poll.id, {"shown": ("A",)}, {"shown": {()}})
    assert first is not None and first.shown == ("A",)
    # a second moderator who read the poll before the first change does not undo it
    assert store.change_poll("w1", poll.id, {"shown": ("B",)}, {"shown": {()}}) is None
    assert store.polls("w1", [poll.id])[0].shown == ("A",)
    assert store.change_webinar("w1", {"title": "New"}, {"title": {"Old"}}) is False
    assert store.change_webinar("w1", {"title": "New"}, {"title": {"Webinar w1"}}) is True
    assert store.get_webinar("w1").title == "New"


def test_the_question_an_idempotency_key_stored(store):
    first = store.add_question(question(participant="p1"), idempotency_key="k-1")
    assert store.asked("w1", "p1", "k-1") == first
    assert store.asked("w1", "p2", "k-1") is None and store.asked("w2", "p1", "k-1") is None


def test_the_screen_is_kept_and_a_question_on_air_replaces_it(store):
    assert store.screen("w1") == Screen()  # a new webinar shows the welcome screen
    poll = store.polls("w1")[0]
    a = store.add_question(question())
    assert store.change_webinar("w1", {"screen": Screen("results", poll.id).stored()})
    assert store.screen("w1") == Screen("results", poll.id)
    assert store.screen("w2") == Screen()  # one screen per webinar
    # a question on air replaces what the screen showed, in the same step
    assert set_on_air(store, "w1", a.id)
    assert store.screen("w1") == Screen("question", a.id)
    # and when it leaves, the screen falls back to the default, not to what it showed before
    assert store.change_question("w1", a.id, {}, air=False)
    assert store.screen("w1") == Screen()
    assert set_on_air(store, "w1", a.id)
    b = store.add_question(question())
    merge(store, "w1", a.id, b.id)
    assert store.screen("w1") == Screen()
    # another screen takes the question off the air; a compare-and-set keeps a newer choice
    assert set_on_air(store, "w1", b.id)
    assert store.change_webinar("w1", {"screen": "top", "on_air": None})
    assert store.screen("w1") == Screen("top") and store.on_air("w1") is None
    shown = {"screen": {Screen("poll", poll.id).stored()}, "on_air": {None}}
    assert not store.change_webinar("w1", {"screen": None}, shown)
    assert store.screen("w1") == Screen("top")
    assert not store.change_webinar("nope", {"screen": "blank"})
    assert store.screen("nope") == Screen()


def test_a_webinars_branding_is_kept_and_edited(store):
    branded = replace(webinar("w3"), accent="#7a1f5c", logo="/srv/live/logo.svg")
    store.create_webinar(branded, "k", [])
    stored = store.get_webinar("w3")
    assert (stored.accent, stored.logo) == ("#7a1f5c", "/srv/live/logo.svg")
    assert store.get_webinar("w1").accent == "" and store.get_webinar("w1").logo == ""
    assert store.update_webinar(replace(stored, accent="#0b5cad", logo=""))
    assert (store.get_webinar("w3").accent, store.get_webinar("w3").logo) == ("#0b5cad", "")


def test_a_webinars_language_and_translations_are_kept(store):
    """The webinar file's language and its content and polls in other languages (issue 15)."""
    french = ContentTranslation(
        "fr",
        title="Budget participatif",
        description="Quels projets la ville doit-elle financer ?",
        programmes=(Programme("Laboratoire", "Barcelone, 17-19 septembre", "Un nouveau format."),),
        topics=("Général",),
    )
    translated = replace(
        webinar("w4"),
        language="ca",
        programmes=(Programme("Laboratori", "Barcelona"),),
        topics=("General",),
        translations=(french, ContentTranslation("el", title="Συμμετοχικός προϋπολογισμός")),
    )
    poll = replace(
        draft_poll("w4"),
        translations=(PollTranslation("fr", "Lequel ?", ("Un", "Deux", "Trois")),),
    )
    assert store.create_webinar(translated, "k", [poll])
    stored = store.get_webinar("w4")
    assert stored == translated
    assert stored.translations[0].programmes[0] == Programme(
        "Laboratoire", "Barcelone, 17-19 septembre", "Un nouveau format."
    )
    assert store.get_webinar("w1").language == "en" and store.get_webinar("w1").translations == ()
    (stored_poll,) = store.polls("w4")
    assert stored_poll.translations == poll.translations
    assert content_in(stored, "fr").title == "Budget participatif"
    # Greek gives the title only: the rest is the webinar's own
    assert content_in(stored, "el").topics == ("General",)
    assert poll_in(stored_poll, "de").options == ("A", "B", "C")
    # topics edited later (the organiser page): the French names no longer fit, and are not used
    assert store.set_topics("w4", ("General", "Parks"))
    assert content_in(store.get_webinar("w4"), "fr").topics == ("General", "Parks")
    assert content_in(store.get_webinar("w4"), "fr").title == "Budget participatif"
    # the organiser page's translation editor changes a poll's translations alone (issue 15)
    german = PollTranslation("de", "Welche?", ("Eins", "", "Drei"))
    changed = store.change_poll("w4", stored_poll.id, {"translations": (german,)})
    assert changed is not None and changed.translations == (german,)
    assert (
        store.polls("w4")[0].translations == (german,)
        and store.polls("w4")[0].prompt == poll.prompt
    )
    # what the editor leaves empty is the poll's own
    assert poll_in(store.polls("w4")[0], "de").options == ("Eins", "B", "Drei")
