"""The purge at the end of the retention period: dates, the command line, the server's task."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from live import tasks
from live.domain import Personal, Privacy, Question, purge_date
from live.personal import due_date, purge_due
from live.store.sqlite import SQLiteStore

from .test_cli import live_command
from .test_store_contract import webinar


def ask(store, code, who, name=None, at=None):
    """Ask a question, by default while the webinar ran (``at``: another moment)."""
    at = at or store.get_webinar(code).starts_at
    return store.add_question(Question(0, code, "Why?", name, who, at))


def test_the_purge_date_counts_the_retention_days_from_the_end():
    w = webinar("w1")
    assert purge_date(w) == w.ends_at + timedelta(days=90)
    short = replace(w, privacy=Privacy(retention_days=1))
    assert purge_date(short) == w.ends_at + timedelta(days=1)


def test_data_collected_after_the_end_is_kept_for_the_whole_period_after_it(live):
    # the shipped demo ended in 2024; a webinar run again later keeps what it collects then
    store = live.store
    now = datetime.now(UTC)
    end = now - timedelta(days=400)
    w = replace(webinar("again"), starts_at=end - timedelta(hours=1), ends_at=end)
    store.create_webinar(w, "k", [])
    ask(store, "again", "p1", "Ada", at=now - timedelta(days=2))
    assert due_date(store, w) == now - timedelta(days=2) + timedelta(days=90)
    assert purge_due(store) == [] and store.personal_data("again").names == 1
    # ninety-one days after that last question, it all goes
    [purged] = purge_due(store, now=now + timedelta(days=89))
    assert purged.removed.names == 1


def test_only_webinars_past_their_retention_period_are_purged(live):
    store = live.store
    now = datetime.now(UTC)
    # w1 ended 91 days ago (past its 90), w2 ended 89 days ago, w3 ended 8 days ago (7 days)
    ended = {"w1": 91, "w2": 89, "w3": 8}
    for code, days in ended.items():
        end = now - timedelta(days=days)
        keep = 7 if code == "w3" else 90
        w = replace(
            webinar(code),
            starts_at=end - timedelta(hours=1),
            ends_at=end,
            privacy=Privacy(retention_days=keep),
        )
        store.create_webinar(w, "k", [])
        ask(store, code, "p1", "Ada")
    dry = purge_due(store, dry_run=True)
    assert [p.webinar.code for p in dry] == ["w1", "w3"]
    assert store.personal_data("w1").names == 1  # a dry run changes nothing
    done = tasks.purge(live)
    assert [(p.webinar.code, p.removed) for p in done] == [
        ("w1", Personal(names=1, questions=1)),
        ("w3", Personal(names=1, questions=1)),
    ]
    assert store.personal_data("w2").names == 1
    assert [q.name for q in store.questions("w1")] == [None]
    # the moderation log says it, as done by the server (moderator 0)
    [entry] = [e for e in store.moderation_log("w1") if e.action == "purge"]
    assert entry.moderator == 0 and "1 name" in entry.detail
    assert tasks.purge(live) == []


def test_the_server_purges_at_start_then_every_hour(live, monkeypatch):
    end = datetime.now(UTC) - timedelta(days=100)
    w = replace(webinar("old"), starts_at=end - timedelta(hours=1), ends_at=end)
    live.store.create_webinar(w, "k", [])
    ask(live.store, "old", "p1", "Ada")
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 1:
            ask(live.store, "old", "p2", "Bo")  # a late question, purged on the next round
            return
        raise StopIteration

    with pytest.raises(StopIteration):
        tasks.purge_periodically(live, sleep)
    assert waits == [3600.0, 3600.0]
    purges = [e for e in live.store.moderation_log("old") if e.action == "purge"]
    assert len(purges) == 2 and live.store.personal_data("old") == Personal()


def test_purge_from_the_command_line(tmp_path):
    assert live_command(tmp_path, "list").returncode == 0  # creates the default webinar
    store = SQLiteStore(str(tmp_path / "live.sqlite3"))
    ask(store, "nets4dem", "p1", "Ada")
    ask(store, "nets4dem", "p2")
    [poll, *_] = store.polls("nets4dem")
    store.set_poll_state("nets4dem", poll.id, "open", {"draft"})
    store.cast_vote("nets4dem", poll.id, "p1", [0])
    during = store.get_webinar("nets4dem").starts_at
    store.set_interest("nets4dem", poll.id, "p1", "ana@city.example", during)
    store.close()

    dry = live_command(tmp_path, "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "nets4dem: ended 2024-06-27, kept 90 days (until 2024-09-25): would remove" in dry.stdout
    assert "1 name, 1 email address, 2 links to questions, 1 link to a ballot" in dry.stdout
    assert "Nothing was changed" in dry.stdout
    store = SQLiteStore(str(tmp_path / "live.sqlite3"))
    assert store.personal_data("nets4dem").emails == 1
    store.close()

    done = live_command(tmp_path, "purge")
    assert done.returncode == 0 and "removed 1 name, 1 email address" in done.stdout
    store = SQLiteStore(str(tmp_path / "live.sqlite3"))
    assert store.personal_data("nets4dem") == Personal()
    assert store.results("nets4dem", poll.id).voters == 1  # the results stay
    store.close()
    again = live_command(tmp_path, "purge")
    assert "Nothing to purge" in again.stdout
