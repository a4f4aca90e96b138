"""The server's own sentences in the reader's language (issue 15, phase 2): the domain's and the
service's refusals over Socket.IO and HTTP, the forget sentence with each language's plurals,
and the signed_out message; the error codes never change."""

from __future__ import annotations

from flask_socketio import SocketIOTestClient

from live import socketio

from .conftest import CODE, ack


def attendee(room, lang: str) -> SocketIOTestClient:  # noqa: ANN001
    auth = {"webinar": CODE, "participant": room.token(), "lang": lang}
    return socketio.test_client(room.app, auth=auth)


def test_a_domain_refusal_is_in_the_connection_language(room):
    english, french = room.attendee(), attendee(room, "fr")
    for client in (english, french):
        assert ack(client, "ask", {"text": "   "})["error"] == "empty"
    assert ack(english, "ask", {"text": "   "})["message"] == "The question is empty."
    assert ack(french, "ask", {"text": "   "})["message"] == "La question est vide."


def test_numbers_in_a_refusal_are_filled_into_the_translation(room):
    long = "x" * 400
    answer = ack(attendee(room, "de"), "ask", {"text": long})
    assert answer["error"] == "too_long"
    assert answer["message"] == "Die Frage hat 400 Zeichen; erlaubt sind höchstens 300."
    answer = ack(room.attendee(), "ask", {"text": long})
    assert answer["message"] == "The question is 400 characters long; the limit is 300."


def test_an_http_error_follows_the_request_language_with_the_same_code(client):
    english = client.get("/api/webinars/no-such-webinar")
    polish = client.get(
        "/api/webinars/no-such-webinar", headers={"Accept-Language": "pl-PL,pl;q=0.9"}
    )
    # (?lang= is remembered in a cookie: asked last)
    german = client.get("/api/webinars/no-such-webinar?lang=de")
    assert {r.status_code for r in (english, german, polish)} == {404}
    assert {r.json["error"] for r in (english, german, polish)} == {"unknown_webinar"}
    assert english.json["message"] == "There is no webinar with that code."
    assert german.json["message"] == "Es gibt kein Webinar mit diesem Code."
    assert polish.json["message"] == "Nie ma webinarium o tym kodzie."


def test_an_error_page_is_in_the_page_language(client):
    page = client.get("/e/no-such-webinar?lang=es", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "No existe ningún seminario web con ese código." in page.get_data(as_text=True)


def test_the_forget_sentence_counts_in_the_language(room, live):
    token = room.token()
    auth = {"webinar": CODE, "participant": token, "lang": "pl"}
    polish = socketio.test_client(room.app, auth=auth)
    for text in ("Kto finansuje laboratorium?", "Kiedy zaczynamy?", "Gdzie są slajdy?"):
        assert ack(polish, "ask", {"text": text, "name": "Ola"})["ok"]
    answer = ack(polish, "forget", {})
    assert answer["removed"]["questions"] == 3
    # Polish has a form for 2-4 ("powiązania") distinct from 1 and from 5 or more; the list
    # joined by the language's own pattern
    assert answer["message"].startswith("Usunięto: 3 imiona i 3 powiązania z pytaniami.")
    assert "należy ponownie załadować stronę" in answer["message"]


def test_the_forget_sentence_in_english_is_unchanged(room):
    a = room.attendee()
    assert ack(a, "ask", {"text": "Who funds the lab?", "name": "Ada"})["ok"]
    assert ack(a, "forget", {})["message"].startswith(
        "Removed: 1 name, 1 link to a question. The texts of your questions"
    )


def test_signed_out_is_told_in_the_connection_language(room):
    changer = room.moderator()
    greek = room.moderator(lang="el")
    assert ack(changer, "rotate_key", {})["ok"]
    told = [p["args"][0] for p in greek.queue if p["name"] == "signed_out"]
    assert [t["reason"] for t in told] == ["key_changed"]
    assert told[0]["message"] != "" and "κλειδί" in told[0]["message"]
    assert not greek.is_connected()


def test_the_report_is_in_the_webinar_language(client, room, live):
    from .conftest import MODERATOR_KEY

    assert live.store.change_webinar(CODE, {"language": "fr"})
    a, b, mod = room.attendee(), room.attendee(), room.moderator()
    lab = ack(a, "ask", {"text": "When is the Lab?"})["question"]["id"]
    ack(b, "upvote", {"question": lab, "up": True})
    ack(b, "ask", {"text": "Hors sujet"})
    off = live.store.questions(CODE)[-1].id
    ack(mod, "moderate", {"question": lab, "action": "answer"})
    ack(mod, "moderate", {"question": off, "action": "dismiss", "reason": "off_topic"})
    poll = live.store.polls(CODE)[0].id
    ack(mod, "poll", {"poll": poll, "action": "open"})
    ack(a, "vote", {"poll": poll, "options": [0]})
    ack(b, "vote", {"poll": poll, "options": [0]})
    ack(room.attendee(), "vote", {"poll": poll, "options": [1]})
    headers = {"Authorization": f"Bearer {MODERATOR_KEY}"}
    # the webinar's language, whatever the moderator's browser asks for
    report = client.get(
        f"/e/{CODE}/export.md", headers={**headers, "Accept-Language": "de"}
    ).get_data(as_text=True)
    assert "## Questions" in report and "## Sondages" in report and "## Modération" in report
    assert (
        "2 questions : 1 répondues en direct, 0 avec une réponse écrite, 0 fusionnées avec une "
        "autre, 1 écartées (hors sujet : 1)."
    ) in report
    assert "1 soutien · répondue en direct" in report
    # Babel's numbers: a decimal comma
    assert "| 2 | 66,7 % |" in report and "3 votants, plusieurs réponses possibles." in report
    assert "marquées répondues : 1, questions écartées : 1, sondages ouverts : 1." in report
    assert "| Option | Votes | Part des votants |" in report
    # a French date (the default webinar's start) and no English word left in the sentences
    assert any(day in report for day in ("lundi", "mardi", "mercredi", "jeudi", "vendredi"))
    assert "answered" not in report and "voters" not in report
