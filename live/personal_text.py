"""The sentence an attendee reads after asking to be forgotten, in their page's language (issue
15): what was removed, counted with each language's plural rules, and what stays."""

from __future__ import annotations

from babel.lists import format_list

from .domain import Personal
from .i18n import DEFAULT, languages, translate, translate_plural
from .msgids import N_, N_plural

# each kind of personal data, as a whole phrase with its count (singular, plural)
KINDS = (
    ("names", N_plural("%(num)d name", "%(num)d names")),
    ("emails", N_plural("%(num)d email address", "%(num)d email addresses")),
    ("questions", N_plural("%(num)d link to a question", "%(num)d links to questions")),
    ("upvotes", N_plural("%(num)d link to an upvote", "%(num)d links to upvotes")),
    ("ballots", N_plural("%(num)d link to a ballot", "%(num)d links to ballots")),
)


def forget_message(removed: Personal, language: str) -> str:
    """Say what ``removed`` held and that the texts and counts stay, in ``language``."""
    if language not in languages().codes:
        language = DEFAULT
    parts = [
        translate_plural(*forms, count, language)
        for field, forms in KINDS
        if (count := getattr(removed, field))
    ]
    # a list by the language's own pattern ("unit": "1 name, 1 link to a question" in English)
    listed = format_list(parts, style="unit", locale=language) if parts else ""
    if not parts:
        return translate(
            N_("Removed: nothing. Reload the page to go on with a new anonymous identity."),
            language,
        )
    return translate(
        N_(
            "Removed: %(removed)s. The texts of your questions and the counts stay, linked to "
            "nobody. Reload the page to go on with a new anonymous identity."
        ),
        language,
        removed=listed,
    )
