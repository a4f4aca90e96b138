"""The optional word filter: a question or name with a word of the chosen languages' lists waits
for review, marked "held by the filter"; nothing is rewritten or dropped.

The lists ship with the package (``live/wordlists``: English from better-profanity, German,
Spanish, French, Italian, Dutch, Polish and Portuguese from the LDNOOBW lists; see SOURCES.txt).
Words and phrases match whole, without case and accents: "Class" never matches "ass".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

# the languages with a list, in the order the organiser page offers them
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
}
# words of the lists that name identities, health, religion, history or everyday things: a
# citizen's question about them must not wait for a moderator because of the word
ALLOWED = frozenset(
    {
        "breasts", "crap", "damn", "drunk", "fat", "gae", "gai", "gay", "gays", "god", "hell",
        "hiv", "kill", "lesbians", "murder", "nazi", "omg", "penis", "pms", "pot", "queer",
        "rum", "sex", "sexual", "vagina", "wtf", "sexo", "trio",
    }
)  # fmt: skip
_WORD = re.compile(r"\w+")


def fold(text: str) -> list[str]:
    """Return the words of a text, lowercase and without accents ("Bourrée" -> "bourree")."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return _WORD.findall(plain)


@functools.cache
def word_list(language: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Return a language's single words and its phrases (folded), read once per process."""
    text = (resources.files("live") / "wordlists" / f"{language}.txt").read_text("utf-8")
    words, phrases = set(), []
    for line in text.splitlines():
        folded = fold(line)
        if not folded or " ".join(folded) in ALLOWED:
            continue
        if len(folded) == 1:
            words.add(folded[0])
        else:
            phrases.append(f" {' '.join(folded)} ")
    return frozenset(words), tuple(phrases)


def matches(languages: tuple[str, ...] | list[str], *texts: str | None) -> bool:
    """Say whether any of the texts has a word or phrase of the languages' lists."""
    for text in texts:
        if not text:
            continue
        found = fold(text)
        joined = f" {' '.join(found)} "
        for language in languages:
            words, phrases = word_list(language)
            if not words.isdisjoint(found) or any(p in joined for p in phrases):
                return True
    return False
