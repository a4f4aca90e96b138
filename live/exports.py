"""Exports for moderators: every question with its status, votes and times, every poll's results
and the moderation log."""

from __future__ import annotations

import csv
import io
from typing import Any

from .domain import Webinar, dismissed_counts
from .i18n import translate
from .msgids import N_
from .payloads import log_payload, moderator_poll, question_payload, webinar_payload
from .store import Store

CSV_COLUMNS = (
    "record",
    "id",
    "status",
    "reason",
    "text",
    "author",
    "upvotes",
    "asked_by",
    "merged_into",
    "reply",
    "topic",
    "created_at",
    "on_air",
    "option",
    "votes",
    "percent",
    "average_rank",
    "voters",
)
# the header row of a CSV in another language than English (an English CSV keeps the column
# names above, which scripts read); the ``record`` and status cells stay codes
CSV_HEADINGS = {
    "record": N_("Record"),
    "id": N_("ID"),
    "status": N_("Status"),
    "reason": N_("Reason"),
    "text": N_("Text"),
    "author": N_("Author"),
    "upvotes": N_("Upvotes"),
    "asked_by": N_("Asked by"),
    "merged_into": N_("Merged into"),
    "reply": N_("Reply"),
    "topic": N_("Topic"),
    "created_at": N_("Created at"),
    "on_air": N_("On screen"),
    "option": N_("Option"),
    "votes": N_("Votes"),
    "percent": N_("Percent"),
    "average_rank": N_("Average rank"),
    "voters": N_("Voters"),
}
# the interest CSV's columns and their headings
INTEREST_HEADINGS = {
    "poll": N_("Poll"),
    "option": N_("Option"),
    "email": N_("Email address"),
    "consented_at": N_("Consent given at"),
}
# a spreadsheet runs a cell that starts with one of these as a formula
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def collect(store: Store, webinar: Webinar) -> dict[str, Any]:
    """Gather the whole webinar as plain data (the JSON export)."""
    on_air = store.on_air(webinar.code)
    questions = store.questions(webinar.code)
    return {
        "webinar": webinar_payload(webinar),
        "questions": [question_payload(q, on_air) for q in questions],
        "dismissed": dismissed_counts(questions),
        "polls": [moderator_poll(store, p) for p in store.polls(webinar.code)],
        "moderation_log": [log_payload(e) for e in store.moderation_log(webinar.code)],
    }


def to_csv(data: dict[str, Any], language: str = "en") -> str:
    """Write one table: a row per question, then a row per poll option, then one per moderation
    log entry (``record`` says which; cells that do not apply stay empty). The header row is in
    ``language`` (the webinar's), English's being the column names."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="")
    _write_header(writer, CSV_HEADINGS, language)
    for q in data["questions"]:
        row = {
            "record": "question",
            "id": q["id"],
            "status": q["status"],
            "reason": q["reason"],
            "text": q["text"],
            "author": q["name"],
            "upvotes": q["upvotes"],
            "asked_by": q["asked_by"],
            "merged_into": q["merged_into"],
            "reply": q["reply"],
            "topic": q["topic"],
            "created_at": q["created_at"],
            "on_air": q["on_air"],
        }
        writer.writerow(_safe(row))
    for poll in data["polls"]:
        results = poll["results"]
        # what every row of this poll says; each option, word or answer adds its own figures
        head = {
            "record": "poll",
            "id": poll["id"],
            "status": poll["state"],
            "text": poll["prompt"],
            "voters": results["voters"],
        }
        typed = results.get("words", []) + [
            [a["text"], a["count"]] for a in results.get("answers", [])
        ]
        for word, count in typed:
            writer.writerow(_safe({**head, "option": word, "votes": count}))
        for index, option in enumerate(poll["options"]):
            if poll["kind"] == "ranking":
                figures = {"average_rank": results["ranks"][index]}
            else:
                figures = {
                    "votes": results["counts"][index],
                    "percent": results["percentages"][index],
                }
            writer.writerow(_safe({**head, "option": option, **figures}))
    for entry in data["moderation_log"]:
        target = f"#{entry['target']} " if entry["target"] is not None else ""
        row = {
            "record": "log",
            "id": entry["id"],
            "status": entry["action"],
            "text": f"{target}{entry['detail']}".strip(),
            "author": f"moderator {entry['moderator']}" if entry["moderator"] else "server",
            "created_at": entry["at"],
        }
        writer.writerow(_safe(row))
    return out.getvalue()


def _safe(row: dict[str, Any]) -> dict[str, Any]:
    # neutralise user text that a spreadsheet would run as a formula; None is an empty cell
    return {
        column: ""
        if cell is None
        else f"'{cell}"
        if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS)
        else cell
        for column, cell in row.items()
    }


def interest_csv(store: Store, webinar: Webinar, language: str = "en") -> str:
    """The addresses voters left on the polls that collect them, one row per option they chose
    (a programme) and address, sorted by option: the list to send application information to.
    The header row is in ``language``, as ``to_csv``'s."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=tuple(INTEREST_HEADINGS))
    _write_header(writer, INTEREST_HEADINGS, language)
    rows = []
    for poll in store.polls(webinar.code):
        if not poll.collects_emails:
            continue
        for participant, (email, at) in store.interests(webinar.code, poll.id).items():
            # what they chose now: a changed ballot changes what they hear about
            for option in store.ballots(webinar.code, participant).get(poll.id, ()):
                rows.append(
                    {
                        "poll": poll.prompt,
                        "option": poll.options[option],
                        "email": email,
                        "consented_at": at.isoformat(),
                    }
                )
    for row in sorted(rows, key=lambda r: (r["poll"], r["option"], r["email"])):
        writer.writerow(_safe(row))
    return out.getvalue()


def _write_header(writer: csv.DictWriter[str], headings: dict[str, str], language: str) -> None:
    """Write a CSV's header row: the column names in English (what scripts read), else each
    column's heading in ``language``."""
    if language == "en":
        writer.writeheader()
    else:
        writer.writerow(
            {column: translate(heading, language) for column, heading in headings.items()}
        )
