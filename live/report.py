"""The readable report of a webinar: the Markdown export (``/e/<code>/export.md``), for moderators.

Built from the same data as the JSON export (``exports.collect``), in the webinar's ``language``
(issue 15): its sentences from the catalogue (plurals by CLDR rules), its date and numbers by
Babel. Attendees' text is escaped, so that a question cannot turn into a link, an image (a
request to another site when the report is viewed) or a heading.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_decimal

from .i18n import DEFAULT, languages, translate, translate_plural
from .msgids import N_, N_plural

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
# how the log's actions read in a sentence of counts
_ACTIONS = {
    "approve": N_("approvals"),
    "dismiss": N_("dismissals"),
    "answer": N_("marked answered"),
    "archive": N_("questions archived"),
    "restore": N_("restored"),
    "on_air": N_("put on screen"),
    "off_air": N_("taken off screen"),
    "screen": N_("screen changes"),
    "edit": N_("edits"),
    "merge": N_("merges"),
    "reply": N_("written answers"),
    "topic": N_("topics set"),
    "open": N_("polls opened"),
    "close": N_("polls closed"),
    "show_results": N_("results shown"),
    "hide_results": N_("results hidden"),
    "create_poll": N_("polls created"),
    "settings": N_("settings changes"),
    "rotate_key": N_("moderator key changes"),
    "show_answer": N_("written poll answers shown"),
    "hide_answer": N_("written poll answers hidden again"),
    "purge": N_("purges of personal data"),
}
# why questions were dismissed, as the report counts them
_REASONS = {
    "off_topic": N_("off-topic"),
    "duplicate": N_("a duplicate"),
    "already_answered": N_("already answered"),
    "inappropriate": N_("inappropriate"),
    "other": N_("another reason"),
}
_SUMMARY = N_plural(
    "%(num)d question: %(answered)d answered live, %(written)d with a written answer, "
    "%(merged)d merged into another, %(dismissed)d dismissed.",
    "%(num)d questions: %(answered)d answered live, %(written)d with a written answer, "
    "%(merged)d merged into another, %(dismissed)d dismissed.",
)
_SUMMARY_REASONS = N_plural(
    "%(num)d question: %(answered)d answered live, %(written)d with a written answer, "
    "%(merged)d merged into another, %(dismissed)d dismissed (%(reasons)s).",
    "%(num)d questions: %(answered)d answered live, %(written)d with a written answer, "
    "%(merged)d merged into another, %(dismissed)d dismissed (%(reasons)s).",
)


class _Words:
    """The report's sentences, dates and numbers in one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in languages().codes else DEFAULT
        # British English, as elsewhere in the app ("Tuesday 17 September 2026")
        self.locale = "en_GB" if self.language == DEFAULT else self.language

    def __call__(self, message: str, **params: Any) -> str:
        return translate(message, self.language, **params)

    def n(self, forms: tuple[str, str], num: int, **params: Any) -> str:
        return translate_plural(*forms, num, self.language, **params)

    def number(self, value: float) -> str:
        return format_decimal(value, format="#,##0.0", locale=self.locale)

    def moment(self, when: datetime) -> str:
        # the language's full date and short time ("Thursday 17 September 2026, 15:00")
        day = format_date(when, format="full", locale=self.locale)
        return f"{day}, {format_time(when, format='short', locale=self.locale)}"


