"""The optional word filter: matching words hold a question for review, in every store."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources

from live import wordfilter
from live.domain import FILTER_LANGUAGES

from .conftest import ack, received
from .test_store_contract import question, store  # noqa: F401


def test_every_language_has_its_list_and_its_licence():
    assert tuple(wordfilter.LANGUAGES) == FILTER_LANGUAGES
    folder = resources.files("live") / "wordlists"
    for language in FILTER_LANGUAGES:
        words, _ = wordfilter.word_list(language)
        assert len(words) > 30, language
    sources = (folder / "SOURCES.txt").read_text()
    assert "Creative Commons Attribution 4.0" in sources and "MIT" in sources
    assert "Catalan (ca) and Greek (el)" in sources
    assert (folder / "LICENSE-LDNOOBW.txt").is_file()
    assert (folder / "LICENSE-better-profanity.txt").is_file()


def test_words_match_whole_without_case_or_accents():
    assert wordfilter.matches(["en"], "What a SHIT plan")
    assert wordfilter.matches(["en"], "A plan", "Bullshit Bob")  # the name counts too
    assert not wordfilter.matches(["en"], "A classic assessment of the class")
    assert wordfilter.matches(["fr"], "Quel bordel")
    assert wordfilter.matches(["fr"], "c'est BOURREE")  # the list has "bourrée"
    assert wordfilter.matches(["en"], "about 2 girls 1 cup")  # a phrase
    # each language its own list: the Spanish "con" is not the French insult
    assert not wordfilter.matches(["es"], "con el alcalde") and wordfilter.matches(["fr"], "con")
    # identities, health and religion never hold a question
    assert not wordfilter.matches(["en"], "Is HIV care for gay and lesbians funded? Thank god")
    assert not wordfilter.matches([], "shit")


def test_the_filter_holds_a_matching_question_for_review(room, live):
    a, b, mod = room.attendee(), room.attendee(), room.moderator()
    # off by default: a rude question goes live
    assert ack(a, "ask", {"text": "Why is this shit so late?"})["question"]["status"] == "live"
    assert ack(mod, "settings", {"word_filter": ["en", "fr"]})["settings"]["word_filter"] == [
        "en",
        "fr",
    ]
    room.flush()
    for c in (a, b, mod):
        c.get_received()
    held = ack(a, "ask", {"text": "Why is this shit so late?"})["question"]
    assert held["status"] == "pending" and held["held"] is True
    by_name = ack(a, "ask", {"text": "When does it start?", "name": "Connard"})["question"]
    assert by_name["status"] == "pending" and by_name["held"] is True
    fine = ack(a, "ask", {"text": "Who can apply?"})["question"]
    assert fine["status"] == "live" and fine["held"] is False
    room.flush()
    seen_by_b = {q["id"] for u in received(b, "update") for q in u.get("questions", [])}
    assert held["id"] not in seen_by_b and fine["id"] in seen_by_b
    mod_sees = {q["id"]: q for u in received(mod, "update") for q in u.get("questions", [])}
    assert mod_sees[held["id"]]["held"] is True and mod_sees[held["id"]]["status"] == "pending"
    # the author follows it as waiting for review; the text is as typed
    mine = [q for u in received(a, "update") for q in u.get("questions", [])]
    assert any(q["id"] == held["id"] and q["text"] == "Why is this shit so late?" for q in mine)
    # a moderator approves it like any other
    assert ack(mod, "moderate", {"question": held["id"], "action": "approve"})["ok"]
    assert ack(mod, "settings", {"word_filter": ["xx"]})["error"] == "bad_request"


def test_every_store_keeps_the_filters_mark(store):  # noqa: F811
    kept = store.add_question(replace(question(status="pending"), held=True))
    assert store.questions("w1", [kept.id])[0].held is True
    assert store.questions("w1", [store.add_question(question()).id])[0].held is False
