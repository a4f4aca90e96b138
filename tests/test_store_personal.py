"""Personal data in every store: the purge after the retention period and "forget me".

Run against every backend with the contract's fixture (tests/test_store_contract.py).
"""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from live.domain import Personal
from live.store import ANONYMOUS
from live.store.redis import RedisStore

from .test_store_contract import OPEN, START, merge, question, store  # noqa: F401


def populate(store):  # noqa: F811
    """Two attendees (p1, p2) who ask, upvote, vote, type answers and leave addresses; p3 only
    upvotes and votes."""
    [poll] = store.polls("w1")
    typed = store.add_poll(replace(poll, id=0, kind="words", options=()))
    for p in (poll, typed):
        store.set_poll_state("w1", p.id, "open", {"draft"})
    q1 = store.add_question(replace(question(), name="Ada"), idempotency_key="k-1")
    q2 = store.add_question(question(participant="p2"))
    q3 = store.add_question(replace(question(participant="p2"), name="Bo"))
    for who in ("p1", "p2", "p3"):
        store.upvote("w1", q1.id, who, True)
    store.upvote("w1", q2.id, "p1", True)
    store.cast_vote("w1", poll.id, "p1", [0], OPEN)
    store.cast_vote("w1", poll.id, "p2", [1], OPEN)
    store.cast_vote("w1", poll.id, "p3", [1], OPEN)
    store.cast_vote("w1", typed.id, "p1", ("green",), OPEN, typed=True)
    store.set_interest("w1", poll.id, "p1", "ana@city.example", START)
    store.set_interest("w1", poll.id, "p2", "bo@town.example", START)
    return poll, typed, (q1, q2, q3)


def counts(store, poll, typed):  # noqa: F811
    """What must survive a purge: texts, counts, results."""
    questions = [(q.text, q.upvotes, q.asked_by, q.status) for q in store.questions("w1")]
    return questions, store.results("w1", poll.id), store.answers("w1", typed.id)


def test_the_purge_removes_names_addresses_and_links_and_keeps_counts(store):  # noqa: F811
    poll, typed, (q1, q2, q3) = populate(store)
    before = counts(store, poll, typed)
    w2 = store.add_question(replace(question(code="w2"), name="Cy"))
    expected = Personal(names=2, emails=2, questions=3, upvotes=4, ballots=4)
    # counting (what --dry-run shows) changes nothing
    assert store.personal_data("w1") == expected
    assert store.personal_data("w1") == expected
    assert store.remove_personal("w1", at=START) == expected
    assert store.personal_data("w1") == Personal()
    assert counts(store, poll, typed) == before
    assert all(q.name is None and q.participant == "" for q in store.questions("w1"))
    for who in ("p1", "p2", "p3"):
        assert store.upvoted("w1", who) == set() and store.ballots("w1", who) == {}
    assert store.interests("w1", poll.id) == {}
    assert store.webinar_field("w1", "purged_at") == START
    # a second purge finds nothing
    assert store.remove_personal("w1", at=START) == Personal()
    # an idempotency key no longer tells who asked: the same key asks anew
    assert store.add_question(question(), idempotency_key="k-1").id != q1.id
    # another webinar keeps everything
    assert store.questions("w2") == [w2] and store.personal_data("w2").names == 1


def test_anonymous_ids_link_nothing(store):  # noqa: F811
    poll, typed, (q1, _, _) = populate(store)
    store.remove_personal("w1", at=START)
    if isinstance(store, RedisStore):
        w = store._w("w1")
        upvoters = store.redis.smembers(f"{w}:q:{q1.id}:upvoters")
        voters = set(store.redis.hkeys(f"{w}:poll:{poll.id}:ballots"))
        typists = set(store.redis.hkeys(f"{w}:poll:{typed.id}:answers"))
    else:
        upvoters = store._members("upvotes", q1.id) if hasattr(store, "_members") else set()
        voters = set(store._kept("ballots", poll.id))
        typists = set(store._kept("answers", typed.id))
    assert len(upvoters) == 3 and len(voters) == 3 and len(typists) == 1
    assert all(who.startswith(ANONYMOUS) for who in upvoters | voters | typists)
    # p1 upvoted, voted and typed: three different ids that tell nothing of each other
    assert not (upvoters & voters) and not (voters & typists)


