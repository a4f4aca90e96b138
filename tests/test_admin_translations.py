"""The organiser page in the organiser's language, the webinar's language on its forms, and the
translation editor (issue 15): what a signed-in organiser saves reaches the public JSON and the
attendees reading that language; refusals name their field."""

from __future__ import annotations

import html
import re

import pytest
from flask_socketio import SocketIOTestClient

from live import socketio

from .conftest import CODE, ack, received
from .test_admin import ADMIN_KEY, FORM, signed_in
from .test_languages_pages_browser import english_messages

EDITOR = f"/admin/webinars/{CODE}/translations"
OWN_TITLE = "Citizen engagement and democracy innovation: the Nets4Dem capacity-building offer"


@pytest.fixture
def app(app):
    app.config["ADMIN_KEY"] = ADMIN_KEY
    return app


def attendee(room, lang: str) -> SocketIOTestClient:
    auth = {"webinar": CODE, "participant": room.token(), "lang": lang}
    return socketio.test_client(room.app, auth=auth)


def editor_form(client, language: str) -> dict[str, list[str]]:
    """The editor's fields as the page fills them (names repeat for topics and options)."""
    page = client.get(f"{EDITOR}/{language}").get_data(as_text=True)
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<(?:input|textarea)[^>]*>(?:[^<]*</textarea>)?", page):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None:
            continue
        value = re.search(r'value="([^"]*)"', tag) or re.search(r">([^<]*)</textarea>", tag)
        fields.setdefault(name.group(1), []).append(html.unescape(value.group(1) if value else ""))
    return fields


def visible_text(page: str) -> str:
    """A page's text as a reader meets it: no tags, no scripts' or styles' content."""
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_editor_is_for_signed_in_organisers_with_the_page_token(app, client):
    assert client.get(f"{EDITOR}/de").status_code == 401
    assert client.post(f"{EDITOR}/de", data={"title": "x"}).status_code == 403
    assert client.post(f"{EDITOR}/de/delete").status_code == 403
    csrf = signed_in(client)
    assert client.get(f"{EDITOR}/de").status_code == 200
    assert client.post(f"{EDITOR}/de", data={"title": "x", "csrf": "forged"}).status_code == 400
    assert client.post(f"{EDITOR}/de/delete", data={"csrf": "forged"}).status_code == 400
    # a moderator's session is not an organiser's
    other = app.test_client()
    other.get(f"/e/{CODE}/moderate?key=test-moderator-key")
    assert other.get(f"{EDITOR}/de").status_code == 401
    assert other.post(f"{EDITOR}/de", data={"title": "x", "csrf": csrf}).status_code == 403


def test_unknown_languages_and_webinars_are_said_clearly(client):
    csrf = signed_in(client)
    html_page = {"Accept": "text/html"}
    unknown = client.get(f"{EDITOR}/xx", headers=html_page)
    assert unknown.status_code == 404 and "There is no language &#39;xx&#39; here." in (
        unknown.get_data(as_text=True)
    )
    own = client.get(f"{EDITOR}/en", headers=html_page)
    assert own.status_code == 400
    assert "English is the webinar&#39;s own language" in own.get_data(as_text=True)
    missing = client.post("/admin/webinars/no-such/translations/de", data={"csrf": csrf})
    assert missing.status_code == 404 and missing.json["error"] == "unknown_webinar"
    # in the organiser's language
    german = client.get(f"{EDITOR}/xx?lang=de", headers=html_page).get_data(as_text=True)
    assert "Die Sprache &#39;xx&#39; gibt es hier nicht." in german


def test_the_organiser_page_lists_each_language_with_its_state(client, live):
    signed_in(client)
    page = client.get("/admin").get_data(as_text=True)
    # the default webinar ships in all ten: each of the nine others is listed, none is English
    for code in ("fr", "de", "es", "it", "ca", "nl", "pl", "pt", "el"):
        assert f'href="{EDITOR}/{code}"' in page
    assert f'href="{EDITOR}/en"' not in page
    # the new webinar has no translation yet
    csrf = signed_in(client)
    client.post("/admin/webinars", data={**FORM, "code": "budget-2025", "csrf": csrf})
    page = client.get("/admin").get_data(as_text=True)
    card = page[page.index('id="w-budget-2025"') :]
    assert card.count("Not translated") == 9


