"""The client events as typed commands: one frozen dataclass per event, named after its payload.

The event dispatch (events.py) builds a command from the payload: it must be one object with only
the command's fields. The values are whatever the client sent (a field it left out is None): the
service checks them, so that one place says what a valid question, vote or poll is.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, Protocol, TypeVar

from .domain import InvalidInput
from .msgids import N_


@dataclass(frozen=True)
class Ask:
    """An attendee's new question."""

    event: ClassVar[str] = "ask"
    text: object = None
    name: object = None
    idempotency_key: object = None
    topic: object = None


@dataclass(frozen=True)
class Upvote:
    """An attendee adds (``up`` true) or withdraws their upvote of a question."""

    event: ClassVar[str] = "upvote"
    question: object = None
    up: object = None


@dataclass(frozen=True)
class Vote:
    """An attendee's ballot: option indexes, words of a word cloud, or an open text answer."""

    event: ClassVar[str] = "vote"
    poll: object = None
    options: object = None
    words: object = None
    text: object = None


@dataclass(frozen=True)
class Interest:
    """A voter's email address for application information (``email`` None withdraws it)."""

    event: ClassVar[str] = "interest"
    poll: object = None
    email: object = None
    consent: object = None


@dataclass(frozen=True)
class Forget:
    """An attendee asks to be forgotten ("forget me"; no fields)."""

    event: ClassVar[str] = "forget"


@dataclass(frozen=True)
class Suggest:
    """The question an attendee is typing, to find similar ones."""

    event: ClassVar[str] = "suggest"
    text: object = None


@dataclass(frozen=True)
class Questions:
    """A page of the questions everyone sees: those before the question ``before`` (none: the
    newest)."""

    event: ClassVar[str] = "questions"
    before: object = None


@dataclass(frozen=True)
class Moderate:
    """A moderator's action on a question."""

    event: ClassVar[str] = "moderate"
    question: object = None
    action: object = None
    text: object = None
    reason: object = None
    into: object = None
    topic: object = None


@dataclass(frozen=True)
class PollAction:
    """A moderator opens, closes or shows a poll's results or answers."""

    event: ClassVar[str] = "poll"
    poll: object = None
    action: object = None
    seconds: object = None
    answer: object = None


@dataclass(frozen=True)
class ShowScreen:
    """A moderator chooses what the screen shows: a ``kind`` and, for a question or poll, its
    ``id``."""

    event: ClassVar[str] = "screen"
    kind: object = None
    id: object = None


@dataclass(frozen=True)
class CreatePoll:
    """A moderator's new (draft) poll."""

    event: ClassVar[str] = "create_poll"
    prompt: object = None
    kind: object = None
    options: object = None


class _Unset:
    """A setting the moderator did not send (None would be a value, and refused)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class Settings:
    """A moderator changes some of the webinar's settings: only those sent change."""

    event: ClassVar[str] = "settings"
    premoderation: object = UNSET
    max_question_length: object = UNSET
    ask_names: object = UNSET
    follow_up: object = UNSET
    show_passcode: object = UNSET
    passcode_in_qr: object = UNSET
    word_filter: object = UNSET

    def changes(self) -> dict[str, object]:
        """Return the settings sent, by name."""
        sent = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in sent.items() if value is not UNSET}


@dataclass(frozen=True)
class RotateKey:
    """A moderator gives the webinar a new moderator key (no fields)."""

    event: ClassVar[str] = "rotate_key"


class Command(Protocol):
    """What every command is: a dataclass named after its client event."""

    event: ClassVar[str]
    __dataclass_fields__: ClassVar[dict[str, Any]]


C = TypeVar("C", bound=Command)


def parse(command: type[C], payload: object, extra: tuple[object, ...] = ()) -> C:
    """Build a command from an event's arguments, or refuse them with ``bad_request``."""
    name = command.event
    allowed = {f.name for f in fields(command)}
    if extra or not isinstance(payload, dict):
        raise InvalidInput(
            N_("'%(event)s' takes one object with: %(fields)s."),
            event=name,
            fields=", ".join(sorted(allowed)),
        )
    if unknown := set(payload) - allowed:
        raise InvalidInput(
            N_("Unknown fields for '%(event)s': %(fields)s."),
            event=name,
            fields=", ".join(sorted(map(str, unknown))),
        )
    return command(**payload)
