"""The server's own sentences in the reader's language (issue 15, phase 2): the domain's and the
service's refusals over Socket.IO and HTTP, the forget sentence with each language's plurals,
and the signed_out message; the error codes never change."""

from __future__ import annotations

from flask_socketio import SocketIOTestClient

from live import socketio
from live.payloads import moderator_poll

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
        "2 questions. Répondues en direct : 1 ; avec une réponse écrite : 0 ; fusionnées avec "
        "une autre : 0 ; écartées : 1 (hors sujet : 1)."
    ) in report
    assert "1 soutien · répondue en direct" in report
    # Babel's numbers: a decimal comma
    assert "| 2 | 66,7 % |" in report and "3 votants, plusieurs réponses possibles." in report
    assert "marquées comme répondues : 1, questions écartées : 1, sondages ouverts : 1." in report
    assert "| Option | Votes | Part des votants |" in report
    # a French date (the default webinar's start) and no English word left in the sentences
    assert any(day in report for day in ("lundi", "mardi", "mercredi", "jeudi", "vendredi"))
    assert "answered" not in report and "voters" not in report


def test_attendees_in_two_languages_read_their_poll_and_vote_on_the_same_options(room, live):
    """The shared snapshot carries the content once, with its translations; a French page shows
    ``translations.fr`` (the same options in the same order), and the ballots are counted
    together whatever the language."""
    french, english, mod = attendee(room, "fr"), room.attendee(), room.moderator()
    poll = live.store.polls(CODE)[0]
    assert ack(mod, "poll", {"poll": poll.id, "action": "open"})["ok"]
    assert ack(mod, "poll", {"poll": poll.id, "action": "show_results"})["ok"]
    room.flush()
    french.get_received(), english.get_received()
    snapshot = socketio.test_client(
        room.app, auth={"webinar": CODE, "participant": room.token(), "lang": "fr"}
    ).get_received()
    sent = next(p["args"][0] for p in snapshot if p["name"] == "snapshot")
    shown = next(p for p in sent["polls"] if p["id"] == poll.id)
    assert shown["options"] == list(poll.options)  # the webinar's own (English)
    french_options = shown["translations"]["fr"]["options"]
    assert len(french_options) == len(poll.options) and french_options != list(poll.options)
    assert shown["translations"]["fr"]["prompt"] != poll.prompt
    assert sent["webinar"]["language"] == "en"
    assert sent["webinar"]["translations"]["fr"]["title"] != sent["webinar"]["title"]
    # the webinar's content in the page's language only, not all ten (a join sends a few
    # kilobytes, not twenty-five)
    assert list(sent["webinar"]["translations"]) == ["fr"]
    english_join = socketio.test_client(
        room.app, auth={"webinar": CODE, "participant": room.token()}
    ).get_received()
    english_state = next(p["args"][0] for p in english_join if p["name"] == "snapshot")
    assert english_state["webinar"]["translations"] == {}
    # one ballot from each, on the same option index: counted together
    assert ack(french, "vote", {"poll": poll.id, "options": [1]})["ok"]
    assert ack(english, "vote", {"poll": poll.id, "options": [1]})["ok"]
    counted = moderator_poll(live.store, live.store.polls(CODE)[0])["results"]["counts"]
    assert counted[1] == 2 and sum(counted) == 2


def test_the_public_json_takes_lang(client, live):
    poll = live.store.polls(CODE)[0]
    english = client.get(f"/api/webinars/{CODE}").json
    french = client.get(f"/api/webinars/{CODE}?lang=fr").json
    german = client.get(f"/api/webinars/{CODE}?lang=de").json
    assert english["webinar"]["title"] != french["webinar"]["title"] != german["webinar"]["title"]
    # the questions' topics stay the webinar's names; what attendees read is translated
    assert french["webinar"]["translations"]["fr"]["title"] == french["webinar"]["title"]
    polls = {lang: state["polls"] for lang, state in (("fr", french), ("de", german))}
    for lang, listed in polls.items():
        if listed:
            shown = next(p for p in listed if p["id"] == poll.id)
            assert shown["options"] == shown["translations"][lang]["options"]
    # an unknown or the webinar's own language is the webinar's content
    assert (
        client.get(f"/api/webinars/{CODE}?lang=xx").json["webinar"]["title"]
        == (english["webinar"]["title"])
    )


def test_the_background_check_signs_out_in_the_connection_language(app, room, live):
    """What each process's background task does every second, in the app's context as
    create_app runs it: a key changed elsewhere, the Dutch moderator is told in Dutch."""
    from live.keys import sign_out_stale_moderators

    dutch = room.moderator(lang="nl")
    live.store.set_moderator_key(CODE, "changed-elsewhere-key")
    with app.app_context():
        assert sign_out_stale_moderators(live) == 1
    told = [p["args"][0] for p in dutch.queue if p["name"] == "signed_out"]
    assert [t["reason"] for t in told] == ["key_changed"]
    assert "moderator" in told[0]["message"] and "sleutel" in told[0]["message"]