def test_a_saved_translation_reaches_the_public_json_and_attendees(client, room, live):
    csrf = signed_in(client)
    fields = editor_form(client, "es")
    poll = live.store.polls(CODE)[0]
    # the page shows the stored Spanish text in its fields, the English above each
    assert fields["title"][0] == next(
        t.title for t in live.store.get_webinar(CODE).translations if t.language == "es"
    )
    # a Spanish page is open, and the poll is open on it
    spanish = attendee(room, "es")
    assert ack(room.moderator(), "poll", {"poll": poll.id, "action": "open"})["ok"]
    room.flush()
    spanish.get_received()
    fields["title"] = ["Participación ciudadana, edición revisada"]
    fields[f"poll-{poll.id}-prompt"] = ["¿Qué programa le interesa más, en su opinión?"]
    saved = client.post(f"{EDITOR}/es", data={**fields, "csrf": csrf})
    assert saved.status_code == 303 and saved.headers["Location"] == "/admin"
    assert "Saved the translation of nets4dem into Español." in client.get("/admin").get_data(
        as_text=True
    )
    # the poll's new prompt reaches the open Spanish page with the next update
    room.flush()
    updated = [p for u in received(spanish, "update") for p in u.get("polls", [])]
    shown = next(p for p in updated if p["id"] == poll.id)
    assert shown["translations"]["es"]["prompt"] == fields[f"poll-{poll.id}-prompt"][0]
    state = client.get(f"/api/webinars/{CODE}?lang=es").json
    assert state["webinar"]["title"] == "Participación ciudadana, edición revisada"
    # the webinar's title with the next snapshot (a reload or reconnection), in Spanish only
    joined = received(attendee(room, "es"), "snapshot")[0]
    assert joined["webinar"]["translations"]["es"]["title"] == fields["title"][0]
    english = received(room.attendee(), "snapshot")[0]
    assert english["webinar"]["title"] == live.store.get_webinar(CODE).title


def test_an_empty_field_shows_the_webinars_own_text(client, live):
    csrf = signed_in(client)
    fields = editor_form(client, "pl")
    poll = live.store.polls(CODE)[0]
    fields["description"] = [""]
    options = fields[f"poll-{poll.id}-option"]
    options[0] = ""
    assert client.post(f"{EDITOR}/pl", data={**fields, "csrf": csrf}).status_code == 303
    webinar = client.get(f"/api/webinars/{CODE}?lang=pl").json["webinar"]
    assert webinar["description"] == live.store.get_webinar(CODE).description
    assert webinar["title"] == fields["title"][0]
    from live.domain import poll_in

    stored = live.store.polls(CODE)[0]
    assert poll_in(stored, "pl").options == (poll.options[0], *options[1:])


def test_refusals_come_back_on_the_form_with_the_field_named(client, live):
    csrf = signed_in(client)
    fields = editor_form(client, "fr")
    poll = live.store.polls(CODE)[0]
    before = live.store.polls(CODE)[0].translations
    wrong = {**fields, f"poll-{poll.id}-option": ["Un", "Deux"], "csrf": csrf}
    wrong["title"] = ["Titre tapé"]
    refused = client.post(f"{EDITOR}/fr?lang=de", data=wrong)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    # beside the options' fieldset, in the organiser's language, the typed title kept
    error = re.search(rf'id="tr-poll-{poll.id}-options-error"[^>]*>([^<]+)<', page)
    assert error and "Antwortmöglichkeit" in html.unescape(error.group(1))
    assert 'value="Titre tapé"' in page and 'aria-invalid="true"' in page
    assert live.store.polls(CODE)[0].translations == before
    assert live.store.get_webinar(CODE).title == OWN_TITLE
    # topics of another number (the webinar's changed since the page was opened) are refused
    # too, a too long prompt said with its length
    partial = {**fields, "topic": ["Général"], "csrf": csrf}
    # (in English again: ?lang= is remembered in a cookie)
    page = client.post(f"{EDITOR}/fr?lang=en", data=partial).get_data(as_text=True)
    assert 'id="tr-topics-error"' in page and "every topic" in page
    long = {**fields, f"poll-{poll.id}-prompt": ["x" * 201], "csrf": csrf}
    page = client.post(f"{EDITOR}/fr", data=long).get_data(as_text=True)
    assert f'id="tr-poll-{poll.id}-prompt-error"' in page and "201 characters" in page


