"""The codec: what a dataclass's fields become in rows and hashes, and back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from live.domain import Programme, Webinar, WebinarSettings
from live.store.codec import WEBINARS, Codec


@dataclass(frozen=True)
class Card:
    id: int
    text: str
    shown_at: datetime
    # fields a later version added: each has a default
    pinned: bool = False
    tags: tuple[str, ...] = ()
    note: str | None = None


CARDS = Codec(Card, ("id",))
AT = datetime(2024, 6, 27, 8, 0, tzinfo=UTC)


def test_a_new_field_is_a_column_with_its_default_and_reads_back_from_older_data():
    assert CARDS.declarations() == {
        "text": "TEXT NOT NULL",
        "shown_at": "TEXT NOT NULL",
        "pinned": "INTEGER NOT NULL DEFAULT 0",
        "tags": "TEXT NOT NULL DEFAULT '[]'",
        "note": "TEXT",
    }
    older = {"id": 3, "text": "Hi", "shown_at": "2024-06-27T08:00:00+00:00"}
    assert CARDS.build(CARDS.decode(older)) == Card(3, "Hi", AT)


def test_values_round_trip_as_sqlite_and_redis_keep_them():
    card = Card(3, "Hi", AT + timedelta(microseconds=5), True, ("a", "b"), None)
    stored = CARDS.encode(CARDS.fields_of(card))
    assert stored == {
        "text": "Hi",
        "shown_at": "2024-06-27T08:00:00.000005+00:00",
        "pinned": 1,
        "tags": '["a", "b"]',
        "note": None,
    }
    as_hash = {k: "" if v is None else str(v) for k, v in stored.items()}  # what Redis keeps
    for row in (stored, as_hash):
        assert CARDS.build({"id": 3, **CARDS.decode(row)}) == card


def test_stored_times_sort_as_text():
    earlier = CARDS.value("shown_at", AT.astimezone(timezone(timedelta(hours=2))))
    later = CARDS.value("shown_at", AT + timedelta(microseconds=1))
    assert earlier < later and earlier == "2024-06-27T08:00:00.000000+00:00"


def test_a_webinar_keeps_its_zone_and_nested_settings_flat():
    plus_two = timezone(timedelta(hours=2))
    webinar = Webinar(
        "w1",
        "T",
        "D",
        AT.astimezone(plus_two),
        (AT + timedelta(hours=1)).astimezone(plus_two),
        programmes=(Programme("Parks", "10:00"),),
        settings=WebinarSettings(premoderation=True),
    )
    stored = WEBINARS.encode(WEBINARS.fields_of(webinar))
    assert stored["premoderation"] == 1 and stored["timezone"] == "UTC+02:00"
    again = WEBINARS.build({"code": "w1", **WEBINARS.decode(stored)})
    assert again == webinar and again.starts_at.utcoffset() == timedelta(hours=2)
