"""Similar questions in French and Polish: each language's function words are left out, the
page's language (``lang`` in auth) or the one the typed words show (issue 15)."""

from __future__ import annotations

from flask_socketio import SocketIOTestClient

from live import socketio
from live.similar import content_words
from live.stopwords import STOP_WORDS, guess_language

from .conftest import CODE, ack


def typist(room, lang: str) -> SocketIOTestClient:
    auth = {"webinar": CODE, "participant": room.token(), "lang": lang}
    return socketio.test_client(room.app, auth=auth)


def ask_all(room, texts: list[str]) -> dict[str, int]:
    asker = room.attendee()
    return {text: ack(asker, "ask", {"text": text})["question"]["id"] for text in texts}


def suggested(client: SocketIOTestClient, text: str) -> list[int]:
    answer = ack(client, "suggest", {"text": text})
    assert answer["ok"], answer
    return [question["id"] for question in answer["questions"]]


def test_a_french_attendee_is_offered_the_french_question_already_asked(room, live):
    asked = ask_all(
        room,
        [
            "Quand aura lieu le Democracy Lab à Barcelone ?",
            "Les frais de voyage pour Barcelone sont-ils pris en charge ?",
            "Est-ce que les séances seront enregistrées ?",
        ],
    )
    live.live_questions.clear()
    french = typist(room, "fr")
    assert suggested(french, "Le voyage à Barcelone est-il pris en charge ?") == [
        asked["Les frais de voyage pour Barcelone sont-ils pris en charge ?"]
    ]
    assert suggested(french, "Quelles sont les dates du Democracy Lab ?") == [
        asked["Quand aura lieu le Democracy Lab à Barcelone ?"]
    ]
    # only function words in common: nothing to offer
    assert suggested(french, "Est-ce que les petites villes peuvent participer ?") == []
    assert suggested(french, "Est-ce que les") == []


def test_a_polish_attendee_is_offered_the_polish_question_already_asked(room, live):
    asked = ask_all(
        room,
        [
            "Kiedy odbędzie się Democracy Lab w Barcelonie?",
            "Czy koszty podróży do Barcelony są pokrywane?",
            "Czy sesje będą nagrywane?",
        ],
    )
    live.live_questions.clear()
    polish = typist(room, "pl")
    assert suggested(polish, "Czy koszty podróży do Barcelony zostaną pokryte?") == [
        asked["Czy koszty podróży do Barcelony są pokrywane?"]
    ]
    assert suggested(polish, "Czy to jest nagrywane i czy będzie dostępne?") == [
        asked["Czy sesje będą nagrywane?"]
    ]
    assert suggested(polish, "Czy małe miasta mogą wziąć udział?") == []


def test_the_function_words_of_the_language_are_left_out():
    assert content_words("Est-ce que les villes peuvent participer ?", STOP_WORDS["fr"]) == (
        "villes participer"
    )
    assert content_words("Czy małe miasta mogą wziąć udział?", STOP_WORDS["pl"]) == (
        "małe miasta wziąć udział"
    )
    # the English list alone keeps them
    assert "que les" in content_words("Est-ce que les villes ?", STOP_WORDS["en"])


def test_the_language_of_a_question_is_guessed_from_its_words():
    assert guess_language("czy to jest nagrywane".split(), "en") == "pl"
    assert guess_language("est ce que les séances sont enregistrées".split(), "en") == "fr"
    # the page's language wins a tie, and a question without function words keeps it
    assert guess_language("democracy lab barcelona".split(), "de") == "de"
    assert guess_language("when is the lab in barcelona".split(), "en") == "en"
    assert set(STOP_WORDS) == {"en", "fr", "de", "es", "it", "ca", "nl", "pl", "pt", "el"}