def test_remove_takes_the_language_away(client, live):
    csrf = signed_in(client)
    assert client.post(f"{EDITOR}/it/delete", data={"csrf": csrf}).status_code == 303
    assert "it" not in [t.language for t in live.store.get_webinar(CODE).translations]
    assert all("it" not in [t.language for t in p.translations] for p in live.store.polls(CODE))
    webinar = client.get(f"/api/webinars/{CODE}?lang=it").json["webinar"]
    assert webinar["title"] == OWN_TITLE
    page = client.get("/admin?lang=en").get_data(as_text=True)
    assert "Removed the translation of nets4dem into Italiano." in page
    listed = re.search(rf'href="{EDITOR}/it".*?</li>', page, flags=re.S)
    assert listed and "Not translated" in listed.group(0)


def test_the_webinars_language_is_edited_on_its_forms(client, live):
    csrf = signed_in(client)
    page = client.get("/admin").get_data(as_text=True)
    # each shipped language named in itself, the webinar's selected
    assert '<option value="ca" lang="ca">Català</option>' in page
    assert '<option value="en" lang="en" selected>English</option>' in page
    created = {**FORM, "code": "budget-2025", "language": "pt", "csrf": csrf}
    client.post("/admin/webinars", data=created)
    assert live.store.get_webinar("budget-2025").language == "pt"
    edited = {**FORM, "language": "ca", "csrf": csrf}
    assert client.post("/admin/webinars/budget-2025", data=edited).status_code == 303
    assert live.store.get_webinar("budget-2025").language == "ca"
    # the translations stay when the language changes
    translations = live.store.get_webinar(CODE).translations
    client.post(f"/admin/webinars/{CODE}", data={**FORM, "language": "fr", "csrf": csrf})
    assert live.store.get_webinar(CODE).language == "fr"
    assert live.store.get_webinar(CODE).translations == translations
    # a language not shipped is refused beside the field; a stored one stays selectable
    refused = client.post("/admin/webinars", data={**created, "code": "x-2", "language": "tlh"})
    assert refused.status_code == 400 and 'id="new-language-error"' in refused.get_data(
        as_text=True
    )
    live.store.change_webinar("budget-2025", {"language": "ast"})
    page = client.get("/admin").get_data(as_text=True)
    assert '<option value="ast" lang="ast" selected>ast</option>' in page
    client.post("/admin/webinars/budget-2025", data={**FORM, "language": "ast", "csrf": csrf})
    assert live.store.get_webinar("budget-2025").language == "ast"


def test_the_german_organiser_page_and_editor_leave_no_english_message(client, live):
    signed_in(client)
    pages = {
        "organiser": client.get("/admin?lang=de").get_data(as_text=True),
        "editor": client.get(f"{EDITOR}/fr?lang=de").get_data(as_text=True),
    }
    for name, page in pages.items():
        assert '<html lang="de"' in page, name
        text = visible_text(page)
        left = [message for message in english_messages() if message in text]
        assert left == [], name
    # the walk can fail: the English page has the catalogue's sentences
    english = visible_text(client.get("/admin?lang=en").get_data(as_text=True))
    assert "The details, topics and polls (as drafts) are copied; questions and votes are not." in [
        m for m in english_messages() if m in english
    ]
    # dates in German, in the webinar's time zone
    assert "Personenbezogene Daten" in pages["organiser"]
    assert re.search(
        r"(Montag|Dienstag|Mittwoch|Donnerstag|Freitag), \d+\. \w+ 2024", pages["organiser"]
    )


def test_the_follow_up_page_is_in_the_readers_language(client, live, room):
    live.store.update_settings(CODE, {"follow_up": True})
    mod = room.moderator()
    poll = live.store.polls(CODE)[0]
    assert ack(mod, "poll", {"poll": poll.id, "action": "open"})["ok"]
    assert ack(mod, "poll", {"poll": poll.id, "action": "show_results"})["ok"]
    page = client.get(f"/e/{CODE}/follow-up?lang=de").get_data(as_text=True)
    webinar = live.store.get_webinar(CODE)
    german = next(t for t in webinar.translations if t.language == "de")
    german_poll = next(t for t in poll.translations if t.language == "de")
    assert '<html lang="de"' in page
    assert html.escape(german.title, quote=True) in page
    assert html.escape(german_poll.prompt, quote=True) in page
    assert "Fragen und Antworten" in page and "Questions and answers" not in page
    text = visible_text(page)
    assert [m for m in english_messages() if m in text] == []
