"""The rest of a snapshot: the questions it left out, a page at a time (the ``questions`` event).

An attendee's or viewer's snapshot carries the questions a phone shows first (snapshots.py); a
page asks for the others when its reader wants them: all of them for a topic filter, or the next
ones at the end of the list. The pages come from the same shared part as the snapshots, encoded
already.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from . import Connection, Live, service
from .domain import InvalidInput
from .events import Ack, event
from .snapshots import questions_page


@dataclass(frozen=True)
class QuestionsPage:
    """A page of the questions everyone sees: those before the question ``before`` (none: the
    newest)."""

    event: ClassVar[str] = "questions"
    before: object = None


@event(QuestionsPage)
def on_questions(live: Live, connection: Connection, command: QuestionsPage) -> Ack:
    """Sent by a page for questions its snapshot left out; the answer, to the sender alone, holds
    up to 100 of the questions everyone sees that are older than ``before``, newest first, and
    whether there are older ones still."""
    before = command.before
    if before is not None and (type(before) is not int or before < 1):
        raise InvalidInput("before is the id of a question: a positive whole number.")
    webinar = service.get_webinar(live.store, code=connection.code)
    return questions_page(live.broadcaster.snapshots.get(webinar), before)
