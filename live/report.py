"""The readable report of a webinar: the Markdown export (``/e/<code>/export.md``), for moderators.

Built from the same data as the JSON export (``exports.collect``). Attendees' text is escaped, so
that a question cannot turn into a link, an image (a request to another site when the report is
viewed) or a heading.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from .domain import DISMISS_REASONS

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
# how the log's actions read in a sentence of counts
_ACTIONS = {
    "approve": "approvals",
    "dismiss": "dismissals",
    "answer": "marked answered",
    "archive": "archived",
    "restore": "restored",
    "on_air": "put on screen",
    "off_air": "taken off screen",
    "screen": "screen changes",
    "edit": "edits",
    "merge": "merges",
    "reply": "written answers",
    "topic": "topics set",
    "open": "polls opened",
    "close": "polls closed",
    "show_results": "results shown",
    "hide_results": "results hidden",
    "create_poll": "polls created",
    "settings": "settings changes",
    "rotate_key": "moderator key changes",
    "purge": "purges of personal data",
}


def escape(text: str) -> str:
    """Make user text literal in Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_report(data: dict[str, Any]) -> str:
    """Write the whole webinar (the JSON export's ``data``) as a Markdown document."""
    webinar = data["webinar"]
    starts = datetime.fromisoformat(webinar["starts_at"])
    lines = [
        f"# {escape(webinar['title'])}",
        "",
        f"{escape(webinar['organiser'])} · {starts:%A %d %B %Y, %H:%M} ({webinar['timezone']})",
        "",
    ]
    lines += _questions(data["questions"], data["dismissed"])
    lines += _polls(data["polls"])
    lines += _log(data["moderation_log"])
    return "\n".join(lines).rstrip() + "\n"


def _questions(questions: list[dict[str, Any]], dismissed: dict[str, int]) -> list[str]:
    shown = sorted(
        (q for q in questions if q["status"] in ("live", "answered")),
        key=lambda q: (-q["upvotes"], q["id"]),
    )
    merged = [q for q in questions if q["status"] == "merged"]
    by_id = {q["id"]: q for q in questions}
    answered = sum(q["status"] == "answered" for q in questions)
    written = sum(bool(q["reply"]) for q in questions)
    lines = [
        "## Questions",
        "",
        f"{len(questions)} questions: {answered} answered live, {written} with a written answer, "
        f"{len(merged)} merged into another, {sum(dismissed.values())} dismissed"
        + (f" ({_dismissed_counts(dismissed)})" if dismissed else "")
        + ".",
        "",
    ]
    for n, q in enumerate(shown, 1):
        facts = [f"{q['upvotes']} upvote{'s' if q['upvotes'] != 1 else ''}"]
        if q["asked_by"] > 1:
            facts.append(f"asked by {q['asked_by']} people")
        if q["topic"]:
            facts.append(f"topic: {escape(q['topic'])}")
        facts.append("answered live" if q["status"] == "answered" else "not answered live")
        author = f" ({escape(q['name'])})" if q["name"] else ""
        lines.append(f"{n}. **{escape(q['text'])}**{author}  ")
        lines.append(f"   {' · '.join(facts)}")
        if q["reply"]:
            lines.append(f"   > Written answer: {escape(q['reply'])}")
        lines.append("")
    if merged:
        lines += ["### Merged into another question", ""]
        for q in merged:
            into = by_id.get(q["merged_into"])
            target = f"**{escape(into['text'])}**" if into else f"question {q['merged_into']}"
            lines.append(f"- {escape(q['text'])} → {target}")
        lines.append("")
    return lines


def _dismissed_counts(dismissed: dict[str, int]) -> str:
    return ", ".join(
        f"{count} as {DISMISS_REASONS.get(reason, reason)}"
        for reason, count in sorted(dismissed.items(), key=lambda item: (-item[1], item[0]))
    )


def _polls(polls: list[dict[str, Any]]) -> list[str]:
    lines = ["## Polls", ""]
    shown = [p for p in polls if p["state"] != "draft"]
    if not shown:
        return [*lines, "No poll was opened.", ""]
    for poll in shown:
        results = poll["results"]
        kind = {"multiple": "several answers allowed", "rating": "a rating of 1 to 5 stars"}.get(
            poll["kind"], "one answer"
        )
        if poll["kind"] == "rating" and results.get("average") is not None:
            kind += f", average {results['average']} of 5"
        if poll["kind"] == "ranking":
            ranked = sorted(
                zip(poll["options"], results["ranks"], strict=True),
                key=lambda item: (item[1] is None, item[1] or 0),
            )
            lines += [
                f"### {escape(poll['prompt'])}",
                "",
                f"{results['voters']} voters ranked the options; by average rank (1 = first):",
                "",
            ]
            lines += [
                f"{n}. {escape(option)} (average rank {rank if rank is not None else '-'})"
                for n, (option, rank) in enumerate(ranked, 1)
            ]
            lines.append("")
            continue
        if poll["kind"] == "text":
            lines += [f"### {escape(poll['prompt'])}", "", f"{results['voters']} answers:", ""]
            lines += [
                f"- {escape(a['text'])}" + (f" ({a['count']} times)" if a["count"] > 1 else "")
                for a in results["answers"]
            ]
            lines.append("")
            continue
        if poll["kind"] == "words":
            words = ", ".join(f"{escape(w)} ({n})" for w, n in results["words"][:20])
            lines += [
                f"### {escape(poll['prompt'])}",
                "",
                f"{results['voters']} voters, a word cloud. Most given: {words or 'none'}.",
                "",
            ]
            continue
        lines += [
            f"### {escape(poll['prompt'])}",
            "",
            f"{results['voters']} voters, {kind}.",
            "",
            "| Option | Votes | Share of voters |",
            "| --- | ---: | ---: |",
        ]
        for option, count, share in zip(
            poll["options"], results["counts"], results["percentages"], strict=True
        ):
            lines.append(f"| {escape(option)} | {count} | {share} % |")
        lines.append("")
    return lines


def _log(entries: list[dict[str, Any]]) -> list[str]:
    if not entries:
        return ["## Moderation", "", "No moderator action was logged.", ""]
    counts = Counter(e["action"] for e in entries)
    moderators = len({e["moderator"] for e in entries if e["moderator"]})
    summary = ", ".join(
        f"{_ACTIONS.get(action, action)}: {count}" for action, count in counts.most_common()
    )
    return [
        "## Moderation",
        "",
        f"{len(entries)} moderator actions by {moderators} moderator"
        f"{'s' if moderators != 1 else ''}: {summary}. The JSON and CSV exports list each one.",
        "",
    ]
