"""Personal data: the purge at the end of each webinar's retention period, and "forget me".

What is personal and where it lives is in docs/privacy.md; the stores remove it in one step
(``Store.remove_personal``). Called by the server's hourly task (tasks.py), the command line
(``python -m live purge``) and the ``forget`` event (handlers.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .domain import NotFound, Personal, Question, Webinar, purge_date
from .msgids import N_
from .store import Store


@dataclass(frozen=True)
class Purged:
    """One webinar's purge: what was (or, in a dry run, would be) removed, and its questions."""

    webinar: Webinar
    removed: Personal
    questions: tuple[int, ...]


def purge_due(store: Store, now: datetime | None = None, dry_run: bool = False) -> list[Purged]:
    """Remove the personal data of every webinar whose retention period is over (``dry_run``:
    only say what would go); return the webinars that had some, in code order."""
    now = now or datetime.now(UTC)
    done = []
    for code in store.webinar_codes():
        webinar = store.get_webinar(code)
        if webinar is None:
            continue
        # read once: the due date's newest question, and the ids the purge changes (a purge
        # unlinks questions from their authors, it removes none)
        questions = store.questions(code)
        if due_date(store, webinar, questions) > now:
            continue
        found = store.personal_data(code)
        if not found.total:
            continue
        if not dry_run:
            found = store.remove_personal(code, at=now) or Personal()
        done.append(Purged(webinar, found, tuple(q.id for q in questions)))
    return done


def last_activity(
    store: Store, code: str, questions: Sequence[Question] | None = None
) -> datetime | None:
    """Return when the webinar last collected personal data: its newest question or email
    address (upvotes and ballots carry no time; they come with the questions and polls).
    ``questions``: the webinar's, where the caller has read them already."""
    if questions is None:
        questions = store.questions(code)
    times = [q.created_at for q in questions]
    for poll in store.polls(code):
        times.extend(at for _, at in store.interests(code, poll.id).values())
    return max(times, default=None)


def due_date(
    store: Store, webinar: Webinar, questions: Sequence[Question] | None = None
) -> datetime:
    """Return when the purge removes this webinar's personal data (``domain.purge_date``);
    ``questions``: the webinar's, where the caller has read them already."""
    return purge_date(webinar, last_activity(store, webinar.code, questions))


def forget(store: Store, code: str, participant: str) -> tuple[Personal, tuple[int, ...]]:
    """Remove one participant's personal data and refuse their token from now on; return what
    was removed and the ids of the questions that were theirs (their pages change)."""
    theirs = tuple(q.id for q in store.questions(code) if q.participant == participant)
    removed = store.remove_personal(code, participant)
    if removed is None:
        raise NotFound(N_("There is no webinar with that code."), "unknown_webinar")
    return removed, theirs
