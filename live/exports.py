"""Exports for moderators: every question with its status, votes and times, every poll's results."""

from __future__ import annotations

import csv
import io
from typing import Any

from .domain import Webinar, dismissed_counts
from .payloads import moderator_poll, question_payload, webinar_payload
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
    "voters",
)
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
    }


def to_csv(data: dict[str, Any]) -> str:
    """Write one table: a row per question, then a row per poll option."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for q in data["questions"]:
        writer.writerow(
            _safe(
                [
                    "question",
                    q["id"],
                    q["status"],
                    q["reason"] or "",
                    q["text"],
                    q["name"] or "",
                    q["upvotes"],
                    q["asked_by"],
                    q["merged_into"] or "",
                    q["reply"] or "",
                    q["topic"] or "",
                    q["created_at"],
                    q["on_air"],
                    "",
                    "",
                    "",
                    "",
                ]
            )
        )
    for poll in data["polls"]:
        results = poll["results"]
        for index, option in enumerate(poll["options"]):
            writer.writerow(
                _safe(
                    [
                        "poll",
                        poll["id"],
                        poll["state"],
                        "",
                        poll["prompt"],
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        option,
                        results["counts"][index],
                        results["percentages"][index],
                        results["voters"],
                    ]
                )
            )
    return out.getvalue()


def _safe(row: list[Any]) -> list[Any]:
    # neutralise user text that a spreadsheet would run as a formula
    return [
        f"'{cell}" if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS) else cell
        for cell in row
    ]
