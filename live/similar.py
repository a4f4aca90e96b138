"""Similar questions: what an attendee sees while typing ("already asked: upvote it instead?").

Pure computation, called by the ``suggest`` handler. Questions are compared on their content
words (lowercase, punctuation and the function words of the question's language removed: the
page's language, or the one its words show, live/stopwords.py) with RapidFuzz's
token-set ratio, which scores a question high when the words typed so far are among its words,
whatever their order. Fewer than two content words suggest nothing: "When is" is not a question
yet.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

from .domain import Question
from .stopwords import STOP_WORDS, guess_language

# the most suggestions shown, and the lowest score (0-100) worth showing
LIMIT = 3
CUTOFF = 70.0
MIN_WORDS = 2
FUNCTION_WORDS = STOP_WORDS["en"]


def content_words(text: str, stop: frozenset[str] = FUNCTION_WORDS) -> str:
    """Return the words of ``text`` that carry its meaning, lowercase, in order."""
    words = utils.default_process(text).split()
    return " ".join(w for w in words if w not in stop and len(w) > 1)


def similar_questions(
    text: str, questions: Iterable[Question], limit: int = LIMIT, language: str = "en"
) -> list[tuple[Question, float]]:
    """Return up to ``limit`` of ``questions`` similar to ``text``, best first (then most upvoted),
    each with its score. ``language`` is the page's: the typed words may show another."""
    stop = STOP_WORDS[guess_language(utils.default_process(text).split(), language)]
    typed = content_words(text, stop)
    if len(typed.split()) < MIN_WORDS:
        return []
    candidates = {q.id: q for q in questions}
    choices = {qid: content_words(q.text, stop) for qid, q in candidates.items()}
    hits = process.extract(
        typed, choices, scorer=fuzz.token_set_ratio, limit=None, score_cutoff=CUTOFF
    )
    ranked = sorted(hits, key=lambda hit: (-hit[1], -candidates[hit[2]].upvotes, hit[2]))
    return [(candidates[qid], round(score, 1)) for _, score, qid in ranked[:limit]]
