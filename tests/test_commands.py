"""Typed commands: each client event's fields are the protocol's, and nothing else gets in."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from live.handlers import HANDLERS

from .conftest import CODE, ack

PROTOCOL = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"


def documented_fields(event: str) -> set[str]:
    """Return the payload fields that docs/protocol.md gives in the event's table row."""
    section = PROTOCOL.read_text().split("## Client to server", 1)[1].split("\n## ", 1)[0]
    row = re.search(rf"^\| `{event}` \| (.*?) \|", section, flags=re.MULTILINE)
    assert row, f"'{event}' is not in the protocol's tables"
    names: set[str] = set()
    for payload in re.findall(r"`(\{.*?\})`", row.group(1)):
        names |= set(re.findall(r"(?:\{|, )([a-z_]+)\??(?=[:,}])", payload))
    return names


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda h: h.command.event)
def test_each_command_has_the_documented_fields(handler):
    assert {f.name for f in fields(handler.command)} == documented_fields(handler.command.event)


def test_every_event_is_handled_once():
    events = [handler.command.event for handler in HANDLERS]
    assert len(events) == len(set(events)) == 13


@pytest.mark.parametrize(
    ("event", "args"),
    [
        ("rotate_key", ({"key": "mine"},)),
        ("rotate_key", (None,)),
        ("settings", ({"premoderation": None},)),
        ("settings", ({"follow_up": True}, {"extra": 1})),
        ("poll", ({"poll": 1, "action": "open", "question": 1},)),
        ("create_poll", ("a poll",)),
        ("screen", ({"kind": "top", "poll": 1},)),
    ],
)
def test_moderator_commands_refuse_what_does_not_fit(room, live, event, args):
    mod = room.moderator()
    key = live.store.moderator_key(CODE)
    settings = live.store.get_webinar(CODE).settings
    reply = mod.emit(event, *args, callback=True)
    assert reply["ok"] is False and reply["error"] == "bad_request" and reply["message"]
    assert (
        live.store.moderator_key(CODE) == key and live.store.get_webinar(CODE).settings == settings
    )
    assert ack(mod, "settings", {"follow_up": True})["ok"]  # still connected and acting