def escape(text: str) -> str:
    """Make user text literal in Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_report(data: dict[str, Any], language: str = DEFAULT) -> str:
    """Write the whole webinar (the JSON export's ``data``) as a Markdown document in
    ``language`` (the webinar's)."""
    words = _Words(language)
    webinar = data["webinar"]
    starts = datetime.fromisoformat(webinar["starts_at"])
    lines = [
        f"# {escape(webinar['title'])}",
        "",
        f"{escape(webinar['organiser'])} · {words.moment(starts)} ({webinar['timezone']})",
        "",
    ]
    lines += _questions(words, data["questions"], data["dismissed"])
    lines += _polls(words, data["polls"])
    lines += _log(words, data["moderation_log"])
    return "\n".join(lines).rstrip() + "\n"


def _questions(
    words: _Words, questions: list[dict[str, Any]], dismissed: dict[str, int]
) -> list[str]:
    shown = sorted(
        (q for q in questions if q["status"] in ("live", "answered")),
        key=lambda q: (-q["upvotes"], q["id"]),
    )
    merged = [q for q in questions if q["status"] == "merged"]
    by_id = {q["id"]: q for q in questions}
    counts = {
        "answered": sum(q["status"] == "answered" for q in questions),
        "written": sum(bool(q["reply"]) for q in questions),
        "merged": len(merged),
        "dismissed": sum(dismissed.values()),
    }
    if dismissed:
        summary = words.n(
            _SUMMARY_REASONS, len(questions), reasons=_dismissed_counts(words, dismissed), **counts
        )
    else:
        summary = words.n(_SUMMARY, len(questions), **counts)
    lines = ["## " + words(N_("Questions")), "", summary, ""]
    for n, q in enumerate(shown, 1):
        facts = [words.n(N_plural("%(num)d upvote", "%(num)d upvotes"), q["upvotes"])]
        if q["asked_by"] > 1:
            facts.append(
                words.n(
                    N_plural("asked by %(num)d person", "asked by %(num)d people"), q["asked_by"]
                )
            )
        if q["topic"]:
            facts.append(words(N_("topic: %(topic)s"), topic=escape(q["topic"])))
        facts.append(
            words(N_("answered live"))
            if q["status"] == "answered"
            else words(N_("not answered live"))
        )
        author = f" ({escape(q['name'])})" if q["name"] else ""
        lines.append(f"{n}. **{escape(q['text'])}**{author}  ")
        lines.append(f"   {' · '.join(facts)}")
        if q["reply"]:
            reply = words(N_("Written answer: %(answer)s"), answer=escape(q["reply"]))
            lines.append(f"   > {reply}")
        lines.append("")
    if merged:
        lines += ["### " + words(N_("Merged into another question")), ""]
        for q in merged:
            into = by_id.get(q["merged_into"])
            target = (
                f"**{escape(into['text'])}**"
                if into
                else words(N_("question %(id)s"), id=q["merged_into"])
            )
            lines.append(f"- {escape(q['text'])} → {target}")
        lines.append("")
    return lines


def _dismissed_counts(words: _Words, dismissed: dict[str, int]) -> str:
    return format_list(
        [
            words(N_("%(reason)s: %(count)d"), reason=words(_REASONS.get(reason, reason)), count=n)
            for reason, n in sorted(dismissed.items(), key=lambda item: (-item[1], item[0]))
        ],
        style="unit",
        locale=words.locale,
    )


def _polls(words: _Words, polls: list[dict[str, Any]]) -> list[str]:
    lines = ["## " + words(N_("Polls")), ""]
    shown = [p for p in polls if p["state"] != "draft"]
    if not shown:
        return [*lines, words(N_("No poll was opened.")), ""]
    for poll in shown:
        lines += [f"### {escape(poll['prompt'])}", ""]
        lines += _poll(words, poll)
        lines.append("")
    return lines


def _poll(words: _Words, poll: dict[str, Any]) -> list[str]:
    """One poll's results (after its heading)."""
    results = poll["results"]
    voters = results["voters"]
    if poll["kind"] == "ranking":
        ranked = sorted(
            zip(poll["options"], results["ranks"], strict=True),
            key=lambda item: (item[1] is None, item[1] or 0),
        )
        lines = [
            words.n(
                N_plural(
                    "%(num)d voter ranked the options; by average rank (1 = first):",
                    "%(num)d voters ranked the options; by average rank (1 = first):",
                ),
                voters,
            ),
            "",
        ]
        return lines + [
            f"{n}. {escape(option)} ("
            + words(
                N_("average rank %(rank)s"),
                rank=words.number(rank) if rank is not None else "-",
            )
            + ")"
            for n, (option, rank) in enumerate(ranked, 1)
        ]
    if poll["kind"] == "text":
        lines = [words.n(N_plural("%(num)d answer:", "%(num)d answers:"), voters), ""]
        return lines + [
            f"- {escape(a['text'])}"
            + (
                " (" + words.n(N_plural("%(num)d time", "%(num)d times"), a["count"]) + ")"
                if a["count"] > 1
                else ""
            )
            for a in results["answers"]
        ]
    if poll["kind"] == "words":
        given = ", ".join(f"{escape(w)} ({n})" for w, n in results["words"][:20])
        if not given:
            return [
                words.n(
                    N_plural("%(num)d voter, a word cloud.", "%(num)d voters, a word cloud."),
                    voters,
                )
            ]
        return [
            words.n(
                N_plural(
                    "%(num)d voter, a word cloud. Most given: %(words)s.",
                    "%(num)d voters, a word cloud. Most given: %(words)s.",
                ),
                voters,
                words=given,
            )
        ]
    if poll["kind"] == "rating" and results.get("average") is not None:
        kind = words(
            N_("a rating of 1 to 5 stars, average %(average)s of 5"),
            average=words.number(results["average"]),
        )
    elif poll["kind"] == "rating":
        kind = words(N_("a rating of 1 to 5 stars"))
    elif poll["kind"] == "multiple":
        kind = words(N_("several answers allowed"))
    else:
        kind = words(N_("one answer"))
    lines = [
        words.n(
            N_plural("%(num)d voter, %(kind)s.", "%(num)d voters, %(kind)s."), voters, kind=kind
        ),
        "",
        "| "
        + " | ".join((words(N_("Option")), words(N_("Votes")), words(N_("Share of voters"))))
        + " |",
        "| --- | ---: | ---: |",
    ]
    for option, count, share in zip(
        poll["options"], results["counts"], results["percentages"], strict=True
    ):
        lines.append(f"| {escape(option)} | {count} | {words.number(share)} % |")
    return lines


def _log(words: _Words, entries: list[dict[str, Any]]) -> list[str]:
    heading = "## " + words(N_("Moderation"))
    if not entries:
        return [heading, "", words(N_("No moderator action was logged.")), ""]
    counts = Counter(e["action"] for e in entries)
    moderators = len({e["moderator"] for e in entries if e["moderator"]})
    summary = ", ".join(
        words(
            N_("%(reason)s: %(count)d"),
            # an action this table does not know yet still reads as words, not as a code
            reason=words(_ACTIONS[action]) if action in _ACTIONS else action.replace("_", " "),
            count=count,
        )
        for action, count in counts.most_common()
    )
    by = words.n(N_plural("%(num)d moderator action", "%(num)d moderator actions"), len(entries))
    return [
        heading,
        "",
        words.n(
            N_plural(
                "%(actions)s by %(num)d moderator: %(summary)s. "
                "The JSON and CSV exports list each one.",
                "%(actions)s by %(num)d moderators: %(summary)s. "
                "The JSON and CSV exports list each one.",
            ),
            moderators,
            actions=by,
            summary=summary,
        ),
        "",
    ]