def test_forget_me_removes_one_participant_and_revokes_them(store):  # noqa: F811
    poll, typed, (q1, q2, q3) = populate(store)
    before = counts(store, poll, typed)
    mine = Personal(names=1, emails=1, questions=1, upvotes=2, ballots=2)
    assert store.personal_data("w1", "p1") == mine
    assert not store.forgotten("w1", "p1")
    assert store.remove_personal("w1", "p1") == mine
    assert store.forgotten("w1", "p1") and not store.forgotten("w1", "p2")
    assert not store.forgotten("w2", "p1")
    assert counts(store, poll, typed) == before
    first = store.questions("w1", [q1.id])[0]
    assert first.name is None and first.participant == "" and first.text == q1.text
    assert store.upvoted("w1", "p1") == set() and store.ballots("w1", "p1") == {}
    assert store.interest_of("w1", "p1") == {}
    assert store.personal_data("w1", "p1") == Personal()
    # p2's data stays whole
    assert store.personal_data("w1", "p2") == Personal(1, 1, 2, 1, 1)
    assert store.interest_of("w1", "p2") == {poll.id: "bo@town.example"}
    assert store.upvoted("w1", "p2") == {q1.id}
    assert store.questions("w1", [q3.id])[0].name == "Bo"
    # the idempotency key of p1's question no longer finds it
    assert store.asked("w1", "p1", "k-1") is None
    # the purge clears the list of forgotten participants with the rest
    store.remove_personal("w1", at=START)
    assert not store.forgotten("w1", "p1")


def test_a_merged_questions_askers_are_forgotten_too(store):  # noqa: F811
    target = store.add_question(question())
    source = store.add_question(question(participant="p2"))
    merge(store, "w1", source.id, target.id)
    # p2 is linked to their own question and, as an asker, to the one it went into
    assert store.personal_data("w1", "p2").questions == 2
    store.remove_personal("w1", "p2")
    assert store.personal_data("w1", "p2") == Personal()
    assert store.questions("w1", [target.id])[0].asked_by == 2


def test_personal_data_of_an_unknown_webinar(store):  # noqa: F811
    assert store.personal_data("nope") == Personal()
    assert store.remove_personal("nope", at=START) is None
    assert store.remove_personal("nope", "p1") is None
    assert not store.forgotten("nope", "p1")
    assert "nope" not in store.webinar_codes()


def test_deleting_a_webinar_deletes_its_forgotten_participants(store):  # noqa: F811
    store.remove_personal("w1", "p1")
    store.delete_webinar("w1")
    assert not store.forgotten("w1", "p1")


@pytest.mark.redis
def test_one_process_at_a_time_takes_a_redis_lock(redis_url):
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = RedisStore(redis_url, prefix=prefix), RedisStore(redis_url, prefix=prefix)
    assert first.try_lock("purge", 60) is True
    assert second.try_lock("purge", 60) is False
    assert first.try_lock("purge", 60) is False
    assert second.try_lock("other", 60) is True
    first.close()
    second.close()


def test_the_privacy_facts_and_the_passcode_are_kept(store):  # noqa: F811
    from live.domain import Privacy

    from .test_store_contract import webinar

    facts = Privacy("City of Lisbon", "privacy@lisboa.example", "", "CNPD", 30)
    private = replace(webinar("w3"), privacy=facts, passcode="tagus-2025")
    store.create_webinar(private, "k", [])
    assert store.get_webinar("w3") == private
    changed = replace(private, privacy=replace(facts, retention_days=7), passcode="")
    assert store.update_webinar(changed)
    stored = store.get_webinar("w3")
    assert stored.privacy.retention_days == 7 and stored.passcode == ""
    assert store.webinar_field("w3", "purged_at") is None
