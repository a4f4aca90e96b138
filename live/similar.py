"""Similar questions: what an attendee sees while typing ("already asked: upvote it instead?").

Pure computation, called by the ``suggest`` handler. Questions are compared on their content
words (lowercase, punctuation and common English function words removed) with RapidFuzz's
token-set ratio, which scores a question high when the words typed so far are among its words,
whatever their order. Fewer than two content words suggest nothing: "When is" is not a question
yet.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

from .domain import Question

# the most suggestions shown, and the lowest score (0-100) worth showing
LIMIT = 3
CUTOFF = 70.0
MIN_WORDS = 2
FUNCTION_WORDS = frozenset(
    """a an the is are was were be been being am do does did done of in on at to for from by
    with and or but if it its this that these those there here what when where who whom whose
    which why how can could will would should may might must shall i we you they he she my our
    your their me us them as about into than then so not no yes any all some also just very
    has have had get got please""".split()
)


def content_words(text: str) -> str:
    """Return the words of ``text`` that carry its meaning, lowercase, in order."""
    words = utils.default_process(text).split()
    return " ".join(w for w in words if w not in FUNCTION_WORDS and len(w) > 1)


def similar_questions(
    text: str, questions: Iterable[Question], limit: int = LIMIT
) -> list[tuple[Question, float]]:
    """Return up to ``limit`` of ``questions`` similar to ``text``, best first (then most upvoted),
    each with its score."""
    typed = content_words(text)
    if len(typed.split()) < MIN_WORDS:
        return []
    candidates = {q.id: q for q in questions}
    choices = {qid: content_words(q.text) for qid, q in candidates.items()}
    hits = process.extract(
        typed, choices, scorer=fuzz.token_set_ratio, limit=None, score_cutoff=CUTOFF
    )
    ranked = sorted(hits, key=lambda hit: (-hit[1], -candidates[hit[2]].upvotes, hit[2]))
    return [(candidates[qid], round(score, 1)) for _, score, qid in ranked[:limit]]
